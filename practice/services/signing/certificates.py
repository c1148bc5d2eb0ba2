"""The firm's sealing certificate: made here on first use, or uploaded by the firm as a PKCS#12 file.

The private key is stored in the database encrypted (PKCS#8 PEM) with a passphrase that lives only in a
0600 file in the data folder: a copy of the database alone cannot seal files in the firm's name.
Old certificates are kept (inactive) so files sealed with them still verify as the firm's.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from sqlmodel import Session, select

from practice.config import data_dir, data_secret
from practice.i18n import N_, _
from practice.models import FirmCertificate
from practice.services import audit
from practice.services.actor import Actor, require_admin
from practice.services.errors import InvalidInput, PracticeError
from practice.services.firm import get_firm
from practice.services.formatting import full_date

PASSPHRASE_FILE = "signing-key.passphrase"
VALID_YEARS = 10
MAX_PKCS12_BYTES = 1_000_000


MISSING_PASSPHRASE = N_("The signing key's passphrase file ({name}) is missing from the data folder {folder}, so "
                        "files cannot be sealed. Restore it from the backup the database came from (`python -m "
                        "practice restore` brings both back together); an admin can also make a new certificate in "
                        "Settings → Signing, and files sealed before stay verifiable.")
WRONG_PASSPHRASE = N_("The signing key's passphrase file ({name}) in {folder} does not open the firm's key: it belongs "
                      "to another data folder. Restore the one from the backup the database came from; an admin can "
                      "also make a new certificate in Settings → Signing, and files sealed before stay verifiable.")


def _passphrase() -> bytes:
    """The key passphrase from the data folder, made (0600) on first use: only for a key being made."""
    return data_secret(PASSPHRASE_FILE)


def _existing_passphrase() -> bytes:
    """The passphrase of keys made before: never made anew here (a new one could not open them)."""
    try:
        return (data_dir() / PASSPHRASE_FILE).read_bytes().strip()
    except FileNotFoundError:
        raise SigningKeyUnavailable(_(MISSING_PASSPHRASE).format(name=PASSPHRASE_FILE, folder=data_dir())) from None


class SigningKeyUnavailable(PracticeError):
    """The firm's key cannot be opened on this server (its passphrase file is missing or another one)."""


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the certificate (DER), as colon-separated upper-case hex, as browsers show it."""
    digest = cert.fingerprint(hashes.SHA256()).hex().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _row_for(cert: x509.Certificate, key, chain: list[x509.Certificate], source: str) -> FirmCertificate:
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.BestAvailableEncryption(_passphrase()))
    return FirmCertificate(
        source=source, subject=cert.subject.rfc4514_string(), issuer=cert.issuer.rfc4514_string(),
        fingerprint_sha256=fingerprint(cert), not_before=_aware(cert.not_valid_before_utc),
        not_after=_aware(cert.not_valid_after_utc),
        cert_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        chain_pem="".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in chain),
        key_pem_encrypted=key_pem.decode(), active=True)


def make_self_signed(firm_name: str) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A new EC P-256 key and a 10-year self-signed sealing certificate naming the firm."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{firm_name} document seal"[:64]),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, firm_name[:64] or "Firm")])
    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=365 * VALID_YEARS + 2))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return cert, key


def current(session: Session) -> FirmCertificate | None:
    """The certificate new seals use (the newest active one), or None before setup."""
    return session.exec(select(FirmCertificate).where(FirmCertificate.active)
                        .order_by(FirmCertificate.id.desc())).first()


def all_certificates(session: Session) -> list[FirmCertificate]:
    """Every certificate the firm ever sealed with, newest first (old files stay verifiable)."""
    return list(session.exec(select(FirmCertificate).order_by(FirmCertificate.id.desc())))


def _firm_name(session: Session) -> str:
    return get_firm(session).name


def ensure_certificate(session: Session) -> FirmCertificate:
    """The firm's current certificate, made (self-signed) when the firm has none."""
    row = current(session)
    if row is not None:
        return row
    cert, key = make_self_signed(_firm_name(session))
    row = _row_for(cert, key, [], "generated")
    session.add(row)
    session.flush()
    return row


def _replace_current(session: Session, row: FirmCertificate) -> FirmCertificate:
    for old in session.exec(select(FirmCertificate).where(FirmCertificate.active)):
        old.active = False
    session.add(row)
    session.flush()
    return row


def regenerate(session: Session, actor: Actor) -> FirmCertificate:
    """Make a new self-signed certificate for new seals; files sealed before stay valid."""
    require_admin(actor)
    cert, key = make_self_signed(_firm_name(session))
    row = _replace_current(session, _row_for(cert, key, [], "generated"))
    audit.record(session, actor, "create", "certificate", row.id,
                 f"New sealing certificate made ({row.fingerprint_sha256[:23]}…)")
    return row


def upload_pkcs12(session: Session, actor: Actor, data: bytes, password: str) -> FirmCertificate:
    """Use the firm's own certificate (a PKCS#12 / .p12 / .pfx file with its key) for new seals."""
    require_admin(actor)
    if not data:
        raise InvalidInput(_("Choose the certificate file (.p12 or .pfx) to upload."), "file")
    if len(data) > MAX_PKCS12_BYTES:
        raise InvalidInput(_("That file is too large to be a certificate; choose the .p12 or .pfx file."), "file")
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, (password or "").encode() or None)
    except ValueError as exc:
        if "password" in str(exc).lower() or "mac" in str(exc).lower() or "decrypt" in str(exc).lower():
            raise InvalidInput(_("The password does not open this certificate file; check it and try again."),
                               "password") from None
        raise InvalidInput(_("This file is not a PKCS#12 certificate (.p12 or .pfx) or it is damaged."), "file") from None
    except Exception:  # noqa: BLE001 - any parse failure is the same sentence to the firm
        raise InvalidInput(_("This file is not a PKCS#12 certificate (.p12 or .pfx) or it is damaged."), "file") from None
    if key is None and (cert is not None or extra):
        raise InvalidInput(_("This file holds the certificate but not its private key; export it again "
                             "with the private key included."), "file")
    if cert is None or key is None:
        raise InvalidInput(_("This file holds no certificate; export the certificate together with its key."), "file")
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise InvalidInput(_("Only RSA and EC certificates can seal documents; this one uses another kind of key."),
                           "file")
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size < 2048:
        raise InvalidInput(_("This certificate's key is too short ({bits} bits) to seal documents safely; "
                             "use one of at least 2048 bits.").format(bits=key.key_size), "file")
    if key.public_key().public_numbers() != cert.public_key().public_numbers():
        raise InvalidInput(_("The private key in this file does not belong to its certificate."), "file")
    now = dt.datetime.now(dt.timezone.utc)
    if _aware(cert.not_valid_after_utc) <= now:
        raise InvalidInput(_("This certificate expired on {date}; upload a current one.").format(
            date=full_date(cert.not_valid_after_utc.date())), "file")
    if _aware(cert.not_valid_before_utc) > now:
        raise InvalidInput(_("This certificate is not valid before {date}.").format(
            date=full_date(cert.not_valid_before_utc.date())), "file")
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        if not (usage.digital_signature or usage.content_commitment):
            raise InvalidInput(_("This certificate may not be used for signatures (its key usage forbids it)."), "file")
    except x509.ExtensionNotFound:
        pass
    row = _replace_current(session, _row_for(cert, key, list(extra or []), "uploaded"))
    audit.record(session, actor, "create", "certificate", row.id,
                 f"Sealing certificate uploaded: {row.subject}")
    return row


@dataclass
class KeyMaterial:
    """A certificate with its decrypted key, for sealing (never leaves the server)."""

    cert: x509.Certificate
    key: object
    chain: list[x509.Certificate]
    row: FirmCertificate


def load_key_material(row: FirmCertificate) -> KeyMaterial:
    """Decrypt the row's key with the data folder's passphrase."""
    try:
        key = serialization.load_pem_private_key(row.key_pem_encrypted.encode(), password=_existing_passphrase())
    except (ValueError, TypeError):  # "Incorrect password"
        raise SigningKeyUnavailable(_(WRONG_PASSPHRASE).format(name=PASSPHRASE_FILE, folder=data_dir())) from None
    cert = x509.load_pem_x509_certificate(row.cert_pem.encode())
    chain = x509.load_pem_x509_certificates(row.chain_pem.encode()) if row.chain_pem.strip() else []
    return KeyMaterial(cert=cert, key=key, chain=chain, row=row)


def certificate_pem(row: FirmCertificate) -> str:
    """The public certificate (PEM) clients can add to their trust list."""
    return row.cert_pem

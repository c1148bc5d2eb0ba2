"""The firm's PAdES seal: a certification signature with "no changes allowed" (DocMDP P=1), optionally
timestamped; `finish` stamps the fields, adds the audit page and seals, in that order.

Why "no changes allowed": any later edit of the file, even one a PDF editor appends as an incremental
update, then shows as a change to every validator.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import io
import logging
from dataclasses import dataclass
from typing import Any, Callable

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from sqlmodel import Session

from practice.i18n import _
from practice.services.errors import InvalidInput, PracticeError
from practice.services.firm import get_firm
from practice.services.signing import certificates, consent
from practice.services.signing.audit_page import AuditTrail, sha256_hex, with_audit_page
from practice.services.signing.stamp import StampField, stamp

log = logging.getLogger(__name__)

SEAL_FIELD = "FirmSeal"


@dataclass
class Finished:
    """The sealed file and the hashes to record."""

    pdf: bytes
    stamped_sha256: str
    final_sha256: str


class TimestampFailed(PracticeError):
    """The firm's timestamp server did not give a timestamp."""


def run_sync(fn: Callable[[], Any]) -> Any:
    """Run pyHanko's sync API (it calls asyncio.run) even from inside a running event loop (Reflex)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn).result()


def _signer_for(material: certificates.KeyMaterial):
    """pyHanko's signer for the firm's certificate and key."""
    from pyhanko.sign.signers import SimpleSigner  # noqa: PLC0415 - lazy: heavy library
    from pyhanko_certvalidator.registry import SimpleCertificateStore  # noqa: PLC0415 - lazy: heavy library

    der = serialization.Encoding.DER
    cert = asn1_x509.Certificate.load(material.cert.public_bytes(der))
    key = asn1_keys.PrivateKeyInfo.load(material.key.private_bytes(
        der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    chain = [asn1_x509.Certificate.load(c.public_bytes(der)) for c in material.chain]
    return SimpleSigner(signing_cert=cert, signing_key=key,
                        cert_registry=SimpleCertificateStore.from_certs([cert, *chain]))


def timestamper_for(url: str):
    """An RFC 3161 client for the firm's timestamp server."""
    from pyhanko.sign.timestamps import HTTPTimeStamper  # noqa: PLC0415 - lazy: heavy library

    return HTTPTimeStamper(url, timeout=10)


def seal(session: Session, pdf: bytes, *, reason: str, require_timestamp: bool = False) -> bytes:
    """The PDF sealed (PAdES, certification, no changes allowed) with the firm's current certificate.

    With a timestamp server configured the seal carries its timestamp; when that server fails, the file
    is sealed without one (and a warning logged) unless `require_timestamp`, which raises TimestampFailed.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: PLC0415 - lazy: heavy library
    from pyhanko.sign import signers  # noqa: PLC0415 - lazy: heavy library
    from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter  # noqa: PLC0415 - lazy: heavy library

    material = certificates.load_key_material(certificates.ensure_certificate(session))
    signer = _signer_for(material)
    tsa_url = consent.timestamp_server(session)
    firm_name = get_firm(session).name

    def sign(timestamper):
        meta = signers.PdfSignatureMetadata(
            field_name=SEAL_FIELD, reason=(reason or "Sealed")[:500], name=firm_name[:200], md_algorithm="sha256",
            certify=True, docmdp_permissions=MDPPerm.NO_CHANGES, subfilter=SigSeedSubFilter.PADES)
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        return signers.sign_pdf(writer, meta, signer=signer, timestamper=timestamper).getvalue()

    if not tsa_url:
        return run_sync(lambda: sign(None))
    try:
        return run_sync(lambda: sign(timestamper_for(tsa_url)))
    except Exception as exc:  # noqa: BLE001 - any network or server failure is the same for the firm
        if require_timestamp:
            raise TimestampFailed(_("The timestamp server {tsa_url} did not give a timestamp ({error}); check the "
                                    "address in Settings → Signing, or clear it.").format(tsa_url=tsa_url, error=_short(exc))) from None
        log.warning("timestamp server %s failed (%s); sealing without a timestamp", tsa_url, exc)
        return run_sync(lambda: sign(None))


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:160]


def check_timestamp_server(url: str) -> None:
    """Ask the server for one timestamp; raises InvalidInput with a sentence when it gives none."""
    url = (url or "").strip()
    if not url.startswith(("http://", "https://")):
        raise InvalidInput(_("The timestamp server address must start with http:// or https://."), "tsa_url")
    from pyhanko.sign.timestamps import TimestampRequestError  # noqa: PLC0415 - lazy: heavy library

    stamper = timestamper_for(url)
    try:
        run_sync(lambda: asyncio.run(stamper.async_dummy_response("sha256")))
    except TimestampRequestError as exc:
        raise InvalidInput(_("{url} did not answer as a timestamp server ({reason}).").format(url=url, reason=_short(exc)),
                           "tsa_url") from None
    except Exception as exc:  # noqa: BLE001
        raise InvalidInput(_("{url} could not be reached ({reason}).").format(url=url, reason=_short(exc)),
                           "tsa_url") from None


def finish(session: Session, original: bytes, fields: list[StampField], trail: AuditTrail) -> Finished:
    """Stamp the fields, append the audit page, seal: the file to store and the hashes to record."""
    if not trail.original_sha256:
        trail.original_sha256 = sha256_hex(original)
    stamped = stamp(original, fields)
    trail.stamped_sha256 = sha256_hex(stamped)
    sealed = seal(session, with_audit_page(stamped, trail),
                  reason=f"Signed electronically: {trail.title} ({trail.reference})")
    return Finished(pdf=sealed, stamped_sha256=trail.stamped_sha256, final_sha256=sha256_hex(sealed))

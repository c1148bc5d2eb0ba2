"""The signed file: stamped pages, the audit page, the firm's PAdES seal, and verify's plain sentences."""
from __future__ import annotations

import datetime as dt
import io
import os
import socket
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pypdf import PdfReader
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import AuditLog, FirmCertificate
from practice.services.errors import InvalidInput, PermissionDenied
from practice.services.signing import audit_page, certificates, consent, seal, stamp, verify
from practice.services.signing.stamp import StampField, stamp_strokes
from tests.factories import blank_pdf, local_tsa, make_firm, rotated, sample_fields, sample_pdf, sample_trail


def owner_bob_and_the_certificate(monkeypatch):
    with write_session() as s:
        staff = make_firm(s, employees={"bob": "Bob Stone"})
        certificates.ensure_certificate(s)
    return staff


pytestmark = pytest.mark.firm(build=owner_bob_and_the_certificate)


@pytest.fixture(scope="module")
def original():
    return sample_pdf(2)


def _finish(original, trail=None):
    with write_session() as s:
        return seal.finish(s, original, sample_fields(), trail or sample_trail())


def _validate(pdf: bytes, roots_pem: list[str]):
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = [asn1_x509.Certificate.load(pem.unarmor(p.encode())[2]) for p in roots_pem]
    reader = PdfFileReader(io.BytesIO(pdf))
    (sig,) = reader.embedded_signatures
    return sig, validate_pdf_signature(sig, ValidationContext(trust_roots=roots, allow_fetching=False))


def _firm_pems() -> list[str]:
    with read_session() as s:
        return [row.cert_pem for row in certificates.all_certificates(s)]


# --- the certificate ------------------------------------------------------------------------------


def test_certificate_made_once_with_encrypted_key_and_private_passphrase(firm, tmp_path):
    with write_session() as s:
        first = certificates.ensure_certificate(s)
        again = certificates.ensure_certificate(s)
        assert first.id == again.id
        cert = x509.load_pem_x509_certificate(first.cert_pem.encode())
    assert "My Firm" in first.subject and first.source == "generated"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days >= 3650
    assert first.key_pem_encrypted.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    secret_file = tmp_path / "data" / certificates.PASSPHRASE_FILE
    assert stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600
    passphrase = secret_file.read_text().strip()
    assert passphrase not in first.key_pem_encrypted and passphrase not in first.cert_pem


# --- the finished file ----------------------------------------------------------------------------


def test_finished_file_validates_against_the_firm_certificate(firm, original):
    from pyhanko.sign.fields import MDPPerm
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    done = _finish(original)
    assert done.final_sha256 == audit_page.sha256_hex(done.pdf)
    sig, status = _validate(done.pdf, _firm_pems())
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.docmdp_ok in (True, None) and sig.docmdp_level == MDPPerm.NO_CHANGES
    assert status.bottom_line

    report = verify.verify(done.pdf, trust_roots_pem=_firm_pems())
    assert report.intact and report.trusted and report.firm_certificate, report.summary
    assert report.summary.startswith("This file is intact")
    assert report.sha256 == done.final_sha256
    assert report.audit["signers"][0]["name"] == "June Hartley"
    assert report.audit["original_sha256"] == audit_page.sha256_hex(original)


def test_audit_page_names_signers_ips_and_hashes(firm, original):
    trail = sample_trail()
    done = _finish(original, trail)
    pages = PdfReader(io.BytesIO(done.pdf)).pages
    assert len(pages) >= 3  # two signed pages, then the audit page(s)
    text = "".join(p.extract_text() for p in pages[2:])
    flat = "".join(text.split())
    for needle in ("June Hartley", "Sam Hartley", "203.0.113.7", "198.51.100.23", "june@hartley.example",
                   "code correct", "2026-11-27 09:32:00 UTC"):
        assert "".join(needle.split()) in flat, needle
    assert audit_page.sha256_hex(original) in flat
    assert done.stamped_sha256 in flat
    # The signed pages carry the stamped values.
    assert "Sam Hartley" in pages[1].extract_text() and "November 27, 2026" in pages[0].extract_text()


def test_stamp_respects_rotation_and_draws_ink_where_the_field_is(original):
    import pypdfium2 as pdfium  # lazy: heavy library

    turned = rotated(original, page=0, degrees=90)
    field = StampField(page=0, x=0.05, y=0.05, width=0.3, height=0.15, kind="signature",
                       strokes=[[(0, 0), (1, 1)], [(0, 1), (1, 0)]])
    stamped = stamp.stamp(turned, [field])
    image = pdfium.PdfDocument(stamped)[0].render(scale=0.5).to_pil().convert("RGB")
    w, h = image.size
    assert w > h  # shown landscape

    def blue_pixels(box):
        crop = image.crop(box)
        return sum(1 for r, g, b in crop.getdata() if b > 80 and r < 60 and g < 80)

    assert blue_pixels((int(0.05 * w), int(0.05 * h), int(0.35 * w), int(0.2 * h))) > 30
    assert blue_pixels((int(0.5 * w), int(0.5 * h), w, h)) == 0


def test_stamp_refuses_a_field_off_the_document(original):
    with pytest.raises(InvalidInput, match="page 5"):
        stamp.stamp(original, [StampField(page=4, x=0, y=0, width=0.1, height=0.1, kind="text", text="x")])
    with pytest.raises(InvalidInput, match="not a PDF"):
        stamp.stamp(b"hello", [])


# --- verify on bad input --------------------------------------------------------------------------


def test_one_flipped_byte_anywhere_breaks_the_seal(firm, original):
    done = _finish(original)
    pems = _firm_pems()
    data = done.pdf
    start = data.index(b"/Contents <") + len(b"/Contents <")
    end = data.index(b">", start)
    positions = [0, 9, 200, len(data) // 4, len(data) // 2, 3 * len(data) // 4, len(data) - 30, len(data) - 3,
                 start + 10, (start + end) // 2, end - 2]
    for pos in positions:
        flipped = bytearray(data)
        flipped[pos] ^= 0x01
        report = verify.verify(bytes(flipped), trust_roots_pem=pems)
        assert not report.intact and not report.trusted, (pos, report.summary)
        assert report.summary.endswith(".") and len(report.summary) > 20


@pytest.mark.parametrize("data, sentence", [
    (b"", "The file is empty."),
    (b"PK\x03\x04 this is a zip", "This file is not a PDF."),
    (b"%PDF-1.7\n garbage garbage", "This PDF is damaged"),
])
def test_garbage_gets_a_sentence(data, sentence):
    report = verify.verify(data, trust_roots_pem=[])
    assert report.summary.startswith(sentence) and not report.intact and not report.trusted


def test_truncated_unsealed_and_foreign_files(firm, original):
    done = _finish(original)
    pems = _firm_pems()
    cut = verify.verify(done.pdf[: len(done.pdf) * 2 // 3], trust_roots_pem=pems)
    assert not cut.intact and cut.summary
    plain = verify.verify(original, trust_roots_pem=pems)
    assert "carries no seal" in plain.summary
    with read_session() as s:
        report = verify.verify(done.pdf, session=s)
    assert report.trusted and "with the certificate of My Firm." in report.summary

    # Sealed by someone else: another self-made certificate.
    cert, key = certificates.make_self_signed("Mallory Forgeries")
    material = certificates.KeyMaterial(cert=cert, key=key, chain=[], row=None)
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    forged = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(original)),
                              signers.PdfSignatureMetadata(field_name="Seal"),
                              signer=seal._signer_for(material)).getvalue()
    foreign = verify.verify(forged, trust_roots_pem=pems)
    assert foreign.intact and not foreign.trusted and not foreign.firm_certificate
    assert "Mallory Forgeries" in foreign.summary and "not with" in foreign.summary


def test_an_appended_change_after_sealing_is_reported(firm, original):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils import generic

    done = _finish(original)
    writer = IncrementalPdfFileWriter(io.BytesIO(done.pdf))
    info = writer.set_info(generic.DictionaryObject({generic.pdf_name("/Title"): generic.pdf_string("edited")}))
    del info
    out = io.BytesIO()
    writer.write(out)
    report = verify.verify(out.getvalue(), trust_roots_pem=_firm_pems())
    assert not report.intact and "changed after it was sealed" in report.summary


# --- uploaded certificate, new certificate --------------------------------------------------------


def _pkcs12(password: bytes | None, *, expired=False, with_key=True, cn="Park & Co CPAs (uploaded)",
            key_size=2048):
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = dt.datetime.now(dt.timezone.utc)
    start, end = (now - dt.timedelta(days=400), now - dt.timedelta(days=1)) if expired else \
        (now - dt.timedelta(days=1), now + dt.timedelta(days=365))
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    enc = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return pkcs12.serialize_key_and_certificates(b"seal", key if with_key else None, cert, None, enc), cert


def test_uploaded_pkcs12_seals_the_next_file(firm, original):
    data, cert = _pkcs12(b"s3cret")
    with write_session() as s:
        row = certificates.upload_pkcs12(s, firm["owner"], data, "s3cret")
        assert row.source == "uploaded" and certificates.current(s).id == row.id
        assert s.exec(select(AuditLog).where(AuditLog.entity == "certificate")).first() is not None
    done = _finish(original)
    report = verify.verify(done.pdf, trust_roots_pem=_firm_pems())
    assert report.trusted and report.certificate_fingerprint == certificates.fingerprint(cert)
    assert "Park & Co CPAs (uploaded)" in report.sealed_by


@pytest.mark.parametrize("kind, sentence", [
    ("password", "The password does not open this certificate file"),
    ("expired", "This certificate expired on"),
    ("no_key", "not its private key"),
    ("weak", "too short"),
    ("garbage", "not a PKCS#12 certificate"),
])
def test_bad_pkcs12_gets_a_sentence(firm, kind, sentence):
    if kind == "password":
        data, _ = _pkcs12(b"right")
        password = "wrong"
    elif kind == "expired":
        data, _ = _pkcs12(b"pw", expired=True)
        password = "pw"
    elif kind == "weak":
        data, _ = _pkcs12(b"pw", key_size=1024)
        password = "pw"
    elif kind == "no_key":
        data, _ = _pkcs12(b"pw", with_key=False)
        password = "pw"
    else:
        data, password = b"not a certificate at all", "pw"
    with write_session() as s, pytest.raises(InvalidInput, match=sentence):
        certificates.upload_pkcs12(s, firm["owner"], data, password)


def test_only_owner_or_admin_changes_the_certificate(firm):
    data, _ = _pkcs12(b"pw")
    with write_session() as s:
        with pytest.raises(PermissionDenied):
            certificates.upload_pkcs12(s, firm["bob"], data, "pw")
        with pytest.raises(PermissionDenied):
            certificates.regenerate(s, firm["bob"])


def test_new_certificate_keeps_old_files_valid(firm, original):
    old_file = _finish(original).pdf
    with write_session() as s:
        old = certificates.current(s).fingerprint_sha256
        new = certificates.regenerate(s, firm["owner"])
        assert new.fingerprint_sha256 != old
        assert len(s.exec(select(FirmCertificate)).all()) == 2
    new_file = _finish(original).pdf
    with read_session() as s:
        assert verify.verify(old_file, session=s).trusted
        report = verify.verify(new_file, session=s)
    assert report.trusted and report.certificate_fingerprint == new.fingerprint_sha256


# --- timestamps -----------------------------------------------------------------------------------


def test_timestamp_server_used_when_configured(firm, original):
    with local_tsa() as (url, hits, _ca_pem):
        with write_session() as s:
            consent.settings(s).tsa_url = url
        done = _finish(original)
        with write_session() as s:
            seal.check_timestamp_server(url)  # the settings page's test: no error
    assert hits, "the timestamp server was not asked"
    report = verify.verify(done.pdf, trust_roots_pem=_firm_pems())
    assert report.intact and report.trusted and report.timestamped, report.summary
    assert report.timestamp_by == "Test TSA"
    assert "from the timestamp server of Test TSA" in "\n".join(verify.describe(report))
    with pytest.raises(InvalidInput, match="could not be reached|did not answer"):
        seal.check_timestamp_server("http://127.0.0.1:9/tsa")


def test_no_timestamp_server_means_no_network(firm, original, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(seal, "timestamper_for", refuse)
    done = _finish(original)
    report = verify.verify(done.pdf, trust_roots_pem=_firm_pems())
    assert report.trusted and not report.timestamped


def test_a_failing_timestamp_server_still_seals_unless_required(firm, original):
    with write_session() as s:
        consent.settings(s).tsa_url = "http://127.0.0.1:9/tsa"
    done = _finish(original)
    assert verify.verify(done.pdf, trust_roots_pem=_firm_pems()).trusted
    with write_session() as s, pytest.raises(seal.TimestampFailed, match="did not give a timestamp"):
        seal.seal(s, original, reason="test", require_timestamp=True)


def test_isolated_verify_gives_the_same_answers(firm, original):
    import time

    from tests.factories.hostile_pdfs import flate_bomb

    done = _finish(original)
    flipped = bytearray(done.pdf)
    flipped[len(flipped) // 2] ^= 0x01
    with read_session() as s:
        start = time.perf_counter()
        good = verify.verify_isolated(s, done.pdf)
        took = time.perf_counter() - start
        bad = verify.verify_isolated(s, bytes(flipped))
        junk = verify.verify_isolated(s, b"not a pdf")
        bomb = verify.verify_isolated(s, flate_bomb())
    assert good.intact and good.trusted and good.firm_certificate and "the certificate of My Firm" in good.summary
    assert good.audit["signers"][1]["name"] == "Sam Hartley" and good.sealed_at is not None
    assert not bad.intact and "changed after it was sealed" in bad.summary
    assert junk.summary == "This file is not a PDF."
    assert not bomb.intact and bomb.summary.endswith(".")
    assert took < 10


def test_stamp_handles_pages_whatever_their_contents_look_like():
    """A blank page with no content, a direct content stream, and an array of streams all get the stamp."""
    from tests.factories.hostile_pdfs import build_pdf

    pdf = build_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>",
                     2: b"<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 /MediaBox [0 0 612 792] >>",
                     3: b"<< /Type /Page /Parent 2 0 R >>",
                     4: b"<< /Type /Page /Parent 2 0 R /Contents [6 0 R 6 0 R] /CropBox [10 10 400 500] >>",
                     5: b"<< /Type /Page /Parent 2 0 R /Contents 6 0 R /Rotate 180 >>",
                     6: b"<< /Length 9 >>\nstream\n0 0 1 rg\nendstream"})
    fields = [StampField(page=p, x=0.1, y=0.1, width=0.5, height=0.1, kind="text", text=f"Page {p + 1} value")
              for p in range(3)]
    stamped = stamp.stamp(pdf, fields)
    reader = PdfReader(io.BytesIO(stamped))
    for p in range(3):
        assert f"Page {p + 1} value" in reader.pages[p].extract_text()


def test_names_outside_the_standard_fonts_are_stamped_with_an_embedded_font(original):
    fields = [StampField(page=0, x=0.1, y=0.7, width=0.4, height=0.07, kind="signature", text="Łukasz Żółć"),
              StampField(page=0, x=0.1, y=0.8, width=0.4, height=0.04, kind="text", text="Дмитрий Ω"),
              StampField(page=0, x=0.6, y=0.8, width=0.1, height=0.05, kind="initials", text="ŁŻ")]
    stamped = stamp.stamp(original, fields)
    text = PdfReader(io.BytesIO(stamped)).pages[0].extract_text()
    for value in ("Łukasz Żółć", "Дмитрий Ω", "ŁŻ"):
        assert value in text, (value, text[-200:])


def test_an_original_certified_by_someone_else_is_stamped_and_sealed(firm, original):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import MDPPerm

    cert, key = certificates.make_self_signed("IRS e-file vendor")
    material = certificates.KeyMaterial(cert=cert, key=key, chain=[], row=None)
    certified = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(original)),
                                 signers.PdfSignatureMetadata(field_name="Vendor", certify=True,
                                                              docmdp_permissions=MDPPerm.FILL_FORMS),
                                 signer=seal._signer_for(material)).getvalue()
    done = _finish(certified)
    report = verify.verify(done.pdf, trust_roots_pem=_firm_pems())
    assert report.intact and report.trusted and report.firm_certificate, report.summary


def test_a_drawn_signature_keeps_the_shape_it_was_drawn_in():
    """The pad is three times wider than tall: a cross drawn corner to corner must stamp three times wider too."""
    import re

    blank = blank_pdf()
    cross = [[[0.0, 0.5], [1.0, 0.5]], [[0.5, 0.0], [0.5, 1.0]]]  # full width and full height of the pad
    field = stamp.StampField(page=0, x=0.1, y=0.1, width=0.8, height=0.5, kind="signature",
                               strokes=stamp_strokes(cross))
    stamped = PdfReader(io.BytesIO(stamp.stamp(blank, [field])))
    content = stamped.pages[0].get_contents().get_data().decode("latin-1")
    points = [(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+) (-?[\d.]+) [ml]\b", content)]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    assert (max(xs) - min(xs)) / (max(ys) - min(ys)) == pytest.approx(3.0, rel=0.02)


def test_a_change_sealed_by_a_look_alike_after_the_firms_seal_is_reported_as_breaking_it(firm, original,
                                                                                          monkeypatch):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.signers import pdf_signer

    # The forger's tool ignores the seal's "no changes" rule (pyHanko itself honours it).
    monkeypatch.setattr(pdf_signer.PdfSigner, "_enforce_certification_constraints", lambda self, r: None)

    done = _finish(original)
    cert, key = certificates.make_self_signed("My Firm")  # named like the firm, not the firm's certificate
    material = certificates.KeyMaterial(cert=cert, key=key, chain=[], row=None)
    forged = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(done.pdf)),
                              signers.PdfSignatureMetadata(field_name="Seal2"),
                              signer=seal._signer_for(material)).getvalue()
    with read_session() as s:
        report = verify.verify(forged, session=s)
    assert not report.intact and not report.trusted
    assert report.summary.startswith("This file was changed after My Firm sealed it on ")
    assert "sealed by My Firm, not by the firm" in report.summary
    assert "The firm's seal was broken by a later change" in report.problems[0]
    assert "do not rely on it" in "\n".join(verify.describe(report))

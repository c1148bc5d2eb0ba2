"""Signing for tests: signature requests with their fields, an audit trail and stamp fields for sealed files, a
throwaway CA and a local RFC 3161 timestamp server."""
from __future__ import annotations

import datetime as dt
import http.server
import io
import threading
from contextlib import contextmanager
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pypdf import PdfReader
from pypdf._codecs.core_font_metrics import CORE_FONT_METRICS  # the standard fonts' widths, as stamp.py reads them

from practice.services.signing import requests
from practice.services.signing.audit_page import AuditSigner, AuditTrail
from practice.services.signing.stamp import StampField

UTC = dt.timezone.utc


def signature_fields(signer_ids: list[int], *, page: int = 0, x: float = 0.1, top: float = 0.1, step: float = 0.2,
                     width: float = 0.5, height: float = 0.1) -> list[dict]:
    """One signature field per signer, stacked down the page from `top`, `step` apart."""
    return [{"signer_id": signer_id, "kind": "signature", "page": page, "x": x, "y": top + n * step,
             "width": width, "height": height} for n, signer_id in enumerate(signer_ids)]


def make_signature_request(session, actor, account_id: int, *, title: str, document_id: int,
                           signer_contact_ids: list[int], fields=signature_fields, send: bool = True, **options):
    """A signature request for these contacts to sign the document, its fields placed by `fields(signer_ids)`,
    sent unless send=False; `options` are create_request's (in_order, job_id, require_email_code...)."""
    request = requests.create_request(session, actor, account_id, title=title, document_id=document_id,
                                        signer_contact_ids=signer_contact_ids, **options)
    signer_ids = [signer.id for signer in requests.request_detail(session, actor, request.id).signers]
    requests.set_fields(session, actor, request.id, fields(signer_ids))
    if send:
        requests.send(session, actor, request.id)
    return request


def sample_trail(**overrides) -> AuditTrail:
    at = dt.datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    signers = [
        AuditSigner(name="June Hartley", email="june@hartley.example", login="june@hartley.example",
                    ip_address="203.0.113.7", user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)",
                    viewed_at=at, consented_at=at + dt.timedelta(minutes=1), signed_at=at + dt.timedelta(minutes=2),
                    identity_check="portal password + code sent by email", identity_result="code correct"),
        AuditSigner(name="Sam Hartley", email="sam@hartley.example", login="sam@hartley.example",
                    ip_address="198.51.100.23", user_agent="Mozilla/5.0 (Android 14)",
                    viewed_at=at + dt.timedelta(hours=1), consented_at=at + dt.timedelta(hours=1, minutes=1),
                    signed_at=at + dt.timedelta(hours=1, minutes=3), identity_check="portal password",
                    identity_result="signed in"),
    ]
    values = dict(title="Engagement letter 2026", reference="Signature request #12", firm_name="Park & Co CPAs",
                  account_name="Hartley Household", original_sha256="", signers=signers,
                  events=[(at - dt.timedelta(hours=1), "Olivia Park sent the request to June Hartley, Sam Hartley"),
                          (at + dt.timedelta(minutes=2), "June Hartley signed"),
                          (at + dt.timedelta(hours=1, minutes=3), "Sam Hartley signed")],
                  completed_at=at + dt.timedelta(hours=1, minutes=3))
    values.update(overrides)
    return AuditTrail(**values)


def sample_fields() -> list[StampField]:
    return [
        StampField(page=0, x=0.1, y=0.75, width=0.35, height=0.07, kind="signature",
                   strokes=[[(0.05, 0.8), (0.2, 0.1), (0.35, 0.9), (0.5, 0.2)], [(0.6, 0.5), (0.95, 0.45)]]),
        StampField(page=0, x=0.6, y=0.78, width=0.25, height=0.04, kind="date", text="November 27, 2026"),
        StampField(page=1, x=0.1, y=0.8, width=0.35, height=0.07, kind="signature", text="Sam Hartley"),
        StampField(page=1, x=0.6, y=0.8, width=0.08, height=0.05, kind="initials", text="SH"),
    ]


@dataclass
class PrintedText:
    """A piece of text as a page prints it: where it starts (its baseline) and how large, as fractions of the
    page from its top-left corner (as fields are placed), and its width by the font's metrics."""

    text: str
    x: float
    baseline: float
    size: float  # points
    width: float  # fraction of the page's width


def printed_texts(pdf: bytes, page: int = 0) -> list[PrintedText]:
    """The texts drawn on an unrotated page of `pdf`, with their positions (pypdf's visitor_text)."""
    reader = PdfReader(io.BytesIO(pdf))
    sheet = reader.pages[page]
    box = sheet.mediabox
    w, h = float(box.width), float(box.height)
    found: list[PrintedText] = []

    def visit(text, cm, tm, font, size):
        if not text.strip():
            return
        # Text space to page space: the text matrix, then the current transformation matrix.
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
        points = size * scale
        base = str((font or {}).get("/BaseFont", "/Helvetica")).lstrip("/")
        widths = CORE_FONT_METRICS.get(base)
        units = sum(widths.character_widths.get(ch, 556) for ch in text) if widths else 556 * len(text)
        found.append(PrintedText(text=text.strip(), x=(x - float(box.left)) / w,
                                 baseline=1 - (y - float(box.bottom)) / h, size=points,
                                 width=units * points / 1000 / w))

    sheet.extract_text(visitor_text=visit)
    return found


def make_ca_and_tsa():
    """A throwaway CA and a timestamping certificate it issued (keys and certs, cryptography objects)."""
    now = dt.datetime.now(UTC) - dt.timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA Root")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now)
          .not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # DummyTimeStamper is RSA-only
    tsa = (x509.CertificateBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")]))
           .issuer_name(ca_name).public_key(tsa_key.public_key()).serial_number(x509.random_serial_number())
           .not_valid_before(now).not_valid_after(now + dt.timedelta(days=30))
           .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
           .sign(ca_key, hashes.SHA256()))
    return ca, ca_key, tsa, tsa_key


@contextmanager
def local_tsa():
    """An RFC 3161 timestamp server on 127.0.0.1 (pyHanko's DummyTimeStamper); yields (url, hits list, ca PEM)."""
    # lazy: pyHanko and asn1crypto are heavy and only the timestamp tests need them
    from asn1crypto import keys as asn1_keys
    from asn1crypto import tsp
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    ca, _ca_key, tsa, tsa_key = make_ca_and_tsa()
    der = serialization.Encoding.DER
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(tsa.public_bytes(der)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(tsa_key.private_bytes(der, serialization.PrivateFormat.PKCS8,
                                                                     serialization.NoEncryption())),
        certs_to_embed=[asn1_x509.Certificate.load(ca.public_bytes(der))])
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            hits.append(self.path)
            reply = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa", hits, ca.public_bytes(serialization.Encoding.PEM).decode()
    finally:
        server.shutdown()
        server.server_close()

"""The audit page added to a signed file (who signed, from where, when, how they were identified, the
hashes) and the same trail as JSON, attached to the file."""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import json
import logging
from dataclasses import asdict, dataclass

from pypdf import PdfReader, PdfWriter

from practice.services.documents.html_pdf import render_pdf
from practice.services.signing.stamp import read_pdf

AUDIT_ATTACHMENT = "audit-trail.json"


@dataclass
class AuditSigner:
    """One signer as the audit page reports them."""

    name: str
    email: str
    login: str
    ip_address: str
    user_agent: str
    viewed_at: dt.datetime | None
    consented_at: dt.datetime | None
    signed_at: dt.datetime | None
    identity_check: str
    identity_result: str
    status: str = "signed"
    declined_at: dt.datetime | None = None
    decline_reason: str = ""


@dataclass
class AuditTrail:
    """Everything the audit page and the embedded audit JSON say about one signed document."""

    title: str
    reference: str
    firm_name: str
    account_name: str
    original_sha256: str
    signers: list[AuditSigner]
    events: list[tuple[dt.datetime, str]]
    completed_at: dt.datetime
    stamped_sha256: str = ""


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of `data` in hex, as the audit page and the records show it."""
    return hashlib.sha256(data).hexdigest()


def utc_text(value: dt.datetime | None) -> str:
    """A moment as the audit page prints it: "2026-03-01 14:05:09 UTC" (a dash for none)."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def pretty_time(value) -> str:
    """An ISO time from the audit JSON as the audit page prints it (UTC); other text unchanged."""
    try:
        return utc_text(dt.datetime.fromisoformat(str(value)))
    except (TypeError, ValueError):
        return str(value)


def iso_utc(value: dt.datetime | None) -> str | None:
    """A moment in UTC, ISO 8601, for the JSON copies of the trail and the verify report."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).isoformat()


def trail_to_json(trail: AuditTrail) -> dict:
    """The audit trail as plain JSON values (times in UTC, ISO 8601)."""
    data = asdict(trail)
    data["completed_at"] = iso_utc(trail.completed_at)
    data["events"] = [{"at": iso_utc(at), "what": what} for at, what in trail.events]
    data["signers"] = [{**asdict(s), **{k: iso_utc(getattr(s, k)) for k in
                                       ("viewed_at", "consented_at", "signed_at", "declined_at")}}
                       for s in trail.signers]
    data["format"] = "practice-audit-trail/1"
    return data


AUDIT_CSS = """
@page { size: Letter; margin: 16mm 15mm; @bottom-right { content: "Audit trail · page " counter(page);
  font-size: 7.5pt; color: #666; font-family: "DejaVu Sans", sans-serif; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 8.8pt; line-height: 1.35; color: #111; }
h1 { font-size: 15pt; margin: 0 0 2pt; } h2 { font-size: 11pt; margin: 12pt 0 4pt; }
.sub { color: #444; margin: 0 0 8pt; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 2.5pt 5pt; border-bottom: 0.5pt solid #ccc; vertical-align: top; }
th { width: 30%; font-weight: normal; color: #444; }
.hash { font-family: "DejaVu Sans Mono", monospace; font-size: 7.8pt; word-break: break-all; }
.signer { page-break-inside: avoid; margin-bottom: 8pt; }
.note { color: #444; font-size: 8pt; margin-top: 10pt; }
"""


def audit_html(trail: AuditTrail, stamped_sha256: str) -> str:
    """The audit page's HTML (escaped; nothing fetched)."""
    e = html.escape
    rows = [("Document", trail.title), ("Reference", trail.reference), ("Firm", trail.firm_name),
            ("Client", trail.account_name), ("Completed", utc_text(trail.completed_at))]
    parts = ["<h1>Signature audit trail</h1>",
             f"<p class='sub'>{e(trail.title)} · {e(trail.reference)}</p>", "<table>"]
    parts += [f"<tr><th>{e(k)}</th><td>{e(v or '—')}</td></tr>" for k, v in rows]
    parts += [f"<tr><th>SHA-256 of the original document</th><td class='hash'>{e(trail.original_sha256)}</td></tr>",
              f"<tr><th>SHA-256 of the signed pages</th><td class='hash'>{e(stamped_sha256)}</td></tr>",
              "</table>", "<h2>Signers</h2>"]
    for n, s in enumerate(trail.signers, 1):
        srows = [("Name", s.name), ("Email", s.email), ("Portal login", s.login), ("Status", s.status),
                 ("IP address", s.ip_address), ("Browser (user agent)", s.user_agent),
                 ("Viewed", utc_text(s.viewed_at)), ("Consented to sign electronically", utc_text(s.consented_at)),
                 ("Signed", utc_text(s.signed_at)), ("Identity check", s.identity_check),
                 ("Identity check result", s.identity_result)]
        if s.declined_at or s.decline_reason:
            srows += [("Declined", utc_text(s.declined_at)), ("Reason given", s.decline_reason)]
        parts.append(f"<div class='signer'><h2>Signer {n}: {e(s.name)}</h2><table>")
        parts += [f"<tr><th>{e(k)}</th><td>{e(v or '—')}</td></tr>" for k, v in srows]
        parts.append("</table></div>")
    parts.append("<h2>Timeline (UTC)</h2><table>")
    parts += [f"<tr><th>{e(utc_text(at))}</th><td>{e(what)}</td></tr>" for at, what in trail.events]
    parts.append("</table>")
    parts.append(
        "<p class='note'>This file is sealed with the firm's certificate (a PAdES digital signature). Any change "
        "to the file after sealing, even of one byte, breaks the seal. The SHA-256 of the sealed file itself "
        "cannot be printed inside it; the firm keeps it on record, and the firm's verify page computes it. "
        f"A machine-readable copy of this trail is attached to the file as {AUDIT_ATTACHMENT}.</p>")
    return "<html><body>" + "".join(parts) + "</body></html>"


def with_audit_page(stamped: bytes, trail: AuditTrail) -> bytes:
    """The stamped PDF with the audit page(s) appended and the audit trail attached as JSON."""
    stamped_sha = sha256_hex(stamped)
    if not trail.stamped_sha256:
        trail.stamped_sha256 = stamped_sha
    audit_pdf = render_pdf(audit_html(trail, trail.stamped_sha256), css=AUDIT_CSS)
    # pypdf warns that cloning makes more objects than the source's trailer counted: harmless here.
    writer_log = logging.getLogger("pypdf._writer")
    level = writer_log.level
    writer_log.setLevel(logging.ERROR)
    try:
        writer = PdfWriter(clone_from=read_pdf(stamped))
    finally:
        writer_log.setLevel(level)
    for page in PdfReader(io.BytesIO(audit_pdf)).pages:
        writer.add_page(page)
    writer.add_attachment(AUDIT_ATTACHMENT, json.dumps(trail_to_json(trail), indent=1).encode())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

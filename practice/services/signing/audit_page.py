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

from babel import dates as babel_dates

from practice import i18n
from practice.i18n import _
from practice.services.documents.html_pdf import render_pdf
from practice.services.signing.audit_words import identity_words, status_word
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


# A moment on the audit page in languages other than English ("15 avril 2027 à 14:05:09"), always in UTC.
UTC_PATTERNS = {"fr": "d MMMM y 'à' HH:mm:ss"}


def utc_text(value: dt.datetime | None) -> str:
    """A moment as the audit page prints it, in UTC: "2026-03-01 14:05:09 UTC", "1 mars 2026 à 14:05:09 UTC" in
    French (a dash for none)."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    value = value.astimezone(dt.timezone.utc)
    pattern = UTC_PATTERNS.get(i18n.current_locale())
    if pattern:
        return babel_dates.format_datetime(value, pattern, tzinfo=dt.timezone.utc, locale=i18n.babel_locale()) + " UTC"
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


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


def audit_css() -> str:
    """The audit page's style, its footer in the language of the moment."""
    footer = _("Audit trail · page").replace("\\", "").replace('"', "'")
    return AUDIT_CSS.replace("@page {", '@page { @bottom-right { content: "' + footer + ' " counter(page); '
                             'font-size: 7.5pt; color: #666; font-family: "DejaVu Sans", sans-serif; }', 1)


AUDIT_CSS = """
@page { size: Letter; margin: 16mm 15mm; }
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
    rows = [(_("Document"), trail.title), (_("Reference"), trail.reference), (_("Firm"), trail.firm_name),
            (_("Client"), trail.account_name), (_("Completed"), utc_text(trail.completed_at))]
    heading, signers, timeline = _("Signature audit trail"), _("Signers"), _("Timeline (UTC)")
    original, signed = _("SHA-256 of the original document"), _("SHA-256 of the signed pages")
    parts = [f"<h1>{e(heading)}</h1>",
             f"<p class='sub'>{e(trail.title)} · {e(trail.reference)}</p>", "<table>"]
    parts += [f"<tr><th>{e(k)}</th><td>{e(v or '—')}</td></tr>" for k, v in rows]
    parts += [f"<tr><th>{e(original)}</th><td class='hash'>{e(trail.original_sha256)}</td></tr>",
              f"<tr><th>{e(signed)}</th><td class='hash'>{e(stamped_sha256)}</td></tr>",
              "</table>", f"<h2>{e(signers)}</h2>"]
    for n, s in enumerate(trail.signers, 1):
        title = _("Signer {n}: {name}").format(n=n, name=s.name)
        parts.append(f"<div class='signer'><h2>{e(title)}</h2><table>")
        parts += [f"<tr><th>{e(k)}</th><td>{e(v or '—')}</td></tr>" for k, v in _signer_rows(s)]
        parts.append("</table></div>")
    parts.append(f"<h2>{e(timeline)}</h2><table>")
    parts += [f"<tr><th>{e(utc_text(at))}</th><td>{e(what)}</td></tr>" for at, what in trail.events]
    parts.append("</table>")
    parts.append("<p class='note'>" + e(_(
        "This file is sealed with the firm's certificate (a PAdES digital signature). Any change to the file after "
        "sealing, even of one byte, breaks the seal. The SHA-256 of the sealed file itself cannot be printed inside "
        "it; the firm keeps it on record, and the firm's verify page computes it. A machine-readable copy of this "
        "trail is attached to the file as {attachment}.").format(attachment=AUDIT_ATTACHMENT)) + "</p>")
    return "<html><body>" + "".join(parts) + "</body></html>"


def _signer_rows(s: AuditSigner) -> list[tuple[str, str]]:
    """One signer's lines on the audit page, in the language of the moment."""
    rows = [(_("Name"), s.name), (_("Email"), s.email), (_("Portal login"), s.login), (_("Status"), status_word(s.status)),
            (_("IP address"), s.ip_address), (_("Browser (user agent)"), s.user_agent),
            (_("Viewed"), utc_text(s.viewed_at)), (_("Consented to sign electronically"), utc_text(s.consented_at)),
            (_("Signed"), utc_text(s.signed_at)), (_("Identity check"), identity_words(s.identity_check)),
            (_("Identity check result"), identity_words(s.identity_result, pretty_time))]
    if s.declined_at or s.decline_reason:
        rows += [(_("Declined"), utc_text(s.declined_at)), (_("Reason given"), s.decline_reason)]
    return rows


def with_audit_page(stamped: bytes, trail: AuditTrail) -> bytes:
    """The stamped PDF with the audit page(s) appended and the audit trail attached as JSON."""
    from pypdf import PdfReader, PdfWriter  # noqa: PLC0415 - lazy: heavy library
    stamped_sha = sha256_hex(stamped)
    if not trail.stamped_sha256:
        trail.stamped_sha256 = stamped_sha
    audit_pdf = render_pdf(audit_html(trail, trail.stamped_sha256), css=audit_css())
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

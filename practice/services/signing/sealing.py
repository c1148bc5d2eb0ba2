"""The signed file: signatures stamped on the pages, an audit page, and the firm's PAdES seal over it all.

`finish` does the three steps in order; `verify` checks any file and never raises on bad input: a
damaged, changed, foreign or non-PDF file gets a plain sentence saying so.

Why a certification signature with "no changes allowed" (DocMDP P=1): any later edit of the file, even
one a PDF editor appends as an incremental update, then shows as a change to every validator.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import hashlib
import html
import io
import json
import logging
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from practice.services.errors import InvalidInput, PracticeError

if TYPE_CHECKING:  # sqlmodel stays out of the verify worker's start-up
    from sqlmodel import Session

log = logging.getLogger(__name__)
# A foreign or broken seal is an expected answer on the public verify page, not a server problem.
logging.getLogger("pyhanko.sign.validation").setLevel(logging.ERROR)

AUDIT_ATTACHMENT = "audit-trail.json"
SEAL_FIELD = "FirmSeal"
MAX_FIELDS = 500
MAX_POINTS = 50_000
INK = "0.05 0.12 0.45"  # dark blue, like a pen, so a stamped signature stands out from printed text


# --- what callers pass ----------------------------------------------------------------------------


@dataclass
class StampField:
    """Where and what to draw on the original PDF (fractions of the page as shown, top-left origin)."""

    page: int
    x: float
    y: float
    width: float
    height: float
    kind: str  # "signature" | "initials" | "date" | "text"
    text: str = ""
    strokes: list[list[tuple[float, float]]] | None = None


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


@dataclass
class Finished:
    """The sealed file and the hashes to record."""

    pdf: bytes
    stamped_sha256: str
    final_sha256: str


@dataclass
class VerifyReport:
    """What `verify` found, in plain words (summary) and as facts."""

    intact: bool
    trusted: bool
    summary: str
    sealed_by: str = ""
    sealed_at: dt.datetime | None = None
    timestamped: bool = False
    certificate_fingerprint: str = ""
    audit: dict | None = None
    problems: list[str] = field(default_factory=list)
    sha256: str = ""
    firm_certificate: bool = False  # sealed with one of the firm's own certificates
    reason: str = ""
    timestamp_by: str = ""  # the timestamp server's certificate holder, when the seal carries a timestamp


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _run(fn: Callable[[], Any]) -> Any:
    """Run pyHanko's sync API (it calls asyncio.run) even from inside a running event loop (Reflex)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn).result()


# --- stamping ---------------------------------------------------------------------------------------


def _metrics(font: str):
    try:
        from pypdf._codecs.core_font_metrics import CORE_FONT_METRICS  # noqa: PLC0415

        return CORE_FONT_METRICS[font].character_widths
    except Exception:  # noqa: BLE001 - a pypdf without the table: fall back to an average width
        return {}


_FONTS = {"/PrSans": "Helvetica", "/PrScript": "Times-Italic"}


def _text_width(text: str, font: str, size: float) -> float:
    widths = _metrics(_FONTS[font])
    default = widths.get("default", 556) if widths else 556
    return sum(widths.get(ch, default) for ch in text) * size / 1000


def _pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsi (what the standard fonts read); other characters become '?'."""
    clean = "".join(ch if ch.isprintable() else " " for ch in text)
    raw = clean.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _display_matrix(page) -> tuple[tuple[float, ...], float, float]:
    """The matrix from 'page as shown' coordinates (origin bottom-left) to user space, and the shown size."""
    box = page.cropbox
    x0, x1 = sorted((float(box.left), float(box.right)))
    y0, y1 = sorted((float(box.bottom), float(box.top)))
    w, h = x1 - x0, y1 - y0
    rotation = int(round((page.rotation or 0) / 90.0)) * 90 % 360
    if rotation == 90:
        return (0, 1, -1, 0, x0 + w, y0), h, w
    if rotation == 180:
        return (-1, 0, 0, -1, x0 + w, y0 + h), w, h
    if rotation == 270:
        return (0, -1, 1, 0, x0, y0 + h), h, w
    return (1, 0, 0, 1, x0, y0), w, h


def _num(v: float) -> str:
    return f"{v:.3f}".rstrip("0").rstrip(".") or "0"


def _clamp(v: Any) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if f != f else min(1.0, max(0.0, f))  # NaN -> 0


def _text_ops(text: str, font: str, left: float, bottom: float, w: float, h: float, *,
              max_size: float, centre: bool, colour: str) -> list[bytes]:
    text = " ".join(text.split())[:300]
    if not text:
        return []
    pad = min(2.0, w * 0.05)
    size = min(max_size, h * 0.7)
    width = _text_width(text, font, size)
    if width > w - 2 * pad and width > 0:
        size = max(3.0, size * (w - 2 * pad) / width)
        width = _text_width(text, font, size)
    tx = left + (w - width) / 2 if centre else left + pad
    ty = bottom + (h - size * 0.7) / 2
    return [f"{colour} rg BT {font} {_num(size)} Tf {_num(tx)} {_num(ty)} Td ".encode()
            + _pdf_string(text) + b" Tj ET"]


def _stroke_ops(strokes, left: float, bottom: float, w: float, h: float) -> list[bytes]:
    """Drawn strokes as vector paths, scaled (keeping their shape) to fit the field box."""
    pts_all = [(_clamp(p[0]), _clamp(p[1])) for s in strokes for p in s if len(p) >= 2]
    if not pts_all:
        return []
    min_x = min(p[0] for p in pts_all)
    max_x = max(p[0] for p in pts_all)
    min_y = min(p[1] for p in pts_all)
    max_y = max(p[1] for p in pts_all)
    span_x, span_y = max(max_x - min_x, 1e-6), max(max_y - min_y, 1e-6)
    pad = min(w, h) * 0.08
    scale = min((w - 2 * pad) / span_x, (h - 2 * pad) / span_y)
    off_x = left + pad + ((w - 2 * pad) - span_x * scale) / 2
    top = bottom + h - pad - ((h - 2 * pad) - span_y * scale) / 2
    line = max(0.6, min(2.2, h * 0.035))
    ops = [f"{INK} RG {_num(line)} w 1 J 1 j".encode()]
    for stroke in strokes:
        pts = [(_clamp(p[0]), _clamp(p[1])) for p in stroke if len(p) >= 2]
        if not pts:
            continue
        if len(pts) == 1:
            pts = pts * 2  # a dot: a zero-length line with round caps draws a point
        path = [f"{_num(off_x + (px - min_x) * scale)} {_num(top - (py - min_y) * scale)}" for px, py in pts]
        ops.append((path[0] + " m " + " ".join(p + " l" for p in path[1:]) + " S").encode())
    return ops


def _needs_unicode(f: StampField) -> bool:
    """A typed value the standard fonts cannot show (e.g. Łukasz, Ωmega, Дмитрий): drawn with an embedded font."""
    if f.strokes or not (f.text or "").strip():
        return False
    try:
        " ".join(f.text.split()).encode("cp1252")
        return False
    except UnicodeEncodeError:
        return True


def _field_box(f: StampField, page_w: float, page_h: float) -> tuple[float, float, float, float]:
    x, y = _clamp(f.x), _clamp(f.y)
    w = max(0.0, min(_clamp(f.width), 1.0 - x)) * page_w
    h = max(0.0, min(_clamp(f.height), 1.0 - y)) * page_h
    return x * page_w, page_h - y * page_h - h, w, h


def _unicode_xobject(writer, f: StampField, w: float, h: float):
    """The field's text laid out by WeasyPrint (DejaVu, embedded subset) as a Form XObject of the field's size."""
    from pypdf import PdfReader  # noqa: PLC0415
    from pypdf.generic import ArrayObject, DecodedStreamObject, FloatObject, NameObject  # noqa: PLC0415

    from practice.services.documents.html_pdf import render_pdf  # noqa: PLC0415

    kind = (f.kind or "").lower()
    script = kind in ("signature", "initials")
    text = " ".join(f.text.split())[:300]
    max_size = 28 if kind == "signature" else 22 if kind == "initials" else 11
    size = min(max_size, h * 0.7)
    # DejaVu runs about a tenth wider than the standard fonts whose widths _text_width knows.
    width = _text_width(text, "/PrScript" if script else "/PrSans", size) * 1.12
    pad = min(2.0, w * 0.05)
    if width > w - 2 * pad and width > 0:
        size = max(3.0, size * (w - 2 * pad) / width)
    style = (f"font-family: {'DejaVu Serif' if script else 'DejaVu Sans'}, serif; font-style: "
             f"{'italic' if script else 'normal'}; font-size: {size:.2f}pt; color: {'#0d1f73' if script else '#000'};"
             f" white-space: nowrap; overflow: hidden; height: {h:.2f}pt; line-height: {h:.2f}pt; "
             f"padding: 0 {pad:.2f}pt; text-align: {'center' if kind == 'initials' else 'left'}")
    css = f"@page {{ size: {w:.2f}pt {h:.2f}pt; margin: 0 }} html, body {{ margin: 0; padding: 0 }}"
    small = PdfReader(io.BytesIO(render_pdf(f"<div style='{style}'>{html.escape(text)}</div>", css=css))).pages[0]
    form = DecodedStreamObject()
    form.set_data(small.get_contents().get_data() if small.get_contents() is not None else b"")
    form = form.flate_encode()
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    box = small.mediabox
    form[NameObject("/BBox")] = ArrayObject([FloatObject(float(v)) for v in (box.left, box.bottom, box.right, box.top)])
    form[NameObject("/Resources")] = small["/Resources"].clone(writer)
    return writer._add_object(form)


def _field_ops(f: StampField, page_w: float, page_h: float, xobject: bytes | None = None) -> list[bytes]:
    left, bottom, w, h = _field_box(f, page_w, page_h)
    if w < 1 or h < 1:
        return []
    kind = (f.kind or "").lower()
    if kind not in ("signature", "initials", "date", "text"):
        raise InvalidInput(f'"{f.kind}" is not a kind of field; use signature, initials, date or text.', "kind")
    # Clip to the field box: nothing drawn leaks over the rest of the page.
    ops = [b"q", f"{_num(left)} {_num(bottom)} {_num(w)} {_num(h)} re W n".encode()]
    if xobject:
        ops.append(f"1 0 0 1 {_num(left)} {_num(bottom)} cm ".encode() + xobject + b" Do")
    elif kind in ("signature", "initials") and f.strokes:
        ops += _stroke_ops(f.strokes, left, bottom, w, h)
    elif kind in ("signature", "initials"):
        ops += _text_ops(f.text, "/PrScript", left, bottom, w, h, max_size=28 if kind == "signature" else 22,
                         centre=kind == "initials", colour=INK)
    elif kind in ("date", "text"):
        ops += _text_ops(f.text, "/PrSans", left, bottom, w, h, max_size=11, centre=False, colour="0 0 0")
    ops.append(b"Q")
    return ops


def _read_pdf(pdf: bytes):
    from pypdf import PdfReader  # noqa: PLC0415
    from pypdf.errors import PyPdfError  # noqa: PLC0415

    if not pdf or b"%PDF-" not in pdf[:1024]:
        raise InvalidInput("This file is not a PDF.", "file")
    try:
        reader = PdfReader(io.BytesIO(pdf), strict=False)
        if reader.is_encrypted:
            raise InvalidInput("This PDF is password-protected; upload a copy without a password.", "file")
        _ = len(reader.pages)
        return reader
    except InvalidInput:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
            AssertionError, OSError):
        raise InvalidInput("This PDF is damaged and cannot be read.", "file") from None


def _stream(data: bytes):
    from pypdf.generic import DecodedStreamObject  # noqa: PLC0415

    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream.flate_encode() if len(data) > 64 else stream


def _font_names(page, font_refs: dict) -> dict[str, bytes]:
    """Add the two standard fonts to the page's resources under names it does not use yet."""
    from pypdf.generic import DictionaryObject, NameObject  # noqa: PLC0415

    if "/Resources" not in page:
        page[NameObject("/Resources")] = DictionaryObject()
    resources = page["/Resources"].get_object()
    if "/Font" not in resources:
        resources[NameObject("/Font")] = DictionaryObject()
    fonts = resources["/Font"].get_object()
    names = {}
    for short, base in _FONTS.items():
        name, n = short + "Seal", 0
        while name in fonts and fonts.raw_get(name) != font_refs[base]:
            n += 1
            name = f"{short}Seal{n}"
        fonts[NameObject(name)] = font_refs[base]
        names[short] = name.encode()
    return names


def _drop_old_signatures(writer) -> None:
    """Remove signature values the original carried: once the pages change they no longer hold, and
    the firm's certification must be the file's first signature. Their fields (and look) stay."""
    root = writer.root_object
    if "/Perms" in root:
        del root["/Perms"]
    form = root.get("/AcroForm")
    if form is None:
        return
    todo, seen = list(form.get_object().get("/Fields") or []), 0
    while todo and seen < 10_000:
        seen += 1
        field = todo.pop().get_object()
        if not hasattr(field, "get"):
            continue
        todo.extend(field.get("/Kids") or [])
        if field.get("/FT") == "/Sig" and "/V" in field:
            del field["/V"]
            if "/Lock" in field:
                del field["/Lock"]


def _add_xobject(page, ref) -> bytes:
    """Name `ref` in the page's /XObject resources under a name the page does not use yet."""
    from pypdf.generic import DictionaryObject, NameObject  # noqa: PLC0415

    resources = page["/Resources"].get_object()
    if "/XObject" not in resources:
        resources[NameObject("/XObject")] = DictionaryObject()
    xobjects = resources["/XObject"].get_object()
    n = 0
    while f"/PrSealText{n}" in xobjects:
        n += 1
    xobjects[NameObject(f"/PrSealText{n}")] = ref
    return f"/PrSealText{n}".encode()


def _content_refs(writer, page) -> list:
    """The page's content streams as indirect references (a direct stream gets its own object)."""
    from pypdf.generic import ArrayObject, IndirectObject  # noqa: PLC0415

    if "/Contents" not in page:
        return []
    raw = page.raw_get("/Contents")
    value = raw.get_object()
    items = list(value) if isinstance(value, ArrayObject) else [raw]
    return [item if isinstance(item, IndirectObject) else writer._add_object(item) for item in items]


def stamp(pdf: bytes, fields: list[StampField]) -> bytes:
    """The PDF with each field drawn on its page: strokes as vector paths, typed values in standard fonts."""
    from pypdf import PdfWriter  # noqa: PLC0415
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject  # noqa: PLC0415

    if len(fields) > MAX_FIELDS:
        raise InvalidInput(f"A document can carry at most {MAX_FIELDS} fields.", "fields")
    if sum(len(s) for f in fields for s in (f.strokes or [])) > MAX_POINTS:
        raise InvalidInput("The drawn signature has too many points; draw it again more simply.", "signature")
    reader = _read_pdf(pdf)
    writer = PdfWriter(clone_from=reader)
    _drop_old_signatures(writer)
    by_page: dict[int, list[StampField]] = {}
    for f in fields:
        if not isinstance(f.page, int) or not 0 <= f.page < len(writer.pages):
            raise InvalidInput(f"A field is on page {f.page + 1 if isinstance(f.page, int) else f.page}, "
                               f"but the document has {len(writer.pages)} page(s).", "page")
        by_page.setdefault(f.page, []).append(f)

    def font(base: str) -> DictionaryObject:
        return DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                                 NameObject("/BaseFont"): NameObject("/" + base),
                                 NameObject("/Encoding"): NameObject("/WinAnsiEncoding")})

    font_refs = {base: writer._add_object(font(base)) for base in _FONTS.values()}
    push = writer._add_object(_stream(b"q\n"))
    for index, page_fields in sorted(by_page.items()):
        page = writer.pages[index]
        matrix, shown_w, shown_h = _display_matrix(page)
        ops = [b"Q q " + " ".join(_num(v) for v in matrix).encode() + b" cm"]
        names = _font_names(page, font_refs)
        for f in page_fields:
            xobject = None
            if _needs_unicode(f):
                _, _, w, h = _field_box(f, shown_w, shown_h)
                if w >= 1 and h >= 1:
                    xobject = _add_xobject(page, _unicode_xobject(writer, f, w, h))
            ops += [op.replace(b"/PrSans ", names["/PrSans"] + b" ").replace(b"/PrScript ", names["/PrScript"] + b" ")
                    for op in _field_ops(f, shown_w, shown_h, xobject)]
        ops.append(b"Q")
        # The page's own streams stay as they are (still compressed), wrapped in q/Q so a graphics state
        # they leave behind cannot move or recolour what is drawn after them.
        existing = _content_refs(writer, page)
        overlay = writer._add_object(_stream(b"\n" + b"\n".join(ops) + b"\n"))
        page[NameObject("/Contents")] = ArrayObject([push, *existing, overlay])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- the audit page ---------------------------------------------------------------------------------


def _utc(value: dt.datetime | None) -> str:
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def pretty_time(value) -> str:
    """An ISO time from the audit JSON as the audit page prints it (UTC); other text unchanged."""
    try:
        return _utc(dt.datetime.fromisoformat(str(value)))
    except (TypeError, ValueError):
        return str(value)


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).isoformat()


def trail_to_json(trail: AuditTrail) -> dict:
    """The audit trail as plain JSON values (times in UTC, ISO 8601)."""
    data = asdict(trail)
    data["completed_at"] = _iso(trail.completed_at)
    data["events"] = [{"at": _iso(at), "what": what} for at, what in trail.events]
    data["signers"] = [{**asdict(s), **{k: _iso(getattr(s, k)) for k in
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
            ("Client", trail.account_name), ("Completed", _utc(trail.completed_at))]
    parts = ["<h1>Signature audit trail</h1>",
             f"<p class='sub'>{e(trail.title)} · {e(trail.reference)}</p>", "<table>"]
    parts += [f"<tr><th>{e(k)}</th><td>{e(v or '—')}</td></tr>" for k, v in rows]
    parts += [f"<tr><th>SHA-256 of the original document</th><td class='hash'>{e(trail.original_sha256)}</td></tr>",
              f"<tr><th>SHA-256 of the signed pages</th><td class='hash'>{e(stamped_sha256)}</td></tr>",
              "</table>", "<h2>Signers</h2>"]
    for n, s in enumerate(trail.signers, 1):
        srows = [("Name", s.name), ("Email", s.email), ("Portal login", s.login), ("Status", s.status),
                 ("IP address", s.ip_address), ("Browser (user agent)", s.user_agent),
                 ("Viewed", _utc(s.viewed_at)), ("Consented to sign electronically", _utc(s.consented_at)),
                 ("Signed", _utc(s.signed_at)), ("Identity check", s.identity_check),
                 ("Identity check result", s.identity_result)]
        if s.declined_at or s.decline_reason:
            srows += [("Declined", _utc(s.declined_at)), ("Reason given", s.decline_reason)]
        parts.append(f"<div class='signer'><h2>Signer {n}: {e(s.name)}</h2><table>")
        parts += [f"<tr><th>{e(k)}</th><td>{e(v or '—')}</td></tr>" for k, v in srows]
        parts.append("</table></div>")
    parts.append("<h2>Timeline (UTC)</h2><table>")
    parts += [f"<tr><th>{e(_utc(at))}</th><td>{e(what)}</td></tr>" for at, what in trail.events]
    parts.append("</table>")
    parts.append(
        "<p class='note'>This file is sealed with the firm's certificate (a PAdES digital signature). Any change "
        "to the file after sealing, even of one byte, breaks the seal. The SHA-256 of the sealed file itself "
        "cannot be printed inside it; the firm keeps it on record, and the firm's verify page computes it. "
        f"A machine-readable copy of this trail is attached to the file as {AUDIT_ATTACHMENT}.</p>")
    return "<html><body>" + "".join(parts) + "</body></html>"


def with_audit_page(stamped: bytes, trail: AuditTrail) -> bytes:
    """The stamped PDF with the audit page(s) appended and the audit trail attached as JSON."""
    from pypdf import PdfReader, PdfWriter  # noqa: PLC0415

    from practice.services.documents.html_pdf import render_pdf  # noqa: PLC0415

    stamped_sha = sha256_hex(stamped)
    if not trail.stamped_sha256:
        trail.stamped_sha256 = stamped_sha
    audit_pdf = render_pdf(audit_html(trail, trail.stamped_sha256), css=AUDIT_CSS)
    # pypdf warns that cloning makes more objects than the source's trailer counted: harmless here.
    writer_log = logging.getLogger("pypdf._writer")
    level = writer_log.level
    writer_log.setLevel(logging.ERROR)
    try:
        writer = PdfWriter(clone_from=_read_pdf(stamped))
    finally:
        writer_log.setLevel(level)
    for page in PdfReader(io.BytesIO(audit_pdf)).pages:
        writer.add_page(page)
    writer.add_attachment(AUDIT_ATTACHMENT, json.dumps(trail_to_json(trail), indent=1).encode())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- sealing ----------------------------------------------------------------------------------------


class TimestampFailed(PracticeError):
    """The firm's timestamp server did not give a timestamp."""


def _signer_for(material):
    from asn1crypto import keys as asn1_keys  # noqa: PLC0415
    from asn1crypto import x509 as asn1_x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415
    from pyhanko_certvalidator.registry import SimpleCertificateStore  # noqa: PLC0415
    from pyhanko.sign.signers import SimpleSigner  # noqa: PLC0415

    der = serialization.Encoding.DER
    cert = asn1_x509.Certificate.load(material.cert.public_bytes(der))
    key = asn1_keys.PrivateKeyInfo.load(material.key.private_bytes(
        der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    chain = [asn1_x509.Certificate.load(c.public_bytes(der)) for c in material.chain]
    return SimpleSigner(signing_cert=cert, signing_key=key,
                        cert_registry=SimpleCertificateStore.from_certs([cert, *chain]))


def timestamper_for(url: str):
    """An RFC 3161 client for the firm's timestamp server."""
    from pyhanko.sign.timestamps import HTTPTimeStamper  # noqa: PLC0415

    return HTTPTimeStamper(url, timeout=10)


def seal(session: Session, pdf: bytes, *, reason: str, require_timestamp: bool = False) -> bytes:
    """The PDF sealed (PAdES, certification, no changes allowed) with the firm's current certificate.

    With a timestamp server configured the seal carries its timestamp; when that server fails, the file
    is sealed without one (and a warning logged) unless `require_timestamp`, which raises TimestampFailed.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: PLC0415
    from pyhanko.sign import signers  # noqa: PLC0415
    from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter  # noqa: PLC0415

    from practice.services.signing import certificates, consent  # noqa: PLC0415
    from practice.services.firm import get_firm  # noqa: PLC0415

    material = certificates.load_key_material(certificates.ensure_certificate(session))
    signer = _signer_for(material)
    tsa_url = (consent.settings(session).tsa_url or "").strip()
    firm_name = get_firm(session).name

    def sign(timestamper):
        meta = signers.PdfSignatureMetadata(
            field_name=SEAL_FIELD, reason=(reason or "Sealed")[:500], name=firm_name[:200], md_algorithm="sha256",
            certify=True, docmdp_permissions=MDPPerm.NO_CHANGES, subfilter=SigSeedSubFilter.PADES)
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        return signers.sign_pdf(writer, meta, signer=signer, timestamper=timestamper).getvalue()

    if not tsa_url:
        return _run(lambda: sign(None))
    try:
        return _run(lambda: sign(timestamper_for(tsa_url)))
    except Exception as exc:  # noqa: BLE001 - any network or server failure is the same for the firm
        if require_timestamp:
            raise TimestampFailed(f"The timestamp server {tsa_url} did not give a timestamp ({_short(exc)}); "
                                  "check the address in Settings → Signing, or clear it.") from None
        log.warning("timestamp server %s failed (%s); sealing without a timestamp", tsa_url, exc)
        return _run(lambda: sign(None))


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:160]


def check_timestamp_server(url: str) -> None:
    """Ask the server for one timestamp; raises InvalidInput with a sentence when it gives none."""
    url = (url or "").strip()
    if not url.startswith(("http://", "https://")):
        raise InvalidInput("The timestamp server address must start with http:// or https://.", "tsa_url")
    from pyhanko.sign.timestamps import TimestampRequestError  # noqa: PLC0415

    stamper = timestamper_for(url)
    try:
        _run(lambda: asyncio.run(stamper.async_dummy_response("sha256")))
    except TimestampRequestError as exc:
        raise InvalidInput(f"{url} did not answer as a timestamp server ({_short(exc)}).", "tsa_url") from None
    except Exception as exc:  # noqa: BLE001
        raise InvalidInput(f"{url} could not be reached ({_short(exc)}).", "tsa_url") from None


def finish(session: Session, original: bytes, fields: list[StampField], trail: AuditTrail) -> Finished:
    """Stamp the fields, append the audit page, seal: the file to store and the hashes to record."""
    if not trail.original_sha256:
        trail.original_sha256 = sha256_hex(original)
    stamped = stamp(original, fields)
    trail.stamped_sha256 = sha256_hex(stamped)
    sealed = seal(session, with_audit_page(stamped, trail),
                  reason=f"Signed electronically: {trail.title} ({trail.reference})")
    return Finished(pdf=sealed, stamped_sha256=trail.stamped_sha256, final_sha256=sha256_hex(sealed))


# --- verifying --------------------------------------------------------------------------------------


def _fingerprint_der(der: bytes) -> str:
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def _who(cert) -> str:
    """A certificate subject as a person reads it: organisation or common name."""
    try:
        native = cert.subject.native
        org, cn = native.get("organization_name"), native.get("common_name")
        if isinstance(org, list):
            org = org[0]
        if isinstance(cn, list):
            cn = cn[0]
        # The organisation reads best ("Park & Lee CPAs"); a certificate without one names its holder.
        return org or cn or cert.subject.human_friendly
    except Exception:  # noqa: BLE001
        return "an unnamed certificate"


def _padding_ok(embedded) -> bool:
    """The seal's /Contents holds the signature then only zero bytes (bytes there are not hashed)."""
    from asn1crypto import cms  # noqa: PLC0415

    raw = embedded.pkcs7_content
    used = len(cms.ContentInfo.load(raw).dump())
    return not raw[used:].strip(b"\x00")


def _load_roots(pems: list[str]) -> list:
    from asn1crypto import pem as asn1_pem  # noqa: PLC0415
    from asn1crypto import x509 as asn1_x509  # noqa: PLC0415

    roots = []
    for text in pems:
        data = text.encode() if isinstance(text, str) else text
        if asn1_pem.detect(data):
            for _, _, der in asn1_pem.unarmor(data, multiple=True):
                roots.append(asn1_x509.Certificate.load(der))
        else:
            roots.append(asn1_x509.Certificate.load(data))
    return roots


def _audit_from(pdf: bytes) -> dict | None:
    try:
        from pypdf import PdfReader  # noqa: PLC0415

        files = PdfReader(io.BytesIO(pdf), strict=False).attachments
        data = files.get(AUDIT_ATTACHMENT)
        if not data:
            return None
        value = json.loads(data[0])
        return value if isinstance(value, dict) else None
    except Exception:  # noqa: BLE001 - a damaged attachment simply means no trail to show
        return None


def _when(value: dt.datetime | None) -> str:
    return _utc(value) if value else "an unknown time"


def verify(pdf: bytes, *, trust_roots_pem: list[str] | None = None, session: Session | None = None,
           firm_name: str = "") -> VerifyReport:
    """Check a file's seal; never raises on bad input.

    Trust: the given certificates, else (with a session) every certificate the firm ever sealed with.
    """
    try:
        return _verify(pdf, trust_roots_pem=trust_roots_pem, session=session, firm_name=firm_name)
    except Exception:  # noqa: BLE001 - the promise is a sentence, whatever the file holds
        log.exception("verify failed unexpectedly")
        return VerifyReport(intact=False, trusted=False, sha256=sha256_hex(pdf or b""),
                            summary="This file could not be checked: it is damaged or not a sealed PDF.",
                            problems=["unexpected error while checking"])


def _verify(pdf: bytes, *, trust_roots_pem: list[str] | None, session: Session | None,
            firm_name: str) -> VerifyReport:
    from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: PLC0415
    from pyhanko.sign.validation import validate_pdf_signature  # noqa: PLC0415
    from pyhanko.sign.validation.status import SignatureCoverageLevel  # noqa: PLC0415
    from pyhanko_certvalidator import ValidationContext  # noqa: PLC0415

    pdf = bytes(pdf or b"")
    digest = sha256_hex(pdf)

    def fail(summary: str, *problems: str, **kw) -> VerifyReport:
        return VerifyReport(intact=False, trusted=False, summary=summary, problems=list(problems or [summary]),
                            sha256=digest, **kw)

    if not pdf:
        return fail("The file is empty.")
    if b"%PDF-" not in pdf[:1024]:
        return fail("This file is not a PDF.")
    pems = list(trust_roots_pem or [])
    if trust_roots_pem is None and session is not None:
        from sqlmodel import select  # noqa: PLC0415

        from practice.models import Firm  # noqa: PLC0415
        from practice.services.signing import certificates  # noqa: PLC0415

        pems = [row.cert_pem for row in certificates.all_certificates(session)]
        firm = session.exec(select(Firm)).first()  # read only: verify never writes
        firm_name = firm.name if firm else "the firm"
    try:
        roots = _load_roots(pems)
    except Exception:  # noqa: BLE001
        return fail("The certificate given to check against cannot be read; give a PEM or DER certificate file.")
    root_prints = {_fingerprint_der(r.dump()) for r in roots}
    whose = f"the certificate of {firm_name}" if firm_name else "the certificate you trust"

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        sigs = reader.embedded_signatures
    except Exception:  # noqa: BLE001
        return fail("This PDF is damaged and cannot be read: it may have been cut short or changed.")
    if not sigs:
        return fail("This PDF carries no seal, so nothing shows who made it or that it is unchanged.")
    embedded = sigs[-1]
    try:
        signer_cert = embedded.signer_cert
        sealed_by = _who(signer_cert)
        cert_print = _fingerprint_der(signer_cert.dump())
    except Exception:  # noqa: BLE001
        return fail("The seal in this file is damaged: it names no readable certificate.")
    facts = {"sealed_by": sealed_by, "certificate_fingerprint": cert_print}
    try:
        reason = str(embedded.sig_object.get("/Reason", ""))
    except Exception:  # noqa: BLE001
        reason = ""

    context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    try:
        status = _run(lambda: validate_pdf_signature(embedded, context))
    except Exception:  # noqa: BLE001 - pyHanko raises many kinds on a broken seal
        return fail(f"The seal in this file does not check out: the file or its seal was changed after "
                    f"{sealed_by} sealed it.", **facts)
    ts = status.timestamp_validity
    timestamped = bool(ts is not None and ts.intact and ts.valid)
    sealed_at = ts.timestamp if timestamped else status.signer_reported_dt
    timestamp_by = _who(ts.signing_cert) if timestamped else ""
    problems: list[str] = []
    if not status.intact:
        problems.append("The contents no longer match the seal: the file was changed after it was sealed.")
    elif not status.valid:
        problems.append("The seal's signature does not match its certificate: the seal was tampered with.")
    if status.intact and status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        problems.append("Something was added to the file after it was sealed.")
        if status.docmdp_ok is False:
            problems.append("The seal allows no changes, so the addition breaks it.")
    try:
        if status.intact and not _padding_ok(embedded):
            problems.append("The seal's reserved space was altered after sealing.")
    except Exception:  # noqa: BLE001
        problems.append("The seal's data cannot be read.")
    if ts is not None and not timestamped:
        problems.append("The timestamp in the seal does not check out.")
    intact = not problems
    firm_cert = cert_print in root_prints
    trusted = intact and (firm_cert or bool(status.trusted))
    audit = _audit_from(pdf)
    when = _when(sealed_at)
    if not intact:
        summary = (f"This file was changed after it was sealed: it is not the file {sealed_by} sealed on {when}. "
                   + problems[0])
    elif trusted:
        summary = (f"This file is intact: it is exactly as {sealed_by} sealed it on {when}"
                   + (", with " + whose + "." if roots else "."))
    elif not roots:
        summary = (f"This file is unchanged since {sealed_by} sealed it on {when}, but there is no certificate "
                   "to check the seal against, so who sealed it cannot be confirmed.")
        problems.append("No trusted certificate was given.")
    else:
        summary = (f"This file is unchanged since it was sealed on {when}, but it was sealed by {sealed_by}, "
                   f"not with {whose}.")
        problems.append("The seal was made with a certificate that is not trusted here.")
    return VerifyReport(intact=intact, trusted=trusted, summary=summary, sealed_at=sealed_at,
                        timestamped=timestamped, audit=audit, problems=problems, sha256=digest,
                        firm_certificate=firm_cert, reason=reason, timestamp_by=timestamp_by, **facts)


def describe(report: VerifyReport) -> list[str]:
    """The report as plain lines for a terminal or an email: the verdict first, then the facts."""
    lines = [report.summary, ""]
    if report.sha256:
        lines.append(f"SHA-256 of this file: {report.sha256}")
    if report.sealed_by:
        lines.append(f"Sealed by: {report.sealed_by}")
    if report.sealed_at:
        source = (f"from the timestamp server of {report.timestamp_by}" if report.timestamped
                  else "as the sealing computer's clock said")
        lines.append(f"Sealed at: {_utc(report.sealed_at)} ({source})")
    if report.certificate_fingerprint:
        lines.append(f"Certificate fingerprint (SHA-256): {report.certificate_fingerprint}")
        lines.append("The firm's own certificate: " + ("yes" if report.firm_certificate else "no"))
    if report.reason:
        lines.append(f"Reason given in the seal: {report.reason}")
    if report.problems and not (len(report.problems) == 1 and report.problems[0] == report.summary):
        lines += ["", "Problems:"] + [f"  - {p}" for p in report.problems]
    audit = report.audit
    if audit:
        lines += ["", "Audit trail (attached to the file" + ("" if report.intact else "; the file was changed, so "
                                                              "do not rely on it") + "):"]
        for label, key in (("Document", "title"), ("Reference", "reference"), ("Firm", "firm_name"),
                           ("Client", "account_name"), ("Completed", "completed_at"),
                           ("SHA-256 of the original", "original_sha256"),
                           ("SHA-256 of the signed pages", "stamped_sha256")):
            if audit.get(key):
                value = pretty_time(audit[key]) if key.endswith("_at") else audit[key]
                lines.append(f"  {label}: {value}")
        for n, s in enumerate(audit.get("signers") or [], 1):
            if not isinstance(s, dict):
                continue
            lines.append(f"  Signer {n}: {s.get('name', '')} <{s.get('email', '')}>, {s.get('status', '')}")
            for label, key in (("viewed", "viewed_at"), ("consented", "consented_at"), ("signed", "signed_at"),
                               ("declined", "declined_at"), ("IP address", "ip_address"),
                               ("browser", "user_agent"), ("identity check", "identity_check"),
                               ("result", "identity_result"), ("reason", "decline_reason")):
                if s.get(key):
                    lines.append(f"    {label}: {pretty_time(s[key]) if key.endswith('_at') else s[key]}")
        events = [e for e in audit.get("events") or [] if isinstance(e, dict)]
        if events:
            lines.append("  Timeline:")
            lines += [f"    {pretty_time(e.get('at', ''))}  {e.get('what', '')}" for e in events]
    return lines


def on_record(session: Session, sha256: str) -> str:
    """Whether the firm keeps this exact file as a finished signature request or signed proposal, in words."""
    from sqlmodel import select  # noqa: PLC0415

    from practice.models import Proposal, SignatureRequest  # noqa: PLC0415

    sha256 = (sha256 or "").lower()
    if len(sha256) != 64:
        return ""
    request = session.exec(select(SignatureRequest).where(SignatureRequest.final_sha256 == sha256)).first()
    if request is not None:
        return (f"Yes: this exact file is the firm's signed copy of signature request #{request.id}"
                + (f", completed {_utc(request.completed_at)}." if request.completed_at else "."))
    proposal = session.exec(select(Proposal).where(Proposal.final_sha256 == sha256)).first()
    if proposal is not None:
        return (f"Yes: this exact file is the firm's signed copy of proposal #{proposal.id}"
                + (f", signed {_utc(proposal.signed_at)}." if proposal.signed_at else "."))
    return "No: the firm has no signed file with exactly these contents on record."


# --- verifying a stranger's file in a limited process ---------------------------------------------

VERIFY_CPU_SECONDS = 10
VERIFY_MEMORY_BYTES = 1024 * 1024 * 1024
VERIFY_WALL_SECONDS = 20


def report_to_json(report: VerifyReport) -> dict:
    data = asdict(report)
    data["sealed_at"] = _iso(report.sealed_at)
    return data


def report_from_json(data: dict) -> VerifyReport:
    known = {f for f in VerifyReport.__dataclass_fields__}
    values = {k: v for k, v in data.items() if k in known}
    if values.get("sealed_at"):
        values["sealed_at"] = dt.datetime.fromisoformat(values["sealed_at"])
    return VerifyReport(**values)


def verify_isolated(session: Session, pdf: bytes) -> VerifyReport:
    """`verify` against the firm's certificates, run in a child process with CPU, memory and time limits.

    For files from anyone (the public verify page): a hostile PDF costs at most the limits.
    """
    import os  # noqa: PLC0415
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    from sqlmodel import select  # noqa: PLC0415

    from practice.config import ROOT  # noqa: PLC0415
    from practice.models import Firm  # noqa: PLC0415
    from practice.services.signing import certificates  # noqa: PLC0415
    from practice.services.documents.pdf_check import _kill, _slots  # noqa: PLC0415

    digest = sha256_hex(pdf)

    def refused(reason: str) -> VerifyReport:
        return VerifyReport(intact=False, trusted=False, sha256=digest, problems=[reason],
                            summary=f"This file could not be checked safely: {reason}.")

    roots = [row.cert_pem for row in certificates.all_certificates(session)]
    firm = session.exec(select(Firm)).first()
    request = {"roots": roots, "firm_name": firm.name if firm else "the firm"}
    if not _slots.acquire(timeout=VERIFY_WALL_SECONDS):
        return refused("the server is busy checking other files; try again in a minute")
    try:
        with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
            tmp.write(pdf)
            tmp.flush()
            request["path"] = tmp.name
            env = {"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(ROOT),
                   "PYTHONHASHSEED": "0", "PRACTICE_DATA_DIR": tempfile.gettempdir()}
            cmd = [sys.executable, "-m", "practice.services.signing.verify_worker", str(VERIFY_CPU_SECONDS),
                   str(VERIFY_MEMORY_BYTES)]
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    env=env, cwd=str(ROOT), start_new_session=True)
            try:
                out, _ = proc.communicate(json.dumps(request).encode(), timeout=VERIFY_WALL_SECONDS)
            except subprocess.TimeoutExpired:
                _kill(proc)
                return refused(f"checking it took longer than {VERIFY_WALL_SECONDS} seconds")
    finally:
        _slots.release()
    if proc.returncode != 0 or not out.strip():
        return refused("checking it needed more memory or time than allowed")
    try:
        return report_from_json(json.loads(out.decode("utf-8", "replace").strip().splitlines()[-1]))
    except (ValueError, IndexError, TypeError):
        return refused("the checker gave no answer")

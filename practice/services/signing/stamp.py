"""Fields drawn on the pages of a PDF: drawn signatures as vector strokes, typed values in standard fonts
(or, for characters those fonts lack, text laid out by WeasyPrint and embedded as a form)."""
from __future__ import annotations

import html
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from practice.services.documents.html_pdf import render_pdf
from practice.services.errors import InvalidInput
from practice.i18n import _, ngettext

if TYPE_CHECKING:
    from pypdf import PdfReader

MAX_FIELDS = 500
MAX_POINTS = 50_000
INK = "0.05 0.12 0.45"  # dark blue, like a pen, so a stamped signature stands out from printed text
# The portal's signature pad is three times wider than tall and sends x and y as fractions of its width
# and height: y is divided by this before stamping so the drawing keeps its shape (the stamp scales both
# axes alike).
PAD_ASPECT = 3.0
# The largest font size (points) of a typed value by kind of field, and the smallest still readable: a text
# that fits only below it is refused before sending (staff) or signing (the signer's own text).
MAX_SIZES = {"signature": 28.0, "initials": 22.0, "date": 11.0, "text": 11.0}
MIN_TEXT_SIZE = 6.0


def stamp_strokes(strokes: list) -> list[list[tuple[float, float]]]:
    """The pad's strokes in the proportions they were drawn in (see PAD_ASPECT), for `stamp`."""
    return [[(p[0], p[1] / PAD_ASPECT) for p in line] for line in strokes]


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


def _metrics(font: str):
    try:  # the standard fonts' widths: a private table of pypdf, so a pypdf without it falls back to an average
        from pypdf._codecs.core_font_metrics import CORE_FONT_METRICS  # noqa: PLC0415 - lazy: heavy library
        return CORE_FONT_METRICS[font].character_widths
    except Exception:  # noqa: BLE001 - a pypdf without the table: fall back to an average width
        return {}


_FONTS = {"/PrSans": "Helvetica", "/PrScript": "Times-Italic"}


def _text_width(text: str, font: str, size: float) -> float:
    widths = _metrics(_FONTS[font])
    default = widths.get("default", 556) if widths else 556
    return sum(widths.get(ch, default) for ch in text) * size / 1000


def _pad(w: float) -> float:
    """The room kept free at each end of a typed value in a box `w` points wide."""
    return min(2.0, w * 0.05)


def text_size(kind: str, text: str, w: float, h: float) -> float:
    """The font size (points) `text` is stamped at in a field of this kind, `w` x `h` points: the kind's size,
    smaller when the box is too low or too narrow for it, so the text is never cut (it may then be smaller
    than MIN_TEXT_SIZE: `fits` says whether it is readable)."""
    text = " ".join(str(text or "").split())[:300]
    size = min(MAX_SIZES.get(kind, MAX_SIZES["text"]), h * 0.7)
    if not text or size <= 0:
        return max(size, 0.0)
    font = "/PrScript" if kind in ("signature", "initials") else "/PrSans"
    # Characters the standard fonts lack are drawn in DejaVu, which runs about a tenth wider.
    widen = 1.0 if _encodable(text) else 1.12
    width = _text_width(text, font, size) * widen
    room = w - 2 * _pad(w)
    if width > room > 0:
        size = size * room / width
    return max(0.0, size) if room > 0 else 0.0


def fits(kind: str, text: str, w: float, h: float) -> bool:
    """Whether `text` can be stamped in the field at a readable size (at least MIN_TEXT_SIZE)."""
    return text_size(kind, text, w, h) >= MIN_TEXT_SIZE - 1e-9


def _encodable(text: str) -> bool:
    try:
        text.encode("cp1252")
        return True
    except UnicodeEncodeError:
        return False


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
              kind: str, centre: bool, colour: str) -> list[bytes]:
    text = " ".join(text.split())[:300]
    if not text:
        return []
    pad = _pad(w)
    size = text_size(kind, text, w, h)
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
    return not _encodable(" ".join(f.text.split()))


def _field_box(f: StampField, page_w: float, page_h: float) -> tuple[float, float, float, float]:
    x, y = _clamp(f.x), _clamp(f.y)
    w = max(0.0, min(_clamp(f.width), 1.0 - x)) * page_w
    h = max(0.0, min(_clamp(f.height), 1.0 - y)) * page_h
    return x * page_w, page_h - y * page_h - h, w, h


def _unicode_xobject(writer, f: StampField, w: float, h: float):
    """The field's text laid out by WeasyPrint (DejaVu, embedded subset) as a Form XObject of the field's size."""
    from pypdf import PdfReader  # noqa: PLC0415 - lazy: heavy library
    from pypdf.generic import (  # noqa: PLC0415 - lazy: heavy library
        ArrayObject, DecodedStreamObject, FloatObject, NameObject)

    kind = (f.kind or "").lower()
    script = kind in ("signature", "initials")
    text = " ".join(f.text.split())[:300]
    size, pad = text_size(kind, text, w, h), _pad(w)
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
        raise InvalidInput(_('"{kind}" is not a kind of field; use signature, initials, date or text.').format(kind=f.kind), "kind")
    # Clip to the field box: nothing drawn leaks over the rest of the page.
    ops = [b"q", f"{_num(left)} {_num(bottom)} {_num(w)} {_num(h)} re W n".encode()]
    if xobject:
        ops.append(f"1 0 0 1 {_num(left)} {_num(bottom)} cm ".encode() + xobject + b" Do")
    elif kind in ("signature", "initials") and f.strokes:
        ops += _stroke_ops(f.strokes, left, bottom, w, h)
    elif kind in ("signature", "initials"):
        ops += _text_ops(f.text, "/PrScript", left, bottom, w, h, kind=kind, centre=kind == "initials",
                         colour=INK)
    elif kind in ("date", "text"):
        ops += _text_ops(f.text, "/PrSans", left, bottom, w, h, kind=kind, centre=False, colour="0 0 0")
    ops.append(b"Q")
    return ops


def read_pdf(pdf: bytes) -> PdfReader:
    """The PDF opened with pypdf, or InvalidInput with a sentence (not a PDF, password-protected, damaged)."""
    from pypdf import PdfReader  # noqa: PLC0415 - lazy: heavy library
    from pypdf.errors import PyPdfError  # noqa: PLC0415 - lazy: heavy library
    if not pdf or b"%PDF-" not in pdf[:1024]:
        raise InvalidInput(_('This file is not a PDF.'), "file")
    try:
        reader = PdfReader(io.BytesIO(pdf), strict=False)
        if reader.is_encrypted:
            raise InvalidInput(_('This PDF is password-protected; upload a copy without a password.'), "file")
        len(reader.pages)  # reading the page tree is the check
        return reader
    except InvalidInput:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
            AssertionError, OSError):
        raise InvalidInput(_('This PDF is damaged and cannot be read.'), "file") from None


def _stream(data: bytes):
    from pypdf.generic import DecodedStreamObject  # noqa: PLC0415 - lazy: heavy library
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream.flate_encode() if len(data) > 64 else stream


def _font_names(page, font_refs: dict) -> dict[str, bytes]:
    """Add the two standard fonts to the page's resources under names it does not use yet."""
    from pypdf.generic import DictionaryObject, NameObject  # noqa: PLC0415 - lazy: heavy library
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
    from pypdf.generic import DictionaryObject, NameObject  # noqa: PLC0415 - lazy: heavy library
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
    from pypdf.generic import ArrayObject, IndirectObject  # noqa: PLC0415 - lazy: heavy library
    if "/Contents" not in page:
        return []
    raw = page.raw_get("/Contents")
    value = raw.get_object()
    items = list(value) if isinstance(value, ArrayObject) else [raw]
    return [item if isinstance(item, IndirectObject) else writer._add_object(item) for item in items]


def stamp(pdf: bytes, fields: list[StampField]) -> bytes:
    """The PDF with each field drawn on its page: strokes as vector paths, typed values in standard fonts."""
    from pypdf import PdfWriter  # noqa: PLC0415 - lazy: heavy library
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject  # noqa: PLC0415 - lazy: heavy library
    if len(fields) > MAX_FIELDS:
        raise InvalidInput(_('A document can carry at most {max_fields} fields.').format(max_fields=MAX_FIELDS), "fields")
    if sum(len(s) for f in fields for s in (f.strokes or [])) > MAX_POINTS:
        raise InvalidInput(_('The drawn signature has too many points; draw it again more simply.'), "signature")
    reader = read_pdf(pdf)
    writer = PdfWriter(clone_from=reader)
    _drop_old_signatures(writer)
    by_page: dict[int, list[StampField]] = {}
    for f in fields:
        if not isinstance(f.page, int) or not 0 <= f.page < len(writer.pages):
            raise InvalidInput(ngettext('A field is on page {page}, but the document has {count} page.', 'A field is on page {page}, but the document has {count} pages.', len(writer.pages)).format(page=f.page + 1 if isinstance(f.page, int) else f.page, count=len(writer.pages)), "page")
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
                *_unused, w, h = _field_box(f, shown_w, shown_h)
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

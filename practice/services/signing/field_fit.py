"""Where a signature field may go and whether its text fits: a box snapped inside its page, the text each kind
of field will hold (the widest date, the signer's name or initials), its size as the stamp will print it, and
the sentence staff (or a signer) read when a box is too small for its text. Measured with the stamp's fonts,
so what staff place, what the signer sees and what the sealed PDF prints agree."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from practice.services.signing.pages import PageSize
from practice.services.signing.stamp import MIN_TEXT_SIZE, fits, text_size
from practice.i18n import N_, _

# The smallest side of a field, as a fraction of the page (about 6 points on a Letter page).
MIN_SIDE = 0.01
# A page whose size is unknown is measured as US Letter.
LETTER = PageSize(612.0, 792.0)
KIND_WORDS = {"signature": N_("signature field"), "initials": N_("initials field"), "date": N_("date field"),
              "text": N_("text field")}
NEED_WORDS = {"taller": N_("taller"), "wider": N_("wider")}


def date_text(day: dt.date) -> str:
    """A date as date fields say it ("November 27, 2026"): the signing page shows it, the stamp prints it."""
    return f"{day:%B} {day.day}, {day.year}"


def widest_date(year: int | None = None) -> str:
    """The widest date a date field may print (the longest month with a two-digit day), to size its box for any
    day the signer signs."""
    year = year or dt.date.today().year
    dates = [date_text(dt.date(year, month, 28)) for month in range(1, 13)]
    # The widest prints smallest in a narrow box.
    return min(dates, key=lambda d: text_size("date", d, 40.0, 20.0))


def initials_of(name: str) -> str:
    """A name's initials as the signing page suggests them ("June Hartley" -> "JH")."""
    return "".join(part[0] for part in str(name or "").split() if part[:1].isalpha()).upper()[:4]


def snap_box(x: float, y: float, width: float, height: float) -> tuple[float, float, float, float]:
    """A field's box (fractions of the page from its top-left corner) moved and cut to lie wholly on the page,
    at least MIN_SIDE on each side: a field dragged past an edge stops at the edge."""
    width = min(max(float(width), MIN_SIDE), 1.0)
    height = min(max(float(height), MIN_SIDE), 1.0)
    x = min(max(float(x), 0.0), 1.0 - width)
    y = min(max(float(y), 0.0), 1.0 - height)
    return round(x, 6), round(y, 6), round(width, 6), round(height, 6)


def sample_text(kind: str, signer_name: str) -> str:
    """What a field will hold, as far as it is known before signing: the widest date, the signer's typed name or
    initials; a text field's value is the signer's to type (empty)."""
    if kind == "date":
        return widest_date()
    if kind == "signature":
        return " ".join(str(signer_name or "").split())
    if kind == "initials":
        return initials_of(signer_name)
    return ""


def _points(page: PageSize | None) -> PageSize:
    return page if page is not None and page.width > 0 and page.height > 0 else LETTER


def stamped_look(kind: str, text: str, width: float, height: float, page: PageSize | None) -> tuple[float, float]:
    """The font size `text` is printed at in this box and the room left at its start, as percentages of the
    page's width (CSS `cqw` of the page image), so a box on screen shows its text as the sealed PDF will."""
    page = _points(page)
    w = width * page.width
    size = text_size(kind, text, w, height * page.height)
    return size * 100 / page.width, min(2.0, w * 0.05) * 100 / page.width


def fit_problem(kind: str, text: str, width: float, height: float, page: PageSize | None) -> str:
    """What the box needs for its text to print at a readable size: "" (nothing), "taller" or "wider"."""
    page = _points(page)
    w, h = width * page.width, height * page.height
    if h * 0.7 < MIN_TEXT_SIZE - 1e-9:
        return "taller"
    if text and not fits(kind, text, w, h):
        return "wider"
    return ""


def field_warning(field: dict, page: PageSize | None, signer_name: str) -> str:
    """The sentence for a field too small for its text ("" when it fits), naming the field, its signer, page."""
    kind = str(field.get("kind") or "")
    if kind not in KIND_WORDS:
        return ""
    need = fit_problem(kind, sample_text(kind, signer_name), float(field["width"]), float(field["height"]), page)
    if not need:
        return ""
    what = _(KIND_WORDS[kind])
    label = str(field.get("label") or "").strip()
    if kind == "text" and label:
        what = _('text field "{label}"').format(label=label)
    page_no = int(field["page"]) + 1
    where = (_("for {name} on page {page}").format(name=signer_name, page=page_no) if signer_name
             else _("on page {page}").format(page=page_no))
    text = _("readable text") if kind == "text" else _("its text")
    return _("The {what} {where} is too small for {text}: make it {need}.").format(
        what=what, where=where, text=text, need=_(NEED_WORDS.get(need, need)))


def field_warnings(fields: Iterable[dict], pages: list[PageSize], names: dict[int, str]) -> list[str]:
    """Each field too small for its text, in a sentence (see `field_warning`), in the order given."""
    out = []
    for f in fields:
        page_index = int(f.get("page", 0))
        page = pages[page_index] if 0 <= page_index < len(pages) else None
        warning = field_warning(f, page, names.get(f.get("signer_id"), ""))
        if warning:
            out.append(warning)
    return out


def value_fits(kind: str, text: str, width: float, height: float, page: PageSize | None) -> bool:
    """Whether a value the signer typed prints at a readable size in its box."""
    return not fit_problem(kind, text, width, height, page)

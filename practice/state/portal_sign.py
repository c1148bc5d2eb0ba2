"""The portal's signing page: consent, the emailed code when asked for, the fields on the pages, sign or decline.

Everything the client typed or drew stays in this state (or in the pad in the browser) until signing
succeeds, so a refusal shows the service's sentence and nothing has to be typed again. The truth (consent,
code checks, the signature itself) lives in the database through `practice.services.signing.signer_flow`.
"""
from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from urllib.parse import quote
from zoneinfo import ZoneInfo

import reflex as rx

from practice import routes
from practice.db import read_session
from practice.i18n import N_, _, ngettext
from practice.models import utcnow
from practice.services.errors import NotFound, PracticeError
from practice.services.signing import signer_flow
from practice.services.signing import field_fit
from practice.services.signing.field_fit import date_text, initials_of
from practice.services.signing.pages import PageSize
from practice.services.signing.stamp import PAD_ASPECT
from practice.services.firm import get_firm
from practice.state.base import ANYONE, CONTACT, allow, client_address, read, run, run_off_loop, shown_in
from practice.state.portal import PortalState
from practice.state.signature_input import signature_from_browser, signature_kind
from practice.state.work_views import parse_id

# Where the client cannot sign now; each shows its closing message.
CLOSING_STEPS = ("signed", "declined", "closed", "waiting")
KIND_WORDS = {"signature": N_("Signature"), "initials": N_("Initials"), "date": N_("Date"), "text": N_("Text")}
# What an empty box says when the firm gave it no label.
FIELD_PROMPTS = {"signature": N_("Sign here"), "initials": N_("Initials"), "date": N_("Date"), "text": N_("Type here")}
# The line "Fill in field 2 of 5 (initials on page 3) first.", whole per kind of box.
MISSING = {"signature": N_("Fill in field {n} of {total} (signature on page {page}) first."),
           "initials": N_("Fill in field {n} of {total} (initials on page {page}) first."),
           "date": N_("Fill in field {n} of {total} (date on page {page}) first."),
           "text": N_("Fill in field {n} of {total} (text on page {page}) first.")}


def kind_word(kind: str) -> str:
    return _(KIND_WORDS[kind]) if kind in KIND_WORDS else kind


@dataclasses.dataclass
class SignFieldItem:
    id: int = 0
    kind: str = ""
    page: int = 0
    number: int = 0          # 1-based place in the order the client is led through
    # Position on the page image, as CSS percentages.
    left: str = "0%"
    top: str = "0%"
    width: str = "0%"
    height: str = "0%"
    label: str = ""          # what the empty box says ("Sign here", the text field's label...)
    required: bool = True
    filled: bool = False
    shown: str = ""          # the value the box shows once filled (typed signature, initials, date, text)
    # The value's size and the room before it, as the stamp prints them (CSS `cqw` of the page image).
    font_size: str = "1cqw"
    pad: str = "0"
    summary: str = ""        # one line for the review before signing


@dataclasses.dataclass
class SignPageItem:
    index: int = 0
    src: str = ""
    label: str = ""
    fields: list[SignFieldItem] = dataclasses.field(default_factory=list)


def masked_email(address: str) -> str:
    """j***@example.com: enough to recognise one's own address, not enough to read it off a screen."""
    local, at, domain = str(address or "").partition("@")
    if not at:
        return ""
    return f"{local[:1]}***@{domain}"


def closed_text(status: str, firm_name: str) -> str:
    """Why a request that is no longer out for signing has nothing to sign."""
    return {"completed": _("Everyone has already signed this document."),
            "declined": _("Someone declined to sign, so this request was stopped. {firm} will be in touch.")
            .format(firm=firm_name),
            "cancelled": _("{firm} cancelled this request.").format(firm=firm_name)}.get(status, "")


def field_summary(kind: str, page: int, label: str, shown: str, *, drawn: bool) -> str:
    """One line for the review before signing: where a field is and what it will say."""
    if kind == "text":
        return (_('Page {page}: {label}: "{value}"') if shown else _("Page {page}: {label} (left empty)")).format(
            page=page + 1, label=label or _("Text"), value=shown)
    word = kind_word(kind)
    if kind in ("date", "initials") and shown:
        return _("Page {page}: {kind}: {value}").format(page=page + 1, kind=word, value=shown)
    if kind == "signature" and (drawn or shown):
        return (_("Page {page}: {kind}: drawn") if drawn else _('Page {page}: {kind}: "{value}"')).format(
            page=page + 1, kind=word, value=shown)
    return _("Page {page}: {kind}").format(page=page + 1, kind=word)


def strokes_svg(strokes: list[list[list[float]]]) -> str:
    """A drawn signature as an SVG data URL for the field boxes (cropped to the ink, shape kept)."""
    points = [(x * PAD_ASPECT, y) for stroke in strokes for x, y in stroke]
    if not points:
        return ""
    min_x, min_y = min(p[0] for p in points), min(p[1] for p in points)
    width = max(max(p[0] for p in points) - min_x, 0.01)
    height = max(max(p[1] for p in points) - min_y, 0.01)
    pad = max(width, height) * 0.06
    lines = []
    for stroke in strokes:
        pts = " ".join(f"{x * PAD_ASPECT:.4f},{y:.4f}" for x, y in (stroke * 2 if len(stroke) == 1 else stroke))
        lines.append(f'<polyline points="{pts}"/>')
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{min_x - pad:.4f} {min_y - pad:.4f} '
           f'{width + 2 * pad:.4f} {height + 2 * pad:.4f}" preserveAspectRatio="xMidYMid meet">'
           f'<g fill="none" stroke="#111827" stroke-width="{max(width, height) * 0.025:.4f}" '
           f'stroke-linecap="round" stroke-linejoin="round">{"".join(lines)}</g></svg>')
    return "data:image/svg+xml;charset=utf-8," + quote(svg)


async def sign_and_seal(actor, request_id: int, given: dict) -> None:
    """Sign as `signer_flow.sign(**given)` does. The last signature's seal (stamps, audit page, pyHanko: seconds) is
    made off the event loop and before the write transaction, so nobody's saves wait for it; the write keeps it when
    it was made from what is true then, and re-checks the request (a cancel meanwhile wins)."""
    sealed = await asyncio.to_thread(read, signer_flow.prepare_seal, actor, request_id, **given)
    await run_off_loop(signer_flow.sign, actor, request_id, sealed=sealed, **given)


class PortalSignState(PortalState):
    """One signature request as its signer sees it, step by step."""

    # Not called `request_id`: that is the route's own variable.
    rid: int = 0
    # loading | gone | consent | code | sign | waiting | signed | declined | closed
    step: str = "loading"
    title: str = ""
    message: str = ""
    signer_name: str = ""
    disclosure: str = ""
    code_to: str = ""
    code_notice: str = ""
    pages: list[SignPageItem] = []
    field_count: int = 0
    filled_count: int = 0
    current: int = 0              # the field the client is on (id)
    editor: str = ""              # "" | signature | initials | text: which fill-in dialog is open
    editing_label: str = ""
    editing_value: str = ""
    editor_error: str = ""
    signature_image: str = ""     # drawn signature, as an SVG data URL
    signature_text: str = ""      # typed signature
    initials: str = ""
    today: str = ""
    reviewing: bool = False
    busy: bool = False
    review_lines: list[str] = []
    declining: bool = False
    decline_error: str = ""
    done_title: str = ""
    done_text: str = ""
    documents_link: bool = False
    # What the client gave, kept server-side until the signature goes through.
    _signature: dict = {}
    _values: dict[str, str] = {}
    _initials_given: bool = False
    # This signer's fields, in order, with what the boxes need (kept from the last look at the request).
    _order: list[int] = []
    _kinds: dict[str, str] = {}
    _labels: dict[str, str] = {}
    _required: dict[str, bool] = {}
    _positions: dict[str, tuple] = {}
    _sizes: list[tuple] = []  # each page's (width, height) in points
    _page_sources: list[tuple] = []

    def _client(self) -> dict:
        """Where the signer is: recorded with each step for the audit page."""
        return {"ip_address": client_address(self),
                "user_agent": str(self.router.headers.user_agent or "")[:500]}

    @allow(ANYONE)
    def load(self):
        actor = self._enter()
        if actor is None:
            return rx.redirect(routes.PORTAL_LOGIN)
        wanted = parse_id(getattr(self, "request_id", ""))
        if wanted != self.rid:
            # Another request: forget what was given for the previous one.
            self._signature, self._values, self.signature_image, self.signature_text = {}, {}, "", ""
            self.initials, self._initials_given, self.current = initials_of(actor.name), False, 0
        self.rid = wanted or 0
        self.editor = self.editor_error = self.decline_error = self.code_notice = ""
        self.reviewing = self.declining = False
        return self._show(actor, fresh=True)

    def _open(self, actor):
        if not self.rid:
            raise NotFound(_("That signature request is not in your portal (it may have been cancelled)."))
        return run(signer_flow.open_for_signing, actor, self.rid, **self._client())

    def _show(self, actor, *, fresh: bool = False):
        """Read the request again and put the client on the step it needs next."""
        try:
            view = self._open(actor)
        except PracticeError as err:
            self.step, self.error = "gone", str(err)
            return None
        self.title, self.message, self.signer_name = view.title, view.message, actor.name
        self.disclosure, self.code_to = view.disclosure, masked_email(view.code_sent_to)
        step = signer_flow.next_step(view)
        if step in CLOSING_STEPS:
            self._show_closing(step, view)
            return None
        self.step = step
        if step == "consent":
            return None
        self._fill_document(view)
        if step == "code" and fresh and signer_flow.code_is_stale(view, utcnow()):
            return self._send_code(actor)
        return None

    def _show_closing(self, step: str, view) -> None:
        """The closing step when the client cannot sign now: signed, declined, closed, or not their turn yet."""
        if step == "signed":
            self._done(view)
        elif step == "declined":
            self.step, self.done_title = "declined", _("You declined to sign")
            self.done_text = _("We told {firm} why. They will be in touch.").format(firm=view.firm_name)
        elif step == "closed":
            self.step, self.done_title = "closed", _("There is nothing to sign")
            self.done_text = closed_text(view.status, view.firm_name)
        else:
            self.step = "waiting"
            first = _(" and ").join(view.whose_turn) or _("An earlier signer")
            self.done_text = ngettext("{names} signs first. We will email you when it is your turn.",
                                      "{names} sign first. We will email you when it is your turn.",
                                      max(len(view.whose_turn), 1)).format(names=first)

    def _fill_document(self, view) -> None:
        self.today = _today()
        ordered = sorted(view.my_fields, key=lambda f: (f.page, f.y, f.x, f.id))
        self._order = [f.id for f in ordered]
        self._kinds = {str(f.id): f.kind for f in ordered}
        self._labels = {str(f.id): f.label for f in ordered}
        self._required = {str(f.id): f.required for f in ordered}
        self._values = {k: v for k, v in self._values.items() if k in self._kinds}
        self.field_count = len(ordered)
        if self.current not in self._order:
            self.current = 0  # nothing chosen yet: "Next field" starts at the first box
        self._page_sources = [(i, routes.sign_page_url(view.request_id, i)) for i in range(view.page_count)]
        self._positions = {str(f.id): (f.page, f.x, f.y, f.width, f.height) for f in ordered}
        self._sizes = [(size.width, size.height) for size in view.pages]
        self._render_pages()

    def _filled(self, field_id: int) -> tuple[bool, str]:
        kind = self._kinds.get(str(field_id), "")
        if kind == "signature":
            return bool(self._signature), self.signature_text
        if kind == "initials":
            return self._initials_given, self.initials if self._initials_given else ""
        if kind == "date":
            return True, self.today
        value = self._values.get(str(field_id), "")
        return bool(value), value

    def _render_pages(self) -> None:
        """The page images with this signer's boxes, numbered in the order the client goes through them."""
        items: dict[int, list[SignFieldItem]] = {}
        for number, field_id in enumerate(self._order, start=1):
            item = self._field_item(number, field_id)
            items.setdefault(item.page, []).append(item)
        total = len(self._page_sources)
        self.pages = [SignPageItem(index=i, src=src, label=_("Page {n} of {total}").format(n=i + 1, total=total), fields=items.get(i, []))
                      for i, src in self._page_sources]
        self.review_lines = [f.summary for page in self.pages for f in page.fields]
        self.filled_count = sum(1 for page in self.pages for f in page.fields if f.filled)

    def _field_item(self, number: int, field_id: int) -> SignFieldItem:
        page, x, y, w, h = self._positions[str(field_id)]
        kind, label = self._kinds[str(field_id)], self._labels.get(str(field_id)) or ""
        filled, shown = self._filled(field_id)
        size, pad = field_fit.stamped_look(kind, shown, w, h, self._page_size(page))
        return SignFieldItem(
            id=field_id, kind=kind, page=page, number=number,
            left=f"{x * 100:.3f}%", top=f"{y * 100:.3f}%", width=f"{w * 100:.3f}%", height=f"{h * 100:.3f}%",
            label=label or (_(FIELD_PROMPTS[kind]) if kind in FIELD_PROMPTS else kind), required=self._required.get(str(field_id), True),
            filled=filled, shown=shown, font_size=f"{size:.3f}cqw", pad=f"{pad:.3f}cqw",
            summary=field_summary(kind, page, label, shown, drawn=bool(self.signature_image)))

    def _page_size(self, page: int) -> PageSize | None:
        return PageSize(*self._sizes[page]) if 0 <= page < len(self._sizes) else None

    def _text_problem(self, field_id: int, text: str) -> str:
        """Why a typed text cannot go in its box ("" when it can): too long to keep, or to print readably."""
        if len(text) > signer_flow.MAX_TEXT_VALUE:
            return _("Keep it to {count} characters.").format(count=signer_flow.MAX_TEXT_VALUE)
        page, _x, _y, w, h = self._positions.get(str(field_id), (0, 0, 0, 1, 1))
        if text and not field_fit.value_fits("text", text, w, h, self._page_size(page)):
            return _("This is too long for its box: shorten it.")
        return ""

    def _done(self, view) -> None:
        self.step = "signed"
        if view.status == "completed":
            self.done_title = _("Everyone has signed")
            self.done_text = _("The signed copy, sealed so any later change shows, is in your Documents. "
                               "You can download it any time.")
            self.documents_link = True
            return
        others = signer_flow.still_to_sign(view)
        self.done_title = _("Thank you, you have signed")
        last = _("When everyone has signed, the signed copy appears in your Documents and we email you.")
        self.done_text = (ngettext("{names} still has to sign. {then}", "{names} still have to sign. {then}",
                                   len(others)).format(names=_(" and ").join(others), then=last)
                          if others else last)
        self.documents_link = False

    # --- step 1: consent ---------------------------------------------------------------------------

    @allow(CONTACT)
    def agree(self, form: dict):
        actor = self._require()
        if str(form.get("agree", "")).lower() not in ("on", "true", "1", "yes"):
            self.error = _("Tick “I agree” to continue, or choose Decline if you do not want to sign electronically.")
            return None
        with shown_in(self, "error"):
            run(signer_flow.give_consent, actor, self.rid, **self._client())
            self.error = ""
            return self._show(actor, fresh=True)
        return None

    # --- step 2: the emailed code ------------------------------------------------------------------

    def _send_code(self, actor):
        self.code_notice = ""
        with shown_in(self, "error"):
            run(signer_flow.send_code, actor, self.rid, **self._client())
            self.error, self.code_notice = "", _("We sent a new code to {email}. It works for 10 minutes.").format(
                email=self.code_to)
        return None

    @allow(CONTACT)
    def resend_code(self):
        return self._send_code(self._require())

    @allow(CONTACT)
    def check_code(self, form: dict):
        actor = self._require()
        self.code_notice = ""
        with shown_in(self, "error"):
            run(signer_flow.check_code, actor, self.rid, str(form.get("code", ""))[:20], **self._client())
            self.error = ""
            return self._show(actor)
        return None

    # --- step 3: the fields ------------------------------------------------------------------------

    def _next_open(self, after: int) -> int | None:
        """The next field still to fill after `after` (wrapping round), or None when all are done."""
        if not self._order:
            return None
        start = self._order.index(after) + 1 if after in self._order else 0
        for field_id in self._order[start:] + self._order[:start]:
            if not self._filled(field_id)[0]:
                return field_id
        return None

    def _go(self, field_id: int | None):
        if field_id is None:
            self.current = 0
            return rx.scroll_to("sign-finish")
        self.current = field_id
        return rx.scroll_to(f"sign-field-{field_id}")

    @allow(CONTACT)
    def next_field(self):
        self._require()
        return self._go(self._next_open(self.current))

    @allow(CONTACT)
    def choose_field(self, field_id: int):
        """The client tapped a box: make it current and open what fills it."""
        wanted = parse_id(field_id)
        if wanted is None or wanted not in self._order:
            return None
        self._require()
        self.current, self.editor_error = wanted, ""
        kind = self._kinds[str(wanted)]
        if kind == "date":
            return rx.toast.info(_("The date is filled in for you: {date}.").format(date=self.today))
        self.editor = kind
        self.editing_label = self._labels.get(str(wanted)) or (kind_word(kind) if kind else "")
        self.editing_value = self._values.get(str(wanted), "") if kind == "text" else self.initials
        return None

    @allow(CONTACT)
    def close_editor(self, open_: bool = False):
        if not open_:
            self.editor, self.editor_error = "", ""

    @allow(CONTACT)
    def adopt_signature(self, value: dict):
        """The pad's drawing or typed name, read in the browser: becomes this signer's signature everywhere."""
        self._require()
        with shown_in(self, "editor_error"):
            self._adopt(signature_from_browser(value))
            return self._go(self._next_open(self.current))
        return None

    def _adopt(self, signature: dict) -> None:
        self._signature = signature
        self.error = ""
        if signature_kind(signature) == "drawn":
            self.signature_image, self.signature_text = strokes_svg(signature["strokes"]), ""
        else:
            self.signature_image, self.signature_text = "", signature["text"]
        self.editor = self.editor_error = ""
        self._render_pages()

    @allow(CONTACT)
    def save_initials(self, form: dict):
        self._require()
        text = " ".join(str(form.get("initials", "")).split())
        if not text:
            self.editor_error = _("Type your initials.")
            return None
        if len(text) > signer_flow.MAX_INITIALS:
            self.editor_error = _("Keep your initials to {count} characters.").format(count=signer_flow.MAX_INITIALS)
            return None
        self.initials, self._initials_given = text, True
        self.error = ""
        self.editor = self.editor_error = ""
        self._render_pages()
        return self._go(self._next_open(self.current))

    @allow(CONTACT)
    def save_text(self, form: dict):
        self._require()
        field_id = self.current
        if self._kinds.get(str(field_id)) != "text":
            self.editor = ""
            return None
        text = " ".join(str(form.get("value", "")).split())
        self.editor_error = self._text_problem(field_id, text)
        if self.editor_error:
            return None
        self._values = {**self._values, str(field_id): text}
        self.error = ""
        self.editor = self.editor_error = ""
        self._render_pages()
        return self._go(self._next_open(field_id))

    # --- finishing ---------------------------------------------------------------------------------

    @allow(CONTACT)
    def review(self):
        """Finish: every required box must be filled; then show what is about to be signed."""
        self._require()
        missing = next((f for f in self._order if self._required.get(str(f), True) and not self._filled(f)[0]),
                       None)
        if missing is not None:
            kind = self._kinds[str(missing)]
            page = self._positions[str(missing)][0] + 1
            self.error = _(MISSING.get(kind, MISSING["text"])).format(n=self._order.index(missing) + 1,
                                                                     total=len(self._order), page=page)
            return self._go(missing)
        if not self._signature:
            # Signing always needs a signature, even when the firm placed no signature box.
            self.editor, self.editing_label, self.editor_error = "signature", _("Signature"), ""
            return None
        self.error, self.reviewing = "", True
        return None

    @allow(CONTACT)
    def close_review(self, open_: bool = False):
        if not open_:
            self.reviewing = False

    @allow(CONTACT)
    async def sign(self):
        """Sign; the last signer's request also seals the document, so the button spins meanwhile."""
        actor = self._require()
        self.busy = True
        yield
        given = dict(signature_kind=signature_kind(self._signature), signature=self._signature, now=utcnow(),
                     initials=self.initials if self._initials_given else "",
                     values={int(k): v for k, v in self._values.items()}, **self._client())
        try:
            await sign_and_seal(actor, self.rid, given)
        except PracticeError as err:
            self.error = str(err)
            return
        finally:
            self.busy = False
        self.error, self.reviewing = "", False
        self._show(actor)
        yield rx.scroll_to("sign-done")

    @allow(CONTACT)
    def open_decline(self):
        self.declining, self.decline_error = True, ""

    @allow(CONTACT)
    def close_decline(self, open_: bool = False):
        if not open_:
            self.declining = False

    @allow(CONTACT)
    def decline(self, form: dict):
        actor = self._require()
        with shown_in(self, "decline_error"):
            run(signer_flow.decline, actor, self.rid, reason=str(form.get("reason", ""))[:signer_flow.MAX_REASON],
                **self._client())
            self.declining, self.decline_error = False, ""
            self._show(actor)
        return None


def _today() -> str:
    """Today in the firm's time zone, as the date boxes will say it."""
    with read_session() as session:
        zone = get_firm(session).timezone
    try:
        now = dt.datetime.now(ZoneInfo(zone))
    except Exception:  # noqa: BLE001 - an unknown zone name: the server's date is close enough for a preview
        now = dt.datetime.now()
    return date_text(now.date())

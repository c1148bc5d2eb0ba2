"""Staff pages for signature requests: the account page's list, a new request, one request (placing fields,
sending, following it), and the document templates editor. The services do the work and the checks."""
from __future__ import annotations

import asyncio

import dataclasses
import datetime as dt

import reflex as rx

from practice import routes
from practice.services import firm
from practice.services.documents import doc_templates, files as document_files
from practice.services.errors import InvalidInput, PracticeError
from practice.services.signing import audit_words, field_fit, requests
from practice.services.signing.pages import PageSize
from practice.services.signing.views import signer_progress
from practice.services.work import accounts, jobs
from practice.services.formatting import format_datetime
from practice.state.base import ADMIN, STAFF, AppState, allow, read, run, run_off_loop, shown_in, write_and_refresh
from practice.state.views import Option
from practice.state.work_views import parse_id
from practice.i18n import N_, _

# One colour per signer (by their place in the request), used for their fields on the pages.
SIGNER_COLORS = ("#2563eb", "#db2777", "#16a34a", "#d97706", "#7c3aed", "#0891b2")
# The kinds of field and their names (English; pages show them with t(), the state with _()).
FIELD_KINDS = {"signature": N_("Signature"), "initials": N_("Initials"), "date": N_("Date"), "text": N_("Text")}
assert set(FIELD_KINDS) == set(requests.FIELD_KINDS)
# A new field's size (fractions of the page) by kind: roughly what a person writes there (a date field holds
# the widest date at full size on a Letter page).
FIELD_SIZES = {"signature": (0.28, 0.05), "initials": (0.08, 0.04), "date": (0.18, 0.03), "text": (0.28, 0.03)}
REQUEST_STATUS = {
    "draft": N_("Draft: place the fields, then send"),
    "sent": N_("Waiting for signatures"),
    "completed": N_("Signed by everyone"),
    "declined": N_("Declined"),
    "cancelled": N_("Cancelled"),
}
STATUS_COLORS = {"draft": "gray", "sent": "amber", "completed": "green", "declined": "red", "cancelled": "gray"}
MAX_FIELDS = requests.MAX_FIELDS
# What an arrow key does to a focused field: half a percent of the page that way.
UNDO_STEPS = 30
NUDGES = {"ArrowLeft": (-0.005, 0.0), "ArrowRight": (0.005, 0.0), "ArrowUp": (0.0, -0.005), "ArrowDown": (0.0, 0.005)}
# What a new document template starts with: a heading, a placeholder and one signer's signature and date.
STARTER_BODY = """<h1>Engagement letter</h1>
<p>Dear {{ contact.first_name }},</p>
<p>This letter confirms that {{ firm.name }} will prepare the {{ account.name }} tax return.</p>
<p>Signature: <span id="sign-1-signature" style="display:inline-block;width:60mm;height:12mm"></span></p>
<p>Date: <span id="sign-1-date" style="display:inline-block;width:35mm;height:6mm"></span></p>
"""


@dataclasses.dataclass
class RequestItem:
    id: int = 0
    title: str = ""
    status: str = ""
    status_label: str = ""
    signers: str = ""
    created: str = ""
    href: str = ""


@dataclasses.dataclass
class SignerChoice:
    id: int = 0
    name: str = ""
    email: str = ""
    chosen: bool = False
    order: str = ""
    reason: str = ""
    code: bool = False  # also asked for a one-time code sent by email


@dataclasses.dataclass
class SignerItem:
    id: int = 0
    name: str = ""
    email: str = ""
    status: str = ""
    status_label: str = ""
    color: str = ""
    detail: str = ""
    reason: str = ""
    check: str = ""  # the identity check asked of this signer


@dataclasses.dataclass
class PageItem:
    index: int = 0
    number: int = 0
    src: str = ""
    # "width / height" of the page, so its box keeps the page's shape before the image arrives.
    aspect: str = "612 / 792"


@dataclasses.dataclass
class FieldItem:
    key: int = 0
    signer_id: int = 0
    signer: str = ""
    kind: str = ""
    kind_label: str = ""
    page: int = 0
    left: str = ""
    top: str = ""
    width: str = ""
    height: str = ""
    color: str = ""
    selected: bool = False
    where: str = ""
    # What the box will print, as large as the stamp prints it (CSS sizes relative to the page image).
    sample: str = ""
    font_size: str = "1cqw"
    pad: str = "0"
    script: bool = False
    warning: str = ""  # the box is too small for its text: what to change


@dataclasses.dataclass
class EventItem:
    at: str = ""
    text: str = ""


@dataclasses.dataclass
class DocTemplateItem:
    id: int = 0
    name: str = ""
    updated: str = ""


def _fraction(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number != number:  # NaN
        return None
    return min(max(number, 0.0), 1.0)


def _page_index(value) -> int | None:
    """A 0-based page number from a browser value, or None."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def field_box(kind: str, x: float, y: float) -> tuple[float, float, float, float]:
    """A new field's (left, top, width, height) on the page: its kind's size, the click (x, y) in its middle,
    the whole box kept on the page."""
    width, height = FIELD_SIZES[kind]
    left = min(max(x - width / 2, 0.0), 1.0 - width)
    top = min(max(y - height / 2, 0.0), 1.0 - height)
    return round(left, 4), round(top, 4), width, height


def _pct(value: float) -> str:
    return f"{value * 100:.3f}%"


# --- the account page's Signatures section ---------------------------------------------------------


class AccountSignaturesState(AppState):
    sig_acct_id: int = 0
    sig_requests: list[RequestItem] = []
    sig_error: str = ""

    @allow(STAFF)
    def load(self):
        self.sig_error = ""
        account_id = parse_id(getattr(self, "account_id", ""))
        if account_id is None:
            self.sig_acct_id, self.sig_requests = 0, []
            return
        self.sig_acct_id = account_id
        try:
            rows, timezone = read(_account_requests, self._require(), account_id)
        except PracticeError as err:
            self.sig_error, self.sig_requests = str(err), []
            return
        self.sig_requests = [RequestItem(
            id=r.id, title=r.title, status=r.status, status_label=_(REQUEST_STATUS.get(r.status, r.status)),
            signers=", ".join(f"{s.name} ({_(signer_progress(s.status, s.viewed_at is not None, r.status))})"
                              for s in signers),
            created=format_datetime(r.created_at, timezone), href=routes.signature_url(r.id))
            for r, signers in rows]


def _account_requests(session, actor, account_id: int):
    """The account's requests, each with its signers (their statuses), and the firm's time zone."""
    rows = requests.list_for_account(session, actor, account_id)
    return ([(r, requests.request_detail(session, actor, r.id).signers) for r in rows[:50]],
            firm.get_firm(session).timezone)


# --- a new request -----------------------------------------------------------------------------------

def _new_request_view(session, actor, account_id: int) -> dict:
    account = accounts.get_account(session, actor, account_id)
    return {
        "account": account, "signers": requests.signer_candidates(session, actor, account.id),
        "documents": document_files.list_documents(session, actor, account.id, include_refused=False),
        "templates": doc_templates.list_templates(session, actor),
        "jobs": jobs.jobs_of_account(session, actor, account.id),
    }


def signer_choices(candidates) -> tuple[list[SignerChoice], list[SignerChoice]]:
    """The contacts offered as signers, and the others, each with why not (the service decides)."""
    choices = [(c.can_sign, SignerChoice(id=c.contact_id, name=c.name, email=c.email, reason=c.note))
               for c in candidates]
    return [c for offered, c in choices if offered], [c for offered, c in choices if not offered]


class NewSignatureState(AppState):
    new_acct_id: int = 0
    new_found: bool = False
    new_page_error: str = ""
    new_account_name: str = ""
    new_account_href: str = ""
    source_options: list[Option] = []
    job_options: list[Option] = []
    # The job chosen beforehand (the job page's "Request a signature" link passes ?job=ID).
    job_default: str = ""
    signer_choices: list[SignerChoice] = []
    not_offered: list[SignerChoice] = []
    new_error: str = ""
    new_form_key: int = 0
    _chosen: list[int] = []
    _with_code: list[int] = []
    _template_names: dict[str, str] = {}

    def _show_choices(self) -> None:
        in_order = {cid: n for n, cid in enumerate(self._chosen, start=1)}
        self.signer_choices = [dataclasses.replace(c, chosen=c.id in in_order,
                                                   order=str(in_order[c.id]) if c.id in in_order else "",
                                                   code=c.id in in_order and c.id in self._with_code)
                               for c in self.signer_choices]

    @allow(STAFF)
    def load(self):
        self.new_error, self.new_page_error = "", ""
        self._chosen, self._with_code = [], []
        self.new_form_key += 1
        account_id = parse_id(getattr(self, "account_id", ""))
        if account_id is None:
            self.new_found, self.new_page_error = False, _("That account does not exist (it may have been deleted).")
            return
        try:
            view = read(_new_request_view, self._require(), account_id)
        except PracticeError as err:
            self.new_found, self.new_page_error = False, str(err)
            return
        self._show_new_request(account_id, view)

    def _show_new_request(self, account_id: int, view: dict) -> None:
        self.new_acct_id, self.new_found = account_id, True
        self.new_account_name = view["account"].name
        self.new_account_href = routes.account_url(account_id)
        pdfs = [d for d in view["documents"] if d.content_type == "application/pdf" and d.status == "ok"]
        self._template_names = {str(t.id): t.name for t in view["templates"]}
        self.source_options = (
            [Option(value=f"doc-{d.id}", label=f"{d.name}" + (f" ({d.folder})" if d.folder else "")) for d in pdfs]
            + [Option(value=f"tpl-{t.id}", label=_("Template: {name}").format(name=t.name)) for t in view["templates"]])
        self.job_options = [Option(value=str(j.id), label=j.name) for j, _p, _s in view["jobs"] if not j.archived]
        wanted = str(self.router.url.query_parameters.get("job", ""))
        self.job_default = wanted if wanted in {o.value for o in self.job_options} else ""
        self.signer_choices, self.not_offered = signer_choices(view["signers"])

    @allow(STAFF)
    def toggle_signer(self, contact_id: int):
        """Add a contact to the signers (at the end of the order) or take them off."""
        contact = parse_id(contact_id)
        if contact is None or contact not in {c.id for c in self.signer_choices}:
            return
        if contact in self._chosen:
            self._chosen = [c for c in self._chosen if c != contact]
            self._with_code = [c for c in self._with_code if c != contact]
        else:
            self._chosen = [*self._chosen, contact]
        self._show_choices()

    @allow(STAFF)
    def choose_code(self, contact_id: int, wanted: bool):
        """Ask a chosen signer for a one-time code sent by email before signing, or stop asking."""
        contact = parse_id(contact_id)
        if contact is None or contact not in self._chosen:
            return
        self._with_code = [c for c in self._with_code if c != contact]
        if wanted is True or str(wanted).lower() in ("true", "on", "1"):
            self._with_code.append(contact)
        self._show_choices()

    @allow(STAFF)
    async def create(self, form: dict):
        """Make the draft request and open it to place the fields (a template is laid out off the event loop)."""
        source = str(form.get("source", "") or "")
        document_id, template_name = None, None
        if source.startswith("doc-"):
            document_id = parse_id(source[4:])
        elif source.startswith("tpl-"):
            template_name = self._template_names.get(source[4:])
        if document_id is None and template_name is None:
            self.new_error = _('Choose the PDF to sign or a document template.')
            return None
        with shown_in(self, "new_error"):
            request = await asyncio.to_thread(run, requests.create_request, self._require(), self.new_acct_id,
                                              document_id=document_id, template_name=template_name,
                                              **self._request_fields(form))
            self.new_error = ""
            return rx.redirect(routes.signature_url(request.id))
        return None

    def _request_fields(self, form: dict) -> dict:
        """The new request's title, signers, order, code and message from the form and the chosen signers."""
        return {"title": str(form.get("title", "") or "")[:200], "signer_contact_ids": list(self._chosen),
                "in_order": str(form.get("in_order", "")) in ("on", "true", "1"),
                "email_code_contact_ids": [c for c in self._chosen if c in self._with_code],
                "message": str(form.get("message", "") or "")[:5000],
                "job_id": parse_id(form.get("job")) if form.get("job") else None}


# --- one request: placing fields, sending, following ------------------------------------------------


def _detail_view(session, actor, request_id: int) -> dict:
    return {"detail": requests.request_detail(session, actor, request_id),
            "timezone": firm.get_firm(session).timezone}


def _event_text(event) -> str:
    """A line of the request's timeline in the member's language (recorded once, in English)."""
    text = audit_words.timeline_sentence(event.kind, event.detail) if event.detail else audit_words.kind_word(event.kind)
    return text + (_(" (IP address {address})").format(address=event.ip_address) if event.ip_address else "")


class SignatureRequestState(AppState):
    req_id: int = 0
    req_found: bool = False
    req_page_error: str = ""
    title: str = ""
    status: str = ""
    status_label: str = ""
    message: str = ""
    account_name: str = ""
    account_href: str = ""
    order_text: str = ""
    code_text: str = ""
    original_href: str = ""
    signed_href: str = ""
    created: str = ""
    fingerprints: list[str] = []
    pages: list[PageItem] = []
    signers: list[SignerItem] = []
    signer_options: list[Option] = []
    fields: list[FieldItem] = []
    events: list[EventItem] = []
    tool_signer: str = ""
    tool_kind: str = "signature"
    selected_key: int = -1
    selected_signer: str = ""
    selected_kind: str = ""
    dirty: bool = False
    req_error: str = ""
    req_notice: str = ""
    cancel_open: bool = False
    keyboard_key: int = 0
    fit_warnings: list[str] = []
    can_undo: bool = False
    # The fields as placed (dicts the service takes), and signer colours; kept on the server only.
    _placed: list[dict] = []
    _colors: dict[int, str] = {}
    _names: dict[int, str] = {}
    _page_count: int = 0
    _sizes: list[tuple[float, float]] = []  # each page's (width, height) in points
    _next_key: int = 1
    _undo: list[list[dict]] = []  # the fields before each change, the latest last

    @rx.var
    def is_draft(self) -> bool:
        return self.status == "draft"

    @rx.var
    def is_sent(self) -> bool:
        return self.status == "sent"

    @rx.var
    def has_selection(self) -> bool:
        return self.selected_key >= 0

    def _field_item(self, f: dict) -> FieldItem:
        """A placed field as the page shows it: its box, and the text it will print at the printed size."""
        name = self._names.get(f["signer_id"], "?")
        page = PageSize(*self._sizes[f["page"]]) if 0 <= f["page"] < len(self._sizes) else None
        sample = field_fit.sample_text(f["kind"], name) or f["label"] or _(FIELD_KINDS.get(f["kind"], f["kind"]))
        size, pad = field_fit.stamped_look(f["kind"], sample, f["width"], f["height"], page)
        return FieldItem(
            key=f["key"], signer_id=f["signer_id"], signer=name, kind=f["kind"],
            kind_label=_(FIELD_KINDS.get(f["kind"], f["kind"])), page=f["page"],
            left=_pct(f["x"]), top=_pct(f["y"]), width=_pct(f["width"]), height=_pct(f["height"]),
            color=self._colors.get(f["signer_id"], "#64748b"), selected=f["key"] == self.selected_key,
            where=_("page {page}, {x}% across, {y}% down, {w}% wide, {h}% high").format(
                page=f["page"] + 1, x=f"{f['x'] * 100:.0f}", y=f"{f['y'] * 100:.0f}", w=f"{f['width'] * 100:.0f}",
                h=f"{f['height'] * 100:.0f}"),
            sample=sample, font_size=f"{size:.3f}cqw", pad=f"{pad:.3f}cqw",
            script=f["kind"] in ("signature", "initials"), warning=field_fit.field_warning(f, page, name))

    def _show_fields(self) -> None:
        self.fields = [self._field_item(f) for f in self._placed]
        self.fit_warnings = [f.warning for f in self.fields if f.warning]
        chosen = next((f for f in self._placed if f["key"] == self.selected_key), None)
        if chosen is None:
            self.selected_key, self.selected_signer, self.selected_kind = -1, "", ""
        else:
            self.selected_signer, self.selected_kind = str(chosen["signer_id"]), chosen["kind"]

    def _refresh(self) -> None:
        try:
            view = read(_detail_view, self._require(), self.req_id)
        except PracticeError as err:
            self.req_found, self.req_page_error = False, str(err)
            return
        detail, timezone = view["detail"], view["timezone"]
        self._show_request(detail, timezone)
        self._show_signers(detail, timezone)
        self.events = [EventItem(at=format_datetime(e.at, timezone), text=_event_text(e)) for e in detail.events]
        if not self.dirty:
            self._placed = [{"key": n, "signer_id": f.signer_id, "kind": f.kind, "page": f.page, "x": f.x, "y": f.y,
                             "width": f.width, "height": f.height, "label": f.label, "required": f.required}
                            for n, f in enumerate(detail.fields, start=1)]
            self._next_key = len(self._placed) + 1
            self._undo, self.can_undo = [], False
        self._show_fields()

    def _show_request(self, detail, timezone: str) -> None:
        """The request's header: title, status, order, identity check, files and their fingerprints, pages."""
        req = detail.request
        self.req_found, self.req_page_error = True, ""
        self.title, self.status, self.message = req.title, req.status, detail.message
        self.status_label = _(REQUEST_STATUS.get(self.status, self.status))
        self.account_name, self.account_href = req.account_name, routes.account_url(req.account_id)
        self.order_text = ((_('Signers sign one after another, in the order below.') if req.in_order else _('Signers may sign in any order.')))
        self.code_text = _code_text(req.require_email_code, req.email_code_names, len(detail.signers))
        self.original_href = routes.file_url(req.document_id)
        self.signed_href = routes.file_url(req.signed_document_id) if req.signed_document_id else ""
        self.fingerprints = (
            [_("Original SHA-256: {hash}").format(hash=detail.original_sha256)] if detail.original_sha256 else []) + (
            [_("Signed file SHA-256: {hash}").format(hash=detail.final_sha256)] if detail.final_sha256 else [])
        self.created = format_datetime(req.created_at, timezone)
        self._page_count, self._sizes = detail.page_count, [(size.width, size.height) for size in detail.pages]
        self.pages = [PageItem(index=i, number=i + 1, src=routes.sign_page_url(self.req_id, i),
                               aspect=f"{size.width:.2f} / {size.height:.2f}" if size.width and size.height
                               else "612 / 792")
                      for i, size in enumerate(detail.pages)]

    def _show_signers(self, detail, timezone: str) -> None:
        self._colors = {s.id: SIGNER_COLORS[n % len(SIGNER_COLORS)] for n, s in enumerate(detail.signers)}
        self._names = {s.id: s.name for s in detail.signers}
        self.signers = [SignerItem(
            id=s.id, name=s.name, email=s.email, status=s.status,
            status_label=_(signer_progress(s.status, s.viewed_at is not None, self.status)),
            color=self._colors[s.id], detail=_signer_detail(s, timezone), reason=s.decline_reason or "",
            check=(_("Identity check: portal login + a code sent by email") if s.require_email_code
                   else _("Identity check: portal login")))
            for s in detail.signers]
        self.signer_options = [Option(value=str(s.id), label=s.name) for s in self.signers]
        if self.tool_signer not in {o.value for o in self.signer_options}:
            self.tool_signer = self.signer_options[0].value if self.signer_options else ""

    @allow(STAFF)
    def load(self):
        self.req_error = self.req_notice = ""
        self.cancel_open, self.dirty, self.selected_key = False, False, -1
        request_id = parse_id(getattr(self, "request_id", ""))
        if request_id is None:
            self.req_found, self.req_page_error = False, _("That signature request does not exist.")
            return
        self.req_id = request_id
        self._refresh()

    @allow(STAFF)
    def choose_signer(self, signer_id: str):
        """The signer the next placed field belongs to."""
        value = str(signer_id or "")
        if value in {o.value for o in self.signer_options}:
            self.tool_signer = value

    @allow(STAFF)
    def choose_kind(self, kind: str):
        """The kind of the next placed field."""
        if str(kind) in FIELD_KINDS:
            self.tool_kind = str(kind)

    def _add_field(self, page, x, y) -> None:
        self.req_notice = ""
        with shown_in(self, "req_error"):
            field = self._new_field(_page_index(page), _fraction(x), _fraction(y), parse_id(self.tool_signer))
            self._change([*self._placed, field])
            self.selected_key = self._next_key
            self._next_key += 1
            self.dirty, self.req_error = True, ""
            self._show_fields()

    def _new_field(self, page_index: int | None, x: float | None, y: float | None, signer: int | None) -> dict:
        """A field of the chosen kind for `signer`, centred on (x, y) of a page; refused with a sentence when it
        cannot go there."""
        if self.status != "draft":
            raise InvalidInput(_('Fields can only be placed before the request is sent.'))
        if page_index is None or not 0 <= page_index < self._page_count or x is None or y is None:
            raise InvalidInput(_('That place is not on a page of the document.'))
        if signer is None or signer not in self._colors:
            raise InvalidInput(_('Choose the signer the field is for.'))
        if len(self._placed) >= MAX_FIELDS:
            raise InvalidInput(_('A request holds at most {max_fields} fields.').format(max_fields=MAX_FIELDS))
        left, top, width, height = field_box(self.tool_kind, x, y)
        return {"key": self._next_key, "signer_id": signer, "kind": self.tool_kind, "page": page_index,
                "x": left, "y": top, "width": width, "height": height, "label": "", "required": True}

    @allow(STAFF)
    def place(self, page: int, x: float, y: float):
        """A click on a page image: a field of the chosen kind for the chosen signer, centred there."""
        self._add_field(page, x, y)

    @allow(STAFF)
    def place_by_numbers(self, form: dict):
        """The keyboard way to place a field: page number and how far across and down, in percent."""
        page = parse_id(form.get("page"))
        try:
            x, y = float(form.get("x", "")) / 100, float(form.get("y", "")) / 100
        except (TypeError, ValueError):
            self.req_error = _('Give how far across and down the field goes, from 0 to 100 percent.')
            return
        if page is None:
            self.req_error = _('Give a page number from 1 to {page_count}.').format(page_count=self._page_count)
            return
        self._add_field(page - 1, x, y)
        if not self.req_error:
            self.keyboard_key += 1

    @allow(STAFF)
    def select_field(self, key: int):
        chosen = parse_id(key)
        self.selected_key = chosen if chosen is not None and any(f["key"] == chosen for f in self._placed) else -1
        self._show_fields()

    def _change(self, placed: list[dict]) -> None:
        """The fields as changed, the way they were kept for Undo (the last UNDO_STEPS changes)."""
        self._undo = [*self._undo[-(UNDO_STEPS - 1):], self._placed]
        self._placed, self.can_undo = placed, True

    @allow(STAFF)
    def undo_field_change(self):
        """The fields as they were before the last change (placing, moving, resizing, deleting, re-assigning)."""
        if self.status != "draft" or not self._undo:
            return
        self._placed, self._undo = self._undo[-1], self._undo[:-1]
        self.can_undo, self.dirty = bool(self._undo), True
        self._show_fields()

    def _reshape(self, key, box: tuple[float, float, float, float]) -> None:
        """Give the field `key` this box (snapped onto its page) and select it."""
        x, y, width, height = field_fit.snap_box(*box)
        self._change([{**f, "x": x, "y": y, "width": width, "height": height} if f["key"] == key else f
                      for f in self._placed])
        self.selected_key, self.dirty = key, True
        self._show_fields()

    def _placed_field(self, key) -> dict | None:
        chosen = parse_id(key)
        if self.status != "draft" or chosen is None:
            return None
        return next((f for f in self._placed if f["key"] == chosen), None)

    @allow(STAFF)
    def move_field(self, key: int, box: list | None):
        """A field dragged or resized on the page: its new box [x, y, width, height], fractions of the page."""
        field = self._placed_field(key)
        values = [_fraction(v) for v in box] if isinstance(box, list) and len(box) == 4 else [None]
        if field is None or None in values:
            return
        self._reshape(field["key"], tuple(values))

    @allow(STAFF)
    def nudge_field(self, key: int, arrow: str, shift: bool):
        """Arrow keys on a focused field: move it by half a percent of the page; with Shift, resize it."""
        field = self._placed_field(key)
        if field is None or arrow not in NUDGES:
            return
        dx, dy = NUDGES[arrow]
        x, y, width, height = field["x"], field["y"], field["width"], field["height"]
        if shift is True:
            self._reshape(field["key"], (x, y, width + dx, height + dy))
        else:
            self._reshape(field["key"], (x + dx, y + dy, width, height))

    @allow(STAFF)
    def delete_field(self):
        if self.status != "draft" or self.selected_key < 0:
            return
        self._change([f for f in self._placed if f["key"] != self.selected_key])
        self.selected_key, self.dirty = -1, True
        self._show_fields()

    @allow(STAFF)
    def change_field_signer(self, signer_id: str):
        signer = parse_id(signer_id)
        if self.status != "draft" or signer is None or signer not in self._colors:
            return
        self._change([{**f, "signer_id": signer} if f["key"] == self.selected_key else f for f in self._placed])
        self.dirty = True
        self._show_fields()

    @allow(STAFF)
    def change_field_kind(self, kind: str):
        kind = str(kind or "")
        if self.status != "draft" or kind not in FIELD_KINDS:
            return
        width, height = FIELD_SIZES[kind]
        self._change([{**f, "kind": kind, "width": width, "height": height,
                       "x": min(f["x"], 1.0 - width), "y": min(f["y"], 1.0 - height)}
                      if f["key"] == self.selected_key else f for f in self._placed])
        self.dirty = True
        self._show_fields()

    def _save(self) -> bool:
        fields = [{k: f[k] for k in ("signer_id", "kind", "page", "x", "y", "width", "height", "label", "required")}
                  for f in self._placed]
        self.req_error = ""
        with shown_in(self, "req_error"):
            run(requests.set_fields, self._require(), self.req_id, fields)
            self.dirty = False
            return True
        return False

    @allow(STAFF)
    def save_fields(self):
        if self._save():
            self.req_notice = _('Fields saved.')
            self._refresh()

    @allow(STAFF)
    def send(self, form: dict):
        """Save the fields if they changed, then tell the signers (the service refuses a signer with no field)."""
        self.req_notice = ""
        every = str(form.get("remind_every", "") or "").strip()
        times = str(form.get("remind_times", "") or "").strip()
        remind_every, remind_times = None, 0
        if every not in ("", "0"):
            days = parse_id(every)
            count = parse_id(times) if times else 3
            if days is None or count is None or days > 60 or count > 20:
                self.req_error = _('Reminders: give every how many days (1 to 60) and how many times (1 to 20).')
                return None
            remind_every, remind_times = dt.timedelta(days=days), count
        if self.dirty and not self._save():
            return None
        if write_and_refresh(self, requests.send, self.req_id, remind_every=remind_every, remind_times=remind_times,
                             shown="req_error"):
            return rx.toast.success(_('Sent. The signers are emailed and see it in their portal.'))
        return None

    @allow(STAFF)
    def set_cancel_open(self, open_: bool):
        self.cancel_open = bool(open_)

    @allow(STAFF)
    def cancel_request(self):
        self.cancel_open = False
        if write_and_refresh(self, requests.cancel, self.req_id, shown="req_error"):
            return rx.toast.success(_('Signature request cancelled.'))
        return None


def _code_text(everyone: bool, names: list[str], signer_count: int) -> str:
    """Who also types a code sent by email, in a sentence (empty when nobody does)."""
    if not names:
        return ""
    if everyone and signer_count > 1:
        return _("Each signer also types a code sent to them by email.")
    if everyone:
        return _("{name} also types a code sent by email.").format(name=names[0])
    if len(names) == 1:
        return _("{name} also types a code sent by email; the others sign with their portal login.").format(
            name=names[0])
    return _("{names} and {last} also type a code sent by email; the others sign with their portal login.").format(
        names=", ".join(names[:-1]), last=names[-1])


def _signer_detail(signer, timezone: str) -> str:
    """When the signer viewed, consented, signed or declined, and the identity check, in one line."""
    parts = [label.format(at=format_datetime(at, timezone)) for label, at in (
        (_("viewed {at}"), signer.viewed_at), (_("consented {at}"), signer.consented_at),
        (_("signed {at}"), signer.signed_at), (_("declined {at}"), signer.declined_at)) if at]
    if signer.identity_check:
        parts.append(_("identity: {check}").format(check=signer.identity_check)
                     + (f" ({signer.identity_result})" if signer.identity_result else ""))
    if signer.ip_address:
        parts.append(_("IP address {address}").format(address=signer.ip_address))
    return " · ".join(parts)


# --- document templates ---------------------------------------------------------------------------


class DocTemplatesState(AppState):
    doc_templates: list[DocTemplateItem] = []
    tpl_id: int = 0
    tpl_editing: bool = False
    draft_name: str = ""
    draft_body: str = ""
    # The French version (empty: signers who read French get the body above).
    draft_body_fr: str = ""
    tpl_form_key: int = 0
    tpl_error: str = ""
    tpl_notice: str = ""
    tpl_delete_open: bool = False

    def _refresh(self) -> None:
        try:
            rows, timezone = read(_templates_view, self._require())
        except PracticeError as err:
            self.tpl_error = str(err)
            return
        self.doc_templates = [DocTemplateItem(id=t.id, name=t.name, updated=format_datetime(t.updated_at, timezone))
                              for t in rows]

    @allow(STAFF)
    def load(self):
        self.tpl_error = self.tpl_notice = ""
        self.tpl_editing, self.tpl_id, self.tpl_delete_open = False, 0, False
        self._refresh()

    @allow(STAFF)
    def open_template(self, template_id: int):
        template = parse_id(template_id)
        self.tpl_error = _('That template does not exist (it may have been deleted).')
        if template is None:
            return
        with shown_in(self, "tpl_error"):
            self._open(read(doc_templates.get_template, self._require(), template))

    def _open(self, row) -> None:
        if row is None:
            return
        self.tpl_id, self.draft_name, self.draft_body, self.draft_body_fr = row.id, row.name, row.body, row.body_fr
        self.tpl_editing, self.tpl_error, self.tpl_notice = True, "", ""
        self.tpl_form_key += 1

    @allow(ADMIN)
    def new_template(self):
        self.tpl_id, self.draft_name, self.draft_body, self.draft_body_fr = 0, "", STARTER_BODY, ""
        self.tpl_editing, self.tpl_error, self.tpl_notice = True, "", ""
        self.tpl_form_key += 1

    @allow(STAFF)
    def close_editor(self):
        self.tpl_editing, self.tpl_id, self.tpl_error, self.tpl_notice = False, 0, "", ""

    @allow(STAFF)
    def keep_name(self, value: str):
        """The name as typed (kept on blur so Save and Preview use it)."""
        self.draft_name = str(value or "")[:200]

    @allow(STAFF)
    def keep_body(self, value: str):
        """The body as typed (kept on blur so Save and Preview use it)."""
        self.draft_body = str(value or "")[:200_000]

    @allow(STAFF)
    def keep_body_fr(self, value: str):
        """The French version as typed (kept on blur so Save and Preview use it)."""
        self.draft_body_fr = str(value or "")[:200_000]

    @allow(ADMIN)
    async def save_template(self, form: dict):
        self.draft_name = str(form.get("name", self.draft_name) or "")[:200]
        self.draft_body = str(form.get("body", self.draft_body) or "")[:200_000]
        self.draft_body_fr = str(form.get("body_fr", self.draft_body_fr) or "")[:200_000]
        self.tpl_error, self.tpl_notice = "", ""
        with shown_in(self, "tpl_error"):
            # Checked by a limited child (up to its time limit): awaited off the event loop.
            saved = await run_off_loop(doc_templates.save_template, self._require(), name=self.draft_name,
                                       body=self.draft_body, body_fr=self.draft_body_fr,
                                       template_id=self.tpl_id or None)
            self.tpl_id, self.tpl_notice = saved.id, _("Template saved.")
            self._refresh()
        return None

    @allow(STAFF)
    async def preview(self, language: str = ""):
        """The template (saved or not) filled with sample data, as a PDF download (laid out off the event loop);
        with `language` "fr", its French version as a signer who reads French gets it."""
        self.tpl_error = ""
        french = language == "fr"
        with shown_in(self, "tpl_error"):
            pdf = (await asyncio.to_thread(read, doc_templates.preview, self._require(), language="fr" if french else "",
                                           body=self.draft_body_fr if french else self.draft_body)).pdf
            name = "".join(ch for ch in (self.draft_name or "template") if ch.isalnum() or ch in " -_").strip()
            return rx.download(data=pdf, filename=f"{name or 'template'}{' (FR)' if french else ''} preview.pdf")
        return None

    @allow(ADMIN)
    def set_delete_open(self, open_: bool):
        self.tpl_delete_open = bool(open_)

    @allow(ADMIN)
    def delete_template(self):
        self.tpl_error, self.tpl_delete_open = "", False
        with shown_in(self, "tpl_error"):
            run(doc_templates.delete_template, self._require(), self.tpl_id)
            self.tpl_editing, self.tpl_id = False, 0
            self._refresh()
            return rx.toast.success(_('Template deleted.'))
        return None


def _templates_view(session, actor):
    return doc_templates.list_templates(session, actor), firm.get_firm(session).timezone

"""The Client requests section of the job page and of the account page (every job's requests, and those about no
job; one sent from there is about no job): send one (from a template or typed: items with a kind, a name and a
note) to a contact of the account or to any address, follow each request's progress live (a watcher reloads the list
when an answer arrives), read the answers, and revoke a request still open."""
from __future__ import annotations

import dataclasses
import datetime as dt

import reflex as rx

from practice.i18n import _
from practice.services import firm
from practice.services.client_requests import sending
from practice.services.errors import InvalidInput, PracticeError
from practice.services.formatting import format_datetime
from practice.services.work import accounts, jobs
from practice.state.base import STAFF, AppState, allow, read, shown_in, write_and_refresh
from practice.state.views import Option
from practice.state.work_views import parse_id

POLL_MS = 3000
# "Remind every 3 days until it is complete": what the form's box asks for (the rules' action says its own).
REMIND_EVERY = dt.timedelta(days=3)
REMIND_TIMES = 3
MAX_DRAFT = sending.MAX_ITEMS


@dataclasses.dataclass
class DraftItem:
    kind: str = "file"
    label: str = ""
    note: str = ""


@dataclasses.dataclass
class AnswerRow:
    label: str = ""
    answer: str = ""
    answered: bool = False


@dataclasses.dataclass
class RequestItem:
    id: int = 0
    title: str = ""
    recipient: str = ""
    status: str = "open"
    status_text: str = ""
    progress: str = ""
    sent: str = ""
    answers: list[AnswerRow] = dataclasses.field(default_factory=list)
    job: str = ""  # on the account page: the job it is about


def _answer_text(item: sending.ItemRow) -> str:
    if item.kind == "file":
        return ", ".join(name for _id, name in item.documents)
    return item.answer


def _view(session, actor, job_id: int, account_id: int = 0) -> dict:
    """The job's requests, or (no job) the account's."""
    if job_id:
        account_id = jobs.get_job(session, actor, job_id).account_id
        rows = sending.list_for_job(session, actor, job_id, with_items=True)
    else:
        rows = sending.list_for_account(session, actor, account_id, with_items=True)
    timezone = firm.get_firm(session).timezone
    return {"account_id": account_id, "timezone": timezone,
            "rows": [RequestItem(r.id, r.title, r.recipient, r.status, r.status_text,
                                 _("{answered} of {total} given").format(answered=r.answered, total=r.total),
                                 format_datetime(r.created_at, timezone),
                                 [AnswerRow(i.label, _answer_text(i), i.answered) for i in r.items], r.job_name)
                     for r in rows],
            "templates": [(t.id, t.name) for t in sending.list_templates(session, actor)],
            "contacts": [(c.id, f"{sending.contact_name(c)} <{c.email}>") for c in
                         accounts.contacts_of(session, actor, account_id) if (c.email or "").strip()]}


def _fingerprint(rows: list[RequestItem]) -> tuple:
    return tuple((r.id, r.status, r.progress) for r in rows)


def _send(session, actor, account_id: int, job_id: int, form: dict, items: list[dict]):
    recipient = str(form.get("recipient", "") or "")
    contact_id = parse_id(recipient.removeprefix("contact:")) if recipient.startswith("contact:") else None
    email = str(form.get("email", "") or "")[:320] if contact_id is None else None
    if contact_id is None and not email.strip():
        raise InvalidInput(_("Choose a contact, or type the email address of whoever should answer."),
                           field="recipient")
    remind = bool(form.get("remind"))
    return sending.send_request(session, actor, account_id, job_id=job_id or None, contact_id=contact_id, email=email,
                                title=str(form.get("title", "") or "")[:500],
                                message=str(form.get("message", "") or "")[:6000], items=items,
                                remind_every=REMIND_EVERY if remind else None, remind_times=REMIND_TIMES if remind else 0)


class ClientRequestsState(AppState):
    cr_job: int = 0
    cr_account: int = 0
    cr_items: list[RequestItem] = []
    cr_templates: list[Option] = []
    cr_contacts: list[Option] = []
    cr_error: str = ""
    cr_form_open: bool = False
    cr_form_key: int = 0
    cr_recipient: str = ""
    cr_title: str = ""
    cr_message: str = ""
    cr_draft: list[DraftItem] = []
    cr_open: int = 0

    def _apply(self, view: dict) -> None:
        self.cr_account, self.cr_items = view["account_id"], view["rows"]
        self.cr_templates = [Option(value=str(i), label=name) for i, name in view["templates"]]
        self.cr_contacts = [Option(value=f"contact:{i}", label=label) for i, label in view["contacts"]]

    def _refresh(self) -> None:
        try:
            self._apply(read(_view, self._require(), self.cr_job, self.cr_account))
        except PracticeError as err:
            self.cr_error, self.cr_items = str(err), []

    @allow(STAFF)
    def load_job(self):
        self.cr_error, self.cr_open, self.cr_form_open, self.cr_account = "", 0, False, 0
        self.cr_job = parse_id(getattr(self, "job_id", "")) or 0
        if self.cr_job:
            self._refresh()

    @allow(STAFF)
    def load_account(self):
        """The account page: every request sent to the account, whichever job it is about."""
        self.cr_error, self.cr_open, self.cr_form_open, self.cr_job = "", 0, False, 0
        self.cr_account = parse_id(getattr(self, "account_id", "")) or 0
        if self.cr_account:
            self._refresh()

    @allow(STAFF)
    def tick(self):
        """Every few seconds while the job or account page is open (the page's timer): show new answers and
        statuses."""
        if not (self.cr_job or self.cr_account):
            return
        try:
            view = read(_view, self._require(), self.cr_job, self.cr_account)
        except PracticeError:
            return
        if _fingerprint(view["rows"]) != _fingerprint(self.cr_items):
            self._apply(view)

    @allow(STAFF)
    def new_request(self):
        self.cr_form_open, self.cr_error, self.cr_recipient = True, "", ""
        self.cr_title, self.cr_message = "", ""
        self.cr_draft = [DraftItem()]
        self.cr_form_key += 1

    @allow(STAFF)
    def cancel(self):
        self.cr_form_open, self.cr_error = False, ""

    @allow(STAFF)
    def use_template(self, template_id: str):
        """Fill the form from a template (the items stay editable)."""
        wanted = parse_id(template_id)
        with shown_in(self, "cr_error"):
            found = next((t for t in read(lambda s, a: sending.list_templates(s, a), self._require())
                          if t.id == wanted), None)
            if found is not None:
                self.cr_title, self.cr_message = found.title, found.message
                self.cr_draft = [DraftItem(i["kind"], i["label"], i.get("note", "")) for i in found.items]
                self.cr_form_key += 1

    @allow(STAFF)
    def set_recipient(self, value: str):
        self.cr_recipient = str(value or "")[:40]

    @allow(STAFF)
    def add_item(self):
        if len(self.cr_draft) < MAX_DRAFT:
            self.cr_draft = [*self.cr_draft, DraftItem()]

    @allow(STAFF)
    def remove_item(self, index: int):
        index = int(index)
        self.cr_draft = [d for n, d in enumerate(self.cr_draft) if n != index]

    @allow(STAFF)
    def set_item(self, index: int, part: str, value: str):
        index, part = int(index), str(part)
        if part not in ("kind", "label", "note") or not 0 <= index < len(self.cr_draft):
            return
        draft = list(self.cr_draft)
        draft[index] = dataclasses.replace(draft[index], **{part: str(value or "")[:1000]})
        self.cr_draft = draft

    @allow(STAFF)
    def send(self, form: dict):
        items = [dataclasses.asdict(d) for d in self.cr_draft]
        form = {**form, "recipient": self.cr_recipient}
        if write_and_refresh(self, _send, self.cr_account, self.cr_job, form, items, shown="cr_error"):
            self.cr_form_open = False
            return rx.toast.success(_("Request sent. The recipient was emailed a link to answer it."))

    @allow(STAFF)
    def open(self, request_id: int):
        self.cr_open = 0 if self.cr_open == int(request_id) else int(request_id)

    @allow(STAFF)
    def revoke(self, request_id: int):
        if write_and_refresh(self, sending.revoke, int(request_id), shown="cr_error"):
            return rx.toast.success(_("Request revoked: its link no longer opens anything."))

"""The page a client request's recipient opens from the emailed link, with no login: the link's token (the route's
last part) opens that one request; a browser seen for the first time asks for the code emailed to the recipient.
The browser's device id lives in its localStorage and comes with each call (the page state of a tab nobody is
logged in on is short-lived, so nothing of the visit depends on it surviving); each answer is saved as it is given."""
from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from practice.i18n import _
from practice.services.client_requests import answering
from practice.services.errors import PracticeError
from practice.state.base import ANYONE, AppState, allow, client_address, run, shown_in

DEVICE_KEY = "practice_request_device"
# The browser's id for this site's request links: made once, kept in localStorage, handed to the server.
DEVICE_JS = (f"(() => {{ let d = localStorage.getItem('{DEVICE_KEY}'); if (!d) {{ d = crypto.randomUUID() + "
             f"crypto.randomUUID(); localStorage.setItem('{DEVICE_KEY}', d); }} return d; }})()")


@dataclasses.dataclass
class FileRow:
    id: int = 0
    name: str = ""


@dataclasses.dataclass
class ItemRow:
    id: int = 0
    kind: str = "file"
    label: str = ""
    note: str = ""
    answered: bool = False
    text: str = ""
    yes_no: str = ""
    files: list[FileRow] = dataclasses.field(default_factory=list)


class RequestLinkState(AppState):
    opened: bool = False
    closed: str = ""  # why the link opens nothing (unknown, revoked, complete)
    title: str = ""
    message: str = ""
    firm_name: str = ""
    email: str = ""
    needs_code: bool = False
    code_sent: bool = False
    items: list[ItemRow] = []
    answered: int = 0
    total: int = 0
    upload_for: int = 0
    error: str = ""
    code_error: str = ""
    item_error: dict[str, str] = {}
    done: bool = False
    device: str = ""

    def _token(self) -> str:
        return str(self.router.page.params.get("token", "") or "")[:200]

    def _call(self, fn, *args):
        return run(fn, self._token(), *args, device=self.device, ip=client_address(self))

    def _show(self, view: answering.RequestView) -> None:
        self.opened, self.closed = True, ""
        self.title, self.message, self.firm_name, self.email = view.title, view.message, view.firm_name, \
            view.recipient_email
        self.needs_code, self.code_sent, self.answered, self.total = view.needs_code, view.code_sent, view.answered, \
            view.total
        self.items = [ItemRow(i.id, i.kind, i.label, i.note, i.answered, i.answer_text,
                              "" if i.answer_yes is None else ("yes" if i.answer_yes else "no"),
                              [FileRow(d, n) for d, n in i.files]) for i in view.items]

    def _upload_refusal(self) -> str:
        """Why an upload from this tab could not be kept ("" when it can): the upload gate asks before it reads a
        byte of the body (the link open, this browser known to it, the chosen item one of its file items)."""
        try:
            answering.check_upload(self._token(), self.upload_for, device=self.device, ip=client_address(self))
        except PracticeError as err:
            return str(err)
        return ""

    def _refresh(self) -> None:
        try:
            self._show(self._call(answering.open_request))
        except PracticeError as err:
            self.opened, self.closed, self.items = True, str(err), []

    @allow(ANYONE)
    def load(self):
        """Ask the browser for its device id, then open the request with it."""
        self._show_visitor_language()
        self.error, self.code_error, self.item_error, self.done = "", "", {}, False
        return rx.call_script(DEVICE_JS, callback=RequestLinkState.with_device)

    @allow(ANYONE)
    def with_device(self, device: str):
        self.device = str(device or "")[:200]
        self._refresh()

    @allow(ANYONE)
    def send_code(self):
        self.code_error = ""
        with shown_in(self, "code_error"):
            email = self._call(answering.send_code)
            self.code_sent = True
            return rx.toast.success(_("A code is on its way to {email}.").format(email=email))

    @allow(ANYONE)
    def enter_code(self, form: dict):
        self.code_error = ""
        with shown_in(self, "code_error"):
            self._show(self._call(answering.enter_code, str(form.get("code", ""))[:20]))

    def _saved(self, item_id: int, fn, *args) -> None:
        self.item_error = {k: v for k, v in self.item_error.items() if k != str(item_id)}
        try:
            self._call(fn, item_id, *args)
        except PracticeError as err:
            self.item_error = {**self.item_error, str(item_id): str(err)}
        self._refresh()

    @allow(ANYONE)
    def save_text(self, item_id: int, value: str):
        self._saved(int(item_id), answering.answer_text, str(value or "")[:5000])

    @allow(ANYONE)
    def save_yes_no(self, item_id: int, value: str):
        self._saved(int(item_id), answering.answer_yes_no, str(value or "")[:10])

    @allow(ANYONE)
    def remove_file(self, item_id: int, document_id: int):
        self._saved(int(item_id), answering.remove_file, int(document_id))

    @allow(ANYONE)
    def choose(self, item_id: int):
        self.upload_for = int(item_id)

    @allow(ANYONE)
    async def upload(self, files: list[rx.UploadFile]):
        """Each file through the documents' checked upload, onto the chosen item."""
        item_id, key = self.upload_for, str(self.upload_for)
        self.item_error = {k: v for k, v in self.item_error.items() if k != key}
        for upload in (files or [])[:answering.MAX_FILES]:
            try:
                await asyncio.to_thread(answering.upload_file, self._token(), item_id,
                                        str(upload.name or "upload")[:300], upload.file, device=self.device,
                                        ip=client_address(self))
            except PracticeError as err:
                self.item_error = {**self.item_error, key: str(err)}
        self.upload_for = 0
        self._refresh()

    @allow(ANYONE)
    def complete(self):
        self.error = ""
        with shown_in(self, "error"):
            self._call(answering.complete)
            self.done, self.items = True, []
            self.closed = _("Thank you: “{title}” is complete and the firm has your answers.").format(
                title=self.title)

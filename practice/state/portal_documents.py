"""The portal's Documents page: the current account's folders and files, uploads and downloads for a contact."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice import routes
from practice.i18n import _
from practice.services.documents import storage
from practice.services.portal import pages
from practice.services.actor import ContactActor
from practice.services.errors import PracticeError
from practice.services.formatting import format_datetime, relative_time
from practice.state.base import ANYONE, CONTACT, allow, read
from practice.state.documents import size_text, store_uploads
from practice.state.portal import PortalState
from practice.state.views import Option
from practice.state.work_views import parse_id

NO_FOLDER = "none"


@dataclasses.dataclass
class PortalDocumentItem:
    id: int = 0
    name: str = ""
    folder: str = ""
    size: str = ""
    when: str = ""
    exact: str = ""
    who: str = ""
    href: str = ""
    # Locked until an invoice is paid: why, and where to pay it (empty when there is nothing to pay).
    locked: bool = False
    lock_text: str = ""
    pay_label: str = ""
    pay_href: str = ""


def document_item(d: pages.DocumentItem, timezone: str | None) -> PortalDocumentItem:
    """One document of the list; a locked one says which invoice opens it and links to paying it."""
    lock = d.lock
    payable = lock is not None and not lock.voided and lock.number is not None
    return PortalDocumentItem(
        id=d.id, name=d.name, folder=d.folder or _("No folder"), size=size_text(d.size),
        when=relative_time(d.uploaded_at, timezone), exact=format_datetime(d.uploaded_at, timezone),
        who=d.uploaded_by, href="" if lock else routes.file_url(d.id), locked=lock is not None,
        lock_text=(_("Locked until invoice {number} is paid.").format(number=lock.number) if payable
                   else lock.sentence() if lock else ""),
        pay_label=_("Pay invoice {number} to open").format(number=lock.number) if payable else "",
        pay_href=routes.portal_pay_url(lock.invoice_id) if payable else "")


class PortalDocumentsState(PortalState):
    folder_options: list[Option] = []
    upload_folder: str = NO_FOLDER
    docs: list[PortalDocumentItem] = []
    notice: str = ""
    uploading: bool = False
    loaded: bool = False

    def _doc_actor(self, actor) -> ContactActor:
        # Only the account the contact is looking at: uploads and lists follow the account switcher.
        return actor.limited_to(actor.current_account_id)

    @allow(ANYONE)
    async def load(self):
        self.notice, self.uploading = "", False
        actor, view = await self._open(pages.documents_page)
        if actor is None:
            return rx.redirect(routes.PORTAL_LOGIN)
        self._show(view)

    def _refresh(self, actor) -> None:
        """Read the page again after an upload."""
        view = None
        if actor.current_account_id is not None:
            try:
                view = read(pages.documents_page, actor)
            except PracticeError as err:
                self.error = str(err)
        self._show(view)

    def _show(self, view: pages.DocumentsPage | None) -> None:
        self.loaded = True
        if view is None:
            self.docs, self.folder_options = [], []
            return
        self.folder_options = [Option(value=NO_FOLDER, label=_("No folder"))] + [
            Option(value=str(f.id), label=f.path) for f in view.folders]
        if self.upload_folder not in {o.value for o in self.folder_options}:
            self.upload_folder = NO_FOLDER
        timezone = self._timezone or None
        self.docs = [document_item(d, timezone) for d in view.documents]

    @allow(CONTACT)
    def choose_folder(self, value: str):
        value = str(value or NO_FOLDER)[:20]
        self.upload_folder = value if value in {o.value for o in self.folder_options} else NO_FOLDER

    @allow(CONTACT)
    def file_rejected(self, rejected: list[dict] | None = None):
        self.error = storage.limits_sentence("send")

    @allow(CONTACT)
    async def handle_upload(self, files: list[rx.UploadFile]):
        """Store each file for the current account (off the event loop: a PDF check may take seconds)."""
        actor = self._require()
        self.error = self.notice = ""
        if not files:
            self.error = _("Choose a file to upload.")
            return
        if actor.current_account_id is None:
            self.error = _("Your login is not linked to an account yet. Ask the firm.")
            return
        folder = parse_id(self.upload_folder) if self.upload_folder != NO_FOLDER else None
        stored, problems = await store_uploads(self._doc_actor(actor), actor.current_account_id, folder, files[:20],
                                               refused=_('"{name}" was not accepted: {refusal}'))
        self.error = " ".join(problems)
        if stored:
            self.notice = _("Thank you, we received {names}.").format(names=", ".join(f'"{n}"' for n in stored))
        self._refresh(actor)

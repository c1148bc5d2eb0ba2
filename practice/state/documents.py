"""The Documents section of the account page, and the admins' folder templates page."""
from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from babel.numbers import format_decimal

from practice import routes
from practice.i18n import N_, _, babel_locale, ngettext
from practice.services import firm
from practice.services.documents import (files as document_files, folder_templates, folders as document_folders, sharing,
                                         storage)
from practice.services.errors import PracticeError
from practice.services.portal import approvals
from practice.services.formatting import format_datetime, relative_time
from practice.state.base import (ADMIN, STAFF, AppState, allow, read, remount_if_changed, run, shown_in, write_and_refresh)
from practice.state.document_locks import DocumentLocking
from practice.state.views import Option
from practice.state.work_views import parse_id

ALL = "all"
UNFILED = "unfiled"
NO_FOLDER = "none"


@dataclasses.dataclass
class FolderItem:
    id: int = 0
    name: str = ""
    path: str = ""
    indent: str = "0em"
    count: int = 0
    shared: bool = True
    shown: bool = True


@dataclasses.dataclass
class DocumentItem:
    id: int = 0
    name: str = ""
    folder: str = ""
    size: str = ""
    pages: str = ""
    who: str = ""
    when: str = ""
    exact: str = ""
    href: str = ""
    refused: bool = False
    refusal: str = ""
    shared: bool = True
    # What the client sees: "Shared", "Internal", or shared but inside an internal folder.
    visibility: str = "Shared"
    folder_id: str = ""
    # Locked until an invoice is paid: which, and what staff read about it (a voided invoice keeps it locked).
    locked: bool = False
    lock_invoice_id: int = 0
    lock_text: str = ""
    lock_voided: bool = False


@dataclasses.dataclass
class TrashItem:
    id: int = 0
    name: str = ""
    deleted: str = ""


@dataclasses.dataclass
class ApprovalItem:
    id: int = 0
    document: str = ""
    href: str = ""
    job: str = ""
    status: str = ""
    pending: bool = False
    reason: str = ""
    requested: str = ""
    decided: str = ""


@dataclasses.dataclass
class TemplateFolder:
    path: str = ""
    shared: bool = True


@dataclasses.dataclass
class TemplateItem:
    id: int = 0
    name: str = ""
    paths: str = ""
    count: int = 0
    folders: list[TemplateFolder] = dataclasses.field(default_factory=list)


def size_text(size: int) -> str:
    """A file's size as people read it: "1.5 MB", "12 KB", "300 bytes" ("1,5 Mo", "12 Ko", "300 octets")."""
    if size >= 1024 * 1024:
        return _("{size} MB").format(size=format_decimal(size / 1024 / 1024, format="0.0", locale=babel_locale()))
    if size >= 1024:
        return _("{size} KB").format(size=round(size / 1024))
    return ngettext("{n} byte", "{n} bytes", size).format(n=size)


def _documents_view(session, actor, account_id: int) -> dict:
    tree = document_folders.folder_tree(session, actor, account_id)
    docs = document_files.list_documents(session, actor, account_id)
    return {"tree": tree, "docs": docs, "templates": folder_templates.list_folder_templates(session),
            "approvals": approvals.list_for_account(session, actor, account_id),
            "trash": document_files.trash(session, actor, account_id),
            "timezone": firm.get_firm(session).timezone}


def folder_items(tree, docs) -> list[FolderItem]:
    """The account's folders, indented by depth, each with how many documents it holds."""
    counts: dict = {}
    for d in docs:
        counts[d.folder_id] = counts.get(d.folder_id, 0) + 1
    return [FolderItem(id=f.id, name=f.name, path=f.path, indent=f"{f.depth * 1.2}em", count=counts.get(f.id, 0),
                       shared=f.shared, shown=f.shown) for f in tree]


def _visibility(d) -> str:
    if d.shown:
        return "Shared"
    return "Internal" if not d.shared else "Internal folder"


def trash_items(rows, timezone: str) -> list[TrashItem]:
    return [TrashItem(id=t.id, name=t.name, deleted=_("Deleted by {name} {when}").format(
        name=t.deleted_by, when=relative_time(t.deleted_at, timezone)))
            for t in rows]


def document_items(docs, timezone: str) -> list[DocumentItem]:
    """The account's documents with their download links (none for a refused file)."""
    return [DocumentItem(
        id=d.id, name=d.name, folder=d.folder or _("No folder"), size=size_text(d.size),
        pages=ngettext("{n} page", "{n} pages", d.pages).format(n=d.pages) if d.pages else "",
        who=d.uploaded_by or _("Someone"), when=relative_time(d.uploaded_at, timezone),
        exact=format_datetime(d.uploaded_at, timezone),
        href="" if d.status != "ok" else routes.file_url(d.id),
        refused=d.status != "ok", refusal=d.refusal, shared=d.shared, visibility=_visibility(d),
        folder_id=str(d.folder_id or ""), locked=d.lock is not None,
        lock_invoice_id=d.lock.invoice_id if d.lock else 0, lock_text=_lock_text(d.lock),
        lock_voided=bool(d.lock and d.lock.voided)) for d in docs]


def _lock_text(lock) -> str:
    if lock is None:
        return ""
    if lock.voided:
        return _("Locked: invoice {number} was voided. Choose another invoice or unlock it.").format(number=lock.number)
    return _("Locked until invoice {number} is paid").format(number=lock.number)


# Who decided an approval request, by its status.
DECIDED = {"approved": N_("Approved by {name} {when}"), "rejected": N_("Rejected by {name} {when}")}


def approval_items(approvals_of_account, tz: str) -> list[ApprovalItem]:
    """The account's approval requests: who asked, and who decided what."""
    return [ApprovalItem(
        id=a.id, document=a.document_name, href=routes.file_url(a.document_id), job=a.job_name,
        status=a.status, pending=a.status == "pending", reason=a.reason,
        requested=_("Asked by {name} {when}").format(name=a.requested_by or _("the firm"),
                                                     when=format_datetime(a.requested_at, tz)),
        decided=(_(DECIDED.get(a.status, DECIDED["approved"])).format(
            name=a.decided_by or _("the client"), when=format_datetime(a.decided_at, tz)) if a.decided_at else ""))
        for a in approvals_of_account]


class AccountDocumentsState(DocumentLocking, AppState):
    doc_acct_id: int = 0
    # Whether the visitor may lock documents until an invoice is paid (manages invoices).
    can_lock: bool = False
    folders: list[FolderItem] = []
    docs: list[DocumentItem] = []
    folder_choice: str = ALL
    folder_label: str = ""  # empty until the load: the page shows "All documents" in the reader's language
    template_options: list[Option] = []
    doc_error: str = ""
    doc_notice: str = ""
    uploading: bool = False
    folder_form_key: int = 0
    approvals: list[ApprovalItem] = []
    trash: list[TrashItem] = []
    # The document just deleted, offered back with Undo until the next change.
    undo_id: int = 0
    undo_name: str = ""
    # Whether the next uploads are shared with the client (preset from the folder chosen).
    upload_shared: bool = True
    edit_open: bool = False
    edit_id: int = 0
    edit_name: str = ""
    edit_folder: str = NO_FOLDER
    move_options: list[Option] = []
    _all_docs: list[DocumentItem] = []

    def _refresh(self) -> None:
        self.can_lock = bool(getattr(self._require(), "manages_billing", False))
        try:
            view = read(_documents_view, self._require(), self.doc_acct_id)
        except PracticeError as err:
            self.doc_error = str(err)
            self.folders, self.docs, self._all_docs = [], [], []
            return
        self.folders = folder_items(view["tree"], view["docs"])
        self._all_docs = document_items(view["docs"], view["timezone"])
        self.template_options = [Option(value=str(t.id), label=t.name) for t in view["templates"]]
        self.approvals = approval_items(view["approvals"], view["timezone"])
        self.trash = trash_items(view["trash"], view["timezone"])
        self.move_options = [Option(value=NO_FOLDER, label=_("Not in a folder"))] + [
            Option(value=str(f.id), label=f.path) for f in view["tree"]]
        self._show()

    def _show(self) -> None:
        if self.folder_choice == ALL:
            self.docs, self.folder_label = list(self._all_docs), _("All documents")
            return
        if self.folder_choice == UNFILED:
            self.docs = [d for d in self._all_docs if not d.folder_id]
            self.folder_label = _('Not in a folder')
            return
        chosen = next((f for f in self.folders if str(f.id) == self.folder_choice), None)
        if chosen is None:
            self.folder_choice = ALL
            self._show()
            return
        self.docs = [d for d in self._all_docs if d.folder_id == str(chosen.id)]
        self.folder_label = chosen.path

    def _folder_id(self) -> int | None:
        return parse_id(self.folder_choice) if self.folder_choice not in (ALL, UNFILED) else None

    @allow(STAFF)
    def load(self):
        self.doc_error = self.doc_notice = ""
        self.uploading, self.undo_id, self.edit_open = False, 0, False
        account_id = parse_id(getattr(self, "account_id", ""))
        if account_id is None:
            self.doc_acct_id = 0
            return
        if account_id != self.doc_acct_id:
            # Another account: start from all its documents (a reload of the same one keeps the folder).
            self.folder_choice = ALL
        self.doc_acct_id = account_id
        self._refresh()
        self._preset_upload()

    @allow(STAFF)
    def choose_folder(self, choice: str):
        choice = str(choice or ALL)
        self.folder_choice = choice if choice in (ALL, UNFILED) or parse_id(choice) else ALL
        self.doc_notice = ""
        self._show()
        self._preset_upload()

    def _preset_upload(self) -> None:
        # Uploads into the folder open take its sharing unless staff untick it (the top level: shared).
        chosen = next((f for f in self.folders if str(f.id) == self.folder_choice), None)
        self.upload_shared = chosen.shown if chosen is not None else True

    @allow(STAFF)
    def set_upload_shared(self, checked: bool):
        self.upload_shared = bool(checked)

    @allow(STAFF)
    def share_document(self, document_id: int, shared: bool):
        """Share a document with the client, or make it internal."""
        doc = parse_id(document_id)
        if doc is not None and write_and_refresh(self, sharing.set_document_shared, doc, bool(shared),
                                                 shown="doc_error"):
            row = next((d for d in self._all_docs if d.id == doc), None)
            name = row.name if row else _("The document")
            self.doc_notice = (_('"{name}" is internal now.') if not shared else _('"{name}" is shared with the client.')
                               if row is None or row.visibility == "Shared" else
                               _('"{name}" is shared, but its folder is internal: share the folder too for the client '
                                 'to see it.')).format(name=name)

    @allow(STAFF)
    def share_folder(self, folder_id: int, shared: bool):
        """Share a folder with the client, or make it internal (what it holds leaves the portal)."""
        folder = parse_id(folder_id)
        if folder is not None and write_and_refresh(self, sharing.set_folder_shared, folder, bool(shared),
                                                    shown="doc_error"):
            name = next((f.path for f in self.folders if f.id == folder), _("The folder"))
            kept = sum(1 for d in self._all_docs if d.folder_id == str(folder) and not d.shared)
            self.doc_notice = (_('Folder "{name}" is internal: the client no longer sees what it holds.') if not shared
                               else ngettext('Folder "{name}" is shared with the client; {n} document in it marked '
                                             'Internal stays internal until you share it.',
                                             'Folder "{name}" is shared with the client; {n} documents in it marked '
                                             'Internal stay internal until you share them.', kept) if kept
                               else _('Folder "{name}" is shared with the client.')).format(name=name, n=kept)
            self._preset_upload()

    @allow(STAFF)
    def open_edit(self, document_id: int):
        """The rename-or-move dialog for one document."""
        chosen = next((d for d in self._all_docs if d.id == parse_id(document_id)), None)
        if chosen is None:
            return
        self.edit_id, self.edit_name = chosen.id, chosen.name
        self.edit_folder = chosen.folder_id or NO_FOLDER
        self.doc_error, self.edit_open = "", True

    @allow(STAFF)
    def set_edit_open(self, open_: bool):
        self.edit_open = bool(open_)

    @allow(STAFF)
    def choose_edit_folder(self, value: str):
        value = str(value or NO_FOLDER)[:20]
        self.edit_folder = value if value in {o.value for o in self.move_options} else NO_FOLDER

    @allow(STAFF)
    def save_edit(self, form: dict):
        """Rename the document and/or move it to the folder chosen."""
        self.edit_name = str(form.get("name", ""))[:300]
        folder = parse_id(self.edit_folder) if self.edit_folder != NO_FOLDER else None
        if write_and_refresh(self, document_files.rename_document, self.edit_id, self.edit_name, folder_id=folder,
                             shown="doc_error"):
            self.edit_open = False
            self.doc_notice = _('Saved "{name}".').format(name=' '.join(self.edit_name.split()))

    @allow(STAFF)
    def create_folder(self, form: dict):
        name, shared = str(form.get("name", ""))[:200], form.get("shared") in ("on", True, "true")
        if write_and_refresh(self, document_folders.create_folder, self.doc_acct_id, name, parent_id=self._folder_id(),
                             shared=shared, shown="doc_error"):
            self.folder_form_key += 1
            self.doc_notice = _('Folder "{name}" created.').format(name=' '.join(name.split()))

    @allow(STAFF)
    def delete_folder(self, folder_id: int):
        folder = parse_id(folder_id)
        if folder is None:
            return
        if write_and_refresh(self, document_folders.delete_folder, folder, shown="doc_error") \
                and self.folder_choice == str(folder):
            self.folder_choice = ALL
            self._show()

    @allow(STAFF)
    def apply_template(self, template_id: str):
        template = parse_id(template_id)
        if template is None:
            self.doc_error = _('Choose a folder template to apply.')
            return
        self.doc_error = ""
        with shown_in(self, "doc_error"):
            try:
                created = run(folder_templates.apply_folder_template, self._require(), self.doc_acct_id, template)
            finally:
                self._refresh()
            self.doc_notice = (ngettext("Folder template applied: {n} new folder.",
                                        "Folder template applied: {n} new folders.", created) if created
                               else _("Folder template applied: every folder was already there.")).format(n=created)

    @allow(STAFF)
    def delete_document(self, document_id: int):
        """Move a document to the trash; the notice offers Undo."""
        doc = parse_id(document_id)
        if doc is None:
            return
        name = next((d.name for d in self._all_docs if d.id == doc), "the document")
        self.doc_notice, self.undo_id = "", 0
        if write_and_refresh(self, document_files.delete_document, doc, shown="doc_error"):
            self.undo_id, self.undo_name = doc, name

    @allow(STAFF)
    def restore_document(self, document_id: int):
        """Bring a deleted document back (Undo, or Restore in Recently deleted)."""
        doc = parse_id(document_id)
        if doc is None:
            return
        name = next((t.name for t in self.trash if t.id == doc), self.undo_name)
        if write_and_refresh(self, document_files.restore_document, doc, shown="doc_error"):
            self.undo_id, self.doc_notice = 0, f'"{name}" is back.'

    @allow(STAFF)
    def request_approval(self, document_id: int):
        """Ask the account's client to approve this document."""
        doc = parse_id(document_id)
        if doc is None:
            return
        self.doc_notice = ""
        if write_and_refresh(self, approvals.request_approval, document_ids=[doc], shown="doc_error"):
            self.doc_notice = _('Asked the client to approve it; they are emailed and see it in their portal.')

    @allow(STAFF)
    def withdraw_approval(self, approval_id: int):
        req = parse_id(approval_id)
        if req is None:
            return
        write_and_refresh(self, approvals.withdraw, req, shown="doc_error")

    @allow(STAFF)
    def file_rejected(self, rejected: list[dict] | None = None):
        self.doc_error = storage.limits_sentence("upload")

    @allow(STAFF)
    async def handle_upload(self, files: list[rx.UploadFile]):
        """Store each file (off the event loop: a PDF check may take seconds) and list it."""
        actor = self._require()
        self.doc_error = self.doc_notice = ""
        if not files:
            self.doc_error = _('Choose a file to upload.')
            return
        stored, problems = await store_uploads(actor, self.doc_acct_id, self._folder_id(), files[:20],
                                               shared=self.upload_shared)
        self.doc_error = " ".join(problems)
        if stored:
            self.doc_notice = (_("Uploaded {names}.") if self.upload_shared else _(
                "Uploaded {names}, internal: the client does not see it until you share it.")).format(
                names=", ".join(f'"{n}"' for n in stored))
        self._refresh()


async def store_uploads(actor, account_id: int, folder_id: int | None, files,
                        refused: str = '"{name}": {refusal}', shared: bool | None = None) -> tuple[list[str], list[str]]:
    """Store each uploaded file (off the event loop: a PDF check may take seconds): the names stored, and a
    sentence for each file refused (`refused` words a file the check turned down)."""
    stored, problems = [], []
    for upload in files:
        name = str(upload.name or upload.filename or "upload")[:300]
        try:
            doc = await asyncio.to_thread(document_files.upload, actor, account_id, folder_id, name, upload.file,
                                          shared=shared)
        except PracticeError as err:
            problems.append(str(err))
            continue
        if doc.refusal:
            problems.append(refused.format(name=doc.name, refusal=doc.refusal))
        else:
            stored.append(doc.name)
    return stored, problems


class FolderTemplatesState(AppState):
    templates: list[TemplateItem] = []
    editing_id: int = 0
    edit_name: str = ""
    edit_paths: str = ""
    form_key: int = 0
    _form_key_shows: str = ""
    error: str = ""

    def _refresh(self) -> None:
        with shown_in(self, "error"):
            self.templates = [TemplateItem(id=t.id, name=t.name, paths="\n".join(t.paths), count=len(t.paths),
                                           folders=[TemplateFolder(p, p not in t.internal) for p in t.paths])
                              for t in read(folder_templates.list_folder_templates)]

    @allow(ADMIN)
    def load(self):
        self.error, self.editing_id, self.edit_name, self.edit_paths = "", 0, "", ""
        remount_if_changed(self, "form_key", (0, "", ""))  # a new template's empty form, unless already shown
        self._refresh()

    @allow(ADMIN)
    def edit(self, template_id: int):
        chosen = next((t for t in self.templates if t.id == parse_id(template_id)), None)
        if chosen is None:
            return
        self.editing_id, self.edit_name, self.edit_paths = chosen.id, chosen.name, chosen.paths
        remount_if_changed(self, "form_key", (chosen.id, chosen.name, chosen.paths), force=True)

    @allow(ADMIN)
    def new(self):
        self.editing_id, self.edit_name, self.edit_paths, self.error = 0, "", "", ""
        remount_if_changed(self, "form_key", (0, "", ""), force=True)

    @allow(ADMIN)
    def save(self, form: dict):
        name, paths = str(form.get("name", ""))[:200], str(form.get("paths", ""))[:20000]
        try:
            run(folder_templates.save_folder_template, self._require(), name=name, paths=paths,
                template_id=self.editing_id or None)
        except PracticeError as err:
            self.error, self.edit_name, self.edit_paths = str(err), name, paths
            return
        self.error = ""
        self.editing_id, self.edit_name, self.edit_paths = 0, "", ""
        remount_if_changed(self, "form_key", (0, "", ""), force=True)
        self._refresh()
        return rx.toast.success(_('Folder template saved.'))

    @allow(ADMIN)
    def set_folder_shared(self, template_id: int, path: str, checked: bool):
        """Whether this folder of the template is shared with the client when the template is applied."""
        template = parse_id(template_id)
        if template is not None and write_and_refresh(self, folder_templates.set_template_folder_shared, template,
                                                      str(path)[:1000], bool(checked)):
            return rx.toast.success((_('"{path}" will be shared with the client.') if checked
                                     else _('"{path}" will be internal.')).format(path=path))

    @allow(ADMIN)
    def delete(self, template_id: int):
        template = parse_id(template_id)
        if template is None:
            return
        write_and_refresh(self, folder_templates.delete_folder_template, template)

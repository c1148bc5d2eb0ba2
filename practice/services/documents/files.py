"""An account's documents: uploads by staff and clients, the list, downloads, renames and deletes, and
what a client has not opened yet.

An upload happens in two steps so that no database lock is held while bytes arrive or a PDF is
checked: `receive_file` stores and checks the bytes with no session open, then `record_upload`
writes the row, the audit entry and (for a client) the `document_uploaded` event in one short
transaction. `upload` does both.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable

from sqlmodel import Session, select

from practice.db import read_session, write_session
from practice.models import Account, Document, DocumentStatus, DocumentView, Folder, Job, utcnow
from practice.services import audit, events, inbox
from practice.services.actor import Actor, ContactActor, recorded_actor, require_staff
from practice.services.documents import locks, pdf_check, storage
from practice.services.documents.folders import folder_in_account, folder_tree
from practice.services.documents.permissions import Uploader, check_account
from practice.services.documents.sharing import check_document, check_folder_for, shown_condition
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from practice.i18n import N_, _


@dataclass(frozen=True)
class Received:
    """Bytes stored and checked, not yet recorded; `refusal` set when a PDF was refused."""

    filename: str
    key: str = ""
    size: int = 0
    content_type: str = ""
    pages: int | None = None
    refusal: str = ""


def receive_file(filename: str, source: bytes | BinaryIO | Iterable[bytes], *,
                 max_bytes: int | None = None) -> Received:
    """Store an upload's bytes (streamed, size- and type-checked) and check a PDF in a limited
    process. Holds no database session. Raises InvalidInput for a wrong type or size; a PDF that
    cannot be read safely comes back with `refusal` set so the attempt can be recorded."""
    name = storage.clean_filename(filename)
    try:
        stored = storage.store(source, name, max_bytes=max_bytes, inspect=pdf_check.require_readable)
    except pdf_check.PdfRefused as err:
        return Received(filename=name, size=getattr(err, "size", 0), content_type="application/pdf",
                        refusal=str(err))
    return Received(filename=name, key=stored.key, size=stored.size, content_type=stored.content_type,
                    pages=stored.info)


def check_can_upload(session: Session, who: Uploader, account_id: int, folder_id: int | None,
                     job_id: int | None = None) -> None:
    """Raise unless `who` may put a file in this account's folder (checked before bytes are taken)."""
    check_account(session, who, account_id)
    check_folder_for(session, who, account_id, folder_in_account(session, account_id, folder_id))
    if job_id is not None:
        job = session.get(Job, job_id)
        if job is None or job.account_id != account_id:
            raise NotFound(_('That job does not exist for this account.'))


def record_upload(session: Session, who: Uploader, account_id: int, folder_id: int | None, received: Received, *,
                  job_id: int | None = None, shared: bool | None = None) -> Document:
    """The document row for received bytes, with its audit entry; a client's upload also emits
    `document_uploaded` for the automations. Staff's document is shared with the client as its folder is
    (the top level: shared) unless `shared` says otherwise; a client's upload is always shared."""
    check_can_upload(session, who, account_id, folder_id, job_id)
    folder = folder_in_account(session, account_id, folder_id)
    is_contact = isinstance(who, ContactActor)
    if is_contact or shared is None:
        shared = True if is_contact or folder is None else folder.shared
    doc = Document(account_id=account_id, folder_id=folder_id, job_id=job_id, name=received.filename, shared=shared,
                   stored_key=received.key, size=received.size, content_type=received.content_type,
                   pages=received.pages,
                   status=DocumentStatus.refused if received.refusal else DocumentStatus.ok,
                   refusal=received.refusal,
                   uploaded_by_member_id=None if is_contact else who.member_id,
                   uploaded_by_contact_id=who.contact_id if is_contact else None,
                   uploaded_by_label=recorded_actor(who).name)
    session.add(doc)
    session.flush()
    actor = recorded_actor(who)
    where = f' to "{folder.name}"' if folder else ""
    if received.refusal:
        audit.record(session, actor, "upload_refused", "document", doc.id, f'Refused upload "{doc.name}"{where}',
                     account_id=account_id, reason=received.refusal[:300])
        return doc
    kept = "" if is_contact or shared else " (internal)"
    audit.record(session, actor, "upload", "document", doc.id, f'Uploaded "{doc.name}"{where}{kept}',
                 account_id=account_id, size=doc.size)
    if is_contact:
        events.emit(session, actor, "document_uploaded", job_id=job_id, account_id=account_id,
                    payload={"document_id": doc.id, "name": doc.name, "folder": folder.name if folder else "",
                             "contact_id": who.contact_id})
        account = session.get(Account, account_id)
        inbox.notify_client_activity(session, account_id=account_id, job_id=job_id,
                                     text=inbox.said(N_('{who} uploaded "{name}" to "{folder}"') if folder else
                                                     N_('{who} uploaded "{name}"'),
                                                     who=inbox.client_label(who.name, account.name), name=doc.name,
                                                     folder=folder.name if folder else ""))
    return doc


def upload(who: Uploader, account_id: int, folder_id: int | None, filename: str,
           source: bytes | BinaryIO | Iterable[bytes], *, job_id: int | None = None,
           max_bytes: int | None = None, shared: bool | None = None) -> Document:
    """Check access, take the bytes, record the document: the whole upload, each step in its own
    session so no write lock is held while the file arrives or a PDF is checked."""
    with read_session() as session:
        check_can_upload(session, who, account_id, folder_id, job_id)
    received = receive_file(filename, source, max_bytes=max_bytes)
    with write_session() as session:
        return record_upload(session, who, account_id, folder_id, received, job_id=job_id, shared=shared)


@dataclass
class DocumentRow:
    id: int
    name: str
    folder_id: int | None
    folder: str
    size: int
    content_type: str
    pages: int | None
    uploaded_by: str
    uploaded_at: object
    status: str
    refusal: str
    shared: bool = True
    # What the client sees: shared, in a folder the client sees (staff lists show both).
    shown: bool = True
    # Locked until an invoice is paid (None: it opens).
    lock: locks.Lock | None = None


ALL_FOLDERS = -1


def list_documents(session: Session, who: Uploader, account_id: int, *, folder_id: int | None = ALL_FOLDERS,
                   include_refused: bool = True, limit: int = 500) -> list[DocumentRow]:
    """The account's documents (newest first), in one folder or all, with who uploaded them and when."""
    check_account(session, who, account_id)
    stmt = select(Document).where(Document.account_id == account_id, Document.deleted_at.is_(None))
    if folder_id != ALL_FOLDERS:
        stmt = stmt.where(Document.folder_id.is_(None) if folder_id is None else Document.folder_id == folder_id)
    if not include_refused or isinstance(who, ContactActor):
        stmt = stmt.where(Document.status == DocumentStatus.ok)
    if isinstance(who, ContactActor):
        stmt = stmt.where(shown_condition(session, account_id))
    docs = list(session.exec(stmt.order_by(Document.id.desc()).limit(limit)))
    tree = {f.id: f for f in folder_tree(session, who, account_id)} if docs else {}
    locked = locks.locks_of(session, [d.id for d in docs if d.locked_by_invoice_id is not None])
    return [DocumentRow(d.id, d.name, d.folder_id, tree[d.folder_id].path if d.folder_id in tree else "", d.size,
                        d.content_type, d.pages, d.uploaded_by_label, d.uploaded_at, DocumentStatus(d.status).value,
                        d.refusal, bool(d.shared),
                        bool(d.shared) and (d.folder_id is None or (d.folder_id in tree and tree[d.folder_id].shown)),
                        locked.get(d.id))
            for d in docs]


@dataclass(frozen=True)
class Download:
    path: Path
    filename: str
    content_type: str
    size: int


def document_for_download(session: Session, who: Uploader, document_id: int) -> Download:
    """Where a document's bytes are and the name to offer, if `who` may see it (a client: only what the firm
    shared, or asked them to approve)."""
    doc = check_document(session, who, session.get(Document, document_id), approvals_too=True)
    if doc.status != DocumentStatus.ok or not doc.stored_key:
        raise NotFound(_('That upload was refused, so there is nothing to download.'))
    locks.check_unlocked(session, who, doc)
    return Download(storage.open_stored(doc.stored_key), doc.name, doc.content_type or "application/octet-stream",
                    doc.size)


def _may_delete(who: Uploader, doc: Document) -> bool:
    own = (doc.uploaded_by_contact_id == who.contact_id if isinstance(who, ContactActor)
           else who.member_id is not None and doc.uploaded_by_member_id == who.member_id)
    return own or (isinstance(who, Actor) and who.is_admin)


def delete_document(session: Session, who: Uploader, document_id: int) -> None:
    """Move a document to the trash (admins, or whoever uploaded it): gone from every list and download,
    restorable for `TRASH_DAYS`; the bytes and the row stay for the audit trail."""
    doc = check_document(session, who, session.get(Document, document_id))
    if not _may_delete(who, doc):
        raise PermissionDenied(_("Only an admin or the person who uploaded a document can delete it."))
    actor = recorded_actor(who)
    doc.deleted_at, doc.deleted_by_label = utcnow(), actor.name
    audit.record(session, actor, "delete", "document", doc.id, f'Deleted document "{doc.name}"',
                 account_id=doc.account_id)


TRASH_DAYS = 30


def restore_document(session: Session, who: Uploader, document_id: int) -> Document:
    """Bring a deleted document back from the trash where it was (its folder, or the top level if the folder
    went since), for whoever may delete it, within `TRASH_DAYS`."""
    doc = session.get(Document, document_id)
    if doc is None or doc.deleted_at is None:
        raise NotFound(_('That document is not in the trash (it may have been restored already).'))
    check_account(session, who, doc.account_id)
    if isinstance(who, ContactActor) and doc.uploaded_by_contact_id != who.contact_id:
        raise NotFound(_('That document is not in the trash (it may have been restored already).'))
    if not _may_delete(who, doc):
        raise PermissionDenied(_("Only an admin or the person who deleted a document can restore it."))
    if doc.deleted_at < utcnow() - dt.timedelta(days=TRASH_DAYS):
        raise Conflict(_("Deleted documents can be restored for {days} days; this one was deleted earlier.").format(
            days=TRASH_DAYS))
    doc.deleted_at, doc.deleted_by_label = None, ""
    actor = recorded_actor(who)
    audit.record(session, actor, "restore", "document", doc.id, f'Restored document "{doc.name}" from the trash',
                 account_id=doc.account_id)
    return doc


@dataclass
class TrashRow:
    id: int
    name: str
    deleted_by: str
    deleted_at: dt.datetime


def trash(session: Session, actor: Actor, account_id: int, limit: int = 200) -> list[TrashRow]:
    """The account's documents deleted in the last `TRASH_DAYS` days, newest first (staff)."""
    require_staff(actor)
    check_account(session, actor, account_id)
    since = utcnow() - dt.timedelta(days=TRASH_DAYS)
    rows = session.exec(select(Document).where(Document.account_id == account_id, Document.deleted_at.is_not(None),
                                               Document.deleted_at >= since, Document.status == DocumentStatus.ok)
                        .order_by(Document.deleted_at.desc(), Document.id.desc()).limit(limit))
    return [TrashRow(d.id, d.name, d.deleted_by_label or _("Someone"), d.deleted_at) for d in rows]


KEEP_FOLDER = -1


def rename_document(session: Session, who: Uploader, document_id: int, name: str, *,
                    folder_id: int | None = KEEP_FOLDER) -> Document:
    """Give a document a new name and/or move it to another folder of its account. Staff who see the
    account may; a client only for documents it uploaded, within the folders it sees. The file's type
    (extension) stays."""
    doc = check_document(session, who, session.get(Document, document_id))
    if isinstance(who, ContactActor) and doc.uploaded_by_contact_id != who.contact_id:
        raise PermissionDenied(_("You can rename only the documents you uploaded."))
    new_name = storage.clean_filename(name)
    if storage.extension(new_name) != storage.extension(doc.name):
        old_ext = storage.extension(doc.name)
        raise InvalidInput((_('Keep the file\'s type: the new name must end in ".{old_ext}".').format(old_ext=old_ext) if old_ext else _("Keep the file's type: the new name cannot add an extension.")), field="name")
    target = doc.folder_id if folder_id == KEEP_FOLDER else folder_id
    folder = folder_in_account(session, doc.account_id, target)
    check_folder_for(session, who, doc.account_id, folder)
    old_name, old_folder = doc.name, doc.folder_id
    if (old_name, old_folder) == (new_name, target):
        return doc
    doc.name, doc.folder_id = new_name, target
    actor = recorded_actor(who)
    where = f'"{folder.name}"' if folder else "the top level"
    if old_folder == target:
        summary = f'Renamed document "{old_name}" to "{new_name}"'
    elif old_name == new_name:
        summary = f'Moved document "{old_name}" to {where}'
    else:
        summary = f'Moved document "{old_name}" to {where} as "{new_name}"'
    audit.record(session, actor, "rename" if old_folder == target else "move", "document", doc.id, summary,
                 account_id=doc.account_id)
    return doc


def document_facts(session: Session, document_id: int) -> dict | None:
    """What rules read about a document (`document.name`, `document.folder`)."""
    doc = session.get(Document, document_id)
    if doc is None:
        return None
    folder = session.get(Folder, doc.folder_id) if doc.folder_id else None
    return {"id": doc.id, "name": doc.name, "folder": folder.name if folder else ""}


def mark_viewed(session: Session, who: ContactActor, document_id: int) -> None:
    """Remember that a contact opened a document (the first time only)."""
    if session.get(DocumentView, (document_id, who.contact_id)) is None:
        session.add(DocumentView(document_id=document_id, contact_id=who.contact_id))


def to_look_at(session: Session, who: ContactActor, account_id: int, limit: int = 20) -> list[Document]:
    """Documents the firm shared in this account that the contact has not opened yet, newest first."""
    check_account(session, who, account_id)
    seen = select(DocumentView.document_id).where(DocumentView.contact_id == who.contact_id)
    return list(session.exec(select(Document).where(
        Document.account_id == account_id, Document.deleted_at.is_(None), Document.status == DocumentStatus.ok,
        Document.uploaded_by_member_id.is_not(None), Document.id.not_in(seen), shown_condition(session, account_id))
        .order_by(Document.id.desc()).limit(limit)))

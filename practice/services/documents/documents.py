"""Documents: each account's folders and files, folder templates, uploads by staff and clients.

Who may act is either a staff `Actor` (its access to the account is checked with
`accounts.get_account`) or a `ContactActor`, a client contact signed in to the portal, which may
act only on the accounts it belongs to. An upload happens in two steps so that no database lock
is held while bytes arrive or a PDF is checked: `receive_file` stores and checks the bytes with no
session open, then `record_upload` writes the row, the audit entry and (for a client) the
`document_uploaded` event in one short transaction. `upload` does both.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable, Union

from sqlalchemy import func
from sqlmodel import Session, select

from practice.db import read_session, write_session
from practice.models import (Account, AccountContact, Contact, Document, DocumentStatus, DocumentView, Folder,
                             FolderTemplate, FolderTemplateItem, Job, Role, utcnow)
from practice.services import audit, events, inbox
from practice.services.documents import pdf_check, storage
from practice.services.work.accounts import get_account
from practice.services.actor import Actor, require_admin
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied

MAX_FOLDER_NAME = 100
MAX_FOLDER_DEPTH = 8
MAX_TEMPLATE_FOLDERS = 200


@dataclass(frozen=True)
class ContactActor:
    """A client contact acting through the portal; `account_ids` are the accounts it belongs to
    (the portal fills them from AccountContact at login; they are checked again here)."""

    contact_id: int
    name: str
    account_ids: frozenset[int] = field(default_factory=frozenset)


Uploader = Union[Actor, ContactActor]


def for_contact(actor, account_id: int | None = None) -> ContactActor:
    """The documents' ContactActor for a portal login (`portal.ContactActor`), limited to `account_id` when given."""
    ids = frozenset(actor.account_ids)
    if account_id is not None:
        ids = ids & {account_id}
    return ContactActor(contact_id=actor.contact_id, name=actor.name, account_ids=ids)


def _audit_actor(who: Uploader) -> Actor:
    """The actor the audit log and the event outbox record for `who`."""
    if isinstance(who, ContactActor):
        return Actor(member_id=None, name=f"{who.name} (client)", role=Role.employee)
    return who


def check_account(session: Session, who: Uploader, account_id: int) -> Account:
    """The account, if `who` may see its documents (PermissionDenied / NotFound otherwise)."""
    if isinstance(who, ContactActor):
        linked = session.exec(select(AccountContact.account_id).where(
            AccountContact.account_id == account_id, AccountContact.contact_id == who.contact_id)).first()
        if account_id not in who.account_ids or linked is None:
            raise PermissionDenied("These documents belong to another client.")
        account = session.get(Account, account_id)
        if account is None:
            raise NotFound("That account does not exist (it may have been deleted).")
        return account
    return get_account(session, who, account_id)


def _staff(who: Uploader) -> Actor:
    if not isinstance(who, Actor):
        raise PermissionDenied("Only the firm's team can do that.")
    return who


# --- folders ------------------------------------------------------------------------------------


@dataclass
class FolderNode:
    id: int
    name: str
    parent_id: int | None
    path: str
    depth: int


def _clean_folder_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise InvalidInput("Give the folder a name.", field="name")
    if "/" in name or "\\" in name:
        raise InvalidInput("A folder name cannot contain / or \\; create a folder inside another instead.",
                           field="name")
    if len(name) > MAX_FOLDER_NAME:
        raise InvalidInput(f"Keep folder names to {MAX_FOLDER_NAME} characters.", field="name")
    return name


def _folder_of(session: Session, account_id: int, folder_id: int | None) -> Folder | None:
    if folder_id is None:
        return None
    folder = session.get(Folder, folder_id)
    if folder is None or folder.account_id != account_id:
        raise NotFound("That folder does not exist (it may have been deleted).")
    return folder


def _sibling(session: Session, account_id: int, parent_id: int | None, name: str) -> Folder | None:
    parent_cond = Folder.parent_id.is_(None) if parent_id is None else Folder.parent_id == parent_id
    return session.exec(select(Folder).where(Folder.account_id == account_id, parent_cond,
                                             func.lower(Folder.name) == name.lower())).first()


def _depth(session: Session, folder: Folder | None) -> int:
    depth = 0
    while folder is not None and depth <= MAX_FOLDER_DEPTH:
        depth += 1
        folder = session.get(Folder, folder.parent_id) if folder.parent_id else None
    return depth


def folder_tree(session: Session, who: Uploader, account_id: int) -> list[FolderNode]:
    """The account's folders in display order (each followed by its subfolders), with paths."""
    check_account(session, who, account_id)
    rows = list(session.exec(select(Folder).where(Folder.account_id == account_id)))
    children: dict[int | None, list[Folder]] = {}
    for f in rows:
        children.setdefault(f.parent_id, []).append(f)
    out: list[FolderNode] = []

    def walk(parent_id: int | None, prefix: str, depth: int) -> None:
        for f in sorted(children.get(parent_id, []), key=lambda f: (f.name.lower(), f.id)):
            path = f"{prefix}/{f.name}" if prefix else f.name
            out.append(FolderNode(f.id, f.name, f.parent_id, path, depth))
            if depth < MAX_FOLDER_DEPTH:
                walk(f.id, path, depth + 1)

    walk(None, "", 0)
    return out


def create_folder(session: Session, actor: Actor, account_id: int, name: str, *,
                  parent_id: int | None = None) -> Folder:
    """A new folder in the account (inside `parent_id` when given)."""
    _staff(actor)
    check_account(session, actor, account_id)
    name = _clean_folder_name(name)
    parent = _folder_of(session, account_id, parent_id)
    if _depth(session, parent) >= MAX_FOLDER_DEPTH:
        raise InvalidInput(f"Folders can be nested at most {MAX_FOLDER_DEPTH} deep.", field="name")
    if _sibling(session, account_id, parent_id, name):
        raise Conflict(f'There is already a folder "{name}" here.')
    folder = Folder(account_id=account_id, parent_id=parent_id, name=name)
    session.add(folder)
    session.flush()
    audit.record(session, actor, "create", "folder", folder.id, f'Created folder "{name}"', account_id=account_id)
    return folder


def rename_folder(session: Session, actor: Actor, folder_id: int, name: str) -> Folder:
    _staff(actor)
    folder = session.get(Folder, folder_id)
    if folder is None:
        raise NotFound("That folder does not exist (it may have been deleted).")
    check_account(session, actor, folder.account_id)
    name = _clean_folder_name(name)
    other = _sibling(session, folder.account_id, folder.parent_id, name)
    if other is not None and other.id != folder.id:
        raise Conflict(f'There is already a folder "{name}" here.')
    old, folder.name = folder.name, name
    audit.record(session, actor, "rename", "folder", folder.id, f'Renamed folder "{old}" to "{name}"',
                 account_id=folder.account_id)
    return folder


def delete_folder(session: Session, actor: Actor, folder_id: int) -> None:
    """Delete an empty folder (no subfolders, no documents)."""
    _staff(actor)
    folder = session.get(Folder, folder_id)
    if folder is None:
        raise NotFound("That folder does not exist (it may have been deleted).")
    check_account(session, actor, folder.account_id)
    if session.exec(select(Folder.id).where(Folder.parent_id == folder.id)).first():
        raise Conflict(f'The folder "{folder.name}" has folders inside; delete or move them first.')
    if session.exec(select(Document.id).where(Document.folder_id == folder.id, Document.deleted_at.is_(None),
                                              Document.status == DocumentStatus.ok)).first():
        raise Conflict(f'The folder "{folder.name}" still holds documents; delete or move them first.')
    # Refused and deleted uploads keep their history but leave the folder.
    for doc in session.exec(select(Document).where(Document.folder_id == folder.id)):
        doc.folder_id = None
    audit.record(session, actor, "delete", "folder", folder.id, f'Deleted folder "{folder.name}"',
                 account_id=folder.account_id)
    session.delete(folder)


def move_folder(session: Session, actor: Actor, folder_id: int, *, name: str, parent_id: int | None) -> Folder:
    """Rename a folder and/or move it under another folder of the same account (None: top level)."""
    _staff(actor)
    folder = session.get(Folder, folder_id)
    if folder is None:
        raise NotFound("That folder does not exist (it may have been deleted).")
    check_account(session, actor, folder.account_id)
    name = _clean_folder_name(name)
    parent = _folder_of(session, folder.account_id, parent_id)
    # A folder cannot go inside itself or one of its own subfolders.
    walk, steps = parent, 0
    while walk is not None and steps <= MAX_FOLDER_DEPTH:
        if walk.id == folder.id:
            raise InvalidInput(f'The folder "{folder.name}" cannot be moved inside itself.', field="parent_id")
        walk, steps = (session.get(Folder, walk.parent_id) if walk.parent_id else None), steps + 1
    if parent_id != folder.parent_id and _depth(session, parent) + _subtree_height(session, folder) > MAX_FOLDER_DEPTH:
        raise InvalidInput(f"Folders can be nested at most {MAX_FOLDER_DEPTH} deep.", field="parent_id")
    other = _sibling(session, folder.account_id, parent_id, name)
    if other is not None and other.id != folder.id:
        raise Conflict(f'There is already a folder "{name}" there.')
    old_name, old_parent = folder.name, folder.parent_id
    folder.name, folder.parent_id = name, parent_id
    where = f' into "{parent.name}"' if parent is not None else " to the top level"
    audit.record(session, actor, "rename" if old_parent == parent_id else "move", "folder", folder.id,
                 f'Renamed folder "{old_name}" to "{name}"' if old_parent == parent_id
                 else f'Moved folder "{old_name}"{where} as "{name}"', account_id=folder.account_id)
    return folder


def _subtree_height(session: Session, folder: Folder) -> int:
    """How many levels the folder and its subfolders take (1 for a folder with no subfolders)."""
    level, ids = 0, [folder.id]
    while ids and level <= MAX_FOLDER_DEPTH:
        level += 1
        ids = list(session.exec(select(Folder.id).where(Folder.parent_id.in_(ids))))
    return level


def _ensure_path(session: Session, account_id: int, parts: list[str]) -> tuple[Folder, int]:
    """The folder at this path, creating what is missing; returns it and how many were created."""
    parent: Folder | None = None
    created = 0
    for part in parts:
        existing = _sibling(session, account_id, parent.id if parent else None, part)
        if existing is None:
            existing = Folder(account_id=account_id, parent_id=parent.id if parent else None, name=part)
            session.add(existing)
            session.flush()
            created += 1
        parent = existing
    return parent, created


# --- folder templates ---------------------------------------------------------------------------


@dataclass
class TemplateView:
    id: int
    name: str
    paths: list[str]


def split_path(path: str) -> list[str]:
    """ "2026 / Tax returns" -> ["2026", "Tax returns"], each part checked like a folder name."""
    parts = [" ".join(p.split()) for p in str(path or "").replace("\\", "/").split("/")]
    parts = [p for p in parts if p]
    if len(parts) > MAX_FOLDER_DEPTH:
        raise InvalidInput(f'"{path}" is nested more than {MAX_FOLDER_DEPTH} deep.', field="paths")
    return [_clean_folder_name(p) for p in parts]


def _clean_paths(paths: list[str] | str) -> list[str]:
    lines = paths.splitlines() if isinstance(paths, str) else list(paths)
    out, seen = [], set()
    for line in lines:
        parts = split_path(line)
        if not parts:
            continue
        path = "/".join(parts)
        if path.lower() not in seen:
            seen.add(path.lower())
            out.append(path)
    if not out:
        raise InvalidInput('List at least one folder, one per line, like "2026/Tax returns".', field="paths")
    if len(out) > MAX_TEMPLATE_FOLDERS:
        raise InvalidInput(f"A folder template holds at most {MAX_TEMPLATE_FOLDERS} folders.", field="paths")
    return out


def list_folder_templates(session: Session) -> list[TemplateView]:
    """Every folder template with its folders (any staff member may apply one)."""
    items: dict[int, list[str]] = {}
    for tid, path in session.exec(select(FolderTemplateItem.template_id, FolderTemplateItem.path)
                                  .order_by(FolderTemplateItem.template_id, FolderTemplateItem.position,
                                            FolderTemplateItem.id)):
        items.setdefault(tid, []).append(path)
    return [TemplateView(t.id, t.name, items.get(t.id, []))
            for t in session.exec(select(FolderTemplate).order_by(func.lower(FolderTemplate.name)))]


def save_folder_template(session: Session, actor: Actor, *, name: str, paths: list[str] | str,
                         template_id: int | None = None) -> FolderTemplate:
    """Create a folder template, or replace an existing one's name and folders (admins)."""
    require_admin(actor)
    name = " ".join(str(name or "").split())
    if not name:
        raise InvalidInput("Give the folder template a name.", field="name")
    if len(name) > 100:
        raise InvalidInput("Keep the template name to 100 characters.", field="name")
    if '"' in name:
        raise InvalidInput('A template name cannot contain a double quote (rules quote it as "name").',
                           field="name")
    clean = _clean_paths(paths)
    same = session.exec(select(FolderTemplate).where(func.lower(FolderTemplate.name) == name.lower())).first()
    if same is not None and same.id != template_id:
        raise Conflict(f'There is already a folder template "{name}".')
    if template_id is None:
        template = FolderTemplate(name=name)
        session.add(template)
        session.flush()
        action = "create"
    else:
        template = session.get(FolderTemplate, template_id)
        if template is None:
            raise NotFound("That folder template does not exist (it may have been deleted).")
        template.name = name
        for item in session.exec(select(FolderTemplateItem).where(FolderTemplateItem.template_id == template.id)):
            session.delete(item)
        action = "update"
    for i, path in enumerate(clean):
        session.add(FolderTemplateItem(template_id=template.id, path=path, position=i))
    audit.record(session, actor, action, "folder_template", template.id, f'Saved folder template "{name}"',
                 folders=len(clean))
    return template


def delete_folder_template(session: Session, actor: Actor, template_id: int) -> None:
    """Delete a template (folders already made from it stay)."""
    require_admin(actor)
    template = session.get(FolderTemplate, template_id)
    if template is None:
        raise NotFound("That folder template does not exist (it may have been deleted).")
    for item in session.exec(select(FolderTemplateItem).where(FolderTemplateItem.template_id == template.id)):
        session.delete(item)
    audit.record(session, actor, "delete", "folder_template", template.id, f'Deleted folder template "{template.name}"')
    session.delete(template)


def template_by_name(session: Session, name: str) -> FolderTemplate | None:
    return session.exec(select(FolderTemplate).where(
        func.lower(FolderTemplate.name) == str(name or "").strip().lower())).first()


def apply_folder_template(session: Session, actor: Actor, account_id: int, template_id: int) -> int:
    """Create the template's folders in the account; folders already there are kept (applying
    twice changes nothing). Returns how many folders were created."""
    _staff(actor)
    account = check_account(session, actor, account_id)
    template = session.get(FolderTemplate, template_id)
    if template is None:
        raise NotFound("That folder template does not exist (it may have been deleted).")
    created = 0
    for path in session.exec(select(FolderTemplateItem.path).where(FolderTemplateItem.template_id == template.id)
                             .order_by(FolderTemplateItem.position, FolderTemplateItem.id)):
        created += _ensure_path(session, account.id, split_path(path))[1]
    audit.record(session, actor, "apply", "folder_template", template.id,
                 f'Applied folder template "{template.name}" to "{account.name}" ({created} new folders)',
                 account_id=account.id)
    audit.record(session, actor, "apply_folder_template", "account", account.id,
                 f'Applied folder template "{template.name}" ({created} new folders)')
    return created


# --- uploads ------------------------------------------------------------------------------------


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
    _folder_of(session, account_id, folder_id)
    if job_id is not None:
        job = session.get(Job, job_id)
        if job is None or job.account_id != account_id:
            raise NotFound("That job does not exist for this account.")


def record_upload(session: Session, who: Uploader, account_id: int, folder_id: int | None, received: Received, *,
                  job_id: int | None = None) -> Document:
    """The document row for received bytes, with its audit entry; a client's upload also emits
    `document_uploaded` for the automations."""
    check_can_upload(session, who, account_id, folder_id, job_id)
    folder = _folder_of(session, account_id, folder_id)
    is_contact = isinstance(who, ContactActor)
    doc = Document(account_id=account_id, folder_id=folder_id, job_id=job_id, name=received.filename,
                   stored_key=received.key, size=received.size, content_type=received.content_type,
                   pages=received.pages,
                   status=DocumentStatus.refused if received.refusal else DocumentStatus.ok,
                   refusal=received.refusal,
                   uploaded_by_member_id=None if is_contact else who.member_id,
                   uploaded_by_contact_id=who.contact_id if is_contact else None,
                   uploaded_by_label=_audit_actor(who).name)
    session.add(doc)
    session.flush()
    actor = _audit_actor(who)
    where = f' to "{folder.name}"' if folder else ""
    if received.refusal:
        audit.record(session, actor, "upload_refused", "document", doc.id, f'Refused upload "{doc.name}"{where}',
                     account_id=account_id, reason=received.refusal[:300])
        return doc
    audit.record(session, actor, "upload", "document", doc.id, f'Uploaded "{doc.name}"{where}',
                 account_id=account_id, size=doc.size)
    audit.record(session, actor, "upload", "account", account_id, f'Uploaded "{doc.name}"{where}')
    if is_contact:
        events.emit(session, actor, "document_uploaded", job_id=job_id, account_id=account_id,
                    payload={"document_id": doc.id, "name": doc.name, "folder": folder.name if folder else "",
                             "contact_id": who.contact_id})
        account = session.get(Account, account_id)
        inbox.notify_client_activity(session, account_id=account_id, job_id=job_id,
                                     text=f'{who.name} ({account.name}) uploaded "{doc.name}"{where}')
    return doc


def upload(who: Uploader, account_id: int, folder_id: int | None, filename: str,
           source: bytes | BinaryIO | Iterable[bytes], *, job_id: int | None = None,
           max_bytes: int | None = None) -> Document:
    """Check access, take the bytes, record the document: the whole upload, each step in its own
    session so no write lock is held while the file arrives or a PDF is checked."""
    with read_session() as session:
        check_can_upload(session, who, account_id, folder_id, job_id)
    received = receive_file(filename, source, max_bytes=max_bytes)
    with write_session() as session:
        return record_upload(session, who, account_id, folder_id, received, job_id=job_id)


# --- listing, download, delete --------------------------------------------------------------------


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
    docs = list(session.exec(stmt.order_by(Document.id.desc()).limit(limit)))
    paths = {f.id: f.path for f in folder_tree(session, who, account_id)} if docs else {}
    return [DocumentRow(d.id, d.name, d.folder_id, paths.get(d.folder_id, ""), d.size, d.content_type, d.pages,
                        d.uploaded_by_label, d.uploaded_at, DocumentStatus(d.status).value, d.refusal)
            for d in docs]


@dataclass(frozen=True)
class Download:
    path: Path
    filename: str
    content_type: str
    size: int


def document_for_download(session: Session, who: Uploader, document_id: int) -> Download:
    """Where a document's bytes are and the name to offer, if `who` may see it."""
    doc = session.get(Document, document_id)
    if doc is None or doc.deleted_at is not None:
        raise NotFound("That document does not exist (it may have been deleted).")
    check_account(session, who, doc.account_id)
    if doc.status != DocumentStatus.ok or not doc.stored_key:
        raise NotFound("That upload was refused, so there is nothing to download.")
    return Download(storage.open_stored(doc.stored_key), doc.name, doc.content_type or "application/octet-stream",
                    doc.size)


def delete_document(session: Session, who: Uploader, document_id: int) -> None:
    """Remove a document from the lists (admins, or whoever uploaded it); the bytes and the row stay
    for the audit trail."""
    doc = session.get(Document, document_id)
    if doc is None or doc.deleted_at is not None:
        raise NotFound("That document does not exist (it may have been deleted).")
    check_account(session, who, doc.account_id)
    own = (doc.uploaded_by_contact_id == who.contact_id if isinstance(who, ContactActor)
           else who.member_id is not None and doc.uploaded_by_member_id == who.member_id)
    if not own and not (isinstance(who, Actor) and who.is_admin):
        raise PermissionDenied("Only an admin or the person who uploaded a document can delete it.")
    doc.deleted_at = utcnow()
    actor = _audit_actor(who)
    audit.record(session, actor, "delete", "document", doc.id, f'Deleted document "{doc.name}"',
                 account_id=doc.account_id)
    audit.record(session, actor, "delete_document", "account", doc.account_id, f'Deleted document "{doc.name}"')


KEEP_FOLDER = -1


def rename_document(session: Session, who: Uploader, document_id: int, name: str, *,
                    folder_id: int | None = KEEP_FOLDER) -> Document:
    """Give a document a new name and/or move it to another folder of its account. Staff who see the
    account may; a client only for documents it uploaded. The file's type (extension) stays."""
    doc = session.get(Document, document_id)
    if doc is None or doc.deleted_at is not None:
        raise NotFound("That document does not exist (it may have been deleted).")
    check_account(session, who, doc.account_id)
    if isinstance(who, ContactActor) and doc.uploaded_by_contact_id != who.contact_id:
        raise PermissionDenied("You can rename only the documents you uploaded.")
    new_name = storage.clean_filename(name)
    if storage.extension(new_name) != storage.extension(doc.name):
        old_ext = storage.extension(doc.name)
        raise InvalidInput(f'Keep the file\'s type: the new name must end in ".{old_ext}".' if old_ext
                           else "Keep the file's type: the new name cannot add an extension.", field="name")
    target = doc.folder_id if folder_id == KEEP_FOLDER else folder_id
    folder = _folder_of(session, doc.account_id, target)
    old_name, old_folder = doc.name, doc.folder_id
    doc.name, doc.folder_id = new_name, target
    actor = _audit_actor(who)
    if old_folder == target:
        summary = f'Renamed document "{old_name}" to "{new_name}"'
    else:
        summary = f'Moved document "{old_name}" to "{folder.name if folder else "the top level"}" as "{new_name}"'
    audit.record(session, actor, "rename", "document", doc.id, summary, account_id=doc.account_id)
    return doc


def document_facts(session: Session, document_id: int) -> dict | None:
    """What rules read about a document (`document.name`, `document.folder`)."""
    doc = session.get(Document, document_id)
    if doc is None:
        return None
    folder = session.get(Folder, doc.folder_id) if doc.folder_id else None
    return {"id": doc.id, "name": doc.name, "folder": folder.name if folder else ""}


def contact_actor(session: Session, contact_id: int) -> ContactActor:
    """A ContactActor for a contact with the accounts it belongs to (for the portal and tests)."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound("That contact does not exist.")
    ids = frozenset(session.exec(select(AccountContact.account_id).where(AccountContact.contact_id == contact_id)))
    name = f"{contact.first_name} {contact.last_name}".strip() or contact.email or "Client"
    return ContactActor(contact_id=contact.id, name=name, account_ids=ids)



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
        Document.uploaded_by_member_id.is_not(None), Document.id.not_in(seen))
        .order_by(Document.id.desc()).limit(limit)))

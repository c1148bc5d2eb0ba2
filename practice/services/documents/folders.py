"""An account's folders: the tree with paths, and creating, renaming, moving and deleting folders (staff)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from practice.models import Document, DocumentStatus, Folder
from practice.services import audit
from practice.services.actor import Actor, ContactActor, require_staff
from practice.services.documents.permissions import Uploader, check_account
from practice.services.documents.sharing import hidden_among
from practice.services.errors import Conflict, InvalidInput, NotFound
from practice.i18n import _

MAX_FOLDER_NAME = 100
MAX_FOLDER_DEPTH = 8


@dataclass
class FolderNode:
    id: int
    name: str
    parent_id: int | None
    path: str
    depth: int
    shared: bool = True
    # The client sees it: it and every folder above it are shared.
    shown: bool = True


def _clean_folder_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise InvalidInput(_('Give the folder a name.'), field="name")
    if "/" in name or "\\" in name:
        raise InvalidInput(_('A folder name cannot contain / or \\; create a folder inside another instead.'),
                           field="name")
    if len(name) > MAX_FOLDER_NAME:
        raise InvalidInput(_('Keep folder names to {max_folder_name} characters.').format(max_folder_name=MAX_FOLDER_NAME), field="name")
    return name


def folder_in_account(session: Session, account_id: int, folder_id: int | None) -> Folder | None:
    """The folder, if it belongs to the account (None for the top level); NotFound otherwise."""
    if folder_id is None:
        return None
    folder = session.get(Folder, folder_id)
    if folder is None or folder.account_id != account_id:
        raise NotFound(_('That folder does not exist (it may have been deleted).'))
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
    """The account's folders in display order (each followed by its subfolders), with paths; a client gets
    only the folders shown to it."""
    check_account(session, who, account_id)
    rows = session.exec(select(Folder.id, Folder.parent_id, Folder.name, Folder.shared)
                        .where(Folder.account_id == account_id)).all()
    hidden = hidden_among([(fid, pid, shared) for fid, pid, _, shared in rows])
    if isinstance(who, ContactActor):
        rows = [row for row in rows if row[0] not in hidden]
    return tree_of(rows, hidden)


def tree_of(rows, hidden: set[int]) -> list[FolderNode]:
    """Folders as (id, parent id, name, shared) rows, in display order with their paths; `hidden` are those the
    client does not see."""
    children: dict[int | None, list[tuple]] = {}
    for row in rows:
        children.setdefault(row[1], []).append(row)
    out: list[FolderNode] = []

    def walk(parent_id: int | None, prefix: str, depth: int) -> None:
        for fid, pid, name, shared in sorted(children.get(parent_id, []), key=lambda r: (r[2].lower(), r[0])):
            path = f"{prefix}/{name}" if prefix else name
            out.append(FolderNode(fid, name, pid, path, depth, bool(shared), fid not in hidden))
            if depth < MAX_FOLDER_DEPTH:
                walk(fid, path, depth + 1)

    walk(None, "", 0)
    return out


def create_folder(session: Session, actor: Actor, account_id: int, name: str, *,
                  parent_id: int | None = None, shared: bool = True) -> Folder:
    """A new folder in the account (inside `parent_id` when given), shared with the client or internal."""
    require_staff(actor)
    check_account(session, actor, account_id)
    name = _clean_folder_name(name)
    parent = folder_in_account(session, account_id, parent_id)
    if _depth(session, parent) >= MAX_FOLDER_DEPTH:
        raise InvalidInput(_('Folders can be nested at most {max_folder_depth} deep.').format(max_folder_depth=MAX_FOLDER_DEPTH), field="name")
    if _sibling(session, account_id, parent_id, name):
        raise Conflict(_('There is already a folder "{name}" here.').format(name=name))
    folder = Folder(account_id=account_id, parent_id=parent_id, name=name, shared=bool(shared))
    session.add(folder)
    session.flush()
    audit.record(session, actor, "create", "folder", folder.id,
                 f'Created folder "{name}"' + ("" if shared else " (internal)"), account_id=account_id)
    return folder


def rename_folder(session: Session, actor: Actor, folder_id: int, name: str) -> Folder:
    require_staff(actor)
    folder = session.get(Folder, folder_id)
    if folder is None:
        raise NotFound(_('That folder does not exist (it may have been deleted).'))
    check_account(session, actor, folder.account_id)
    name = _clean_folder_name(name)
    other = _sibling(session, folder.account_id, folder.parent_id, name)
    if other is not None and other.id != folder.id:
        raise Conflict(_('There is already a folder "{name}" here.').format(name=name))
    old, folder.name = folder.name, name
    audit.record(session, actor, "rename", "folder", folder.id, f'Renamed folder "{old}" to "{name}"',
                 account_id=folder.account_id)
    return folder


def delete_folder(session: Session, actor: Actor, folder_id: int) -> None:
    """Delete an empty folder (no subfolders, no documents)."""
    require_staff(actor)
    folder = session.get(Folder, folder_id)
    if folder is None:
        raise NotFound(_('That folder does not exist (it may have been deleted).'))
    check_account(session, actor, folder.account_id)
    if session.exec(select(Folder.id).where(Folder.parent_id == folder.id)).first():
        raise Conflict(_('The folder "{name}" has folders inside; delete or move them first.').format(name=folder.name))
    if session.exec(select(Document.id).where(Document.folder_id == folder.id, Document.deleted_at.is_(None),
                                              Document.status == DocumentStatus.ok)).first():
        raise Conflict(_('The folder "{name}" still holds documents; delete or move them first.').format(
            name=folder.name))
    # Refused and deleted uploads keep their history but leave the folder.
    for doc in session.exec(select(Document).where(Document.folder_id == folder.id)):
        doc.folder_id = None
    audit.record(session, actor, "delete", "folder", folder.id, f'Deleted folder "{folder.name}"',
                 account_id=folder.account_id)
    session.delete(folder)


def move_folder(session: Session, actor: Actor, folder_id: int, *, name: str, parent_id: int | None) -> Folder:
    """Rename a folder and/or move it under another folder of the same account (None: top level)."""
    require_staff(actor)
    folder = session.get(Folder, folder_id)
    if folder is None:
        raise NotFound(_('That folder does not exist (it may have been deleted).'))
    check_account(session, actor, folder.account_id)
    name = _clean_folder_name(name)
    parent = folder_in_account(session, folder.account_id, parent_id)
    # A folder cannot go inside itself or one of its own subfolders.
    walk, steps = parent, 0
    while walk is not None and steps <= MAX_FOLDER_DEPTH:
        if walk.id == folder.id:
            raise InvalidInput(_('The folder "{name}" cannot be moved inside itself.').format(name=folder.name), field="parent_id")
        walk, steps = (session.get(Folder, walk.parent_id) if walk.parent_id else None), steps + 1
    if parent_id != folder.parent_id and _depth(session, parent) + _subtree_height(session, folder) > MAX_FOLDER_DEPTH:
        raise InvalidInput(_('Folders can be nested at most {max_folder_depth} deep.').format(max_folder_depth=MAX_FOLDER_DEPTH), field="parent_id")
    other = _sibling(session, folder.account_id, parent_id, name)
    if other is not None and other.id != folder.id:
        raise Conflict(_('There is already a folder "{name}" there.').format(name=name))
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


def ensure_path(session: Session, account_id: int, parts: list[str], *,
                shared: bool = True) -> tuple[Folder, int]:
    """The folder at this path, creating what is missing (the last one shared or not as asked, those above
    it shared, so a shared folder below is not hidden by them); returns it and how many were created. Folders already there keep their sharing."""
    parent: Folder | None = None
    created = 0
    for n, part in enumerate(parts):
        existing = _sibling(session, account_id, parent.id if parent else None, part)
        if existing is None:
            existing = Folder(account_id=account_id, parent_id=parent.id if parent else None, name=part,
                              shared=shared if n == len(parts) - 1 else True)
            session.add(existing)
            session.flush()
            created += 1
        parent = existing
    return parent, created


def split_path(path: str) -> list[str]:
    """ "2026 / Tax returns" -> ["2026", "Tax returns"], each part checked like a folder name."""
    parts = [" ".join(p.split()) for p in str(path or "").replace("\\", "/").split("/")]
    parts = [p for p in parts if p]
    if len(parts) > MAX_FOLDER_DEPTH:
        raise InvalidInput(_('"{path}" is nested more than {max_folder_depth} deep.').format(path=path, max_folder_depth=MAX_FOLDER_DEPTH), field="paths")
    return [_clean_folder_name(p) for p in parts]

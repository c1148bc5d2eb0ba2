"""Folder templates: named lists of folder paths (admins) that staff apply to an account."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, select

from practice.models import FolderTemplate, FolderTemplateItem
from practice.services import audit
from practice.services.actor import Actor, require_admin, require_staff
from practice.services.documents.folders import ensure_path, split_path
from practice.services.documents.permissions import check_account
from practice.services.errors import Conflict, InvalidInput, NotFound
from practice.i18n import _

MAX_TEMPLATE_FOLDERS = 200


@dataclass
class TemplateView:
    id: int
    name: str
    paths: list[str]
    # The paths whose folders are internal (not shared with the client) when the template is applied.
    internal: list[str] = field(default_factory=list)


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
        raise InvalidInput(_('List at least one folder, one per line, like "2026/Tax returns".'), field="paths")
    if len(out) > MAX_TEMPLATE_FOLDERS:
        raise InvalidInput(_('A folder template holds at most {max_template_folders} folders.').format(max_template_folders=MAX_TEMPLATE_FOLDERS), field="paths")
    return out


def list_folder_templates(session: Session) -> list[TemplateView]:
    """Every folder template with its folders (any staff member may apply one)."""
    items: dict[int, list[str]] = {}
    internal: dict[int, list[str]] = {}
    for tid, path, shared in session.exec(
            select(FolderTemplateItem.template_id, FolderTemplateItem.path, FolderTemplateItem.shared)
            .order_by(FolderTemplateItem.template_id, FolderTemplateItem.position, FolderTemplateItem.id)):
        items.setdefault(tid, []).append(path)
        if not shared:
            internal.setdefault(tid, []).append(path)
    return [TemplateView(t.id, t.name, items.get(t.id, []), internal.get(t.id, []))
            for t in session.exec(select(FolderTemplate).order_by(func.lower(FolderTemplate.name)))]


def save_folder_template(session: Session, actor: Actor, *, name: str, paths: list[str] | str,
                         template_id: int | None = None, internal: list[str] | None = None) -> FolderTemplate:
    """Create a folder template, or replace an existing one's name and folders (admins). The folders listed
    in `internal` are made internal when applied; without it, an edited template keeps each folder's choice
    and new folders are shared with the client."""
    require_admin(actor)
    name = " ".join(str(name or "").split())
    if not name:
        raise InvalidInput(_('Give the folder template a name.'), field="name")
    if len(name) > 100:
        raise InvalidInput(_('Keep the template name to 100 characters.'), field="name")
    if '"' in name:
        raise InvalidInput(_('A template name cannot contain a double quote (rules quote it as "name").'),
                           field="name")
    clean = _clean_paths(paths)
    same = session.exec(select(FolderTemplate).where(func.lower(FolderTemplate.name) == name.lower())).first()
    if same is not None and same.id != template_id:
        raise Conflict(_('There is already a folder template "{name}".').format(name=name))
    if template_id is None:
        template = FolderTemplate(name=name)
        session.add(template)
        session.flush()
        action = "create"
    else:
        template = session.get(FolderTemplate, template_id)
        if template is None:
            raise NotFound(_('That folder template does not exist (it may have been deleted).'))
        template.name = name
        kept = set()
        for item in session.exec(select(FolderTemplateItem).where(FolderTemplateItem.template_id == template.id)):
            if not item.shared:
                kept.add(item.path.lower())
            session.delete(item)
        internal = internal if internal is not None else list(kept)
        action = "update"
    hidden = {"/".join(split_path(p)).lower() for p in internal or []}
    for i, path in enumerate(clean):
        session.add(FolderTemplateItem(template_id=template.id, path=path, position=i,
                                       shared=path.lower() not in hidden))
    inside = [p for p in clean if p.lower() in hidden]
    audit.record(session, actor, action, "folder_template", template.id, f'Saved folder template "{name}"'
                 + (f" (internal: {', '.join(inside)})" if inside else ""), folders=len(clean))
    return template


def delete_folder_template(session: Session, actor: Actor, template_id: int) -> None:
    """Delete a template (folders already made from it stay)."""
    require_admin(actor)
    template = session.get(FolderTemplate, template_id)
    if template is None:
        raise NotFound(_('That folder template does not exist (it may have been deleted).'))
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
    require_staff(actor)
    account = check_account(session, actor, account_id)
    template = session.get(FolderTemplate, template_id)
    if template is None:
        raise NotFound(_('That folder template does not exist (it may have been deleted).'))
    created = 0
    for path, shared in session.exec(
            select(FolderTemplateItem.path, FolderTemplateItem.shared).where(FolderTemplateItem.template_id == template.id)
            .order_by(FolderTemplateItem.position, FolderTemplateItem.id)):
        created += ensure_path(session, account.id, split_path(path), shared=shared)[1]
    audit.record(session, actor, "apply", "folder_template", template.id,
                 f'Applied folder template "{template.name}" to "{account.name}" ({created} new folders)',
                 account_id=account.id)
    return created


def set_template_folder_shared(session: Session, actor: Actor, template_id: int, path: str,
                               shared: bool) -> None:
    """Choose whether one folder of a template is shared with the client when applied (admins); folders
    already made from the template keep their own setting."""
    require_admin(actor)
    template = session.get(FolderTemplate, template_id)
    if template is None:
        raise NotFound(_('That folder template does not exist (it may have been deleted).'))
    item = session.exec(select(FolderTemplateItem).where(FolderTemplateItem.template_id == template.id,
                                                         func.lower(FolderTemplateItem.path) == str(path).lower())).first()
    if item is None:
        raise NotFound(_('The template "{name}" has no folder "{path}" (it may have been changed).').format(name=template.name, path=path))
    if item.shared != bool(shared):
        item.shared = bool(shared)
        audit.record(session, actor, "update", "folder_template", template.id,
                     f'Folder template "{template.name}": "{item.path}" is '
                     + ("shared with the client" if shared else "internal"))

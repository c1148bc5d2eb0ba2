"""Colour-coded tags on accounts, contacts, jobs and tasks."""
from __future__ import annotations

import re

from sqlalchemy import delete, func
from sqlmodel import Session, select

from practice.i18n import _
from practice.models import AccountTag, ContactTag, JobTag, Tag, TaskTag
from practice.services import audit
from practice.services.actor import Actor, require_admin
from practice.services.errors import Conflict, InvalidInput, NotFound

# Which link table carries tags for each kind of thing, and its key column name.
LINKS = {"account": (AccountTag, "account_id"), "contact": (ContactTag, "contact_id"),
         "job": (JobTag, "job_id"), "task": (TaskTag, "task_id")}
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def list_tags(session: Session) -> list[Tag]:
    return list(session.exec(select(Tag).order_by(Tag.name)))


def tag_by_name(session: Session, name: str) -> Tag | None:
    return session.exec(select(Tag).where(func.lower(Tag.name) == name.strip().lower())).first()


def create_tag(session: Session, actor: Actor, *, name: str, color: str = "#6b7280") -> Tag:
    require_admin(actor)
    name = name.strip()
    if not name:
        raise InvalidInput(_("Give the tag a name."), field="name")
    if not COLOR_RE.match(color):
        raise InvalidInput(_("Pick a colour like #1d4ed8."), field="color")
    if tag_by_name(session, name):
        raise Conflict(_('There is already a tag "{name}".').format(name=name))
    tag = Tag(name=name, color=color)
    session.add(tag)
    session.flush()
    audit.record(session, actor, "create", "tag", tag.id, f'Created tag "{name}"')
    return tag


def tag_ids_of(session: Session, kind: str, item_id: int) -> list[int]:
    link, col = LINKS[kind]
    return list(session.exec(select(link.tag_id).where(getattr(link, col) == item_id)))


def set_tag(session: Session, actor: Actor, kind: str, item_id: int, tag_id: int, present: bool) -> bool:
    """Add or remove one tag; returns whether anything changed. Callers check access to the item."""
    link, col = LINKS[kind]
    tag = session.get(Tag, tag_id)
    if not tag:
        raise NotFound(_("That tag no longer exists."))
    has = session.exec(select(link).where(getattr(link, col) == item_id, link.tag_id == tag_id)).first()
    if present and not has:
        session.add(link(**{col: item_id, "tag_id": tag_id}))
    elif not present and has:
        session.exec(delete(link).where(getattr(link, col) == item_id, link.tag_id == tag_id))
    else:
        return False
    audit.record(session, actor, "tag_added" if present else "tag_removed", kind, item_id,
                 f'Tag "{tag.name}" {"added" if present else "removed"}', tag=tag.name)
    return True

"""The audit log: every write says who did it; admins read the whole firm's log."""
from __future__ import annotations

import datetime as dt
from enum import Enum

from sqlmodel import Session, select

from practice.models import AuditLog
from practice.services.actor import Actor, require_admin


def record(session: Session, actor: Actor, action: str, entity: str, entity_id: int | None,
           summary: str, **detail) -> None:
    """Add an audit row to the caller's transaction."""
    session.add(AuditLog(actor_id=actor.member_id, actor_label=actor.name, action=action,
                         entity=entity, entity_id=entity_id, summary=summary, detail=detail))


def shown_value(value) -> str:
    """How a changed value reads in the log: quoted text, a date with its year, "none" for nothing."""
    if isinstance(value, Enum):
        return str(value.value)
    if value is None or value == "":
        return "none"
    if isinstance(value, dt.date):
        return value.strftime("%b %-d, %Y")
    if isinstance(value, str):
        text = " ".join(value.split())
        return f'"{text[:77]}…"' if len(text) > 80 else f'"{text}"'
    return str(value)


def record_changes(session: Session, actor: Actor, entity: str, entity_id: int | None, subject: str,
                   before: dict, after: dict, labels: dict[str, str] | None = None, **detail) -> bool:
    """Add one audit row naming `subject` and each changed field as old → new; nothing when nothing changed.
    `labels` gives a field the words people know it by ("first_name" → "first name")."""
    changed = {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
    if not changed:
        return False
    words = labels or {}
    parts = [f"{words.get(k, k.replace('_', ' '))} {shown_value(old)} → {shown_value(new)}"
             for k, (old, new) in changed.items()]
    record(session, actor, "update", entity, entity_id, f"{subject}: " + "; ".join(parts),
           changes={k: [shown_value(old), shown_value(new)] for k, (old, new) in changed.items()}, **detail)
    return True


def firm_log(session: Session, actor: Actor, *, entity: str | None = None, actor_id: int | None = None,
             before_id: int | None = None, limit: int = 50) -> list[AuditLog]:
    """The firm's whole audit log, newest first, for admins; `before_id` pages to older entries."""
    require_admin(actor)
    stmt = select(AuditLog).order_by(AuditLog.id.desc()).limit(max(1, min(limit, 500)))
    if entity:
        stmt = stmt.where(AuditLog.entity == entity)
    if actor_id is not None:
        stmt = stmt.where(AuditLog.actor_id == actor_id)
    if before_id is not None:
        stmt = stmt.where(AuditLog.id < before_id)
    return list(session.exec(stmt))


def logged_entities(session: Session, actor: Actor) -> list[str]:
    """The kinds of things the audit log mentions (for its filter), for admins."""
    require_admin(actor)
    return sorted(session.exec(select(AuditLog.entity).distinct()))

"""The audit log: every write says who did it."""
from __future__ import annotations

from sqlmodel import Session, select

from practice.models import AuditLog
from practice.services.actor import Actor, require_admin


def record(session: Session, actor: Actor, action: str, entity: str, entity_id: int | None,
           summary: str, **detail) -> None:
    """Add an audit row to the caller's transaction."""
    session.add(AuditLog(actor_id=actor.member_id, actor_label=actor.name, action=action,
                         entity=entity, entity_id=entity_id, summary=summary, detail=detail))


def list_entries(session: Session, actor: Actor, *, entity: str | None = None,
                 entity_id: int | None = None, limit: int = 100) -> list[AuditLog]:
    """One thing's history (account, contact, job, task) for those who may see the thing; anything
    broader is for admins."""
    if not actor.is_admin:
        if entity not in _ITEM_CHECKS or entity_id is None:
            require_admin(actor)
        _ITEM_CHECKS[entity](session, actor, entity_id)  # raises NotFound / PermissionDenied
    stmt = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if entity:
        stmt = stmt.where(AuditLog.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditLog.entity_id == entity_id)
    return list(session.exec(stmt))


def _check_account(session, actor, item_id):
    from practice.services.work.accounts import get_account  # noqa: PLC0415 - accounts imports audit

    get_account(session, actor, item_id)


def _check_contact(session, actor, item_id):
    from practice.services.work.accounts import contact_visible  # noqa: PLC0415

    contact_visible(session, actor, item_id)


def _check_job(session, actor, item_id):
    from practice.services.work.jobs import get_job  # noqa: PLC0415

    get_job(session, actor, item_id)


def _check_task(session, actor, item_id):
    from practice.services.work.tasks import get_task  # noqa: PLC0415

    get_task(session, actor, item_id)


_ITEM_CHECKS = {"account": _check_account, "contact": _check_contact, "job": _check_job, "task": _check_task}


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

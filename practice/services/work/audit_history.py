"""One account's, contact's, job's or task's audit history, for whoever may see that thing."""
from __future__ import annotations

from sqlmodel import Session, select

from practice.models import AuditLog
from practice.services.actor import Actor, require_admin
from practice.services.work.accounts import contact_visible, get_account
from practice.services.work.jobs import get_job
from practice.services.work.tasks import get_task

# How each kind of thing checks that the actor may see it (raises NotFound / PermissionDenied).
_ITEM_CHECKS = {"account": get_account, "contact": contact_visible, "job": get_job, "task": get_task}


def list_entries(session: Session, actor: Actor, *, entity: str | None = None,
                 entity_id: int | None = None, limit: int = 100) -> list[AuditLog]:
    """One thing's history (account, contact, job, task) for those who may see the thing; anything
    broader is for admins."""
    if not actor.is_admin:
        if entity not in _ITEM_CHECKS or entity_id is None:
            require_admin(actor)
        _ITEM_CHECKS[entity](session, actor, entity_id)
    stmt = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if entity == "account" and entity_id is not None:
        # The account's own rows and those of its documents and folders (each written once); its jobs and
        # tasks have their own pages.
        return list(session.exec(stmt.where(AuditLog.account_id == entity_id, AuditLog.entity.not_in(("job", "task")))))
    if entity:
        stmt = stmt.where(AuditLog.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditLog.entity_id == entity_id)
    return list(session.exec(stmt))

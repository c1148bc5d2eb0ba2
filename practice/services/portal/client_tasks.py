"""What a client is asked to do: each job's client checklist (staff add and remove items, the contact
ticks them off), and the portal's list of the contact's jobs with their open items."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from practice.i18n import N_, _
from practice.models import Account, ClientTask, Contact, Job, utcnow
from practice.services import audit, events, inbox
from practice.services.actor import Actor, ContactActor, contact_name, recorded_actor
from practice.services.errors import InvalidInput, NotFound, PermissionDenied
from practice.services.work.accounts import get_account
from practice.services.work.jobs import get_job


def _account_in_scope(actor: ContactActor, account_id: int | None) -> int:
    account_id = actor.current_account_id if account_id is None else account_id
    if account_id is None or account_id not in actor.account_ids:
        raise PermissionDenied(_("That account is not one of yours."))
    return account_id


@dataclass
class PortalJob:
    id: int
    name: str
    due_date: dt.date | None
    open_tasks: int


def jobs_for_contact(session: Session, actor: ContactActor, account_id: int | None = None) -> list[PortalJob]:
    """The current (or given, if linked) account's active jobs, soonest due first, with open client tasks."""
    account_id = _account_in_scope(actor, account_id)
    open_counts = dict(session.exec(select(ClientTask.job_id, func.count()).where(
        ClientTask.account_id == account_id, ClientTask.done_at.is_(None)).group_by(ClientTask.job_id)).all())
    jobs = session.exec(select(Job).where(Job.account_id == account_id, Job.archived == False)  # noqa: E712
                        .order_by(Job.due_date.is_(None), Job.due_date, Job.id))
    return [PortalJob(j.id, j.name, j.due_date, open_counts.get(j.id, 0)) for j in jobs]


@dataclass
class ClientTaskView:
    id: int
    title: str
    description: str
    job_id: int
    job_name: str
    due_date: dt.date | None
    done_at: dt.datetime | None
    done_by: str


def _views(session: Session, *conditions) -> list[ClientTaskView]:
    rows = session.execute(select(ClientTask, Job.name, Job.due_date).join(Job, Job.id == ClientTask.job_id)
                           .where(*conditions)
                           .order_by(ClientTask.done_at.is_not(None), Job.due_date.is_(None), Job.due_date,
                                     ClientTask.job_id, ClientTask.position, ClientTask.id)).all()
    contact_ids = {t.done_by_contact_id for t, *_ in rows if t.done_by_contact_id}
    names = {c.id: contact_name(c) for c in session.exec(select(Contact).where(Contact.id.in_(contact_ids or [-1])))}
    return [ClientTaskView(t.id, t.title, t.description, t.job_id, job_name, due, t.done_at,
                           names.get(t.done_by_contact_id, "")) for t, job_name, due in rows]


def create_client_task(session: Session, actor: Actor, job_id: int, *, title: str,
                       description: str = "") -> ClientTask:
    """Add an item to a job's client checklist (staff who may see the job)."""
    if not isinstance(actor, Actor):
        raise PermissionDenied()
    job = get_job(session, actor, job_id)
    title = (title or "").strip()[:300]
    if not title:
        raise InvalidInput(_('Say what the client should do, like "Upload your W-2".'), field="title")
    last = session.exec(select(func.max(ClientTask.position)).where(ClientTask.job_id == job.id)).one()
    task = ClientTask(account_id=job.account_id, job_id=job.id, title=title, description=(description or "")[:5000],
                      created_by_member_id=actor.member_id, position=(last or 0) + 1)
    session.add(task)
    session.flush()
    audit.record(session, actor, "client_task_create", "job", job.id, f'Asked the client: "{title}"')
    return task


def client_tasks_of_job(session: Session, actor: Actor, job_id: int) -> list[ClientTaskView]:
    """A job's client checklist, open items first (staff who may see the job)."""
    if not isinstance(actor, Actor):
        raise PermissionDenied()
    get_job(session, actor, job_id)
    return _views(session, ClientTask.job_id == job_id)


def client_tasks_for_contact(session: Session, actor: ContactActor, *, account_id: int | None = None,
                             open_only: bool = False) -> list[ClientTaskView]:
    """The checklist of the contact's current (or given, if linked) account."""
    account_id = _account_in_scope(actor, account_id)
    conditions = [ClientTask.account_id == account_id, Job.account_id == account_id,
                  Job.archived == False]  # noqa: E712
    if open_only:
        conditions.append(ClientTask.done_at.is_(None))
    return _views(session, *conditions)


def _task_for(session: Session, actor, task_id: int) -> ClientTask:
    task = session.get(ClientTask, task_id)
    if isinstance(actor, ContactActor):
        # Another account's task is reported as missing: its existence is none of this contact's business.
        if task is None or task.account_id not in actor.account_ids:
            raise NotFound(_("That task is not in your portal (it may have been removed)."))
        return task
    if not isinstance(actor, Actor):
        raise PermissionDenied()
    if task is None:
        raise NotFound(_("That client task no longer exists."))
    if task.job_id is None:  # asked in a chat thread about no job
        get_account(session, actor, task.account_id)
    else:
        get_job(session, actor, task.job_id)
    return task


def complete_client_task(session: Session, actor: ContactActor, task_id: int) -> ClientTask:
    """Tick off a task (contacts); when it is the job's last open one, `client_tasks_completed` fires."""
    if not isinstance(actor, ContactActor):
        raise PermissionDenied(_("Only the client ticks off client tasks."))
    task = _task_for(session, actor, task_id)
    if task.done_at is not None:
        return task
    task.done_at, task.done_by_contact_id = utcnow(), actor.contact_id
    session.flush()
    entity, entity_id = ("job", task.job_id) if task.job_id else ("account", task.account_id)
    audit.record(session, recorded_actor(actor), "client_task_done", entity, entity_id,
                 f'{actor.name} completed "{task.title}"')
    account = session.get(Account, task.account_id)
    inbox.notify_client_activity(session, account_id=task.account_id, job_id=task.job_id,
                                 text=inbox.said(N_('{who} completed "{title}"'),
                                                 who=inbox.client_label(actor.name, account.name if account else ""),
                                                 title=task.title))
    if task.job_id is None:
        return task
    still_open = session.exec(select(func.count()).select_from(ClientTask).where(
        ClientTask.job_id == task.job_id, ClientTask.done_at.is_(None))).one()
    if still_open == 0:
        events.emit(session, actor, "client_tasks_completed", job_id=task.job_id, account_id=task.account_id,
                    payload={"contact_id": actor.contact_id})
    else:
        # The job's other open tasks may belong to an earlier stage: this stage's items may still be done.
        events.check_stage_items(session, actor, task.job_id, contact_id=actor.contact_id)
    return task


def reopen_client_task(session: Session, actor: Actor | ContactActor, task_id: int) -> ClientTask:
    """Mark a done task as open again (staff on the job, or a contact of its account)."""
    task = _task_for(session, actor, task_id)
    if task.done_at is None:
        return task
    task.done_at, task.done_by_contact_id = None, None
    who = recorded_actor(actor)
    entity, entity_id = ("job", task.job_id) if task.job_id else ("account", task.account_id)
    audit.record(session, who, "client_task_reopen", entity, entity_id, f'Reopened client task "{task.title}"')
    return task


def delete_client_task(session: Session, actor: Actor, task_id: int) -> None:
    """Remove an item from a job's client checklist (staff)."""
    if not isinstance(actor, Actor):
        raise PermissionDenied()
    task = _task_for(session, actor, task_id)
    session.delete(task)
    audit.record(session, actor, "client_task_delete", "job", task.job_id, f'Removed client task "{task.title}"')

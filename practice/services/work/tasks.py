"""Tasks: to-dos for team members, optionally linked to a job, with subtasks and comments."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_
from sqlmodel import Session, select

from practice.models import Account, Job, Task, TaskComment, TaskStatus, TeamMember, utcnow
from practice.i18n import _
from practice.services import audit
from practice.services.work.accounts import get_account
from practice.services.actor import Actor, require_staff, visible_account_ids
from practice.services.errors import InvalidInput, NotFound, PermissionDenied
from practice.services.work.jobs import get_job

OPEN_STATUSES = (TaskStatus.planned, TaskStatus.in_progress, TaskStatus.waiting_for_client)


def _status(value) -> TaskStatus:
    try:
        return TaskStatus(value)
    except ValueError:
        raise InvalidInput(_('"{value}" is not a task status.').format(value=value), field="status") from None


def get_task(session: Session, actor: Actor, task_id: int) -> Task:
    """A task the actor may see: one assigned to them (whatever its account: the list shows it too), or one
    of an account they may see, or, for an admin, any."""
    require_staff(actor)
    task = session.get(Task, task_id)
    if not task:
        raise NotFound(_("That task does not exist (it may have been deleted)."))
    if task.assignee_id is not None and task.assignee_id == actor.member_id:
        return task
    if task.account_id is not None:
        get_account(session, actor, task.account_id)
    elif not actor.is_admin and task.assignee_id != actor.member_id:
        raise PermissionDenied(_("This task belongs to someone else."))
    return task


def create_task(session: Session, actor: Actor, *, title: str, assignee_id: int | None = None,
                job_id: int | None = None, account_id: int | None = None, parent_id: int | None = None,
                due_date: dt.date | None = None, description: str = "") -> Task:
    title = (title or "").strip()
    if not title:
        raise InvalidInput(_("Give the task a title."), field="title")
    if len(title) > 300:
        raise InvalidInput(_("Keep the task title under 300 characters."), field="title")
    if job_id is not None:
        job = get_job(session, actor, job_id)
        account_id = job.account_id
    elif account_id is not None:
        get_account(session, actor, account_id)
    if parent_id is not None:
        parent = get_task(session, actor, parent_id)
        job_id, account_id = parent.job_id, parent.account_id
    if assignee_id is not None and not session.get(TeamMember, assignee_id):
        raise InvalidInput(_("The chosen assignee is no longer on the team."), field="assignee")
    task = Task(title=title, assignee_id=assignee_id, job_id=job_id, account_id=account_id,
                parent_id=parent_id, due_date=due_date, description=description)
    session.add(task)
    session.flush()
    audit.record(session, actor, "create", "task", task.id, f'Created task "{title}"', job_id=job_id)
    return task


def set_status(session: Session, actor: Actor, task_id: int, status: str) -> Task:
    task = get_task(session, actor, task_id)
    new = _status(status)
    if task.status == new:
        return task
    old, task.status = task.status, new
    task.completed_at = utcnow() if new == TaskStatus.completed else None
    audit.record(session, actor, "status", "task", task.id,
                 f'Task "{task.title}": {TaskStatus(old).value} → {new.value}')
    return task


def update_task(session: Session, actor: Actor, task_id: int, *, title: str | None = None,
                assignee_id: int | None | str = "keep", due_date: dt.date | None | str = "keep",
                description: str | None = None) -> Task:
    """Change what is given ("keep" leaves it); one audit row names the task and each change, old → new."""
    task = get_task(session, actor, task_id)
    after: dict = {}
    if title is not None:
        if not title.strip():
            raise InvalidInput(_("Give the task a title."), field="title")
        if len(title.strip()) > 300:
            raise InvalidInput(_("Keep the task title under 300 characters."), field="title")
        after["title"] = " ".join(title.split())
    if assignee_id != "keep":
        if assignee_id is not None and not session.get(TeamMember, assignee_id):
            raise InvalidInput(_("The chosen assignee is no longer on the team."), field="assignee")
        after["assignee_id"] = assignee_id
    if due_date != "keep":
        after["due_date"] = due_date
    if description is not None:
        after["description"] = description.strip()
    before = {k: getattr(task, k) for k in after}
    subject = f'Task "{task.title}"'
    for key, value in after.items():
        setattr(task, key, value)
    names = _member_names(session, [before.get("assignee_id"), after.get("assignee_id")])
    audit.record_changes(session, actor, "task", task.id, subject, _readable(before, names), _readable(after, names))
    return task


def _member_names(session: Session, ids: list) -> dict:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {i: n for i, n in session.exec(select(TeamMember.id, TeamMember.name).where(TeamMember.id.in_(wanted)))}


def _readable(values: dict, names: dict) -> dict:
    """Task fields as the log shows them: the assignee by name."""
    return {("assignee" if k == "assignee_id" else k): (names.get(v) if k == "assignee_id" else v)
            for k, v in values.items()}


def add_comment(session: Session, actor: Actor, task_id: int, body: str) -> TaskComment:
    task = get_task(session, actor, task_id)
    body = (body or "").strip()
    if not body:
        raise InvalidInput(_("Write something before posting the comment."), field="body")
    if actor.member_id is None:
        raise PermissionDenied(_("Only team members can comment."))
    comment = TaskComment(task_id=task.id, author_id=actor.member_id, body=body)
    session.add(comment)
    session.flush()
    audit.record(session, actor, "comment", "task", task.id, f'Commented on "{task.title}"')
    return comment


def comments_of(session: Session, actor: Actor, task_id: int) -> list[tuple[TaskComment, str]]:
    get_task(session, actor, task_id)
    return list(session.exec(select(TaskComment, TeamMember.name).join(TeamMember, TeamMember.id == TaskComment.author_id)
                             .where(TaskComment.task_id == task_id).order_by(TaskComment.id)))


def subtasks_of(session: Session, actor: Actor, task_id: int) -> list[Task]:
    get_task(session, actor, task_id)
    return list(session.exec(select(Task).where(Task.parent_id == task_id).order_by(Task.id)))


def list_tasks(session: Session, actor: Actor, *, mine: bool = True, status: str = "open",
               job_id: int | None = None, account_id: int | None = None, limit: int = 200) -> list[dict]:
    """Tasks for the task list: mine or all visible; status 'open', 'all' or one status."""
    require_staff(actor)
    stmt = (select(Task, TeamMember.name, Account.name, Job.name)
            .join(TeamMember, TeamMember.id == Task.assignee_id, isouter=True)
            .join(Account, Account.id == Task.account_id, isouter=True)
            .join(Job, Job.id == Task.job_id, isouter=True))
    if mine:
        stmt = stmt.where(Task.assignee_id == actor.member_id)
    visible = visible_account_ids(actor, Task.account_id)
    if visible is not None:
        stmt = stmt.where(or_(visible, Task.assignee_id == actor.member_id))
    if status == "open":
        stmt = stmt.where(Task.status.in_(OPEN_STATUSES))
    elif status != "all":
        stmt = stmt.where(Task.status == _status(status))
    if job_id is not None:
        stmt = stmt.where(Task.job_id == job_id)
    if account_id is not None:
        stmt = stmt.where(Task.account_id == account_id)
    stmt = stmt.order_by(Task.due_date.is_(None), Task.due_date, Task.id).limit(limit)
    return [{"id": t.id, "title": t.title, "status": TaskStatus(t.status).value, "due_date": t.due_date,
             "assignee": who or "", "account": acc or "", "account_id": t.account_id, "job": jname or "",
             "job_id": t.job_id, "parent_id": t.parent_id} for t, who, acc, jname in session.exec(stmt)]


def count_open_tasks(session: Session, actor: Actor) -> int:
    return session.exec(select(func.count()).select_from(Task).where(
        Task.assignee_id == actor.member_id, Task.status.in_(OPEN_STATUSES))).one()

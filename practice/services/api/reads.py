"""The API's lists: accounts, contacts, jobs, tasks, documents (their details, never their bytes) and events, each
limited by the rules the app applies to the same actor (`actor.account_visible`: an employee without "view all"
sees the accounts they are on the team of or have a job assigned on; tasks also those assigned to them).

Every list is in id order and pages by a cursor: the last id of a page, after which the next page starts; a page
shorter than asked for is the last one. Filtering by an account the actor may not see is refused like opening it in
the app (`get_account`), rather than answered with an empty list.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, or_
from sqlmodel import Session, select

from practice.models import (Account, AccountContact, AccountType, Contact, Document, DocumentStatus, Event, Job,
                             JobAssignee, Priority, Stage, Task, TaskStatus)
from practice.services.actor import Actor, account_visible, require_staff, visible_account_ids
from practice.services.work.accounts import get_account
from practice.services.work.jobs import get_job

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class Paging:
    """Which page: at most `limit` rows with an id above `after` (the previous page's cursor)."""

    limit: int = DEFAULT_LIMIT
    after: int = 0
    created_since: dt.datetime | None = None
    # Only rows changed at or after this moment, in the order they were changed (then by id); the cursor is then
    # the last row's (change, id), `after_change`.
    updated_since: dt.datetime | None = None
    after_change: dt.datetime | None = None


@dataclass(frozen=True)
class Page:
    items: list[dict]
    next_cursor: str | None


def _moment(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def change_cursor(moment: dt.datetime, row_id: int) -> str:
    """The cursor after a row in change order: its change in microseconds since 1970 (UTC), a dash, its id."""
    since_epoch = moment.astimezone(dt.timezone.utc) - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    return f"{since_epoch // dt.timedelta(microseconds=1)}-{row_id}"


def cursor_moment(microseconds: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(microseconds=microseconds)


def _page(session: Session, stmt, id_col, created_col, paging: Paging, shape, updated_col=None) -> Page:
    """One page in id order; with `updated_since`, in the order of the rows' last change then id (a row changed while
    a program pages comes again at the end, with what changed), so paging through "everything changed since T"
    neither misses nor repeats a row."""
    updated_col = created_col if updated_col is None else updated_col
    if paging.created_since is not None:
        stmt = stmt.where(created_col >= paging.created_since)
    limit = max(1, min(paging.limit, MAX_LIMIT))
    if paging.updated_since is None:
        rows = list(session.exec(stmt.where(id_col > paging.after).order_by(id_col).limit(limit + 1)))
    else:
        stmt = stmt.where(updated_col >= paging.updated_since)
        if paging.after_change is not None:
            stmt = stmt.where(or_(updated_col > paging.after_change,
                                  and_(updated_col == paging.after_change, id_col > paging.after)))
        rows = list(session.exec(stmt.order_by(updated_col, id_col).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    items = shape(rows)
    if not (more and items):
        return Page(items, None)
    if paging.updated_since is None:
        return Page(items, str(items[-1]["id"]))
    last = rows[-1]
    return Page(items, change_cursor(getattr(last, updated_col.key), last.id))


def _visible(stmt, actor: Actor, account_col):
    condition = account_visible(require_staff(actor), account_col)
    return stmt if condition is None else stmt.where(condition)


def _enum(kind, value) -> str:
    return kind(value).value


def account_dict(a: Account) -> dict:
    return {"id": a.id, "name": a.name, "type": _enum(AccountType, a.type), "notes": a.notes,
            "archived": bool(a.archived), "created_at": _moment(a.created_at),
            "updated_at": _moment(a.updated_at)}


def list_accounts(session: Session, actor: Actor, paging: Paging, *, archived: bool | None = False,
                  search: str = "") -> Page:
    stmt = _visible(select(Account), actor, Account.id)
    if archived is not None:
        stmt = stmt.where(Account.archived == archived)
    if search.strip():
        stmt = stmt.where(Account.name.ilike(f"%{search.strip()}%"))
    return _page(session, stmt, Account.id, Account.created_at, paging, lambda rows: [account_dict(a) for a in rows],
                 Account.updated_at)


def account(session: Session, actor: Actor, account_id: int) -> dict:
    return account_dict(get_account(session, require_staff(actor), account_id))


def _contact_dicts(session: Session, contacts: list[Contact], visible) -> list[dict]:
    """The contacts, each with those of its accounts the caller may see (`visible`: their condition, None: all)."""
    links: dict[int, list[int]] = {c.id: [] for c in contacts}
    if contacts:
        for contact_id, account_id in session.exec(select(AccountContact.contact_id, AccountContact.account_id)
                                                   .where(AccountContact.contact_id.in_(list(links)),
                                                          *([visible] if visible is not None else []))
                                                   .order_by(AccountContact.account_id)):
            links[contact_id].append(account_id)
    fields = ("first_name", "last_name", "email", "other_emails", "phone", "other_phones", "street", "city", "region",
              "postal_code", "country", "language")
    return [{"id": c.id, **{f: getattr(c, f) for f in fields}, "account_ids": links[c.id],
             "created_at": _moment(c.created_at), "updated_at": _moment(c.updated_at)} for c in contacts]


def list_contacts(session: Session, actor: Actor, paging: Paging, *, account_id: int | None = None) -> Page:
    """Contacts of the accounts the actor may see (those who see every account: every contact, as in the app)."""
    stmt = select(Contact)
    condition = visible_account_ids(actor, AccountContact.account_id)
    if condition is not None:
        stmt = stmt.where(Contact.id.in_(select(AccountContact.contact_id).where(condition)))
    if account_id is not None:
        get_account(session, actor, account_id)
        stmt = stmt.where(Contact.id.in_(select(AccountContact.contact_id).where(AccountContact.account_id == account_id)))
    return _page(session, stmt, Contact.id, Contact.created_at, paging,
                 lambda rows: _contact_dicts(session, rows, condition),
                 Contact.updated_at)


def _job_dicts(session: Session, jobs: list[Job]) -> list[dict]:
    ids = [j.id for j in jobs]
    assignees: dict[int, list[int]] = {i: [] for i in ids}
    stages: dict[int, str] = {}
    if ids:
        for job_id, member_id in session.exec(select(JobAssignee.job_id, JobAssignee.member_id)
                                              .where(JobAssignee.job_id.in_(ids)).order_by(JobAssignee.member_id)):
            assignees[job_id].append(member_id)
        stages = dict(session.exec(select(Stage.id, Stage.name).where(Stage.id.in_({j.stage_id for j in jobs}))).all())
    return [{"id": j.id, "name": j.name, "account_id": j.account_id, "pipeline_id": j.pipeline_id,
             "stage_id": j.stage_id, "stage": stages.get(j.stage_id, ""), "priority": _enum(Priority, j.priority),
             "start_date": _day(j.start_date), "due_date": _day(j.due_date), "archived": bool(j.archived),
             "assignee_ids": assignees[j.id], "created_at": _moment(j.created_at),
             "entered_stage_at": _moment(j.entered_stage_at), "updated_at": _moment(j.updated_at)} for j in jobs]


def list_jobs(session: Session, actor: Actor, paging: Paging, *, account_id: int | None = None,
              pipeline_id: int | None = None, stage_id: int | None = None, archived: bool | None = False) -> Page:
    stmt = _visible(select(Job), actor, Job.account_id)
    if account_id is not None:
        get_account(session, actor, account_id)
        stmt = stmt.where(Job.account_id == account_id)
    if pipeline_id is not None:
        stmt = stmt.where(Job.pipeline_id == pipeline_id)
    if stage_id is not None:
        stmt = stmt.where(Job.stage_id == stage_id)
    if archived is not None:
        stmt = stmt.where(Job.archived == archived)
    return _page(session, stmt, Job.id, Job.created_at, paging, lambda rows: _job_dicts(session, rows), Job.updated_at)


def job(session: Session, actor: Actor, job_id: int) -> dict:
    return _job_dicts(session, [get_job(session, require_staff(actor), job_id)])[0]


def task_dict(t: Task) -> dict:
    return {"id": t.id, "title": t.title, "description": t.description, "status": _enum(TaskStatus, t.status),
            "account_id": t.account_id, "job_id": t.job_id, "parent_id": t.parent_id, "assignee_id": t.assignee_id,
            "due_date": _day(t.due_date), "created_at": _moment(t.created_at),
            "completed_at": _moment(t.completed_at), "updated_at": _moment(t.updated_at)}


def list_tasks(session: Session, actor: Actor, paging: Paging, *, account_id: int | None = None,
               job_id: int | None = None, status: TaskStatus | None = None, assignee_id: int | None = None) -> Page:
    """The tasks the task list would show the actor: of the accounts they see, and any assigned to them."""
    stmt = select(Task)
    condition = account_visible(require_staff(actor), Task.account_id)
    if condition is not None:
        stmt = stmt.where(or_(condition, Task.assignee_id == actor.member_id))
    if account_id is not None:
        get_account(session, actor, account_id)
        stmt = stmt.where(Task.account_id == account_id)
    if job_id is not None:
        get_job(session, actor, job_id)
        stmt = stmt.where(Task.job_id == job_id)
    if status is not None:
        stmt = stmt.where(Task.status == status)
    if assignee_id is not None:
        stmt = stmt.where(Task.assignee_id == assignee_id)
    return _page(session, stmt, Task.id, Task.created_at, paging, lambda rows: [task_dict(t) for t in rows],
                 Task.updated_at)


def _document_dict(d: Document) -> dict:
    return {"id": d.id, "name": d.name, "account_id": d.account_id, "folder_id": d.folder_id, "job_id": d.job_id,
            "size": d.size, "content_type": d.content_type, "pages": d.pages,
            "status": _enum(DocumentStatus, d.status), "shared": bool(d.shared),
            "uploaded_by": d.uploaded_by_label, "uploaded_at": _moment(d.uploaded_at),
            "in_trash": d.deleted_at is not None, "updated_at": _moment(d.updated_at)}


def list_documents(session: Session, actor: Actor, paging: Paging, *, account_id: int | None = None,
                   job_id: int | None = None) -> Page:
    """The documents (not in the trash) of the accounts the actor may see: names, sizes, who and when; with
    `updated_since`, those put in the trash since as well (`in_trash`), so a program following changes sees them go."""
    stmt = _visible(select(Document), actor, Document.account_id)
    if paging.updated_since is None:
        stmt = stmt.where(Document.deleted_at.is_(None))
    if account_id is not None:
        get_account(session, actor, account_id)
        stmt = stmt.where(Document.account_id == account_id)
    if job_id is not None:
        get_job(session, actor, job_id)
        stmt = stmt.where(Document.job_id == job_id)
    return _page(session, stmt, Document.id, Document.uploaded_at, paging,
                 lambda rows: [_document_dict(d) for d in rows], Document.updated_at)


def list_events(session: Session, actor: Actor, paging: Paging, *, account_id: int | None = None,
                job_id: int | None = None, kind: str = "") -> Page:
    """What happened (the events the automations react to: a job moved, a document uploaded...), for the accounts
    the actor may see; events of no account (firm-wide) to the owner and admins only."""
    require_staff(actor)
    stmt = select(Event)
    condition = account_visible(actor, Event.account_id)
    if condition is not None:
        stmt = stmt.where(Event.account_id.is_not(None), condition)
    elif not actor.is_admin:
        stmt = stmt.where(Event.account_id.is_not(None))
    if account_id is not None:
        get_account(session, actor, account_id)
        stmt = stmt.where(Event.account_id == account_id)
    if job_id is not None:
        get_job(session, actor, job_id)
        stmt = stmt.where(Event.job_id == job_id)
    if kind:
        stmt = stmt.where(Event.kind == kind)
    return _page(session, stmt, Event.id, Event.created_at, paging, lambda rows: [
        {"id": e.id, "kind": e.kind, "account_id": e.account_id, "job_id": e.job_id, "payload": e.payload or {},
         "created_at": _moment(e.created_at)} for e in rows])

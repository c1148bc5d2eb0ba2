"""The staff home's answer to "what do I do today": my tasks due today and overdue, the jobs waiting on the client,
and what clients did lately; each within what the member may see (an employee: their own tasks, and the accounts
they work on or may view).

A job waits on the client while it has a client task not yet done, a signature request sent and not yet finished,
a proposal sent and not yet answered, a document awaiting the client's approval, or a task staff marked "waiting
for client". Client activity is read from
the events clients' actions write (uploads, signatures, proposals, approvals, finished checklists).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, select

from practice.i18n import N_, _, ngettext
from practice.models import (Account, ApprovalRequest, ApprovalStatus, ClientTask, Contact, Document, Event, Job,
                             Proposal, ProposalStatus, SignatureRequest, SignatureRequestStatus, Task, TaskStatus, utcnow)
from practice.services.actor import Actor, account_visible, contact_name, require_staff, visible_account_ids
from practice.services.firm import get_firm
from practice.services.formatting import local_time
from practice.services.work.tasks import OPEN_STATUSES

MAX_TASKS = 50
MAX_WAITING = 25
MAX_ACTIVITY = 15
# What a client's action reads as on the home: event kind -> the sentence ({who} did it, {what} it names).
CLIENT_EVENTS = {
    "document_uploaded": N_("{who} uploaded {what}"),
    "signature_signed": N_("{who} signed {what}"),
    "signature_declined": N_("{who} declined to sign {what}"),
    "signature_completed": N_("{who} finished signing {what}"),
    "proposal_signed": N_("{who} signed the proposal {what}"),
    "document_approved": N_("{who} approved {what}"),
    "document_rejected": N_("{who} rejected {what}"),
    "client_tasks_completed": N_("{who} completed every client task of {what}"),
}


@dataclass(frozen=True)
class TaskDue:
    id: int
    title: str
    due_date: dt.date
    overdue: bool
    account: str
    account_id: int | None
    job: str
    job_id: int | None


@dataclass
class WaitingJob:
    """A job waiting on its client; or, for what was sent outside any job (job_id None), the account."""

    job_id: int | None
    job: str
    account: str
    account_id: int
    # What the client still owes, in words ("2 client tasks", 'signature: "Engagement letter"').
    waiting_for: list[str] = field(default_factory=list)
    # Since when the oldest of it waits.
    since: dt.datetime | None = None


@dataclass(frozen=True)
class ClientActivity:
    at: dt.datetime
    text: str
    account: str
    account_id: int | None
    job_id: int | None


@dataclass
class Today:
    today: dt.date
    timezone: str
    tasks: list[TaskDue]
    waiting: list[WaitingJob]
    waiting_total: int
    activity: list[ClientActivity]


def firm_today(session: Session, now: dt.datetime | None = None) -> dt.date:
    """Today's date on the firm's clock (a task due "today" is due on this date)."""
    return local_time(now or utcnow(), get_firm(session).timezone).date()


def tasks_due(session: Session, actor: Actor, today: dt.date) -> list[TaskDue]:
    """My open tasks due today or earlier, the oldest first."""
    require_staff(actor)
    stmt = (select(Task, Account.name, Job.name)
            .join(Account, Account.id == Task.account_id, isouter=True)
            .join(Job, Job.id == Task.job_id, isouter=True)
            .where(Task.assignee_id == actor.member_id, Task.status.in_(OPEN_STATUSES), Task.due_date <= today)
            .order_by(Task.due_date, Task.id).limit(MAX_TASKS))
    return [TaskDue(t.id, t.title, t.due_date, t.due_date < today, account or "", t.account_id, job or "", t.job_id)
            for t, account, job in session.exec(stmt)]


def _visible_jobs(actor: Actor):
    stmt = select(Job.id).where(Job.archived == False)  # noqa: E712
    visible = visible_account_ids(actor, Job.account_id)
    return stmt.where(visible) if visible is not None else stmt


def _owed(session: Session, actor: Actor) -> dict[int, list[tuple[str, dt.datetime]]]:
    """Per visible job: what the client still owes, each with since when."""
    jobs = _visible_jobs(actor)
    owed: dict[int, list[tuple[str, dt.datetime]]] = defaultdict(list)
    for job_id, count, since in session.exec(
            select(ClientTask.job_id, func.count(), func.min(ClientTask.created_at))
            .where(ClientTask.done_at.is_(None), ClientTask.job_id.in_(jobs)).group_by(ClientTask.job_id)):
        owed[job_id].append((ngettext("{n} client task", "{n} client tasks", count).format(n=count), since))
    for job_id, title, since in session.exec(
            select(SignatureRequest.job_id, SignatureRequest.title, SignatureRequest.sent_at)
            .where(SignatureRequest.status == SignatureRequestStatus.sent, SignatureRequest.job_id.in_(jobs))):
        owed[job_id].append((_('signature: "{name}"').format(name=title), since))
    for job_id, name, since in session.exec(
            select(Proposal.job_id, Proposal.name, Proposal.sent_at)
            .where(Proposal.status == ProposalStatus.sent, Proposal.job_id.in_(jobs))):
        owed[job_id].append((_('proposal: "{name}"').format(name=name), since))
    for job_id, name, since in session.exec(
            select(ApprovalRequest.job_id, Document.name, ApprovalRequest.created_at)
            .join(Document, Document.id == ApprovalRequest.document_id)
            .where(ApprovalRequest.status == ApprovalStatus.pending, ApprovalRequest.job_id.in_(jobs))):
        owed[job_id].append((_('approval: "{name}"').format(name=name), since))
    for job_id, title, since in session.exec(
            select(Task.job_id, Task.title, Task.created_at)
            .where(Task.status == TaskStatus.waiting_for_client, Task.job_id.in_(jobs))):
        owed[job_id].append((_('task waiting for the client: "{name}"').format(name=title), since))
    return owed


def _owed_outside_jobs(session: Session, actor: Actor) -> dict[int, list[tuple[str, dt.datetime]]]:
    """Per visible account: signatures, proposals and approvals sent outside any job, still unanswered."""
    owed: dict[int, list[tuple[str, dt.datetime]]] = defaultdict(list)
    queries = [
        (N_('signature: "{name}"'), select(SignatureRequest.account_id, SignatureRequest.title, SignatureRequest.sent_at)
         .where(SignatureRequest.status == SignatureRequestStatus.sent, SignatureRequest.job_id.is_(None)),
         SignatureRequest.account_id),
        (N_('proposal: "{name}"'), select(Proposal.account_id, Proposal.name, Proposal.sent_at)
         .where(Proposal.status == ProposalStatus.sent, Proposal.job_id.is_(None)), Proposal.account_id),
        (N_('approval: "{name}"'), select(ApprovalRequest.account_id, Document.name, ApprovalRequest.created_at)
         .join(Document, Document.id == ApprovalRequest.document_id)
         .where(ApprovalRequest.status == ApprovalStatus.pending, ApprovalRequest.job_id.is_(None)),
         ApprovalRequest.account_id),
    ]
    for what, stmt, account_col in queries:
        visible = account_visible(actor, account_col)
        for account_id, name, since in session.exec(stmt.where(visible) if visible is not None else stmt):
            owed[account_id].append((_(what).format(name=name), since))
    return owed


def _oldest(owed: list[tuple[str, dt.datetime]]) -> dt.datetime | None:
    return min((since for _, since in owed if since), default=None)


def waiting_on_client(session: Session, actor: Actor) -> tuple[list[WaitingJob], int]:
    """The jobs (and accounts, for what was sent outside a job) waiting on the client, those waiting longest
    first, and how many there are in all."""
    require_staff(actor)
    owed, outside = _owed(session, actor), _owed_outside_jobs(session, actor)
    rows = session.exec(select(Job.id, Job.name, Account.id, Account.name).join(Account, Account.id == Job.account_id)
                        .where(Job.id.in_(list(owed)))).all() if owed else []
    waiting = [WaitingJob(job_id, job, account, account_id, [what for what, _ in owed[job_id]], _oldest(owed[job_id]))
               for job_id, job, account_id, account in rows]
    names = dict(session.exec(select(Account.id, Account.name).where(Account.id.in_(list(outside)))).all()) \
        if outside else {}
    waiting += [WaitingJob(None, "", names.get(account_id, ""), account_id, [what for what, _ in items],
                           _oldest(items)) for account_id, items in outside.items()]
    waiting.sort(key=lambda w: (w.since is None, w.since or dt.datetime.min, w.job_id or 0, w.account_id))
    return waiting[:MAX_WAITING], len(waiting)


def _subject(session: Session, event: Event) -> str:
    """What a client event is about, by name (a document, a signature request, a proposal, a job)."""
    payload = event.payload or {}
    if event.kind.startswith("signature_") and payload.get("request_id"):
        request = session.get(SignatureRequest, payload["request_id"])
        return f'"{request.title}"' if request else ""
    if event.kind == "proposal_signed" and payload.get("proposal_id"):
        proposal = session.get(Proposal, payload["proposal_id"])
        return f'"{proposal.name}"' if proposal else ""
    if event.kind == "client_tasks_completed":
        job = session.get(Job, event.job_id) if event.job_id else None
        return f'"{job.name}"' if job else _("a job")
    if payload.get("name"):
        return f'"{payload["name"]}"'
    document = session.get(Document, payload["document_id"]) if payload.get("document_id") else None
    return f'"{document.name}"' if document else _("a document")


def client_activity(session: Session, actor: Actor, *, limit: int = MAX_ACTIVITY) -> list[ClientActivity]:
    """What clients did lately on the accounts the member may see, the newest first."""
    require_staff(actor)
    stmt = (select(Event, Account.name).join(Account, Account.id == Event.account_id)
            .where(Event.kind.in_(list(CLIENT_EVENTS)), Event.actor_id.is_(None)))
    visible = account_visible(actor, Event.account_id)
    if visible is not None:
        stmt = stmt.where(visible)
    found = []
    for event, account in session.exec(stmt.order_by(Event.id.desc()).limit(limit)):
        contact_id = (event.payload or {}).get("contact_id")
        contact = session.get(Contact, contact_id) if contact_id else None
        who = contact_name(contact) if contact else _("A client")
        text = _(CLIENT_EVENTS[event.kind]).format(who=who, what=_subject(session, event))
        found.append(ClientActivity(event.created_at, text,
                                    account, event.account_id, event.job_id))
    return found


def today_for(session: Session, actor: Actor, *, now: dt.datetime | None = None) -> Today:
    """Everything the home shows the member, in one read."""
    require_staff(actor)
    today = firm_today(session, now)
    waiting, total = waiting_on_client(session, actor)
    return Today(today, get_firm(session).timezone, tasks_due(session, actor, today), waiting, total,
                 client_activity(session, actor))

"""`when stage items are completed` (TaxDome's automove): every client-facing item made for a job while it
is in its current stage is complete; and what a job waits on its client for (the board card's count).

Items: approval requests (complete when approved), client tasks (ticked off), signature requests
(everyone signed), proposals (signed), invoices sent for the job (paid in full), organizers (submitted) and
client requests (completed). Cancelled or
withdrawn items do not count. A stage with no item at all never "completes": there was nothing to wait for,
and moving the job on would surprise. The event fires once per stay in a stage: a job that leaves and comes
back can fire it again.

Each kind is defined once (`ITEM_KINDS`): which rows are items at all, when one is complete, and when it waits
on the client (a rejected approval or a declined signature is not complete, but it is the firm's turn). The
board counts, per card, the items of every stay still waiting on the client, plus the firm's chat messages on
the job the client has not read (`waiting_on_client`: correlated counts, one index probe per kind and card).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import func, literal, true, union_all
from sqlmodel import Session, select

from practice.i18n import ngettext
from practice.models import (ApprovalRequest, ApprovalStatus, ChatMessage, ChatRead, ChatThread, ClientRequest,
                             ClientRequestStatus, ClientTask, Event, Invoice, InvoiceStatus, Job, Organizer, OrganizerStatus, Proposal,
                             ProposalStatus, SignatureRequest, SignatureRequestStatus)

# Events after which a job's stage may have become complete.
COMPLETION_KINDS = {"document_approved", "client_tasks_completed", "client_task_done", "signature_completed",
                    "proposal_signed", "invoice_paid", "organizer_submitted", "client_request_completed"}
EVENT = "stage_items_completed"


@dataclass(frozen=True)
class ItemKind:
    """One kind of client-facing item: its table, when it was given (the stay it belongs to), which rows count at
    all, when one is complete, and when it waits on the client."""

    model: Any
    given_at: Callable[[], Any]
    counts: Callable[[], Any]
    complete: Callable[[], Any]
    awaiting_client: Callable[[], Any]


ITEM_KINDS: dict[str, ItemKind] = {
    # Approval requests: complete when approved; a rejected one waits on the firm.
    "approval": ItemKind(ApprovalRequest, lambda: ApprovalRequest.created_at, lambda: true(),
                         lambda: ApprovalRequest.status == ApprovalStatus.approved,
                         lambda: ApprovalRequest.status == ApprovalStatus.pending),
    # Client tasks (on the job's checklist or asked in a chat about the job): complete when ticked off.
    "client_task": ItemKind(ClientTask, lambda: ClientTask.created_at, lambda: true(),
                            lambda: ClientTask.done_at.is_not(None), lambda: ClientTask.done_at.is_(None)),
    # Signature requests sent (not drafts, not cancelled): complete when everyone signed; declined waits on the firm.
    "signature": ItemKind(SignatureRequest, lambda: SignatureRequest.created_at,
                          lambda: (SignatureRequest.status != SignatureRequestStatus.cancelled)
                          & (SignatureRequest.status != SignatureRequestStatus.draft),
                          lambda: SignatureRequest.status == SignatureRequestStatus.completed,
                          lambda: SignatureRequest.status == SignatureRequestStatus.sent),
    # Proposals sent (not withdrawn): complete when signed.
    "proposal": ItemKind(Proposal, lambda: Proposal.sent_at, lambda: Proposal.status != ProposalStatus.cancelled,
                         lambda: Proposal.status == ProposalStatus.signed,
                         lambda: Proposal.status == ProposalStatus.sent),
    # Organizers sent: complete when submitted (a reopened one is open again).
    "organizer": ItemKind(Organizer, lambda: Organizer.sent_at, lambda: true(),
                          lambda: Organizer.status == OrganizerStatus.submitted,
                          lambda: Organizer.status != OrganizerStatus.submitted),
    # Invoices a rule sent for the job (issued, not void): complete when paid in full.
    "invoice": ItemKind(Invoice, lambda: Invoice.sent_at,
                        lambda: (Invoice.status != InvoiceStatus.draft) & (Invoice.status != InvoiceStatus.void),
                        lambda: Invoice.status == InvoiceStatus.paid,
                        lambda: (Invoice.status == InvoiceStatus.sent) | (Invoice.status == InvoiceStatus.partly_paid)),
    # Client requests sent (not revoked): complete when the recipient sent their answers.
    "client_request": ItemKind(ClientRequest, lambda: ClientRequest.created_at,
                               lambda: ClientRequest.status != ClientRequestStatus.revoked,
                               lambda: ClientRequest.status == ClientRequestStatus.completed,
                               lambda: ClientRequest.status == ClientRequestStatus.open),
}


def _open_and_total_of(session: Session, kind: ItemKind, job: Job) -> tuple[int, int]:
    made = select(func.count()).select_from(kind.model).where(
        kind.model.job_id == job.id, kind.given_at() >= job.entered_stage_at, kind.counts())
    return int(session.exec(made.where(~kind.complete())).one()), int(session.exec(made).one())


def open_and_total(session: Session, job: Job) -> tuple[int, int]:
    """(items still open, items in all) for the job's current stay in its stage."""
    counts = [_open_and_total_of(session, kind, job) for kind in ITEM_KINDS.values()]
    return sum(o for o, _ in counts), sum(t for _, t in counts)


def job_to_move_on(session: Session, job_id: int | None) -> Job | None:
    """The job, when its stage's items are now all complete and `stage_items_completed` has not fired
    in this stay yet (events.check_stage_items emits it); else None."""
    if not job_id:
        return None
    job = session.get(Job, job_id)
    if job is None or job.archived:
        return None
    session.flush()
    open_, total = open_and_total(session, job)
    if total == 0 or open_:
        return None
    already = session.exec(select(Event.id).where(Event.kind == EVENT, Event.job_id == job.id,
                                                  Event.created_at >= job.entered_stage_at).limit(1)).first()
    return None if already is not None else job


# --- what a job waits on its client for (the board card's count) -------------------------------------------

# In the order the card's tooltip lists them.
WAITING_KINDS = ("client_request", "client_task", "organizer", "approval", "signature", "proposal", "invoice",
                 "message")


def _unread_by_client(job_id, account_id):
    """A row per firm message (not an internal note) in the job's open conversations that no contact of the account
    has read yet."""
    read_up_to = (select(func.coalesce(func.max(ChatRead.last_read_message_id), 0))
                  .where(ChatRead.thread_id == ChatThread.id, ChatRead.contact_id.is_not(None)).scalar_subquery())
    return (select(literal("message").label("kind")).select_from(ChatThread)
            .join(ChatMessage, ChatMessage.thread_id == ChatThread.id)
            .where(ChatThread.job_id == job_id, ChatThread.account_id + 0 == account_id,
                   ChatThread.archived_at.is_(None), ChatMessage.internal == False,  # noqa: E712
                   ChatMessage.author_contact_id.is_(None), ChatMessage.id > read_up_to))


def waiting_on_client(job_id, account_id):
    """A row per item the job waits on its client for (its kind, of `WAITING_KINDS`), whatever the stay it was given
    in: a UNION ALL correlated to the given job and account columns, one probe of each kind's job index (the account
    only checked, `+ 0`, so it never drives: an account can have many items). An item of another account never
    counts, even if it names the job. One union per card costs half what a count per kind and card did."""
    parts = []
    for name in WAITING_KINDS:
        if name == "message":
            parts.append(_unread_by_client(job_id, account_id))
            continue
        kind = ITEM_KINDS[name]
        parts.append(select(literal(name).label("kind")).select_from(kind.model).where(
            kind.model.job_id == job_id, kind.model.account_id + 0 == account_id, kind.counts(),
            kind.awaiting_client()))
    # Correlated through the union and its subquery to the statement that holds the job's row.
    return union_all(*(part.correlate(job_id.table) for part in parts)).subquery("waiting")


def waiting_words(counts: dict[str, int]) -> str:
    """What a job waits on its client for, in the reader's words: "2 client tasks, 1 organizer, 1 signature"
    ("" when nothing)."""
    words = {
        "client_request": lambda n: ngettext("{n} client request", "{n} client requests", n),
        "client_task": lambda n: ngettext("{n} client task", "{n} client tasks", n),
        "organizer": lambda n: ngettext("{n} organizer", "{n} organizers", n),
        "approval": lambda n: ngettext("{n} approval", "{n} approvals", n),
        "signature": lambda n: ngettext("{n} signature", "{n} signatures", n),
        "proposal": lambda n: ngettext("{n} proposal", "{n} proposals", n),
        "invoice": lambda n: ngettext("{n} unpaid invoice", "{n} unpaid invoices", n),
        "message": lambda n: ngettext("{n} unread message", "{n} unread messages", n),
    }
    return ", ".join(words[k](counts[k]).format(n=counts[k]) for k in WAITING_KINDS if counts.get(k))

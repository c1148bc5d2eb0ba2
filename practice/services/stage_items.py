"""`when stage items are completed` (TaxDome's automove): every client-facing item made for a job while it
is in its current stage is complete.

Items: approval requests (complete when approved), client tasks (ticked off), signature requests
(everyone signed), proposals (signed), organizers (submitted) and client requests (completed). Cancelled or withdrawn items do not count. A stage with no
item at all never "completes": there was nothing to wait for, and moving the job on would surprise.
The event fires once per stay in a stage: a job that leaves and comes back can fire it again.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy import func
from sqlmodel import Session, select

from practice.models import (ApprovalRequest, ApprovalStatus, ClientRequest, ClientRequestStatus, ClientTask, Event, Job, Organizer, OrganizerStatus, Proposal,
                             ProposalStatus, SignatureRequest, SignatureRequestStatus)

# Events after which a job's stage may have become complete.
COMPLETION_KINDS = {"document_approved", "client_tasks_completed", "client_task_done", "signature_completed",
                    "proposal_signed", "invoice_paid", "organizer_submitted", "client_request_completed"}
EVENT = "stage_items_completed"


def _count(session: Session, stmt) -> int:
    return int(session.exec(stmt).one())


def _open_and_total(session: Session, everything, still_open) -> tuple[int, int]:
    return _count(session, everything.where(still_open)), _count(session, everything)


def _approvals(session: Session, job: Job) -> tuple[int, int]:
    """Approval requests: complete when approved."""
    made = select(func.count()).select_from(ApprovalRequest).where(
        ApprovalRequest.job_id == job.id, ApprovalRequest.created_at >= job.entered_stage_at)
    return _open_and_total(session, made, ApprovalRequest.status != ApprovalStatus.approved)


def _client_tasks(session: Session, job: Job) -> tuple[int, int]:
    """Client tasks: complete when ticked off."""
    made = select(func.count()).select_from(ClientTask).where(ClientTask.job_id == job.id,
                                                              ClientTask.created_at >= job.entered_stage_at)
    return _open_and_total(session, made, ClientTask.done_at.is_(None))


def _signature_requests(session: Session, job: Job) -> tuple[int, int]:
    """Signature requests sent (not drafts, not cancelled): complete when everyone signed."""
    made = select(func.count()).select_from(SignatureRequest).where(
        SignatureRequest.job_id == job.id, SignatureRequest.created_at >= job.entered_stage_at,
        SignatureRequest.status.not_in([SignatureRequestStatus.cancelled, SignatureRequestStatus.draft]))
    return _open_and_total(session, made, SignatureRequest.status != SignatureRequestStatus.completed)


def _proposals(session: Session, job: Job) -> tuple[int, int]:
    """Proposals sent (not withdrawn): complete when signed."""
    made = select(func.count()).select_from(Proposal).where(
        Proposal.job_id == job.id, Proposal.sent_at >= job.entered_stage_at, Proposal.status != ProposalStatus.cancelled)
    return _open_and_total(session, made, Proposal.status != ProposalStatus.signed)


def _organizers(session: Session, job: Job) -> tuple[int, int]:
    """Organizers sent: complete when submitted (a reopened one is open again)."""
    made = select(func.count()).select_from(Organizer).where(Organizer.job_id == job.id,
                                                             Organizer.sent_at >= job.entered_stage_at)
    return _open_and_total(session, made, Organizer.status != OrganizerStatus.submitted)


def _client_requests(session: Session, job: Job) -> tuple[int, int]:
    """Client requests sent (not revoked): complete when the recipient sent their answers."""
    made = select(func.count()).select_from(ClientRequest).where(
        ClientRequest.job_id == job.id, ClientRequest.created_at >= job.entered_stage_at,
        ClientRequest.status != ClientRequestStatus.revoked)
    return _open_and_total(session, made, ClientRequest.status == ClientRequestStatus.open)


# Every kind of client-facing item a stage waits for: (open, in all) made for the job in its current stay.
STAGE_ITEM_KINDS: dict[str, Callable[[Session, Job], tuple[int, int]]] = {
    "approval": _approvals,
    "client_task": _client_tasks,
    "signature": _signature_requests,
    "proposal": _proposals,
    "organizer": _organizers,
    "client_request": _client_requests,
}


def open_and_total(session: Session, job: Job) -> tuple[int, int]:
    """(items still open, items in all) for the job's current stay in its stage."""
    counts = [count(session, job) for count in STAGE_ITEM_KINDS.values()]
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

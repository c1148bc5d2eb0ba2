"""`when stage items are completed` (TaxDome's automove): every client-facing item made for a job while it
is in its current stage is complete.

Items: approval requests (complete when approved), client tasks (ticked off), signature requests
(everyone signed) and proposals (signed). Cancelled or withdrawn items do not count. A stage with no
item at all never "completes": there was nothing to wait for, and moving the job on would surprise.
The event fires once per stay in a stage: a job that leaves and comes back can fire it again.
"""
from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from practice.models import (ApprovalRequest, ApprovalStatus, ClientTask, Event, Job, Proposal, ProposalStatus,
                             SignatureRequest, SignatureRequestStatus)

# Events after which a job's stage may have become complete.
COMPLETION_KINDS = {"document_approved", "client_tasks_completed", "client_task_done", "signature_completed",
                    "proposal_signed", "invoice_paid", "organizer_submitted"}
EVENT = "stage_items_completed"


def _count(session: Session, stmt) -> int:
    return int(session.exec(stmt).one())


def open_and_total(session: Session, job: Job) -> tuple[int, int]:
    """(items still open, items in all) for the job's current stay in its stage."""
    since = job.entered_stage_at
    total = open_ = 0
    approvals = select(func.count()).select_from(ApprovalRequest).where(
        ApprovalRequest.job_id == job.id, ApprovalRequest.created_at >= since)
    total += _count(session, approvals)
    open_ += _count(session, approvals.where(ApprovalRequest.status != ApprovalStatus.approved))
    tasks = select(func.count()).select_from(ClientTask).where(ClientTask.job_id == job.id,
                                                               ClientTask.created_at >= since)
    total += _count(session, tasks)
    open_ += _count(session, tasks.where(ClientTask.done_at.is_(None)))
    requests = select(func.count()).select_from(SignatureRequest).where(
        SignatureRequest.job_id == job.id, SignatureRequest.created_at >= since,
        SignatureRequest.status.not_in([SignatureRequestStatus.cancelled, SignatureRequestStatus.draft]))
    total += _count(session, requests)
    open_ += _count(session, requests.where(SignatureRequest.status != SignatureRequestStatus.completed))
    proposals = select(func.count()).select_from(Proposal).where(
        Proposal.job_id == job.id, Proposal.sent_at >= since, Proposal.status != ProposalStatus.cancelled)
    total += _count(session, proposals)
    open_ += _count(session, proposals.where(Proposal.status != ProposalStatus.signed))
    return open_, total


def check(session: Session, actor, job_id: int | None, *, contact_id: int | None = None) -> bool:
    """Emit `stage_items_completed` for the job if its stage's items are now all complete (once per stay)."""
    from practice.services import events  # noqa: PLC0415 - events calls us from emit

    if not job_id:
        return False
    job = session.get(Job, job_id)
    if job is None or job.archived:
        return False
    session.flush()
    open_, total = open_and_total(session, job)
    if total == 0 or open_:
        return False
    already = session.exec(select(Event.id).where(Event.kind == EVENT, Event.job_id == job.id,
                                                  Event.created_at >= job.entered_stage_at).limit(1)).first()
    if already is not None:
        return False
    payload = {"contact_id": contact_id} if contact_id else {}
    events.emit(session, actor, EVENT, job_id=job.id, account_id=job.account_id, payload=payload)
    return True

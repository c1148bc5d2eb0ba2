"""The job an invoice bills. A rule sends an invoice for the job it runs on; an invoice written in the editor can
be tied to one of its account's jobs too. Either way, while it is sent and unpaid it is one of the job's stage
items (`stage_items`), and paying it in full is the job's `invoice is paid`. Only a job of the invoice's own
account may be chosen (a draft stays with its account, so its job does too)."""
from __future__ import annotations

from sqlmodel import Session, select

from practice.i18n import _
from practice.models import Job
from practice.services.errors import InvalidInput

CHOICES_LIMIT = 200


def checked(session: Session, account_id: int, job_id: int | None) -> int | None:
    """The job an invoice of `account_id` is tied to (None: no job), refused unless it is one of that account's."""
    if job_id is None:
        return None
    job = session.get(Job, job_id)
    if job is None or job.account_id != account_id:
        raise InvalidInput(_("Choose one of the account's jobs, or no job."), field="job")
    return job.id


def choices(session: Session, account_id: int, current: int | None = None) -> list[tuple[int, str]]:
    """The account's active jobs (and the invoice's own job, even archived) as (id, name), soonest due first. The
    caller has checked the account is one the reader sees."""
    stmt = (select(Job.id, Job.name).where(Job.account_id == account_id)
            .where((Job.archived == False) | (Job.id == (current or 0)))  # noqa: E712
            .order_by(Job.due_date.is_(None), Job.due_date, Job.id).limit(CHOICES_LIMIT))
    return [(job_id, name) for job_id, name in session.execute(stmt).all()]

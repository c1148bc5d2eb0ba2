"""Hours of time written on jobs: the `job.hours` rule fact, and how minutes become billed hours.

Stopped timers and typed entries count (billable or not, billed or not); a running timer counts once it stops.
Hours are in hundredths, rounded half up from the minutes, as an invoice line's quantity bills them, so a rule
(`job.hours > 10`) and an invoice read the same number."""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from sqlalchemy import func, select
from sqlmodel import Session

from practice.models import TimeEntry

# The same sum per job, for the automations' statement over many jobs at once (automation/bulk.py).
JOB_MINUTES_SQL = "SELECT COALESCE(SUM(timeentry.minutes), 0) FROM timeentry WHERE timeentry.job_id = {job}"


def hundredths(minutes: int) -> int:
    """Minutes as hours in hundredths (50 min → 83, i.e. 0.83 h), rounded half up."""
    return (2 * int(minutes) * 100 + 60) // 120


def as_fact(minutes: int) -> Decimal:
    """Minutes as the rules read hours: 135 → Decimal('2.25')."""
    return Decimal(hundredths(minutes)) / 100


def job_minutes(session: Session, job_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Minutes written on each job (jobs without time are left out); all jobs when `job_ids` is None."""
    stmt = (select(TimeEntry.job_id, func.sum(TimeEntry.minutes)).where(TimeEntry.job_id.is_not(None))
            .group_by(TimeEntry.job_id))
    if job_ids is not None:
        ids = list(job_ids)
        if not ids:
            return {}
        stmt = stmt.where(TimeEntry.job_id.in_(ids))
    return {job_id: int(total) for job_id, total in session.execute(stmt) if total}


def job_hours(session: Session, job_id: int) -> Decimal:
    return as_fact(job_minutes(session, [job_id]).get(job_id, 0))

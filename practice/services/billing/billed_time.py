"""Time entries billed on an invoice, kept in step with it (for `invoices`, which `time` and `wip` build on): when a
draft's lines are rewritten each entry follows the line that still names it; deleting a draft or voiding an invoice
makes its time unbilled again."""
from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session

from practice.models import TimeEntry


def unlink(session: Session, invoice_id: int) -> None:
    """Before a draft's lines are rewritten: its time stays locked to it, unlinked from the old lines."""
    session.execute(update(TimeEntry).where(TimeEntry.invoice_id == invoice_id).values(invoice_line_id=None))


def relink(session: Session, invoice_id: int, pairs) -> None:
    """After a draft's lines are rewritten: each time entry goes back to the line that still names it (the editor
    keeps `time_entry_ids` with each line); the time whose line was taken out is unbilled again."""
    for raw, line in pairs:
        ids = [int(i) for i in raw.get("time_entry_ids") or ()]
        if ids:
            session.execute(update(TimeEntry).where(TimeEntry.id.in_(ids), TimeEntry.invoice_id == invoice_id)
                            .values(invoice_line_id=line.id, rate_cents=line.rate_cents))
    session.execute(update(TimeEntry).where(TimeEntry.invoice_id == invoice_id, TimeEntry.invoice_line_id.is_(None))
                    .values(invoice_id=None, rate_cents=None))


def release(session: Session, invoice_id: int) -> int:
    """The time billed on an invoice is unbilled again (its draft is deleted, or the invoice voided)."""
    return session.execute(update(TimeEntry).where(TimeEntry.invoice_id == invoice_id)
                           .values(invoice_id=None, invoice_line_id=None, rate_cents=None)).rowcount

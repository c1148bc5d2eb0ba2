"""Numbering and issuing: a draft issued (sent) takes the firm's next number in the same write transaction as the
status change (writers are serialized by `db.write_session`; the counter row is read and raised inside it), so
numbers are consecutive, never given twice, and a failed issue gives its number back. Voiding keeps the number."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlmodel import Session, select

from practice.i18n import _
from practice.models import Invoice, InvoiceCounter, InvoiceStatus, utcnow
from practice.services import audit, events
from practice.services.actor import Actor, require_admin
from practice.services.billing import billed_time
from practice.services.billing.lines import DEFAULT_DAYS_DUE, TEXT_LIMIT, invoice_name
from practice.services.billing.rights import _invoice
from practice.services.errors import Conflict, InvalidInput
from practice.services.firm import get_firm
from practice.services.formatting import format_money, zone

def _counter(session: Session) -> InvoiceCounter:
    firm = get_firm(session)
    counter = session.get(InvoiceCounter, firm.id)
    if counter is None:
        counter = InvoiceCounter(firm_id=firm.id, last_number=0)
        session.add(counter)
        session.flush()
    return counter


def next_number(session: Session) -> int:
    """The number the next issued invoice gets (nothing is taken)."""
    return _counter(session).last_number + 1


def set_first_number(session: Session, actor: Actor, number: int) -> int:
    """Where numbering starts (a firm moving from another system goes on from its last number): an admin sets it
    before the first invoice is issued; afterwards numbers only follow one another."""
    require_admin(actor)
    if not isinstance(number, int) or number < 1 or number >= 10**9:
        raise InvalidInput(_("The first number is a whole number from 1 to 999,999,999."), field="number")
    counter = _counter(session)
    issued = session.exec(select(func.count()).select_from(Invoice).where(Invoice.number.is_not(None))).one()
    if issued:
        raise Conflict(_("Invoices were already issued: numbers go on from the last one, without gaps."))
    counter.last_number = number - 1
    session.add(counter)
    audit.record(session, actor, "update", "firm", None, f"Invoice numbering starts at {number}", first=number)
    return number


def _take_number(session: Session) -> int:
    """The next number, taken: inside the caller's write transaction, so it commits (or not) with the invoice."""
    counter = _counter(session)
    counter.last_number += 1
    session.flush()
    return counter.last_number


def firm_today(session: Session, now: dt.datetime | None = None) -> dt.date:
    return (now or utcnow()).astimezone(zone(get_firm(session).timezone)).date()


def issue(session: Session, actor: Actor, invoice_id: int, *, now: dt.datetime | None = None) -> Invoice:
    """Issue a draft: its number, today's date (the firm's day), its due date (30 days on unless set), status sent.
    An `invoice_issued` event in the same transaction has the worker file its PDF and email the client
    (`practice.services.billing.delivery`), outside this write lock."""
    invoice = _invoice(session, actor, invoice_id, manage=True)
    if invoice.status != InvoiceStatus.draft:
        raise Conflict(_("{name} was already sent.").format(name=invoice_name(invoice)))
    if invoice.total_cents <= 0:
        raise InvalidInput(_("This invoice comes to {total}: there is nothing to bill.")
                           .format(total=format_money(invoice.total_cents)), field="lines")
    today = firm_today(session, now)
    if invoice.due_date is not None and invoice.due_date < today:
        raise InvalidInput(_("The due date has passed. Choose a later one (or leave it empty for 30 days)."),
                           field="due_date")
    invoice.number = _take_number(session)
    invoice.status = InvoiceStatus.sent
    invoice.issue_date = today
    invoice.due_date = invoice.due_date or today + dt.timedelta(days=DEFAULT_DAYS_DUE)
    invoice.sent_at = now or utcnow()
    session.add(invoice)
    session.flush()
    audit.record(session, actor, "send", "invoice", invoice.id,
                 f"Issued invoice {invoice.number} for {format_money(invoice.total_cents)}, due {invoice.due_date}",
                 number=invoice.number, total_cents=invoice.total_cents)
    events.emit(session, actor, "invoice_issued", account_id=invoice.account_id, payload={"invoice_id": invoice.id})
    return invoice


def void(session: Session, actor: Actor, invoice_id: int, reason: str = "") -> Invoice:
    """Cancel an issued invoice: it keeps its number (the numbering stays gapless) and owes nothing."""
    invoice = _invoice(session, actor, invoice_id, manage=True)
    if invoice.status == InvoiceStatus.draft:
        raise Conflict(_("A draft has no number yet: delete it instead."))
    if invoice.status == InvoiceStatus.void:
        raise Conflict(_("{name} is already void.").format(name=invoice_name(invoice)))
    if invoice.paid_cents or invoice.credited_cents:
        raise Conflict(_("{name} has payments or credits recorded. Remove them first, then void it.")
                       .format(name=invoice_name(invoice)))
    invoice.status = InvoiceStatus.void
    invoice.voided_at = utcnow()
    invoice.void_reason = (reason or "").strip()[:TEXT_LIMIT]
    session.add(invoice)
    session.flush()
    # Its time was not billed after all: it is work in progress again (and its lines still show what it was).
    billed_time.release(session, invoice.id)
    audit.record(session, actor, "void", "invoice", invoice.id,
                 f"Voided invoice {invoice.number}" + (f": {invoice.void_reason}" if invoice.void_reason else ""))
    events.emit(session, actor, "invoice_voided", account_id=invoice.account_id, payload={"invoice_id": invoice.id})
    return invoice

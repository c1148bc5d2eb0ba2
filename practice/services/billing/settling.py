"""What is paid on an invoice: payments staff record (check, bank transfer, cash) and credits, the totals and the
status they make (`settle`), and the one place that tells an invoice is paid in full (`became_paid`). Card payments
(services/payments) record their rows and settle through here too. A part leaves the rest due."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, select

from practice import routes
from practice.i18n import N_, _
from practice.models import Account, CreditNote, Invoice, InvoiceStatus, Payment, PaymentMethod, Refund, utcnow
from practice.services import audit, events, inbox
from practice.services.actor import Actor
from practice.services.balances import OWING
from practice.services.billing.delivery import billing_contacts
from practice.services.billing.issuing import firm_today
from practice.services.billing.lines import NAME_LIMIT, invoice_name
from practice.services.billing.rights import _invoice
from practice.services.errors import Conflict, InvalidInput, NotFound
from practice.services.formatting import format_money
from practice.services.signing import proposal_completion

def due_cents(invoice: Invoice) -> int:
    """What is still owed on an invoice (0 for drafts and void ones)."""
    if invoice.status not in OWING:
        return 0
    return invoice.total_cents - invoice.paid_cents - invoice.credited_cents


def settle(session: Session, invoice: Invoice) -> None:
    """Recount what was paid (payments less their refunds) and credited from the rows, and the status it makes (a
    void invoice stays void)."""
    rows = session.exec(select(Payment).where(Payment.invoice_id == invoice.id)).all()
    refunded = session.exec(select(func.coalesce(func.sum(Refund.amount_cents), 0))
                            .where(Refund.invoice_id == invoice.id)).one()
    invoice.paid_cents = sum(p.amount_cents for p in rows if p.method != PaymentMethod.credit) - int(refunded)
    invoice.credited_cents = sum(p.amount_cents for p in rows if p.method == PaymentMethod.credit)
    settled = invoice.paid_cents + invoice.credited_cents
    if invoice.status != InvoiceStatus.void:
        invoice.status = (InvoiceStatus.paid if settled >= invoice.total_cents
                          else InvoiceStatus.partly_paid if settled else InvoiceStatus.sent)
    session.add(invoice)
    session.flush()


def _method(method) -> PaymentMethod:
    try:
        return PaymentMethod(method)
    except ValueError:
        raise InvalidInput(_("Choose how it was paid: check, bank transfer or cash."), field="method") from None


def _add(session: Session, actor: Actor, invoice: Invoice, amount_cents: int, method: PaymentMethod,
         received_on: dt.date, reference: str, credit_note_id: int | None = None) -> Payment:
    if invoice.status == InvoiceStatus.draft:
        raise Conflict(_("This invoice is still a draft: send it before recording what is paid on it."))
    if invoice.status == InvoiceStatus.paid:
        raise Conflict(_("{name} is paid in full: nothing is due on it.").format(name=invoice_name(invoice)))
    if invoice.status == InvoiceStatus.void:
        raise Conflict(_("{name} is void: nothing is due on it.").format(name=invoice_name(invoice)))
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise InvalidInput(_("The amount must be more than 0."), field="amount")
    due = due_cents(invoice)
    if amount_cents > due:
        raise InvalidInput(_("That is more than the {due} due on {name}.").format(
            due=format_money(due), name=invoice_name(invoice)), field="amount")
    payment = Payment(invoice_id=invoice.id, account_id=invoice.account_id, amount_cents=amount_cents, method=method,
                      reference=(reference or "").strip()[:NAME_LIMIT], received_on=received_on,
                      recorded_by_member_id=actor.member_id, recorded_by_label=actor.name,
                      credit_note_id=credit_note_id)
    session.add(payment)
    session.flush()
    settle(session, invoice)
    if invoice.status == InvoiceStatus.paid:
        became_paid(session, actor, invoice)
    return payment


def became_paid(session: Session, actor, invoice: Invoice, *, contact_id: int | None = None) -> bool:
    """Tell that an invoice is now paid in full, once per invoice: `invoice_paid` fires for the rules (its job's
    stage may now be complete) and the firm hears in Inbox+. Every way of paying goes through here: payments and
    credits staff record, and (`contact_id`: who paid) a client's online payment. False when already told."""
    if invoice.status != InvoiceStatus.paid or invoice.paid_at is not None:
        return False
    invoice.paid_at = utcnow()
    session.add(invoice)
    session.flush()
    if contact_id is None:
        contacts = billing_contacts(session, invoice.account_id)
        contact_id = contacts[0].id if contacts else None
    events.emit(session, actor, "invoice_paid", job_id=invoice.job_id, account_id=invoice.account_id,
                payload={"invoice_id": invoice.id, "contact_id": contact_id, "job_id": invoice.job_id})
    proposal_completion.invoice_paid(session, invoice)  # a proposal signed and waiting for this payment is signed
    account = session.get(Account, invoice.account_id)
    link = routes.job_url(invoice.job_id) if invoice.job_id else routes.account_url(invoice.account_id)
    text = inbox.said(N_("Invoice {number} for {account} is paid in full ({total})."), number=invoice.number,
                      account=account.name if account else "", total=format_money(invoice.total_cents))
    for member_id in inbox.staff_for(session, account_id=invoice.account_id, job_id=invoice.job_id):
        if member_id != getattr(actor, "member_id", None):  # who recorded the payment knows already
            inbox.notify(session, member_id=member_id, text=text, kind="invoice_paid", link=link,
                         key=f"invoice-paid|{invoice.id}|{member_id}")
    return True


def invoice_facts(session: Session, invoice_id: int) -> dict | None:
    """What rules read about an invoice (`invoice.number`, `invoice.total` in dollars, `invoice.due_date`)."""
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        return None
    return {"id": invoice.id, "number": str(invoice.number or ""), "total": Decimal(invoice.total_cents) / 100,
            "due_date": invoice.due_date, "status": invoice.status.value}


def record_payment(session: Session, actor: Actor, invoice_id: int, *, amount_cents: int, method: str,
                   received_on: dt.date | None = None, reference: str = "", now: dt.datetime | None = None) -> Payment:
    """Money received on an invoice (check, bank transfer, cash); a part leaves the rest due."""
    invoice = _invoice(session, actor, invoice_id, manage=True)
    method = _method(method)
    if method in (PaymentMethod.credit, PaymentMethod.card):
        raise InvalidInput(_("A credit is not money received: give it as a credit.") if method == PaymentMethod.credit
                           else _("Card payments are recorded when the client pays online."), field="method")
    today = firm_today(session, now)
    received_on = received_on or today
    if received_on > today:
        raise InvalidInput(_("A payment cannot be received after today."), field="received_on")
    if invoice.issue_date and received_on < invoice.issue_date - dt.timedelta(days=366):
        raise InvalidInput(_("That date is more than a year before the invoice."), field="received_on")
    payment = _add(session, actor, invoice, amount_cents, method, received_on, reference)
    audit.record(session, actor, "payment", "invoice", invoice.id,
                 f"Recorded {format_money(amount_cents)} by {method.value.replace('_', ' ')} on invoice "
                 f"{invoice.number}; {format_money(due_cents(invoice))} left due",
                 payment_id=payment.id, amount_cents=amount_cents, method=method.value)
    return payment


def give_credit(session: Session, actor: Actor, invoice_id: int, *, amount_cents: int, reason: str,
                now: dt.datetime | None = None) -> Payment:
    """Take an amount off what is due (a goodwill discount, a billing mistake), with its reason."""
    invoice = _invoice(session, actor, invoice_id, manage=True)
    if not (reason or "").strip():
        raise InvalidInput(_("Say why the credit is given."), field="reason")
    payment = _add(session, actor, invoice, amount_cents, PaymentMethod.credit, firm_today(session, now), reason)
    audit.record(session, actor, "credit", "invoice", invoice.id,
                 f"Credited {format_money(amount_cents)} on invoice {invoice.number}: {payment.reference}",
                 payment_id=payment.id, amount_cents=amount_cents)
    return payment


def remove_payment(session: Session, actor: Actor, payment_id: int) -> Invoice:
    """Undo a payment or credit recorded by mistake (what it paid is due again)."""
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(_("That payment was already removed."))
    invoice = _invoice(session, actor, payment.invoice_id, manage=True)
    if invoice.status == InvoiceStatus.void:
        raise Conflict(_("{name} is void.").format(name=invoice_name(invoice)))
    if payment.provider_payment_id:  # else its webhook, delivered again, would record it again
        raise Conflict(_("A card payment stays: refund it instead."))
    if session.exec(select(Refund.id).where(Refund.payment_id == payment.id)).first() is not None:
        raise Conflict(_("Part of this payment was refunded: it stays, with its refund."))
    session.delete(payment)
    session.flush()
    settle(session, invoice)
    if payment.credit_note_id is not None:  # the credit goes back to the account's credit note
        recount_credit_note(session, payment.credit_note_id)
    audit.record(session, actor, "delete", "invoice", invoice.id,
                 f"Removed {format_money(payment.amount_cents)} ({payment.method.value.replace('_', ' ')}, "
                 f"{payment.received_on}) from invoice {invoice.number}", amount_cents=payment.amount_cents)
    return invoice


def recount_credit_note(session: Session, credit_note_id: int) -> CreditNote | None:
    """Keep a credit note's applied amount in step with the credits applied from it (its payment rows)."""
    note = session.get(CreditNote, credit_note_id)
    if note is None:
        return None
    note.applied_cents = int(session.exec(select(func.coalesce(func.sum(Payment.amount_cents), 0))
                                          .where(Payment.credit_note_id == note.id)).one())
    session.add(note)
    session.flush()
    return note

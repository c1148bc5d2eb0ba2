"""Refunds: money given back from a payment recorded on an invoice, all of it or a part. Never more than was paid:
a refund is at most the payment less its earlier refunds. A card payment's refund goes through the payment
provider first (`practice.services.payments.refunds`, which then records it here with the provider's id); a check,
bank transfer or cash refund is recorded as staff made it. The invoice's paid amount falls by the refund, so it is
due again (partly paid, or sent) and the account's balance rises by as much; a credit is not money received and is
removed instead. Each refund is in the invoice's payments and in the audit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlmodel import Session, select

from practice.i18n import _
from practice.models import Invoice, Payment, PaymentMethod, Refund
from practice.services import audit
from practice.services.actor import Actor
from practice.services.billing.issuing import firm_today
from practice.services.billing.lines import NAME_LIMIT
from practice.services.billing.rights import _invoice
from practice.services.billing.settling import due_cents, settle
from practice.services.errors import Conflict, InvalidInput, NotFound
from practice.services.formatting import format_money


def refunded_cents(session: Session, payment_id: int) -> int:
    """What was already refunded of a payment."""
    return int(session.exec(select(func.coalesce(func.sum(Refund.amount_cents), 0))
                            .where(Refund.payment_id == payment_id)).one())


def refundable(session: Session, actor: Actor, payment_id: int) -> tuple[Payment, Invoice, int]:
    """A payment staff may refund, its invoice and what is left to refund of it (checked: manage invoices)."""
    payment = session.get(Payment, payment_id) if isinstance(payment_id, int) else None
    if payment is None:
        raise NotFound(_("That payment no longer exists."))
    invoice = _invoice(session, actor, payment.invoice_id, manage=True)
    if payment.method == PaymentMethod.credit:
        raise Conflict(_("A credit is not money received: remove it instead of refunding it."))
    return payment, invoice, payment.amount_cents - refunded_cents(session, payment.id)


def check_amount(amount_cents, left_cents: int) -> None:
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise InvalidInput(_("The amount must be more than 0."), field="refund_amount")
    if left_cents <= 0:
        raise Conflict(_("This payment was already refunded in full."))
    if amount_cents > left_cents:
        raise InvalidInput(_("That is more than the {left} left to refund of this payment: a refund is never more "
                             "than was paid.").format(left=format_money(left_cents)), field="refund_amount")


def record_refund(session: Session, actor: Actor, payment_id: int, *, amount_cents: int, reason: str = "",
                  provider_refund_id: str | None = None, now: dt.datetime | None = None) -> Refund:
    """Record a refund of a payment: a card payment's only with the provider's refund id (the money went back
    through the provider), a check, transfer or cash payment's as staff made it."""
    payment, invoice, left = refundable(session, actor, payment_id)
    check_amount(amount_cents, left)
    if (payment.method == PaymentMethod.card) != bool(provider_refund_id):
        raise Conflict(_("A card payment is refunded through the payment provider."))
    refund = Refund(payment_id=payment.id, invoice_id=invoice.id, account_id=invoice.account_id,
                    amount_cents=amount_cents, reason=(reason or "").strip()[:NAME_LIMIT],
                    refunded_on=firm_today(session, now), provider_refund_id=provider_refund_id,
                    recorded_by_member_id=actor.member_id, recorded_by_label=actor.name)
    session.add(refund)
    session.flush()
    settle(session, invoice)
    audit.record(session, actor, "refund", "invoice", invoice.id,
                 f"Refunded {format_money(amount_cents)} of the {format_money(payment.amount_cents)} paid by "
                 f"{payment.method.value.replace('_', ' ')} on {payment.received_on} on invoice {invoice.number}"
                 + (f" ({provider_refund_id})" if provider_refund_id else "")
                 + (f": {refund.reason}" if refund.reason else "")
                 + f"; {format_money(due_cents(invoice))} left due",
                 payment_id=payment.id, refund_id=refund.id, amount_cents=amount_cents)
    return refund


def undo_failed_refund(session: Session, actor: Actor, refund: Refund, status: str) -> None:
    """A card refund the provider later says failed or was canceled: the money did not go back, so the refund is
    taken out of the books and the invoice settled again (paid again if it was)."""
    invoice = session.get(Invoice, refund.invoice_id)
    payment = session.get(Payment, refund.payment_id)
    session.delete(refund)
    session.flush()
    settle(session, invoice)
    audit.record(session, actor, "refund_failed", "invoice", invoice.id,
                 f"The refund of {format_money(refund.amount_cents)} on invoice {invoice.number} "
                 f"({refund.provider_refund_id}) {status} at the payment provider: the money stayed with the firm; "
                 f"{format_money(due_cents(invoice))} left due",
                 payment_id=payment.id if payment else None, amount_cents=refund.amount_cents)


def invoice_refunds(session: Session, actor: Actor, invoice_id: int) -> list[Refund]:
    """An invoice's refunds, oldest first (checked: see billing, on an account one sees)."""
    invoice = _invoice(session, actor, invoice_id, manage=False)
    return list(session.exec(select(Refund).where(Refund.invoice_id == invoice.id)
                             .order_by(Refund.refunded_on, Refund.id)))

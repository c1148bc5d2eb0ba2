"""Refunding a payment recorded on an invoice (staff who manage invoices and payments): a card payment's money goes
back through the firm's payment provider first, then the refund is recorded with the provider's id; a check, bank
transfer or cash refund is recorded as made (`billing.refunds`). The provider is asked with an idempotency key made
of the payment and what was refunded of it before, so a refund asked again after a failure to record it gives the
same refund back rather than a second one. Never more than was paid."""
from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from practice.i18n import _
from practice.models import PaymentMethod, Refund
from practice.services.actor import Actor
from practice.services.billing import refunds
from practice.services.errors import Conflict
from practice.services.payments import settings


def refund_payment(session: Session, actor: Actor, payment_id: int, *, amount_cents: int, reason: str = "",
                   now: dt.datetime | None = None) -> Refund:
    """Refund all or part of a recorded payment (checked: manage invoices and payments; at most what is left)."""
    payment, _invoice, left = refunds.refundable(session, actor, payment_id)
    refunds.check_amount(amount_cents, left)
    provider_refund_id = None
    if payment.method == PaymentMethod.card:
        provider = settings.provider_for(session)
        if provider is None or not payment.provider_payment_id:
            raise Conflict(_("Card payments are not set up any more: save the payment provider's keys again in "
                             "Settings to refund this card payment."))
        done = provider.refund(payment.provider_payment_id, amount_cents, reason=(reason or "").strip(),
                               # The provider's id of the payment, not ours: a restored copy of the database, or a
                               # second one on the same Stripe account, reuses our ids, and Stripe would answer a
                               # reused key with the old refund instead of making this one.
                               key=f"practice-refund-{payment.provider_payment_id}-{payment.amount_cents - left}-"
                                   f"{amount_cents}")
        provider_refund_id = done.refund_id
    return refunds.record_refund(session, actor, payment_id, amount_cents=amount_cents, reason=reason,
                                 provider_refund_id=provider_refund_id, now=now)

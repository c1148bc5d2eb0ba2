"""Refunding a payment recorded on an invoice (staff who manage invoices and payments): a card payment's money goes
back through the firm's payment provider first, then the refund is recorded with the provider's id; a check, bank
transfer or cash refund is recorded as made (`billing.refunds`). Never more than was paid.

A card refund asks the provider outside any write transaction (`refund` owns its two sessions): the provider may take
up to its timeout to answer, and the database's one writer must not wait for it. The provider is asked with an
idempotency key made of the payment and what was refunded of it before, so the same refund asked twice (a double
click, a failure to record it) gets the same refund back from the provider, and recording it again records nothing
more."""
from __future__ import annotations

import datetime as dt
import logging

from sqlmodel import Session, select

from practice.db import read_session, write_session
from practice.i18n import _
from practice.models import Invoice, InvoiceStatus, Payment, PaymentMethod, Refund, Role
from practice.services.actor import Actor
from practice.services.billing import refunds, settling
from practice.services.errors import Conflict
from practice.services.payments import settings
from practice.services.payments.provider import ProviderRefund

log = logging.getLogger(__name__)
# Who made a refund the provider told of (its webhook): written in the books as the provider's doing.
PROVIDER = Actor(member_id=None, name="Stripe", role=Role.owner)
GONE_BACK = ("succeeded", "pending")  # the money went back, or the card's bank has it


def ask_provider(session: Session, actor: Actor, payment_id: int, *, amount_cents: int, reason: str = "") -> str | None:
    """Send a card payment's refund back through the provider (checked: manage invoices and payments; at most what is
    left); the provider's refund id, or None for a payment that is not by card (nothing to ask). Writes nothing."""
    payment, _invoice, left = refunds.refundable(session, actor, payment_id)
    refunds.check_amount(amount_cents, left)
    if payment.method != PaymentMethod.card:
        return None
    provider = settings.provider_for(session)
    if provider is None or not payment.provider_payment_id:
        raise Conflict(_("Card payments are not set up any more: save the payment provider's keys again in "
                         "Settings to refund this card payment."))
    done = provider.refund(payment.provider_payment_id, amount_cents, reason=(reason or "").strip(),
                           # The provider's id of the payment, not ours: a restored copy of the database, or a second
                           # one on the same Stripe account, reuses our ids, and Stripe would answer a reused key with
                           # the old refund instead of making this one.
                           key=f"practice-refund-{payment.provider_payment_id}-{payment.amount_cents - left}-"
                               f"{amount_cents}")
    return done.refund_id


def record(session: Session, actor: Actor, payment_id: int, *, amount_cents: int, reason: str = "",
           provider_refund_id: str | None = None, now: dt.datetime | None = None) -> Refund:
    """Record the refund `ask_provider` made (or a check, transfer or cash refund); the provider's refund recorded
    already is returned as it is, not recorded twice."""
    if provider_refund_id:
        known = session.exec(select(Refund).where(Refund.provider_refund_id == provider_refund_id)).first()
        if known is not None and known.payment_id == payment_id:
            return known
    return refunds.record_refund(session, actor, payment_id, amount_cents=amount_cents, reason=reason,
                                 provider_refund_id=provider_refund_id, now=now)


def refund(actor: Actor, payment_id: int, *, amount_cents: int, reason: str = "",
           now: dt.datetime | None = None) -> Refund:
    """Refund all or part of a recorded payment: the provider asked in a read session, the refund recorded in a write
    transaction after it answered."""
    with read_session() as session:
        provider_refund_id = ask_provider(session, actor, payment_id, amount_cents=amount_cents, reason=reason)
    with write_session() as session:
        return record(session, actor, payment_id, amount_cents=amount_cents, reason=reason,
                      provider_refund_id=provider_refund_id, now=now)


def record_told(session: Session, told: ProviderRefund) -> Refund | None:
    """A refund the provider's webhook tells of, recorded once: one made in the provider's own dashboard is written
    in the books as ours are (the invoice is due again by that much); one we recorded already is left as it is, unless
    the provider now says it failed, when it is taken out again. None when there is nothing to record (not one of
    our payments, or more than our books say is left: logged, as the provider's word cannot be refused)."""
    known = session.exec(select(Refund).where(Refund.provider_refund_id == told.refund_id)).first() \
        if told.refund_id else None
    if told.status not in GONE_BACK:
        if known is not None:
            refunds.undo_failed_refund(session, PROVIDER, known, told.status)
            invoice = session.get(Invoice, known.invoice_id)
            if invoice is not None and invoice.status == InvoiceStatus.paid:
                settling.became_paid(session, PROVIDER, invoice)
        return None
    if known is not None:
        return known
    payment = session.exec(select(Payment).where(Payment.provider_payment_id == told.payment_id)).first() \
        if told.payment_id else None
    if payment is None:
        log.warning("refund %s names no card payment of this firm (%s); not recorded", told.refund_id, told.payment_id)
        return None
    left = payment.amount_cents - refunds.refunded_cents(session, payment.id)
    if not 0 < told.amount_cents <= left:
        log.warning("refund %s of %s cents is more than the %s cents left of payment %s in the books; not recorded",
                    told.refund_id, told.amount_cents, left, payment.id)
        return None
    return refunds.record_refund(session, PROVIDER, payment.id, amount_cents=told.amount_cents,
                                 reason=told.reason or _("Refunded at Stripe"), provider_refund_id=told.refund_id)

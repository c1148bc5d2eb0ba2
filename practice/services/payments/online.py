"""A client's card payment of an invoice: opening it with the provider for what is due, and recording it when the
provider says it succeeded (its signed webhook, or a fetch of the payment). Each provider payment is recorded once:
its id is unique on the payment row, and a webhook delivered again finds the row and changes nothing. A part
payment leaves the rest due; paid in full, the invoice tells it once (`invoices.became_paid`)."""
from __future__ import annotations

import logging

from sqlmodel import Session, select

from practice.i18n import _
from practice.models import Contact, Invoice, InvoiceStatus, Payment, PaymentMethod, Refund
from practice.services import audit
from practice.services.actor import SYSTEM, Actor, ContactActor, client_actor, contact_name
from practice.services.billing import invoices
from practice.services.billing.delivery import contact_account
from practice.services.errors import Conflict, NotFound
from practice.services.formatting import format_money
from practice.services.payments import refunds, settings
from practice.services.payments.provider import BadSignature, PaymentSession, ProviderPayment, ProviderRefund

log = logging.getLogger(__name__)


def payable_invoice(session: Session, who: ContactActor, invoice_id: int) -> Invoice:
    """One of the contact's invoices (its current account's, checked against its links) with something due."""
    account_id = contact_account(session, who)
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.account_id != account_id or invoice.status == InvoiceStatus.draft:
        raise NotFound(_("That invoice no longer exists."))
    if invoices.due_cents(invoice) <= 0:
        raise Conflict(_("Nothing is due on {name}.").format(name=invoices.invoice_name(invoice)))
    return invoice


def start_card_payment(session: Session, who: ContactActor, invoice_id: int) -> PaymentSession:
    """Open a card payment of what is due on one of the contact's invoices (its current account's)."""
    invoice = payable_invoice(session, who, invoice_id)
    provider = settings.provider_for(session)
    if provider is None:
        raise Conflict(_("The firm does not take card payments yet: see the invoice for how to pay."))
    return provider.open_payment(amount_cents=invoices.due_cents(invoice), currency=settings.currency(session),
                                 invoice_id=invoice.id, contact_id=who.contact_id,
                                 description=f"Invoice {invoice.number}")


def takes_cards(session: Session, who: ContactActor) -> bool:
    """Whether the contact's invoices can be paid by card (the firm has set up its keys)."""
    contact_account(session, who)
    return settings.is_set_up(session)


def _theirs(session: Session, who: ContactActor, payment_id: str) -> ProviderPayment:
    """The provider's payment, if the contact opened it for an invoice of the account it looks at."""
    provider = settings.provider_for(session)
    if provider is None or not isinstance(who, ContactActor):
        raise NotFound(_("That payment no longer exists."))
    paid = provider.fetch_payment(str(payment_id or "")[:200])
    invoice = session.get(Invoice, paid.invoice_id) if paid.invoice_id is not None else None
    if paid.contact_id != who.contact_id or invoice is None or invoice.account_id != contact_account(session, who):
        raise NotFound(_("That payment no longer exists."))
    return paid


def pay_with_token(session: Session, who: ContactActor, payment_id: str, token: str) -> ProviderPayment:
    """Charge the contact's open payment with the card its browser gave the provider (a read: the payment is
    recorded by `record_for` or the provider's webhook, whichever comes first)."""
    paid = _theirs(session, who, payment_id)
    if paid.succeeded:
        return paid
    payable_invoice(session, who, paid.invoice_id)
    return settings.provider_for(session).confirm_with_token(paid.payment_id, str(token or "")[:200])


def checked_payment(session: Session, who: ContactActor, payment_id: str) -> ProviderPayment:
    """The contact's payment as the provider has it now (after the browser's 3-D Secure step)."""
    return _theirs(session, who, payment_id)


def record_for(session: Session, who: ContactActor, paid: ProviderPayment) -> Payment | None:
    """Record a payment the contact just made (fetched by `checked_payment` or `pay_with_token`), once."""
    if not isinstance(who, ContactActor) or paid.contact_id != who.contact_id:
        raise NotFound(_("That payment no longer exists."))
    return record(session, paid)


def _payer(session: Session, contact_id: int | None) -> Actor:
    contact = session.get(Contact, contact_id) if contact_id is not None else None
    return client_actor(contact_name(contact)) if contact is not None else SYSTEM


def record(session: Session, paid: ProviderPayment) -> Payment | None:
    """Record a succeeded provider payment on its invoice, once: the row of an id already recorded is returned as it
    is. None when there is nothing to record (not succeeded, or not one of our invoices)."""
    if not paid.succeeded or not paid.payment_id or paid.amount_cents <= 0:
        return None
    known = session.exec(select(Payment).where(Payment.provider_payment_id == paid.payment_id)).first()
    if known is not None:
        return known
    invoice = session.get(Invoice, paid.invoice_id) if paid.invoice_id is not None else None
    if invoice is None or invoice.status == InvoiceStatus.draft:
        log.warning("card payment %s names no invoice of this firm (%s); not recorded", paid.payment_id,
                    paid.invoice_id)
        return None
    actor = _payer(session, paid.contact_id)
    payment = Payment(invoice_id=invoice.id, account_id=invoice.account_id, amount_cents=paid.amount_cents,
                      method=PaymentMethod.card, reference=paid.payment_id, received_on=invoices.firm_today(session),
                      recorded_by_label=actor.name, provider_payment_id=paid.payment_id)
    session.add(payment)
    session.flush()
    # Money taken is recorded even on an invoice voided or settled meanwhile (never lost); a void one stays void.
    if invoice.status != InvoiceStatus.void:
        invoices.settle(session, invoice)
    audit.record(session, actor, "payment", "invoice", invoice.id,
                 f"Paid {format_money(paid.amount_cents)} by card on invoice {invoice.number} ({paid.payment_id}); "
                 f"{format_money(invoices.due_cents(invoice))} left due",
                 payment_id=payment.id, amount_cents=paid.amount_cents, method=PaymentMethod.card.value)
    if invoice.status == InvoiceStatus.paid:
        invoices.became_paid(session, actor, invoice, contact_id=paid.contact_id)
    return payment


def apply_webhook(session: Session, payload: bytes, signature: str) -> Payment | Refund | None:
    """Verify a provider's webhook by its signature (BadSignature: refused, nothing changes) and record the payment
    or the refund it tells of, once."""
    provider = settings.provider_for(session)
    if provider is None:
        raise BadSignature(_("Card payments are not set up: there is no webhook signing secret."))
    told = provider.read_webhook(payload, signature)
    if isinstance(told, ProviderRefund):
        return refunds.record_told(session, told)
    return record(session, told) if told is not None else None

"""Recurring invoices paid automatically by a client's saved card.

A client contact, in the portal, saves a card for one series of their account with explicit consent (the words they
agreed to say what is charged, how often and how to stop): the card goes from the provider's fields to the provider,
which keeps it as a customer's card; the series keeps only the provider's customer and card ids, who agreed, when,
and those words. The client removes it at any time; staff who manage billing can turn it off (the client who agreed
is told by email).

When a period's invoice is issued for such a series, the same transaction writes a `recurring_card_charge` event
(billing/recurring); the worker handles it here: it charges the invoice's amount to the saved card with the
idempotency key of the series and period (`recurring|<series>|<period>`), which the provider answers a second time
with its first answer, so a worker killed after the charge and before its commit charges nothing more when the event
is handled again. Success records the payment once (`online.record`: the invoice paid, `invoice is paid` once). A
decline leaves the invoice due, emails the client who agreed and tells the firm in Inbox+; nothing retries it.
Removing a card also deletes the provider's customer, from the worker (`recurring_card_forget`)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from sqlmodel import Session, select

from practice import i18n, routes
from practice.i18n import N_, _
from practice.models import Account, Contact, Event, Invoice, InvoiceStatus, RecurringInvoice, utcnow
from practice.services import audit, events, inbox
from practice.services.actor import SYSTEM, Actor, ContactActor, client_actor, contact_name
from practice.services.billing import invoices, recurring
from practice.services.billing.delivery import contact_account, invoice_link
from practice.services.errors import Conflict, InvalidInput, NotFound
from practice.services.firm import get_firm, language_for
from practice.services.formatting import format_datetime, format_money, full_date
from practice.services.mail import outbox
from practice.services.mail.system import render_system_email
from practice.services.payments import online, settings
from practice.services.payments.provider import ProviderError, SavedCard

log = logging.getLogger(__name__)

CHARGE = recurring.CHARGE
FORGET = recurring.FORGET
KINDS = (CHARGE, FORGET)
_OFTEN = {"monthly": N_("every month"), "quarterly": N_("every quarter"), "yearly": N_("every year")}


# --- the client's side (portal) --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PortalSeries:
    """A series of the contact's account as the portal shows it, with its automatic card payment."""

    id: int
    name: str
    amount_cents: int
    often: str
    next_period: dt.date | None
    card_label: str        # "" when not paid automatically
    consent_by: str
    consent_when: str      # when they agreed, on the firm's clock
    consent_text: str      # the words to agree to (not on yet), or those agreed to (on)


def _theirs(session: Session, who: ContactActor, series_id) -> RecurringInvoice:
    """A running series of the account the contact looks at (checked against its links)."""
    account_id = contact_account(session, who)
    series = session.get(RecurringInvoice, int(series_id or 0)) if str(series_id or "").isdigit() else None
    if series is None or series.account_id != account_id:
        raise NotFound(_("That recurring invoice no longer exists."))
    return series


def consent_words(session: Session, series: RecurringInvoice) -> str:
    """What the client agrees to, in their language: what is charged, how often, from when, and how to stop."""
    firm = get_firm(session)
    when = full_date(series.next_period) if series.next_period else ""
    return _('I allow {firm} to charge this card, without asking me again, for each invoice of "{name}" '
             "({amount} {often}, or the amount of the invoice if it changes), on the day the invoice is issued, "
             "from the invoice of {date} on. I can stop it at any time by removing the card under Invoices in this "
             "portal; the invoices already paid stay paid.").format(
        firm=firm.name, name=series.name, amount=format_money(recurring.series_total(session, series)),
        often=_(_OFTEN.get(series.interval, _OFTEN["monthly"])), date=when)


def portal_series(session: Session, who: ContactActor) -> list[PortalSeries]:
    """The series of the contact's account that issue invoices by themselves (those a client may pay by card)."""
    account_id = contact_account(session, who)
    rows = session.exec(select(RecurringInvoice).where(RecurringInvoice.account_id == account_id)
                        .order_by(RecurringInvoice.name, RecurringInvoice.id)).all()
    shown, timezone = [], get_firm(session).timezone
    for series in rows:
        on = bool(series.card_method_id)
        if not on and (not series.send_automatically or series.next_period is None):
            continue
        shown.append(PortalSeries(
            series.id, series.name, recurring.series_total(session, series), _(_OFTEN.get(series.interval, "")),
            None if series.paused else series.next_period, series.card_label if on else "",
            series.card_consent_by if on else "",
            format_datetime(series.card_consent_at, timezone) if on and series.card_consent_at else "",
            series.card_consent_text if on else consent_words(session, series)))
    return shown


def card_fields_key(session: Session, who: ContactActor, series_id) -> str:
    """The publishable key the provider's card fields need, to save a card for one of the account's series."""
    _theirs(session, who, series_id)
    provider = settings.provider_for(session)
    if provider is None:
        raise Conflict(_("The firm does not take card payments yet: see the invoice for how to pay."))
    return provider.publishable_key


def _require_agreed(agreed) -> None:
    if agreed is not True:
        raise InvalidInput(_("Tick the box to agree to the automatic payments, or cancel."), field="agree")


def card_from_token(session: Session, who: ContactActor, series_id, token: str, agreed) -> SavedCard:
    """Have the provider keep the card the contact's browser gave it (`token`, its id only) for one of the account's
    series; a read: the consent is written by `give_consent`. The provider call may take seconds."""
    _require_agreed(agreed)
    series = _theirs(session, who, series_id)
    if not series.send_automatically or series.next_period is None:
        raise Conflict(_('"{name}" issues no more invoices by itself: there is nothing to pay automatically.')
                       .format(name=series.name))
    provider = settings.provider_for(session)
    if provider is None:
        raise Conflict(_("The firm does not take card payments yet: see the invoice for how to pay."))
    token = str(token or "")[:200]
    if not token:
        raise InvalidInput(_("The card could not be read: check its number, expiry date and security code."))
    return provider.save_card(token, description=f"{who.name} · {series.name}")


def give_consent(session: Session, who: ContactActor, series_id, card: SavedCard, agreed) -> RecurringInvoice:
    """Record the contact's consent to pay the series' invoices with `card` (from `card_from_token`), with the words
    they agreed to (`consent_words`, in their language); a card saved before for the series is removed."""
    _require_agreed(agreed)
    series = _theirs(session, who, series_id)
    if not isinstance(card, SavedCard) or not card.customer_id or not card.method_id:
        raise InvalidInput(_("The card could not be read: check its number, expiry date and security code."))
    _forget_later(session, series)
    series.card_customer_id, series.card_method_id, series.card_label = card.customer_id, card.method_id, card.label
    series.card_consent_contact_id, series.card_consent_by = who.contact_id, who.name
    series.card_consent_at = utcnow()
    series.card_consent_text = consent_words(session, series)[:2000]
    session.add(series)
    audit.record(session, client_actor(who.name), "update", "recurring_invoice", series.id,
                 f'{who.name} agreed to pay the invoices of "{series.name}" automatically with {card.label}: '
                 f"{series.card_consent_text}", entity_label=series.name, account_id=series.account_id)
    inbox.notify_client_activity(session, account_id=series.account_id, text=inbox.said(
        N_('{name} will pay the invoices of "{series}" automatically by card.'), name=who.name, series=series.name))
    return series


def withdraw(session: Session, who: ContactActor, series_id) -> RecurringInvoice:
    """The contact removes the saved card: no invoice of the series is charged from now on."""
    series = _theirs(session, who, series_id)
    if not series.card_method_id:
        return series
    label = series.card_label
    _clear(session, series)
    audit.record(session, client_actor(who.name), "update", "recurring_invoice", series.id,
                 f'{who.name} removed {label}: the invoices of "{series.name}" are no longer paid automatically',
                 entity_label=series.name, account_id=series.account_id)
    inbox.notify_client_activity(session, account_id=series.account_id, text=inbox.said(
        N_('{name} removed their card: the invoices of "{series}" are no longer paid automatically.'),
        name=who.name, series=series.name))
    return series


# --- the firm's side ----------------------------------------------------------------------------------------------


def turn_off(session: Session, actor: Actor, series_id) -> RecurringInvoice:
    """Staff who manage billing stop a series' automatic card payment (the client can save a card again); the
    contact who agreed to it hears by email, in their language."""
    series = recurring.series_to_change(session, actor, series_id)
    if not series.card_method_id:
        return series
    label, by = series.card_label, series.card_consent_by
    _tell_turned_off(session, series)
    _clear(session, series)
    audit.record(session, actor, "update", "recurring_invoice", series.id,
                 f'Turned off the automatic payment of "{series.name}" by {label} (agreed by {by})',
                 entity_label=series.name, account_id=series.account_id)
    return series


def _tell_turned_off(session: Session, series: RecurringInvoice) -> None:
    """Email the contact who agreed to pay the series by card that the firm turned it off (once per consent)."""
    contact = session.get(Contact, series.card_consent_contact_id) if series.card_consent_contact_id else None
    if contact is None or not contact.email:
        return
    firm = get_firm(session)
    language = language_for(session, contact.language)
    context = {"first_name": contact.first_name or contact_name(contact), "firm_name": firm.name,
               "card": series.card_label, "series": series.name, "link": invoice_link()}
    subject, body = render_system_email("card_turned_off", context, language)
    agreed = series.card_consent_at.isoformat() if series.card_consent_at else ""
    outbox.enqueue(session, to_address=contact.email, subject=subject, body=body,
                   key=f"card-turned-off|{series.id}|{agreed}|{contact.email.lower()}", account_id=series.account_id)
    session.info["practice_mail"] = True


def _forget_later(session: Session, series: RecurringInvoice) -> None:
    """Have the worker delete the provider's customer of the series' card (outside this transaction)."""
    if series.card_customer_id:
        events.emit(session, SYSTEM, FORGET, account_id=series.account_id,
                    payload={"customer_id": series.card_customer_id})


def _clear(session: Session, series: RecurringInvoice) -> None:
    _forget_later(session, series)
    series.card_customer_id = series.card_method_id = series.card_label = ""
    series.card_consent_contact_id, series.card_consent_by, series.card_consent_at = None, "", None
    series.card_consent_text = ""
    series.updated_at = utcnow()
    session.add(series)


# --- the worker's side -----------------------------------------------------------------------------------------


def handle(session: Session, ev: Event) -> None:
    """An autopay event, in the worker's transaction: charge an issued invoice, or delete a removed card."""
    if ev.kind == FORGET:
        forget(session, ev)
    elif ev.kind == CHARGE:
        charge(session, ev)


def forget(session: Session, ev: Event) -> None:
    customer_id = str((ev.payload or {}).get("customer_id") or "")
    provider = settings.provider_for(session)
    if not customer_id or provider is None:
        return
    try:
        provider.forget_card(customer_id)
    except ProviderError as err:  # the card is unused from now on either way; the firm can delete it at Stripe
        log.warning("could not delete the provider's customer %s: %s", customer_id, err)


def charge(session: Session, ev: Event):
    """Charge the period's invoice to the series' saved card, once (see the module). Returns the payment, or None."""
    payload = ev.payload or {}
    series = session.get(RecurringInvoice, int(payload.get("series_id") or 0))
    invoice = session.get(Invoice, int(payload.get("invoice_id") or 0))
    if series is None or invoice is None or not series.card_method_id:
        return None  # deleted, or the consent was withdrawn or turned off since: nothing is charged
    if invoice.status not in (InvoiceStatus.sent, InvoiceStatus.partly_paid) or invoices.due_cents(invoice) <= 0:
        return None
    # The series' and the period's key, after the saved card's customer id at the provider (unique in the firm's
    # Stripe account: a copy of this database, or a test run, sharing the account never shares a key).
    key = f"{series.card_customer_id}|{recurring.key_of(series.id, dt.date.fromisoformat(payload['period']))}"
    provider = settings.provider_for(session)
    if provider is None:
        return _not_charged(session, series, invoice, key, _("card payments are turned off in Settings."))
    card = SavedCard(series.card_customer_id, series.card_method_id, series.card_label)
    try:
        paid = provider.charge_saved_card(card, amount_cents=invoices.due_cents(invoice),
                                          currency=settings.currency(session), invoice_id=invoice.id,
                                          contact_id=series.card_consent_contact_id,
                                          description=f"Invoice {invoice.number}", idempotency_key=key)
    except ProviderError as err:
        return _not_charged(session, series, invoice, key, str(err))
    if not paid.succeeded:
        return _not_charged(session, series, invoice, key,
                            _("the card's bank asks for a confirmation the client must give."))
    return online.record(session, paid)


def _not_charged(session: Session, series: RecurringInvoice, invoice: Invoice, key: str, reason: str) -> None:
    """The invoice stays due: the client who agreed hears by email, the firm in Inbox+, both once."""
    actor = recurring.worker_actor(series)
    audit.record(session, actor, "payment", "invoice", invoice.id,
                 f"Automatic card payment of invoice {invoice.number} by {series.card_label} did not go through: "
                 f"{reason}", account_id=invoice.account_id)
    account = session.get(Account, invoice.account_id)
    text = inbox.said(N_('The automatic card payment of invoice {number} for {account} ("{series}") did not go '
                         "through: {reason} The invoice is still due."),
                      number=invoice.number, account=account.name if account else "", series=series.name,
                      reason=reason)
    for member_id in inbox.staff_for(session, account_id=invoice.account_id):
        inbox.notify(session, member_id=member_id, kind="notify", link=routes.invoice_url(invoice.id), text=text,
                     key=f"card-declined|{key}|{member_id}")
    contact = session.get(Contact, series.card_consent_contact_id) if series.card_consent_contact_id else None
    if contact is not None and contact.email:
        firm = get_firm(session)
        language = language_for(session, contact.language)
        with i18n.using_locale(language):
            total = format_money(invoices.due_cents(invoice))
        context = {"first_name": contact.first_name or contact_name(contact), "firm_name": firm.name,
                   "number": invoice.number, "total": total, "card": series.card_label, "series": series.name,
                   "reason": reason, "link": invoice_link()}
        subject, body = render_system_email("card_declined", context, language)
        outbox.enqueue(session, to_address=contact.email, subject=subject, body=body,
                       key=f"card-declined|{key}|{contact.email.lower()}", account_id=invoice.account_id)
        session.info["practice_mail"] = True
    return None

"""Recurring invoices paid by a client's saved card, against localstripe: with the client's consent each period's
invoice is charged once and shows paid (`invoice is paid` once); a worker killed after the charge and before its
commit charges nothing more when the event is handled again (the same idempotency key); a declined card leaves the
invoice due, emails the client and tells the firm in Inbox+, with no second attempt; a card removed (or turned off by
staff) is charged no more, and its customer is deleted at the provider; staff turning it off email the client who
agreed (through a real SMTP server), once; who may do what."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import stripe
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import Event, EventStatus, Invoice, InvoiceStatus, Notification, OutgoingMail, Payment
from practice.services.automation import engine
from practice.services.billing import invoices, recurring
from practice.services.errors import InvalidInput, NotFound, PermissionDenied
from practice.services.mail import outbox, settings as mail_settings
from practice.services.payments import autopay, online
from tests.factories import contact_actor
from tests.factories.payments import card_paying_firm, card_token, set_up_card_payments
from tests.smtp import SMTPServer

pytestmark = pytest.mark.firm(build=card_paying_firm)
UTC = dt.timezone.utc
DECLINED = "4000000000000341"  # attaches to a customer, then every charge is declined


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


def amy(firm, account="jones"):
    return dataclasses.replace(contact_actor(firm["amy"]), current_account_id=firm[account])


def new_series(firm, account="jones") -> int:
    with write_session() as s:
        return recurring.save_series(s, firm["owner"], account_id=firm[account], name="Bookkeeping",
                                     lines=[{"name": "Monthly bookkeeping", "rate": "250"}], interval="monthly",
                                     start_date=dt.date(2027, 1, 31), now=at("2027-01-01")).id


def save_card(firm, localstripe, series_id, number="4242424242424242", who=None, agreed=True):
    """What the portal does: the browser's token (createToken), the provider keeps the card, the consent recorded."""
    who = who or amy(firm)
    token = card_token(localstripe.url, number)
    with read_session() as s:
        card = autopay.card_from_token(s, who, series_id, token, agreed)
    with write_session() as s:
        autopay.give_consent(s, who, series_id, card, agreed)
    return card


def sweep(day: str) -> int:
    """The worker's minute sweep; the events it writes are handled as the worker would (the invoice, its charge)."""
    with write_session() as s:
        return recurring.plan_due(s, now=at(day))


def series_invoices(series_id):
    with read_session() as s:
        rows = s.exec(select(Invoice).where(Invoice.key.like(f"recurring|{series_id}|%")).order_by(Invoice.id)).all()
        return [(i.status, invoices.due_cents(i), [p.amount_cents for p in s.exec(
            select(Payment).where(Payment.invoice_id == i.id))]) for i in rows]


def charges_at_stripe(localstripe, customer_id) -> list[int]:
    client = stripe.StripeClient("sk_test_look", base_addresses={"api": localstripe.url})
    return [c.amount for c in client.v1.charges.list(params={"limit": 1000}).data
            if c.customer == customer_id and c.status == "succeeded"]


def paid_events():
    with read_session() as s:
        return [e.payload["invoice_id"] for e in s.exec(select(Event).where(Event.kind == "invoice_paid"))]


def test_with_consent_each_period_is_charged_once_and_shows_paid(firm, localstripe, inbox):
    set_up_card_payments(firm["ann"])
    series_id = new_series(firm)
    with read_session() as s:
        [shown] = autopay.portal_series(s, amy(firm))
    assert shown.card_label == "" and "$250.00 every month" in shown.consent_text
    assert "removing the card under Invoices" in shown.consent_text
    card = save_card(firm, localstripe, series_id)
    assert card.label == "Visa •••• 4242"
    with read_session() as s:
        [shown] = autopay.portal_series(s, amy(firm))
        [row] = recurring.list_series(s, firm["owner"])
    assert (shown.card_label, shown.consent_by) == ("Visa •••• 4242", "Amy Jones")
    assert "$250.00 every month" in shown.consent_text and shown.consent_when
    assert (row.card_label, row.card_by) == ("Visa •••• 4242", "Amy Jones") and row.card_when

    assert sweep("2027-01-31") == 1
    assert sweep("2027-02-28") == 1
    assert sweep("2027-02-28") == 0
    assert series_invoices(series_id) == [(InvoiceStatus.paid, 0, [25000]), (InvoiceStatus.paid, 0, [25000])]
    assert charges_at_stripe(localstripe, card.customer_id) == [25000, 25000]
    with read_session() as s:
        ids = [i.id for i in s.exec(select(Invoice).order_by(Invoice.id))]
        payment = s.exec(select(Payment)).first()
    assert paid_events() == ids
    assert payment.recorded_by_label == "Amy Jones (client)"
    # The provider's webhooks for those charges, delivered (twice), record nothing more.
    body = inbox.wait_for(payment.provider_payment_id.encode())
    for _ in range(2):
        with write_session() as s:
            assert online.apply_webhook(s, *body).id == payment.id
    assert series_invoices(series_id) == [(InvoiceStatus.paid, 0, [25000]), (InvoiceStatus.paid, 0, [25000])]


def test_a_worker_killed_after_the_charge_charges_nothing_more_when_the_event_runs_again(firm, localstripe, inbox,
                                                                                        monkeypatch):
    set_up_card_payments(firm["ann"])
    series_id = new_series(firm)
    card = save_card(firm, localstripe, series_id)
    real_record = online.record

    def killed(session, paid):  # the provider took the money; the worker dies before its transaction commits
        raise RuntimeError("SIGKILL")

    monkeypatch.setattr(online, "record", killed)
    sweep("2027-01-31")
    with read_session() as s:
        ev = s.exec(select(Event).where(Event.kind == autopay.CHARGE)).one()
    assert ev.status == EventStatus.pending and ev.attempts >= 1
    assert charges_at_stripe(localstripe, card.customer_id) == [25000]
    assert series_invoices(series_id) == [(InvoiceStatus.sent, 25000, [])]

    monkeypatch.setattr(online, "record", real_record)
    assert engine.handle_events([ev.id]) == 1
    assert charges_at_stripe(localstripe, card.customer_id) == [25000]  # the same key: the first answer again
    assert series_invoices(series_id) == [(InvoiceStatus.paid, 0, [25000])]
    # Handled yet again (replayed): nothing more anywhere.
    with write_session() as s:
        s.get(Event, ev.id).status = EventStatus.pending
    engine.handle_events([ev.id])
    assert charges_at_stripe(localstripe, card.customer_id) == [25000]
    assert series_invoices(series_id) == [(InvoiceStatus.paid, 0, [25000])]
    assert len(paid_events()) == 1


def test_a_declined_card_leaves_the_invoice_due_emails_the_client_and_tells_the_firm_once(firm, localstripe, inbox):
    set_up_card_payments(firm["ann"])
    series_id = new_series(firm)
    card = save_card(firm, localstripe, series_id, number=DECLINED)
    sweep("2027-01-31")
    assert series_invoices(series_id) == [(InvoiceStatus.sent, 25000, [])]
    assert charges_at_stripe(localstripe, card.customer_id) == []
    with read_session() as s:
        ev = s.exec(select(Event).where(Event.kind == autopay.CHARGE)).one()
        mails = s.exec(select(OutgoingMail).where(OutgoingMail.subject.contains("not charged"))).all()
        notes = s.exec(select(Notification).where(Notification.text.contains("did not go through"))).all()
    assert ev.status == EventStatus.handled  # handled: no retry loop
    assert [m.to_address for m in mails] == ["amy@jones.example"]
    assert "Your card was declined" in mails[0].body and "still due" in mails[0].body
    assert notes and all("is still due" in n.text for n in notes)
    # Replayed, it asks the provider again with the same key and gets the same answer: one mail, one notice each.
    with write_session() as s:
        s.get(Event, ev.id).status = EventStatus.pending
    engine.handle_events([ev.id])
    with read_session() as s:
        assert len(s.exec(select(OutgoingMail).where(OutgoingMail.subject.contains("not charged"))).all()) == 1
        assert len(s.exec(select(Notification).where(Notification.text.contains("did not go through"))).all()) \
            == len(notes)
    assert series_invoices(series_id) == [(InvoiceStatus.sent, 25000, [])]
    assert paid_events() == []


def test_a_removed_card_is_charged_no_more_and_forgotten_at_the_provider(firm, localstripe, inbox):
    set_up_card_payments(firm["ann"])
    series_id = new_series(firm)
    card = save_card(firm, localstripe, series_id)
    with write_session() as s:
        autopay.withdraw(s, amy(firm), series_id)
    sweep("2027-01-31")
    assert series_invoices(series_id) == [(InvoiceStatus.sent, 25000, [])]
    assert charges_at_stripe(localstripe, card.customer_id) == []
    client = stripe.StripeClient("sk_test_look", base_addresses={"api": localstripe.url})
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.customers.retrieve(card.customer_id)
    with read_session() as s:
        [shown] = autopay.portal_series(s, amy(firm))
        assert shown.card_label == "" and s.exec(select(Event).where(Event.kind == autopay.CHARGE)).all() == []

    # Saved again, then turned off by staff who manage billing (not by an employee without that right).
    save_card(firm, localstripe, series_id)
    with write_session() as s, pytest.raises(PermissionDenied):
        autopay.turn_off(s, firm["bob"], series_id)
    with write_session() as s:
        autopay.turn_off(s, firm["ann"], series_id)
    sweep("2027-02-28")
    assert series_invoices(series_id) == [(InvoiceStatus.sent, 25000, []), (InvoiceStatus.sent, 25000, [])]
    # A series deleted with a saved card: the card goes too.
    again = save_card(firm, localstripe, series_id)
    with write_session() as s:
        recurring.delete_series(s, firm["owner"], series_id)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.customers.retrieve(again.customer_id)


def test_only_the_accounts_contacts_save_a_card_and_only_after_agreeing(firm, localstripe, inbox):
    set_up_card_payments(firm["ann"])
    series_id = new_series(firm)
    with pytest.raises(InvalidInput, match="Tick the box"):
        save_card(firm, localstripe, series_id, agreed=False)
    other = new_series(firm, account="other")
    with pytest.raises(NotFound):
        save_card(firm, localstripe, other)
    with read_session() as s:
        assert [r.id for r in autopay.portal_series(s, amy(firm))] == [series_id]
        with pytest.raises(NotFound):
            autopay.card_fields_key(s, amy(firm), other)
    with write_session() as s, pytest.raises(NotFound):
        autopay.withdraw(s, amy(firm), other)


@pytest.fixture
def smtp(firm):
    with SMTPServer() as server:
        with write_session() as s:
            mail_settings.update_settings(s, firm["owner"], host="127.0.0.1", port=server.port, security="none",
                                          username="", from_address="office@firm.example", from_name="Firm")
        yield server


def test_staff_turning_it_off_emails_the_client_who_agreed_once(firm, localstripe, inbox, smtp):
    set_up_card_payments(firm["ann"])
    series_id = new_series(firm)
    save_card(firm, localstripe, series_id)
    with write_session() as s:
        autopay.turn_off(s, firm["ann"], series_id)
    with write_session() as s:
        autopay.turn_off(s, firm["ann"], series_id)  # already off: nothing more is sent
    outbox.deliver_due()
    [mail] = smtp.wait_for(1)
    assert mail["To"] == "amy@jones.example"
    assert mail["Subject"].endswith(': your card no longer pays "Bookkeeping" automatically')
    body = mail.get_payload(decode=True).decode()
    assert "Visa •••• 4242" in body and "turned off" in body and "/portal/invoices" in body
    with read_session() as s:
        assert len(s.exec(select(OutgoingMail).where(OutgoingMail.subject.contains("no longer pays"))).all()) == 1
    # The client removing the card themselves gets no such email: they did it.
    save_card(firm, localstripe, series_id)
    with write_session() as s:
        autopay.withdraw(s, amy(firm), series_id)
    with read_session() as s:
        assert len(s.exec(select(OutgoingMail).where(OutgoingMail.subject.contains("no longer pays"))).all()) == 1

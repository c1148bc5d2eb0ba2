"""A card payment refunded through the provider interface, against a real localstripe: staff refund part of it,
the money goes back through Stripe (the refund is there, for that amount), the refund is recorded with Stripe's id
and the invoice is due again; never more than the card paid; a payment the provider refuses to refund records
nothing; the firm's other writes go on while Stripe is asked, and the same refund asked twice is recorded once."""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import threading
import time

import pytest
import requests

from practice.db import read_session, write_session
from sqlmodel import select

from practice.models import AuditLog, Invoice, InvoiceStatus, Payment, Refund
from practice.services import balances
from practice.services.billing import invoices
from practice.services.errors import InvalidInput
from practice.services.payments import online
from practice.services.payments.provider import ProviderError
from practice.services.payments import refunds
from practice.services.payments.refunds import refund as refund_payment
from practice.services.payments.stripe_provider import StripeProvider
from tests.factories import contact_actor
from tests.factories.payments import SECRET, SIGNING, card_paying_firm, pay_in_browser, sent_invoice, set_up_card_payments

pytestmark = pytest.mark.firm(build=card_paying_firm)


def paid_by_card(firm, localstripe, inbox, dollars):
    set_up_card_payments(firm["ann"])
    invoice_id = sent_invoice(firm["owner"], firm["jones"], dollars)
    amy = dataclasses.replace(contact_actor(firm["amy"]), current_account_id=firm["jones"])
    with read_session() as s:
        opened = online.start_card_payment(s, amy, invoice_id)
    pay_in_browser(localstripe.url, opened.payment_id)
    with write_session() as s:
        payment = online.apply_webhook(s, *inbox.wait_for(opened.payment_id.encode()))
    return invoice_id, payment.id, opened.payment_id


def stripe_refunds(localstripe, intent_id):
    answer = requests.get(f"{localstripe.url}/v1/refunds", params={"payment_intent": intent_id},
                          auth=(SECRET, ""), timeout=10)
    answer.raise_for_status()
    return [(r["id"], r["amount"]) for r in answer.json()["data"]]


def test_staff_refund_part_of_a_card_payment_through_localstripe(firm, localstripe, inbox):
    invoice_id, payment_id, intent_id = paid_by_card(firm, localstripe, inbox, 300)
    refund_id = refund_payment(firm["owner"], payment_id, amount_cents=7500, reason="Fee charged twice").provider_refund_id
    assert refund_id.startswith("re_")
    assert stripe_refunds(localstripe, intent_id) == [(refund_id, 7500)]
    with read_session() as s:
        invoice = s.get(Invoice, invoice_id)
        assert (invoice.status, invoice.paid_cents, invoices.due_cents(invoice)) == (
            InvoiceStatus.partly_paid, 22500, 7500)
        assert balances.balance(s, firm["jones"]) == 7500
    # Never more than the card paid, less what went back already: Stripe is not even asked.
    with pytest.raises(InvalidInput, match=r"more than the \$225.00 left to refund"):
        refund_payment(firm["owner"], payment_id, amount_cents=22501)
    assert len(stripe_refunds(localstripe, intent_id)) == 1


def test_a_refund_the_provider_refuses_records_nothing(firm, localstripe, inbox, monkeypatch):
    invoice_id, payment_id, _intent = paid_by_card(firm, localstripe, inbox, 100)
    # The card payment's id at Stripe no longer answers (as after a key change to another Stripe account).
    with write_session() as s:
        row = s.get(Payment, payment_id)
        row.provider_payment_id = "pi_unknown"
        s.add(row)
    with pytest.raises(ProviderError, match="Stripe refused"):
        refund_payment(firm["owner"], payment_id, amount_cents=100)
    with read_session() as s:
        assert s.exec(select(Refund)).all() == []
        assert s.get(Invoice, invoice_id).status == InvoiceStatus.paid


def test_other_writes_go_on_while_stripe_is_asked_for_the_refund(firm, localstripe, inbox, monkeypatch):
    """Stripe may take seconds to answer: the refund must not hold the database's one writer meanwhile."""
    invoice_id, payment_id, _intent = paid_by_card(firm, localstripe, inbox, 100)
    real, written = StripeProvider.refund, threading.Event()

    def meanwhile_someone_writes():
        with write_session() as s:
            s.add(AuditLog(action="note", entity="firm", summary="written while Stripe was asked"))
        written.set()

    def slow_stripe(self, *args, **kwargs):
        other = threading.Thread(target=meanwhile_someone_writes)
        other.start()
        other.join(timeout=20)  # with the write lock held here, the other write could only finish after us
        return real(self, *args, **kwargs)

    monkeypatch.setattr(StripeProvider, "refund", slow_stripe)
    refund_payment(firm["owner"], payment_id, amount_cents=4000)
    assert written.is_set()
    with read_session() as s:
        assert s.get(Invoice, invoice_id).paid_cents == 6000


def test_the_same_refund_asked_twice_is_refunded_and_recorded_once(firm, localstripe, inbox):
    """Two clicks on Refund before either is recorded: Stripe answers the second with the first refund (the same
    idempotency key), and recording it again changes nothing."""
    invoice_id, payment_id, intent_id = paid_by_card(firm, localstripe, inbox, 100)
    with read_session() as s:
        first = refunds.ask_provider(s, firm["owner"], payment_id, amount_cents=2500)
    with read_session() as s:
        second = refunds.ask_provider(s, firm["owner"], payment_id, amount_cents=2500)
    assert first == second
    for provider_refund_id in (first, second):
        with write_session() as s:
            refunds.record(s, firm["owner"], payment_id, amount_cents=2500, provider_refund_id=provider_refund_id)
    assert stripe_refunds(localstripe, intent_id) == [(first, 2500)]
    with read_session() as s:
        assert [r.amount_cents for r in s.exec(select(Refund))] == [2500]
        assert s.get(Invoice, invoice_id).paid_cents == 7500


def told_by_stripe(localstripe, refund_id: str, status: str | None = None) -> tuple[bytes, str]:
    """The webhook Stripe sends about a refund (`refund.created`, or `refund.updated` with a new status), signed
    with the firm's signing secret as Stripe signs it."""
    answer = requests.get(f"{localstripe.url}/v1/refunds/{refund_id}", auth=(SECRET, ""), timeout=10)
    answer.raise_for_status()
    refund = answer.json() | ({"status": status} if status else {})
    body = json.dumps({"id": f"evt_{refund_id}_{status or 'created'}", "object": "event", "api_version": "2024-06-20",
                       "type": f"refund.{'updated' if status else 'created'}", "created": int(time.time()),
                       "data": {"object": refund}}).encode()
    stamp = int(time.time())
    mac = hmac.new(SIGNING.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={stamp},v1={mac}"


def test_a_refund_made_in_stripes_dashboard_is_read_back_once_and_undone_if_it_fails(firm, localstripe, inbox):
    invoice_id, payment_id, intent_id = paid_by_card(firm, localstripe, inbox, 200)
    # Someone at the firm refunds $50 in Stripe's own dashboard, not in the app.
    made = requests.post(f"{localstripe.url}/v1/refunds", data={"payment_intent": intent_id, "amount": 5000},
                         auth=(SECRET, ""), timeout=10)
    made.raise_for_status()
    refund_id = made.json()["id"]
    for _ in range(3):  # delivered three times: recorded once
        with write_session() as s:
            online.apply_webhook(s, *told_by_stripe(localstripe, refund_id))
    with read_session() as s:
        rows = s.exec(select(Refund)).all()
        assert [(r.amount_cents, r.provider_refund_id, r.recorded_by_label) for r in rows] == [
            (5000, refund_id, "Stripe")]
        invoice = s.get(Invoice, invoice_id)
        assert (invoice.status, invoice.paid_cents, invoices.due_cents(invoice)) == (InvoiceStatus.partly_paid, 15000,
                                                                                    5000)
        assert balances.balance(s, firm["jones"]) == 5000
    # The card's bank sends the money back to the firm: Stripe says the refund failed; the invoice is paid again.
    with write_session() as s:
        online.apply_webhook(s, *told_by_stripe(localstripe, refund_id, status="failed"))
    with read_session() as s:
        assert s.exec(select(Refund)).all() == []
        invoice = s.get(Invoice, invoice_id)
        assert (invoice.status, invoice.paid_cents) == (InvoiceStatus.paid, 20000)
        assert balances.balance(s, firm["jones"]) == 0


def test_the_webhook_of_a_refund_made_in_the_app_records_nothing_more(firm, localstripe, inbox):
    _invoice_id, payment_id, _intent = paid_by_card(firm, localstripe, inbox, 100)
    made = refund_payment(firm["owner"], payment_id, amount_cents=1000, reason="Fee charged twice")
    with write_session() as s:
        told = online.apply_webhook(s, *told_by_stripe(localstripe, made.provider_refund_id))
        assert told.id == made.id
    with read_session() as s:
        assert [(r.amount_cents, r.reason) for r in s.exec(select(Refund))] == [(1000, "Fee charged twice")]

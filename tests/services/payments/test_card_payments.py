"""Card payments through the provider interface, against a real localstripe (a fake Stripe API on 127.0.0.1): a
client's payment marks the invoice paid and fires `invoice is paid` once; the same signed webhook delivered three
times records one payment; a bad signature is refused and changes nothing; a part payment leaves the rest due; the
keys are checked by a test call with a sentence on failure, and the secrets are never shown back."""
from __future__ import annotations

import dataclasses

import pytest
import stripe
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import Event, Invoice, InvoiceStatus, Payment, PaymentMethod
from practice.services.billing import invoices
from practice.services.errors import InvalidInput, NotFound, PermissionDenied
from practice.services.payments import online, settings
from practice.services.payments.provider import BadSignature, ProviderError
from tests.factories import contact_actor
from tests.factories.payments import PUBLIC, SECRET, SIGNING, card_paying_firm, card_token, set_up_card_payments
from tests.factories.payments import pay_in_browser as paid_in_browser
from tests.factories.payments import sent_invoice as make_invoice


pytestmark = pytest.mark.firm(build=card_paying_firm)


def set_up_keys(firm, who="ann", **keys):
    set_up_card_payments(firm[who], **keys)


def sent_invoice(firm, dollars=1000, account="jones"):
    return make_invoice(firm["owner"], firm[account], dollars)


def amy(firm, account="jones"):
    return dataclasses.replace(contact_actor(firm["amy"]), current_account_id=firm[account])


def pay_in_browser(localstripe, payment_id, card="pm_card_visa"):
    return paid_in_browser(localstripe.url, payment_id, card)


def apply(payload, signature):
    with write_session() as s:
        return online.apply_webhook(s, payload, signature)


def state(invoice_id):
    with read_session() as s:
        invoice = s.get(Invoice, invoice_id)
        payments = s.exec(select(Payment).where(Payment.invoice_id == invoice_id)).all()
        told = s.exec(select(Event).where(Event.kind == "invoice_paid")).all()
        return invoice.status, invoices.due_cents(invoice), [(p.amount_cents, p.method) for p in payments], \
            [e.payload["invoice_id"] for e in told]


def test_a_card_payment_through_localstripe_marks_the_invoice_paid(firm, localstripe, inbox):
    set_up_keys(firm)
    invoice_id = sent_invoice(firm, 1000)
    with read_session() as s:
        opened = online.start_card_payment(s, amy(firm), invoice_id)
    assert (opened.amount_cents, opened.publishable_key) == (100000, PUBLIC)
    assert opened.client_secret.startswith(opened.payment_id)
    assert pay_in_browser(localstripe, opened.payment_id).status == "succeeded"

    payment = apply(*inbox.wait_for(opened.payment_id.encode()))
    assert payment is not None and payment.provider_payment_id == opened.payment_id
    assert state(invoice_id) == (InvoiceStatus.paid, 0, [(100000, PaymentMethod.card)], [invoice_id])
    with read_session() as s:
        assert payment.recorded_by_label == "Amy Jones (client)"
        assert settings.provider_for(s).fetch_payment(opened.payment_id).succeeded


def test_the_same_webhook_delivered_three_times_records_one_payment(firm, localstripe, inbox):
    set_up_keys(firm)
    invoice_id = sent_invoice(firm, 250)
    with read_session() as s:
        opened = online.start_card_payment(s, amy(firm), invoice_id)
    pay_in_browser(localstripe, opened.payment_id)
    delivered = inbox.wait_for(opened.payment_id.encode())
    first, second, third = apply(*delivered), apply(*delivered), apply(*delivered)
    assert first.id == second.id == third.id
    assert state(invoice_id) == (InvoiceStatus.paid, 0, [(25000, PaymentMethod.card)], [invoice_id])


def test_a_bad_signature_is_refused_and_changes_nothing(firm, localstripe, inbox):
    set_up_keys(firm)
    invoice_id = sent_invoice(firm, 400)
    with read_session() as s:
        opened = online.start_card_payment(s, amy(firm), invoice_id)
    pay_in_browser(localstripe, opened.payment_id)
    body, signature = inbox.wait_for(opened.payment_id.encode())
    tampered = body.replace(b'"amount": 40000', b'"amount": 4000000')
    assert tampered != body
    for payload, sig in ((tampered, signature), (body, ""), (body, signature.replace("v1=", "v1=0"))):
        with pytest.raises(BadSignature, match="signature does not match"):
            apply(payload, sig)
    assert state(invoice_id) == (InvoiceStatus.sent, 40000, [], [])


def test_a_part_payment_leaves_the_rest_due_and_the_rest_by_card_pays_it(firm, localstripe, inbox):
    set_up_keys(firm)
    invoice_id = sent_invoice(firm, 500)
    with read_session() as s:
        provider = settings.provider_for(s)
    part = provider.open_payment(amount_cents=12000, currency="usd", invoice_id=invoice_id, contact_id=firm["amy"],
                                 description="part")
    pay_in_browser(localstripe, part.payment_id)
    apply(*inbox.wait_for(part.payment_id.encode()))
    assert state(invoice_id) == (InvoiceStatus.partly_paid, 38000, [(12000, PaymentMethod.card)], [])
    with read_session() as s:
        rest = online.start_card_payment(s, amy(firm), invoice_id)
    assert rest.amount_cents == 38000
    pay_in_browser(localstripe, rest.payment_id)
    apply(*inbox.wait_for(rest.payment_id.encode()))
    assert state(invoice_id) == (InvoiceStatus.paid, 0, [(12000, PaymentMethod.card), (38000, PaymentMethod.card)],
                                 [invoice_id])


def test_a_declined_card_records_nothing(firm, localstripe, inbox):
    set_up_keys(firm)
    invoice_id = sent_invoice(firm, 300)
    with read_session() as s:
        opened = online.start_card_payment(s, amy(firm), invoice_id)
    with pytest.raises(stripe.CardError):
        pay_in_browser(localstripe, opened.payment_id, card="pm_card_chargeCustomerFail")
    with read_session() as s:
        assert not settings.provider_for(s).fetch_payment(opened.payment_id).succeeded
    assert state(invoice_id) == (InvoiceStatus.sent, 30000, [], [])


def test_only_the_contacts_own_invoices_with_something_due_can_be_paid(firm, localstripe, inbox):
    others = sent_invoice(firm, 100, account="other")
    mine = sent_invoice(firm, 100)
    with read_session() as s, pytest.raises(Exception, match="does not take card payments yet"):
        online.start_card_payment(s, amy(firm), mine)
    set_up_keys(firm)
    with read_session() as s, pytest.raises(NotFound):
        online.start_card_payment(s, amy(firm), others)
    with write_session() as s:
        invoices.record_payment(s, firm["owner"], mine, amount_cents=10000, method="check")
    with read_session() as s, pytest.raises(Exception, match="Nothing is due"):
        online.start_card_payment(s, amy(firm), mine)


def test_keys_are_checked_by_a_test_call_and_the_secrets_never_shown_back(firm, localstripe, inbox, monkeypatch):
    with read_session() as s, pytest.raises(PermissionDenied):
        settings.entered_keys(s, firm["bob"], secret_key=SECRET, publishable_key=PUBLIC, webhook_secret=SIGNING)
    with read_session() as s, pytest.raises(InvalidInput, match="starts with sk_"):
        settings.entered_keys(s, firm["ann"], secret_key="pk_test_oops", publishable_key=PUBLIC,
                              webhook_secret=SIGNING)
    with read_session() as s, pytest.raises(InvalidInput, match="different modes"):
        settings.entered_keys(s, firm["ann"], secret_key="sk_live_abcdef", publishable_key=PUBLIC,
                              webhook_secret=SIGNING)
    monkeypatch.setenv("PRACTICE_STRIPE_API_BASE", "http://127.0.0.1:9")  # nothing listens there
    with read_session() as s:
        keys = settings.entered_keys(s, firm["ann"], secret_key=SECRET, publishable_key=PUBLIC,
                                     webhook_secret=SIGNING)
    with pytest.raises(ProviderError, match="could not be reached"):
        settings.check_keys(keys)
    with read_session() as s:
        assert not settings.is_set_up(s)
    monkeypatch.setenv("PRACTICE_STRIPE_API_BASE", localstripe.url)
    set_up_keys(firm)
    with read_session() as s:
        shown = settings.settings_for_display(s, firm["ann"], "/payments/stripe/webhook")
        assert settings.is_set_up(s)
    assert (shown.set_up, shown.publishable_key, shown.secret_key_hint, shown.webhook_secret_hint) == \
        (True, PUBLIC, "sk_test_…0001", "whsec_…0001")
    assert SECRET not in repr(shown) and SIGNING not in repr(shown)
    # Blank secrets keep the saved ones; a new publishable key alone is enough to change it.
    set_up_keys(firm, secret="", signing="", public="pk_test_practice0002")
    with read_session() as s:
        row = settings.provider_for(s)
        assert (row.publishable_key, row.webhook_secret) == ("pk_test_practice0002", SIGNING)


def test_staff_neither_record_a_card_payment_by_hand_nor_remove_one_paid_online(firm, localstripe, inbox):
    set_up_keys(firm)
    invoice_id = sent_invoice(firm, 200)
    with write_session() as s, pytest.raises(InvalidInput, match="when the client pays online"):
        invoices.record_payment(s, firm["owner"], invoice_id, amount_cents=100, method="card")
    with read_session() as s:
        opened = online.start_card_payment(s, amy(firm), invoice_id)
    pay_in_browser(localstripe, opened.payment_id)
    payment = apply(*inbox.wait_for(opened.payment_id.encode()))
    with write_session() as s, pytest.raises(Exception, match="refund it instead"):
        invoices.remove_payment(s, firm["owner"], payment.id)
    assert state(invoice_id)[:3] == (InvoiceStatus.paid, 0, [(20000, PaymentMethod.card)])


def test_the_portal_pays_with_a_card_token_and_records_the_payment_once_with_its_webhook(firm, localstripe, inbox):
    set_up_keys(firm)
    invoice_id = sent_invoice(firm, 700)
    with read_session() as s:
        assert online.takes_cards(s, amy(firm))
        opened = online.start_card_payment(s, amy(firm), invoice_id)
        paid = online.pay_with_token(s, amy(firm), opened.payment_id, card_token(localstripe.url))
    assert paid.succeeded and paid.amount_cents == 70000
    with write_session() as s:
        first = online.record_for(s, amy(firm), paid)
    again = apply(*inbox.wait_for(opened.payment_id.encode()))  # Stripe's webhook comes too: nothing more
    assert first.id == again.id
    assert state(invoice_id) == (InvoiceStatus.paid, 0, [(70000, PaymentMethod.card)], [invoice_id])


def test_a_card_that_asks_for_3d_secure_waits_for_the_browser_and_a_declined_one_says_so(firm, localstripe, inbox):
    set_up_keys(firm)
    invoice_id = sent_invoice(firm, 100)
    with read_session() as s:
        opened = online.start_card_payment(s, amy(firm), invoice_id)
        asked = online.pay_with_token(s, amy(firm), opened.payment_id, card_token(localstripe.url, "4000002500003155"))
        assert asked.needs_action and asked.client_secret == opened.client_secret and not asked.succeeded
        with pytest.raises(ProviderError, match="declined"):
            declined = online.start_card_payment(s, amy(firm), invoice_id)
            online.pay_with_token(s, amy(firm), declined.payment_id, card_token(localstripe.url, "4000000000000341"))
    assert state(invoice_id) == (InvoiceStatus.sent, 10000, [], [])


def test_a_payment_is_only_its_payers_to_finish(firm, localstripe, inbox):
    set_up_keys(firm)
    invoice_id = sent_invoice(firm, 100)
    with read_session() as s:
        opened = online.start_card_payment(s, amy(firm), invoice_id)
        paid = online.pay_with_token(s, amy(firm), opened.payment_id, card_token(localstripe.url))
        for stranger in (firm["owner"], dataclasses.replace(amy(firm), contact_id=firm["amy"] + 1000)):
            with pytest.raises(NotFound):
                online.checked_payment(s, stranger, opened.payment_id)
    with write_session() as s, pytest.raises(NotFound):
        online.record_for(s, firm["owner"], paid)

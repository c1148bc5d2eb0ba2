"""Card payments in a browser, against localstripe (a fake Stripe on 127.0.0.1, started by the tests): an admin
opens Settings → Payments from the menu and enters the firm's Stripe keys, which are checked and then shown only as
their last characters; on a phone (390x844) a client opens the portal's Invoices page, chooses Pay by card, types a
test card into the provider's own fields and pays: the invoice is paid and nothing is due. (The webhook that
follows a payment, and its delivery again, are tested in tests/services/payments.)"""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice import routes
from practice.db import read_session, write_session
from practice.models import Invoice, InvoiceStatus, Payment
from practice.services.billing import invoices
from tests.e2e.conftest import log_in, portal_log_in, type_card
from tests.e2e.visible_english import english_left, set_language
from tests.factories import demo_owner, portal_client
from tests.factories.payments import PUBLIC, SECRET, SIGNING, set_up_card_payments

pytestmark = pytest.mark.e2e
ANN = ("ann@example.com", "demo-staff-pass")
PASSWORD = "ledger-quince-harbor-7"


def test_an_admin_enters_the_stripe_keys_and_sees_the_secrets_only_as_their_last_characters(page, base_url,
                                                                                             stripe_for_the_app):
    log_in(page, base_url, *ANN)
    page.get_by_role("link", name="Settings", exact=True).first.click()
    page.wait_for_url(re.compile(r"/settings$"))
    page.click("#settings-nav-payments")
    page.wait_for_url(re.compile(r"/settings/payments$"))
    expect(page.locator("#payments-off")).to_be_visible()
    page.fill("#secret-key", "pk_test_wrong_box")
    page.fill("#publishable-key", PUBLIC)
    page.fill("#webhook-secret", SIGNING)
    page.click("#save-payment-keys")
    expect(page.get_by_text("The secret key starts with sk_")).to_be_visible()
    page.fill("#secret-key", SECRET)
    page.click("#save-payment-keys")
    expect(page.locator("#payments-notice")).to_contain_text("Stripe accepted the keys")
    expect(page.locator("#payments-on")).to_be_visible()
    expect(page.get_by_text("Saved: sk_test_…0001")).to_be_visible()
    expect(page.get_by_text("Saved: whsec_…0001")).to_be_visible()
    expect(page.locator("#secret-key")).to_have_value("")
    expect(page.locator("#payments-webhook-url")).to_contain_text(routes.STRIPE_WEBHOOK)
    assert SECRET not in page.content() and SIGNING not in page.content()


def test_a_client_pays_an_invoice_by_card_on_a_phone(phone_page, base_url, stripe_for_the_app):
    pg = phone_page
    owner = demo_owner()
    set_up_card_payments(owner)
    email = f"rosa.{uuid.uuid4().hex[:6]}@quill.example"
    account_id, _ = portal_client(account=f"Quill Household {email[5:11]}", first_name="Rosa", last_name="Quill",
                                  email=email, password=PASSWORD)
    with write_session() as s:
        draft = invoices.save_draft(s, owner, account_id=account_id, lines=[{"name": "Tax return", "rate": "480"}])
        invoice = invoices.issue(s, owner, draft.id)
        invoice_id, number = invoice.id, invoice.number

    portal_log_in(pg, base_url, email, PASSWORD)
    pg.click("#portal-nav-invoices")
    expect(pg).to_have_url(re.compile(r"/portal/invoices$"))
    card = pg.locator(".portal-invoice").filter(has_text=f"Invoice {number}")
    expect(card).to_contain_text("$480.00")
    card.locator(".portal-pay-card").click()
    type_card(pg)
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    pg.click("#pay-card")
    expect(pg.locator("#card-notice")).to_contain_text("Thank you: $480.00 paid by card.")
    expect(card).to_contain_text("Paid")
    expect(pg.locator("#portal-total-due")).to_contain_text("Nothing is due")
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    with read_session() as s:
        assert s.get(Invoice, invoice_id).status == InvoiceStatus.paid
        assert len(s.exec(select(Payment).where(Payment.invoice_id == invoice_id)).all()) == 1


def test_the_payments_page_in_french_with_its_refusal(page, base_url, stripe_for_the_app):
    set_language("ann@example.com", "fr")
    try:
        log_in(page, base_url, *ANN)
        page.goto(base_url + "/settings")
        page.click("#settings-nav-payments")
        page.wait_for_url(re.compile(r"/settings/payments$"))
        expect(page.locator("#save-payment-keys")).to_have_text("Vérifier auprès de Stripe et enregistrer")
        assert english_left(page) == []
        page.fill("#secret-key", SECRET)
        page.fill("#publishable-key", "sk_test_wrong_box")
        page.fill("#webhook-secret", SIGNING)
        page.click("#save-payment-keys")
        expect(page.get_by_text("La clé publiable commence par pk_", exact=False)).to_be_visible()
        assert english_left(page) == []
    finally:
        set_language("ann@example.com", "")

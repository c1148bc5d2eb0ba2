"""A recurring invoice paid by a saved card, in a browser against localstripe: on a phone (390x844) a client opens the
portal's Invoices page, chooses Pay automatically by card on the firm's monthly series, reads what they agree to, types
a test card into the provider's own fields, ticks the box and saves the card; when the next period's invoice is issued
(the worker's sweep, played here) it is charged and the client sees it paid. At desk size an admin finds on the
series who agreed and when, and turns the automatic payment off after a question that names the card. (Charging once per period, a retried worker, a
declined card and a removed card are tested in tests/services/payments/test_autopay.py.)"""
from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import Invoice, InvoiceStatus, Payment, RecurringInvoice
from practice.services.billing import invoices, recurring
from practice.worker import tasks as worker_tasks  # noqa: F401 - registers the automations' event handler
from tests.e2e.conftest import log_in, portal_log_in, type_card
from tests.e2e.test_billing import open_billing
from tests.e2e.test_card_payments import ANN, PASSWORD
from tests.factories import demo_owner, portal_client
from tests.factories.payments import set_up_card_payments

pytestmark = pytest.mark.e2e


def test_a_client_saves_a_card_on_a_phone_and_the_next_invoice_is_paid_by_it(phone_page, page, base_url,
                                                                               stripe_for_the_app):
    pg = phone_page
    owner = demo_owner()
    set_up_card_payments(owner)
    tag = uuid.uuid4().hex[:6]
    email = f"nora.{tag}@vale.example"
    account = f"Vale Household {tag}"
    account_id, _ = portal_client(account=account, first_name="Nora", last_name="Vale", email=email,
                                  password=PASSWORD)
    with write_session() as s:
        first = invoices.firm_today(s) + dt.timedelta(days=1)
        series_id = recurring.save_series(s, owner, account_id=account_id, name=f"Bookkeeping {tag}",
                                          lines=[{"name": "Monthly bookkeeping", "rate": "275"}],
                                          interval="monthly", start_date=first).id

    portal_log_in(pg, base_url, email, PASSWORD)
    pg.click("#portal-nav-invoices")
    expect(pg).to_have_url(re.compile(r"/portal/invoices$"))
    series = pg.locator(".autopay-series").filter(has_text=f"Bookkeeping {tag}")
    expect(series).to_contain_text("$275.00 every month")
    series.locator(".autopay-start").click()
    consent = series.locator(".autopay-consent")
    expect(consent).to_contain_text("$275.00 every month")
    expect(consent).to_contain_text("removing the card under Invoices")
    type_card(pg)
    expect(pg.locator("#autopay-save")).to_be_disabled()  # not before the client agrees
    pg.click("#autopay-agree")
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    pg.click("#autopay-save")
    expect(pg.locator("#card-notice")).to_contain_text("Card saved")
    expect(series.locator(".autopay-card")).to_contain_text("Visa •••• 4242")
    expect(series).to_contain_text("Nora Vale agreed on")
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390 + 1

    # The first period comes: the worker's sweep issues the invoice and charges the saved card.
    with write_session() as s:
        assert recurring.plan_due(s, now=dt.datetime.combine(first, dt.time(20), tzinfo=dt.timezone.utc)) >= 1
    with read_session() as s:
        invoice = s.exec(select(Invoice).where(Invoice.key == recurring.key_of(series_id, first))).one()
        assert invoice.status == InvoiceStatus.paid
        assert len(s.exec(select(Payment).where(Payment.invoice_id == invoice.id)).all()) == 1
    pg.click("#portal-nav-invoices")
    card = pg.locator(".portal-invoice").filter(has_text=f"Invoice {invoice.number}")
    expect(card).to_contain_text("$275.00")
    expect(card).to_contain_text("Paid")
    expect(pg.locator("#portal-total-due")).to_contain_text("Nothing is due")

    # The firm sees who agreed, and turns it off.
    log_in(page, base_url, *ANN)
    open_billing(page, base_url, False)
    page.click("#billing-nav-recurring-invoices")
    page.wait_for_url(re.compile(r"/billing/recurring$"))
    row = page.locator(".series-row").filter(has_text=f"Bookkeeping {tag}")
    expect(row.locator(".series-card")).to_contain_text("Visa •••• 4242 (Nora Vale agreed on")
    # Turning it off asks first, naming the card; keeping it changes nothing.
    row.locator(".turn-off-card").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("Visa •••• 4242")
    page.get_by_role("alertdialog").get_by_role("button", name="Keep it").click()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(row.locator(".series-card")).to_be_visible()
    row.locator(".turn-off-card").click()
    page.click("#confirm-turn-off-card")
    expect(row.locator(".series-card")).to_have_count(0)
    with read_session() as s:
        assert s.get(RecurringInvoice, series_id).card_method_id == ""

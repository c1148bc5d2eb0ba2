"""The client's Invoices page in the portal, as a client uses it: an invoice issued by the firm (through the
services, its PDF filed by the event handler) is found from the portal's menu with what is due, its lines and how to
pay, and its PDF downloads; on a desktop and on a phone (390x844, nothing past the screen's edge), and in French for a
French reader. A client of another account sees none of it."""
from __future__ import annotations

import io
import re
import uuid

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from practice.db import read_session, write_session
from practice.models import Contact
from practice.services import events
from practice.services.automation import engine
from practice.services.billing import delivery, invoices
from tests.e2e.conftest import log_in, portal_log_in
from tests.e2e.visible_english import english_left
from tests.factories import demo_owner, portal_client

pytestmark = pytest.mark.e2e
PASSWORD = "ledger-quince-harbor-7"
BANK = "Bank transfer to ACME Bank, account 12345678, with your invoice number."


def _client_with_an_invoice(*, french: bool = False) -> dict:
    """A new account whose contact has a portal login, with one issued invoice (the worker's part done here)."""
    tag = uuid.uuid4().hex[:6]
    email = f"rosa.{tag}@quill.example"
    account_id, contact_id = portal_client(account=f"Quill Household {tag}", first_name="Rosa", last_name="Quill",
                                           email=email, password=PASSWORD)
    owner = demo_owner()
    with write_session() as s:
        if french:
            s.get(Contact, contact_id).language = "fr"
        delivery.set_payment_instructions(s, owner, BANK)
        draft = invoices.save_draft(s, owner, account_id=account_id, lines=[
            {"name": "2025 individual tax return", "rate": "900"},
            {"name": "Quarterly bookkeeping", "quantity": "3", "rate": "250", "discount": "10", "tax": "8.25"}])
        number = invoices.issue(s, owner, draft.id).number
    with read_session() as s:
        pending = events.pending_event_ids(s)
    engine.handle_events(pending)
    return {"email": email, "number": number, "account_id": account_id}




def _open_invoices_and_download(pg, base_url: str, client: dict, *, title: str, total: str) -> str:
    portal_log_in(pg, base_url, client["email"], PASSWORD)
    pg.click("#portal-nav-invoices")
    expect(pg).to_have_url(re.compile(r"/portal/invoices$"))
    card = pg.locator(".portal-invoice").first
    expect(card).to_contain_text(title)
    expect(card).to_contain_text("2025 individual tax return")
    expect(card).to_contain_text("Quarterly bookkeeping")
    expect(pg.locator("#portal-total-due")).to_contain_text(total)
    expect(pg.locator("#portal-payment-instructions")).to_contain_text("ACME Bank")
    with pg.expect_download() as info:
        card.locator(".portal-invoice-pdf").click()
    download = info.value
    data = open(download.path(), "rb").read()
    assert data[:5] == b"%PDF-"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_client_finds_the_invoice_in_the_menu_and_downloads_its_pdf(page, base_url):
    client = _client_with_an_invoice()
    text = _open_invoices_and_download(page, base_url, client, title=f"Invoice {client['number']}",
                                       total="$1,630.69")
    assert f"Invoice {client['number']}" in text and "$1,630.69" in text and "ACME Bank" in text

    # Another client of the firm sees none of it.
    other = _client_with_an_invoice()
    page.click("#portal-logout")
    page.wait_for_url("**/portal/login")
    portal_log_in(page, base_url, other["email"], PASSWORD)
    page.click("#portal-nav-invoices")
    expect(page.locator(".portal-invoice")).to_have_count(1)
    expect(page.locator(".portal-invoice")).to_contain_text(f"Invoice {other['number']}")
    expect(page.locator(".portal-invoice")).not_to_contain_text(f"Invoice {client['number']}")


def test_on_a_phone_the_invoices_page_fits_the_screen_and_the_pdf_downloads(phone_page, base_url):
    client = _client_with_an_invoice()
    text = _open_invoices_and_download(phone_page, base_url, client, title=f"Invoice {client['number']}",
                                       total="$1,630.69")
    assert f"Invoice {client['number']}" in text
    width = phone_page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]}px wide on a {width[1]}px screen"


def test_a_french_client_reads_the_invoices_page_and_its_pdf_in_french(phone_page, base_url):
    client = _client_with_an_invoice(french=True)
    text = _open_invoices_and_download(phone_page, base_url, client, title=f"Facture {client['number']}",
                                       total="1 630,69")
    expect(phone_page).to_have_title("Portail client · factures")
    assert english_left(phone_page) == []
    plain = text.replace("\u202f", " ").replace("\xa0", " ")
    assert f"Facture {client['number']}" in plain and "Montant dû" in plain and "1 630,69" in plain


def test_an_admin_writes_the_payment_instructions_in_settings_and_the_client_reads_them(page, base_url):
    client = _client_with_an_invoice()
    written = f"Mail a check to Park & Lee, 1 Main Street ({uuid.uuid4().hex[:4]})\nOr pay by bank transfer."
    log_in(page, base_url)
    page.goto(base_url + "/settings")
    expect(page.locator("#firm-payment-instructions")).to_have_value(BANK)
    page.fill("#firm-payment-instructions", written)
    page.click("#save-firm")
    expect(page.get_by_text("Firm settings saved.")).to_be_visible()
    page.reload()
    expect(page.locator("#firm-payment-instructions")).to_have_value(written)

    page.context.clear_cookies()
    portal_log_in(page, base_url, client["email"], PASSWORD)
    page.click("#portal-nav-invoices")
    expect(page.locator("#portal-payment-instructions")).to_contain_text("Mail a check to Park & Lee")
    expect(page.locator("#portal-payment-instructions")).to_contain_text("Or pay by bank transfer.")

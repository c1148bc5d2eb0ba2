"""Issue 17's journey: a finished return locked until its invoice is paid. The owner locks it from the account's
Documents section (the row's lock button, the invoice chosen in the dialog); on a phone (390x844) the client sees it
listed with a lock and "Pay invoice N to open", cannot open it, pays by card against localstripe from that button,
and then opens it from Documents. (Partial payments, other accounts, the drive and voided invoices: the service
tests in tests/services/documents/test_document_locks.py.)"""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from practice import routes
from practice.db import write_session
from practice.services.billing import invoices
from practice.services.documents import files as document_files
from tests.e2e.conftest import log_in, portal_log_in, type_card
from tests.factories import blank_pdf, demo_owner, portal_client
from tests.factories.payments import set_up_card_payments

pytestmark = pytest.mark.e2e
PASSWORD = "walnut-ledger-spire-3"
RETURN = "Tax return 2025.pdf"


def _open_account(page, name: str) -> None:
    """Accounts in the sidebar, the search, the account's row."""
    page.get_by_role("link", name="Accounts", exact=True).first.click()
    page.fill("#account-search", name)
    page.get_by_role("link", name=name).click()
    page.wait_for_url(re.compile(r".*/accounts/\d+$"))


def _fits_the_phone(pg) -> None:
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def test_the_client_sees_the_locked_return_pays_its_invoice_by_card_and_opens_it(page, phone_page, base_url,
                                                                                stripe_for_the_app):
    owner, tag = demo_owner(), uuid.uuid4().hex[:6]
    set_up_card_payments(owner)
    email, name = f"ines.{tag}@moreau.example", f"Moreau Household {tag}"
    account_id, _ = portal_client(account=name, first_name="Ines", last_name="Moreau", email=email,
                                  password=PASSWORD)
    with write_session() as s:
        draft = invoices.save_draft(s, owner, account_id=account_id, lines=[{"name": "Tax return", "rate": "480"}])
        number = invoices.issue(s, owner, draft.id).number
    doc = document_files.upload(owner, account_id, None, RETURN, blank_pdf())

    # The owner locks the return from the account's Documents section.
    log_in(page, base_url)
    _open_account(page, name)
    row = page.locator("#documents-section .document-row", has_text=RETURN)
    row.get_by_role("button", name=f"Lock {RETURN} until an invoice is paid").click()
    dialog = page.locator("#lock-dialog")
    expect(dialog).to_contain_text(f"Invoice {number} · $480.00 due")
    dialog.locator("#save-lock").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#documents-notice")).to_contain_text(f'"{RETURN}" is locked')
    expect(row.locator(".document-lock")).to_have_text(f"Locked until invoice {number} is paid")

    # On a phone, the client sees it listed, locked, and cannot open it.
    pg = phone_page
    portal_log_in(pg, base_url, email, PASSWORD)
    pg.click("#portal-nav-documents")
    expect(pg).to_have_url(re.compile(r"/portal/documents$"))
    locked = pg.locator(".portal-document-locked", has_text=RETURN)
    expect(locked.locator(".portal-document-lock")).to_have_text(f"Locked until invoice {number} is paid.")
    expect(locked.locator("a.portal-document-link")).to_have_count(0)
    _fits_the_phone(pg)
    refused = pg.request.get(base_url + routes.file_url(doc.id))
    assert refused.status == 403 and f"opens once invoice {number} is paid" in refused.text()

    # "Pay invoice N to open" opens that invoice's card payment; the client pays.
    locked.get_by_role("button", name=f"Pay invoice {number} to open").click()
    expect(pg).to_have_url(re.compile(r"/portal/invoices\?pay=\d+$"))
    expect(pg.locator("#card-panel")).to_contain_text("Pay $480.00 by card")
    type_card(pg)
    _fits_the_phone(pg)
    pg.click("#pay-card")
    expect(pg.locator("#card-notice")).to_contain_text("Thank you: $480.00 paid by card.")

    # Back in Documents the return opens.
    pg.click("#portal-nav-documents")
    link = pg.locator("a.portal-document-link", has_text=RETURN)
    expect(link).to_be_visible()
    expect(pg.locator(".portal-document-locked")).to_have_count(0)
    with pg.expect_download() as info:
        link.click()
    assert info.value.suggested_filename == RETURN
    _fits_the_phone(pg)

    # Staff see it open too.
    page.reload()
    expect(page.locator("#documents-section .document-row", has_text=RETURN)).to_be_visible()
    expect(page.locator("#documents-section .document-row", has_text=RETURN).locator(".document-lock")).to_have_count(0)

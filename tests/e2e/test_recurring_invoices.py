"""Recurring invoices in a browser, at desk size and on a phone: the owner opens Billing from the menu, then its
Recurring tab, sets up a quarterly series for an account (a typed line, then a service from the catalog), sees the
next 12 dates and amounts as the dates are chosen and fewer once a last date is set, saves it and finds it listed
with its next date; pauses it, resumes it, and deletes it after a question. An employee without the billing right
reads why."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.test_billing import PLACEHOLDER_FITS, an_account, open_billing, press

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_recurring_invoice_set_up_paused_resumed_and_deleted(size, page, phone_page, base_url):
    pg = phone_page if size == "phone" else page
    account = f"Recurring Journey {size.title()}"
    an_account(account)
    name = f"Quarterly payroll {size}"
    year = dt.date.today().year + 1
    log_in(pg, base_url)
    open_billing(pg, base_url, size == "phone")
    pg.click("#billing-nav-recurring-invoices")
    pg.wait_for_url(re.compile(r"/billing/recurring$"))
    expect(pg.get_by_role("heading", name="Recurring invoices")).to_be_visible()

    press(pg, "#new-series")
    pg.fill("#series-account-search", account)
    pg.locator(".account-choice", has_text=account).click()
    expect(pg.locator("#series-account")).to_have_text(account)
    pg.fill("#series-name", name)
    line = pg.locator("#series-lines .edit-line").first
    line.locator(".line-name input").fill("Payroll")
    line.locator(".line-quantity input").fill("3")
    line.locator(".line-rate input").fill("100")
    expect(line.locator(".line-total")).to_have_text("$300.00")
    for box in line.locator("input").all():
        assert box.evaluate(PLACEHOLDER_FITS), f"the placeholder {box.get_attribute('placeholder')!r} is cut"
    pg.select_option("#series-add-service", label="1040 preparation ($450.00)")
    expect(pg.locator("#series-total")).to_have_text("$750.00")

    # The next 12 dates and amounts follow what is chosen; a last date leaves fewer.
    pg.select_option("#series-interval", value="quarterly")
    pg.fill("#series-start", f"{year}-01-15")
    rows = pg.locator("#series-preview .preview-row")
    expect(rows).to_have_count(12)
    expect(rows.first).to_contain_text("Jan 15")
    expect(rows.nth(1)).to_contain_text("Apr 15")
    expect(rows.first).to_contain_text("$750.00")
    pg.fill("#series-end", f"{year}-12-31")
    expect(rows).to_have_count(4)
    assert pg.evaluate("document.documentElement.scrollWidth") <= pg.viewport_size["width"] + 1
    press(pg, "#series-save")

    row = pg.locator(".series-row", has_text=name)
    expect(row).to_contain_text("$750.00 · Every quarter")
    expect(row.locator(".series-next")).to_contain_text("Jan 15")
    expect(row).to_contain_text("0 invoices issued")
    assert pg.evaluate("document.documentElement.scrollWidth") <= pg.viewport_size["width"] + 1

    row.locator(".pause-series").click()
    expect(row.locator(".series-state")).to_have_text("Paused")
    row.locator(".resume-series").click()
    expect(row.locator(".series-next")).to_contain_text("Jan 15")

    row.locator(".delete-series").click()
    expect(pg.get_by_role("alertdialog")).to_contain_text(name)
    press(pg, "#confirm-delete-series")
    expect(pg.locator(".series-row", has_text=name)).to_have_count(0)


def test_an_employee_without_the_billing_right_reads_why(page, base_url):
    log_in(page, base_url, "bob@example.com", "demo-staff-pass")
    page.goto(base_url + "/billing/recurring")
    expect(page.get_by_text("You do not have access to billing.").first).to_be_visible()

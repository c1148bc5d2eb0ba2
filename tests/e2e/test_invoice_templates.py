"""Invoice templates in a browser, at desk size and on a phone: the owner opens Billing from the menu, then its
Invoice templates tab, makes a template from a catalog service and a typed line and a tax on the whole invoice (live
total; a bad "due in" and a bad tax rate are refused with what was typed kept), sees it listed with its total, renames it, and deletes it after a question. An
employee's Billing has no Invoice templates tab."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.test_billing import PLACEHOLDER_FITS, open_billing, press

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_an_invoice_template_made_renamed_and_deleted(size, page, phone_page, base_url):
    pg = phone_page if size == "phone" else page
    name = f"Monthly bookkeeping {size}"
    log_in(pg, base_url)
    open_billing(pg, base_url, size == "phone")
    pg.click("#billing-nav-invoice-templates")
    pg.wait_for_url(re.compile(r"/billing/templates$"))
    expect(pg.get_by_role("heading", name="Invoice templates")).to_be_visible()

    press(pg, "#new-invoice-template")
    pg.fill("#invoice-template-name", name)
    line = pg.locator("#invoice-template-lines .edit-line").first
    line.locator(".line-name input").fill("Bookkeeping")
    line.locator(".line-quantity input").fill("2")
    line.locator(".line-rate input").fill("150")
    expect(line.locator(".line-total")).to_have_text("$300.00")
    for box in line.locator("input").all():  # the same line editor as an invoice's: every label whole
        assert box.evaluate(PLACEHOLDER_FITS), f"the placeholder {box.get_attribute('placeholder')!r} is cut"
    pg.select_option("#invoice-template-add-service", label="1040 preparation ($450.00)")
    expect(pg.locator("#invoice-template-lines .edit-line")).to_have_count(2)
    expect(pg.locator("#invoice-template-total")).to_have_text("$750.00")
    pg.fill("#invoice-template-due-days", "soon")
    pg.fill("#invoice-template-notes", "Thank you for your trust.")
    press(pg, "#invoice-template-save")
    expect(pg.get_by_role("alert")).to_contain_text("Due in: a whole number of days")
    expect(pg.locator("#invoice-template-name")).to_have_value(name)
    pg.fill("#invoice-template-due-days", "15")
    pg.fill("#invoice-template-whole-tax", "eight")
    press(pg, "#invoice-template-save")
    expect(pg.get_by_role("alert")).to_contain_text('"eight" is not a tax rate')
    expect(pg.locator("#invoice-template-whole-tax")).to_have_value("eight")
    pg.fill("#invoice-template-whole-tax", "8.25")
    expect(pg.locator("#invoice-template-total")).to_have_text("$811.88")  # $750.00 + 8.25% ($61.875 → $61.88)
    press(pg, "#invoice-template-save")
    row = pg.locator(".invoice-template-row", has_text=name)
    expect(row).to_contain_text("2 lines · $811.88 · due in 15 days")
    assert pg.evaluate("document.documentElement.scrollWidth") <= pg.viewport_size["width"] + 1

    # Renamed: the form opens with what was kept.
    row.locator(".edit-invoice-template").click()
    expect(pg.locator("#invoice-template-notes")).to_have_value("Thank you for your trust.")
    expect(pg.locator("#invoice-template-total")).to_have_text("$811.88")
    expect(pg.locator("#invoice-template-whole-tax")).to_have_value("8.25")
    pg.fill("#invoice-template-name", f"{name} (renamed)")
    press(pg, "#invoice-template-save")
    row = pg.locator(".invoice-template-row", has_text=f"{name} (renamed)")
    expect(row).to_be_visible()

    # Deleted after a question that names it.
    row.locator(".delete-invoice-template").click()
    expect(pg.get_by_role("alertdialog")).to_contain_text(f"{name} (renamed)")
    press(pg, "#confirm-delete-invoice-template")
    expect(pg.locator(".invoice-template-row", has_text=name)).to_have_count(0)


def test_an_employee_has_no_invoice_templates_tab(page, base_url):
    log_in(page, base_url, "bob@example.com", "demo-staff-pass")
    page.goto(base_url + "/billing/templates")
    expect(page.get_by_text("Only the owner or an admin can manage invoice templates.").first).to_be_visible()

"""Billing in a browser, at desk size and on a phone: the owner opens Billing from the menu, writes a draft for an
account (a service from the catalog and a typed line, with live totals, and a tax on the whole invoice, seen on the
invoice and in its PDF), sends it after a preview that names its number, records a partial payment (a payment over what is due is refused with the typed amount kept), then the rest,
and the invoice is paid; a second invoice is voided with a reason after a preview and keeps its number. The account
page's invoice opens the invoice on the Billing page. An employee without the billing right has no Billing menu."""
from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlmodel import select

from practice.services.documents import storage
from practice.db import read_session, write_session
from practice.models import Document, Invoice, TeamMember
from practice.services import events
from practice.services.actor import Actor
from practice.services.automation import engine
from practice.services.work import accounts
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def an_account(name: str) -> int:
    with write_session() as s:
        owner = Actor.of(s.exec(select(TeamMember).where(TeamMember.role == "owner")).first())
        return accounts.create_account(s, owner, name=name).id


def press(pg, selector: str) -> None:
    """Use a button from the keyboard (the editor is made for it; a toast in the corner never covers a key)."""
    pg.locator(selector).focus()
    pg.keyboard.press("Enter")


def open_billing(pg, base_url: str, phone: bool) -> None:
    if phone:
        pg.click("#phone-menu")
        pg.get_by_role("menu").get_by_role("menuitem", name="Billing").click()
    else:
        pg.get_by_role("link", name="Billing", exact=True).first.click()
    pg.wait_for_url(re.compile(r"/billing$"))
    expect(pg.locator("#billing-total-due")).to_be_visible()


# Whether an input's placeholder, in the input's own font, fits inside the box (padding excluded).
PLACEHOLDER_FITS = """box => {
    const style = getComputedStyle(box);
    const ctx = document.createElement("canvas").getContext("2d");
    ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return ctx.measureText(box.placeholder).width <= room + 0.5;
}"""


def write_and_send(pg, account: str, tax: str = "") -> str:
    """A draft for `account`: the 1040 from the catalog and 1.5 hours of typed advice at $200 less 10%, with `tax`
    on the whole invoice ("8.25": $720.00 + $59.40); sent."""
    total = "$779.40" if tax else "$720.00"
    pg.click("#new-invoice")
    pg.wait_for_url(re.compile(r"/billing/invoices/new$"))
    # Nothing is saved yet, so there is nothing to delete: the page offers to cancel instead.
    expect(pg.locator("#invoice-cancel")).to_be_visible()
    expect(pg.locator("#invoice-delete")).to_have_count(0)
    pg.fill("#invoice-account-search", account)
    pg.locator(".account-choice", has_text=account).click()
    expect(pg.locator("#invoice-account")).to_have_text(account)
    line = pg.locator(".edit-line").first
    line.locator(".line-name input").fill("Tax advice")
    line.locator(".line-quantity input").fill("1.5")
    line.locator(".line-rate input").fill("200")
    line.locator(".line-discount input").fill("10")
    expect(line.locator(".line-total")).to_have_text("$270.00")
    pg.select_option("#invoice-add-service", label="1040 preparation ($450.00)")
    expect(pg.locator(".edit-line")).to_have_count(2)
    expect(pg.locator("#invoice-total")).to_have_text("$720.00")
    if tax:
        # The form says which lines the tax covers; the totals follow as it is typed.
        expect(pg.get_by_text("every line that has no tax rate of its own")).to_be_visible()
        pg.fill("#invoice-whole-tax", "-8")
        press(pg, "#invoice-save")
        expect(pg.get_by_role("alert")).to_contain_text("a percentage from 0 to 100")
        pg.fill("#invoice-whole-tax", tax)
        expect(pg.locator("#invoice-whole-tax-total")).to_have_text("$59.40")
        expect(pg.locator("#invoice-total")).to_have_text(total)
    # Every box of a line shows its whole label, on a phone too.
    for box in line.locator("input").all():
        assert box.evaluate(PLACEHOLDER_FITS), f"the placeholder {box.get_attribute('placeholder')!r} is cut"
    pg.fill("#invoice-notes", "Thank you for your trust.")
    press(pg, "#invoice-save")
    pg.wait_for_url(re.compile(r"/billing/invoices/\d+$"))
    # The saved draft's page has loaded (a new draft is titled "New invoice" until then).
    expect(pg.get_by_role("heading", name="Draft invoice")).to_be_visible()
    expect(pg.locator("#invoice-total")).to_have_text(total)
    if tax:
        expect(pg.locator("#invoice-whole-tax")).to_have_value(tax)
    expect(pg.locator("#invoice-delete")).to_be_visible()
    press(pg, "#invoice-send")
    expect(pg.locator("#send-total")).to_contain_text(total)
    expect(pg.locator("#send-account")).to_contain_text(account)
    number = re.search(r"\d+", pg.locator("#send-number").inner_text()).group(0)
    press(pg, "#confirm-send")
    expect(pg.get_by_role("heading", name=f"Invoice {number}")).to_be_visible()
    expect(pg.locator("#invoice-left-due")).to_have_text(total)
    return number


def filed_pdf_text(number: str) -> str:
    """The issued invoice's PDF, as the worker files it in the account's documents, read back as text."""
    with read_session() as s:
        pending = events.pending_event_ids(s)
    engine.handle_events(pending)
    with read_session() as s:
        invoice = s.exec(select(Invoice).where(Invoice.number == int(number))).one()
        doc = s.get(Document, invoice.pdf_document_id)
    data = storage.open_stored(doc.stored_key).read_bytes()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_an_invoice_from_draft_to_paid_and_another_voided(size, page, phone_page, base_url):
    pg = phone_page if size == "phone" else page
    account = f"Billing Journey {size.title()}"
    account_id = an_account(account)
    log_in(pg, base_url)
    open_billing(pg, base_url, size == "phone")
    number = write_and_send(pg, account, tax="8.25")
    # The sent invoice shows the tax on the whole invoice, and each line it covers shows the rate.
    expect(pg.locator("#invoice-whole-tax-total")).to_have_text("$59.40")
    expect(pg.get_by_text("Tax 8.25 %").first).to_be_visible()
    expect(pg.locator(".shown-line", has_text="Tax advice")).to_contain_text("Tax 8.25 %")
    text = filed_pdf_text(number)
    assert "Tax 8.25%" in text and "$59.40" in text and "$779.40" in text

    # Too much is refused, and the amount typed stays for correcting.
    pg.fill("#pay-amount", "900")
    press(pg, "#pay-record")
    expect(pg.get_by_role("alert")).to_contain_text("That is more than the $779.40 due")
    expect(pg.locator("#pay-amount")).to_have_value("900")
    # A part leaves the rest due; then the rest.
    pg.fill("#pay-amount", "500")
    pg.select_option("#pay-method", "bank_transfer")
    press(pg, "#pay-record")
    expect(pg.locator("#invoice-left-due")).to_have_text("$279.40")
    expect(pg.locator(".invoice-status").first).to_have_text("Partly paid")
    expect(pg.locator("#pay-amount")).to_have_value("279.40")
    press(pg, "#pay-record")
    expect(pg.locator(".invoice-status").first).to_have_text("Paid")
    expect(pg.locator("#invoice-left-due")).to_have_text("$0.00")
    expect(pg.locator(".payment-row")).to_have_count(2)
    assert pg.evaluate("document.documentElement.scrollWidth") <= pg.viewport_size["width"] + 1

    # The list shows it paid, and the account's filter finds it.
    pg.click("#back-to-billing")
    pg.wait_for_url(re.compile(r"/billing$"))
    pg.fill("#billing-account-search", account)
    pg.locator(".account-choice", has_text=account).click()
    expect(pg.locator("#billing-account-filter")).to_have_text(account)
    row = pg.locator(".invoice-row", has_text=f"Invoice {number}")
    expect(row.locator(".invoice-status")).to_have_text("Paid")

    # A second invoice is voided with a reason after a preview; it keeps its number.
    second = write_and_send(pg, account)
    assert int(second) == int(number) + 1 or int(second) > int(number)
    press(pg, "#invoice-void")
    expect(pg.get_by_role("alertdialog")).to_contain_text("voiding keeps its number")
    press(pg, "#confirm-void")
    expect(pg.get_by_role("alertdialog").get_by_role("alert")).to_contain_text("Say why")
    pg.fill("#void-reason", "Billed twice")
    press(pg, "#confirm-void")
    expect(pg.locator("#invoice-void-reason")).to_contain_text("Billed twice")
    expect(pg.get_by_role("heading", name=f"Invoice {second}")).to_be_visible()
    expect(pg.locator(".invoice-status").first).to_have_text("Void")

    # The account page leads to its invoices on the Billing page, and to a new one for it.
    pg.goto(f"{base_url}/accounts/{account_id}")
    expect(pg.locator("#account-new-invoice")).to_be_visible()
    pg.locator("#account-all-invoices").click()
    pg.wait_for_url(re.compile(r"/billing\?account=\d+$"))
    expect(pg.locator("#billing-account-filter")).to_have_text(account)
    expect(pg.locator(".invoice-row")).to_have_count(2)
    pg.goto(f"{base_url}/accounts/{account_id}")
    pg.locator(".account-invoice-link", has_text=f"Invoice {number}").click()
    pg.wait_for_url(re.compile(r"/billing/invoices/\d+$"))
    expect(pg.get_by_role("heading", name=f"Invoice {number}")).to_be_visible()
    assert pg.evaluate("document.documentElement.scrollWidth") <= pg.viewport_size["width"] + 1


def test_an_employee_without_the_billing_right_has_no_billing_menu_and_reads_why(page, base_url):
    log_in(page, base_url, "bob@example.com", "demo-staff-pass")
    expect(page.get_by_role("link", name="Accounts", exact=True).first).to_be_visible()
    expect(page.get_by_role("link", name="Billing", exact=True)).to_have_count(0)
    page.goto(base_url + "/billing")
    expect(page.get_by_text("You do not have access to billing")).to_be_visible()

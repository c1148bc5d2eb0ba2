"""Refunds and credits in a browser, at desk size: the owner opens the account from the Accounts menu, gives it a
$100 credit (its balance falls by as much), gives and withdraws (after a question) a $50 one given by mistake, opens its paid invoice and refunds $150 of the $500 check (a refund over
what was paid is refused with the amount kept), so the invoice is partly paid with $150 due again, then opens its
other invoice and applies the credit; the account's balance is what its invoices leave due. Then a new invoice
with a discount on the whole invoice: 10 %, then $50, taken before tax, and each line shows its part once sent."""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import write_session
from practice.models import TeamMember
from practice.services.actor import Actor
from practice.services.billing import invoices
from practice.services.work import accounts
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def account_with_two_invoices(tag: str) -> dict:
    """'Refunds <tag>': invoice one ($500, paid by check) and invoice two ($300, nothing paid)."""
    with write_session() as s:
        owner = Actor.of(s.exec(select(TeamMember).where(TeamMember.role == "owner")).first())
        account = accounts.create_account(s, owner, name=f"Refunds {tag}")
        issued = []
        for dollars in ("500", "300"):
            draft = invoices.save_draft(s, owner, account_id=account.id, lines=[{"name": "Tax return", "rate": dollars}])
            issued.append(invoices.issue(s, owner, draft.id))
        numbers = [i.number for i in issued]
        invoices.record_payment(s, owner, issued[0].id, amount_cents=50000, method="check", reference="Check 1021")
    return {"account": account.id, "paid": numbers[0], "open": numbers[1]}


def press(pg, selector: str) -> None:
    pg.locator(selector).focus()
    pg.keyboard.press("Enter")


def test_owner_refunds_part_of_a_payment_and_applies_a_credit(page, base_url):
    pg = page
    tag = uuid.uuid4().hex[:6]
    made = account_with_two_invoices(tag)
    log_in(pg, base_url)
    pg.get_by_role("link", name="Accounts", exact=True).first.click()
    pg.wait_for_url(re.compile(r"/accounts$"))
    pg.fill("#account-search", tag)
    pg.locator("table tbody tr").get_by_role("link", name=f"Refunds {tag}").click()
    pg.wait_for_url(re.compile(r"/accounts/\d+$"))
    expect(pg.locator("#account-balance")).to_have_text("$300.00")

    # A credit for the account: its balance counts it before it is applied.
    pg.fill("#account-credit-amount", "100")
    pg.fill("#account-credit-reason", "Goodwill for the late return")
    press(pg, "#account-credit-give")
    expect(pg.locator("#account-credit-left")).to_contain_text("$100.00")
    expect(pg.locator(".account-credit")).to_contain_text("Goodwill for the late return")
    expect(pg.locator("#account-balance")).to_have_text("$200.00")
    # A credit given by mistake is withdrawn after a question, while none of it is applied.
    expect(pg.get_by_text("Give the account a credit")).to_be_visible()
    pg.fill("#account-credit-amount", "50")
    pg.fill("#account-credit-reason", "Typed twice")
    press(pg, "#account-credit-give")
    expect(pg.locator("#account-balance")).to_have_text("$150.00")
    pg.locator(".account-credit", has_text="Typed twice").locator(".account-credit-withdraw").click()
    expect(pg.get_by_role("alertdialog")).to_contain_text("$50.00 · Typed twice")
    press(pg, "#confirm-withdraw-credit")
    expect(pg.locator(".account-credit", has_text="Typed twice")).to_have_count(0)
    expect(pg.locator("#account-balance")).to_have_text("$200.00")
    expect(pg.locator("#account-credit-left")).to_contain_text("$100.00")

    # The paid invoice: refund part of its check; more than was paid is refused, the amount kept.
    pg.locator(".account-invoice-link", has_text=f"Invoice {made['paid']}").click()
    pg.wait_for_url(re.compile(r"/billing/invoices/\d+$"))
    expect(pg.get_by_role("heading", name=f"Invoice {made['paid']}")).to_be_visible()
    expect(pg.locator(".invoice-status").first).to_have_text("Paid")
    pg.locator(".payment-row", has_text="Check 1021").locator(".payment-refund").click()
    dialog = pg.get_by_role("dialog")
    expect(dialog).to_contain_text("up to $500.00 can be refunded")
    expect(pg.locator("#refund-amount")).to_have_value("500.00")
    pg.fill("#refund-amount", "600")
    press(pg, "#confirm-refund")
    expect(dialog.get_by_role("alert")).to_contain_text("more than the $500.00 left to refund")
    expect(pg.locator("#refund-amount")).to_have_value("600")
    pg.fill("#refund-amount", "150")
    pg.fill("#refund-reason", "Fee charged twice")
    press(pg, "#confirm-refund")
    expect(dialog).to_have_count(0)
    expect(pg.locator(".invoice-status").first).to_have_text("Partly paid")
    expect(pg.locator("#invoice-paid")).to_have_text("$350.00")
    expect(pg.locator("#invoice-left-due")).to_have_text("$150.00")
    refund_row = pg.locator(".payment-row", has_text="Fee charged twice")
    expect(refund_row).to_contain_text("Refund")
    expect(refund_row).to_contain_text("-$150.00")
    # The account's credit can pay this one too; it is kept for the other invoice.
    expect(pg.locator("#invoice-credit-left")).to_contain_text("$100.00")

    # The other invoice, from the account's page: apply the credit.
    pg.locator("#invoice-account").click()
    pg.wait_for_url(re.compile(r"/accounts/\d+$"))
    expect(pg.locator("#account-balance")).to_have_text("$350.00")
    pg.locator(".account-invoice-link", has_text=f"Invoice {made['open']}").click()
    pg.wait_for_url(re.compile(r"/billing/invoices/\d+$"))
    expect(pg.get_by_role("heading", name=f"Invoice {made['open']}")).to_be_visible()
    expect(pg.locator("#apply-amount")).to_have_value("100.00")
    # Crediting this one invoice is told apart from the account's credit.
    expect(pg.get_by_role("heading", name="Credit this invoice")).to_be_visible()
    press(pg, "#apply-credit")
    expect(pg.locator("#invoice-credited")).to_have_text("$100.00")
    expect(pg.locator("#invoice-left-due")).to_have_text("$200.00")
    expect(pg.locator(".invoice-status").first).to_have_text("Partly paid")
    expect(pg.locator("#invoice-apply-credit")).to_have_count(0)  # no credit left to apply

    # The account owes what its invoices leave due: $150 + $200, with no credit left aside.
    pg.locator("#invoice-account").click()
    pg.wait_for_url(re.compile(r"/accounts/\d+$"))
    expect(pg.locator("#account-balance")).to_have_text("$350.00")
    expect(pg.locator("#account-credit-left")).to_have_count(0)
    expect(pg.locator(".account-credit")).to_contain_text("$0.00 left of $100.00")
    expect(pg.locator(".account-credit-withdraw")).to_have_count(0)  # an applied credit is not withdrawn
    assert pg.evaluate("document.documentElement.scrollWidth") <= pg.viewport_size["width"] + 1

    # A new invoice for the account with a discount on the whole invoice, before tax.
    press(pg, "#account-new-invoice")
    pg.wait_for_url(re.compile(r"/billing/invoices/new"))
    expect(pg.locator("#invoice-account")).to_have_text(f"Refunds {tag}")
    line = pg.locator(".edit-line").first
    line.locator(".line-name input").fill("Advice")
    line.locator(".line-rate input").fill("200")
    line.locator(".line-tax input").fill("10")
    expect(pg.locator("#invoice-total")).to_have_text("$220.00")
    pg.fill("#invoice-whole-discount", "10")
    expect(pg.locator("#invoice-whole-discount-total")).to_have_text("-$20.00")
    expect(pg.locator("#invoice-total")).to_have_text("$198.00")  # $180 and 10 % tax on it
    pg.select_option("#invoice-whole-kind", "amount")
    pg.fill("#invoice-whole-discount", "50")
    expect(pg.locator("#invoice-total")).to_have_text("$165.00")  # $150 and its tax
    press(pg, "#invoice-send")
    expect(pg.locator("#send-total")).to_contain_text("$165.00")
    press(pg, "#confirm-send")
    expect(pg.locator("#invoice-left-due")).to_have_text("$165.00")
    expect(pg.locator(".line-whole-discount")).to_have_text("Invoice discount -$50.00")
    expect(pg.locator("#invoice-whole-discount-total")).to_have_text("-$50.00")

"""The owner's Accounts list with what each account owes, at desk size and on a phone: an account with a $900 invoice
of which $300 is paid shows $600.00 in its Balance column (and stays in the list filtered to those that owe money,
where an account that owes nothing does not); on its page the owner marks one of its two contacts as receiving its
invoices, and the mark is still there when the page is opened again."""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import TeamMember
from practice.services.actor import Actor
from practice.services.billing import delivery, invoices
from practice.services.work import accounts
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def owing_account(tag: str) -> dict:
    """'Balance <tag>' (a $900 invoice, $300 paid, two contacts) and 'Settled <tag>' (owes nothing)."""
    with write_session() as s:
        owner = Actor.of(s.exec(select(TeamMember).where(TeamMember.role == "owner")).first())
        account = accounts.create_account(s, owner, name=f"Balance {tag}")
        accounts.create_account(s, owner, name=f"Settled {tag}")
        ids = {who: accounts.create_contact(s, owner, account_ids=[account.id], first_name=who, last_name=tag,
                                            email=f"{who.lower()}.{tag}@example.net").id for who in ("Rosa", "Tom")}
        invoice = invoices.save_draft(s, owner, account_id=account.id, lines=[{"name": "Tax return", "rate": "900"}])
        invoices.issue(s, owner, invoice.id)
    with write_session() as s:
        invoices.record_payment(s, owner, invoice.id, amount_cents=30000, method="check")
    return {"owner": owner, "account": account.id, **ids}


def open_accounts(pg, phone: bool) -> None:
    if phone:
        pg.click("#phone-menu")
        pg.get_by_role("menu").get_by_role("menuitem", name="Accounts").click()
    else:
        pg.get_by_role("link", name="Accounts", exact=True).first.click()
    pg.wait_for_url(re.compile(r"/accounts$"))


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_owner_sees_what_each_account_owes_and_marks_who_receives_invoices(size, page, phone_page, base_url):
    pg = phone_page if size == "phone" else page
    tag = uuid.uuid4().hex[:6]
    made = owing_account(tag)
    log_in(pg, base_url)
    open_accounts(pg, size == "phone")

    pg.fill("#account-search", tag)
    rows = pg.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(pg.get_by_role("columnheader", name="Balance")).to_be_visible()
    owing = rows.filter(has_text=f"Balance {tag}")
    expect(owing.locator(".account-balance")).to_have_text("$600.00")
    expect(rows.filter(has_text=f"Settled {tag}").locator(".account-balance")).to_have_text("$0.00")
    balance_box = owing.locator(".account-balance").bounding_box()
    header_box = pg.get_by_role("columnheader", name="Balance").bounding_box()
    assert abs((balance_box["x"] + balance_box["width"]) - (header_box["x"] + header_box["width"])) < 16, \
        "the balance is right-aligned under its header"

    # Only the accounts that owe money.
    pg.locator("#accounts-owing").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(f"Balance {tag}")
    pg.locator("#accounts-owing").click()
    expect(rows).to_have_count(2)

    # On the account's page, Rosa is marked as receiving the invoices.
    owing.get_by_role("link", name=f"Balance {tag}").click()
    pg.wait_for_url(re.compile(r"/accounts/\d+$"))
    rosa = pg.locator(f"#receives-invoices-{made['Rosa']}")
    tom = pg.locator(f"#receives-invoices-{made['Tom']}")
    expect(rosa).to_have_attribute("data-state", "unchecked")
    rosa.click()
    expect(rosa).to_have_attribute("data-state", "checked")
    expect(pg.get_by_text("Invoices will be emailed to this contact.")).to_be_visible()
    expect(tom).to_have_attribute("data-state", "unchecked")

    pg.reload()
    expect(pg.locator(f"#receives-invoices-{made['Rosa']}")).to_have_attribute("data-state", "checked")
    expect(pg.locator(f"#receives-invoices-{made['Tom']}")).to_have_attribute("data-state", "unchecked")
    assert pg.evaluate("document.documentElement.scrollWidth") <= pg.viewport_size["width"] + 1
    with read_session() as s:
        assert delivery.invoice_receivers(s, made["owner"], made["account"]) == {made["Rosa"]}

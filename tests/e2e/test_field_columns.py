"""Custom fields as columns and filters of the accounts list, in a browser (issue 15): the owner opens Accounts from
the menu, ticks a field in "Columns" and sees each account's value in its column, then filters by one of the field's
choices from "Filter by field" and sees only the accounts holding it; the chip takes the filter off again. At
desktop size and on a phone; the column is remembered for the next visit."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import write_session
from practice.models import Account, CustomField, ViewColumns
from practice.services.actor import SYSTEM
from practice.services.work import custom_fields
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
LABEL = "Journey filing status"


@pytest.fixture
def filing_status():
    """An account field "Journey filing status" with MFJ on two demo accounts (their names returned), removed after."""
    def clear():
        with write_session() as s:
            for field in s.exec(select(CustomField).where(CustomField.label == LABEL)):
                custom_fields.delete_field(s, SYSTEM, field.id)
            for kept in s.exec(select(ViewColumns)):
                s.delete(kept)
    clear()
    with write_session() as s:
        field = custom_fields.define_field(s, SYSTEM, entity="account", label=LABEL, type="choice",
                                           options="Single\nMFJ")
        accounts = s.exec(select(Account).where(Account.archived == False).order_by(Account.name)).all()  # noqa: E712
        chosen = [accounts[1], accounts[3]]
        for account in chosen:
            custom_fields.set_value(s, SYSTEM, "account", account.id, field.id, "MFJ")
        custom_fields.set_value(s, SYSTEM, "account", accounts[0].id, field.id, "Single")
        names = sorted(a.name for a in chosen)
    yield names
    clear()


def add_column_and_filter(pg, base_url: str, names: list[str], phone: bool) -> None:
    log_in(pg, base_url)
    if phone:
        pg.click("#phone-menu")
        pg.get_by_role("menuitem", name="Accounts").click()
    else:
        pg.get_by_role("link", name="Accounts", exact=True).first.click()
    expect(pg).to_have_url(re.compile(r"/accounts$"))

    pg.click("#accounts-columns")
    menu = pg.locator("#accounts-columns-menu")
    menu.get_by_text(LABEL, exact=True).click()
    table = pg.locator("table")
    expect(table.get_by_role("columnheader", name=LABEL)).to_be_visible()
    pg.keyboard.press("Escape")
    expect(table.get_by_role("row", name=re.compile(re.escape(names[0]))).get_by_role("cell", name="MFJ")).to_be_visible()

    pg.click("#accounts-field-filter")
    pg.select_option("#filter-field", label=LABEL)
    pg.select_option("#filter-value", "MFJ")
    pg.click("#filter-apply")
    expect(pg.locator("#accounts-filter-chip")).to_contain_text(f"{LABEL}: MFJ")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(names[0])
    expect(rows.nth(1)).to_contain_text(names[1])

    pg.click("#accounts-filter-remove")
    expect(pg.locator("#accounts-filter-chip")).to_have_count(0)
    expect(rows).not_to_have_count(2)
    pg.reload()  # the column is remembered
    expect(table.get_by_role("columnheader", name=LABEL)).to_be_visible()


def test_add_a_column_and_a_filter_on_the_accounts_list(page, base_url, filing_status):
    add_column_and_filter(page, base_url, filing_status, phone=False)


def test_the_same_on_a_phone(phone_page, base_url, filing_status):
    add_column_and_filter(phone_page, base_url, filing_status, phone=True)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page is {width}px wide on a 390px phone"


BOARD_LABEL = "Journey board status"
SHOWN = f"{BOARD_LABEL} (account field)"  # how the board names an account's field beside its jobs' fields


@pytest.fixture
def board_status():
    """An account field "Journey board status": MFJ on the accounts of two jobs of the "1040 Return" pipeline, Single
    on a third's; returns the two accounts' ids. Removed after."""
    from practice.models import Job, Pipeline

    def clear():
        with write_session() as s:
            for field in s.exec(select(CustomField).where(CustomField.label == BOARD_LABEL)):
                custom_fields.delete_field(s, SYSTEM, field.id)
            for kept in s.exec(select(ViewColumns)):
                s.delete(kept)
    clear()
    with write_session() as s:
        field = custom_fields.define_field(s, SYSTEM, entity="account", label=BOARD_LABEL, type="choice",
                                           options="Single\nMFJ")
        pipeline = s.exec(select(Pipeline).where(Pipeline.name == "1040 Return")).first()
        accounts = list(dict.fromkeys(s.exec(select(Job.account_id).where(
            Job.pipeline_id == pipeline.id, Job.archived == False).order_by(Job.id)).all()))  # noqa: E712
        for account_id in accounts[:2]:
            custom_fields.set_value(s, SYSTEM, "account", account_id, field.id, "MFJ")
        custom_fields.set_value(s, SYSTEM, "account", accounts[2], field.id, "Single")
        chosen = accounts[:2]
    yield pipeline.id, chosen
    clear()


def jobs_of(pipeline_id: int, account_ids: list[int]) -> int:
    from sqlalchemy import func

    from practice.db import read_session
    from practice.models import Job

    with read_session() as s:
        return s.execute(select(func.count()).select_from(Job).where(
            Job.pipeline_id == pipeline_id, Job.archived == False, Job.account_id.in_(account_ids))).scalar_one()  # noqa: E712


def board_column_and_filter(pg, base_url: str, pipeline_id: int, account_ids: list[int], phone: bool) -> None:
    log_in(pg, base_url)
    if phone:
        pg.click("#phone-menu")
        pg.get_by_role("menuitem", name="Board").click()
    else:
        pg.get_by_role("link", name="Board", exact=True).first.click()
    expect(pg.locator("#pipeline-picker")).to_have_text("1040 Return", timeout=30_000)

    # The account's field is offered beside the jobs' own, and shows on each card of a job of that account.
    pg.click("#board-columns")
    pg.locator("#board-columns-menu").get_by_text(SHOWN, exact=True).click()
    pg.keyboard.press("Escape")
    fields = pg.locator(".board-card .card-field")
    expect(fields.filter(has_text=f"{SHOWN}: Single").first).to_be_visible()
    expect(fields.filter(has_text=f"{SHOWN}: MFJ").first).to_be_visible()

    # Filter by it: only the jobs of the two MFJ accounts, counted in the columns.
    pg.click("#board-field-filter")
    pg.select_option("#filter-field", label=SHOWN)
    pg.select_option("#filter-value", "MFJ")
    pg.click("#filter-apply")
    expect(pg.locator("#board-filter-chip")).to_contain_text(f"{SHOWN}: MFJ")
    cards = pg.locator(".board-card")
    expected = jobs_of(pipeline_id, account_ids)
    expect(cards).to_have_count(expected)
    expect(fields.filter(has_text=f"{SHOWN}: MFJ")).to_have_count(expected)
    counts = [int(n) for n in pg.locator(".column-count").all_inner_texts()]
    assert sum(counts) == expected

    pg.click("#board-filter-remove")
    expect(pg.locator("#board-filter-chip")).to_have_count(0)
    expect(cards).not_to_have_count(expected)


def test_the_board_shows_and_filters_by_an_accounts_field(page, base_url, board_status):
    board_column_and_filter(page, base_url, *board_status, phone=False)


def test_the_board_by_an_accounts_field_on_a_phone(phone_page, base_url, board_status):
    board_column_and_filter(phone_page, base_url, *board_status, phone=True)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page is {width}px wide on a 390px phone"

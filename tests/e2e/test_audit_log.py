"""The audit log as an owner uses it: names instead of ids, each event once, filters by account, person and
days, the CSV export of what is filtered, and the page on a phone."""
import csv
import datetime as dt
import io
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import TeamMember
from practice.services import firm
from practice.services.actor import Actor
from practice.services.formatting import local_time
from practice.services.work import accounts
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
ACCOUNT = "Quillfeather Bakery"
ISO_WITH_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)")


def _staff(email: str) -> Actor:
    with read_session() as s:
        return Actor.of(s.exec(select(TeamMember).where(TeamMember.email == email)).one())


@pytest.fixture(scope="module")
def bakery():
    """An account the owner creates and renames and an admin annotates (as they would on its page)."""
    owner = _staff("owner@example.com")
    with read_session() as s:
        admin = s.exec(select(TeamMember).where(TeamMember.role == "admin")).first()
        timezone = firm.get_firm(s).timezone
    with write_session() as s:
        account = accounts.create_account(s, owner, name="Quillfeather Bakry", type="Company")
        accounts.update_account(s, owner, account.id, name=ACCOUNT)
        accounts.update_account(s, Actor.of(admin), account.id, notes="Pays by check")
    return {"id": account.id, "admin": admin.name, "today": local_time(dt.datetime.now(dt.timezone.utc), timezone).date()}


def _filtered_to_the_bakery(page, base_url, *, phone: bool = False):
    # The first page a fresh test server serves can be slow to build on a busy machine.
    page.goto(base_url + "/login", timeout=90_000)
    log_in(page, base_url)
    if phone:
        page.click("#phone-menu")
        page.get_by_role("menuitem", name="Audit log").click()
    else:
        page.get_by_role("link", name="Audit log").click()
    expect(page).to_have_url(re.compile(r"/audit$"))
    page.select_option("#audit-account", label=ACCOUNT)
    return page.locator(".audit-entry")


def test_the_owner_filters_the_log_to_one_account_and_exports_it(page, base_url, bakery):
    rows = _filtered_to_the_bakery(page, base_url)
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text(f'Account "{ACCOUNT}": notes none → "Pays by check"')
    expect(rows.nth(0)).to_contain_text(bakery["admin"])
    expect(rows.nth(2)).to_contain_text('Created account "Quillfeather Bakry"')
    # The thing is named (its name when the row was written is kept), linked to its page; never "account #52".
    expect(rows.nth(0).locator(".audit-thing")).to_have_text(ACCOUNT)
    expect(rows.nth(0).locator(".audit-thing")).to_have_attribute("href", f"/accounts/{bakery['id']}")
    table_text = page.locator("#audit-table").inner_text()
    assert not re.search(r"#\d", table_text) and not ISO_WITH_OFFSET.search(table_text)

    # Only what the admin did; then a day range that holds nothing, and back.
    page.select_option("#audit-member", label=bakery["admin"])
    expect(rows).to_have_count(1)
    page.select_option("#audit-member", "")
    expect(rows).to_have_count(3)
    page.fill("#audit-until", (bakery["today"] - dt.timedelta(days=1)).isoformat())
    expect(page.get_by_text("Nothing in the log matches these filters.")).to_be_visible()
    page.fill("#audit-until", "")
    page.fill("#audit-since", bakery["today"].isoformat())
    expect(rows).to_have_count(3)

    # The export holds exactly the filtered rows, by name, with the firm's clock.
    with page.expect_download() as download:
        page.click("#audit-export")
    text = open(download.value.path(), encoding="utf-8").read()
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["When", "Who", "What", "Kind", "Thing", "Account"]
    assert [line[2] for line in lines[1:]] == [f'Account "{ACCOUNT}": notes none → "Pays by check"',
                                               'Account "Quillfeather Bakry": name "Quillfeather Bakry" → '
                                               f'"{ACCOUNT}"', 'Created account "Quillfeather Bakry"']
    assert {line[5] for line in lines[1:]} == {ACCOUNT}
    assert all(re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M", line[0]) for line in lines[1:])

    # Clearing the filters brings everything back, the export itself included (once).
    page.click("#audit-clear")
    expect(rows.first).to_contain_text("Exported 3 audit log entries as CSV")
    expect(page.locator("#audit-table")).to_contain_text("Exported 3 audit log entries as CSV")
    assert page.locator(".audit-entry", has_text="Exported 3 audit log entries").count() == 1


def test_the_log_fits_a_phone(phone_page, base_url, bakery):
    _filtered_to_the_bakery(phone_page, base_url, phone=True)
    cards = phone_page.locator(".audit-card")
    expect(cards).to_have_count(3)
    expect(cards.first.locator(".audit-thing")).to_have_text(ACCOUNT)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px phone"

"""A firm moving from another system imports its client list from a CSV file with one bad row."""
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
FILE = Path(__file__).resolve().parents[1] / "data" / "clients_one_bad_row.csv"


def accounts_named(name: str) -> int:
    from practice.db import read_session
    from practice.models import Account

    with read_session() as s:
        return s.execute(select(func.count()).select_from(Account).where(Account.name == name)).scalar_one()


def test_owner_imports_a_csv_skipping_the_bad_row_and_finds_the_account(page, base_url):
    log_in(page, base_url)
    page.get_by_role("link", name="Import", exact=True).first.click()
    page.wait_for_url("**/import")
    page.locator("input[type=file]").set_input_files(str(FILE))

    # The preview: the file, what it would do, and the bad row with its line number.
    expect(page.get_by_text("clients_one_bad_row.csv")).to_be_visible()
    expect(page.locator("#import-summary")).to_contain_text("3 of 4 rows can be imported")
    errors = page.locator("#row-errors")
    expect(errors).to_contain_text("4")
    expect(errors).to_contain_text('Line 4: "otto-at-pemberton" is not an email address.')
    expect(page.locator("#preview-table")).to_contain_text("Marigold Florist")

    # The button counts the rows that can be imported and says what it leaves out.
    expect(page.locator("#run-import")).to_have_text("Import 3 rows")
    expect(page.locator("#import-skipped-note")).to_have_text("Not imported: 1 row with errors.")
    # Without agreeing to skip the bad row, nothing is imported, and the sentence is where the person looks.
    page.click("#run-import")
    refusal = page.locator("#import-refusal")
    expect(refusal).to_contain_text("Nothing was imported: Line 4")
    expect(refusal).to_be_in_viewport()
    assert accounts_named("Marigold Florist") == 0

    # Skipping bad rows imports the other three, with the progress reaching 100%.
    page.click("#skip-bad-rows")
    expect(refusal).to_have_count(0)
    expect(page.locator("#run-import")).to_have_text("Import 3 rows")
    page.click("#run-import")
    expect(page.locator("#import-progress-text")).to_have_text("100%")
    result = page.locator("#import-result")
    expect(result).to_contain_text("Imported 3 new accounts and 3 contacts.")
    expect(result).to_contain_text("Skipped 1 row with errors (line 4).")
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator("#run-import")).to_be_disabled()

    page.click("#go-to-accounts")
    page.wait_for_url("**/accounts")
    page.fill("#account-search", "Marigold")
    expect(page.get_by_role("link", name="Marigold Florist")).to_be_visible()
    assert accounts_named("Marigold Florist") == 1

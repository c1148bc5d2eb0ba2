"""The foundation's journey: account with a contact → job in "1040 Return" → dragged to the next stage →
still there after a reload → the audit log names who moved it."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.test_board import card, column

pytestmark = pytest.mark.e2e


def test_account_contact_job_drag_reload_and_audit(page, base_url):
    log_in(page, base_url)

    # A new account with its first contact.
    page.goto(base_url + "/accounts")
    page.click("#new-account")
    page.fill("#account-name", "Whitfield Household")
    page.fill("#contact-first", "Nora")
    page.fill("#contact-last", "Whitfield")
    page.fill("#contact-email", "nora@whitfield.example")
    page.click("#create-account")
    page.wait_for_url(re.compile(r".*/accounts/\d+$"))
    expect(page.locator("#account-name-heading")).to_have_text("Whitfield Household")
    expect(page.locator("#contacts-section")).to_contain_text("Nora Whitfield")

    # A job in "1040 Return", created from the account page, starts in the first stage.
    page.get_by_role("button", name="New job").click()
    page.fill("#new-job-name", "Whitfield 1040 2026")
    page.click("#new-job-pipeline")
    page.get_by_role("option", name="1040 Return", exact=True).click()
    page.click("#create-job")
    page.wait_for_url(re.compile(r".*/jobs/\d+$"))
    job_id = page.url.rstrip("/").rsplit("/", 1)[-1]

    # On the board, drag it from "Onboarding" to "Waiting for info".
    page.goto(base_url + "/board")
    expect(page.locator("#pipeline-picker")).to_have_text("1040 Return", timeout=30_000)
    expect(column(page, "Onboarding").locator(f'[data-job-id="{job_id}"]')).to_be_visible()
    expect(card(page, job_id)).to_contain_text("Whitfield Household")
    card(page, job_id).drag_to(column(page, "Waiting for info"))
    expect(column(page, "Waiting for info").locator(f'[data-job-id="{job_id}"]')).to_be_visible()

    # A reload reads the database: the card is still in its new column.
    page.reload()
    expect(column(page, "Waiting for info").locator(f'[data-job-id="{job_id}"]')).to_be_visible()
    expect(column(page, "Onboarding").locator(f'[data-job-id="{job_id}"]')).to_have_count(0)

    # The audit log shows the move and who made it.
    page.goto(base_url + "/audit")
    row = page.locator("#audit-table").get_by_text('Moved "Whitfield 1040 2026" from "Onboarding" to "Waiting for info"')
    expect(row.first).to_be_visible()
    expect(page.locator("#audit-table")).to_contain_text("Olivia Park")

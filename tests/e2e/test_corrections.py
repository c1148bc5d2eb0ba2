"""A typo is never permanent: staff correct an account's name, a contact's email and a job's name through the
pages, and the audit log names each change, old and new."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def open_from_menu(page, name: str) -> None:
    """Follow a link of the sidebar, as a person would."""
    page.get_by_role("link", name=name, exact=True).first.click()


def test_staff_correct_an_account_a_contact_and_a_job_and_the_log_shows_each_change(page, base_url):
    # A dev frontend just started compiles its modules on the first visit: slow on a busy machine.
    page.goto(base_url + "/login", timeout=180_000)
    log_in(page, base_url)
    open_from_menu(page, "Accounts")
    page.wait_for_url("**/accounts")

    # An account typed in a hurry, with its first contact.
    page.click("#new-account")
    page.fill("#account-name", "Brightwater Bakry")
    page.fill("#contact-first", "Lena")
    page.fill("#contact-last", "Moss")
    page.fill("#contact-email", "lena@brightwater.exmaple")
    page.click("#create-account")
    page.wait_for_url(re.compile(r".*/accounts/\d+$"))
    expect(page.locator("#account-name-heading")).to_have_text("Brightwater Bakry")

    # Escape closes the editor and changes nothing.
    page.click("#edit-account")
    page.fill("#edit-account-name", "Something else")
    page.keyboard.press("Escape")
    expect(page.locator("#edit-account-dialog")).to_have_count(0)
    expect(page.locator("#account-name-heading")).to_have_text("Brightwater Bakry")

    # An empty name gets a sentence; Enter saves the corrected name and type.
    page.click("#edit-account")
    expect(page.locator("#edit-account-name")).to_have_value("Brightwater Bakry")
    page.fill("#edit-account-name", " ")
    page.locator("#edit-account-name").press("Enter")
    expect(page.locator("#edit-account-dialog")).to_contain_text("Give the account a name.")
    page.fill("#edit-account-name", "Brightwater Bakery")
    page.select_option("#edit-account-type", "Company")
    page.locator("#edit-account-name").press("Enter")
    expect(page.locator("#edit-account-dialog")).to_have_count(0)
    expect(page.locator("#account-name-heading")).to_have_text("Brightwater Bakery")
    expect(page.locator("#account-type-badge")).to_have_text("Company")

    # The contact's email: a bad address is refused and what was typed stays; the good one is saved.
    contacts = page.locator("#contacts-section")
    contacts.get_by_role("button", name="Edit Lena Moss").click()
    email = page.locator("#edit-contact-email")
    expect(email).to_have_value("lena@brightwater.exmaple")
    email.fill("lena@brightwater")
    email.press("Enter")
    dialog = page.locator("#edit-contact-dialog")
    expect(dialog).to_contain_text('"lena@brightwater" is not an email address.')
    expect(email).to_have_value("lena@brightwater")
    email.fill("lena@brightwater.example")
    email.press("Enter")
    expect(dialog).to_have_count(0)
    expect(contacts).to_contain_text("lena@brightwater.example")
    expect(contacts).not_to_contain_text("exmaple")

    # A job with a typo in its name, renamed from its page.
    page.get_by_role("button", name="New job").click()
    page.fill("#new-job-name", "Bookkeping 2026")
    page.click("#new-job-pipeline")
    page.get_by_role("option", name="Bookkeeping", exact=True).click()
    page.click("#create-job")
    page.wait_for_url(re.compile(r".*/jobs/\d+$"))
    page.click("#rename-job")
    name = page.locator("#rename-job-name")
    expect(name).to_have_value("Bookkeping 2026")
    name.fill("Bookkeeping 2026")
    name.press("Enter")
    expect(page.locator("#job-name-heading")).to_have_text("Bookkeeping 2026")
    expect(page.locator("#job-history")).to_contain_text('name "Bookkeping 2026" → "Bookkeeping 2026"')

    # The audit log names each change, who made it, old and new.
    open_from_menu(page, "Audit log")
    page.wait_for_url("**/audit")
    log = page.locator("#audit-table")
    for change in ('Account "Brightwater Bakry": name "Brightwater Bakry" → "Brightwater Bakery"; '
                   'type Individual → Company',
                   'Contact Lena Moss: email "lena@brightwater.exmaple" → "lena@brightwater.example"',
                   'Job "Bookkeping 2026": name "Bookkeping 2026" → "Bookkeeping 2026"'):
        row = log.locator("tr", has_text=change)
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Olivia Park")


def new_account_with_contact(page, account: str, first: str, last: str, email: str) -> None:
    open_from_menu(page, "Accounts")
    page.wait_for_url("**/accounts")
    page.click("#new-account")
    page.fill("#account-name", account)
    page.fill("#contact-first", first)
    page.fill("#contact-last", last)
    page.fill("#contact-email", email)
    page.click("#create-account")
    page.wait_for_url(re.compile(r".*/accounts/\d+$"))


def test_an_admin_merges_two_duplicate_contacts_from_the_contacts_page(page, base_url):
    page.goto(base_url + "/login", timeout=180_000)
    log_in(page, base_url)
    new_account_with_contact(page, "Quinn Household", "Pat", "Quinn", "pat@quinn.example")
    new_account_with_contact(page, "Quinn Consulting", "Pat", "Quinn", "pat.quinn@work.example")

    open_from_menu(page, "Contacts")
    page.wait_for_url("**/contacts")
    page.fill("#contact-search", "Pat Quinn")
    rows = page.locator(".contact-row", has_text="Pat Quinn")
    expect(rows).to_have_count(2)
    rows.filter(has_text="pat@quinn.example").get_by_role("button", name="Merge Pat Quinn with a duplicate").click()
    page.fill("#merge-search", "pat.quinn")
    page.locator(".merge-choice", has_text="pat.quinn@work.example").click()
    preview = page.locator("#merge-preview")
    expect(preview).to_contain_text("\u201cPat Quinn\u201d is merged into \u201cPat Quinn\u201d and then removed. "
                                    "Moving to \u201cPat Quinn\u201d: 1 account link.")
    expect(preview).to_contain_text("pat.quinn@work.example is kept among Pat Quinn's other emails.")
    page.click("#confirm-merge")
    expect(page.locator("#merge-dialog")).to_have_count(0)
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("pat@quinn.example")
    expect(rows).to_contain_text("Quinn Household")
    expect(rows).to_contain_text("Quinn Consulting")


def test_the_edit_dialogs_fit_a_phone(phone_page, base_url):
    page = phone_page
    page.goto(base_url + "/login", timeout=180_000)
    log_in(page, base_url)
    page.goto(base_url + "/accounts")
    page.locator("table a").first.click()
    page.wait_for_url(re.compile(r".*/accounts/\d+$"))
    page.click("#edit-account")
    expect(page.locator("#edit-account-dialog")).to_be_visible()
    box = page.locator("#edit-account-dialog").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.keyboard.press("Escape")
    page.locator("#contacts-section").get_by_role("button", name=re.compile("^Edit ")).first.click()
    box = page.locator("#edit-contact-dialog").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.keyboard.press("Escape")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

"""Journeys through the account, job and task pages as the firm's owner and an employee would make them."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def choose(page, trigger: str, option: str) -> None:
    """Pick an option from a Radix select opened by its trigger."""
    page.click(trigger)
    page.get_by_role("option", name=option, exact=True).click()


def test_owner_runs_a_job_from_account_to_completed_task(page, base_url):
    log_in(page, base_url)
    page.goto(base_url + "/accounts")
    first = page.locator("table a").first
    account_name = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r".*/accounts/\d+$"))
    account_url = page.url
    expect(page.locator("#account-name-heading")).to_have_text(account_name)

    # A new contact appears in the account's contacts.
    page.get_by_role("button", name="Add a new contact").click()
    page.fill("#new-contact-first", "Maya")
    page.fill("#new-contact-last", "Okafor")
    page.fill("#new-contact-email", "maya.okafor@example.net")
    page.fill("#new-contact-city", "Denver")
    page.click("#save-contact")
    contacts = page.locator("#contacts-section")
    expect(contacts).to_contain_text("Maya Okafor")
    expect(contacts).to_contain_text("maya.okafor@example.net")
    expect(page.locator("#new-contact-first")).to_have_value("")

    # A job created on the account page opens its own page.
    page.get_by_role("button", name="New job").click()
    page.fill("#new-job-name", "Advisory 2030")
    choose(page, "#new-job-pipeline", "Bookkeeping")
    page.fill("#new-job-due", "2030-04-15")
    page.click("#create-job")
    page.wait_for_url(re.compile(r".*/jobs/\d+$"))
    job_url = page.url
    expect(page.locator("#job-name-heading")).to_have_text("Advisory 2030")

    # Back on the account, the job is listed with its stage and links to its page.
    page.click("#job-account-link")
    page.wait_for_url(account_url)
    jobs = page.locator("#jobs-section")
    expect(jobs).to_contain_text("Waiting for statements")
    jobs.get_by_role("link", name="Advisory 2030").click()
    page.wait_for_url(job_url)

    # Moving the job with the stage select leaves a history line naming who moved it.
    expect(page.locator("#stage-select")).to_have_text("Waiting for statements")
    choose(page, "#stage-select", "Categorizing")
    history = page.locator("#job-history")
    expect(history).to_contain_text('Moved "Advisory 2030" from "Waiting for statements" to "Categorizing"')
    expect(history.locator("div", has_text="Moved").first).to_contain_text("Olivia Park")
    expect(page.locator("#stage-select")).to_have_text("Categorizing")

    # A task on the job, assigned to me, shows on my task list; completing it moves it out of "open".
    page.fill("#job-task-title", "Ask for the March statements")
    choose(page, "#job-task-assignee", "Olivia Park")
    page.fill("#job-task-due", "2030-03-01")
    page.click("#create-job-task")
    expect(page.locator("#job-tasks-section")).to_contain_text("Ask for the March statements")

    page.goto(base_url + "/tasks")
    page.wait_for_url("**/tasks")
    expect(page.locator("#tasks-mine")).to_have_attribute("data-state", "on")
    row = page.locator(".task-row", has_text="Ask for the March statements")
    expect(row).to_be_visible()
    expect(row.get_by_role("link", name="Advisory 2030")).to_have_attribute("href", re.compile(r"/jobs/\d+$"))
    row.get_by_role("combobox").click()
    page.get_by_role("option", name="Completed", exact=True).click()
    expect(row).to_have_count(0)
    choose(page, "#task-status-filter", "Completed")
    expect(page.locator(".task-row", has_text="Ask for the March statements")).to_be_visible()


def test_task_detail_takes_subtasks_and_comments(page, base_url):
    log_in(page, base_url)
    page.goto(base_url + "/tasks")
    # A new task is mine unless I choose someone else.
    expect(page.locator("#new-task-assignee")).to_have_text("Olivia Park")
    page.fill("#new-task-title", "Renew the office software licence")
    page.click("#create-task")
    row = page.locator(".task-row", has_text="Renew the office software licence")
    expect(row).to_be_visible()
    row.locator(".task-title").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("No subtasks")
    dialog.locator("#subtask-title").fill("Compare two vendors")
    dialog.locator("#subtask-title").press("Enter")
    expect(dialog.locator(".subtask")).to_contain_text("Compare two vendors")
    dialog.locator("#comment-body").fill("Licence runs out at the end of the month.")
    dialog.locator("#post-comment").click()
    expect(dialog.locator(".comment")).to_contain_text("Olivia Park")
    expect(dialog.locator(".comment")).to_contain_text("Licence runs out")


def test_wrong_and_forbidden_accounts_get_a_sentence(page, base_url):
    from practice.db import read_session
    from practice.services.work import accounts
    from practice.services.actor import Actor
    from practice.services.errors import PermissionDenied
    from practice.services.access.team import member_by_name

    with read_session() as s:
        carla = Actor.of(member_by_name(s, "Carla Diaz"))
        hidden = None
        for row in accounts.list_accounts(s, Actor.of(member_by_name(s, "Olivia Park")), page_size=100)[0]:
            try:
                accounts.get_account(s, carla, row.id)
            except PermissionDenied:
                hidden = row.id
                break
    assert hidden is not None
    log_in(page, base_url, "carla@example.com", "demo-staff-pass")
    page.goto(f"{base_url}/accounts/{hidden}")
    expect(page.get_by_text("You do not have access to this account")).to_be_visible()
    page.goto(f"{base_url}/accounts/999999")
    expect(page.get_by_text("That account does not exist")).to_be_visible()
    page.goto(f"{base_url}/jobs/not-a-number")
    expect(page.get_by_text("That job does not exist")).to_be_visible()


def test_account_page_shows_its_sections_on_a_phone(phone_page, base_url):
    log_in(phone_page, base_url)
    phone_page.goto(base_url + "/accounts")
    phone_page.locator("table a").first.click()
    phone_page.wait_for_url(re.compile(r".*/accounts/\d+$"))
    for section in ("#contacts-section", "#jobs-section", "#tasks-section", "#notes-section", "#history-section"):
        expect(phone_page.locator(section)).to_be_visible()
    # Nothing pushes the page sideways on a narrow screen.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def test_the_account_shows_its_balance_and_invoices_to_those_who_see_billing(phone_page, base_url):
    from practice.db import write_session
    from practice.services.access.team import member_by_name
    from practice.services.actor import Actor
    from practice.services.billing import invoices
    from practice.services.work import accounts

    with write_session() as s:
        owner = Actor.of(member_by_name(s, "Olivia Park"))
        account = accounts.list_accounts(s, owner, page_size=1)[0][0]
        invoice = invoices.save_draft(s, owner, account_id=account.id, lines=[
            {"name": "Bookkeeping", "quantity": "3", "rate": "250"}, {"name": "Advice", "rate": "120.50"}])
        number = invoices.issue(s, owner, invoice.id).number
        invoices.record_payment(s, owner, invoice.id, amount_cents=20050, method="check")
    log_in(phone_page, base_url)
    phone_page.goto(f"{base_url}/accounts/{account.id}")
    billing = phone_page.locator("#billing-section")
    expect(phone_page.locator("#account-balance")).to_have_text("$670.00")
    expect(billing.locator(".account-invoice").first).to_contain_text(f"Invoice {number}")
    expect(billing.locator(".account-invoice").first).to_contain_text("Partly paid")
    expect(billing.locator(".account-invoice").first).to_contain_text("$870.50")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    # An employee without the billing right sees the account but no billing.
    phone_page.context.clear_cookies()
    log_in(phone_page, base_url, "bob@example.com", "demo-staff-pass")
    phone_page.goto(f"{base_url}/accounts/{account.id}")
    expect(phone_page.locator("#notes-section")).to_be_visible()
    expect(phone_page.locator("#billing-section")).to_have_count(0)


def an_account_with_a_request(title: str) -> tuple[int, str]:
    """The first open account, a new job on it and a client request of two items sent for that job to a broker (one
    item already answered, as the broker would); the account id and the job's name."""
    from sqlmodel import select

    from practice.db import write_session
    from practice.models import Account, Pipeline
    from practice.services.client_requests import sending
    from practice.services.work import jobs
    from tests.factories import demo_owner

    owner = demo_owner()
    with write_session() as s:
        account_id = s.exec(select(Account.id).where(Account.archived == False).order_by(Account.id)).first()  # noqa: E712
        pipeline_id = s.exec(select(Pipeline.id).order_by(Pipeline.id)).first()
        job = jobs.create_job(s, owner, account_id=account_id, pipeline_id=pipeline_id, name=f"{title} job")
        request = sending.send_request(s, owner, account_id, job_id=job.id, title=title, email="broker@lender.example",
                                       items=[{"kind": "text", "label": "Loan number"},
                                              {"kind": "file", "label": "Closing statement"}])
        sending.items_of(s, request.id)[0].answer_text = "LN-4471"
        return account_id, job.name


def test_staff_follow_an_accounts_client_requests_on_its_page(page, base_url):
    account_id, job_name = an_account_with_a_request("Mortgage papers")
    log_in(page, base_url)
    page.goto(f"{base_url}/accounts/{account_id}")
    section = page.locator("#client-requests-section")
    listed = section.locator(".request-row", has_text="Mortgage papers")
    expect(listed).to_contain_text(f"Job: {job_name}")
    expect(listed).to_contain_text("1 of 2 given")
    listed.locator(".open-request").click()
    expect(listed).to_contain_text("LN-4471")

    # One sent from the account page is about no job.
    section.locator("#new-request").click()
    section.locator("#request-recipient").click()
    page.get_by_role("option", name="Someone else (type the address)").click()
    section.locator("#request-email").fill("former.accountant@example.net")
    section.locator("#request-title-input").fill("Prior-year returns")
    row = section.locator(".request-draft-item").first
    row.locator(".request-item-label input").fill("2024 return")
    row.locator(".request-item-label input").blur()
    section.locator("#request-send").click()
    sent = section.locator(".request-row", has_text="Prior-year returns")
    expect(sent).to_contain_text("0 of 1 given")
    expect(sent).to_contain_text("former.accountant@example.net")
    expect(sent.locator(".request-job")).to_have_count(0)


def test_an_accounts_client_requests_on_a_phone(phone_page, base_url):
    account_id, job_name = an_account_with_a_request("Bank letters")
    log_in(phone_page, base_url)
    phone_page.goto(f"{base_url}/accounts/{account_id}")
    listed = phone_page.locator("#client-requests-section .request-row", has_text="Bank letters")
    expect(listed).to_contain_text(f"Job: {job_name}")
    expect(listed).to_contain_text("1 of 2 given")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390 + 1

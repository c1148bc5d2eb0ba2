"""Time in a browser, at desk size and on a phone: the owner opens Time from the menu, chooses an account, writes
down an hour and a half (a duration that is not one is refused with a sentence and what was typed kept), sees it
listed with its amount and in the work in progress, starts a timer that still shows after a reload, stops it,
deletes the entry written down (after confirming), and bills the timer's time from the work in progress onto a new
draft. A timer started on a job's page shows on the Time page and stops from the job. A timer that ran past the
firm's idle limit asks when stopped, and counting only up to the limit keeps the limit. Time recorded on the Time
page is billed from a new invoice's "Bill time" (filtered by job, chosen all or none), the invoice bills one of the
account's jobs and is sent, and the Time page then shows the time as billed on it."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import write_session
from practice.models import Pipeline, Service, TeamMember, TimeEntry
from practice.services.billing import time
from practice.services.actor import Actor
from practice.services.work import accounts, catalog, jobs
from tests.e2e.conftest import log_in
from tests.e2e.test_billing import an_account, open_billing, press

pytestmark = pytest.mark.e2e


def open_time(pg, phone: bool) -> None:
    if phone:
        pg.click("#phone-menu")
        pg.get_by_role("menu").get_by_role("menuitem", name="Time").click()
    else:
        pg.get_by_role("link", name="Time", exact=True).first.click()
    pg.wait_for_url(re.compile(r"/time$"))
    expect(pg.locator("#add-time")).to_be_visible()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_time_written_down_and_a_timer_that_survives_a_reload(size, page, phone_page, base_url):
    pg = phone_page if size == "phone" else page
    account = f"Time Journey {size.title()}"
    an_account(account)
    log_in(pg, base_url)
    open_time(pg, size == "phone")
    pg.fill("#time-account-search", account)
    pg.locator(".account-choice", has_text=account).click()
    expect(pg.locator("#time-account")).to_have_text(account)

    pg.fill("#time-duration", "soon")
    pg.fill("#time-note", "Phone call about the return")
    press(pg, "#add-time")
    expect(pg.get_by_role("alert")).to_contain_text('"soon" is not a duration')
    expect(pg.locator("#time-note")).to_have_value("Phone call about the return")
    pg.fill("#time-duration", "1:30")
    press(pg, "#add-time")
    row = pg.locator(".time-row", has_text="Phone call about the return")
    expect(row).to_contain_text(account)
    expect(row.locator(".time-duration")).to_have_text("1:30")
    expect(pg.locator(".wip-row", has_text=account)).to_contain_text("1:30")
    assert pg.evaluate("document.documentElement.scrollWidth") <= pg.viewport_size["width"] + 1

    # A timer runs on the server: a reload still shows it, and stopping it keeps its time.
    press(pg, "#start-timer")
    expect(pg.locator("#timer-running")).to_contain_text(account)
    pg.reload()
    expect(pg.locator("#timer-running")).to_contain_text(account)
    press(pg, "#stop-timer")
    expect(pg.locator("#timer-idle")).to_be_visible()
    expect(pg.locator(".time-row", has_text=account)).to_have_count(2)

    row.locator(".time-delete").click()
    press(pg, "#confirm-delete-time")
    expect(pg.locator(".time-row", has_text="Phone call about the return")).to_have_count(0)

    # The timer's time is billed from the work in progress: a new draft opens with its line.
    pg.locator(".wip-row", has_text=account).locator(".wip-bill").click()
    pg.wait_for_url(re.compile(r"/billing/invoices/\d+$"))
    expect(pg.locator(".edit-line")).to_have_count(1)
    expect(pg.locator(".edit-line .line-name input")).to_have_value("Time")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_timer_on_a_job_page_shows_on_the_time_page(size, page, phone_page, base_url):
    pg = phone_page if size == "phone" else page
    name = f"Timed return {size}"
    with write_session() as s:
        owner = Actor.of(s.exec(select(TeamMember).where(TeamMember.role == "owner")).first())
        account = accounts.create_account(s, owner, name=f"Timer Journey {size.title()}")
        pipeline = s.exec(select(Pipeline)).first()
        job_id = jobs.create_job(s, owner, account_id=account.id, pipeline_id=pipeline.id, name=name).id
    log_in(pg, base_url)
    pg.goto(f"{base_url}/jobs/{job_id}")
    press(pg, "#job-start-timer")
    expect(pg.locator("#job-timer-since")).to_be_visible()
    assert pg.evaluate("document.documentElement.scrollWidth") <= pg.viewport_size["width"] + 1
    open_time(pg, size == "phone")
    expect(pg.locator("#timer-running")).to_contain_text(name)
    # Every page's menu bar (the sidebar, or the phone's top bar) shows it, linking to the Time page.
    expect(pg.locator("#phone-running-timer" if size == "phone" else "#sidebar-running-timer")).to_be_visible()
    pg.go_back()
    press(pg, "#job-stop-timer")
    expect(pg.locator("#job-start-timer")).to_be_visible()


def test_stopping_a_timer_past_the_idle_limit_asks_and_counts_only_the_limit(page, base_url):
    account = "Idle Timer Journey"
    an_account(account)
    log_in(page, base_url)
    open_time(page, False)
    page.fill("#time-account-search", account)
    page.locator(".account-choice", has_text=account).click()
    press(page, "#start-timer")
    expect(page.locator("#timer-running")).to_contain_text(account)
    # The timer has been running for two hours (it started before lunch), past the firm's limit of 30 minutes.
    with write_session() as s:
        owner = Actor.of(s.exec(select(TeamMember).where(TeamMember.role == "owner")).first())
        time.set_idle_limit(s, owner, "30")
        # The running timer (typed entries have neither a start nor an end: other journeys leave some).
        running = s.exec(select(TimeEntry).where(TimeEntry.started_at.is_not(None), TimeEntry.ended_at.is_(None),
                                                 TimeEntry.member_id == owner.member_id)).one()
        running.started_at = running.started_at - dt.timedelta(hours=2)
    try:
        press(page, "#stop-timer")
        expect(page.locator("#idle-question")).to_contain_text("past the firm's limit of 0:30")
        page.click("#idle-drop")
        expect(page.locator("#timer-idle")).to_be_visible()
        expect(page.locator(".time-row", has_text=account).locator(".time-duration")).to_have_text("0:30")
    finally:
        with write_session() as s:
            time.set_idle_limit(s, owner, "240")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_time_recorded_is_billed_from_a_new_invoice_and_shows_as_billed(size, page, phone_page, base_url):
    pg = phone_page if size == "phone" else page
    account, job, service = f"Bill Time Journey {size.title()}", f"Monthly books {size}", f"Bookkeeping hour {size}"
    with write_session() as s:
        owner = Actor.of(s.exec(select(TeamMember).where(TeamMember.role == "owner")).first())
        account_id = accounts.create_account(s, owner, name=account).id
        job_id = jobs.create_job(s, owner, account_id=account_id, pipeline_id=s.exec(select(Pipeline)).first().id,
                                 name=job).id
        catalog.create_service(s, owner, name=service, rate_cents=10000)
        # An hour on the job, from its timer earlier in the week.
        time.add_entry(s, owner, job_id=job_id, work_date=dt.date.today() - dt.timedelta(days=2), duration="1:00",
                       service_id=s.exec(select(Service.id).where(Service.name == service)).one(), note="Payroll")
    log_in(pg, base_url)
    open_time(pg, size == "phone")
    pg.fill("#time-account-search", account)
    pg.locator(".account-choice", has_text=account).click()
    pg.fill("#time-duration", "1:30")
    pg.select_option("#time-service", label=service)
    pg.fill("#time-note", "Bank reconciliation")
    press(pg, "#add-time")
    expect(pg.locator(".time-row", has_text="Bank reconciliation")).to_contain_text("$150.00")

    open_billing(pg, base_url, size == "phone")
    pg.click("#new-invoice")
    pg.wait_for_url(re.compile(r"/billing/invoices/new$"))
    pg.fill("#invoice-account-search", account)
    pg.locator(".account-choice", has_text=account).click()
    expect(pg.locator("#invoice-account")).to_have_text(account)
    pg.select_option("#invoice-job", label=job)
    press(pg, "#invoice-bill-time")
    rows = pg.locator(".bill-time-row")
    expect(rows).to_have_count(2)
    expect(pg.locator("#bill-time-total")).to_have_text("$250.00")
    expect(pg.locator("#bill-time-add")).to_have_text("Add 2 entries")
    assert pg.evaluate("document.documentElement.scrollWidth") <= pg.viewport_size["width"] + 1
    # Only the job's time, then all of it; none chosen adds nothing, all chosen adds both.
    pg.select_option("#bill-time-job", label=job)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Payroll")
    pg.select_option("#bill-time-job", value="")
    expect(rows).to_have_count(2)
    pg.click("#bill-time-none")
    expect(pg.locator("#bill-time-add")).to_be_disabled()
    rows.filter(has_text="Bank reconciliation").click()
    expect(pg.locator("#bill-time-add")).to_have_text("Add 1 entry")
    pg.click("#bill-time-all")
    expect(pg.locator("#bill-time-total")).to_have_text("$250.00")
    pg.click("#bill-time-add")
    # The first add saved the new draft: its own address, the time as its lines, the job kept.
    pg.wait_for_url(re.compile(r"/billing/invoices/\d+$"))
    expect(pg.get_by_role("heading", name="Draft invoice")).to_be_visible()
    expect(pg.locator(".edit-line")).to_have_count(2)
    expect(pg.locator(".edit-line .line-name input").first).to_have_value(service)
    expect(pg.locator("#invoice-total")).to_have_text("$250.00")
    expect(pg.locator("#invoice-job")).to_have_value(str(job_id))
    # Nothing is left to bill for the account: the dialog says where time is recorded.
    press(pg, "#invoice-bill-time")
    expect(pg.locator("#bill-time-empty")).to_contain_text("No unbilled time for this account")
    expect(pg.locator("#bill-time-record")).to_be_visible()
    pg.keyboard.press("Escape")
    expect(pg.locator("#bill-time-empty")).to_have_count(0)
    press(pg, "#invoice-send")
    expect(pg.locator("#send-total")).to_contain_text("$250.00")
    number = re.search(r"\d+", pg.locator("#send-number").inner_text()).group(0)
    press(pg, "#confirm-send")
    expect(pg.get_by_role("heading", name=f"Invoice {number}")).to_be_visible()
    expect(pg.locator("#invoice-job-link")).to_have_text(job)

    open_time(pg, size == "phone")
    for note in ("Bank reconciliation", "Payroll"):
        expect(pg.locator(".time-row", has_text=note).filter(has_text=account)).to_contain_text(f"Invoice {number}")

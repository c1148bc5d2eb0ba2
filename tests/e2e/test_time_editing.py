"""The Time page's corrections and filters, and a timer on a task row, at desk size and on a phone: the owner
chooses an account, corrects an entry's duration in its dialog and sees the total follow, lists only another
member's time (a reload keeps the filter), deletes an entry after confirming; on the Tasks page a timer started on
one task stops when one is started on another, and each row shows whether its timer runs. In French, the billed
entry names its (draft) invoice, and the dialogs and the task timer show no English."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import write_session
from practice.models import Pipeline, TeamMember
from practice.services.actor import Actor
from practice.services.billing import time, wip
from practice.services.work import accounts, catalog, jobs, tasks
from tests.e2e.conftest import log_in
from tests.e2e.test_time_entries import open_time
from tests.e2e.visible_english import english_on_screen, set_language

pytestmark = pytest.mark.e2e


def owner_and_someone(s) -> tuple[Actor, TeamMember]:
    owner = Actor.of(s.exec(select(TeamMember).where(TeamMember.role == "owner")).first())
    other = s.exec(select(TeamMember).where(TeamMember.role != "owner", TeamMember.active == True)  # noqa: E712
                   .order_by(TeamMember.id)).first()
    return owner, other


def use(pg, locator) -> None:
    """Use a button from the keyboard (a toast in the corner of a phone never covers a key)."""
    locator.focus()
    pg.keyboard.press("Enter")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_an_entry_corrected_changes_the_total_and_the_list_filters_by_member(size, page, phone_page, base_url):
    pg = phone_page if size == "phone" else page
    name = f"Corrected Time {size.title()}"
    yesterday = dt.date.today() - dt.timedelta(days=1)
    with write_session() as s:
        owner, other = owner_and_someone(s)
        account = accounts.create_account(s, owner, name=name)
        time.add_entry(s, owner, work_date=yesterday, duration="1:00", account_id=account.id, note="Own call")
        time.add_entry(s, owner, work_date=yesterday, duration="0:45", account_id=account.id, note="Their review",
                       member_id=other.id)
        other_name = other.name
    log_in(pg, base_url)
    open_time(pg, size == "phone")
    pg.fill("#time-account-search", name)
    pg.locator(".account-choice", has_text=name).click()
    pg.wait_for_url(re.compile(r"/time\?account=\d+$"))
    expect(pg.locator(".time-row")).to_have_count(2)
    expect(pg.locator("#time-total")).to_contain_text("Total 1:45")

    own = pg.locator(".time-row", has_text="Own call")
    use(pg, own.locator(".time-edit"))
    dialog = pg.locator("#edit-time-dialog")
    expect(dialog.locator("#edit-time-duration")).to_have_value("1:00")
    expect(dialog.locator("#edit-time-note")).to_have_value("Own call")
    dialog.locator("#edit-time-duration").fill("two hours")
    use(pg, dialog.locator("#save-time-edit"))
    expect(dialog.get_by_role("alert")).to_contain_text('"two hours" is not a duration')
    expect(dialog.locator("#edit-time-note")).to_have_value("Own call")
    dialog.locator("#edit-time-duration").fill("2:30")
    use(pg, dialog.locator("#save-time-edit"))
    expect(dialog).to_have_count(0)
    expect(own.locator(".time-duration")).to_have_text("2:30")
    expect(pg.locator("#time-total")).to_contain_text("Total 3:15")
    assert pg.evaluate("document.documentElement.scrollWidth") <= pg.viewport_size["width"] + 1

    # Only the other member's time; the address keeps the filter, so a reload shows the same list.
    pg.select_option("#time-member", label=other_name)
    pg.wait_for_url(re.compile(r"/time\?account=\d+&member=\d+$"))
    expect(pg.locator(".time-row")).to_have_count(1)
    expect(pg.locator(".time-row")).to_contain_text("Their review")
    expect(pg.locator("#time-total")).to_contain_text("Total 0:45")
    pg.reload()
    expect(pg.locator("#time-account")).to_have_text(name)
    expect(pg.locator(".time-row")).to_have_count(1)
    expect(pg.locator("#time-member")).to_have_value(re.compile(r"^\d+$"))

    # Deleting asks first, saying what goes; then the list says what to do with nothing left.
    use(pg, pg.locator(".time-row", has_text="Their review").locator(".time-delete"))
    expect(pg.locator("#confirm-delete-time-text")).to_contain_text("0:45")
    use(pg, pg.locator("#confirm-delete-time"))
    expect(pg.locator(".time-row")).to_have_count(0)
    expect(pg.get_by_text("No time matches these filters")).to_be_visible()


def open_tasks(pg, phone: bool) -> None:
    if phone:
        pg.click("#phone-menu")
        pg.get_by_role("menu").get_by_role("menuitem", name="Tasks").click()
    else:
        pg.get_by_role("link", name="Tasks", exact=True).first.click()
    pg.wait_for_url(re.compile(r"/tasks$"))


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_timer_on_a_task_row_stops_when_another_task_starts(size, page, phone_page, base_url):
    pg = phone_page if size == "phone" else page
    first, second = f"Reconcile the bank {size}", f"Draft the letter {size}"
    with write_session() as s:
        owner, _other = owner_and_someone(s)
        time.stop_timer(s, owner, keep_idle=True)  # whatever an earlier journey left running
        account = accounts.create_account(s, owner, name=f"Task Timers {size.title()}")
        job = jobs.create_job(s, owner, account_id=account.id, pipeline_id=s.exec(select(Pipeline)).first().id,
                              name=f"Year end {size}")
        for title in (first, second):
            tasks.create_task(s, owner, title=title, job_id=job.id, assignee_id=owner.member_id)
    log_in(pg, base_url)
    open_tasks(pg, size == "phone")
    one, two = pg.locator(".task-row", has_text=first), pg.locator(".task-row", has_text=second)
    expect(one.locator(".task-timer-running")).to_have_count(0)

    use(pg, one.locator(".task-timer-start"))
    expect(one.locator(".task-timer-running")).to_be_visible()
    expect(one.locator(".task-timer-stop")).to_be_visible()
    assert pg.evaluate("document.documentElement.scrollWidth") <= pg.viewport_size["width"] + 1

    use(pg, two.locator(".task-timer-start"))
    expect(two.locator(".task-timer-running")).to_be_visible()
    expect(one.locator(".task-timer-running")).to_have_count(0)
    expect(one.locator(".task-timer-start")).to_be_visible()
    expect(pg.locator(".task-timer-running")).to_have_count(1)

    use(pg, two.locator(".task-timer-stop"))
    expect(pg.locator(".task-timer-running")).to_have_count(0)
    # Both timers' time is on the Time page, each on its task.
    open_time(pg, size == "phone")
    expect(pg.locator("#timer-idle")).to_be_visible()
    expect(pg.locator(".time-row", has_text=first)).to_have_count(1)
    expect(pg.locator(".time-row", has_text=second)).to_have_count(1)


@pytest.fixture
def ann_in_french(harness):
    set_language("ann@example.com", "fr")
    yield
    set_language("ann@example.com", "")  # other journeys of this harness expect Ann in English


def test_the_corrections_and_the_task_timer_in_french(page, base_url, ann_in_french):
    yesterday = dt.date.today() - dt.timedelta(days=1)
    with write_session() as s:
        owner, _other = owner_and_someone(s)
        ann = Actor.of(s.exec(select(TeamMember).where(TeamMember.email == "ann@example.com")).one())
        time.stop_timer(s, ann, keep_idle=True)
        account = accounts.create_account(s, owner, name="Temps Corrigé")
        priced = next(service for service in catalog.list_services(s) if service.rate_cents)
        billed = time.add_entry(s, ann, work_date=yesterday, duration="1:00", account_id=account.id, note="Facturé",
                                service_id=priced.id)
        time.add_entry(s, ann, work_date=yesterday, duration="0:30", account_id=account.id, note="À corriger")
        wip.bill_entries(s, owner, account_id=account.id, entry_ids=[billed.id])  # a draft: nothing sent
        job = jobs.create_job(s, owner, account_id=account.id, pipeline_id=s.exec(select(Pipeline)).first().id,
                              name="Clôture")
        tasks.create_task(s, owner, title="Rapprocher la banque", job_id=job.id, assignee_id=ann.member_id)
        account_id = account.id
    log_in(page, base_url, "ann@example.com", "demo-staff-pass")
    page.goto(f"{base_url}/time?account={account_id}")
    expect(page.locator(".time-row", has_text="Facturé").locator(".time-billed")).to_have_text("Facture brouillon")
    expect(page.locator(".time-row", has_text="Facturé").locator(".time-edit")).to_have_count(0)
    french_only(page)
    use(page, page.locator(".time-row", has_text="À corriger").locator(".time-edit"))
    expect(page.locator("#edit-time-dialog")).to_contain_text("Modifier le temps")
    french_only(page)
    page.keyboard.press("Escape")
    expect(page.locator("#edit-time-dialog")).to_be_hidden()  # closed before the next button is used
    use(page, page.locator(".time-row", has_text="À corriger").locator(".time-delete"))
    expect(page.locator("#confirm-delete-time-text")).to_contain_text("0:30")
    french_only(page)
    page.keyboard.press("Escape")
    expect(page.locator("#confirm-delete-time-text")).to_be_hidden()

    page.goto(base_url + "/tasks")
    row = page.locator(".task-row", has_text="Rapprocher la banque")
    use(page, row.locator(".task-timer-start"))
    expect(row.locator(".task-timer-running")).to_have_text("Chronomètre en cours")
    french_only(page)
    use(page, row.locator(".task-timer-stop"))
    expect(row.locator(".task-timer-running")).to_have_count(0)


def french_only(page) -> None:
    found = english_on_screen(page)
    assert found == [], (page.url, found)

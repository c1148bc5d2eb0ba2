"""Events set aside, in a browser (desktop and phone): a rule's effect fails for real (the database refuses the task
it creates), the worker tries a few times and sets the event aside; the admin reaches it from her Inbox+ notice or
the Automations menu, reads why, previews the retry, fixes the cause and retries it (the task is made), and
dismisses another."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import Event, EventStatus, Notification, Pipeline, Task, TeamMember, utcnow
from practice.services import events
from practice.services.automation import rulesets
from practice.services.work import jobs, removal
from practice.services.work.pipelines import stages_of
from practice.worker import tasks as worker_tasks
from tests.e2e.conftest import log_in
from tests.factories import REFUSAL, accept_tasks_titled, demo_owner, make_account, refuse_tasks_titled

pytestmark = pytest.mark.e2e

ADMIN = ("ann@example.com", "demo-staff-pass")
TASK = "Journey set-aside check"


@pytest.fixture
def two_parked_events():
    """An account of its own with two jobs, a rule that creates a task when a job enters the pipeline's second
    stage, and the database refusing that task: both moves are tried until set aside. Everything is put back."""
    owner = demo_owner()
    with read_session() as s:
        current = rulesets.current_ruleset(s)
        rules_before = current.text if current else ""
        pipeline = s.exec(select(Pipeline).order_by(Pipeline.id)).first()
        first, second = stages_of(s, pipeline.id)[:2]
    with write_session() as s:
        account = make_account(s, owner, name=f"Set Aside Journey {utcnow():%H%M%S%f}")
        made = [jobs.create_job(s, owner, account_id=account.id, pipeline_id=pipeline.id, name=name,
                                stage_id=first.id).id for name in ("Stuck return A", "Stuck return B")]
        account_id = account.id
    with write_session() as s:
        rulesets.save_rules(s, owner, rules_before + f'\n\n# Written by the set-aside journey (removed after it).\n'
                            f'rule "Journey set aside"\nwhen job enters stage "{second.name}" in pipeline '
                            f'"{pipeline.name}"\nthen\n  create task "{TASK}"\nend\n')
    refuse_tasks_titled(TASK)
    try:
        ids = [park(owner, job_id, second.id) for job_id in made]
        yield {"jobs": made, "events": ids, "account_id": account_id}
    finally:
        accept_tasks_titled(TASK)
        with write_session() as s:
            rulesets.save_rules(s, owner, rules_before, note="restored after the set-aside journey")
        with write_session() as s:
            removal.delete_account(s, owner, account_id)
        with write_session() as s:
            for ev in s.exec(select(Event).where(Event.status == EventStatus.failed, Event.account_id == account_id)):
                ev.dismissed_at = ev.dismissed_at or utcnow()


def park(owner, job_id: int, stage_id: int) -> int:
    """Move the job (its automations fail at once), then let each wait pass and the worker's sweep try again, until
    the event is set aside."""
    with write_session() as s:
        # Ids of deleted jobs come back: only this move's event counts.
        before = s.exec(select(Event.id).order_by(Event.id.desc())).first() or 0
        jobs.move_job(s, owner, job_id, stage_id)
    mine = (Event.id > before, Event.job_id == job_id)
    for _ in range(events.MAX_ATTEMPTS):
        with write_session() as s:
            for ev in s.exec(select(Event).where(Event.status == EventStatus.pending, *mine)):
                ev.lease_until = utcnow() - dt.timedelta(seconds=1)
        worker_tasks.sweep_pending_events()
    with read_session() as s:
        ev = s.exec(select(Event).where(Event.kind == "job_moved", *mine)).one()
        assert ev.status == EventStatus.failed, "the worker did not set the event aside"
        return ev.id


def tasks_of(job_id: int) -> list[str]:
    with read_session() as s:
        return list(s.exec(select(Task.title).where(Task.job_id == job_id)))


def retry_one_and_dismiss_the_other(pg, parked: dict) -> None:
    kept, other = parked["events"]
    card, other_card = pg.locator(f"#parked-{kept}"), pg.locator(f"#parked-{other}")
    expect(card).to_contain_text("Stuck return A")
    expect(card.locator(".parked-reason")).to_contain_text(REFUSAL)
    expect(card.locator(".parked-when")).to_contain_text(f"after {events.MAX_ATTEMPTS} tries")
    expect(other_card).to_contain_text("Stuck return B")

    pg.click(f"#parked-preview-open-{kept}")
    preview = pg.locator(f"#parked-preview-{kept}")
    expect(preview).to_contain_text('Rule "Journey set aside"')
    expect(preview).to_contain_text(f'create task "{TASK}"')
    assert tasks_of(parked["jobs"][0]) == []  # the preview changed nothing

    accept_tasks_titled(TASK)  # the cause fixed
    pg.click(f"#parked-retry-{kept}")
    expect(pg.locator("#parked-done")).to_contain_text("Retried")
    expect(card).to_have_count(0)
    assert tasks_of(parked["jobs"][0]) == [TASK]

    pg.click(f"#parked-dismiss-{other}")
    expect(pg.locator("#parked-done")).to_contain_text("Dismissed")
    expect(other_card).to_have_count(0)
    pg.click("#parked-show-dismissed")
    expect(other_card.locator(".parked-dismissed")).to_contain_text("Dismissed by Ann Lee")
    assert tasks_of(parked["jobs"][1]) == []
    with read_session() as s:
        assert s.get(Event, kept).status == EventStatus.handled
        assert s.get(Event, other).status == EventStatus.failed and s.get(Event, other).dismissed_at is not None


def test_an_admin_follows_her_notice_reads_why_retries_after_the_fix_and_dismisses_another(
        page, base_url, two_parked_events):
    with read_session() as s:
        ann = s.exec(select(TeamMember).where(TeamMember.email == ADMIN[0])).one()
        note = s.exec(select(Notification).where(
            Notification.member_id == ann.id, Notification.kind == "automation_failed",
            Notification.key == f"event-set-aside|{two_parked_events['events'][0]}|{ann.id}")).one()
    log_in(page, base_url, *ADMIN)
    page.click("#inbox-badge")  # the sidebar's Inbox, with its count of unread notices
    expect(page).to_have_url(re.compile(r"/inbox$"))
    page.get_by_role("link", name=note.text).click()
    expect(page).to_have_url(re.compile(r"/automations/set-aside$"))
    expect(page.locator("#automations-nav-set-aside")).to_have_attribute("aria-current", "page")
    retry_one_and_dismiss_the_other(page, two_parked_events)


def test_on_a_phone_the_admin_reaches_it_from_the_menu(phone_page, base_url, two_parked_events):
    log_in(phone_page, base_url, *ADMIN)
    phone_page.click("#phone-menu")
    phone_page.get_by_role("menu").get_by_role("menuitem", name="Automations").click()
    expect(phone_page).to_have_url(re.compile(r"/automations/rules$"))
    phone_page.click("#automations-nav-set-aside")
    expect(phone_page).to_have_url(re.compile(r"/automations/set-aside$"))
    retry_one_and_dismiss_the_other(phone_page, two_parked_events)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px phone"

"""The staff home answers "what do I do today": an employee's task due today is listed with its job, and its link
opens the task; on a phone the page fits the screen."""
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import Job, Task, TeamMember
from practice.services.actor import Actor, account_visible
from practice.services.work import tasks, today
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
TITLE = "E2E call the Hartleys about their K-1"


def member(email: str) -> Actor:
    with read_session() as s:
        return Actor.of(s.exec(select(TeamMember).where(TeamMember.email == email)).one())


@pytest.fixture
def task_due_today():
    """A task for Bob (employee) due today on a job he may see; removed after."""
    bob = member("bob@example.com")
    with write_session() as s:
        stmt = select(Job).where(Job.archived == False).order_by(Job.id)  # noqa: E712
        visible = account_visible(bob, Job.account_id)
        job = s.exec(stmt.where(visible) if visible is not None else stmt).first()
        task = tasks.create_task(s, bob, title=TITLE, assignee_id=bob.member_id, job_id=job.id,
                                 due_date=today.firm_today(s))
        ids = {"task": task.id, "job": job.id, "job_name": job.name}
    yield ids
    with write_session() as s:
        s.delete(s.get(Task, ids["task"]))


def test_a_task_due_today_shows_on_the_home_and_its_link_opens_it(page, phone_page, base_url, task_due_today):
    # The first page a fresh test server serves can be slow to build on a busy machine.
    page.goto(base_url + "/login", timeout=90_000)
    log_in(page, base_url, "bob@example.com", "demo-staff-pass")
    mine = page.locator("#home-tasks")
    row = mine.locator(".home-task-row").filter(has_text=TITLE)
    expect(row).to_contain_text("Due today")
    expect(row.get_by_role("link", name=task_due_today["job_name"])).to_have_attribute(
        "href", f"/jobs/{task_due_today['job']}")
    expect(page.locator("#home-waiting")).to_be_visible()
    expect(page.locator("#home-activity")).to_be_visible()
    mine.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(re.compile(rf"/tasks\?task={task_due_today['task']}$"))
    expect(page.get_by_role("dialog")).to_contain_text(TITLE)

    log_in(phone_page, base_url, "bob@example.com", "demo-staff-pass")
    expect(phone_page.locator("#home-tasks").get_by_role("link", name=TITLE)).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390 + 1

"""Browser journeys through the automations' recurring jobs and run log: the owner builds a recurring
payroll job with the form, sees the rule it writes and its next 12 dates, saves and removes it; then a
failed run in the log is explained, fixed and retried."""
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import Event, OutgoingMail, Pipeline, RuleRun, RunStatus, Stage, TeamMember
from practice.services import events
from practice.services.mail import templates as mail_templates
from practice.services.automation import engine, rulesets
from practice.services.work import accounts, jobs
from practice.services.actor import Actor
from practice.worker import tasks as worker_tasks  # noqa: F401 - registers the automations' event handler
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
RULE_NAME = "E2E Monthly payroll"


def owner() -> Actor:
    with read_session() as s:
        m = s.exec(select(TeamMember).where(TeamMember.email == "owner@example.com")).one()
        return Actor(member_id=m.id, name=m.name, role=m.role)


@pytest.fixture
def restore_rules():
    """Other journeys share this database: put the rules text back and drop the mail these tests queued."""
    with read_session() as s:
        version = rulesets.current_ruleset(s)
        before = version.text if version else ""
        last_mail = s.exec(select(OutgoingMail.id).order_by(OutgoingMail.id.desc())).first() or 0
    yield before
    with write_session() as s:
        rulesets.save_rules(s, owner(), before, note="e2e clean-up")
        for m in s.exec(select(OutgoingMail).where(OutgoingMail.id > last_mail)):
            s.delete(m)


def test_owner_builds_a_recurring_job_sees_its_rule_and_dates_saves_and_removes_it(page, base_url, restore_rules):
    log_in(page, base_url)
    page.goto(base_url + "/automations/recurring")
    expect(page).to_have_url(re.compile(r"/automations/recurring$"))
    expect(page.locator("#automations-nav-runs")).to_be_visible()

    page.fill("#recurring-name", RULE_NAME)
    page.select_option("#recurring-pipeline", "Payroll")
    page.fill("#recurring-job-name", "Payroll {{ month }} {{ year }}")
    page.select_option("#recurring-frequency", "monthly")
    page.select_option("#recurring-day", "15")
    # An impossible time is explained before anything is saved.
    page.fill("#recurring-at", "25:00")
    expect(page.locator("#recurring-problems")).to_contain_text("not a time of day")
    page.fill("#recurring-at", "08:00")
    page.select_option("#recurring-accounts", "tag")
    page.select_option("#recurring-tag", "Payroll")
    page.fill("#recurring-due-amount", "5")

    preview = page.locator("#recurring-preview-text")
    expect(preview).to_contain_text(f'rule "{RULE_NAME}"')
    expect(preview).to_contain_text("every month on day 15 at 08:00")
    expect(preview).to_contain_text('for each account where account has tag "Payroll"')
    expect(preview).to_contain_text(
        'create job "Payroll {{ month }} {{ year }}" in pipeline "Payroll" for account due in 5 days')
    expect(page.locator("#recurring-problems")).to_have_count(0)
    dates = page.locator(".recurring-preview-date")
    expect(dates).to_have_count(12)
    for i in (0, 11):
        expect(dates.nth(i)).to_have_text(re.compile(r"^\w{3}, \w{3} 15, \d{4}, 8:00 AM$"))

    page.click("#recurring-save")
    expect(page.get_by_text(f'Saved "{RULE_NAME}"').first).to_be_visible()
    item = page.locator(".recurring-item", has_text=RULE_NAME)
    expect(item).to_be_visible()
    expect(item).to_contain_text("every month on day 15 at 08:00")
    expect(item.locator(".recurring-next")).to_contain_text("15 ")
    with read_session() as s:
        assert f'rule "{RULE_NAME}"' in rulesets.current_ruleset(s).text
    # The same name again is refused with the checker's own sentence.
    page.fill("#recurring-name", RULE_NAME)
    page.fill("#recurring-job-name", "Payroll again")
    expect(page.locator("#recurring-problems")).to_contain_text("already a rule named")

    item.get_by_role("button", name=f"Remove {RULE_NAME}").click()
    page.click("#recurring-remove-confirm")
    expect(page.get_by_text(f'Removed "{RULE_NAME}"').first).to_be_visible()
    expect(page.locator(".recurring-item", has_text=RULE_NAME)).to_have_count(0)
    with read_session() as s:
        assert RULE_NAME not in rulesets.current_ruleset(s).text


def _failing_run(before: str) -> tuple[int, int]:
    """A rule emails an account that has no email address: its run fails. Returns (run id, account id)."""
    actor = owner()
    with write_session() as s:
        if mail_templates.template_by_name(s, "E2E Runs notice") is None:
            mail_templates.save_template(s, actor, name="E2E Runs notice", subject="Approved", body="Your payroll is approved.")
        account = accounts.create_account(s, actor, name="E2E Runs Account", type="Company")
        pipeline = s.exec(select(Pipeline).where(Pipeline.name == "Payroll")).one()
        job = jobs.create_job(s, actor, account_id=account.id, pipeline_id=pipeline.id, name="E2E runs payroll")
        rulesets.save_rules(s, actor, before.rstrip() + '''

rule "E2E approval notice"
when job enters stage "Approve" in pipeline "Payroll"
if account.name is "E2E Runs Account"
then
  send email "E2E Runs notice" to account
end
''')
        approve = s.exec(select(Stage).where(Stage.pipeline_id == pipeline.id, Stage.name == "Approve")).one()
        account_id, job_id, approve_id = account.id, job.id, approve.id
    with write_session() as s:
        jobs.move_job(s, actor, job_id, approve_id)
    with read_session() as s:
        pending = s.exec(select(Event.id).where(Event.job_id == job_id)).all()
    for event_id in pending:
        events.handle_event(event_id, engine.handle_event)
    with read_session() as s:
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "E2E approval notice", RuleRun.job_id == job_id)).one()
        assert run.status == RunStatus.failed
        return run.id, account_id


def test_a_failed_run_is_explained_in_the_log_and_retried_after_the_fix(page, base_url, restore_rules):
    run_id, account_id = _failing_run(restore_rules)
    log_in(page, base_url)
    page.goto(base_url + "/automations/runs")
    expect(page).to_have_url(re.compile(r"/automations/runs$"))
    page.select_option("#runs-status", "failed")
    row = page.locator(f"#run-{run_id}")
    expect(row).to_contain_text("E2E approval notice")
    expect(row.locator(".run-status")).to_have_text("Failed")
    expect(row.locator(".run-reason")).to_contain_text("no contact with an email address")
    expect(row.get_by_role("link", name="E2E runs payroll")).to_have_attribute("href", re.compile(r"/jobs/\d+$"))

    page.click(f"#run-toggle-{run_id}")
    trace = page.locator(f"#run-trace-{run_id}")
    expect(trace).to_contain_text("account.name = E2E Runs Account")
    expect(trace).to_contain_text('send email "E2E Runs notice" to account')

    # Retrying before the fix says it failed again; after adding an email address it goes through.
    page.click(f"#run-retry-{run_id}")
    expect(page.locator("#retry-outcome")).to_contain_text("failed again")
    with write_session() as s:
        accounts.create_contact(s, owner(), account_ids=[account_id], first_name="Runs", last_name="Tester",
                                email="runs@e2e.example")
    page.click(f"#run-retry-{run_id}")
    expect(page.locator("#retry-outcome")).to_contain_text("ran to the end")
    page.select_option("#runs-status", "done")
    expect(page.locator(f"#run-{run_id}").locator(".run-status")).to_have_text("Done")
    with read_session() as s:
        assert s.exec(select(OutgoingMail).where(OutgoingMail.to_address == "runs@e2e.example")).first() is not None

"""Automations in a browser: write a rule with a typo, fix it from the error, try it, save it, move a job, and
see the task, the tag, the email (on a real SMTP server) and the job's automation history."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import func, select

from practice.db import read_session, write_session
from practice.models import (Account, EmailTemplate, Job, JobTag, OutgoingMail, Pipeline, RuleRun,
                             Stage, Tag, Task)
from practice.services.mail import templates as mail_templates
from practice.services.automation import rulesets
from practice.services.actor import SYSTEM
from practice.services.work.facts import account_recipients
from tests.e2e.conftest import log_in
from tests.e2e.test_board import card, column, pick_pipeline

pytestmark = pytest.mark.e2e

PIPELINE, TARGET = "Bookkeeping", "Review"
RULE = "Journey: books in review"
TEMPLATE = "Journey books in review"
TAG = "Extension"
# Line 3, column 23 is the opening quote of the misspelt stage.
TYPO_RULES = f'''# Written by the automations journey test (removed after it).
rule "{RULE}"
when job enters stage "Reveiw" in pipeline "{PIPELINE}"
if account.name is not empty
then
  create task "Journey check {{{{ account.name }}}}"
  add tag "{TAG}" to job
  send email "{TEMPLATE}" to account
end
'''
FIXED_RULES = TYPO_RULES.replace('"Reveiw"', '"Review"')


@pytest.fixture
def smtp_and_template(local_mail):
    """The local mail server (tests/e2e/conftest.py) and an email template; afterwards the rules, template and outbox
    are put back."""
    with read_session() as s:
        current = rulesets.current_ruleset(s)
        rules_before = current.text if current else ""
    with write_session() as s:
        existing = mail_templates.template_by_name(s, TEMPLATE)
        mail_templates.save_template(s, SYSTEM, name=TEMPLATE, subject="Your books are in review, {{ account.name }}",
                                     body="Dear {{ contact.first_name }},\nwe are reviewing {{ job.name }}.",
                                     template_id=existing.id if existing else None)
    try:
        yield local_mail
    finally:
        with write_session() as s:
            rulesets.save_rules(s, SYSTEM, rules_before, note="restored after the automations journey")
        with write_session() as s:
            for tpl in s.exec(select(EmailTemplate).where(EmailTemplate.name == TEMPLATE)):
                s.delete(tpl)
            # Other journeys count the outbox's rows: leave it as it was.
            for sent in s.exec(select(OutgoingMail).where(OutgoingMail.id >= local_mail.first_mail_id)):
                s.delete(sent)


def pick_job() -> tuple[int, str, str]:
    """A Bookkeeping job before Review whose account has emailable contacts and which lacks the tag."""
    with read_session() as s:
        tag_id = s.exec(select(Tag.id).where(Tag.name == TAG)).one()
        rows = s.exec(select(Job.id, Job.name, Account.id, Account.name, Stage.name)
                      .join(Account, Account.id == Job.account_id).join(Stage, Stage.id == Job.stage_id)
                      .join(Pipeline, Pipeline.id == Job.pipeline_id)
                      .where(Pipeline.name == PIPELINE, Job.archived == False,  # noqa: E712
                             Stage.name.in_(["Waiting for statements", "Categorizing", "Reconciliation"]))
                      .order_by(Job.id)).all()
        for job_id, _job_name, account_id, account_name, stage in rows:
            tagged = s.exec(select(JobTag).where(JobTag.job_id == job_id, JobTag.tag_id == tag_id)).first()
            if not tagged and account_recipients(s, account_id):
                return job_id, account_name, stage
    pytest.skip("the demo has no Bookkeeping job fit for this journey")


def footprint(job_id: int) -> tuple:
    """What a dry run must not change: the job's tasks, tags and stage, queued mail and the run log."""
    with read_session() as s:
        return (s.exec(select(func.count()).select_from(Task).where(Task.job_id == job_id)).one(),
                s.exec(select(func.count()).select_from(JobTag).where(JobTag.job_id == job_id)).one(),
                s.get(Job, job_id).stage_id,
                s.exec(select(func.count()).select_from(OutgoingMail)).one(),
                s.exec(select(func.count()).select_from(RuleRun)).one())


def caret(page) -> dict:
    return page.evaluate("(() => {const el = document.getElementById('rules-text');"
                         " return {start: el.selectionStart, end: el.selectionEnd,"
                         " focused: document.activeElement === el};})()")


def test_write_fix_try_save_then_a_move_runs_the_rule(page, base_url, smtp_and_template):
    server = smtp_and_template
    job_id, account_name, start_stage = pick_job()
    log_in(page, base_url)

    # The rules editor, from the sidebar.
    page.get_by_role("link", name="Automations").first.click()
    page.wait_for_url(re.compile(r"/automations/rules$"))
    editor = page.locator("#rules-text")
    expect(editor).to_be_visible()

    # A rule with a misspelt stage: the error names the line and column and suggests the right name.
    editor.fill(TYPO_RULES)
    first_error = page.locator(".rules-error").first
    expect(first_error.locator(".error-where")).to_have_text("3:23")
    expect(first_error).to_contain_text('no stage "Reveiw"')
    expect(first_error.locator(".error-hint")).to_contain_text('did you mean "Review"?')
    expect(page.locator("#save-rules")).to_be_disabled()
    expect(page.locator("#rules-gutter")).to_contain_text("9")

    # Clicking the error puts the caret on it, in the focused editor.
    first_error.click()
    offset = len("\n".join(TYPO_RULES.split("\n")[:2])) + 1 + 22
    page.wait_for_function(f"document.activeElement && document.activeElement.id === 'rules-text'"
                           f" && document.activeElement.selectionStart === {offset}")
    assert caret(page) == {"start": offset, "end": offset, "focused": True}

    # Fixed from the keyboard, right where the caret is.
    page.keyboard.press("ArrowRight")
    for _ in range(len("Reveiw")):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.type("Review")
    expect(editor).to_have_value(FIXED_RULES)
    expect(page.locator("#rules-ok")).to_be_visible()
    expect(page.locator(".rules-error")).to_have_count(0)
    expect(page.locator("#save-rules")).to_be_enabled()

    # Tried on the job before saving: it would fire, shows what it read and the email; nothing changes.
    before = footprint(job_id)
    page.fill("#try-job-search", account_name)
    page.locator(f'.try-job[data-job-id="{job_id}"]').click()
    expect(page.locator("#try-job-chosen")).to_contain_text(account_name)
    page.select_option("#try-stage", TARGET)
    page.click("#try-run")
    decision = page.locator(f'.try-decision[data-rule="{RULE}"]')
    expect(decision.locator(".decision-verdict")).to_have_text("would fire")
    expect(decision.locator(".part-result")).to_have_text("true")
    expect(decision.locator(".part-values")).to_contain_text(f"account.name = {account_name}")
    expect(decision.locator(".try-email")).to_contain_text(f"Subject: Your books are in review, {account_name}")
    expect(decision.locator(".try-email")).to_contain_text("To: ")
    expect(page.locator("#try-nothing-changed")).to_have_text("Nothing was changed.")
    assert footprint(job_id) == before
    assert page.url.endswith("/automations/rules")

    # Saved as a new version.
    page.fill("#rules-note", "books in review journey")
    page.click("#save-rules")
    expect(page.locator("#rules-saved")).to_have_text(re.compile(r"^Saved version \d+\.$"))
    version = int(re.search(r"\d+", page.locator("#rules-saved").inner_text()).group())
    expect(page.locator(f'.rules-version[data-version="{version}"]')).to_contain_text("books in review journey")
    with read_session() as s:
        assert rulesets.current_ruleset(s).text == FIXED_RULES

    # The job is moved on the board with its "Move to" menu.
    page.goto(base_url + "/board")
    pick_pipeline(page, PIPELINE)
    expect(column(page, start_stage).locator(f'[data-job-id="{job_id}"]')).to_be_visible()
    card(page, str(job_id)).locator(".move-to").click()
    page.get_by_role("menuitem", name=TARGET).click()
    expect(column(page, TARGET).locator(f'[data-job-id="{job_id}"]')).to_be_visible()

    # The email reached the SMTP server, for the account's contacts.
    with read_session() as s:
        job = s.get(Job, job_id)
        addresses = {c["email"].lower() for c in account_recipients(s, job.account_id)}
    subject = f"Your books are in review, {account_name}"
    received = server.wait_for(None, subject, count=len(addresses))
    assert {m["X-Envelope-To"].lower() for m in received} == addresses

    # The job page shows the task, the tag, and the run with its trace.
    page.goto(f"{base_url}/jobs/{job_id}")
    expect(page.locator("#job-name-heading")).to_be_visible()
    expect(page.locator(".job-task").filter(has_text=f"Journey check {account_name}")).to_have_count(1)
    expect(page.locator("#tags-section")).to_contain_text(TAG)
    run = page.locator(f'#job-automation-history .rule-run[data-rule="{RULE}"]').first
    expect(run.locator(".run-status")).to_have_text("done")
    expect(run).to_contain_text("job entered stage")
    expect(run.locator(".run-reason")).to_have_text("Every action ran.")
    run.locator(".run-trace-toggle").click()
    expect(run.locator(".part-values")).to_contain_text(f"account.name = {account_name}")
    outcomes = run.locator(".run-action-outcome")
    expect(outcomes.nth(0)).to_contain_text(f'Created task "Journey check {account_name}"')
    expect(outcomes.nth(1)).to_contain_text(f'Added tag "{TAG}" to the job')
    expect(outcomes.nth(2)).to_contain_text(f'Queued email "{TEMPLATE}"')
    assert page.url.endswith(f"/jobs/{job_id}")


def test_employees_get_a_sentence_not_the_rules(page, base_url):
    log_in(page, base_url, "bob@example.com", "demo-staff-pass")
    page.goto(base_url + "/automations/rules")
    expect(page.get_by_text("Only the owner or an admin can read and change the firm's automations.",
                            exact=False)).to_be_visible()
    expect(page.locator("#rules-text")).to_have_count(0)

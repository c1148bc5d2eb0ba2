"""Issue 20, finding 2 (the worker): an event whose effect keeps failing is tried a few times, each after a longer
wait, then set aside as failed with one notice to each admin; a template that fails to render fails its run with a
sentence at once, in bounded time, instead of the worker retrying the event for ever."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import Event, EventStatus, Notification, RuleRun, RunStatus, utcnow
from practice.services import events, templating
from practice.services.automation import engine, rulesets
from practice.services.mail import templates as mail_templates
from practice.services.work import jobs
from practice.services.work.pipelines import stages_of
from practice.worker import tasks as worker_tasks
from tests.factories import make_firm, make_household, make_pipeline

pytestmark = [pytest.mark.security]


def hartley_with_a_rule_that_sends_mail(monkeypatch):
    """Hartley Household (June) with a job, an admin (Ann) beside the owner, and a rule that sends the "Welcome"
    email when the job enters Review."""
    with write_session() as s:
        staff = make_firm(s, admins={"ann": "Ann Admin"}, employees={"bob": "Bob Staff"})
        owner = staff["owner"]
        pipeline = make_pipeline(s, owner, name="1040 Return", stages=("Onboarding", "Review", "Done"))
        account, _ = make_household(s, owner, "Hartley Household", "Hartley", ("June",), invite=False)
        mail_templates.save_template(s, owner, name="Welcome", subject="Welcome", body="Dear {{ contact.first_name }}")
        job = jobs.create_job(s, owner, account_id=account.id, pipeline_id=pipeline.id, name="1040 2026")
        stages = {st.name: st.id for st in stages_of(s, pipeline.id)}
        rulesets.save_rules(s, owner, 'rule "Greet"\nwhen job enters stage "Review"\nthen\n'
                                      '  send email "Welcome" to account\nend\n')
    return {"owner": owner, "job_id": job.id, "stages": stages, "admins": {owner.member_id, staff["ann"].member_id}}


pytestmark.append(pytest.mark.firm(build=hartley_with_a_rule_that_sends_mail))


def move_to_review(firm) -> None:
    with write_session() as s:
        jobs.move_job(s, firm["owner"], firm["job_id"], firm["stages"]["Review"])


def set_body(firm, body: str) -> None:
    with write_session() as s:
        tpl = mail_templates.template_by_name(s, "Welcome")
        mail_templates.save_template(s, firm["owner"], name="Welcome", subject="Welcome", body=body, template_id=tpl.id)


def unhandled(session) -> list[Event]:
    return list(session.exec(select(Event).where(Event.status != EventStatus.handled)))


@pytest.mark.parametrize("body", ["{{ '{1}'.format(1) }}", "{{ 7 ** 4000000 }}"])
def test_an_email_whose_body_fails_to_render_fails_its_run_once_with_a_sentence(firm, body):
    set_body(firm, body)
    started = time.monotonic()
    move_to_review(firm)
    assert time.monotonic() - started < getattr(templating, "CHILD_SECONDS", 3.0) + 5
    worker_tasks.sweep_pending_events()
    with read_session() as s:
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Greet")).one()
        assert run.status == RunStatus.failed and 'email "Welcome"' in run.reason, run.reason
        assert unhandled(s) == []  # nothing left for the worker to retry


def test_an_event_that_keeps_failing_is_set_aside_after_a_few_tries_and_the_admins_told_once(firm, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("the facts could not be read")

    monkeypatch.setattr(engine, "event_facts", broken)
    move_to_review(firm)  # the doorbell: first try
    waits = []
    for _ in range(events.MAX_ATTEMPTS + 2):
        with write_session() as s:
            for ev in unhandled(s):
                if ev.status == EventStatus.pending:
                    lease = ev.lease_until if ev.lease_until.tzinfo else ev.lease_until.replace(tzinfo=dt.timezone.utc)
                    waits.append(lease - utcnow())
                    ev.lease_until = utcnow() - dt.timedelta(seconds=1)  # as if the wait had passed
        worker_tasks.sweep_pending_events()
    with read_session() as s:
        (ev,) = unhandled(s)
        assert ev.status == EventStatus.failed and ev.attempts == events.MAX_ATTEMPTS
        notes = list(s.exec(select(Notification).where(Notification.kind == "automation_failed")))
    assert sorted(n.member_id for n in notes) == sorted(firm["admins"])  # one each, the employee none
    assert all("set aside" in n.text and "the facts could not be read" in n.text for n in notes)
    assert waits[0] < waits[1] < waits[2] and waits[0] > dt.timedelta(seconds=30)  # each wait longer

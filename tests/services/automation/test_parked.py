"""Events set aside: an owner or admin reads why an event's automations kept failing, sees what a retry would do,
retries it once the cause is fixed (it runs at once) or dismisses it (kept, with who and when)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from practice import i18n
from practice.db import read_session, write_session
from practice.models import AuditLog, Event, EventStatus, Notification, RuleRun, Stage, Task, utcnow
from practice.services import events
from practice.services.automation import compiled, explain, parked, rulesets
from practice.services.errors import NotFound
from practice.services.work import jobs
from practice.services.work.pipelines import stages_of
from practice.worker import tasks as worker_tasks
from tests.factories import (REFUSAL, accept_tasks_titled, make_firm, make_household, make_pipeline,
                             refuse_tasks_titled)

TASK = "Check the return"


def hartley_with_a_rule_that_makes_a_task(monkeypatch):
    """Hartley Household (June, a portal contact) with two jobs, Ann (admin), Bob (employee), and a rule that
    creates a task when a job enters Review."""
    with write_session() as s:
        staff = make_firm(s, admins={"ann": "Ann Admin"}, employees={"bob": "Bob Staff"})
        owner = staff["owner"]
        pipeline = make_pipeline(s, owner, name="1040 Return", stages=("Onboarding", "Review", "Done"))
        account, contacts = make_household(s, owner, "Hartley Household", "Hartley", ("June",), invite=False)
        first = jobs.create_job(s, owner, account_id=account.id, pipeline_id=pipeline.id, name="1040 2026")
        second = jobs.create_job(s, owner, account_id=account.id, pipeline_id=pipeline.id, name="1040 2025")
        stages = {st.name: st.id for st in stages_of(s, pipeline.id)}
        rulesets.save_rules(s, owner, f'rule "Review task"\nwhen job enters stage "Review"\nthen\n'
                                      f'  create task "{TASK}"\nend\n')
    return {"owner": owner, "ann": staff["ann"], "bob": staff["bob"], "jobs": [first.id, second.id],
            "stages": stages, "contact_id": contacts[0].id}


pytestmark = pytest.mark.firm(build=hartley_with_a_rule_that_makes_a_task)


def park(firm, job_id: int) -> int:
    """Move the job to Review while the database refuses the rule's task, and let the worker try until it sets the
    event aside (each wait passed at once)."""
    with write_session() as s:
        jobs.move_job(s, firm["owner"], job_id, firm["stages"]["Review"])
    for _ in range(events.MAX_ATTEMPTS):
        with write_session() as s:
            for ev in s.exec(select(Event).where(Event.status == EventStatus.pending)):
                ev.lease_until = utcnow() - dt.timedelta(seconds=1)
        worker_tasks.sweep_pending_events()
    with read_session() as s:
        ev = s.exec(select(Event).where(Event.job_id == job_id, Event.kind == "job_moved")).one()
        assert ev.status == EventStatus.failed
        return ev.id


def tasks_made() -> list[Task]:
    with read_session() as s:
        return list(s.exec(select(Task).where(Task.title == TASK)))


def test_an_admin_reads_why_an_event_was_set_aside_and_the_notice_leads_there(firm):
    refuse_tasks_titled(TASK)
    event_id = park(firm, firm["jobs"][0])
    with read_session() as s:
        (item,) = parked.list_parked(s, firm["ann"])
        note = s.exec(select(Notification).where(Notification.kind == "automation_failed",
                                                 Notification.member_id == firm["ann"].member_id)).one()
    assert item.id == event_id and item.job_name == "1040 2026" and item.account_name == "Hartley Household"
    assert item.trigger == 'The job moved from "Onboarding" to "Review"'
    assert REFUSAL in item.reason and item.tries == events.MAX_ATTEMPTS and item.parked_at is not None
    assert note.link == "/automations/set-aside"


def test_the_preview_names_the_job_the_trigger_and_the_rule_a_retry_would_run(firm):
    refuse_tasks_titled(TASK)
    event_id = park(firm, firm["jobs"][0])
    with read_session() as s:
        preview = parked.preview_retry(s, firm["owner"], event_id)
    assert preview.job_name == "1040 2026" and "Review" in preview.trigger
    (rule,) = [r for r in preview.rules if r.fires]
    assert rule.rule == "Review task" and rule.actions == [f'create task "{TASK}"'] and not preview.problem
    assert tasks_made() == []  # a preview changes nothing


def test_a_retry_after_the_fix_runs_at_once_and_is_audited(firm):
    refuse_tasks_titled(TASK)
    event_id = park(firm, firm["jobs"][0])
    accept_tasks_titled(TASK)
    with write_session() as s:
        parked.retry_event(s, firm["ann"], event_id)
    with read_session() as s:
        ev = s.get(Event, event_id)
        assert ev.status == EventStatus.handled and ev.attempts == 1  # tries counted from zero again
        assert parked.list_parked(s, firm["ann"]) == []
        audit = s.exec(select(AuditLog).where(AuditLog.entity == "event", AuditLog.action == "retry")).one()
    assert [t.job_id for t in tasks_made()] == [firm["jobs"][0]]
    assert audit.actor_id == firm["ann"].member_id and audit.entity_label == "1040 2026"


def test_a_retry_that_fails_again_starts_its_tries_over(firm):
    refuse_tasks_titled(TASK)
    event_id = park(firm, firm["jobs"][0])
    with write_session() as s:
        parked.retry_event(s, firm["owner"], event_id)
    with read_session() as s:
        ev = s.get(Event, event_id)
    assert ev.status == EventStatus.pending and ev.attempts == 1 and REFUSAL in ev.last_error
    assert ev.lease_until is not None  # waits a minute before the next try, as a first failure does


def test_a_dismissed_event_is_kept_with_who_and_when_and_never_runs(firm):
    refuse_tasks_titled(TASK)
    kept, dismissed = park(firm, firm["jobs"][0]), park(firm, firm["jobs"][1])
    with write_session() as s:
        parked.dismiss_event(s, firm["ann"], dismissed)
    accept_tasks_titled(TASK)
    worker_tasks.sweep_pending_events()
    with read_session() as s:
        assert [p.id for p in parked.list_parked(s, firm["owner"])] == [kept]
        (gone,) = parked.list_parked(s, firm["owner"], dismissed=True)
        assert s.get(Event, dismissed).status == EventStatus.failed
        assert s.exec(select(AuditLog).where(AuditLog.entity == "event", AuditLog.action == "dismiss")).one()
    assert gone.id == dismissed and gone.dismissed_by == "Ann Admin" and gone.dismissed_at is not None
    assert tasks_made() == []
    with write_session() as s, pytest.raises(Exception, match="already dismissed"):
        parked.dismiss_event(s, firm["ann"], dismissed)


def test_only_events_set_aside_can_be_retried_or_dismissed(firm):
    with write_session() as s:
        jobs.move_job(s, firm["owner"], firm["jobs"][0], firm["stages"]["Review"])
    with read_session() as s:
        handled = s.exec(select(Event.id).where(Event.kind == "job_moved")).one()
    for action in (parked.retry_event, parked.dismiss_event, parked.preview_retry):
        for event_id in (handled, 10 ** 30, "x", None):
            with write_session() as s, pytest.raises(NotFound):
                action(s, firm["owner"], event_id)



def test_stale_rules_are_told_in_each_readers_language_whoever_met_them_first(firm):
    """The process keeps the compiled rules (and their problem) for every reader: the problem is kept as words and
    told where it is shown, so the French member who met it first does not leave it in French for the English one."""
    with write_session() as s:
        s.get(Stage, firm["stages"]["Review"]).name = "Checking"  # the saved rule names a stage no longer there
    with read_session() as s, i18n.using_locale("fr"):
        french = compiled.told_problem(compiled.compiled_rules(s)[2])
    with read_session() as s, i18n.using_locale("en"):
        english = compiled.told_problem(compiled.compiled_rules(s)[2])
    assert french == ("Les règles enregistrées ne correspondent plus aux noms du cabinet (ligne 2 : aucun processus "
                      "n'a d'étape « Review »). Ouvrez l'éditeur de règles, corrigez-les et enregistrez.")
    assert english == ("The saved rules no longer match the firm's names (line 2: there is no stage \"Review\" in any "
                       "pipeline). Open the rules editor, fix them and save.")
    # An event met with the stale rules fails its run with the problem as the reason, told to each reader.
    with write_session() as s:
        jobs.move_job(s, firm["owner"], firm["jobs"][0], firm["stages"]["Done"])
    with i18n.using_locale("fr"):
        worker_tasks.sweep_pending_events()
    with read_session() as s:
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "(rules)")).one()
        with i18n.using_locale("en"):
            assert explain.told_reason(run) == english
        with i18n.using_locale("fr"):
            assert explain.told_reason(run) == french

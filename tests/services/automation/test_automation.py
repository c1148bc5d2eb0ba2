"""Automations end to end through the services: rules saved, events handled, effects exactly once."""
import datetime as dt
import sqlite3
import threading

import pytest
from sqlmodel import select

import rules
from practice import db, i18n, warm_sandbox
from practice.db import read_session, write_session
from practice.models import (ActionEffect, AuditLog, Due, Event, Job, JobTag, MailStatus, Notification, OutgoingMail,
                             RuleRun, ScheduleState,
                             RunStatus, Task)
from practice.services import events
from practice.services.mail import settings as mail_settings, templates as mail_templates
from practice.services.automation import actions, compiled, delays, engine, preview, rulesets, runlog, schedules, triggers
from practice.state import run_views
from practice.services.work import accounts, jobs
from practice.services.organizers import templates as organizer_templates
from practice.services.work.pipelines import stages_of
from practice.worker import tasks as worker_tasks
from tests.factories import make_account, make_firm, make_household, make_pipeline, make_tag

STAGES = ("Onboarding", "Waiting for info", "Preparation", "Review", "Filed", "Done")


def hartley_with_a_job_and_tags(monkeypatch):
    """Hartley Household (June) with a job in a six-stage pipeline, the tags VIP and Needs review, and a Welcome
    email template; Ann Lee is an employee."""
    with write_session() as s:
        staff = make_firm(s, employees={"ann": "Ann Lee"})
        actor = staff["owner"]
        pipeline = make_pipeline(s, actor, name="1040 Return", stages=STAGES)
        make_tag(s, actor, "VIP")
        make_tag(s, actor, "Needs review")
        account, _ = make_household(s, actor, "Hartley Household", "Hartley", ("June",), invite=False)
        mail_templates.save_template(s, actor, name="Welcome", subject="Welcome, {{ account.name }}",
                           body="Dear {{ contact.first_name }}, your job {{ job.name }} has started.")
        job = jobs.create_job(s, actor, account_id=account.id, pipeline_id=pipeline.id, name="1040 2026")
        stage_ids = {st.name: st.id for st in stages_of(s, pipeline.id)}
    return {"actor": actor, "owner_id": actor.member_id, "pipeline_id": pipeline.id, "account_id": account.id,
            "job_id": job.id, "stages": stage_ids}


pytestmark = pytest.mark.firm(build=hartley_with_a_job_and_tags)


def save(actor, text):
    with write_session() as s:
        return rulesets.save_rules(s, actor, text)


def move(firm, stage):
    with write_session() as s:
        jobs.move_job(s, firm["actor"], firm["job_id"], firm["stages"][stage])


RULES = '''
rule "Review checklist"
when job enters stage "Review" in pipeline "1040 Return"
if account.type is "Individual" and job.priority is not "Low"
then
  create task "Review {{ account.name }}" for "Ann Lee" due in 2 days
  add tag "Needs review" to job
  send email "Welcome" to account
  notify "Olivia Park" "{{ job.name }} is ready for review"
end
'''


def test_a_typo_is_refused_with_its_line_and_hint(firm):
    with pytest.raises(rulesets.RulesInvalid) as err:
        save(firm["actor"], RULES.replace('"Review" in', '"Reveiw" in'))
    (e,) = err.value.errors
    assert e["line"] == 3 and 'no stage "Reveiw"' in e["message"] and '"Review"' in e["hint"]
    with read_session() as s:
        assert rulesets.current_ruleset(s) is None


def test_entering_a_stage_runs_every_action_once_and_logs_why(firm):
    save(firm["actor"], RULES)
    move(firm, "Review")
    with read_session() as s:
        task = s.exec(select(Task).where(Task.job_id == firm["job_id"])).one()
        assert task.title == "Review Hartley Household"
        assert len(s.exec(select(JobTag).where(JobTag.job_id == firm["job_id"])).all()) == 1
        (queued,) = s.exec(select(OutgoingMail)).all()
        assert queued.to_address == "june@hartley.example" and queued.subject == "Welcome, Hartley Household"
        assert "Dear June" in queued.body
        note = s.exec(select(Notification)).one()
        assert note.text == "1040 2026 is ready for review" and note.link == f"/jobs/{firm['job_id']}"
        runs = runlog.runs_for_job(s, firm["actor"], firm["job_id"])
        run = next(r for r in runs if r.rule_name == "Review checklist")
        assert run.status == RunStatus.done
        assert [p["result"] for p in run.conditions] == [True, True]
        assert run.conditions[0]["values"] == {"account.type": "Individual"}
        assert [a["status"] for a in run.actions] == ["done"] * 4
    # Handling the same event again changes nothing.
    with read_session() as s:
        event_id = max(e.id for e in s.exec(select(events.Event)).all())
    assert events.handle_event(event_id, engine.handle_event) is False
    with read_session() as s:
        assert len(s.exec(select(Task)).all()) == 1 and len(s.exec(select(OutgoingMail)).all()) == 1


def test_a_rule_whose_condition_is_false_says_which_part(firm):
    save(firm["actor"], RULES.replace('is not "Low"', 'is "Low"'))
    move(firm, "Review")
    with read_session() as s:
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Review checklist")).one()
        assert run.status == RunStatus.not_fired
        assert run.conditions[-1]["result"] is False and run.conditions[-1]["values"] == {"job.priority": "Medium"}
        assert s.exec(select(Task)).all() == []


def test_the_effect_key_stops_a_repeat_even_when_the_run_is_replayed(firm):
    save(firm["actor"], RULES)
    move(firm, "Review")
    with write_session() as s:
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Review checklist")).one()
        run.status = RunStatus.failed  # as if the worker had died before the end
    with write_session() as s:
        runlog.retry_run(s, firm["actor"], run.id)
    with read_session() as s:
        assert len(s.exec(select(Task)).all()) == 1
        assert len(s.exec(select(OutgoingMail)).all()) == 1
        assert len(s.exec(select(ActionEffect)).all()) == 4


def test_a_failed_action_stops_the_rule_and_can_be_retried_after_the_fix(firm):
    save(firm["actor"], '''
rule "Greet"
when job enters stage "Waiting for info"
then
  send email "Welcome" to account
  add tag "VIP" to account
end
''')
    with write_session() as s:
        contact = s.exec(select(accounts.Contact)).one()
        contact.email = ""
    move(firm, "Waiting for info")
    with read_session() as s:
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Greet")).one()
        assert run.status == RunStatus.failed
        assert "no contact with an email address" in run.reason
        assert run.actions[1]["status"] == "planned"  # never ran
    with write_session() as s:
        s.exec(select(accounts.Contact)).one().email = "june@hartley.example"
    with write_session() as s:
        runlog.retry_run(s, firm["actor"], run.id)
    with read_session() as s:
        run = s.get(RuleRun, run.id)
        assert run.status == RunStatus.done
        assert len(s.exec(select(OutgoingMail)).all()) == 1


def test_moves_by_rules_fire_further_rules_and_a_loop_stops_at_the_chain_limit(firm):
    save(firm["actor"], '''
rule "Forward"
when job enters stage "Preparation"
then
  move job to stage "Review"
end

rule "Back"
when job enters stage "Review"
then
  move job to stage "Preparation"
end
''')
    move(firm, "Preparation")
    with read_session() as s:
        runs = s.exec(select(RuleRun).order_by(RuleRun.id)).all()
        assert len([r for r in runs if r.status == RunStatus.done]) == triggers.CHAIN_LIMIT
        stopped = runs[-1]
        assert stopped.status == RunStatus.failed and "chain of more than 10" in stopped.reason


def test_actions_not_built_yet_are_accepted_skipped_and_explained(firm, monkeypatch):
    # Organizers are built now; the path is the one an action still missing (an invoice) takes.
    monkeypatch.setitem(actions.ACTIONS, "send_organizer", actions.NotBuilt("organizers"))
    monkeypatch.setitem(actions.NOT_AVAILABLE, "send_organizer", "organizers")
    with write_session() as s:
        organizer_templates.create_template(s, firm["actor"], "1040 Organizer")
    version, warnings = save(firm["actor"], '''
rule "Organizer"
when job enters stage "Waiting for info"
then
  send organizer "1040 Organizer" to account with reminders every 3 days
  add tag "VIP" to job
end
''')
    assert warnings == ['Rule "Organizer", line 5: organizers are not available yet, so "send organizer" will be '
                        "skipped and the run log will say so."]
    move(firm, "Waiting for info")
    with read_session() as s:
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Organizer")).one()
        assert run.status == RunStatus.done
        assert run.actions[0]["status"] == "skipped" and "Not available yet" in run.actions[0]["outcome"]
        assert run.actions[1]["status"] == "done"
        assert len(s.exec(select(JobTag)).all()) == 1


def test_a_delayed_action_waits_and_is_dropped_when_the_condition_no_longer_holds(firm):
    save(firm["actor"], '''
rule "Chase"
when job enters stage "Waiting for info"
if job.stage is "Waiting for info"
then
  after 2 days add tag "VIP" to job
  notify "Ann Lee" "chasing {{ account.name }}"
end
''')
    move(firm, "Waiting for info")
    with read_session() as s:
        due = s.exec(select(Due)).one()
        assert due.status == "pending"
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Chase")).one()
        assert run.status == RunStatus.waiting
        assert [a["status"] for a in run.actions] == ["waiting", "done"]
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3)
    with write_session() as s:
        assert delays.run_due_actions(s, now=dt.datetime.now(dt.timezone.utc)) == 0  # not yet
    with write_session() as s:
        assert delays.run_due_actions(s, now=later) == 1
    with read_session() as s:
        assert len(s.exec(select(JobTag)).all()) == 1
        assert s.exec(select(RuleRun).where(RuleRun.rule_name == "Chase")).one().status == RunStatus.done
    # Second time: the job has moved on before the delay ends, so the action is dropped.
    with write_session() as s:
        s.exec(select(Due)).one().status = "pending"
        s.exec(select(Due)).one().key = "other"
    move(firm, "Preparation")
    with write_session() as s:
        delays.run_due_actions(s, now=later)
        assert s.exec(select(Due)).one().status == "dropped"


def test_a_schedule_creates_jobs_once_per_occurrence_and_catches_up_once(firm):
    with write_session() as s:
        make_account(s, firm["actor"], name="Second Account")
    save(firm["actor"], '''
rule "Monthly bookkeeping"
every day at 07:00
for each account where account.type is "Individual"
then
  create job "Books {{ month }} {{ year }}" in pipeline "1040 Return" for account due in 15 days
end
''')
    start = dt.datetime.now(dt.timezone.utc)
    with write_session() as s:
        assert schedules.run_schedules(s, now=start) == 0  # nothing due the moment it was saved
    three_days_later = start + dt.timedelta(days=3, hours=1)
    with write_session() as s:
        assert schedules.run_schedules(s, now=three_days_later) == 1  # three missed runs, caught up once
    with write_session() as s:
        assert schedules.run_schedules(s, now=three_days_later) == 0
    with read_session() as s:
        created = s.exec(select(Job).where(Job.name.like("Books %"))).all()
        assert len(created) == 2
        assert all(j.due_date is not None for j in created)


def test_a_for_each_schedule_writes_each_accounts_job_with_its_run_audit_and_event_once(firm):
    with write_session() as s:
        for name, kind in (("Ada Moss", "Individual"), ("Acme Inc", "Company"), ("Bo Chen", "Individual")):
            make_account(s, firm["actor"], name=name, type=kind)
    save(firm["actor"], '''
rule "Monthly bookkeeping"
every day at 07:00
for each account where account.type is "Individual"
then
  create job "Books {{ account.name }} {{ year }}" in pipeline "1040 Return" for account due in 15 days
end
''')
    start = dt.datetime.now(dt.timezone.utc)
    with write_session() as s:
        schedules.run_schedules(s, now=start)
    later = start + dt.timedelta(days=1, hours=1)
    with write_session() as s:
        assert schedules.run_schedules(s, now=later) == 1
    with read_session() as s:
        created = {j.name: j for j in s.exec(select(Job).where(Job.name.like("Books %"))).all()}
        assert sorted(name.rsplit(" ", 1)[0] for name in created) == [  # Acme Inc is a company
            "Books Ada Moss", "Books Bo Chen", "Books Hartley Household"]
        for job in created.values():
            [audit] = s.exec(select(AuditLog).where(AuditLog.entity == "job", AuditLog.entity_id == job.id)).all()
            assert (audit.account_id, audit.entity_label) == (job.account_id, job.name)
            [event] = s.exec(select(Event).where(Event.kind == "job_created", Event.job_id == job.id)).all()
            assert event.payload["recurrence"] == "Monthly bookkeeping" and event.account_id == job.account_id
            [run] = s.exec(select(RuleRun).where(RuleRun.account_id == job.account_id)).all()
            assert run.status == RunStatus.done and run.conditions[0]["values"] == {"account.type": "Individual"}
            assert run.actions[0]["outcome"] == f'Created job "{job.name}" in 1040 Return'
    # The same occurrence swept again (its state lost): every job is already there, none is made twice.
    with write_session() as s:
        s.get(ScheduleState, "Monthly bookkeeping").last_run_at = start
    with write_session() as s:
        assert schedules.run_schedules(s, now=later) == 1
    with read_session() as s:
        assert len(s.exec(select(Job).where(Job.name.like("Books %"))).all()) == 3
        again = s.exec(select(RuleRun).where(RuleRun.rule_name == "Monthly bookkeeping")).all()[3:]
        assert [r.actions[0]["outcome"] for r in again] == ["already done before"] * 3

def test_try_on_a_job_shows_values_and_rendered_email_and_changes_nothing(firm):
    result = None
    with write_session() as s:
        mail_templates.save_template(s, firm["actor"], name="Ping", subject="Hi {{ account.name }}", body="Job {{ job.name }}")
    with read_session() as s:
        result = preview.try_on_job(s, firm["actor"], RULES.replace('"Welcome"', '"Ping"'), firm["job_id"],
                                       "job_entered_stage", stage="Review")
    (decision,) = result["decisions"]
    assert decision["fired"] is True
    email = next(a for a in decision["actions"] if a["action"] == "send_email")
    assert "Subject: Hi Hartley Household" in email["outcome"] and "Job 1040 2026" in email["outcome"]
    with read_session() as s:
        assert s.exec(select(Task)).all() == [] and s.exec(select(OutgoingMail)).all() == []
        assert s.exec(select(RuleRun)).all() == []


def test_try_on_a_job_tells_a_french_reader_why_in_french(firm):
    """The dry run's reasons come from rules/, which knows no language: the app tells them in the reader's."""
    text = RULES + 'rule "When done"\nwhen job enters stage "Done" in pipeline "1040 Return"\nthen archive job end\n'
    with read_session() as s, i18n.using_locale("fr"):
        result = preview.try_on_job(s, firm["actor"], text, firm["job_id"], "job_entered_stage", stage="Review")
    reasons = {d["rule"]: d["reason"] for d in result["decisions"]}
    assert result["event"] == "entre dans son étape actuelle"
    assert reasons["When done"] == "l'étape est « Review », pas « Done »"
    email = next(a for a in result["decisions"][0]["actions"] if a["action"] == "send_email")
    assert email["outcome"].startswith("À : june@hartley.example\nObjet : Welcome, Hartley Household")


def test_the_worker_delivers_the_automation_email_to_a_real_smtp_server(firm):
    from tests.smtp import SMTPServer

    save(firm["actor"], RULES)
    with SMTPServer() as server:
        with write_session() as s:
            mail_settings.update_settings(s, firm["actor"], host="127.0.0.1", port=server.port, security="none",
                                 username="", from_address="office@example.com")
        move(firm, "Review")  # immediate-mode doorbell: handled and delivered in this process
        (msg,) = server.wait_for(1)
        assert msg["Subject"] == "Welcome, Hartley Household"
    with read_session() as s:
        assert s.exec(select(OutgoingMail)).one().status == MailStatus.sent


def test_the_sweep_runs_what_is_due(firm):
    assert worker_tasks.sweep_once()["events"] == 0


def test_apply_folder_template_runs_on_a_stage_and_a_client_upload_starts_document_rules(firm, tmp_path, monkeypatch):
    from practice.models import Folder
    from practice.services.documents import files as document_files, folder_templates
    from practice.services.actor import contact_actor
    from tests.factories.hostile_pdfs import normal_pdf

    monkeypatch.setenv("PRACTICE_DATA_DIR", str(tmp_path / "data"))
    with write_session() as s:
        folder_templates.save_folder_template(s, firm["actor"], name="Individual", paths="2026/Tax returns\n2026/Source")
    version, warnings = save(firm["actor"], '''
rule "Folders"
when job enters stage "Preparation" in pipeline "1040 Return"
then
  apply folder template "Individual"
end

rule "Client sent a return"
when document is uploaded
if document.folder is "Tax returns"
then
  notify "Olivia Park" "{{ contact.first_name }} uploaded {{ document.name }}"
end
''')
    assert warnings == []
    move(firm, "Preparation")
    with read_session() as s:
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Folders")).one()
        assert run.status == RunStatus.done, run.actions
        assert run.actions[0]["outcome"] == 'Applied folder template "Individual" (3 new folders)'
        folder = s.exec(select(Folder).where(Folder.name == "Tax returns")).one()
        june = contact_actor(s, s.exec(select(accounts.Contact)).one().id)
    document_files.upload(june, firm["account_id"], folder.id, "1040.pdf", normal_pdf())
    with read_session() as s:
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Client sent a return")).one()
        assert run.status == RunStatus.done, (run.reason, run.conditions)
        assert s.exec(select(Notification).where(Notification.kind == "notify")).one().text == "June uploaded 1040.pdf"


def test_a_rule_naming_a_folder_template_that_does_not_exist_is_refused(firm):
    with pytest.raises(rulesets.RulesInvalid):
        save(firm["actor"], '''
rule "Folders"
when job enters stage "Preparation"
then
  apply folder template "Nope"
end
''')


def test_request_approval_runs_now_and_fails_with_a_sentence_without_the_folder(firm):
    save(firm["actor"], '''
rule "Approve drafts"
when job enters stage "Review" in pipeline "1040 Return"
then
  request approval of folder "Drafts" from account with reminders every 2 days up to 3 times
end
''')
    with read_session() as s:
        assert rulesets.unavailable(compiled.compiled_rules(s)[1]) == []
    move(firm, "Review")
    with read_session() as s:
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Approve drafts")).one()
        assert run.status == RunStatus.failed
        assert run.reason == 'The account "Hartley Household" has no folder "Drafts", so no approval was asked.'


def test_every_action_the_rules_can_plan_has_an_effect_or_says_it_is_not_built_yet():
    assert sorted(actions.ACTIONS) == sorted(rules.ACTION_NAMES)
    for name, action in actions.ACTIONS.items():
        assert callable(action) or isinstance(action, actions.NotBuilt), name
    assert actions.NOT_AVAILABLE == {}


_PROBING = threading.Lock()


def _write_lock_taken() -> bool:
    """True when another connection holds the database's write lock (tried without waiting): SQLite's own, or on
    PostgreSQL the advisory lock every write transaction takes first (practice.db). One probe at a time: the
    worker renders two templates at once, and two probes would take each other for the worker."""
    with _PROBING:
        engine_ = db.get_engine()
        if engine_.dialect.name == "postgresql":
            with engine_.connect() as probe:
                return not probe.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({db.WRITE_LOCK_KEY})").scalar()
        conn = sqlite3.connect(engine_.url.database, timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            conn.close()


def test_the_worker_fills_in_no_template_while_it_holds_the_write_lock(firm, monkeypatch):
    # A render waits for a child process (seconds on a busy machine); every save would wait for it too.
    save(firm["actor"], RULES)
    with write_session() as s:
        more = [jobs.create_job(s, firm["actor"], account_id=firm["account_id"], pipeline_id=firm["pipeline_id"],
                                name=f"1040 202{n}").id for n in (7, 8)]
    renders: list[bool] = []
    real = warm_sandbox._ask  # the one call that waits for a child, before this change and after

    def watched(*asked):
        renders.append(_write_lock_taken())
        return real(*asked)

    monkeypatch.setattr(warm_sandbox, "_ask", watched)
    monkeypatch.setattr(events, "_doorbell", None)  # the three moves' events are handled together below
    with write_session() as s:
        for job_id in (firm["job_id"], *more):
            jobs.move_job(s, firm["actor"], job_id, firm["stages"]["Review"])
    with read_session() as s:
        pending = events.pending_event_ids(s)
    assert engine.handle_events(pending) == len(pending)
    assert renders == [False] * 6  # one child per text (each mail's subject and body), none under the lock
    with read_session() as s:
        mails = s.exec(select(OutgoingMail)).all()
        assert sorted(m.subject for m in mails) == ["Welcome, Hartley Household"] * 3
        assert len({m.body for m in mails}) == 3 and len(s.exec(select(Task)).all()) == 3
        assert {r.status for r in s.exec(select(RuleRun).where(RuleRun.rule_name == "Review checklist"))} == {
            RunStatus.done}
        assert {ev.status for ev in s.exec(select(events.Event).where(events.Event.id.in_(pending)))} == {
            events.EventStatus.handled}


def test_the_sweep_fills_in_a_delayed_mail_while_it_holds_no_write_lock(firm, monkeypatch):
    # The minute sweep's delayed actions (and its schedules, reminders and chat notices) write in one transaction;
    # a template filled in there would keep every save waiting for its child.
    save(firm["actor"], '''
rule "Welcome later"
when job enters stage "Review"
then
  after 2 days send email "Welcome" to account
end
''')
    monkeypatch.setattr(events, "_doorbell", None)
    with write_session() as s:
        jobs.move_job(s, firm["actor"], firm["job_id"], firm["stages"]["Review"])
    with read_session() as s:
        pending = events.pending_event_ids(s)
    engine.handle_events(pending)
    renders: list[bool] = []
    real = warm_sandbox._ask

    def watched(*asked):
        renders.append(_write_lock_taken())
        return real(*asked)

    monkeypatch.setattr(warm_sandbox, "_ask", watched)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3)
    assert events.write_rendering_outside(lambda s: delays.run_due_actions(s, now=later)) == 1
    assert renders == [False, False]  # the mail's subject and body, each in a child, neither under the lock
    with read_session() as s:
        assert [m.subject for m in s.exec(select(OutgoingMail))] == ["Welcome, Hartley Household"]
        assert s.exec(select(Due)).one().status != "pending"


def test_the_run_log_tells_each_reader_why_in_their_own_language(firm):
    """The worker writes a run once, in no one's language; the job page tells each reader what happened and why in
    theirs (issue 14): a French member reads the outcomes, the reason a rule did not fire and the value "empty" in
    French, an English one in English, from the same rows."""
    save(firm["actor"], RULES + '''
rule "Dated"
when job enters stage "Review" in pipeline "1040 Return"
if job.due_date is before 2030-01-01
then archive job
end

rule "Greet"
when job enters stage "Filed" in pipeline "1040 Return"
then send email "Welcome" to account
end
''')
    move(firm, "Review")
    with write_session() as s:
        s.exec(select(accounts.Contact)).one().email = ""
    move(firm, "Filed")
    with read_session() as s:
        runs = runlog.runs_for_job(s, firm["actor"], firm["job_id"])
    read = {}
    for language in ("fr", "en"):
        with i18n.using_locale(language):
            read[language] = {item.rule: item for item in run_views.run_items(runs, "UTC", can_retry=True)}
    fr, en = read["fr"], read["en"]
    assert [a.outcome for a in fr["Review checklist"].actions] == [
        "Tâche « Review Hartley Household » créée pour Ann Lee", "Étiquette \"Needs review\" ajoutée à la mission",
        "E-mail « Welcome » mis en file d'envoi pour june@hartley.example", "Olivia Park a été prévenu(e)"]
    assert [a.outcome for a in en["Review checklist"].actions] == [
        'Created task "Review Hartley Household" for Ann Lee', 'Added tag "Needs review" to the job',
        'Queued email "Welcome" to june@hartley.example', "Notified Olivia Park"]
    # Why "Dated" did not fire, and what it read: the job has no due date.
    assert fr["Dated"].reason == "la condition if n'est pas remplie" and fr["Dated"].parts[0].reads == "job.due_date = vide"
    assert en["Dated"].reason == "the if condition is not met" and en["Dated"].parts[0].reads == "job.due_date = empty"
    # A failed action: the run's reason and the action's sentence.
    assert fr["Greet"].reason == fr["Greet"].actions[0].outcome == \
        "Le dossier n'a aucun contact avec une adresse e-mail : rien n'a été envoyé."
    assert en["Greet"].reason == "The account has no contact with an email address, so nothing was sent."


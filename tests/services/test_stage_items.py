"""`when stage items are completed`: once every client-facing item made for the job in its current stage is
complete, the event fires (once per stay in the stage) and the firm's rule moves the job on."""
import datetime as dt

import pytest

from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import ClientTask, Event, Job, RuleRun, RunStatus, Stage
from practice.services.automation import rulesets
from practice.services.portal import client_tasks, logins
from practice.services.work import jobs
from tests.services.portal.test_portal import jones_and_smith_households, log_in, onboard

pytestmark = pytest.mark.firm(build=jones_and_smith_households)

AUTOMOVE = '''
rule "Automove"
when stage items are completed
then
  move job to next stage
end
'''


def stage_name(job_id):
    with read_session() as s:
        return s.get(Stage, s.get(Job, job_id).stage_id).name


def add_task(firm, title):
    with write_session() as s:
        return client_tasks.create_client_task(s, firm["actor"], firm["jones_job"], title=title).id


def amy(firm):
    onboard(firm, firm["amy"], "amy@jones.example")
    with write_session() as s:
        return logins.switch_account(s, log_in("amy@jones.example"), firm["jones"])


def test_the_job_moves_on_once_the_stage_items_are_done(firm):
    with write_session() as s:
        rulesets.save_rules(s, firm["actor"], AUTOMOVE)
    first, second = add_task(firm, "Upload your W-2"), add_task(firm, "Upload your ID")
    me = amy(firm)
    with write_session() as s:
        client_tasks.complete_client_task(s, me, first)
    assert stage_name(firm["jones_job"]) == "Onboarding"  # one item still open
    with write_session() as s:
        client_tasks.complete_client_task(s, me, second)
    with read_session() as s:
        (ev,) = s.exec(select(Event).where(Event.kind == "stage_items_completed")).all()
        assert ev.job_id == firm["jones_job"] and ev.payload["contact_id"] == firm["amy"]
        assert s.exec(select(RuleRun).where(RuleRun.rule_name == "Automove")).one().status == RunStatus.done
    assert stage_name(firm["jones_job"]) == "Preparation"


def test_items_of_an_earlier_stage_do_not_hold_the_job(firm):
    old = add_task(firm, "Sign the engagement letter")
    with write_session() as s:  # an item from an earlier stay: the job moved on without it
        s.get(ClientTask, old).created_at -= dt.timedelta(days=3)
        s.get(Job, firm["jones_job"]).entered_stage_at -= dt.timedelta(days=1)
    with write_session() as s:
        rulesets.save_rules(s, firm["actor"], AUTOMOVE)
    new = add_task(firm, "Upload your 1099")
    me = amy(firm)
    with write_session() as s:
        client_tasks.complete_client_task(s, me, new)
    assert stage_name(firm["jones_job"]) == "Preparation"


def test_no_items_means_nothing_to_wait_for_and_it_fires_once_per_stay(firm):
    with write_session() as s:
        rulesets.save_rules(s, firm["actor"], AUTOMOVE)
    with read_session() as s:
        assert not s.exec(select(Event).where(Event.kind == "stage_items_completed")).first()
    task = add_task(firm, "Upload your W-2")
    me = amy(firm)
    with write_session() as s:
        client_tasks.complete_client_task(s, me, task)
        client_tasks.reopen_client_task(s, firm["actor"], task)
    with write_session() as s:
        client_tasks.complete_client_task(s, me, task)  # the job is in a new stage now: that task is not its item
    with read_session() as s:
        assert len(s.exec(select(Event).where(Event.kind == "stage_items_completed")).all()) == 1
    assert stage_name(firm["jones_job"]) == "Preparation"
    with write_session() as s:  # coming back to the stage starts a new stay
        onboarding = s.exec(select(Stage).where(Stage.name == "Onboarding")).first()
        jobs.move_job(s, firm["actor"], firm["jones_job"], onboarding.id)
    again = add_task(firm, "Upload your 1099")
    with write_session() as s:
        client_tasks.complete_client_task(s, me, again)
    with read_session() as s:
        assert len(s.exec(select(Event).where(Event.kind == "stage_items_completed")).all()) == 2

"""`job.hours` is a rule fact: the time written on a job (stopped timers and typed entries, in hours as billed), read
by a rule when the worker runs it (one event at a time, and in the worker's batches of tag-only rules, which read the
facts of many jobs in one statement), and by the facts the templates and schedules read."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from practice.db import read_session, write_session
from practice.models import Job
from practice.services.automation import rulesets
from practice.services.billing import time
from practice.services.work import jobs
from practice.services.work.facts import bulk_facts, facts_for
from practice.services.work.pipelines import stages_of
from practice.worker import tasks as worker_tasks
from tests.factories import make_account, make_firm, make_pipeline, make_tag

RULES = '''
rule "Long returns get a second look"
when job enters stage "Review" in pipeline "1040 Return"
if job.hours > 2
then
  move job to stage "Second review"
end

rule "Tag long returns"
when job enters stage "Second review" in pipeline "1040 Return"
if job.hours > 2
then
  add tag "Long" to job
end
'''


def two_jobs(monkeypatch):
    with write_session() as s:
        staff = make_firm(s)
        owner = staff["owner"]
        pipeline = make_pipeline(s, owner, name="1040 Return", stages=("Preparation", "Review", "Second review"))
        account = make_account(s, owner, name="Hartley Household")
        long_job = jobs.create_job(s, owner, account_id=account.id, pipeline_id=pipeline.id, name="Long return")
        short_job = jobs.create_job(s, owner, account_id=account.id, pipeline_id=pipeline.id, name="Short return")
        stage_ids = {st.name: st.id for st in stages_of(s, pipeline.id)}
        make_tag(s, owner, "Long")
        rulesets.save_rules(s, owner, RULES)
    return {**staff, "long": long_job.id, "short": short_job.id, "stages": stage_ids}


pytestmark = pytest.mark.firm(build=two_jobs)


def spend(firm, job, duration):
    with write_session() as s:
        time.add_entry(s, firm["owner"], job_id=firm[job], duration=duration,
                       work_date=dt.date.today() - dt.timedelta(days=1))


def stage_of(firm, job) -> str:
    with read_session() as s:
        stage_id = s.get(Job, firm[job]).stage_id
    return next(name for name, i in firm["stages"].items() if i == stage_id)


def tags_of(firm, job) -> list[str]:
    with read_session() as s:
        return facts_for(s, job_id=firm[job])["job"]["tags"]


def test_a_rule_reading_job_hours_moves_only_the_job_with_more_than_two_hours(firm):
    spend(firm, "long", "1:30")
    spend(firm, "long", "0:50")   # 2 h 20 min: 2.33 hours
    spend(firm, "short", "1:45")
    with read_session() as s:
        assert facts_for(s, job_id=firm["long"])["job"]["hours"] == Decimal("2.33")
        by_job = {r["job"]["id"]: r["job"]["hours"] for r in bulk_facts(s, "job")}
    assert by_job == {firm["long"]: Decimal("2.33"), firm["short"]: Decimal("1.75")}
    for job in ("long", "short"):
        with write_session() as s:
            jobs.move_job(s, firm["owner"], firm[job], firm["stages"]["Review"])
    worker_tasks.sweep_once()
    assert stage_of(firm, "long") == "Second review"
    assert stage_of(firm, "short") == "Review"
    # The short one moved by hand: the tag rule reads its hours too, and leaves it untagged.
    with write_session() as s:
        jobs.move_job(s, firm["owner"], firm["short"], firm["stages"]["Second review"])
    worker_tasks.sweep_once()
    assert tags_of(firm, "long") == ["Long"] and tags_of(firm, "short") == []


def test_a_job_without_time_reads_zero_hours(firm):
    with read_session() as s:
        assert facts_for(s, job_id=firm["short"])["job"]["hours"] == Decimal(0)

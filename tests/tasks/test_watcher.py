"""The consumer's event watcher: committed events reach the automations without a doorbell, a batch of
them in one transaction, each once, and a save writes nothing to Huey's queue while it is watched."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import event as sa_event
from sqlmodel import select

from practice import db
from practice.db import read_session, write_session
from practice.models import Event, EventStatus, Task, utcnow
from practice.services import events
from practice.services.automation import engine, rulesets
from practice.services.work import jobs
from practice.services.work.pipelines import stages_of
from practice.worker import tasks as worker_tasks
from practice.worker.huey_app import huey
from practice.worker.watcher import EventWatcher
from tests.factories import actor_of, make_account, make_member, make_pipeline, make_tag

RULES = '''
rule "Review step"
when job enters stage "Review" in pipeline "1040 Return"
then
  create task "Review {{ job.name }}" for "Ann Lee"
  add tag "Reviewing" to job
end
'''


def _build(monkeypatch):
    """An owner, Ann Lee, a 1040 pipeline with the rule above, and 30 jobs in its first stage; no doorbell."""
    monkeypatch.setattr(events, "_doorbell", None)  # only the watcher may find the events
    with write_session() as s:
        owner = actor_of(make_member(s, role="owner"))
        make_member(s, role="employee", name="Ann Lee")
        pipeline = make_pipeline(s, owner, name="1040 Return", stages=("Onboarding", "Preparation", "Review"))
        stages = {st.name: st.id for st in stages_of(s, pipeline.id)}
        make_tag(s, owner, "Reviewing")
        job_ids = [jobs.create_job(s, owner, account_id=make_account(s, owner).id, pipeline_id=pipeline.id,
                                   name=f"1040 {i}").id for i in range(30)]
        rulesets.save_rules(s, owner, RULES)
    engine.handle_events(_pending())  # the jobs' creation, handled before the tests look
    return owner, stages, job_ids


pytestmark = [pytest.mark.firm(build=_build),
              pytest.mark.sqlite_only("the watcher watches the SQLite file; on PostgreSQL the doorbell and the sweep deliver")]


def _pending() -> list[int]:
    with read_session() as s:
        return list(s.exec(select(Event.id).where(Event.status == EventStatus.pending).order_by(Event.id)))


def _tasks() -> int:
    with read_session() as s:
        return len(s.exec(select(Task.id)).all())


def test_a_committed_move_is_handled_without_any_doorbell(firm):
    owner, stages, job_ids = firm
    watcher = EventWatcher(engine.handle_events)
    watcher.start()
    try:
        with write_session() as s:
            jobs.move_job(s, owner, job_ids[0], stages["Review"])
        deadline = time.monotonic() + 10
        while _pending() and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        watcher.stop()
    assert _pending() == []
    assert _tasks() == 1


def test_a_bulk_moves_events_are_handled_in_one_transaction(firm, monkeypatch):
    owner, stages, job_ids = firm
    monkeypatch.setattr(events, "BATCH_MAX_SECONDS", 30.0)  # a loaded machine must not cut the batch
    with write_session() as s:
        jobs.move_jobs(s, owner, job_ids, stages["Review"])
    commits = []

    def count(_conn):
        commits.append(1)

    sa_event.listen(db.get_engine(), "commit", count)
    watcher = EventWatcher(engine.handle_events)
    watcher.open()
    try:
        assert watcher.check() == 30
    finally:
        sa_event.remove(db.get_engine(), "commit", count)
        watcher.stop()
    # The claim, the facts, 30 tasks, 30 tags, the 30 marks, and the 30 "tag added" events no rule
    # starts on (written handled): one commit, and nothing left for a second one.
    assert len(commits) == 1
    assert _tasks() == 30 and _pending() == []


def test_each_new_event_is_handed_over_once_and_a_failing_one_is_left_to_the_sweep(firm):
    owner, stages, job_ids = firm
    handed: list[int] = []

    def failing(ids):
        handed.extend(ids)
        return 0  # as if every event failed: they stay pending

    watcher = EventWatcher(failing)
    watcher.open()
    try:
        with write_session() as s:
            jobs.move_job(s, owner, job_ids[0], stages["Preparation"])
        assert watcher.check() == 1
        assert watcher.check() == 0  # nothing committed since: not even a query
        with write_session() as s:
            jobs.move_job(s, owner, job_ids[1], stages["Preparation"])
        assert watcher.check() == 1
    finally:
        watcher.stop()
    assert len(handed) == len(set(handed)) == 2
    assert set(handed) <= set(_pending())  # still pending: the minute sweep retries them


def test_a_watcher_starting_takes_the_events_committed_while_none_ran(firm):
    owner, stages, job_ids = firm
    with write_session() as s:
        jobs.move_job(s, owner, job_ids[0], stages["Review"])
    watcher = EventWatcher(engine.handle_events)
    watcher.open()
    try:
        assert watcher.check() == 1
    finally:
        watcher.stop()
    assert _tasks() == 1


def test_a_save_writes_nothing_to_the_queue_while_the_consumer_watches(firm, tmp_path, monkeypatch):
    owner, stages, job_ids = firm
    monkeypatch.setenv("PRACTICE_EVENT_WATCH", "1")
    monkeypatch.setitem(huey.storage_kwargs, "filename", str(tmp_path / "huey.db"))
    huey.immediate = False
    events.set_doorbell(worker_tasks.ring_doorbell)
    try:
        with write_session() as s:
            jobs.move_job(s, owner, job_ids[0], stages["Preparation"])
        assert huey.pending_count() == 0
        monkeypatch.setenv("PRACTICE_EVENT_WATCH", "0")  # no watcher: the doorbell goes through the queue
        with write_session() as s:
            jobs.move_job(s, owner, job_ids[1], stages["Preparation"])
        assert huey.pending_count() == 1
        huey.flush()
    finally:
        huey.immediate = True
        events.set_doorbell(None)


def test_an_event_waiting_for_its_retry_is_left_to_the_sweep(firm):
    owner, stages, job_ids = firm
    with write_session() as s:
        jobs.move_job(s, owner, job_ids[0], stages["Review"])
        jobs.move_job(s, owner, job_ids[1], stages["Review"])
    waiting, fresh = _pending()
    with write_session() as s:  # as events.record_failure leaves a failed try
        ev = s.get(Event, waiting)
        ev.attempts, ev.lease_until = 1, utcnow() + dt.timedelta(minutes=1)
    watcher = EventWatcher(engine.handle_events)
    watcher.open()
    try:
        assert watcher.check() == 1
    finally:
        watcher.stop()
    assert _pending() == [waiting]

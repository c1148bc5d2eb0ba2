"""The outbox: a job change and its event commit together; the doorbell rings only after commit."""
from __future__ import annotations

import datetime as dt
import os
import time

import pytest
from sqlmodel import func, select

from practice.db import read_session, write_session
from practice.models import AuditLog, Event, EventStatus, Job, Pipeline, utcnow
from practice.services import events
from practice.services.work import jobs
from practice.services.work.pipelines import stages_of
from practice.worker import tasks as worker_tasks
from tests.factories import actor_of, make_job, make_member


class Boom(Exception):
    pass


@pytest.fixture
def rung(monkeypatch):
    """Record every doorbell ring instead of calling Huey."""
    calls: list[list[int]] = []
    events.set_doorbell(lambda ids: calls.append(list(ids)))
    yield calls
    events.set_doorbell(worker_tasks.ring_doorbell)


@pytest.fixture
def job_setup(fresh_db, rung):
    with write_session() as s:
        owner = make_member(s, role="owner")
        actor = actor_of(owner)
        job = make_job(s, actor)
        stage_ids = [st.id for st in stages_of(s, job.pipeline_id)]
    rung.clear()  # creating the job rang once; tests look at what comes next
    return actor, job.id, stage_ids


def _count(model, *where) -> int:
    with read_session() as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


def test_move_writes_the_job_and_its_event_in_one_transaction(job_setup, rung):
    actor, job_id, stage_ids = job_setup
    with write_session() as s:
        jobs.move_job(s, actor, job_id, stage_ids[1])
    with read_session() as s:
        job = s.get(Job, job_id)
        assert (job.stage_id, job.version) == (stage_ids[1], 2)
        moved = s.exec(select(Event).where(Event.kind == "job_moved", Event.job_id == job_id)).all()
    assert len(moved) == 1 and moved[0].status == EventStatus.pending
    assert moved[0].payload["to_stage_id"] == stage_ids[1]
    assert rung == [[moved[0].id]]


def test_a_rolled_back_move_leaves_neither_the_change_nor_the_event(job_setup, rung):
    actor, job_id, stage_ids = job_setup
    events_before = _count(Event)
    with pytest.raises(Boom):
        with write_session() as s:
            jobs.move_job(s, actor, job_id, stage_ids[2])
            # The event row exists inside the transaction...
            assert s.exec(select(func.count()).select_from(Event)).one() == events_before + 1
            raise Boom()
    with read_session() as s:
        job = s.get(Job, job_id)
        assert (job.stage_id, job.version) == (stage_ids[0], 1)
    assert _count(Event) == events_before
    assert _count(AuditLog, AuditLog.action == "move") == 0
    assert rung == []  # ...but nobody was told about it


def test_the_doorbell_rings_after_commit_not_before(job_setup, monkeypatch):
    actor, job_id, stage_ids = job_setup
    seen: list[tuple[list[int], str]] = []

    def ring(ids):
        # A fresh connection must already see the committed event when the doorbell rings.
        with read_session() as s:
            seen.append((ids, s.get(Event, ids[0]).status))

    events.set_doorbell(ring)
    with write_session() as s:
        jobs.move_job(s, actor, job_id, stage_ids[1])
        assert seen == []
    assert len(seen) == 1 and seen[0][1] == EventStatus.pending


def test_bulk_move_rings_once_for_all_its_events(job_setup, rung):
    actor, job_id, stage_ids = job_setup
    with write_session() as s:
        other = make_job(s, actor, pipeline=s.get(Pipeline, s.get(Job, job_id).pipeline_id))
    rung.clear()
    with write_session() as s:
        assert jobs.move_jobs(s, actor, [job_id, other.id], stage_ids[3]) == 2
    assert len(rung) == 1 and len(rung[0]) == 2
    assert _count(Event, Event.kind == "job_moved") == 2


def test_a_failing_doorbell_does_not_fail_the_save(job_setup):
    actor, job_id, stage_ids = job_setup

    def broken(ids):
        raise ConnectionError("queue is down")

    events.set_doorbell(broken)
    with write_session() as s:
        jobs.move_job(s, actor, job_id, stage_ids[1])
    with read_session() as s:
        assert s.get(Job, job_id).stage_id == stage_ids[1]
    assert _count(Event, Event.status == EventStatus.pending, Event.kind == "job_moved") == 1


def test_handle_event_marks_handled_exactly_once(job_setup, monkeypatch):
    actor, job_id, stage_ids = job_setup
    handled: list[int] = []
    record = lambda session, ev: handled.append(ev.id)  # noqa: E731
    with write_session() as s:
        jobs.move_job(s, actor, job_id, stage_ids[1])
    with read_session() as s:
        event_id = s.exec(select(Event.id).where(Event.kind == "job_moved")).one()
    assert events.handle_event(event_id, record) is True
    assert events.handle_event(event_id, record) is False
    assert handled == [event_id]
    with read_session() as s:
        ev = s.get(Event, event_id)
    assert ev.status == EventStatus.handled and ev.attempts == 1 and ev.handled_at is not None
    assert events.handle_event(10**9, record) is False  # an unknown id is not an error


def test_a_failing_handler_leaves_the_event_pending_with_nothing_done(job_setup, monkeypatch):
    actor, job_id, stage_ids = job_setup

    def half_then_fail(session, ev):
        session.get(Job, job_id).name = "changed by a handler"
        raise Boom()

    with write_session() as s:
        jobs.move_job(s, actor, job_id, stage_ids[1])
    with read_session() as s:
        event_id = s.exec(select(Event.id).where(Event.kind == "job_moved")).one()
    with pytest.raises(Boom):
        events.handle_event(event_id, half_then_fail)
    with read_session() as s:
        assert s.get(Event, event_id).status == EventStatus.pending
        assert s.get(Job, job_id).name != "changed by a handler"


def test_the_sweep_picks_up_events_whose_doorbell_was_lost(job_setup, monkeypatch):
    actor, job_id, stage_ids = job_setup
    events.set_doorbell(lambda ids: None)  # the doorbell is lost
    with write_session() as s:
        jobs.move_job(s, actor, job_id, stage_ids[1])
        jobs.move_job(s, actor, job_id, stage_ids[2])
    with read_session() as s:
        pending = events.pending_event_ids(s)
    assert len(pending) == 3  # job_created + two moves
    assert worker_tasks.sweep_pending_events() == 3
    with read_session() as s:
        assert events.pending_event_ids(s) == []
    assert _count(Event, Event.status != EventStatus.handled) == 0
    assert worker_tasks.sweep_pending_events() == 0


def test_the_sweep_skips_leased_events_until_the_lease_expires(job_setup, monkeypatch):
    actor, job_id, stage_ids = job_setup
    with read_session() as s:
        event_id = s.exec(select(Event.id)).one()
    with write_session() as s:
        s.get(Event, event_id).lease_until = utcnow() + dt.timedelta(minutes=1)
    with read_session() as s:
        assert events.pending_event_ids(s) == []
    with write_session() as s:
        s.get(Event, event_id).lease_until = utcnow() - dt.timedelta(seconds=1)
    with read_session() as s:
        assert events.pending_event_ids(s) == [event_id]


@pytest.mark.skipif(os.environ.get("PRACTICE_TEST_ENGINE", "sqlite") != "postgresql",
                    reason="row locks: PostgreSQL only (make test-postgres); SQLite has one writer at a time")
def test_an_event_another_worker_holds_is_skipped_not_waited_for(fresh_db, job_setup):
    # Two web or worker processes may ring for the same event: the second passes over it at once instead of
    # queueing behind the first's transaction (FOR UPDATE SKIP LOCKED), and the first handles it once.
    import psycopg

    with read_session() as s:
        event_id = s.exec(select(Event.id).order_by(Event.id.desc())).first()
    seen: list[int] = []
    with psycopg.connect(fresh_db.replace("postgresql+psycopg://", "postgresql://")) as other:
        other.execute("SELECT id FROM event WHERE id = %s FOR UPDATE", (event_id,))  # another worker at work
        started = time.monotonic()
        assert events.handle_event(event_id, lambda s, ev: seen.append(ev.id)) is False
        assert time.monotonic() - started < 5 and seen == []
    assert events.handle_event(event_id, lambda s, ev: seen.append(ev.id)) is True and seen == [event_id]

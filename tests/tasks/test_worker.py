"""End to end with a real Huey consumer process: a committed move is handled; after the consumer is
killed, both a queued doorbell and a lost one are handled once it restarts.

The test process enqueues for real: conftest runs Huey in immediate mode (in-memory queue), so the
test points the module's Huey instance at the consumer's SQLite queue file and turns immediate mode
off (Huey rebuilds its storage from `storage_kwargs` when `immediate` changes), then restores both.
"""
from __future__ import annotations

import signal
import subprocess
import time

import pytest
from sqlmodel import select

from practice import db
from practice.config import ROOT
from practice.db import read_session, write_session
from practice.models import Event, EventStatus
from practice.services import events
from practice.services.work import jobs
from practice.services.work.pipelines import stages_of
from practice.worker import tasks as worker_tasks
from practice.worker.consumer import consumer_command
from practice.worker.huey_app import huey
from tests.tasks.conftest import shared_env
from tests.factories import actor_of, make_job, make_member

pytestmark = pytest.mark.slow

WAIT_S = 20


@pytest.fixture
def worker_env(request, tmp_path, monkeypatch):
    """A migrated database and a queue shared by this process and the consumer."""
    env = shared_env(request, tmp_path, monkeypatch)
    monkeypatch.setenv("PRACTICE_HUEY_IMMEDIATE", "0")
    huey.immediate = False  # now enqueues into the consumer's queue
    events.set_doorbell(worker_tasks.ring_doorbell)  # the real doorbell
    try:
        yield env
    finally:
        huey.immediate = True  # back to the in-memory queue the other tests use
        events.set_doorbell(worker_tasks.ring_doorbell)
        db.get_engine().dispose()


class Consumer:
    """The real consumer as a child process; always stopped by `stop` or `kill`."""

    def __init__(self, env, log_path):
        self.env, self.log_path, self.proc = env, log_path, None

    def start(self):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            consumer_command(workers=1, quiet=False), cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]


def _status(event_id: int) -> EventStatus:
    with read_session() as s:
        return s.get(Event, event_id).status


def _wait_handled(event_ids: list[int], consumer: Consumer) -> float:
    start = time.monotonic()
    while time.monotonic() - start < WAIT_S:
        if all(_status(i) == EventStatus.handled for i in event_ids):
            return time.monotonic() - start
        assert consumer.proc.poll() is None, f"the consumer died:\n{consumer.log()}"
        time.sleep(0.1)
    raise AssertionError(f"events {event_ids} not handled within {WAIT_S} s: "
                         f"{[_status(i) for i in event_ids]}\nconsumer log:\n{consumer.log()}")


def _move(actor, job_id, stage_id) -> int:
    with write_session() as s:
        jobs.move_job(s, actor, job_id, stage_id)
        s.flush()
        return s.exec(select(Event.id).where(Event.job_id == job_id).order_by(Event.id.desc())).first()


def test_the_consumer_handles_moves_and_recovers_after_a_kill(worker_env, tmp_path):
    with write_session() as s:
        actor = actor_of(make_member(s, role="owner"))
        job = make_job(s, actor)
        stage_ids = [st.id for st in stages_of(s, job.pipeline_id)]
        created = s.exec(select(Event.id).where(Event.kind == "job_created")).one()
    consumer = Consumer(worker_env, tmp_path / "consumer.log")
    try:
        consumer.start()
        first = _move(actor, job.id, stage_ids[1])
        took = _wait_handled([created, first], consumer)
        print(f"\nmove handled by the live consumer in {took:.2f} s")

        consumer.kill()
        queued = _move(actor, job.id, stage_ids[2])  # the doorbell lands in the queue file
        events.set_doorbell(lambda ids: None)  # this one's doorbell is lost outright
        lost = _move(actor, job.id, stage_ids[3])
        events.set_doorbell(worker_tasks.ring_doorbell)
        time.sleep(0.5)
        assert _status(queued) == _status(lost) == EventStatus.pending

        consumer.start()  # its scheduler runs the every-minute sweep at start, then each minute
        took = _wait_handled([queued, lost], consumer)
        print(f"after SIGKILL and restart: queued and lost doorbells handled in {took:.2f} s")
        with read_session() as s:
            handled = s.exec(select(Event).where(Event.id.in_([created, first, queued, lost]))).all()
        assert all(ev.attempts == 1 for ev in handled), [(ev.id, ev.attempts) for ev in handled]
        # Only the sweep knew about `lost`: the restarted consumer must have run it. (The first consumer may have
        # been killed before its own start's sweep ran: on a busy machine the doorbell's events come first.)
        log = consumer.log_path.read_text(errors="replace")
        assert "Executing practice.worker.tasks.sweep" in log[log.rindex("Huey consumer started"):], consumer.log()
    finally:
        consumer.stop()

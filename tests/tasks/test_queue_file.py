"""Issue 18, faults 1 and 7: the worker queue file (huey.db) only rings doorbells, so losing it never fails a save
nor keeps the worker down, and it keeps no result rows."""
from __future__ import annotations

import logging
import os
import sqlite3
import time

import pytest
from sqlmodel import select

from practice import db
from practice.db import read_session, write_session
from practice.migrate import upgrade
from practice.models import Event, EventStatus
from practice.services import events
from practice.services.actor import SYSTEM
from practice.worker import tasks as worker_tasks
from practice.worker.consumer import consumer_command
from practice.worker.huey_app import huey
from tests.tasks.test_chaos import Child

# The queue file is the SQLite queue's; with Redis (make test-postgres) there is no file to lose.
pytestmark = pytest.mark.skipif(bool(os.environ.get("REDIS_URL")), reason="the SQLite queue file; this run queues on Redis")

GARBAGE = b"this is not a database, it was overwritten by a bad disk " * 200


@pytest.fixture
def queue_env(tmp_path, monkeypatch):
    """A migrated database and a real queue file (not the in-memory queue the other tests use), rung as it is
    with another database or PRACTICE_EVENT_WATCH=0 (with SQLite the event watcher is the default doorbell)."""
    data = tmp_path / "data"
    data.mkdir()
    env = {**os.environ, "PRACTICE_DATA_DIR": str(data), "DATABASE_URL": f"sqlite:///{data / 'practice.db'}",
           "PRACTICE_HUEY_DB": str(data / "huey.db"), "PRACTICE_HUEY_IMMEDIATE": "0", "PRACTICE_EVENT_WATCH": "0"}
    for key in ("PRACTICE_DATA_DIR", "DATABASE_URL", "PRACTICE_HUEY_DB", "PRACTICE_EVENT_WATCH"):
        monkeypatch.setenv(key, env[key])
    upgrade()
    monkeypatch.setitem(huey.storage_kwargs, "filename", env["PRACTICE_HUEY_DB"])
    huey.immediate = False
    events.set_doorbell(worker_tasks.ring_doorbell)
    try:
        yield env
    finally:
        huey.immediate = True
        db.get_engine().dispose()


def queued_in_file(path) -> int:
    """Tasks waiting in the queue file at `path`, read by a connection of its own."""
    with sqlite3.connect(path) as conn:
        return conn.execute("select count(*) from task").fetchone()[0]


def save_an_event() -> int:
    with write_session() as s:
        event = events.emit(s, SYSTEM, "job_created")
        s.flush()
        return event.id


def test_an_unreadable_queue_fails_no_save_and_is_set_aside_for_a_new_one(queue_env, caplog):
    path = queue_env["PRACTICE_HUEY_DB"]
    with open(path, "wb") as f:
        f.write(GARBAGE)
    with caplog.at_level(logging.WARNING):
        event_id = save_an_event()  # committed, and no error reaches the person saving
    with read_session() as s:
        assert s.get(Event, event_id) is not None
    assert "could not be read" in caplog.text
    aside = [p for p in os.listdir(os.path.dirname(path)) if p.startswith("huey.db.unreadable-")]
    assert aside, os.listdir(os.path.dirname(path))
    assert queued_in_file(path) == 1  # the doorbell rang in the new file


def test_a_deleted_queue_file_is_made_again_and_used(queue_env):
    path = queue_env["PRACTICE_HUEY_DB"]
    save_an_event()
    assert queued_in_file(path) == 1
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    save_an_event()  # the old code rang into the deleted file, which no new consumer reads
    assert queued_in_file(path) == 1


@pytest.mark.slow
def test_the_worker_starts_on_an_unreadable_queue_and_handles_events(queue_env, tmp_path):
    with open(queue_env["PRACTICE_HUEY_DB"], "wb") as f:
        f.write(GARBAGE)
    events.set_doorbell(None)  # only the worker touches the broken file
    event_id = save_an_event()
    logs = tmp_path / "logs"
    logs.mkdir()
    consumer = Child("consumer", consumer_command(workers=1, quiet=False), queue_env, logs)
    try:
        consumer.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with read_session() as s:
                if s.get(Event, event_id).status == EventStatus.handled:
                    break
            assert consumer.proc.poll() is None, f"the worker died:\n{consumer.log()[-3000:]}"
            time.sleep(0.2)
        with read_session() as s:
            assert s.get(Event, event_id).status == EventStatus.handled, consumer.log()[-3000:]
        assert "could not be read" in consumer.log()
    finally:
        consumer.stop()
        events.set_doorbell(worker_tasks.ring_doorbell)


def test_no_result_rows_are_kept(queue_env):
    for _ in range(3):
        save_an_event()
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
    with read_session() as s:
        assert not s.exec(select(Event).where(Event.status != EventStatus.handled)).all()
    assert huey.storage.result_store_size() == 0

"""The worker tests' shared data folder: a migrated database and a queue, shared with their child processes.

The database is the run's engine (a SQLite file, or an empty PostgreSQL database under `make test-postgres`), and
the queue is a file in the data folder, or the run's Redis (emptied first) when `REDIS_URL` is set."""
from __future__ import annotations

import os

import pytest
import redis

from practice import db
from practice.config import ROOT
from practice.migrate import upgrade
from practice.services import events
from practice.worker import tasks as worker_tasks
from practice.worker.huey_app import huey

_names = iter(range(10**9))


def empty_database(request, data) -> str:
    """An empty database for the test, to be migrated: a file in the data folder, or a new PostgreSQL database."""
    if os.environ.get("PRACTICE_TEST_ENGINE", "sqlite") != "postgresql":
        return f"sqlite:///{data / 'practice.db'}"
    server = request.getfixturevalue("postgres")
    name = f"worker{next(_names)}"
    server.sql(f"CREATE DATABASE {name}")
    request.addfinalizer(lambda: server.sql(f"DROP DATABASE {name} WITH (FORCE)"))
    return server.url(name)


def shared_env(request, tmp_path, monkeypatch) -> dict:
    """The environment of the test's child processes, also set in this process; the database migrated."""
    data = tmp_path / "data"
    data.mkdir()
    env = {**os.environ, "PRACTICE_DATA_DIR": str(data), "DATABASE_URL": empty_database(request, data),
           "PRACTICE_HUEY_DB": str(data / "huey.db"), "PRACTICE_HUEY_IMMEDIATE": "0", "PYTHONPATH": str(ROOT)}
    for key in ("PRACTICE_DATA_DIR", "DATABASE_URL", "PRACTICE_HUEY_DB"):
        monkeypatch.setenv(key, env[key])
    upgrade()
    if os.environ.get("REDIS_URL"):
        redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()  # no doorbell of an earlier test
    else:
        monkeypatch.setitem(huey.storage_kwargs, "filename", env["PRACTICE_HUEY_DB"])
    return env


@pytest.fixture
def chaos_env(request, tmp_path, monkeypatch):
    """A migrated database and a queue in a temporary data folder, shared with the child processes."""
    env = shared_env(request, tmp_path, monkeypatch)
    try:
        yield env
    finally:
        huey.immediate = True  # back to the in-memory queue the other tests use
        events.set_doorbell(worker_tasks.ring_doorbell)
        db.get_engine().dispose()

"""The chaos tests' shared data folder: a migrated database and a queue file, shared with their child processes."""
from __future__ import annotations

import os

import pytest

from practice import db
from practice.config import ROOT
from practice.migrate import upgrade
from practice.services import events
from practice.worker import tasks as worker_tasks
from practice.worker.huey_app import huey


@pytest.fixture
def chaos_env(tmp_path, monkeypatch):
    """A migrated database and a queue file in a temporary data folder, shared with the child processes."""
    data = tmp_path / "data"
    data.mkdir()
    env = {**os.environ, "PRACTICE_DATA_DIR": str(data), "DATABASE_URL": f"sqlite:///{data / 'practice.db'}",
           "PRACTICE_HUEY_DB": str(data / "huey.db"), "PRACTICE_HUEY_IMMEDIATE": "0", "PYTHONPATH": str(ROOT)}
    for key in ("PRACTICE_DATA_DIR", "DATABASE_URL", "PRACTICE_HUEY_DB"):
        monkeypatch.setenv(key, env[key])
    upgrade()
    monkeypatch.setitem(huey.storage_kwargs, "filename", env["PRACTICE_HUEY_DB"])
    try:
        yield env
    finally:
        huey.immediate = True  # back to the in-memory queue the other tests use
        events.set_doorbell(worker_tasks.ring_doorbell)
        db.get_engine().dispose()

"""Test setup shared by every test: a private data folder and database per test session, a fresh database per
test, and the `firm` fixture each module describes with the factories."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Must happen before anything imports practice.config users.
_TMP = Path(tempfile.mkdtemp(prefix="practice-tests-"))
os.environ.setdefault("PRACTICE_DATA_DIR", str(_TMP / "data"))
os.environ.pop("DATABASE_URL", None)
os.environ["PRACTICE_HUEY_IMMEDIATE"] = "1"
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")

import pytest  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

from practice import db  # noqa: E402
import practice.models  # noqa: E402,F401
from practice.services import events  # noqa: E402
from practice.worker import tasks as worker_tasks  # noqa: E402

# As in the app, committed events ring the worker; in immediate mode it runs them at once, in this process.
events.set_doorbell(worker_tasks.ring_doorbell)

_counter = iter(range(10**9))


@pytest.fixture
def fresh_db(monkeypatch, tmp_path):
    """A new, empty SQLite database (schema from the models) for one test."""
    url = f"sqlite:///{tmp_path / f'test{next(_counter)}.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = db.get_engine()
    SQLModel.metadata.create_all(engine)
    yield url
    engine.dispose()


def pytest_configure(config):
    config.addinivalue_line("markers", "firm(build=...): the module's firm, made by build(monkeypatch) with tests/factories")


@pytest.fixture
def firm(request, fresh_db, tmp_path, monkeypatch):
    """The firm a test module describes with `pytestmark = pytest.mark.firm(build=...)`: a fresh database and a
    private data folder, then what `build(monkeypatch)` makes with the factories (its return value)."""
    marker = request.node.get_closest_marker("firm")
    if marker is None:
        raise pytest.UsageError(f"{request.module.__name__} uses `firm` without pytest.mark.firm(build=...)")
    monkeypatch.setenv("PRACTICE_DATA_DIR", str(tmp_path / "data"))
    return marker.kwargs["build"](monkeypatch)

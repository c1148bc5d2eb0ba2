"""Test setup shared by every test: a private data folder and database per test session, a fresh database per
test, and the `firm` fixture each module describes with the factories."""
from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from tests.children import stop_on_sigterm

# Must happen before anything imports practice.config users.
_TMP = Path(tempfile.mkdtemp(prefix="practice-tests-"))
os.environ.setdefault("PRACTICE_DATA_DIR", str(_TMP / "data"))
os.environ.pop("DATABASE_URL", None)
os.environ["PRACTICE_HUEY_IMMEDIATE"] = "1"
# The app's production builds of one run (the browser journeys' harness, `make run`'s own test, the crawl's and the
# scale-out journey's servers) bundle the same pages: the first bundle is kept here for the others
# (practice/web_build.py).
os.environ.setdefault("PRACTICE_WEB_BUILD_CACHE", str(_TMP / "web-builds"))
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
stop_on_sigterm()  # a SIGTERM'd run stops its throwaway servers too (tests/children.py)
# `PRACTICE_TEST_REDIS=1` (make test-postgres) puts the worker queue on a throwaway Redis (tests/redis_server.py):
# started before the queue module is imported, since the queue is chosen then.
_REDIS = None
if os.environ.get("PRACTICE_TEST_REDIS") == "1":
    from tests.redis_server import ThrowawayRedis

    _REDIS = ThrowawayRedis().start()
    os.environ["REDIS_URL"] = _REDIS.url()
else:
    os.environ.pop("REDIS_URL", None)

import pytest  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

from practice import db  # noqa: E402
import practice.models  # noqa: E402,F401
from practice.services import events  # noqa: E402
from practice.worker import tasks as worker_tasks  # noqa: E402
from tests.postgres import DatabasePool, ThrowawayPostgres  # noqa: E402
from tests.localstripe_server import ThrowawayLocalstripe  # noqa: E402

# As in the app, committed events ring the worker; in immediate mode it runs them at once, in this process.
events.set_doorbell(worker_tasks.ring_doorbell)

_counter = iter(range(10**9))

# `PRACTICE_TEST_ENGINE=postgresql` runs the suite on a throwaway PostgreSQL (tests/postgres.py) instead of SQLite.
ENGINE = os.environ.get("PRACTICE_TEST_ENGINE", "sqlite")
TEMPLATE = "practice_template"


@pytest.fixture(scope="session")
def postgres():
    """The run's PostgreSQL server, with a template database holding the schema (each test copies it)."""
    if ENGINE != "postgresql":
        pytest.skip("PostgreSQL tests run with PRACTICE_TEST_ENGINE=postgresql (make test-postgres)")
    # No autovacuum: its ANALYZE of a test's tables is a transaction committed beside the test's own (a test that
    # watches for commits, tests/security/test_hostile_handler_input.py, took it for a write), and CPU the run needs.
    server = ThrowawayPostgres(autovacuum=False).start()
    server.sql(f"CREATE DATABASE {TEMPLATE}")
    engine = db.make_engine(server.url(TEMPLATE))
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def localstripe():
    """The run's localstripe (a fake Stripe API, tests/localstripe_server.py) on a free port of 127.0.0.1."""
    server = ThrowawayLocalstripe().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def any_postgres(request):
    """A PostgreSQL server for the tests of moving to it and backing it up, whichever engine the run is on: the
    run's own under make test-postgres, else a throwaway one (Debian's postgresql, which `make test` installs)."""
    if ENGINE == "postgresql":
        yield request.getfixturevalue("postgres")
        return
    try:
        server = ThrowawayPostgres().start()
    except RuntimeError as err:
        pytest.skip(str(err))
    yield server
    server.stop()


def _postgres_db(request) -> tuple[str, object]:
    pool = request.getfixturevalue("postgres_databases")
    name = f"test{next(_counter)}"
    return pool.take(name), lambda: pool.give_back(name)


@pytest.fixture(scope="session")
def postgres_databases(postgres):
    """The tests' databases, each in the template's state when a test takes it (tests/postgres.py)."""
    return DatabasePool(postgres, TEMPLATE)


@pytest.fixture(scope="session")
def sqlite_template() -> Path:
    """A SQLite file holding the schema (tables, indexes, triggers), made once per run: each test's database is a
    copy of it, a millisecond instead of the ~0.3 s that creating a hundred tables with their triggers takes."""
    path = _TMP / "template.db"
    engine = db.make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    conn = sqlite3.connect(path)  # everything in the main file, so copying that one file copies the schema
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture
def fresh_db(request, monkeypatch, tmp_path):
    """A new, empty database (schema from the models) for one test: a copy of the run's SQLite template file, or a
    PostgreSQL database in the template database's state (one a test before emptied, or a copy)."""
    drop = None
    if ENGINE == "postgresql":
        url, drop = _postgres_db(request)
    else:
        path = tmp_path / f"test{next(_counter)}.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = db.get_engine()
    yield url
    engine.dispose()
    if drop is not None:
        drop()


def pytest_configure(config):
    config.addinivalue_line("markers", "firm(build=...): the module's firm, made by build(monkeypatch) with tests/factories")
    config.addinivalue_line("markers", "sqlite_only(reason): a test of something only SQLite has (skipped on PostgreSQL)")


def pytest_unconfigure(config):
    if _REDIS is not None:
        _REDIS.stop()
    shutil.rmtree(_TMP / "web-builds", ignore_errors=True)


def pytest_collection_modifyitems(config, items):
    if ENGINE != "postgresql":
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {marker.args[0]}"))


@pytest.fixture
def firm(request, fresh_db, tmp_path, monkeypatch):
    """The firm a test module describes with `pytestmark = pytest.mark.firm(build=...)`: a fresh database and a
    private data folder, then what `build(monkeypatch)` makes with the factories (its return value)."""
    marker = request.node.get_closest_marker("firm")
    if marker is None:
        raise pytest.UsageError(f"{request.module.__name__} uses `firm` without pytest.mark.firm(build=...)")
    monkeypatch.setenv("PRACTICE_DATA_DIR", str(tmp_path / "data"))
    return marker.kwargs["build"](monkeypatch)

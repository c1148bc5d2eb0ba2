"""`python -m practice move-to-postgres URL` moves a SQLite firm onto PostgreSQL (docs/postgresql.md): every row of
every table, the values as they were, the id counters past the copied rows; and it refuses, with a sentence and
nothing written, a database that already holds data or a source that is not SQLite."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from practice import db
from practice.config import ROOT
from practice.models import AuditLog, Event, Task, TeamMember
from practice.services.actor import Actor
from practice.services.work import accounts, tasks

def _run(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "practice", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


def _counts(url: str) -> dict[str, int]:
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            return {t.name: conn.execute(select(func.count()).select_from(t)).scalar()
                    for t in SQLModel.metadata.sorted_tables}
    finally:
        engine.dispose()


@pytest.fixture
def demo_firm(tmp_path):
    """The demo firm in a SQLite file, made by the app's own command; the environment to run commands on it."""
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k not in ("PRACTICE_HUEY_IMMEDIATE", "REDIS_URL")}
    env.update(PRACTICE_DATA_DIR=str(data), DATABASE_URL=f"sqlite:///{data / 'practice.db'}")
    done = _run("demo", env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return env


def test_a_demo_firm_moves_whole_and_the_app_works_on_postgresql(demo_firm, any_postgres, monkeypatch):
    any_postgres.sql("CREATE DATABASE moved_firm")
    target = any_postgres.url("moved_firm")
    done = _run("move-to-postgres", target, env=demo_firm)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Moved " in done.stdout

    before, after = _counts(demo_firm["DATABASE_URL"]), _counts(target)
    assert after == before and before["account"] > 0 and before["event"] > 0 and before["auditlog"] > 0

    monkeypatch.setenv("DATABASE_URL", target)
    db.reset_engine()
    try:
        with db.read_session() as s:
            owner = Actor.of(s.exec(select(TeamMember).where(TeamMember.role == "owner")).scalars().first())
            last_task = s.exec(select(func.max(Task.id))).scalar()
            payloads = [e.payload for e in s.exec(select(Event)).scalars()]
            when = s.exec(select(AuditLog.at).order_by(AuditLog.id)).scalars().first()
            listed = accounts.list_accounts(s, owner)
        assert listed and any(payloads) and when is not None  # JSON and times read back as values
        with db.write_session() as s:  # the id counters continue after the copied rows
            made = tasks.create_task(s, owner, title="First task on PostgreSQL", assignee_id=owner.member_id)
        assert made.id > last_task
    finally:
        db.get_engine().dispose()
        db.reset_engine()

    again = _run("move-to-postgres", target, env=demo_firm)
    assert again.returncode == 1 and "already holds data" in again.stderr
    assert _counts(target)["task"] == before["task"] + 1  # nothing added by the refused move


def test_the_source_must_be_the_sqlite_file(any_postgres, tmp_path):
    env = {**os.environ, "DATABASE_URL": any_postgres.url("postgres"), "PRACTICE_DATA_DIR": str(tmp_path)}
    done = _run("move-to-postgres", any_postgres.url("postgres"), env=env)
    assert done.returncode == 1 and "is not a SQLite file" in done.stderr

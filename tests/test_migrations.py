"""The Alembic migrations build exactly the schema the models describe."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

import practice.models  # noqa: F401 - registers the tables
from practice import db
from practice.migrate import upgrade


def _differences(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
            return compare_metadata(ctx, SQLModel.metadata)
    finally:
        engine.dispose()


def test_upgrade_on_an_empty_database_matches_the_models(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    db.reset_engine()
    try:
        upgrade()
    finally:
        db.get_engine().dispose()
    # A model change without a migration shows up here as a difference.
    assert _differences(url) == []
    tables = set(inspect(create_engine(url)).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables


def test_upgrade_twice_is_harmless(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'twice.db'}")
    upgrade()
    upgrade()
    db.get_engine().dispose()


def test_the_comparison_notices_a_missing_migration(tmp_path):
    """Guard the guard: a database without one of the model's indexes is reported."""
    url = f"sqlite:///{tmp_path / 'partial.db'}"
    engine = create_engine(url)
    SQLModel.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_job_board")
    engine.dispose()
    diffs = _differences(url)
    assert any(d[0] == "add_index" and d[1].name == "ix_job_board" for d in diffs), diffs

"""`python -m practice move-to-postgres URL`: copy a firm's SQLite database into an empty PostgreSQL database.

The PostgreSQL database is brought to the newest schema with the app's own migrations, then every table is copied
in the order its references need (each table's rows in the order of their ids, so a task's parent comes before
it), in one transaction: a failure leaves the PostgreSQL database as empty as it was. The id counters are set past
the copied rows, and every table's count is checked against the source before the transaction commits. The data
folder (documents, keys) stays where it is: only `DATABASE_URL` changes. Stop the app before moving, so nothing is
written to the SQLite file meanwhile (docs/postgresql.md).
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

import practice.models  # noqa: F401 - registers the tables
from practice import db
from practice.migrate import alembic_config, upgrade

BATCH_ROWS = 2000


class MoveError(Exception):
    """Why the move did not happen, in a sentence; nothing was written to PostgreSQL."""


def _tables() -> list[Table]:
    return list(SQLModel.metadata.sorted_tables)


@contextlib.contextmanager
def _database_url(url: str) -> Iterator[None]:
    """The app's engine points at `url` for the duration (the migrations run on the configured database)."""
    before = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    db.reset_engine()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = before
        db.reset_engine()


def _check_source(conn: Connection) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    current = MigrationContext.configure(conn).get_current_revision()
    if current != head:
        raise MoveError("The SQLite database is not at the newest schema: run `python -m practice migrate` on it "
                        "first (with the same version of the app), then move it.")


def _empty_target(conn: Connection) -> None:
    holding = [t.name for t in _tables() if conn.execute(select(func.count()).select_from(t)).scalar()]
    if holding:
        raise MoveError(f"The PostgreSQL database already holds data (in {', '.join(holding[:5])}): move into an "
                        "empty database, so that nothing is mixed or overwritten.")


def _copy(src: Connection, dst: Connection, table: Table) -> int:
    order = list(table.primary_key.columns)
    rows = src.execute(select(table).order_by(*order)).mappings()
    copied, batch = 0, []
    for row in rows:
        batch.append(dict(row))
        if len(batch) >= BATCH_ROWS:
            dst.execute(table.insert(), batch)
            copied, batch = copied + len(batch), []
    if batch:
        dst.execute(table.insert(), batch)
        copied += len(batch)
    return copied


def _set_counters(dst: Connection, table: Table) -> None:
    """The next id PostgreSQL gives is past the copied rows."""
    if "id" not in table.primary_key.columns or not table.columns["id"].autoincrement:
        return
    dst.execute(text(f"SELECT setval(pg_get_serial_sequence(:t, 'id'), COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"),
                {"t": table.name})


def move(source_url: str, target_url: str, *, say: Callable[[str], None] = print) -> dict[str, int]:
    """Copy the SQLite database at `source_url` into the empty PostgreSQL database at `target_url`; returns the rows
    copied by table. Raises MoveError with a sentence when it cannot."""
    if not source_url.startswith("sqlite"):
        raise MoveError("The firm's database is not a SQLite file: set DATABASE_URL to the SQLite database to move "
                        "(or leave it unset for the data folder's practice.db).")
    if not target_url.startswith(("postgresql", "postgres://")):
        raise MoveError("Give the PostgreSQL database to move into, as postgresql://user:password@host/database.")
    source, target = db.make_engine(source_url), None
    try:
        with source.connect() as src:
            _check_source(src)
        with _database_url(target_url):
            upgrade()
        target = db.make_engine(target_url)
        with source.connect() as src, target.begin() as dst:
            _empty_target(dst)
            counts = {}
            for table in _tables():
                counts[table.name] = _copy(src, dst, table)
                _set_counters(dst, table)
                say(f"{table.name}: {counts[table.name]} rows")
            moved = {t.name: dst.execute(select(func.count()).select_from(t)).scalar() for t in _tables()}
            if moved != counts:
                raise MoveError("The counts in PostgreSQL differ from the SQLite file's; nothing was moved.")
            db.refresh_statistics(dst)
    except SQLAlchemyError as err:
        raise MoveError(f"The move stopped and nothing was kept in PostgreSQL: {str(err).splitlines()[0]}") from err
    finally:
        source.dispose()
        if target is not None:
            target.dispose()
    return counts

"""PostgreSQL's own tools for backups: `pg_dump` in one snapshot while the app runs, `pg_restore` into an empty
database, and the row counts of every table read in the same snapshot (the manifest's, compared after a restore).

The tools come with Debian's `postgresql-client` (installed with the server); the dump's tool must be at least as
new as the server."""
from __future__ import annotations

import glob
import shutil
import subprocess
from pathlib import Path

import psycopg

TIMEOUT_S = 6 * 3600


class PgToolError(Exception):
    """pg_dump or pg_restore failed; the message is their last line."""


def is_postgresql(url: str) -> bool:
    return url.startswith(("postgresql", "postgres://"))


def libpq_url(url: str) -> str:
    """The URL as PostgreSQL's own tools and psycopg read it (no SQLAlchemy driver name)."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith("postgres") else url


def _tool(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]), reverse=True)
    path = (found[0] if found else None) or shutil.which(name)
    if not path:
        raise PgToolError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise PgToolError(f"{Path(command[0]).name} took longer than {TIMEOUT_S // 3600} hours") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise PgToolError(last)


def _counts(conn: psycopg.Connection) -> dict[str, int]:
    tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                         "ORDER BY tablename")]
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def dump(url: str, target: Path) -> dict[str, int]:
    """Dump the database into `target` (custom format) in one snapshot, while writers go on; its rows per table,
    counted in that snapshot."""
    with psycopg.connect(libpq_url(url)) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        counts = _counts(conn)
        # The snapshot is shared while this transaction stays open, which it does until the dump is written.
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
              "--file", str(target), "--dbname", libpq_url(url)])
    return counts


def is_empty(url: str) -> bool:
    """True when the database has no table of its own yet."""
    with psycopg.connect(libpq_url(url)) as conn:
        return conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0


def restore(url: str, source: Path) -> dict[str, int]:
    """Load a dump into the empty database, all or nothing; its rows per table afterwards."""
    _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          "--dbname", libpq_url(url), str(source)])
    with psycopg.connect(libpq_url(url)) as conn:
        return _counts(conn)

"""A throwaway PostgreSQL server for the tests: Debian's PostgreSQL binaries, a cluster in a temporary folder,
listening on a free port of 127.0.0.1 only, with durability switched off (the data dies with the run).

`python -m tests.postgres` starts one and prints its URL (for a person trying things by hand); the test suite
starts its own when `PRACTICE_TEST_ENGINE=postgresql` (tests/conftest.py) and stops it at the end.
PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` account Debian's package makes.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from tests.children import die_with_parent
from tests.smtp import free_port

USER = "practice"


def _bin(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)),
                                       None)
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (Debian: apt-get install postgresql)")
    return found


class ThrowawayPostgres:
    """One PostgreSQL cluster for one test run."""

    def __init__(self, *, autovacuum: bool = True) -> None:
        self.autovacuum = autovacuum
        self.folder = Path(tempfile.mkdtemp(prefix="practice-pg-"))
        self.data = self.folder / "data"
        self.port = 0
        self.process: subprocess.Popen | None = None
        self._as = None
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self._as = account

    def _run_as(self):
        if self._as is None:
            return None
        account = self._as

        def drop() -> None:
            os.setgid(account.pw_gid)
            os.setuid(account.pw_uid)
        return drop

    def start(self) -> "ThrowawayPostgres":
        env = {**os.environ, "LC_ALL": "C.UTF-8"}
        subprocess.run([_bin("initdb"), "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8",
                        "--locale=C.UTF-8", "--no-sync"], check=True, capture_output=True, env=env,
                       preexec_fn=self._run_as(), cwd=self.folder)
        self.port = free_port()
        self.process = subprocess.Popen(
            [_bin("postgres"), "-D", str(self.data), "-p", str(self.port), "-c", "listen_addresses=127.0.0.1",
             "-c", f"unix_socket_directories={self.folder}", "-c", "fsync=off", "-c", "synchronous_commit=off",
             "-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "shared_buffers=128MB",
             "-c", f"autovacuum={'on' if self.autovacuum else 'off'}"],
            stdout=subprocess.DEVNULL, stderr=open(self.folder / "server.log", "wb"), env=env,
            preexec_fn=die_with_parent(signal.SIGINT, then=self._run_as()), cwd=self.folder)
        self._wait()
        return self

    def _wait(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                psycopg.connect(self.url("postgres"), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = (self.folder / "server.log").read_text(errors="replace")[-2000:]
                    self.stop()
                    raise RuntimeError(f"PostgreSQL did not start:\n{log}") from None
                time.sleep(0.1)

    def url(self, database: str, driver: str = "") -> str:
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        return f"{scheme}://{USER}@127.0.0.1:{self.port}/{database}"

    def sql(self, *statements: str) -> None:
        """Run statements outside a transaction (CREATE/DROP DATABASE) on the maintenance database."""
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # "fast" shutdown: ends open sessions without waiting for them
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        shutil.rmtree(self.folder, ignore_errors=True)


if __name__ == "__main__":  # pragma: no cover - by hand
    server = ThrowawayPostgres().start()
    print(server.url("postgres", "psycopg"), flush=True)
    try:
        server.process.wait()
    except KeyboardInterrupt:
        server.stop()


# What a database's schema is made of, as one hash: its tables and their columns (type, default, null or not), its
# indexes, constraints, triggers, functions, views and extensions.
_SCHEMA_HASH = """
SELECT md5(string_agg(part, '|' ORDER BY part)) FROM (
  SELECT c.relname || ':' || c.relkind::text || ':' || coalesce(a.attname, '') || ':' || coalesce(a.atttypid::text, '')
         || ':' || coalesce(a.attnotnull::text, '') || ':' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') AS part
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
    LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
  UNION ALL SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
    JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
  UNION ALL SELECT conname || ':' || pg_get_constraintdef(oid) FROM pg_constraint
    WHERE connamespace = 'public'::regnamespace
  UNION ALL SELECT tgname || ':' || pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL SELECT p.oid::regprocedure::text || ':' || md5(p.prosrc) FROM pg_proc p
    WHERE p.pronamespace = 'public'::regnamespace
  UNION ALL SELECT 'extension:' || extname FROM pg_extension
) parts
"""


class DatabasePool:
    """Each test's database, a copy of the run's template: made once, then emptied after each test and given to
    the next, instead of copied again. Copying the template (CREATE DATABASE ... TEMPLATE, most of it PostgreSQL's own
    catalogs) and dropping the copy cost the server more than emptying the few tables a test wrote to.

    After a test its database's sessions are ended, the tables that hold rows are truncated, the sequences a test
    moved start again, and it is renamed: a connection the test left behind (a thread still running) can neither
    keep it nor reach it again under its old name. A database whose schema a test changed (a migration, an index
    added) is dropped instead, and so is one that cannot be emptied."""

    def __init__(self, server: ThrowawayPostgres, template: str) -> None:
        self.server, self.template = server, template
        self.ready: list[str] = []
        self._spares = 0
        with psycopg.connect(server.url(template), autocommit=True) as conn:
            self.schema = conn.execute(_SCHEMA_HASH).fetchone()[0]
            self.tables = [row[0] for row in conn.execute(
                "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname = 'public' "
                "ORDER BY tablename")]

    def take(self, name: str) -> str:
        """A database in the template's state, named `name`; its URL."""
        if self.ready:
            self.server.sql(f"ALTER DATABASE {self.ready.pop()} RENAME TO {name}")
        else:
            self.server.sql(f"CREATE DATABASE {name} TEMPLATE {self.template}")
        return self.server.url(name)

    def give_back(self, name: str) -> None:
        """After the test: `name` emptied and kept for a later test, or dropped."""
        try:
            with psycopg.connect(self.server.url("postgres"), autocommit=True) as admin:
                _end_sessions(admin, name)
                if not self._emptied(name):
                    raise psycopg.Error("its schema changed")
                self._spares += 1
                spare = f"spare{self._spares}"
                _end_sessions(admin, name)
                admin.execute(f"ALTER DATABASE {name} RENAME TO {spare}")
        except psycopg.Error:
            self.server.sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            return
        self.ready.append(spare)

    def _emptied(self, name: str) -> bool:
        with psycopg.connect(self.server.url(name), autocommit=True) as conn:
            if conn.execute(_SCHEMA_HASH).fetchone()[0] != self.schema:
                return False
            holding = " UNION ALL ".join(f"SELECT {n} FROM (SELECT 1 FROM {table} LIMIT 1) t{n}"
                                         for n, table in enumerate(self.tables))
            written = [self.tables[row[0]] for row in conn.execute(holding)] if self.tables else []
            with conn.transaction():
                if written:
                    conn.execute(f"TRUNCATE {', '.join(written)} CASCADE")
                for (sequence,) in conn.execute("SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences "
                                                "WHERE last_value IS NOT NULL").fetchall():
                    conn.execute(f"ALTER SEQUENCE {sequence} RESTART")
        return True


def _end_sessions(admin, name: str, timeout: float = 10.0) -> None:
    """End every session connected to database `name`, and wait until they are gone."""
    deadline = time.monotonic() + timeout
    while admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s "
                        "AND pid <> pg_backend_pid()", (name,)).fetchone()[0]:
        if time.monotonic() > deadline:
            raise psycopg.OperationalError(f"sessions on {name} did not end")
        time.sleep(0.01)

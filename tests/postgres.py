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

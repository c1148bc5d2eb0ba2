"""The plain outbox, the baseline of the stage-move benchmark: a writer and a worker process on one
SQLite file, with nothing of the app.

The writer inserts a row and commits (WAL, synchronous=FULL, BEGIN IMMEDIATE, like the app's
engine); the worker, a child process, asks for unhandled rows every millisecond and marks them in a
write transaction of its own (one disk sync); the writer polls every millisecond until it sees its
row marked. That is the least an outbox with a separate worker costs here: two commits and two polls.

    python benchmarks/plain_outbox.py DB_PATH     (the worker; `PlainOutbox` starts it)
"""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path


def connect(path: Path | str) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


def work(path: str) -> None:
    conn = connect(path)
    while True:
        ids = [row[0] for row in conn.execute("SELECT id FROM outbox WHERE done = 0 ORDER BY id")]
        if ids:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("UPDATE outbox SET done = 1 WHERE id = ?", [(i,) for i in ids])
            conn.execute("COMMIT")
        time.sleep(0.001)


class PlainOutbox:
    """The writer's side; `round_trip()` times one row from commit to seen handled, in ms."""

    def __init__(self, folder: Path):
        self.path = folder / "plain-outbox.db"
        self.conn = connect(self.path)
        self.conn.execute("CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY, payload TEXT, "
                          "done INTEGER NOT NULL DEFAULT 0)")
        self.proc = subprocess.Popen([sys.executable, __file__, str(self.path)])

    def round_trip(self, timeout: float = 10.0) -> float:
        self.conn.execute("BEGIN IMMEDIATE")
        row_id = self.conn.execute("INSERT INTO outbox (payload) VALUES ('job moved')").lastrowid
        self.conn.execute("COMMIT")
        committed = time.perf_counter()
        while time.perf_counter() - committed < timeout:
            if self.conn.execute("SELECT done FROM outbox WHERE id = ?", (row_id,)).fetchone()[0]:
                return (time.perf_counter() - committed) * 1000
            time.sleep(0.001)
        raise RuntimeError("the plain outbox worker did not mark its row")

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)
        self.conn.close()


if __name__ == "__main__":
    work(sys.argv[1])

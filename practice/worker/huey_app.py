"""The Huey instance: SQLite file in the data folder by default, Redis when REDIS_URL is set.

The queue only rings doorbells (the database is the truth: the minute sweep re-delivers whatever a lost
doorbell announced), so a queue file that is missing, replaced or unreadable is made again, never a reason
for a save to fail or the worker to stay down. No task results are kept (`results=False`): nothing reads
them, and Huey would otherwise keep one row per doorbell for ever.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import sqlite3
from pathlib import Path

from huey import Huey, RedisHuey
from huey.storage import SqliteStorage

from practice.config import huey_path

log = logging.getLogger(__name__)


def _identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def _unreadable(err: BaseException) -> bool:
    # Exactly DatabaseError: "file is not a database", "database disk image is malformed". Its subclass
    # OperationalError ("database is locked", "disk I/O error") is a moment's trouble, not a broken file.
    return type(err) is sqlite3.DatabaseError


class QueueFileOnFirstUse(SqliteStorage):
    """Huey's SQLite queue, opened (and its file made) when first used rather than when imported, so a
    command that never queues anything (`verify`, `migrate`) leaves no queue file behind. A file deleted or
    replaced under a running process is followed (the connection is reopened on the file now at the path),
    and an unreadable one is set aside beside it and a new one made, with a warning in the log."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, create_tables=False, **kwargs)
        self._identity: tuple[int, int] | None = None

    @property
    def conn(self):
        if self._conn is not None and _identity(self.filename) != self._identity:
            log.warning("the worker queue file %s was deleted or replaced; using the one now there", self.filename)
            self._conn.close()
            self._conn = None
        if self._conn is None:
            try:
                self._conn = self._open()
            except sqlite3.DatabaseError as err:
                if not _unreadable(err):
                    raise
                self._set_aside(err)
                self._conn = self._open()
        return self._conn

    def _open(self) -> sqlite3.Connection:
        conn = self._create_connection()
        try:
            for sql in self.ddl:
                conn.execute(sql)
            conn.commit()
        except BaseException:
            conn.close()
            raise
        self._identity = _identity(self.filename)
        return conn

    def _set_aside(self, err: BaseException) -> None:
        """Move an unreadable queue file (and its journal) aside, under a lock so two processes do it once."""
        path = Path(self.filename)
        with open(f"{path}.repair-lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:  # another process may have repaired it while this one waited
                with contextlib.closing(sqlite3.connect(path, timeout=self._timeout)) as probe:
                    probe.execute("select count(*) from sqlite_master").fetchone()
                return
            except sqlite3.DatabaseError as again:
                if not _unreadable(again):
                    raise
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
            for suffix in ("", "-wal", "-shm"):
                if Path(f"{path}{suffix}").exists():
                    os.replace(f"{path}{suffix}", f"{path}.unreadable-{stamp}{suffix}")
        log.warning("the worker queue file %s could not be read (%s); it was set aside as %s.unreadable-%s and a "
                    "new one made. Events it announced are found by the minute sweep.", path, err, path.name, stamp)

    @contextlib.contextmanager
    def db(self, commit=False, close=False):
        try:
            with super().db(commit=commit, close=close) as cursor:
                yield cursor
        except sqlite3.DatabaseError as err:
            if not _unreadable(err):
                raise
            with self.lock:  # damaged after it was opened: set it aside; the next use makes a new one
                if self._conn is not None:
                    self._conn.close()
                    self._conn = None
                self._set_aside(err)
            raise


_IMMEDIATE = os.environ.get("PRACTICE_HUEY_IMMEDIATE") == "1"  # tests: run each task at once, in this process
if os.environ.get("REDIS_URL"):
    # Redis pushes: a waiting worker is woken by a doorbell at once (a blocking read), with no polling.
    huey = RedisHuey("practice", url=os.environ["REDIS_URL"], results=False, blocking=True, immediate=_IMMEDIATE)
else:
    huey = Huey("practice", storage_class=QueueFileOnFirstUse, filename=str(huey_path()), results=False,
                immediate=_IMMEDIATE)

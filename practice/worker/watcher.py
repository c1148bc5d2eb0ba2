"""The event watcher: the consumer learns of committed events from the database itself.

SQLite tells a connection when another one has committed: `PRAGMA data_version` changes. The
watcher, a thread of the consumer process, asks that of its own connection every millisecond while
events arrive (backing off to `IDLE_POLL_S` after `BUSY_S` without any), and when it changed reads
the events committed since it last looked and hands them to the automations, in the same thread, in
order. A save therefore rings nothing: no queue row to write (and sync) in the person's request, no
second file for the consumer to poll and dequeue from (two fewer disk syncs per event). The events
an automation causes are committed on another connection, so the watcher sees them too.

Only new events are read here (id above the last one seen: SQLite hands out ids in commit order);
an event whose handling failed stays pending for the minute sweep, so a failing event cannot make
the watcher spin. It runs with SQLite unless PRACTICE_EVENT_WATCH=0; otherwise the doorbell goes through
Huey's queue as before.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from typing import Callable

from practice.config import database_url
from practice.db import get_engine

log = logging.getLogger(__name__)

POLL_S = 0.001
IDLE_POLL_S = 0.005
BUSY_S = 5.0
PAGE = 500
# The status column holds the enum's name; the partial scan uses ix_event_status (status, id). An event
# leased until later (a failed one waiting for its retry, events.record_failure) is left to the sweep; the
# lease is stored as SQLAlchemy writes UTC moments, so the text compares in time order.
NEW_EVENTS_SQL = ("SELECT id FROM event WHERE status = 'pending' AND id > ? "
                  "AND (lease_until IS NULL OR lease_until < ?) ORDER BY id LIMIT ?")


def watching() -> bool:
    """True when the consumer watches the database for new events: with SQLite, unless PRACTICE_EVENT_WATCH=0
    (then the doorbell goes through Huey's queue, as it does with any other database). On by default since no
    template is filled in under the worker's write lock (docs/benchmarks.md: the chaos runs of 2026-12-04)."""
    return database_url().startswith("sqlite") and os.environ.get("PRACTICE_EVENT_WATCH", "1") != "0"


class EventWatcher:
    """Hands each newly committed pending event to `handle` (a list of ids, in order), once."""

    def __init__(self, handle: Callable[[list[int]], int], *, poll_s: float = POLL_S,
                 idle_poll_s: float = IDLE_POLL_S):
        self.handle, self.poll_s, self.idle_poll_s = handle, poll_s, idle_poll_s
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self._conn = None
        self._version: int | None = None
        self.after_id = 0

    def start(self) -> threading.Thread:
        """Start watching in a daemon thread; its first look takes every event still pending (those
        committed while no consumer ran)."""
        self.open()
        self.thread = threading.Thread(target=self.run, name="event-watcher", daemon=True)
        self.thread.start()
        return self.thread

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout)
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def open(self) -> None:
        """Take the connection the watcher asks on (its own, held for its life: data_version is per
        connection); the next `check` reads every pending event."""
        self._conn = get_engine().raw_connection()
        self._version, self.after_id = None, 0

    def _data_version(self) -> int:
        return self._conn.execute("PRAGMA data_version").fetchone()[0]

    def check(self) -> int:
        """One look: if anything was committed since the last one, handle the new events; returns how many."""
        version = self._data_version()
        if version == self._version:
            return 0
        self._version = version
        seen = 0
        while True:
            now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
            ids = [row[0] for row in self._conn.execute(NEW_EVENTS_SQL, (self.after_id, now, PAGE))]
            if not ids:
                return seen
            self.handle(ids)  # each event commits with its effects; a failing one stays pending
            self.after_id, seen = ids[-1], seen + len(ids)
            if len(ids) < PAGE:
                return seen

    def run(self) -> None:
        last_event = time.monotonic() - BUSY_S  # idle until the first event
        delay = self.poll_s
        while not self.stopping.is_set():
            try:
                if self.check():
                    last_event, delay = time.monotonic(), self.poll_s
            except Exception:  # the database busy or gone for a moment; the sweep covers anything missed
                log.exception("event watcher: could not read or handle new events; looking again shortly")
                self.stopping.wait(1.0)
                continue
            if time.monotonic() - last_event > BUSY_S:
                delay = min(self.idle_poll_s, delay * 1.15)
            self.stopping.wait(delay)

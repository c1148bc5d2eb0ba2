"""How the Huey consumer is started: one command line shared by `serve`, the tests and the benchmarks."""
from __future__ import annotations

import sys

from practice.worker.watcher import watching

# The SQLite queue has no push: each worker polls it. A worker that finds the queue empty waits 5 ms,
# then 15% longer each time, up to 50 ms; a doorbell is therefore picked up within ~50 ms when the
# app has been idle and within a few ms while it is busy. An idle poll is one `SELECT 1 ... LIMIT 1`
# on an open connection; two workers at 20 polls/s each cost about 1% of one core (docs/benchmarks.md).
# When the consumer watches the database for new events (practice/worker/watcher.py), the queue only
# carries the minute sweep, so its workers back off to one poll a second.
# -f clears Huey's task locks at start: a consumer killed during the minute sweep would otherwise
# leave the sweep's lock held for ever, and no sweep would run again.
POLL_FLAGS = ["-d", "0.005", "-m", "0.05", "-b", "1.15"]
WATCHING_POLL_FLAGS = ["-d", "0.005", "-m", "1.0", "-b", "1.15"]


def consumer_command(workers: int = 2, *, quiet: bool = True) -> list[str]:
    """The command that runs the practice consumer with `workers` threads."""
    poll = WATCHING_POLL_FLAGS if watching() else POLL_FLAGS
    cmd = [sys.executable, "-m", "huey.bin.huey_consumer", "practice.worker.tasks.huey", "-w", str(workers),
           "-k", "thread", *poll, "-f"]
    return cmd + (["-q"] if quiet else [])

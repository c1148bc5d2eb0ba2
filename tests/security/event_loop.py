"""How long an awaited handler holds the event loop: the longest gap between ticks of a 10 ms ticker running beside it.

A gap counts only the time the loop's thread could have run: the time it spent waiting for a processor (the kernel's
run-queue wait, /proc/thread-self/schedstat) is taken out. On a loaded machine, or in a test pass run at low priority,
the whole process waits for a processor now and then; no handler holds the loop then, and none could answer sooner.
A loop held by work on it, by a wait on a lock or a child, or by another thread's hold on the interpreter still
counts in full: the loop's thread is then running or asleep, not waiting for a processor."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

_SCHEDSTAT = Path("/proc/thread-self/schedstat")


def _waited_for_a_processor() -> float:
    """Seconds this thread has spent runnable but not running (0 where the kernel does not say)."""
    try:
        return int(_SCHEDSTAT.read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


async def longest_gap(done: Callable[[], bool]) -> float:
    """Tick every 10 ms on the running loop until `done()`; the longest gap between two ticks, in seconds, less the
    time the loop's thread waited for a processor in it."""
    longest, last, waited = 0.0, time.monotonic(), _waited_for_a_processor()
    while True:
        await asyncio.sleep(0.01)
        now, now_waited = time.monotonic(), _waited_for_a_processor()
        longest = max(longest, (now - last) - (now_waited - waited))
        last, waited = now, now_waited
        if done():
            return longest


def longest_hold(start: Callable[[], Awaitable]) -> float:
    """Seconds of the longest wait the ticker saw while `start()` ran (other people's clicks wait as long)."""
    async def tick_beside() -> float:
        running = asyncio.ensure_future(start())
        longest = await longest_gap(running.done)
        await running
        return longest

    return asyncio.run(tick_beside())

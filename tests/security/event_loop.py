"""How long an awaited handler holds the event loop: the longest gap between ticks of a 10 ms ticker running beside it."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


def longest_hold(start: Callable[[], Awaitable]) -> float:
    """Seconds of the longest wait the ticker saw while `start()` ran (other people's clicks wait as long)."""
    async def tick_beside() -> float:
        gaps, last = [], time.monotonic()
        running = asyncio.ensure_future(start())
        while not running.done():
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now
        await running
        return max(gaps)

    return asyncio.run(tick_beside())

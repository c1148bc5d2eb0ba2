"""The objects the server builds as it starts, kept out of the garbage collector's full passes.

CPython's full (oldest-generation) collection walks every tracked object while it holds the interpreter, so the
event loop, and everybody's clicks, wait meanwhile. The app starts with about 0.9 million of them (compiled pages,
components, Reflex's registries, SQLAlchemy's mappers), and one full pass over them took 0.9-2.5 s on the loaded
2-core machine: issue 20's one long wait during hostile previews. The interpreter starts such a pass on its own,
at a moment nobody chooses, whenever its long-lived objects have grown by a quarter. Collected once and frozen as
the server starts, they are never walked again; a full pass then walks only what was made since.

What is made since is mostly the open tabs' state (Reflex keeps each tab's state in memory): with 200 portal
clients about a million objects, and a full pass over them took ~250 ms. The interpreter started one every 6-12 s
under that load (its rule: whenever a quarter as many objects again have reached the oldest generation, which the
pages' data, replaced on every page view, do quickly), so one page view in twenty waited a quarter of a second
(issue 12). The server takes those passes over: the interpreter's own passes stop at the middle generation, and a
full pass runs every FULL_PASS_SECONDS, which still frees the cycles nobody refers to any more.
"""
from __future__ import annotations

import asyncio
import gc

FULL_PASS_SECONDS = 120.0
_NEVER = 2**31 - 1


def settle() -> None:
    """Collect once, then move every object alive now into the permanent generation (the server calls this as it
    starts, before its first request)."""
    gc.collect()
    gc.freeze()


async def full_passes_on_schedule(every: float = FULL_PASS_SECONDS) -> None:
    """While the server runs: no full pass at the interpreter's choosing, one every `every` seconds instead. The
    interpreter's thresholds come back when the server stops (tests run servers inside their own process)."""
    before = gc.get_threshold()
    gc.set_threshold(before[0], before[1], _NEVER)
    try:
        while True:
            await asyncio.sleep(every)
            gc.collect()
    finally:
        gc.set_threshold(*before)

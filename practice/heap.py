"""The objects the server builds as it starts, kept out of the garbage collector's full passes.

CPython's full (oldest-generation) collection walks every tracked object while it holds the interpreter, so the
event loop, and everybody's clicks, wait meanwhile. The app starts with about 0.9 million of them (compiled pages,
components, Reflex's registries, SQLAlchemy's mappers), and one full pass over them took 0.9-2.5 s on the loaded
2-core machine: issue 20's one long wait during hostile previews. The interpreter starts such a pass on its own,
at a moment nobody chooses, whenever its long-lived objects have grown by a quarter. Collected once and frozen as
the server starts, they are never walked again; a full pass then walks only what was made since.
"""
from __future__ import annotations

import gc


def settle() -> None:
    """Collect once, then move every object alive now into the permanent generation (the server calls this as it
    starts, before its first request)."""
    gc.collect()
    gc.freeze()

"""A page's on-load handlers run before anything a person does on that page.

When a link (or a handler's redirect) takes a tab to another page, Reflex's page script queues the new page's
on-load handlers from a React `useEffect` in its event loop (`utils/state.js`). React runs such effects in a task
after the new page is on screen, and Chromium handles input before that task when it is busy. A click or a key
pressed on the new page in that moment is sent first and answered first; the on-load handlers then run after it and
start the page afresh: a dialog just opened closes, a sentence just shown ("a link ... is on its way") goes. The
event also carried the page before's address, which the same effects update.

This plugin makes those three effects (the route's parameters, its location, and the on-load queueing) layout
effects, which React runs before the browser may handle any input: the on-load handlers are always queued first,
and the events that follow carry the new address.
"""
from __future__ import annotations

from reflex_base.plugins import Plugin

STATE_JS = "utils/state.js"
_MARK = "practice: on-load handlers before input"
_IMPORT = 'import { useCallback, useEffect, useRef, useState } from "react";\n'
# The event loop's effects, each replaced by the same code as a layout effect.
_EFFECTS = (
    '  useEffect(() => {\n    const { "*": splat, ...remainingParams } = paramsR;\n',
    "  useEffect(() => {\n    locationRef.current = location;\n  }, [location]);\n",
    "  // Route after the initial page hydration\n  useEffect(() => {\n",
)


def on_load_first(content: str) -> str:
    """Reflex's `utils/state.js` with the route's effects run as layout effects (unchanged when already patched)."""
    if _MARK in content:
        return content
    missing = [anchor for anchor in (_IMPORT, *_EFFECTS) if content.count(anchor) != 1]
    if missing:
        raise RuntimeError("practice cannot run the pages' on-load handlers before input in utils/state.js: "
                           f"{missing!r} is not there once (Reflex changed its template).")
    content = content.replace(_IMPORT, _IMPORT.replace("useEffect,", "useEffect, useLayoutEffect,"), 1)
    for anchor in _EFFECTS:
        content = content.replace(anchor, anchor.replace("useEffect(", f"// {_MARK}\n  useLayoutEffect(", 1), 1)
    return content


class NavigationOrderPlugin(Plugin):
    """Patches the copied page script at each compile (see the module's text)."""

    def pre_compile(self, **context):
        context["add_modify_task"](STATE_JS, on_load_first)

"""The page script's route effects as layout effects (practice/navigation_order.py), on Reflex's own template: the
route's parameters, its location and the queueing of the on-load handlers, in that order, run before input; a
second compile changes nothing, and a template that changed says so instead of building a page script that races.
The browser journey tests/e2e/test_navigation_order.py shows what a person would notice."""
import re
from pathlib import Path

import pytest
import reflex_base

from practice.dev_proxy import same_origin_backend
from practice.navigation_order import on_load_first


def _reflex_state_js() -> str:
    return (Path(reflex_base.__file__).parent / ".templates" / "web" / "utils" / "state.js").read_text()


def test_the_route_effects_run_as_layout_effects_in_their_order_and_a_second_compile_changes_nothing():
    patched = on_load_first(same_origin_backend(_reflex_state_js()))
    assert 'import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";' in patched
    layout = [m.start() for m in re.finditer(r"useLayoutEffect\(\(\) => \{", patched)]
    assert len(layout) == 3
    params, location, on_load = layout
    assert params < patched.index('const { "*": splat') < location < patched.index("locationRef.current = location")
    assert location < on_load < patched.index("addEvents(app.onLoadInternalEvent())")
    assert on_load_first(patched) == patched
    assert same_origin_backend(patched) == patched, "the two patches of the file leave each other alone"


def test_a_changed_template_is_refused_with_a_sentence():
    changed = _reflex_state_js().replace("  // Route after the initial page hydration\n", "")
    with pytest.raises(RuntimeError, match="cannot run the pages' on-load handlers before input"):
        on_load_first(changed)

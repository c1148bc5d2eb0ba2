"""One line per headline figure, for `run_all.py` to gather: `FIGURE {json}` on a benchmark's stdout.

    from figures import figure   (benchmarks/ is on sys.path for every benchmark script)
    figure("stage move -> task committed, p50", 8.1, "ms", baseline=4.3, baseline_name="plain outbox p50",
           goal="<= 10 ms and <= 4x baseline", ok=True)

`run_all.py` prints each figure beside its baseline from the same run, with the ratio.
"""
from __future__ import annotations

import json

PREFIX = "FIGURE "


def figure(name: str, value: float, unit: str, *, baseline: float | None = None, baseline_name: str = "",
           goal: str = "", ok: bool | None = None) -> None:
    """Print one figure with its same-run baseline (None when the figure has none)."""
    print(PREFIX + json.dumps({"name": name, "value": value, "unit": unit, "baseline": baseline,
                               "baseline_name": baseline_name, "goal": goal, "ok": ok}), flush=True)


def parse(line: str) -> dict | None:
    """The figure a line carries, or None."""
    if not line.startswith(PREFIX):
        return None
    try:
        return json.loads(line[len(PREFIX):])
    except ValueError:
        return None

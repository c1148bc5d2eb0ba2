"""Benchmark: 2,000 anonymous tabs cannot fill the server's memory.

Each tab that connects makes the server build a whole state tree (the app's ~50 states) and send it in full; Reflex's
plain in-memory manager keeps it an hour after the tab's last event. This opens `--tabs` first page loads with no
login (the tree, its router data with the connection's headers, the full state dict the first answer sends) on
two managers in the same run: Reflex's plain StateManagerMemory (the baseline, what the app ran with before) and the
app's VisitorBoundStateManager (practice/state/visitor_states.py, default cap of 500 anonymous states). It reports
the time, the Python memory the states hold (tracemalloc), how many states are kept, and how many are left once
the visitors' expiry has passed (set to `--expiry-s` here; 600 s in the app). It measures the state manager, not
the socket.io connection objects, which the server frees when a connection closes. Exits 1 if the app's manager
keeps more than its cap or anything after the expiry.

    python benchmarks/bench_anonymous_states.py [--tabs 2000] [--repeat 3] [--expiry-s 2]
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from figures import figure  # noqa: E402
os.environ.setdefault("PRACTICE_DATA_DIR", tempfile.mkdtemp(prefix="bench-anon-"))


async def flood(manager, tabs: int, expiry_s: float) -> dict:
    from reflex.istate.data import RouterData
    from reflex.istate.manager.token import BaseStateToken
    from reflex.state import State

    headers = {"host": "127.0.0.1:3000", "origin": "http://127.0.0.1:3000", "user-agent": "bench",
               "cookie": "", "accept-language": "en"}
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    for i in range(tabs):
        async with manager.modify_state(BaseStateToken(ident=f"tab-{i}", cls=State)) as root:
            root.router = RouterData.from_router_data({"headers": headers, "pathname": "/login"})
            root.dict()
    seconds = time.perf_counter() - started
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    kept = len(manager.states)
    await asyncio.sleep(expiry_s * 1.6)
    left = len(manager.states)
    await manager.close()
    return {"seconds": seconds, "mb": held / 1e6, "kept": kept, "left": left}


def run(kind: str, tabs: int, expiry_s: float) -> dict:
    from reflex.istate.manager.memory import StateManagerMemory

    from practice.state.visitor_states import VisitorBoundStateManager

    manager = StateManagerMemory() if kind == "plain" else VisitorBoundStateManager(visitor_expiration=expiry_s)
    return asyncio.run(flood(manager, tabs, expiry_s))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tabs", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--expiry-s", type=float, default=2.0)
    args = parser.parse_args()
    os.environ["REFLEX_TELEMETRY_ENABLED"] = "false"
    import practice.practice  # noqa: F401 - every state of the app, as the server has them
    from practice.config import max_visitor_states

    results = {"plain": [], "app": []}
    for _ in range(args.repeat):
        for kind in results:  # interleaved, so both see the same machine load
            results[kind].append(run(kind, args.tabs, args.expiry_s))
    print(f"{args.tabs} anonymous first page loads, medians of {args.repeat} (cap {max_visitor_states()}, "
          f"visitors' expiry {args.expiry_s} s here)")
    print(f"{'manager':<32} {'seconds':>8} {'MB held':>8} {'kept':>6} {'after expiry':>13}")
    for kind, label in (("plain", "Reflex StateManagerMemory"), ("app", "VisitorBoundStateManager")):
        med = {key: statistics.median(r[key] for r in results[kind]) for key in results[kind][0]}
        print(f"{label:<32} {med['seconds']:>8.2f} {med['mb']:>8.1f} {med['kept']:>6.0f} {med['left']:>13.0f}")
    plain = statistics.median(r["mb"] for r in results["plain"])
    ours = statistics.median(r["mb"] for r in results["app"])
    print(f"memory ratio app/plain: {ours / plain:.2f}")
    bad = [r for r in results["app"] if r["kept"] > max_visitor_states() or r["left"] > 0]
    figure(f"{args.tabs} anonymous tabs: state memory held", round(ours, 1), "MB", baseline=round(plain, 1),
           baseline_name="Reflex's plain memory manager", goal=f"<= {max_visitor_states()} states, none after expiry",
           ok=not bad)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

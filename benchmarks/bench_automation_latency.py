"""Benchmark: a stage move committed → its automations' tasks committed (3 rules, 2 actions each, no
email), beside a plain outbox measured in the same run (issue 12).

Builds a fresh migrated SQLite database (the app's engine: WAL, synchronous=FULL) in a temporary
folder and starts the real Huey consumer as a child process with the command `serve` uses
(practice/worker/consumer.py). Each move is committed with `jobs.move_job` in a `write_session()`;
the clock starts right after the session's commit and stops when this process sees the move's event
row 'handled' (it polls every 1 ms; the consumer commits the rules' tasks and that mark in one
transaction). Moves are one at a time, so this is latency, not throughput.

Each round, interleaved so the machine's load touches all alike:
- baseline: one row through the plain outbox (benchmarks/plain_outbox.py: raw sqlite3, a worker
  process polling every 1 ms, the same pragmas);
- 3 rules: a move into "Review", where 3 rules fire, each creating a task and adding a tag;
- a move no rule applies to (rules loaded).
Modes: `watch` (the consumer watches the database for new events, the default) and, with
`--compare`, `queue` (PRACTICE_EVENT_WATCH=0: the doorbell goes through Huey's SQLite queue file,
as before), each with its own consumer. Also the idle consumer's CPU use. Targets (watch mode):
3 rules p50 <= 10 ms, p95 <= 20 ms, and each at most 4x the plain outbox's; exits 1 when missed.

    python benchmarks/bench_automation_latency.py [--moves 200] [--compare] [--idle-s 10]
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from automation_setup import (DATA, THREE_RULES, Consumer, build_firm, machine, real_doorbell,  # noqa: E402
                              save_rules)
from figures import figure  # noqa: E402
from plain_outbox import PlainOutbox  # noqa: E402

from sqlmodel import select  # noqa: E402

from practice.db import read_session, write_session  # noqa: E402
from practice.models import Event, EventStatus, RuleRun, RunStatus, Task  # noqa: E402
from practice.services.work import jobs  # noqa: E402

WARMUP = 10
P50_MS, P95_MS, RATIO = 10.0, 20.0, 4.0


def move_and_wait(actor, job_id: int, stage_id: int, timeout: float = 10.0) -> float:
    """Move one job; ms from its commit until this process sees its event handled (asked every 1 ms on a
    plain sqlite3 connection, as the plain outbox's writer does, so both pay the same to look)."""
    with write_session() as s:
        jobs.move_job(s, actor, job_id, stage_id)
        s.flush()
        event_id = s.exec(select(Event.id).where(Event.job_id == job_id).order_by(Event.id.desc())).first()
    committed = time.perf_counter()
    deadline = committed + timeout
    while time.perf_counter() < deadline:
        if _looker().execute("SELECT status FROM event WHERE id = ?", (event_id,)).fetchone()[0] == HANDLED:
            return (time.perf_counter() - committed) * 1000
        time.sleep(0.001)
    raise RuntimeError(f"event {event_id} not handled within {timeout} s")


HANDLED = EventStatus.handled.name
_conn: list[sqlite3.Connection] = []


def _looker() -> sqlite3.Connection:
    if not _conn:
        _conn.append(sqlite3.connect(str(DATA / "practice.db"), isolation_level=None))
    return _conn[0]


def summary(name: str, values: list[float]) -> dict:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return {"name": name, "n": len(values), "p50": statistics.median(values), "p95": p95, "max": values[-1]}


def run_mode(mode: str, firm: dict, job_ids: list[int], moves: int, idle_s: float, plain: PlainOutbox) -> dict:
    """Start a consumer in `mode`, measure idle CPU, then `moves` interleaved rounds."""
    os.environ["PRACTICE_EVENT_WATCH"] = "1" if mode == "watch" else "0"
    actor, stages = firm["actor"], firm["stages"]
    consumer = Consumer()
    try:
        consumer.wait_ready()
        cpu0, t0 = consumer.cpu_seconds(), time.monotonic()
        time.sleep(idle_s)
        idle_cpu = 100 * (consumer.cpu_seconds() - cpu0) / (time.monotonic() - t0)
        base, fired, quiet = [], [], []
        busy_cpu0 = 0.0
        for i in range(moves + WARMUP):
            if i == WARMUP:
                busy_cpu0 = consumer.cpu_seconds()
            b = plain.round_trip()
            f = move_and_wait(actor, job_ids[2 * i], stages["Review"])  # 3 rules fire
            q = move_and_wait(actor, job_ids[2 * i + 1], stages["Preparation"])  # none applies
            if i >= WARMUP:
                base.append(b)
                fired.append(f)
                quiet.append(q)
        cpu_per_round = 1000 * (consumer.cpu_seconds() - busy_cpu0) / moves
    finally:
        consumer.stop()
    return {"idle_cpu": idle_cpu, "cpu_per_round": cpu_per_round, "base": summary(f"[{mode}] baseline: plain outbox row", base),
            "fired": summary(f"[{mode}] 3 rules x (task + tag) fire", fired),
            "quiet": summary(f"[{mode}] rules loaded, none applies", quiet)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=200)
    parser.add_argument("--idle-s", type=float, default=10.0)
    parser.add_argument("--compare", action="store_true", help="also measure the doorbell through Huey's queue")
    args = parser.parse_args()

    modes = ["queue", "watch"] if args.compare else ["watch"]
    per_mode = 2 * (args.moves + WARMUP)
    firm = build_firm(per_mode * len(modes))
    save_rules(firm["actor"], THREE_RULES)
    real_doorbell()
    plain = PlainOutbox(DATA)
    results = {}
    try:
        for n, mode in enumerate(modes):
            results[mode] = run_mode(mode, firm, firm["job_ids"][n * per_mode:(n + 1) * per_mode], args.moves,
                                     args.idle_s, plain)
    finally:
        plain.stop()

    with read_session() as s:
        tasks_made = len(s.exec(select(Task.id)).all())
        failed = len(s.exec(select(RuleRun.id).where(RuleRun.status.notin_(
            [RunStatus.done, RunStatus.not_fired]))).all())
    expected = 3 * (args.moves + WARMUP) * len(modes)
    assert tasks_made == expected and failed == 0, (tasks_made, expected, failed)

    print(f"machine: {machine()}")
    print(f"{'scenario':<44} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for mode, r in results.items():
        for row in (r["base"], r["fired"], r["quiet"]):
            print(f"{row['name']:<44} {row['n']:>4} {row['p50']:>8.2f} {row['p95']:>8.2f} {row['max']:>8.2f}")
        print(f"[{mode}] consumer idle CPU over {args.idle_s:.0f} s: {r['idle_cpu']:.2f}% of one core; "
              f"consumer CPU per round (a firing and a quiet move): {r['cpu_per_round']:.2f} ms")
    r = results["watch"]
    fired, base = r["fired"], r["base"]
    if "queue" in results:
        q = results["queue"]["fired"]
        figure("stage move -> tasks, p50, doorbell through Huey's queue", round(q["p50"], 2), "ms",
               baseline=round(results["queue"]["base"]["p50"], 2), baseline_name="plain outbox p50")
    figure("consumer CPU per firing + quiet move", round(r["cpu_per_round"], 2), "ms")
    ok_p50 = fired["p50"] <= P50_MS and fired["p50"] <= RATIO * base["p50"]
    ok_p95 = fired["p95"] <= P95_MS and fired["p95"] <= RATIO * base["p95"]
    figure("stage move -> 3 rules' tasks committed, p50", round(fired["p50"], 2), "ms",
           baseline=round(base["p50"], 2), baseline_name="plain outbox p50",
           goal=f"<= {P50_MS:g} ms and <= {RATIO:g}x", ok=ok_p50)
    figure("stage move -> 3 rules' tasks committed, p95", round(fired["p95"], 2), "ms",
           baseline=round(base["p95"], 2), baseline_name="plain outbox p95",
           goal=f"<= {P95_MS:g} ms and <= {RATIO:g}x", ok=ok_p95)
    print(f"target: p50 <= {P50_MS} ms, p95 <= {P95_MS} ms, each <= {RATIO}x the plain outbox: "
          f"{'PASS' if ok_p50 and ok_p95 else 'FAIL'} (p50 {fired['p50']:.2f} ms = "
          f"{fired['p50'] / base['p50']:.2f}x, p95 {fired['p95']:.2f} ms = {fired['p95'] / base['p95']:.2f}x)")
    return 0 if ok_p50 and ok_p95 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the demo generator creates 5,000 accounts and 50,000 jobs in under 10 s.

Each run builds a fresh, migrated SQLite file (the same engine settings as the app: WAL,
synchronous=FULL) with a small team and tags, then times `demo.generate_large` in one write
transaction, commit included. Reports the median of 3 runs; exits 1 above the limit.

    python benchmarks/bench_demo.py [--runs 3] [--accounts 5000] [--jobs 50000] [--limit 10]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ONE_RUN = """
import os, sys, time
from practice.db import write_session
from practice.migrate import upgrade
from practice.models import Tag
from practice.services import demo
from practice.services.actor import SYSTEM
from tests.factories import make_member

upgrade()
with write_session() as s:
    for role in ("owner", "admin", "employee", "employee", "employee"):
        make_member(s, role=role)
    for name, color in demo.TAGS.items():
        s.add(Tag(name=name, color=color))
start = time.perf_counter()
with write_session() as s:
    demo.generate_large(s, n_accounts=int(sys.argv[1]), n_jobs=int(sys.argv[2]))
print(f"{time.perf_counter() - start:.4f}")
"""


def run_once(accounts: int, jobs: int) -> float:
    """One timing in a child process, so each run starts cold on its own database."""
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        env = {**os.environ, "PRACTICE_DATA_DIR": tmp, "DATABASE_URL": f"sqlite:///{tmp}/practice.db",
               "PYTHONPATH": str(ROOT)}
        out = subprocess.run([sys.executable, "-c", ONE_RUN, str(accounts), str(jobs)], cwd=ROOT, env=env,
                             capture_output=True, text=True, check=True)
        return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--accounts", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=50000)
    parser.add_argument("--limit", type=float, default=10.0, help="seconds the median may take")
    args = parser.parse_args()
    times = []
    for i in range(args.runs):
        times.append(run_once(args.accounts, args.jobs))
        print(f"run {i + 1}: {times[-1]:.2f} s", flush=True)
    median = statistics.median(times)
    ok = median <= args.limit
    print(f"demo generator: {args.accounts} accounts + {args.jobs} jobs, median of {args.runs}: {median:.2f} s "
          f"(min {min(times):.2f}, max {max(times):.2f}; limit {args.limit:.0f} s) -> {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

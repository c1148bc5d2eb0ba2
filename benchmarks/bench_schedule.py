"""Benchmark: a schedule over 10,000 accounts creates its jobs within 1 s (issue 12, item 5).

Fresh migrated SQLite database (the app's engine) in a temporary folder with 10,000 accounts (each
with a contact) inserted in bulk, and the rule

    rule "Monthly bookkeeping"
    every day at 07:00
    for each account where account.type is "Individual"
    then
      create job "Books {{ month }} {{ year }}" in pipeline "1040 Return" for account due in 15 days
    end

saved (which anchors the schedule). The clock covers `schedules.run_schedules(session, now=...)`
in one `write_session()`, commit included, at a moment a day and an hour later (one occurrence due).
Then it checks that 10,000 jobs, runs, effects and job_created events exist, and that a second call
at the same moment creates nothing. Baseline, same run: inserting the same 10,000 job rows with one
Core INSERT (the least any implementation must do). 3 runs, each on a fresh database; exits 1 when
the median is over the limit. Each run also reports the CPU seconds of the call (this process's),
which other work on a shared machine inflates less than the wall time.

    python benchmarks/bench_schedule.py [--accounts 10000] [--runs 3] [--limit-s 1]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

RULE = '''
rule "Monthly bookkeeping"
every day at 07:00
for each account where account.type is "Individual"
then
  create job "Books {{ month }} {{ year }}" in pipeline "1040 Return" for account due in 15 days
end
'''


def one_run(n_accounts: int) -> None:
    """In a child process: build, time, check; print four numbers (seconds, baseline seconds, then the
    CPU seconds of each)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from automation_setup import build_firm, save_rules  # noqa: PLC0415

    from sqlalchemy import func, insert, select  # noqa: PLC0415

    from practice.db import write_session  # noqa: PLC0415
    from practice.models import (AccountContact, ActionEffect, Contact, Event, Job, RuleRun,  # noqa: PLC0415
                                 utcnow)
    from practice.services import events  # noqa: PLC0415
    from practice.services.automation import schedules  # noqa: PLC0415

    events.set_doorbell(lambda ids: None)  # no consumer here: only the schedule's own work is timed
    firm = build_firm(n_accounts)  # accounts "Client i" with a job each in Onboarding
    with write_session() as s:
        now = utcnow()
        first_contact = (s.execute(select(func.max(Contact.id))).scalar() or 0) + 1
        s.execute(insert(Contact), [{"first_name": "Pat", "last_name": f"Client {i}", "email": f"c{i}@example.org",
                                     "created_at": now} for i in range(n_accounts)])
        accounts_ids = sorted({j.account_id for j in s.execute(select(Job)).scalars()})
        s.execute(insert(AccountContact), [{"account_id": a, "contact_id": first_contact + i}
                                           for i, a in enumerate(accounts_ids)])
    save_rules(firm["actor"], RULE)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1, hours=1)
    with write_session() as s:
        jobs_before = s.execute(select(func.count()).select_from(Job)).scalar()
        events_before = s.execute(select(func.count()).select_from(Event)).scalar()
    start, cpu = time.perf_counter(), time.process_time()
    with write_session() as s:
        ran = schedules.run_schedules(s, now=later)
    took, took_cpu = time.perf_counter() - start, time.process_time() - cpu
    with write_session() as s:
        assert ran == 1, ran
        assert s.execute(select(func.count()).select_from(Job)).scalar() - jobs_before == n_accounts
        assert s.execute(select(func.count()).select_from(RuleRun)).scalar() == n_accounts
        assert s.execute(select(func.count()).select_from(ActionEffect)).scalar() == n_accounts
        assert s.execute(select(func.count()).select_from(Event)).scalar() - events_before == n_accounts
        assert schedules.run_schedules(s, now=later) == 0
    rows = [{"account_id": a, "pipeline_id": firm["pipeline_id"], "stage_id": firm["stages"]["Onboarding"],
             "name": "Books baseline", "priority": "Medium", "archived": False, "created_at": later,
             "entered_stage_at": later, "version": 1} for a in accounts_ids]
    start, cpu = time.perf_counter(), time.process_time()
    with write_session() as s:
        s.execute(insert(Job), rows)
    baseline, baseline_cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{took:.4f} {baseline:.4f} {took_cpu:.4f} {baseline_cpu:.4f}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit-s", type=float, default=1.0)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one_run(args.accounts)
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    times, baselines, cpus, baseline_cpus = [], [], [], []
    for i in range(args.runs):
        out = subprocess.run([sys.executable, __file__, "--one", "--accounts", str(args.accounts)], check=True,
                             capture_output=True, text=True, env=dict(os.environ)).stdout.split()
        for values, text in zip((times, baselines, cpus, baseline_cpus), out[-4:]):
            values.append(float(text))
        print(f"run {i + 1}: run_schedules {times[-1]:.2f} s, CPU {cpus[-1]:.2f} s (baseline: one INSERT of the "
              f"same jobs {baselines[-1]:.2f} s, CPU {baseline_cpus[-1]:.2f} s)", flush=True)
    from automation_setup import machine  # noqa: PLC0415
    from figures import figure  # noqa: PLC0415

    median, baseline = statistics.median(times), statistics.median(baselines)
    print(f"machine: {machine()}")
    print(f"median run_schedules over {args.accounts} accounts: {median:.2f} s (CPU {statistics.median(cpus):.2f} s); "
          f"baseline median {baseline:.2f} s (CPU {statistics.median(baseline_cpus):.2f} s); "
          f"ratio {median / baseline:.1f}x")
    ok = median <= args.limit_s
    figure(f"schedule over {args.accounts} accounts", round(median, 2), "s",
           baseline=round(baseline, 2), baseline_name="one Core INSERT of the same jobs",
           goal=f"<= {args.limit_s:g} s", ok=ok)
    print(f"target: within {args.limit_s} s: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

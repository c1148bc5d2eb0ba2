"""Benchmark: the Accounts list with each account's balance (issue 17) on 5,000 accounts with invoices and payments,
against the same list without balances, in the same run.

Builds a migrated SQLite file (app engine settings) with `demo.generate_large` (5,000 accounts, each with a contact,
and 50,000 jobs as bench_board.py), then four invoices per account (20,000: sent, partly paid, paid, and a draft or a
void one) with their payment rows, numbered as issued. The owner sees every account; the employee works on one
account in ten, without "view all", and is given "see billing". It times, the way a page load calls it (a new read
session per call), the list's first page (25 rows) and its count:

- the baseline: the list without balances (`list_accounts` as before issue 17);
- the list with balances (`with_balance=True`: one aggregate over the page's accounts, as the page asks);
- the list filtered to the accounts that owe money, with balances;

for the owner and for the employee, the three taking turns load by load. Prints the machine and its load, p50/p95, the statements, the SQLite VM steps
(a measure of the rows read that the machine's load does not change) and each ratio to the same-run baseline; one
FIGURE line per scenario for run_all.py. The accounts list has no time budget written down (docs/benchmarks.md, issue
15's figures are its only ones), so the goal checked is the statement count: balances add one statement, whatever
the number of accounts.

    python benchmarks/bench_account_balances.py [--accounts 5000] [--iterations 200]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy  # noqa: E402
from sqlalchemy import event, insert, select  # noqa: E402

from figures import figure  # noqa: E402
from practice.db import get_engine, read_session, reset_engine, write_session  # noqa: E402
from practice.migrate import upgrade  # noqa: E402
from practice.models import Account, AccountTeam, Invoice, InvoiceStatus, Payment, Tag  # noqa: E402
from practice.services import demo  # noqa: E402
from practice.services.actor import Actor, account_visible, visible_account_ids  # noqa: E402
from practice.services.work import accounts  # noqa: E402
from practice.services.work.accounts import list_accounts  # noqa: E402
from tests.factories import make_member  # noqa: E402


def build(n_accounts: int) -> dict:
    upgrade()
    rnd = random.Random(17)
    today = dt.date.today()
    with write_session() as s:
        owner = Actor.of(make_member(s, role="owner", name="Owner"))
        member = make_member(s, role="employee", name="Limited")
        member.can_see_billing = True
        s.add(member)
        s.flush()
        limited = Actor.of(member)
        for name, color in demo.TAGS.items():
            s.add(Tag(name=name, color=color))
        s.flush()
        demo.generate_large(s, n_accounts=n_accounts, n_jobs=n_accounts * 10)
        accounts = list(s.execute(select(Account.id)).scalars())
        invoices, number = [], 0
        for a in accounts:
            for status in (InvoiceStatus.sent, InvoiceStatus.partly_paid, InvoiceStatus.paid,
                           rnd.choice((InvoiceStatus.draft, InvoiceStatus.void))):
                total = rnd.randrange(100, 5000) * 100
                paid = {InvoiceStatus.partly_paid: total // 3, InvoiceStatus.paid: total}.get(status, 0)
                if status != InvoiceStatus.draft:
                    number += 1
                invoices.append({"account_id": a, "number": number if status != InvoiceStatus.draft else None,
                                 "status": status.name, "issue_date": today, "due_date": today + dt.timedelta(days=30),
                                 "notes": "", "terms": "", "subtotal_cents": total, "discount_cents": 0,
                                 "tax_cents": 0, "total_cents": total, "paid_cents": paid, "credited_cents": 0,
                                 "created_by_member_id": owner.member_id, "void_reason": "",
                                 "created_at": dt.datetime.now(dt.timezone.utc)})
        s.execute(insert(Invoice), invoices)
        paid_rows = s.execute(select(Invoice.id, Invoice.account_id, Invoice.paid_cents)
                              .where(Invoice.paid_cents > 0)).all()
        s.execute(insert(Payment), [{"invoice_id": i, "account_id": a, "amount_cents": cents, "method": "check",
                                     "reference": "", "received_on": today, "recorded_by_label": "Owner",
                                     "created_at": dt.datetime.now(dt.timezone.utc)} for i, a, cents in paid_rows])
        # One account in ten owes nothing any more: its sent and partly paid invoices are paid.
        for a in accounts[::10]:
            s.execute(sqlalchemy.update(Invoice).where(Invoice.account_id == a, Invoice.status.in_(
                (InvoiceStatus.sent.name, InvoiceStatus.partly_paid.name))).values(
                status=InvoiceStatus.paid.name, paid_cents=Invoice.total_cents))
        # The employee works on one account in ten (about the share bench_board's "Limited" has).
        s.execute(insert(AccountTeam), [{"account_id": a, "member_id": limited.member_id} for a in accounts[5::10]])
        # generate_large spreads the jobs' assignees over the members, so the employee was also assigned half the
        # jobs and saw 4,969 accounts of 5,000; their jobs on the other accounts go to the owner.
        s.connection().exec_driver_sql(
            "DELETE FROM jobassignee WHERE member_id = ? AND job_id IN (SELECT job.id FROM job WHERE job.account_id "
            "NOT IN (SELECT account_id FROM accountteam WHERE member_id = ?))", (limited.member_id, limited.member_id))
        s.connection().exec_driver_sql(
            "INSERT OR IGNORE INTO jobassignee (job_id, member_id) SELECT job.id, ? FROM job WHERE NOT EXISTS "
            "(SELECT 1 FROM jobassignee x WHERE x.job_id = job.id)", (owner.member_id,))
    with write_session() as s:
        s.connection().exec_driver_sql("ANALYZE")
    return {"owner": owner, "limited": limited, "invoices": len(invoices), "payments": len(paid_rows)}


def load(actor, **query):
    def run():
        with read_session() as s:
            rows, total = list_accounts(s, actor, **query)
        assert rows and total
        if not actor.sees_all_accounts:
            assert total <= ACCOUNTS[0] // 10 + 1, total  # one account in ten, no more
        if query.get("with_balance"):
            assert all(r.balance_cents is not None for r in rows)
            if query.get("owing"):
                assert all(r.balance_cents > 0 for r in rows)
    return run


STEPS = {"on": False, "n": 0}
ACCOUNTS = [5000]


def _watch(dbapi_conn, record, proxy):  # each connection taken from the pool counts VM steps while asked to
    def step():
        STEPS["n"] += 1
        return 0
    dbapi_conn.set_progress_handler(step if STEPS["on"] else None, 100)


def steps_of(fn) -> int:
    """The SQLite virtual-machine steps (hundreds) of one load."""
    STEPS.update(on=True, n=0)
    try:
        fn()
    finally:
        STEPS["on"] = False
    return STEPS["n"]


def measure(fns: list, iterations: int, counter: list) -> list[tuple[list[float], int]]:
    """Each load timed `iterations` times, taking turns (one of each, then again), so that a busy machine's bursts
    fall on the baseline and the scenarios alike."""
    for fn in fns:
        for _ in range(5):
            fn()
    times: list[list[float]] = [[] for _ in fns]
    most = [0] * len(fns)
    for _ in range(iterations):
        for i, fn in enumerate(fns):
            counter[0] = 0
            start = time.perf_counter()
            fn()
            times[i].append((time.perf_counter() - start) * 1000)
            most[i] = max(most[i], counter[0])
    return list(zip(times, most))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=5000)
    parser.add_argument("--iterations", type=int, default=200)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="bench-balances-")
    os.environ["PRACTICE_DATA_DIR"] = tmp.name
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp.name) / 'balances.db'}"
    reset_engine()
    start = time.perf_counter()
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    print(f"machine: {os.cpu_count()} cpus, {cpu}, Python {platform.python_version()}, SQLite "
          f"{sqlite3.sqlite_version}, SQLAlchemy {sqlalchemy.__version__}; load average {os.getloadavg()[0]:.1f}")
    ACCOUNTS[0] = args.accounts
    setup = build(args.accounts)
    print(f"built {args.accounts} accounts, {setup['invoices']} invoices, {setup['payments']} payments "
          f"in {time.perf_counter() - start:.1f} s", flush=True)
    counter = [0]

    def count(conn, cursor, statement, *rest):  # SQL statements, leaving out transaction control
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            counter[0] += 1
    event.listen(get_engine(), "before_cursor_execute", count)
    event.listen(get_engine(), "checkout", _watch)
    failed = []
    print(f"\n{args.accounts} accounts, first page (25 rows), {args.iterations} loads per scenario")
    print(f"{'scenario':<62} {'p50 ms':>8} {'p95 ms':>8} {'stmts':>6} {'VM steps x100':>14} {'ratio p50':>10}")
    for who, actor in (("owner", setup["owner"]), ("employee (own accounts, sees billing)", setup["limited"])):
        scenarios = [("list without balances (baseline)", {}), ("list with balances", {"with_balance": True}),
                     ("list owing money, with balances", {"with_balance": True, "owing": True})]
        fns = [load(actor, **query) for _name, query in scenarios]
        results = measure(fns, args.iterations, counter)
        b50 = statistics.median(results[0][0])
        base_n = results[0][1]
        for (name, _query), fn, (t, n) in zip(scenarios, fns, results):
            p50, p95 = statistics.median(t), sorted(t)[int(0.95 * (len(t) - 1))]
            print(f"{name + ', ' + who:<62} {p50:8.2f} {p95:8.2f} {n:>6} {steps_of(fn):>14} {p50 / b50:10.2f}",
                  flush=True)
            if fn is fns[0]:
                continue
            ok = n <= base_n + 1
            failed += [] if ok else [f"{name}, {who}: {n} statements"]
            figure(f"accounts {name}, {who}, {args.accounts} accounts, p50", round(p50, 2), "ms",
                   baseline=round(b50, 2), baseline_name="the list without balances, p50",
                   goal="one statement more than the list without balances", ok=ok)
    # The employee's visibility as it was asked before 2026-12-05 (a correlated EXISTS per account), against the set
    # of their accounts found once per statement, taking turns in the same run.
    employee = setup["limited"]
    once = load(employee)
    per_row = load(employee)

    def correlated():
        accounts.visible_account_ids = account_visible
        try:
            per_row()
        finally:
            accounts.visible_account_ids = visible_account_ids
    (t_once, _n1), (t_row, _n2) = measure([once, correlated], args.iterations, counter)
    for name, t, fn in (("employee's list, accounts found once (now)", t_once, once),
                        ("employee's list, EXISTS per account (before)", t_row, correlated)):
        p50, p95 = statistics.median(t), sorted(t)[int(0.95 * (len(t) - 1))]
        print(f"{name:<62} {p50:8.2f} {p95:8.2f} {'':>6} {steps_of(fn):>14} {p50 / statistics.median(t_row):10.2f}")
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")
    if failed:
        print("more than one statement added: " + "; ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the board's data for the owner and for an employee without "view all", at most 15 ms p95 on
a pipeline of 50,000 jobs and 25 ms p95 at 200,000 jobs (10 stages), in at most 3 SQL statements.

For each size, builds a fresh migrated SQLite file (app engine settings) with a team, tags and
`demo.generate_large` (one account per 10 jobs), then times `board.load_board` the way a page load
calls it (a new read session per call) for several viewers and filters. The same run times a plain
`SELECT count(*) FROM job WHERE pipeline_id = ?` on the same database as a baseline for how fast the
machine is right now, and prints each scenario's median as a ratio to it. Exits 1 if a judged
scenario's p95 is over its size's limit or any scenario uses more statements than allowed.

    python benchmarks/bench_board.py [--sizes 50000:15,200000:25] [--iterations 300] [--max-statements 3]
                                     [--db-dir DIR] [--postgres]

--db-dir keeps each size's database in DIR and reuses it on later runs (for profiling).

--postgres builds each size on a throwaway PostgreSQL (tests/postgres.py) instead: the statements are judged, the
times printed only (the limits are SQLite's), with in the same run the employee's board as it was asked before
2026-12-05 (the visibility rule correlated per card, `actor.account_visible`), for fewer loads (seconds each).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import bindparam, event, text  # noqa: E402
from sqlmodel import select  # noqa: E402

from figures import figure  # noqa: E402
from practice.db import get_engine, read_session, reset_engine, write_session  # noqa: E402
from practice.migrate import upgrade  # noqa: E402
from practice.models import Job, Pipeline, Role, Tag, TeamMember  # noqa: E402
from practice.services import demo  # noqa: E402
from practice.services.work import board  # noqa: E402
from practice.services.actor import Actor, account_visible  # noqa: E402
from tests.factories import make_member  # noqa: E402

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


class StatementCounter:
    """Counts SQL statements sent to the database, leaving out transaction control."""

    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            self.count += 1


def build(n_accounts: int, n_jobs: int) -> dict:
    upgrade()
    with read_session() as s:
        if s.exec(text("SELECT count(*) FROM teammember")).scalar_one():
            return existing()
    with write_session() as s:
        owner = make_member(s, role="owner", name="Owner")
        make_member(s, role="admin", name="Admin")
        viewer = make_member(s, role="employee", name="Viewer", can_view_all_accounts=True)
        limited = make_member(s, role="employee", name="Limited")
        make_member(s, role="employee", name="Other")
        for name, color in demo.TAGS.items():
            s.add(Tag(name=name, color=color))
        s.flush()
        tag_id = s.exec(text("SELECT min(id) FROM tag")).scalar_one()
        actors = {m.name: Actor.of(m) for m in (owner, viewer, limited)}
    start = time.perf_counter()
    with write_session() as s:
        pipeline_id = demo.generate_large(s, n_accounts=n_accounts, n_jobs=n_jobs)
    # generate_large refreshes the planner's statistics itself, as the app's `generate` does.
    print(f"built {n_accounts} accounts / {n_jobs} jobs in {time.perf_counter() - start:.1f} s", flush=True)
    return {"pipeline_id": pipeline_id, "tag_id": tag_id, "actors": actors}


def existing() -> dict:
    """The setup of a database built by an earlier run with --db."""
    with read_session() as s:
        members = {m.name: Actor.of(m) for m in s.exec(select(TeamMember))}
        pipeline_id = s.exec(select(Pipeline.id).where(Pipeline.name == "Big Pipeline")).one()
        tag_id = s.exec(text("SELECT min(id) FROM tag")).scalar_one()
    print("reusing the database built by an earlier run", flush=True)
    return {"pipeline_id": pipeline_id, "tag_id": tag_id, "actors": members}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure(fn, iterations: int, counter: StatementCounter, warm: int = 5) -> tuple[list[float], list[float], int]:
    """Wall and CPU milliseconds of each call (CPU: this thread's own time, what a busy machine does not inflate
    as much) and the most statements one call sent."""
    for _ in range(warm):  # warm caches and the connection pool
        fn()
    times, cpu, statements = [], [], 0
    for _ in range(iterations):
        counter.count = 0
        start, start_cpu = time.perf_counter(), time.thread_time()
        fn()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.thread_time() - start_cpu) * 1000)
        statements = max(statements, counter.count)
    return times, cpu, statements


def raw_board(db_file: Path, pipeline_id: int, owner) -> callable:
    """The owner's board as three hand-run statements on a plain sqlite3 connection (the SQL the app sends, its
    rows left as tuples): what the database alone costs, the baseline of the board's figures."""
    import sqlite3

    conn = sqlite3.connect(db_file, check_same_thread=False)
    engine = get_engine()
    with read_session() as s:
        columns = board.load_board(s, owner, pipeline_id)
    counts = board._counts_statement("sqlite", False, False, False).compile(dialect=engine.dialect)
    counts_sql = str(counts)
    counts_args = [{"pipeline_id": pipeline_id}.get(k, counts.params.get(k)) for k in counts.positiontup]
    cards_sql, order, defaults = board._cards_sql(engine.dialect, len(columns), False, False, False)
    values = dict(defaults, pipeline_id=pipeline_id, assignee_id=None, tag_id=None, viewer_id=None)
    for i, c in enumerate(columns):
        values.update({f"stage_{i}": c.id, f"offset_{i}": 0, f"limit_{i}": board.PAGE})
    cards_args = [values[k] for k in order]

    def run():
        conn.execute("SELECT id, name, created_at FROM pipeline WHERE id = ?", (pipeline_id,)).fetchall()
        conn.execute(counts_sql, counts_args).fetchall()
        assert len(conn.execute(cards_sql, cards_args).fetchall()) > 0
    return run


class PerCardRule:
    """While in use, the board's cards on PostgreSQL check an employee's visibility as before 2026-12-05: the rule
    correlated per card (`actor.account_visible`) instead of the viewer's accounts as one set."""

    def __init__(self) -> None:
        self.sees = board._sees

    def _old(self, dialect: str, for_counts: bool):
        if dialect == "sqlite" or for_counts:
            return self.sees(dialect, for_counts)
        return account_visible(Actor(bindparam("viewer_id"), "", Role.employee), Job.account_id)

    def _swap(self, sees) -> None:
        board._sees = sees
        board._cards_statement.cache_clear()
        board._cards_sql.cache_clear()

    def __enter__(self):
        self._swap(self._old)

    def __exit__(self, *exc):
        self._swap(self.sees)


def run_size(n_jobs: int, p95_ms: float, args, db_file: Path | None, db_url: str = "") -> bool:
    """Build (or reuse) the database for one size and time every scenario; True when all pass."""
    os.environ["DATABASE_URL"] = db_url or f"sqlite:///{db_file}"
    reset_engine()
    postgres = bool(db_url)
    setup = build(n_jobs // 10, n_jobs)
    pipeline_id, actors = setup["pipeline_id"], setup["actors"]
    owner, limited = actors["Owner"], actors["Limited"]
    counter = StatementCounter(get_engine())

    def board_for(actor, **filters):
        def load():
            with read_session() as s:
                columns = board.load_board(s, actor, pipeline_id, **filters)
            assert len(columns) == 10 and sum(c.count for c in columns) > 0
        return load

    def baseline():
        with read_session() as s:
            s.execute(text("SELECT count(*) FROM job WHERE pipeline_id = :p"), {"p": pipeline_id}).scalar_one()

    raw = None if postgres else raw_board(db_file, pipeline_id, owner)
    per_card, employee = PerCardRule(), board_for(limited)

    def employee_before():
        with per_card:
            board_for(limited)()

    scenarios = [
        ("baseline: SELECT count(*) FROM job WHERE pipeline_id=?", baseline, False),
        *([] if postgres else [("raw sqlite3: the owner's 3 board statements, rows as tuples", raw, False)]),
        ("owner, whole pipeline", board_for(owner), True),
        ("employee without view-all", employee, True),
        ("employee with view-all", board_for(actors["Viewer"]), True),
        # The claim is the board as it opens (the whole pipeline); the filtered views are
        # measured and printed, but judged only on statements.
        ("owner, assignee filter (informational)", board_for(owner, assignee_id=limited.member_id), False),
        ("owner, tag filter (informational)", board_for(owner, tag_id=setup["tag_id"]), False),
        ("employee without view-all, tag filter (informational)", board_for(limited, tag_id=setup["tag_id"]), False),
    ]
    if postgres:  # SQLite's limits are not PostgreSQL's: times printed, statements judged
        scenarios = [(name, fn, False) for name, fn, _judged in scenarios] + [
            ("employee without view-all, rule per card (before)", employee_before, False)]
    failed, base, base_p95 = False, None, 0.0
    engine = "PostgreSQL" if postgres else "SQLite"
    print(f"\n{n_jobs} jobs in 10 stages on {engine}, {args.iterations} loads per scenario"
          + ("" if postgres else f", limit p95 <= {p95_ms:g} ms") + f"; load average {os.getloadavg()[0]:.1f}")
    print(f"{'scenario':<56} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'stmts':>6} {'p50/raw':>9} {'cpu p50':>8}")
    timed = {}
    for name, fn, judged in scenarios:
        before = fn is employee_before
        times, cpu, statements = measure(fn, max(5, args.iterations // 15) if before else args.iterations, counter,
                                         warm=2 if before else 5)
        timed[fn] = times
        p50, p95 = statistics.median(times), percentile(times, 95)
        if fn is raw or base is None:  # ratios against the raw board once it is measured
            base = p50
        # Every scenario must keep to the statement limit; the time limit applies to the claim's scenarios.
        bad = statements > args.max_statements or (judged and p95 > p95_ms)
        failed |= bad
        print(f"{name:<56} {p50:8.2f} {p95:8.2f} {max(times):8.2f} {statements:6d} {p50 / base:9.1f} "
              f"{statistics.median(cpu):8.2f}{'  FAIL' if bad else ''}", flush=True)
        if fn is raw:
            base_p95 = p95
        elif judged:
            figure(f"board, {name}, {n_jobs} jobs, p95", round(p95, 2), "ms", baseline=round(base_p95, 2),
                   baseline_name="raw sqlite3, the same 3 statements, p95",
                   goal=f"<= {p95_ms:g} ms, <= {args.max_statements} statements", ok=not bad)
    if postgres:
        after, old = (statistics.median(timed[f]) for f in (employee, employee_before))
        figure(f"board on PostgreSQL, employee without view-all, {n_jobs} jobs, p50", round(after, 1), "ms",
               baseline=round(old, 1), baseline_name="the same board with the visibility rule per card (before), p50")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return not failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--sizes", default="50000:15,200000:25", help="jobs:p95-limit-ms pairs, comma-separated")
    parser.add_argument("--max-statements", type=int, default=3)
    parser.add_argument("--db-dir", help="keep each size's database in this folder and reuse it when it exists")
    parser.add_argument("--postgres", action="store_true", help="each size on a throwaway PostgreSQL instead of SQLite")
    args = parser.parse_args()
    if args.postgres and args.db_dir:
        parser.error("--db-dir goes with SQLite only")
    tmp = tempfile.TemporaryDirectory(prefix="bench-board-")
    folder = Path(args.db_dir).resolve() if args.db_dir else Path(tmp.name)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["PRACTICE_DATA_DIR"] = tmp.name
    sizes = [(int(jobs), float(limit)) for jobs, limit in (pair.split(":") for pair in args.sizes.split(","))]
    if args.postgres:
        from tests.postgres import ThrowawayPostgres  # noqa: PLC0415 - only for this mode

        server = ThrowawayPostgres().start()
        try:
            results = []
            for n_jobs, limit in sizes:
                server.sql(f"CREATE DATABASE board_{n_jobs}")
                results.append(run_size(n_jobs, limit, args, None, server.url(f"board_{n_jobs}", "psycopg")))
            passed = all(results)
        finally:
            reset_engine()
            server.stop()
    else:
        passed = all([run_size(n_jobs, limit, args, folder / f"board-{n_jobs}.db") for n_jobs, limit in sizes])
    print(f"\nboard: sizes {args.sizes} (jobs:p95 ms), <= {args.max_statements} statements -> "
          f"{'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())

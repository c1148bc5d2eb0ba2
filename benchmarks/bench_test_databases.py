"""Benchmark: what giving each PostgreSQL test its own database costs the server (`make test`'s PostgreSQL pass takes
one for each of about a thousand tests).

Two ways, alternated on one throwaway server (tests/postgres.py) holding the run's template (the models' schema):
"copy" (CREATE DATABASE ... TEMPLATE, then DROP DATABASE ... WITH (FORCE) after the test, as the suite did) and
"reuse" (tests/postgres.py's DatabasePool: the database a test used is emptied, renamed and given to the next).
Each cycle takes a database, does what a typical test does (opens the app's engine, makes a firm with an owner, two
staff members, ten accounts and their contacts and jobs, through tests/factories), and gives it back. The server's
processor time (its processes and the sessions it reaped, from /proc) and the wall time per cycle are printed;
medians of --rounds rounds of --cycles cycles each way. No goal: it prints the figures and exits 0.

    python benchmarks/bench_test_databases.py [--cycles 20] [--rounds 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import SQLModel  # noqa: E402

import practice.models  # noqa: E402,F401
from figures import figure  # noqa: E402
from practice import db  # noqa: E402
from tests.factories import make_account, make_contact, make_firm, make_job  # noqa: E402
from tests.postgres import DatabasePool, ThrowawayPostgres  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
TEMPLATE = "practice_template"


def server_cpu(root: int) -> float:
    """Processor seconds of the server `root` and its processes, the sessions that ended included."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(pid) == root:
            total += sum(int(f) for f in fields[11:15])  # its own time and its reaped children's
        elif int(fields[1]) == root:
            total += int(fields[11]) + int(fields[12])
    return total / TICK


def a_test(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    engine = db.get_engine()
    with db.write_session() as s:
        firm = make_firm(s, admins={"ann": "Ann Admin"}, employees={"bob": "Bob Staff"})
        owner = firm["owner"]
        for i in range(10):
            account = make_account(s, owner, name=f"Client {i}")
            make_contact(s, owner, [account.id], f"Pat{i}", "Client", email=f"client{i}@example.com")
            make_job(s, owner, account=account, name=f"Tax return {i}")
    engine.dispose()


def cycles(server: ThrowawayPostgres, how: str, pool: DatabasePool, count: int, names) -> tuple[float, float]:
    """(server CPU ms, wall ms) per cycle."""
    root = server.process.pid
    cpu, started = server_cpu(root), time.perf_counter()
    for _ in range(count):
        name = next(names)
        if how == "copy":
            server.sql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
            a_test(server.url(name, "psycopg"))
            server.sql(f"DROP DATABASE {name} WITH (FORCE)")
        else:
            a_test(pool.take(name).replace("postgresql://", "postgresql+psycopg://"))
            pool.give_back(name)
    return (server_cpu(root) - cpu) / count * 1000, (time.perf_counter() - started) / count * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    server = ThrowawayPostgres(autovacuum=False).start()
    try:
        server.sql(f"CREATE DATABASE {TEMPLATE}")
        engine = db.make_engine(server.url(TEMPLATE))
        SQLModel.metadata.create_all(engine)
        engine.dispose()
        pool = DatabasePool(server, TEMPLATE)
        names = (f"bench{n}" for n in range(10**9))
        results = {"copy": [], "reuse": []}
        cycles(server, "reuse", pool, 3, names)  # warm both ways up (the first cycle makes the pool's first database)
        cycles(server, "copy", pool, 3, names)
        for _ in range(args.rounds):
            for how in ("copy", "reuse"):
                results[how].append(cycles(server, how, pool, args.cycles, names))
    finally:
        server.stop()
    median = {how: (statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows))
              for how, rows in results.items()}
    for how, (cpu, wall) in median.items():
        print(f"{how:>5}: the server {cpu:.0f} ms of processor per test, {wall:.0f} ms wall per test "
              f"(medians of {args.rounds} rounds of {args.cycles})")
    figure("a PostgreSQL test's database, reused: server CPU per test", round(median["reuse"][0], 1), "ms",
           baseline=round(median["copy"][0], 1), baseline_name="copied from the template and dropped")
    figure("a PostgreSQL test's database, reused: wall per test", round(median["reuse"][1], 1), "ms",
           baseline=round(median["copy"][1], 1), baseline_name="copied from the template and dropped")
    return 0


if __name__ == "__main__":
    sys.exit(main())

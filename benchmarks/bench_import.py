"""Time a 5,000-row CSV import into a fresh, migrated SQLite database; exit 1 if the median is over 5 s.

Run from the project root: `python benchmarks/bench_import.py [--rows 5000] [--runs 5]`.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

LIMIT_S = 5.0
FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "Priya", "Carlos"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Nguyen", "Okafor", "Müller", "Lee"]
TAGS = ["VIP", "Returning", "New client", "Payroll", "Bookkeeping"]


def make_csv(rows: int, seed: int = 7) -> bytes:
    """A TaxDome-like export: every third account is a couple (two rows with one client id), a third of rows
    carry tags."""
    rnd = random.Random(seed)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["Client ID", "Account name", "Account type", "Tags", "First name", "Last name", "Email", "Phone", "Street",
                "City", "State", "ZIP", "Country", "Notes"])
    i = n = 0
    while n < rows:
        last = rnd.choice(LAST)
        people = 2 if i % 3 == 0 else 1
        for p in range(min(people, rows - n)):
            first = rnd.choice(FIRST)
            tags = "; ".join(rnd.sample(TAGS, 2)) if n % 3 == 0 else ""
            w.writerow([f"C-{i}", f"{last} Household {i}", "Family" if people == 2 else "Individual", tags, first, last,
                        f"{first.lower()}.{i}.{p}@example.org", f"555-{n:04d}", f"{n} Main St", "Springfield", "IL",
                        f"{62700 + n % 100}", "USA", "Imported" if p == 0 else ""])
            n += 1
        i += 1
    return out.getvalue().encode()


def one_run(data: bytes, folder: Path, run: int) -> float:
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / f'bench{run}.db'}"
    from practice import db
    from practice.migrate import upgrade
    from practice.models import Role, TeamMember
    from practice.services.work import csv_import, csv_plan
    from practice.services.actor import Actor

    db.reset_engine()
    upgrade()
    with db.write_session() as s:
        owner = TeamMember(name="Bench Owner", email="bench@example.com", role=Role.owner)
        s.add(owner)
        s.flush()
        actor = Actor.of(owner)
    start = time.perf_counter()
    with db.read_session() as s:
        csv_plan.review(s, actor, data)  # what the page runs on upload, before the import
    checked = time.perf_counter()
    with db.write_session() as s:
        result = csv_import.import_rows(s, actor, data, file_name="bench.csv")
    elapsed = time.perf_counter() - checked
    assert result.created_contacts > 0 and not result.skipped
    db.get_engine().dispose()
    return elapsed, checked - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    data = make_csv(args.rows)
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    print(f"machine: {os.cpu_count()} cpus, {cpu}, Python {platform.python_version()}")
    print(f"file: {args.rows} rows, {len(data) / 1024:.0f} KiB")
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        runs = [one_run(data, Path(tmp), run) for run in range(args.runs)]
    times = [t for t, _ in runs]
    median = statistics.median(times)
    print("import runs (s): " + ", ".join(f"{t:.3f}" for t in times))
    print(f"review (preview + checks on upload) median: {statistics.median(r for _, r in runs):.3f} s")
    print(f"import median: {median:.3f} s (limit {LIMIT_S:.0f} s)")
    return 0 if median <= LIMIT_S else 1


if __name__ == "__main__":
    sys.exit(main())

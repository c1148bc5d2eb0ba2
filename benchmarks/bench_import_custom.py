"""Time a 5,000-row CSV import with two custom-field columns (an account's "Filing status", one of a list, and a
contact's "Dependents", a number) against the same file without them, alternated in the same run, each into a
fresh, migrated SQLite database; exit 1 if the custom-field import's median is over 5 s.

Run from the project root: `python benchmarks/bench_import_custom.py [--rows 5000] [--runs 5]`.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import make_csv  # noqa: E402

LIMIT_S = 5.0
STATUSES = ["Single", "mfj", "MFS", "HOH", "Married filing jointly"]  # "mfj" is read as MFJ; the last is refused


def with_custom_columns(data: bytes) -> tuple[bytes, int]:
    """The plain file with "Filing status" (one per account: its rows agree) and "Dependents" columns; every 50th
    account's status is not one of the list, so those rows are reported and skipped. Returns the file and how many
    rows carry a bad value."""
    rows = list(csv.reader(io.StringIO(data.decode())))
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(rows[0] + ["Filing status", "Dependents"])
    bad = 0
    for n, row in enumerate(rows[1:]):
        account = int(row[0].split("-")[1])
        status = STATUSES[4] if account % 50 == 49 else STATUSES[account % 4]
        bad += status == STATUSES[4]
        w.writerow(row + [status, str(n % 4) if n % 5 else ""])
    return out.getvalue().encode(), bad


def one_run(data: bytes, folder: Path, run: int, custom: bool) -> tuple[float, float, int]:
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / f'bench{run}-{int(custom)}.db'}"
    from practice import db
    from practice.migrate import upgrade
    from practice.models import Role, TeamMember
    from practice.services.actor import Actor
    from practice.services.work import csv_import, csv_plan, custom_fields

    db.reset_engine()
    upgrade()
    with db.write_session() as s:
        owner = TeamMember(name="Bench Owner", email="bench@example.com", role=Role.owner)
        s.add(owner)
        s.flush()
        actor = Actor.of(owner)
        # The same firm in both runs (its two fields defined): only the file's columns differ.
        custom_fields.define_field(s, actor, entity="account", label="Filing status", type="choice",
                                   options=["Single", "MFJ", "MFS", "HOH"])
        custom_fields.define_field(s, actor, entity="contact", label="Dependents", type="number")
    start = time.perf_counter()
    with db.read_session() as s:
        csv_plan.review(s, actor, data)  # what the page runs on upload, before the import
    checked = time.perf_counter()
    with db.write_session() as s:
        result = csv_import.import_rows(s, actor, data, file_name="bench.csv", skip_bad_rows=True)
    elapsed = time.perf_counter() - checked
    assert result.created_contacts > 0 and (result.custom_values > 0) == custom
    db.get_engine().dispose()
    return elapsed, checked - start, result.custom_values


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    plain = make_csv(args.rows)
    custom, bad = with_custom_columns(plain)
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    import sqlite3

    import sqlalchemy
    print(f"machine: {os.cpu_count()} cpus, {cpu}, Python {platform.python_version()}, SQLite "
          f"{sqlite3.sqlite_version}, SQLAlchemy {sqlalchemy.__version__}; load average "
          f"{os.getloadavg()[0]:.1f}")
    print(f"file: {args.rows} rows, {len(custom) / 1024:.0f} KiB with the two custom-field columns "
          f"({bad} rows with a status not in the list), {len(plain) / 1024:.0f} KiB without")
    plain_runs, custom_runs = [], []
    with tempfile.TemporaryDirectory(prefix="bench-import-custom-") as tmp:
        for run in range(args.runs):  # alternated, so both see the same machine
            plain_runs.append(one_run(plain, Path(tmp), run, False))
            custom_runs.append(one_run(custom, Path(tmp), run, True))
    for name, runs in (("without custom fields", plain_runs), ("with two custom-field columns", custom_runs)):
        times = [t for t, _, _ in runs]
        print(f"{name}: import runs (s) " + ", ".join(f"{t:.3f}" for t in times)
              + f"; import median {statistics.median(times):.3f} s; review on upload median "
              f"{statistics.median(r for _, r, _ in runs):.3f} s; custom values written {runs[0][2]}")
    median = statistics.median(t for t, _, _ in custom_runs)
    print(f"custom-field import median: {median:.3f} s (limit {LIMIT_S:.0f} s)")
    return 0 if median <= LIMIT_S else 1


if __name__ == "__main__":
    sys.exit(main())

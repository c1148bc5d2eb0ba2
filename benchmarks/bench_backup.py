"""Benchmark: a 1 GB data folder backs up in under 60 s (issue 18).

Builds a data folder in a temporary directory: a migrated SQLite database with the demo firm and a generated
one (`--accounts`, `--jobs`), and stored files of random bytes (not compressible, like scanned PDFs) under
their SHA-256 keys, as uploads leave them, until the folder holds `--gb` gigabytes. Then, `--repeat` times,
`archive.write_backup` (the database's online-backup snapshot, every file and key into one tar with a manifest
of SHA-256s, fsynced, then read back and checked part by part) and, as the same run's baseline, `tar -cf` of the
same folder (no hashes, no check, no fsync). Medians; exits 1 when the backup's median is over `--limit-s`.

    python benchmarks/bench_backup.py [--gb 1.0] [--repeat 3] [--limit-s 60]
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.figures import figure  # noqa: E402

FILE_SIZES = (64 << 10, 512 << 10, 2 << 20, 8 << 20)  # a mix of letters, statements and scans


def build_folder(folder: Path, gb: float, accounts: int, jobs: int) -> tuple[int, int]:
    """The database and the stored files; (how many files, how many bytes in the folder)."""
    os.environ["PRACTICE_DATA_DIR"] = str(folder)
    os.environ.pop("DATABASE_URL", None)
    from practice.db import write_session
    from practice.migrate import upgrade
    from practice.services import demo

    upgrade()
    with write_session() as session:
        demo.ensure_demo(session)
    with write_session() as session:
        demo.generate_large(session, n_accounts=accounts, n_jobs=jobs)
    target, written, count = int(gb * (1 << 30)), 0, 0
    files = folder / "files"
    while written < target:
        data = os.urandom(FILE_SIZES[count % len(FILE_SIZES)])
        key = hashlib.sha256(data).hexdigest()
        path = files / key[:2] / key[2:4] / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written += len(data)
        count += 1
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return count, total


def time_backup(dest: Path) -> float:
    from practice.services.backups import archive

    dest.mkdir(parents=True)
    started = time.perf_counter()
    path, _ = archive.write_backup(dest)
    elapsed = time.perf_counter() - started
    shutil.rmtree(dest)
    return elapsed


def time_tar(folder: Path, dest: Path) -> float:
    dest.mkdir(parents=True)
    started = time.perf_counter()
    subprocess.run(["tar", "-cf", str(dest / "plain.tar"), "-C", str(folder), "."], check=True)
    elapsed = time.perf_counter() - started
    shutil.rmtree(dest)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gb", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit-s", type=float, default=60.0)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=10000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-backup-") as tmp:
        folder, out = Path(tmp) / "data", Path(tmp) / "out"
        folder.mkdir()
        count, total = build_folder(folder, args.gb, args.accounts, args.jobs)
        database = sum(p.stat().st_size for p in folder.glob("practice.db*"))
        print(f"data folder: {total / 1e9:.2f} GB, {count} stored files, database (with its WAL) "
              f"{database / 1e6:.1f} MB", flush=True)
        backups, tars = [], []
        for i in range(args.repeat):  # alternated, so both see the same load
            backups.append(time_backup(out / f"b{i}"))
            tars.append(time_tar(folder, out / f"t{i}"))
            print(f"run {i + 1}: backup {backups[-1]:.1f} s, tar {tars[-1]:.1f} s", flush=True)
    backup, tar = statistics.median(backups), statistics.median(tars)
    ok = backup < args.limit_s
    figure(f"backup of a {total / 1e9:.2f} GB data folder (snapshot, hashes, fsync, read-back check), median",
           round(backup, 2), "s", baseline=round(tar, 2), baseline_name="tar -cf of the same folder, median",
           goal=f"< {args.limit_s:.0f} s", ok=ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

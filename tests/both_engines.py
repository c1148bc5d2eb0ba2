"""`make test`: the whole suite on SQLite (browser journeys included) and, beside it, the tests without a browser on
a throwaway PostgreSQL and Redis (what `make test-postgres` runs), so that every run covers both engines.

The two passes run at the same time: the SQLite pass spends about half its time waiting on browsers and servers,
which leaves a core for the PostgreSQL pass, run at a lower priority so that it takes only what the other leaves. The SQLite pass prints as it goes; the PostgreSQL pass writes to a log
file, printed whole once both have finished (then removed). The exit status fails when either pass fails. Ctrl-C (or SIGTERM)
interrupts both, so that each stops the servers it started.

    python -m tests.both_engines [pytest arguments, given to both passes]

(The PostgreSQL pass adds `-m "not e2e"` before them: a selection of markers given here applies to both.)
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NICENESS = 10
# The recurring invoices' chaos test runs at the issue's size (200 series, 2,400 invoices laid out as PDFs) in the
# SQLite pass; behind it, the PostgreSQL pass runs it at a fifth of that (480 invoices, ten kills or more all the same):
# at full size it outlasted the test's 10 minutes there, on a processor the other pass was using.
POSTGRES_CHAOS_SERIES = "40"


def _command(args: list[str], *first: str) -> list[str]:
    return [sys.executable, "-m", "pytest", *first, *args]


def _interruptible() -> None:
    """In each pass, before it starts: Ctrl-C's signal does what it does at a terminal, even when this runner was
    started in the background by a shell (which starts its jobs with SIGINT ignored, and children inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _behind() -> None:
    """The PostgreSQL pass (and the servers it starts) yields the processor to the SQLite pass, whose browser
    journeys wait on what a person would see: it runs on what the other leaves idle."""
    _interruptible()
    os.nice(NICENESS)


def _stop(procs: list[subprocess.Popen]) -> None:
    """Interrupt each pass like Ctrl-C (pytest then runs its teardowns), and kill one that does not stop."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 60
    for proc in procs:
        try:
            proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _took(started: float) -> str:
    seconds = int(time.monotonic() - started)
    return f"{seconds // 60} min {seconds % 60:02d} s"


def _show(log: Path) -> None:
    """Print the PostgreSQL pass's output, then remove it."""
    print(f"\n{'=' * 30} The PostgreSQL pass (PRACTICE_TEST_ENGINE=postgresql PRACTICE_TEST_REDIS=1, "
          f"tests without a browser) {'=' * 30}", flush=True)
    sys.stdout.buffer.write(log.read_bytes())
    sys.stdout.flush()
    shutil.rmtree(log.parent, ignore_errors=True)


def main(args: list[str]) -> int:
    log = Path(tempfile.mkdtemp(prefix="practice-postgres-pass-")) / "pytest.log"
    # Each pass's engine is set here whatever the caller's environment says (a run inside the PostgreSQL pass, as
    # tests/test_both_engines.py is, would otherwise hand the SQLite pass its settings).
    sqlite_env = {k: v for k, v in os.environ.items() if k not in ("PRACTICE_TEST_ENGINE", "PRACTICE_TEST_REDIS")}
    env = {**sqlite_env, "PRACTICE_TEST_ENGINE": "postgresql", "PRACTICE_TEST_REDIS": "1",
           "CHAOS_SERIES": os.environ.get("CHAOS_SERIES") or POSTGRES_CHAOS_SERIES}
    started = time.monotonic()
    print(f"The SQLite pass runs below; the PostgreSQL pass runs beside it, its output in {log}", flush=True)
    procs: list[subprocess.Popen] = []

    def interrupted(_signum, _frame):
        raise KeyboardInterrupt  # stopped like Ctrl-C, outside the handler (which must not wait on a pass)

    signal.signal(signal.SIGTERM, interrupted)
    try:
        sqlite = subprocess.Popen(_command(args), cwd=ROOT, env=sqlite_env, preexec_fn=_interruptible)
        procs.append(sqlite)
        with log.open("wb") as out:
            postgres = subprocess.Popen(_command(args, "-m", "not e2e", "-p", "no:cacheprovider"), cwd=ROOT,
                                        env=env, stdout=out, stderr=subprocess.STDOUT, preexec_fn=_behind)
            procs.append(postgres)
            sqlite_rc = sqlite.wait()
            print(f"\nThe SQLite pass ended after {_took(started)} (exit status {sqlite_rc}); "
                  "waiting for the PostgreSQL pass.", flush=True)
            postgres_rc = postgres.wait()
    except KeyboardInterrupt:
        _stop(procs)
        _show(log)
        return 130
    _show(log)
    print(f"\nBoth passes ended after {_took(started)}: SQLite exit status {sqlite_rc}, "
          f"PostgreSQL exit status {postgres_rc}.", flush=True)
    return sqlite_rc or postgres_rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

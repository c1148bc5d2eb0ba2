"""`make test`: the whole suite on SQLite and the tests without a browser on a throwaway PostgreSQL and Redis too
(what `make test-postgres` runs), so that every run covers both engines.

Three passes run at the same time: the browser journeys on SQLite, printed as they go; the other tests on SQLite;
the other tests on PostgreSQL. The journeys spend much of their time waiting on what a browser shows, which leaves
processor time for the other two; those run at a lower priority, so that they take what the journeys leave and the
journeys keep a person's pace. Their output goes to log files, printed whole once every pass has finished (then
removed). The exit status fails when any pass fails. Ctrl-C (or SIGTERM) interrupts every pass, so that each stops
the servers it started.

    python -m tests.both_engines [pytest arguments, given to every pass]

(Given a selection of markers (`-m ...`), the SQLite tests run as one pass, printed as they go, and the
PostgreSQL pass adds `-m "not e2e"` before it.)
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NICENESS = 19  # the lowest: the journeys' browsers and app first, whenever they want the processor
# The recurring invoices' chaos test runs at the issue's size (200 series, 2,400 invoices laid out as PDFs) on
# SQLite; on PostgreSQL at a fifth of that (480 invoices, ten kills or more all the same): at full size there it
# outlasted the test's 10 minutes, on a processor the other passes were using.
POSTGRES_CHAOS_SERIES = "40"
# Tests that touch no database run the same code on both engines, so one pass runs them. The rules language knows
# nothing of the app (tests/rules/test_isolation.py); the others read the source tree. The PostgreSQL pass takes
# them: the SQLite pass has the recurring invoices' full-size chaos test and ended about a minute after it.
SAME_ON_BOTH = ("tests/rules", "tests/test_architecture.py", "tests/test_layout.py", "tests/test_catalogs.py",
                "tests/test_i18n_merge.py")
# The tests of this runner start runners of their own, whose passes set their engines: SQLite's pass runs them.
RUNNER_TESTS = ("tests/test_both_engines.py",)
NO_TESTS = 5  # pytest's exit status when a pass's selection is empty (e.g. no browser journey among the paths given)


def _command(args: list[str], *first: str) -> list[str]:
    return [sys.executable, "-m", "pytest", *first, *args]


def _interruptible() -> None:
    """In each pass, before it starts: Ctrl-C's signal does what it does at a terminal, even when this runner was
    started in the background by a shell (which starts its jobs with SIGINT ignored, and children inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _behind() -> None:
    """A logged pass (and the servers it starts) yields the processor to the browser journeys, which wait on what a
    person would see: it runs on what they leave idle."""
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


@dataclasses.dataclass
class Pass:
    name: str
    env: dict
    args: list[str]
    log: Path | None = None  # None: printed as it runs, at the normal priority
    proc: subprocess.Popen | None = None
    status: int | None = None
    took: str = ""  # how long it ran and the processor time it and the processes it waited for used
    waiter: threading.Thread | None = None

    def start(self) -> None:
        if self.log is None:
            self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, preexec_fn=_interruptible)
            return
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                         preexec_fn=_behind)

    def wait_in_background(self, started: float) -> None:
        """Reap the pass when it ends (in a thread, so that each pass's own time is known), with its processor time
        (os.wait4's: the pass's and that of every process it waited for, its servers and browsers included)."""
        def reap() -> None:
            _pid, status, usage = os.wait4(self.proc.pid, 0)
            self.proc.returncode = self.status = os.waitstatus_to_exitcode(status)
            cpu = usage.ru_utime + usage.ru_stime
            self.took = f"{_took(started)}, {cpu / 60:.1f} processor-minutes"
        self.waiter = threading.Thread(target=reap, name=f"wait for {self.name}", daemon=True)
        self.waiter.start()

    def show(self) -> None:
        """Print what a logged pass wrote, then remove it."""
        if self.log is None or not self.log.exists():
            return
        print(f"\n{'=' * 30} {self.name} {'=' * 30}", flush=True)
        sys.stdout.buffer.write(self.log.read_bytes())
        sys.stdout.flush()
        self.log.unlink()


def passes(args: list[str], logs: Path) -> list[Pass]:
    # Each pass's engine is set here whatever the caller's environment says (a run inside another run, as
    # tests/test_both_engines.py is, would otherwise hand the SQLite passes PostgreSQL's settings).
    sqlite_env = {k: v for k, v in os.environ.items() if k not in ("PRACTICE_TEST_ENGINE", "PRACTICE_TEST_REDIS")}
    postgres_env = {**sqlite_env, "PRACTICE_TEST_ENGINE": "postgresql", "PRACTICE_TEST_REDIS": "1",
                    "CHAOS_SERIES": os.environ.get("CHAOS_SERIES") or POSTGRES_CHAOS_SERIES}
    def postgres(*leave: str) -> Pass:
        return Pass("The tests without a browser on PostgreSQL (PRACTICE_TEST_ENGINE=postgresql PRACTICE_TEST_REDIS=1)",
                    postgres_env, _command(args, "-m", "not e2e", "-p", "no:cacheprovider", *_ignored(leave)),
                    logs / "postgresql.log")
    if "-m" in args:  # the caller chose the markers: the SQLite tests as one pass, with the same-on-both ones
        return [Pass("The SQLite pass", sqlite_env, _command(args)), postgres(*SAME_ON_BOTH, *RUNNER_TESTS)]
    return [Pass("The browser journeys on SQLite", sqlite_env, _command(args, "-m", "e2e")),
            Pass("The tests without a browser on SQLite", sqlite_env,
                 _command(args, "-m", "not e2e", "-p", "no:cacheprovider", *_ignored(SAME_ON_BOTH)),
                 logs / "sqlite.log"),
            postgres(*RUNNER_TESTS)]


def _ignored(paths) -> list[str]:
    return [f"--ignore={path}" for path in paths]


def _lower(name: str) -> str:
    return name[0].lower() + name[1:]


def main(args: list[str]) -> int:
    logs = Path(tempfile.mkdtemp(prefix="practice-test-passes-"))
    runs = passes(args, logs)
    started = time.monotonic()
    print(f"{runs[0].name} run below; beside them, at a lower priority, "
          + "; ".join(f"{_lower(r.name)} (output in {r.log})" for r in runs if r.log), flush=True)

    def interrupted(_signum, _frame):
        raise KeyboardInterrupt  # stopped like Ctrl-C, outside the handler (which must not wait on a pass)

    signal.signal(signal.SIGTERM, interrupted)
    try:
        for run in runs:
            run.start()
            run.wait_in_background(started)
        runs[0].waiter.join()
        print(f"\n{runs[0].name} ended after {runs[0].took} (exit status {runs[0].status}); "
              "waiting for the other passes.", flush=True)
        for run in runs[1:]:
            run.waiter.join()
    except KeyboardInterrupt:
        _stop([r.proc for r in runs if r.proc is not None])
        for run in runs:
            run.show()
        shutil.rmtree(logs, ignore_errors=True)
        return 130
    for run in runs:
        run.show()
    shutil.rmtree(logs, ignore_errors=True)
    print(f"\nEvery pass ended after {_took(started)}: "
          + ", ".join(f"{_lower(r.name)}: exit status {r.status} ({r.took})" for r in runs) + ".", flush=True)
    statuses = [r.status for r in runs]
    if all(status == NO_TESTS for status in statuses):
        return NO_TESTS
    return next((status for status in statuses if status not in (0, NO_TESTS)), 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

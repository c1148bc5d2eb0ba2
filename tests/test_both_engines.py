"""`make test`'s runner (tests/both_engines.py): the browser journeys, the other tests on SQLite and the other tests
on PostgreSQL run at once, the last two behind the journeys; a failure in any pass fails the run and is shown, and
stopping the runner stops every pass."""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests import both_engines

ROOT = Path(__file__).resolve().parents[1]
PROBE = """import os, time
import pytest

def started(name):
    if os.environ.get("PROBE_STARTED"):
        open(os.path.join(os.environ["PROBE_STARTED"], name), "w").close()

def test_probe():
    started(os.environ.get("PRACTICE_TEST_ENGINE", "sqlite"))
    time.sleep(float(os.environ.get("PROBE_SLEEP", "0")))
    print("chaos series:", os.environ.get("CHAOS_SERIES"))
    assert os.environ.get("PRACTICE_TEST_ENGINE") != "postgresql", "this fails on the PostgreSQL pass only"

@pytest.mark.e2e
def test_journey_probe():
    started("journeys")
    time.sleep(float(os.environ.get("PROBE_SLEEP", "0")))
    assert os.environ.get("PRACTICE_TEST_ENGINE") != "postgresql", "journeys run on SQLite"
"""
SQLITE_PART = "The tests without a browser on SQLite"
POSTGRES_PART = "The tests without a browser on PostgreSQL"


def _runner(tmp_path, *args: str, **env) -> subprocess.Popen:
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE)
    # Whatever engine this test itself runs on.
    return subprocess.Popen([sys.executable, "-m", "tests.both_engines", str(probe), "-p", "no:cacheprovider",
                             "-s", *args], cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _logs(out: str) -> Path:
    return Path(re.search(r"output in (\S+)\)", out).group(1)).parent


def test_a_failure_on_postgresql_alone_fails_the_run_and_is_printed_after_the_journeys(tmp_path):
    proc = _runner(tmp_path)
    out, _ = proc.communicate(timeout=180)
    assert proc.returncode == 1, out
    journeys, _, rest = out.partition(f"{'=' * 30} {SQLITE_PART}")
    sqlite_part, _, postgres_part = rest.partition(f"{'=' * 30} {POSTGRES_PART}")
    assert "1 passed, 1 deselected" in journeys, "the journeys' pass runs the journey, printed as it goes"
    assert "1 passed, 1 deselected" in sqlite_part and "chaos series: None" in sqlite_part
    assert "this fails on the PostgreSQL pass only" in postgres_part and "1 failed, 1 deselected" in postgres_part
    assert "chaos series: 40" in postgres_part, "the PostgreSQL pass runs the recurring invoices' chaos test smaller"
    assert re.search(r"journeys on SQLite: exit status 0 .*on SQLite: exit status 0 .*on PostgreSQL.*exit status 1",
                     out), out[-600:]
    # Each pass's own time and the processor time it used (with its servers and browsers), for the benchmarks.
    assert len(re.findall(r"exit status \d \(\d+ min \d\d s, \d+\.\d processor-minutes\)", out)) == 3, out[-600:]
    assert not _logs(out).exists(), "the logs, printed, are not left behind"


def test_with_markers_chosen_the_sqlite_tests_run_as_one_pass(tmp_path):
    proc = _runner(tmp_path, "-m", "not e2e")
    out, _ = proc.communicate(timeout=180)
    assert proc.returncode == 1, out
    assert SQLITE_PART not in out
    sqlite_part, _, postgres_part = out.partition(f"{'=' * 30} {POSTGRES_PART}")
    assert "1 passed, 1 deselected" in sqlite_part
    assert "1 failed, 1 deselected" in postgres_part


def test_the_tests_alike_on_both_engines_run_once_in_the_postgresql_pass_and_the_runners_own_on_sqlite(tmp_path):
    def ignored(one: both_engines.Pass) -> set[str]:
        return {a.removeprefix("--ignore=") for a in one.args if a.startswith("--ignore=")}
    journeys, sqlite, postgres = both_engines.passes([], tmp_path)
    assert ignored(journeys) == set()
    assert ignored(sqlite) == set(both_engines.SAME_ON_BOTH) and "tests/rules" in ignored(sqlite)
    assert ignored(postgres) == set(both_engines.RUNNER_TESTS) == {"tests/test_both_engines.py"}
    # With markers chosen, the one SQLite pass runs them all and PostgreSQL neither.
    sqlite, postgres = both_engines.passes(["-m", "not slow"], tmp_path)
    assert ignored(sqlite) == set()
    assert ignored(postgres) == set(both_engines.SAME_ON_BOTH + both_engines.RUNNER_TESTS)
    assert all((both_engines.ROOT / path).exists() for path in both_engines.SAME_ON_BOTH + both_engines.RUNNER_TESTS)


def _children(pid: int) -> list[int]:
    listing = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in listing.split()]


def _cmdline(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")


def _environ(pid: int) -> bytes:
    return Path(f"/proc/{pid}/environ").read_bytes()


def _niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def _alive(pid: int) -> bool:
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return False


def _which(pid: int) -> str:
    if b"PRACTICE_TEST_ENGINE=postgresql" in _environ(pid):
        return "postgresql"
    return "journeys" if b"-m e2e" in _cmdline(pid) else "sqlite"


def test_the_passes_run_together_behind_the_journeys_and_stopping_the_runner_stops_them_all(tmp_path):
    begun = tmp_path / "begun"
    begun.mkdir()
    proc = _runner(tmp_path, PROBE_SLEEP="300", PROBE_STARTED=str(begun))
    try:
        deadline = time.monotonic() + 60
        while len(_children(proc.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        passes = _children(proc.pid)
        nice = {_which(p): _niceness(p) for p in passes}
        assert set(nice) == {"journeys", "sqlite", "postgresql"}, "the three passes run at once"
        # (Run inside a pass that is itself at the lowest priority, all three are at the lowest.)
        assert nice["sqlite"] == nice["postgresql"] == 19 and (nice["journeys"] < 19 or _niceness(proc.pid) == 19), \
            "the other passes yield the processor to the browser journeys"
        # Stopped once each pass is in its probe's sleep (a stop while pytest loads its plugins is pytest's own
        # business; on a loaded machine the PostgreSQL pass took more than 3 s to get there).
        deadline = time.monotonic() + 120
        while len(list(begun.iterdir())) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert sorted(p.name for p in begun.iterdir()) == ["journeys", "postgresql", "sqlite"]
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=90)
        assert proc.returncode != 0
        assert not [p for p in passes if _alive(p)]
        out = proc.stdout.read()
        assert "KeyboardInterrupt" in out.partition(SQLITE_PART)[2].partition(POSTGRES_PART)[0]
        assert "KeyboardInterrupt" in out.partition(POSTGRES_PART)[2], "each stopped pass's output is shown"
        assert not _logs(out).exists()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()

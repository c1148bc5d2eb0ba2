"""`make test`'s runner (tests/both_engines.py): a failure on either engine fails the run and is shown, the
PostgreSQL pass runs behind the SQLite pass, and stopping the runner stops both passes."""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = """import os, time
def test_probe():
    time.sleep(float(os.environ.get("PROBE_SLEEP", "0")))
    print("chaos series:", os.environ.get("CHAOS_SERIES"))
    assert os.environ.get("PRACTICE_TEST_ENGINE") != "postgresql", "this fails on the PostgreSQL pass only"
"""


def _runner(tmp_path, **env) -> subprocess.Popen:
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE)
    # Whatever engine this test itself runs on (it runs in both passes of `make test`).
    return subprocess.Popen([sys.executable, "-m", "tests.both_engines", str(probe), "-p", "no:cacheprovider"],
                            cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)


def test_a_failure_on_postgresql_alone_fails_the_run_and_is_printed_after_the_sqlite_pass(tmp_path):
    proc = _runner(tmp_path)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 1, out
    sqlite_part, _, postgres_part = out.partition("The PostgreSQL pass (")
    assert "1 passed" in sqlite_part
    assert "this fails on the PostgreSQL pass only" in postgres_part and "1 failed" in postgres_part
    assert "SQLite exit status 0, PostgreSQL exit status 1" in out
    assert "chaos series: 40" in postgres_part, "the PostgreSQL pass runs the recurring invoices' chaos test smaller"
    log = Path(re.search(r"its output in (\S+)", out).group(1))
    assert not log.parent.exists(), "the log, printed, is not left behind"


def _children(pid: int) -> list[int]:
    listing = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in listing.split()]


def _cmdline(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")


def _niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def _alive(pid: int) -> bool:
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return False


def test_the_passes_run_together_postgresql_behind_and_stopping_the_runner_stops_both(tmp_path):
    proc = _runner(tmp_path, PROBE_SLEEP="300")
    try:
        deadline = time.monotonic() + 60
        while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        passes = _children(proc.pid)
        assert len(passes) == 2, "both passes run at once"
        nice = {("postgresql" if b"not e2e" in _cmdline(p) else "sqlite"): _niceness(p) for p in passes}
        assert nice["postgresql"] > nice["sqlite"], "the PostgreSQL pass yields the processor to the SQLite pass"
        time.sleep(2)  # both are in the probe's sleep by now (a stop during start-up is pytest's own business)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=90)
        assert proc.returncode != 0
        assert not [p for p in passes if _alive(p)]
        out = proc.stdout.read()
        assert "KeyboardInterrupt" in out.partition("The PostgreSQL pass (")[2], "the stopped pass's output is shown"
        assert not Path(re.search(r"its output in (\S+)", out).group(1)).parent.exists()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()

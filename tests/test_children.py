"""The throwaway servers of a test run die with it (tests/children.py): a SIGTERM'd run takes pytest's normal
exit, which stops them, and a run killed outright takes its children with it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _python(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:  # a zombie (dead, not yet reaped by its new parent) counts as gone
        return fh.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_a_sigterm_ends_the_run_the_way_ctrl_c_does_so_its_servers_are_stopped():
    run = _python("from tests.children import stop_on_sigterm\nimport time\nstop_on_sigterm()\n"
                  "try:\n    print('ready', flush=True)\n    time.sleep(60)\n"
                  "except KeyboardInterrupt:\n    print('servers stopped', flush=True)\n")
    assert run.stdout.readline() == "ready\n"
    run.send_signal(signal.SIGTERM)
    assert run.stdout.read() == "servers stopped\n"
    assert run.wait(10) == 0


def test_a_server_started_by_a_run_killed_outright_dies_with_it():
    run = _python("import subprocess, time\nfrom tests.children import die_with_parent\n"
                  "server = subprocess.Popen(['sleep', '60'], preexec_fn=die_with_parent())\n"
                  "print(server.pid, flush=True)\ntime.sleep(60)\n")
    server = int(run.stdout.readline())
    assert _alive(server)
    run.kill()
    run.wait(10)
    deadline = time.monotonic() + 10
    while _alive(server) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(server)

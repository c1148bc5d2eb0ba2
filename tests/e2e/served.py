"""The app as `make run` serves it (`python -m practice serve`: one port, production build, worker, mailer and
drive), on free ports with its own data folder, for the journeys that need the whole firm's processes (the
crawl, several web workers on Redis). Always stopped, its whole process group, at the end."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

from practice import routes

ROOT = Path(__file__).resolve().parents[2]
# Not the test suite's settings (an in-process worker queue, the harness's database): the app's own defaults.
SUITE_ONLY = ("DATABASE_URL", "PRACTICE_HUEY_IMMEDIATE", "APP_HARNESS_FLAG", "PYTEST_CURRENT_TEST", "REFLEX_ENV_MODE",
              "REFLEX_SKIP_COMPILE", "REDIS_URL", "REFLEX_REDIS_URL")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"`python -m practice serve` stopped (exit {proc.returncode}): {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200 and b"<html" in response.read(2000).lower():
                    return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError(f"the app did not answer at {url} within {timeout:.0f} s")


def stop_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass  # already gone


@contextlib.contextmanager
def serving(data: Path, **settings: str) -> Iterator[tuple[dict, subprocess.Popen]]:
    """`python -m practice serve` with its data in `data` and these extra settings; yields (its environment, its
    process) once the login page answers."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in SUITE_ONLY}
    env.update(PRACTICE_DATA_DIR=str(data), PRACTICE_PORT=str(port), PRACTICE_DRIVE_PORT=str(free_port()),
               PRACTICE_BASE_URL=f"http://127.0.0.1:{port}", PRACTICE_HUEY_DB=str(data / "huey.db"))
    # Its own web build and state folders: the production build must not overwrite the `.web` the other
    # browser tests' development server is serving from.
    env.update(REFLEX_WEB_WORKDIR=str(data / "web"), REFLEX_STATES_WORKDIR=str(data / "states"), **settings)
    log = open(data / "serve.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "practice", "serve"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}{routes.LOGIN}", proc, data / "serve.log", timeout=900)
        yield env, proc
    finally:
        stop_group(proc, signal.SIGINT)  # serve stops its worker, mailer and drive
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            stop_group(proc, signal.SIGKILL)
            proc.wait()
        log.close()

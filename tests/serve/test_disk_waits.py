"""The worker and the mailer started on a read-only data folder wait for it, saying why, and start once it is
writable again (the worker used to exit at once with "unable to open database file" and stay down)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlmodel import SQLModel

from practice import db
from tests.factories.disks import small_disk

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow,
              pytest.mark.sqlite_only("the SQLite file in a read-only data folder; the test makes its own")]


def start(command: str, folder: Path) -> tuple[subprocess.Popen, list[str]]:
    env = dict(os.environ, PRACTICE_DATA_DIR=str(folder), DATABASE_URL=f"sqlite:///{folder / 'practice.db'}")
    env.pop("PRACTICE_HUEY_IMMEDIATE", None)
    env.pop("REDIS_URL", None)  # the queue is the file in the data folder, whose waiting is tested here
    proc = subprocess.Popen([sys.executable, "-m", "practice", command], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()
    return proc, lines


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize("command", ["worker", "mailer"])
def test_started_on_a_read_only_folder_it_waits_and_starts_when_writable(command, tmp_path, monkeypatch):
    with small_disk(tmp_path / "disk") as disk:
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{disk.path / 'practice.db'}")
        SQLModel.metadata.create_all(db.get_engine())
        db.get_engine().dispose()
        disk.read_only()
        proc, lines = start(command, disk.path)
        try:
            assert wait_for(lambda: "waits for the data folder" in "".join(lines), 60), "".join(lines)
            time.sleep(2)
            assert proc.poll() is None, "".join(lines)  # still there, waiting
            assert "read-only" in "".join(lines) and "Traceback" not in "".join(lines), "".join(lines)
            disk.read_only(False)
            assert wait_for(lambda: "writable again" in "".join(lines), 20), "".join(lines)
            if command == "worker":  # the consumer itself runs now, on its queue in the folder
                assert wait_for(lambda: (disk.path / "huey.db").exists(), 20), "".join(lines)
            time.sleep(1)
            assert proc.poll() is None, "".join(lines)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

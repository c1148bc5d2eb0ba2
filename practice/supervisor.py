"""Keep the app's processes running: `serve` starts each child here and restarts one that stops, with backoff.

One crashed process must never stop the others (issue 18, fault 4): when a child exits on its own, the
supervisor says why (its exit status or the signal that killed it), kills whatever it left behind in its
process group (a web server's forked workers would hold the port), and starts it again after a delay that
doubles on each quick failure (0.5 s, 1 s, 2 s, then 3 s) and resets once the child has run for 30 s.
Only SIGINT or SIGTERM to the supervisor stops everything.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from practice.config import data_dir
from practice.db import write_session
from practice.services.errors import disk_problem

log = logging.getLogger("practice.serve")

FIRST_DELAY_S = 0.5
MAX_DELAY_S = 3.0
STEADY_AFTER_S = 30.0  # a child that ran this long starts again after the first delay
STOP_GRACE_S = 15.0


def exit_reason(returncode: int) -> str:
    """A person's words for how a process ended: "exited with status 1", "was killed by SIGKILL"."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"was killed by {name}"
    return f"exited with status {returncode}"


@dataclass
class Child:
    """One supervised process: its name, its command, and its restart history."""

    name: str
    command: list[str]
    # What restarts it, when that differs from the first start (the web app skips its build; see web_commands).
    restart_command: list[str] | None = None
    restart_env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    delay: float = FIRST_DELAY_S
    restarts: int = 0
    history: list[str] = field(default_factory=list)


class Supervisor:
    """Start children, restart each one that stops, stop them all on request."""

    def __init__(self, commands: dict[str, list[str]], *, cwd: Path, env: dict[str, str],
                 restarts: dict[str, tuple[list[str], dict[str, str]]] | None = None):
        """`restarts`: for a child restarted differently from its first start, (command, extra environment)."""
        restarts = restarts or {}
        self.children = [Child(name, cmd, *restarts.get(name, (None, {}))) for name, cmd in commands.items()]
        self.cwd, self.env = cwd, env
        self.stopping = threading.Event()

    def _start(self, child: Child) -> None:
        command, env = child.command, self.env
        if child.restarts and child.restart_command:
            command, env = child.restart_command, dict(self.env, **child.restart_env)
        # Its own process group, so what it forks can be cleaned up with it; Ctrl-C reaches it through us.
        child.proc = subprocess.Popen(command, cwd=self.cwd, env=env, start_new_session=True)
        child.started_at, child.restart_at = time.monotonic(), None
        log.info("%s started (pid %d)", child.name, child.proc.pid)

    def start(self) -> None:
        for child in self.children:
            self._start(child)

    def pids(self) -> dict[str, int]:
        """The running children's process ids, by name."""
        return {c.name: c.proc.pid for c in self.children if c.proc is not None and c.proc.poll() is None}

    def _stopped(self, child: Child, now: float) -> None:
        """A child exited on its own: say why, clear what it left, and plan its restart."""
        ran = now - child.started_at
        _kill_group(child.proc.pid, signal.SIGKILL)
        if ran >= STEADY_AFTER_S:
            child.delay = FIRST_DELAY_S
        child.restart_at = now + child.delay
        reason = (f"{child.name} {exit_reason(child.proc.returncode)} after {ran:.1f} s; "
                  f"starting it again in {child.delay:.0f} s")
        child.history.append(reason)
        log.warning("%s", reason)
        child.delay = min(MAX_DELAY_S, child.delay * 2)
        child.proc = None

    def check(self) -> None:
        """One round: notice stopped children and start those whose delay has passed."""
        now = time.monotonic()
        for child in self.children:
            if self.stopping.is_set():
                return
            if child.proc is not None and child.proc.poll() is not None:
                self._stopped(child, now)
            if child.proc is None and child.restart_at is not None and now >= child.restart_at:
                child.restarts += 1
                try:
                    self._start(child)
                except OSError as err:  # e.g. no memory to fork: try again after the next delay
                    child.restart_at = now + child.delay
                    log.error("%s could not be started (%s); trying again in %.0f s", child.name, err, child.delay)

    def run(self, poll_s: float = 0.5) -> None:
        """Supervise until `stopping` is set."""
        while not self.stopping.wait(poll_s):
            self.check()

    def stop(self) -> None:
        """Ask every child to stop (SIGINT, as Ctrl-C would), then kill what is still running after 15 s."""
        self.stopping.set()
        running = [c.proc for c in self.children if c.proc is not None and c.proc.poll() is None]
        for proc in running:
            _kill_group(proc.pid, signal.SIGINT)
        deadline = time.monotonic() + STOP_GRACE_S
        for proc in running:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("pid %d did not stop within %.0f s; killing it", proc.pid, STOP_GRACE_S)
            _kill_group(proc.pid, signal.SIGKILL)


def _kill_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


WRITE_CHECK_BYTES = 64 * 1024
WAIT_LOG_EVERY_S = 60.0


def disk_refusal(folder: Path | None = None) -> str | None:
    """Why the data folder cannot be written to now (full, read-only), or None when a write goes through: a small
    file written and removed, and the database's write lock taken and given back."""
    folder = folder or data_dir()
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=".write-check-")
        try:
            os.write(fd, b"\0" * WRITE_CHECK_BYTES)
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(name)
        with write_session():  # BEGIN IMMEDIATE: the write lock, which needs the WAL's side files
            pass
    except Exception as exc:  # noqa: BLE001 - only the disk's refusals are waited out; the rest goes on up
        problem = disk_problem(exc)
        if problem is None:
            raise
        return str(problem)
    return None


def wait_until_writable(name: str, stop: Callable[[], bool] = lambda: False, *, every_s: float = 2.0) -> bool:
    """Before `name` starts: wait while the data folder refuses writes, saying so (then once a minute), instead
    of failing and staying down. True once it is writable, False when `stop()` asked to give up."""
    said_at = None
    while (refusal := disk_refusal()) is not None:
        if said_at is None or time.monotonic() - said_at >= WAIT_LOG_EVERY_S:
            log.warning("%s waits for the data folder %s: %s Trying again every %.0f s.",
                        name, data_dir(), refusal.split(";")[0] + ".", every_s)
            said_at = time.monotonic()
        if stop():
            return False
        time.sleep(every_s)
    if said_at is not None:
        log.warning("%s: the data folder is writable again; starting", name)
    return True

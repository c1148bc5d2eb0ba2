"""The throwaway servers the tests start (PostgreSQL, Redis, localstripe) die with the test run: a run ended by
SIGTERM goes through pytest's normal exit (which stops them and removes their folders), and a run killed outright
takes them with it (Linux's parent-death signal), so no server outlives the run that started it."""
from __future__ import annotations

import ctypes
import os
import signal
import threading
from typing import Callable

_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGTERM, then: Callable[[], None] | None = None) -> Callable[[], None]:
    """A `preexec_fn` for subprocess.Popen: the child gets `sig` when the thread starting it ends (Linux's rule:
    start servers from the main thread, as the session fixtures do). `then` runs first (e.g. dropping root), since
    changing the user clears the parent-death signal."""
    parent = os.getpid()

    def preexec() -> None:
        if then is not None:
            then()
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        if os.getppid() != parent:  # the parent ended before the line above
            os._exit(1)
    return preexec


def _terminated(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def stop_on_sigterm() -> None:
    """SIGTERM ends the run as Ctrl-C does: pytest tears down its fixtures (stopping the servers) and exits."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminated)

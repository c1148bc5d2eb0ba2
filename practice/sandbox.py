"""Run one function in a child process under kernel CPU and memory limits and a wall-clock kill.

Everything that reads a file from outside (the PDF check, page images, verifying a seal) goes through
`run_limited`: the child sets its limits before it imports the function's module, so nothing a hostile
file makes a parser do can outlive them, and the app only ever gets the child's JSON answer or a
`SandboxError` whose str() says why, in words that follow "reading" or "checking".
"""
from __future__ import annotations

import importlib
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# At most this many limited children at once: a burst of hostile files cannot take every core.
CONCURRENT = 2
# Anonymous visitors (the public /verify page) have a slot of their own: they can never take the slots the firm's
# staff and clients need for their uploads.
PUBLIC_CONCURRENT = 1
_pools = {"firm": threading.BoundedSemaphore(CONCURRENT), "public": threading.BoundedSemaphore(PUBLIC_CONCURRENT)}
_slots = _pools["firm"]
RECURSION_LIMIT = 2_000


class SandboxError(Exception):
    """The child gave no answer; str() is the reason, e.g. "it took longer than 10 seconds"."""


class SandboxBusy(SandboxError):
    """Every slot stayed taken for the whole wall-clock time."""

    def __init__(self) -> None:
        super().__init__("the server is busy with other checks; try again in a minute")


class SandboxTimeout(SandboxError):
    """The child was still running when the wall-clock time passed, so it was killed."""

    def __init__(self, wall_s: float) -> None:
        super().__init__(f"it took longer than {wall_s:g} seconds")


class SandboxCpuExceeded(SandboxError):
    """The kernel stopped the child at its CPU limit."""

    def __init__(self, cpu_s: int) -> None:
        super().__init__(f"it needed more than {cpu_s} seconds of computing time")


class SandboxFailed(SandboxError):
    """The child died or answered nothing (an allocation beyond the memory limit fails, for one)."""

    def __init__(self) -> None:
        super().__init__("it needed more memory or time than allowed")


class SandboxNoAnswer(SandboxError):
    """The child printed something that is not a JSON answer."""

    def __init__(self) -> None:
        super().__init__("the checker gave no answer")


def run_limited(target: Callable[[Any], Any], payload: Any, *, cpu_s: int, memory_bytes: int,
                wall_s: float, pool: str = "firm") -> Any:
    """`target(payload)` run in a limited child; its JSON-able result, or a SandboxError.

    `target` is a module-level function of a module that imports nothing heavy before it is called;
    `payload` and the result travel as JSON. `pool` is "firm" (staff and clients) or "public" (anyone).
    """
    slots = _pools[pool]
    if not slots.acquire(timeout=wall_s):
        raise SandboxBusy()
    try:
        return _run_child(f"{target.__module__}:{target.__qualname__}", payload, cpu_s, memory_bytes, wall_s)
    finally:
        slots.release()


def _run_child(target: str, payload: Any, cpu_s: int, memory_bytes: int, wall_s: float) -> Any:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(ROOT),
           "PYTHONHASHSEED": "0", "PRACTICE_DATA_DIR": tempfile.gettempdir()}
    cmd = [sys.executable, "-m", "practice.sandbox", target, str(int(cpu_s)), str(int(memory_bytes))]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env=env, cwd=str(ROOT), start_new_session=True)
    try:
        out, _ = proc.communicate(json.dumps(payload).encode(), timeout=wall_s)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise SandboxTimeout(wall_s) from None
    if proc.returncode != 0 or not out.strip():
        if proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
            raise SandboxCpuExceeded(cpu_s)
        raise SandboxFailed()
    try:
        return json.loads(out.decode("utf-8", "replace").strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise SandboxNoAnswer() from None


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


# --- the child's side ---------------------------------------------------------------------------------


def _limit(cpu_s: int, memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _child(argv: list[str]) -> int:
    """Set the limits, then import and call the target with the payload from stdin; print its JSON."""
    target, cpu_s, memory_bytes = argv
    _limit(int(cpu_s), int(memory_bytes))
    sys.setrecursionlimit(RECURSION_LIMIT)
    payload = json.loads(sys.stdin.read() or "null")
    module_name, _, function_name = target.partition(":")
    # Imported by name, and only now: whatever the module loads (pypdf, pdfium, pyHanko) is under the limits.
    function = getattr(importlib.import_module(module_name), function_name)
    sys.stdout.write(json.dumps(function(payload)) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))

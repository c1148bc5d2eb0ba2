"""The sandbox: a child that goes past its memory, its CPU time or its wall-clock time is stopped and
refused with a sentence, and the app's own process is unharmed."""
from __future__ import annotations

import os
import resource
import time

import pytest

from practice import sandbox
from practice.db import read_session
from practice.services.signing import verify
from practice.sandbox import SandboxBusy, SandboxCpuExceeded, SandboxFailed, SandboxTimeout, run_limited

MB = 1024 * 1024


# --- what the children run (module level: the child imports this module by name) ------------------------


def double(payload: dict) -> dict:
    return {"twice": payload["n"] * 2, "pid": os.getpid()}


def eat_memory(megabytes: int) -> int:
    hog = bytearray(megabytes * MB)
    return len(hog)


def spin(_payload) -> None:
    while True:
        pass


def sleep(seconds: float) -> None:
    time.sleep(seconds)


# --- the tests ---------------------------------------------------------------------------------------------


def test_the_child_answers_in_json_from_another_process():
    answer = run_limited(double, {"n": 21}, cpu_s=5, memory_bytes=512 * MB, wall_s=20)
    assert answer["twice"] == 42 and answer["pid"] != os.getpid()


def test_a_child_past_its_memory_is_refused_and_the_parent_is_unharmed():
    limits = resource.getrlimit(resource.RLIMIT_AS)
    with pytest.raises(SandboxFailed) as refused:
        run_limited(eat_memory, 1024, cpu_s=5, memory_bytes=256 * MB, wall_s=20)
    assert str(refused.value) == "it needed more memory or time than allowed"
    assert resource.getrlimit(resource.RLIMIT_AS) == limits
    assert len(bytearray(300 * MB)) == 300 * MB  # the parent itself may still use more


def test_a_child_past_its_cpu_time_is_stopped_by_the_kernel():
    limits = resource.getrlimit(resource.RLIMIT_CPU)
    started = time.monotonic()
    with pytest.raises(SandboxCpuExceeded) as refused:
        run_limited(spin, None, cpu_s=1, memory_bytes=512 * MB, wall_s=30)
    assert str(refused.value) == "it needed more than 1 seconds of computing time"
    assert time.monotonic() - started < 30
    assert resource.getrlimit(resource.RLIMIT_CPU) == limits


def test_a_child_past_its_wall_clock_time_is_killed():
    started = time.monotonic()
    with pytest.raises(SandboxTimeout) as refused:
        run_limited(sleep, 60, cpu_s=5, memory_bytes=512 * MB, wall_s=1)
    assert str(refused.value) == "it took longer than 1 seconds"
    assert time.monotonic() - started < 10
    assert run_limited(double, {"n": 1}, cpu_s=5, memory_bytes=512 * MB, wall_s=20)["twice"] == 2


def test_when_every_slot_stays_taken_the_caller_is_told_the_server_is_busy():
    taken = [sandbox._slots.acquire(timeout=5) for _ in range(sandbox.CONCURRENT)]
    try:
        assert all(taken)
        with pytest.raises(SandboxBusy, match="busy"):
            run_limited(double, {"n": 1}, cpu_s=5, memory_bytes=512 * MB, wall_s=0.2)
    finally:
        for _ in taken:
            sandbox._slots.release()


def test_anonymous_checks_have_their_own_slot_and_never_take_the_firms(fresh_db):
    public = sandbox._pools["public"]
    taken = [public.acquire(timeout=5) for _ in range(sandbox.PUBLIC_CONCURRENT)]
    try:
        assert all(taken)
        # A visitor flooding /verify: the firm's uploads still get checked ...
        assert run_limited(double, {"n": 2}, cpu_s=5, memory_bytes=512 * MB, wall_s=10)["twice"] == 4
        # ... and the next anonymous check is told the server is busy.
        with read_session() as s:
            report = verify.verify_isolated(s, b"%PDF-1.4\n")
        assert not report.intact and "busy" in report.summary
    finally:
        for _ in taken:
            public.release()

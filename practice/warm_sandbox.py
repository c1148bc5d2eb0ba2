"""Limited children forked from a warm helper: firm-written templates and PDF layouts, each in its own child.

`practice.sandbox.run_limited` starts a fresh interpreter per call (about 100 ms before WeasyPrint is even
imported): right for hostile files, too slow for a preview per keystroke. Here one helper process per app
process imports Jinja, WeasyPrint and the rules checker once and warms their caches; each call then gets
a child forked from it (a few milliseconds) that sets the kernel's CPU and address-space limits and an
alarm before it runs the function, so `{{ 7 ** 10000000 }}`, `'a' * 10**9` or a 4,000-page layout dies in
the child, never in the app. While the app waits for the answer it reads the child's memory every 20 ms (its resident
pages, and its private pages once those pass the allowance) and stops it past its allowance: the kernel's address-space limit alone counts what is mapped,
not what is used, and lets a child copy the helper's pages without bound. The request travels pickled from the app to the child (trusted direction);
the answer comes back as JSON, read with a size cap. A failure is a `practice.sandbox.SandboxError`.

A render waits for a child, up to seconds on a busy machine, so the worker never renders while it holds the
database's write lock: inside `renders_outside()` a request without a kept answer raises `RenderOutside`
instead, the worker ends its transaction, calls `.render()` (the answer is kept by its exact request but its
wall-clock limit, for this thread, within `answers_kept()`) and tries the event again, which then finds the answer
without a child.
"""
from __future__ import annotations

import importlib
import json
import os
import pickle
import resource
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from practice.sandbox import ROOT, RECURSION_LIMIT, SandboxBusy, SandboxError, SandboxFailed, SandboxNoAnswer, \
    SandboxTimeout

# Imported and warmed in the helper before any fork, so children start with them loaded.
PRELOAD = ("practice.services.templating", "practice.services.documents.html_pdf",
           "practice.services.automation.rules_check")
# At most this many children at once per app process (the machine's cores): a burst of hostile previews
# waits for a slot instead of taking every core.
CONCURRENT = 2
# Answers larger than this are refused unread (a PDF of a few thousand pages is about 10 MB).
MAX_ANSWER = 64 * 1024 * 1024
# The helper's imports and warm-up, even on a loaded machine; a helper that is not ready by then is replaced.
START_SECONDS = 60
# How much lower the children's scheduling priority is than the app's.
NICENESS = 10
# While the app waits for a child's answer it reads the child's own memory this often, and stops the child past
# its `memory_bytes` (the kernel's address-space limit below is only a backstop: it counts what is mapped, not
# what is used, and not the pages a child copies from the helper).
WATCH_SECONDS = 0.02
_TOO_BIG = b"\0too big"
_slots = threading.BoundedSemaphore(CONCURRENT)
_lock = threading.Lock()
_helper: dict[str, Any] = {}
# This thread's kept answers (request bytes → ("ok", JSON) or ("error", SandboxError)), and whether a request
# without one must be rendered outside (RenderOutside) rather than here.
_here = threading.local()


class SandboxTooBig(SandboxError):
    def __init__(self) -> None:
        super().__init__("its result is too large")


class SandboxOutOfMemory(SandboxError):
    def __init__(self) -> None:
        super().__init__("it needed more memory than allowed")


class RenderOutside(BaseException):
    """Raised instead of rendering inside `renders_outside()`. A BaseException, so that no handler of ordinary
    failures takes it for the event's own failure: it unwinds to the worker, which rolls the event back, ends
    its transaction and calls `render()`. `requests`: what to fill in, {key: (request, wall_s, memory_bytes)}; the
    key is the
    request without its wall-clock limit (a caller sharing one limit among several renders asks each with what is
    left, so the retry asks with another limit and must still find the answer)."""

    def __init__(self, requests: dict[bytes, tuple[bytes, float, int]]):
        super().__init__("a template must be filled in outside the write transaction")
        self.requests = requests
        self.handled = 0  # events the interrupted chunk had handled already (they commit); set by the worker

    def render(self) -> None:
        """Fill the requests in now (in children, as always) and keep the answers, or the failures, for the retry."""
        render_kept([self])


def render_kept(wanted: list[RenderOutside]) -> None:
    """Fill in the distinct requests of `wanted` not kept yet, CONCURRENT at a time (each in its own child, as
    always), and keep their answers (or failures) in this thread's `answers_kept()`."""
    answers = getattr(_here, "answers", None)
    if answers is None:
        return
    todo = {key: asked for w in wanted for key, asked in w.requests.items() if key not in answers}
    if len(todo) < 2:
        for key, asked in todo.items():
            _kept(answers, key, *asked)
        return
    with ThreadPoolExecutor(max_workers=CONCURRENT, thread_name_prefix="render") as pool:
        for key, asked in todo.items():
            pool.submit(_kept, answers, key, *asked)


@contextmanager
def answers_kept() -> Iterator[None]:
    """Within: this thread keeps every answer (and failure) by its exact request, and gives it again for the same
    request without a child. The same request always has the same answer: templates and layouts read nothing
    but their payload."""
    outer = getattr(_here, "answers", None)
    if outer is None:
        _here.answers = {}
    try:
        yield
    finally:
        if outer is None:
            _here.answers = None


@contextmanager
def renders_outside() -> Iterator[None]:
    """Within (and within `answers_kept()`): a request without a kept answer raises RenderOutside."""
    outer = getattr(_here, "outside", False)
    _here.outside = True
    try:
        yield
    finally:
        _here.outside = outer


def _spec(target: Callable[[Any], Any], payload: Any, cpu_s: int, memory_bytes: int) -> dict:
    return {"target": f"{target.__module__}:{target.__qualname__}", "payload": payload, "cpu_s": int(cpu_s),
            "memory_bytes": int(memory_bytes)}


def _request(spec: dict, wall_s: float) -> bytes:
    return pickle.dumps({**spec, "wall_s": float(wall_s)})


def run_warm(target: Callable[[Any], Any], payload: Any, *, cpu_s: int, memory_bytes: int, wall_s: float) -> Any:
    """`target(payload)` in a child of the warm helper under CPU, memory and wall-clock limits; its JSON-able
    result, or a SandboxError. `target` is a module-level function; `memory_bytes` is the most memory of its own the
    child may hold (the pages it shares with the helper are not counted; past it the child is stopped and this
    raises SandboxOutOfMemory)."""
    spec = _spec(target, payload, cpu_s, memory_bytes)
    answers = getattr(_here, "answers", None)
    if answers is None:
        return _run(_request(spec, wall_s), wall_s, memory_bytes)
    key = pickle.dumps(spec)
    if key not in answers:
        if getattr(_here, "outside", False):
            raise RenderOutside({key: (_request(spec, wall_s), wall_s, memory_bytes)})
        _kept(answers, key, _request(spec, wall_s), wall_s, memory_bytes)
    kind, answer = answers[key]
    if kind == "error":
        raise answer
    return json.loads(answer)


def ask_ahead(target: Callable[[Any], Any], payloads: list, *, cpu_s: int, memory_bytes: int, wall_s: float) -> None:
    """Within `renders_outside()`: raise RenderOutside for every payload without a kept answer, all at once (a
    mail's subject and body found by one rehearsal, not one after the other). Elsewhere it does nothing."""
    answers = getattr(_here, "answers", None)
    if answers is None or not getattr(_here, "outside", False):
        return
    missing = {}
    for payload in payloads:
        spec = _spec(target, payload, cpu_s, memory_bytes)
        key = pickle.dumps(spec)
        if key not in answers:
            missing[key] = (_request(spec, wall_s), wall_s, memory_bytes)
    if missing:
        raise RenderOutside(missing)


def _kept(answers: dict, key: bytes, request: bytes, wall_s: float, memory_bytes: int) -> None:
    try:
        answers[key] = ("ok", json.dumps(_run(request, wall_s, memory_bytes)))
    except SandboxError as err:
        answers[key] = ("error", err)


def _run(request: bytes, wall_s: float, memory_bytes: int) -> Any:
    started = time.monotonic()
    if not _slots.acquire(timeout=wall_s):
        raise SandboxBusy()
    try:
        return _ask(request, wall_s, memory_bytes, started)
    finally:
        _slots.release()


def _ask(request: bytes, wall_s: float, memory_bytes: int, started: float) -> Any:
    mine, theirs = socket.socketpair()
    with mine:
        try:
            _hand_over(theirs)
        finally:
            theirs.close()
        begun = time.monotonic()
        deadline = begun + wall_s + 1.0  # the child's own alarm fires at wall_s; this is the backstop
        mine.settimeout(wall_s + 1.0)
        mine.sendall(len(request).to_bytes(8, "big") + request)
        pid, answer = _read_answer(mine, deadline, memory_bytes)
    if answer is _TOO_BIG:
        raise SandboxOutOfMemory()
    if answer is None:
        if pid:
            _kill(pid)
        raise SandboxTimeout(wall_s)
    if not answer:
        # No answer: the child was stopped by its alarm, its CPU limit, or an allocation beyond its memory.
        if time.monotonic() - begun >= wall_s - 0.05:
            raise SandboxTimeout(wall_s)
        raise SandboxFailed()
    try:
        return json.loads(answer)
    except ValueError:
        raise SandboxNoAnswer() from None


def _read_answer(conn: socket.socket, deadline: float, memory_bytes: int) -> tuple[int, bytes | None]:
    """(the child's pid, its answer); the answer is None when the deadline passed first, `_TOO_BIG` when the child
    came to hold more than `memory_bytes` of its own (it is stopped then)."""
    data = bytearray()
    pid = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return pid, None
        conn.settimeout(min(remaining, WATCH_SECONDS))
        try:
            chunk = conn.recv(1 << 20)
        except socket.timeout:
            if pid and holds_more_than(pid, memory_bytes):
                _kill(pid)
                return pid, _TOO_BIG
            continue
        except OSError:
            chunk = b""
        if not chunk:
            break
        data += chunk
        if not pid and b"\n" in data:
            line, _, rest = bytes(data).partition(b"\n")
            pid, data = int(line or 0), bytearray(rest)
        if len(data) > MAX_ANSWER:
            _kill(pid)
            raise SandboxTooBig()
    if not pid:
        return 0, b""
    return pid, bytes(data)


def holds_more_than(pid: int, memory_bytes: int) -> bool:
    """Whether process `pid` holds more than `memory_bytes` of its own. Its resident and swapped pages (two counters
    the kernel keeps) bound what it holds alone from above, so only a child past that bound has its private pages
    counted page by page (`own_memory`, which walks its page tables: too costly to do every 20 ms for every
    render)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            lines = status.read().splitlines()
    except OSError:
        return False
    at_most = 1024 * sum(int(line.split()[1]) for line in lines if line.startswith((b"VmRSS:", b"VmSwap:")))
    return at_most > memory_bytes and own_memory(pid) > memory_bytes


def own_memory(pid: int) -> int:
    """The bytes only process `pid` holds (its private pages, resident or swapped): what it adds to the server's
    memory. Pages it still shares with the warm helper are not counted; 0 once it has ended."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            lines = rollup.read().splitlines()
    except OSError:
        return 0
    return 1024 * sum(int(line.split()[1]) for line in lines
                      if line.startswith((b"Private_Clean:", b"Private_Dirty:", b"Swap:")))


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def start_in_background() -> None:
    """Start the helper now, in a thread (the app calls this as it starts), so the first preview does not wait
    for its imports."""
    threading.Thread(target=_start_quietly, name="warm-sandbox-start", daemon=True).start()


def _start_quietly() -> None:
    try:
        with _lock:
            _running_helper()
    except SandboxError:
        pass  # the first call tries again


def _hand_over(conn: socket.socket) -> None:
    """Give one end of a fresh socket pair to the helper, which forks a child to serve it."""
    with _lock:
        for attempt in range(2):
            control = _running_helper()
            try:
                socket.send_fds(control, [b"r"], [conn.fileno()])
                return
            except OSError:
                if attempt:
                    raise SandboxFailed() from None
                _stop_helper()


def _running_helper() -> socket.socket:
    proc = _helper.get("proc")
    if proc is not None and proc.poll() is None and _helper.get("pid") == os.getpid():
        return _helper["control"]
    _stop_helper()
    control, theirs = socket.socketpair()
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(ROOT),
           "PYTHONHASHSEED": "0", "PRACTICE_DATA_DIR": os.environ.get("TMPDIR", "/tmp")}
    proc = subprocess.Popen([sys.executable, "-m", "practice.warm_sandbox", str(theirs.fileno())],
                            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env, cwd=str(ROOT), start_new_session=True)
    theirs.close()
    ready = b""
    if proc.stdout and select.select([proc.stdout], [], [], START_SECONDS)[0]:
        ready = proc.stdout.readline()
    if ready.strip() != b"ready":
        proc.kill()
        proc.wait()
        control.close()
        raise SandboxFailed()
    _helper.update(proc=proc, control=control, pid=os.getpid())
    return control


def _stop_helper() -> None:
    proc, control = _helper.pop("proc", None), _helper.pop("control", None)
    if control is not None:
        control.close()  # the helper exits when its control socket closes
    if proc is not None and _helper.pop("pid", None) == os.getpid():
        if proc.poll() is None:
            proc.kill()
        proc.wait()


# --- the helper's side --------------------------------------------------------------------------------


def _warm() -> None:
    for name in PRELOAD:
        importlib.import_module(name)
    html_pdf = sys.modules["practice.services.documents.html_pdf"]
    html_pdf.layout_here("<p>warm</p>")  # loads fonts and Pango's caches once, before any fork


def _helper_main(control_fd: int) -> int:
    """Warm up, say "ready", then fork one limited child per socket handed over; exit when the app goes."""
    control = socket.socket(fileno=control_fd)
    _warm()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)  # nobody reads the pipe after "ready": a child's stray print must not fill it and hang
    os.close(quiet)
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(control, 16, 4)
        except OSError:
            return 0
        if not msg:
            return 0  # the app closed its end (or died)
        for fd in fds:
            if os.fork() == 0:
                control.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _serve(socket.socket(fileno=fd))
            os.close(fd)


def _serve(conn: socket.socket) -> None:
    """In the forked child: say our pid, take the request, set the limits, run, answer, exit."""
    code = 1
    try:
        conn.sendall(f"{os.getpid()}\n".encode())
        request = pickle.loads(_read_request(conn))
        _limit(request["cpu_s"], request["memory_bytes"], request["wall_s"])
        module_name, _, function_name = request["target"].partition(":")
        function = getattr(importlib.import_module(module_name), function_name)
        answer = json.dumps(function(request["payload"])).encode()
        conn.sendall(answer)
        code = 0
    finally:
        os._exit(code)


def _read_request(conn: socket.socket) -> bytes:
    head = _read_exactly(conn, 8)
    return _read_exactly(conn, int.from_bytes(head, "big"))


def _read_exactly(conn: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = conn.recv(min(1 << 20, size - len(data)))
        if not chunk:
            raise EOFError
        data += chunk
    return bytes(data)


def _limit(cpu_s: int, memory_bytes: int, wall_s: float) -> None:
    mapped = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
    resource.setrlimit(resource.RLIMIT_AS, (mapped + memory_bytes, mapped + memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    sys.setrecursionlimit(RECURSION_LIMIT)
    # Children yield the processor to the app: a hostile template burning its CPU limit cannot slow down the
    # people the server is answering. (The helper itself keeps the app's priority, so it starts quickly.)
    os.nice(NICENESS)
    # SIGALRM's default action ends the process, even in the middle of one long C operation (a huge power).
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.setitimer(signal.ITIMER_REAL, wall_s)


if __name__ == "__main__":
    sys.exit(_helper_main(int(sys.argv[1])))

"""Several web processes behind one port, their UI state in Redis (`REFLEX_REDIS_URL`) and the worker queue on
Redis (`REDIS_URL`): the app as a larger firm runs it (docs/postgresql.md). Four people work at once, the web
process holding one of their pages is killed with SIGKILL, and everyone's pages carry on: only that process is
replaced, the pages it held reconnect to another with their own state (practice/web_processes.py), the others never
disconnect, and every write made before and after the kill is there."""
from __future__ import annotations

import os
import pickle
import signal
import sqlite3
import subprocess
import time

import pytest
import redis
from playwright.sync_api import expect

from practice import routes, web_processes
from tests.e2e.conftest import CHROMIUM_ARGS, DESKTOP, log_in
from tests.e2e.served import serving
from tests.redis_server import ThrowawayRedis

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WEB_WORKERS = 3
PEOPLE = 4


def _children(pid: int) -> dict[int, str]:
    """The processes whose parent is `pid`, with their whole command lines (`-ww`: piped, ps cuts lines at 80
    characters, which left "python -m practi" of a web process started from a clone in a long folder name)."""
    out = subprocess.run(["ps", "-e", "-ww", "-o", "pid=,ppid=,args="], capture_output=True, text=True, check=True).stdout
    rows = [line.split(None, 2) for line in out.splitlines() if line.strip()]
    return {int(p): (a[2] if len(a) > 2 else "") for p, pp, *a in ((r[0], r[1], *r) for r in rows) if int(pp) == pid}


def _web_workers(serve_pid: int) -> list[int]:
    web = [pid for pid, args in _children(serve_pid).items() if "-m practice web" in args]
    assert len(web) == 1, _children(serve_pid)
    return sorted(pid for pid, args in _children(web[0]).items() if "-m practice web" in args)


def _replaced(serve_pid: int, killed: int, others: list[int]) -> list[int]:
    """Wait until the web app has its full count of workers again, and return them."""
    for _ in range(150):
        now = _web_workers(serve_pid)
        if len(now) == WEB_WORKERS and killed not in now:
            return now
        time.sleep(0.2)
    raise AssertionError(f"the killed web worker was not replaced within 30 s: {now}, others were {others}")


def _reconnected(page, sockets: list, before: int) -> None:
    """Wait until the page has opened a new websocket since it had `before` of them (its process was killed)."""
    for _ in range(150):
        if len(sockets) > before and not sockets[-1].is_closed():
            return
        page.wait_for_timeout(200)
    raise AssertionError("the page did not reconnect within 30 s")


def _add_task(page, title: str) -> None:
    page.fill("#new-task-title", title)
    page.click("#create-task")
    expect(page.locator("#task-list")).to_contain_text(title, timeout=30_000)


def _token(page) -> str:
    return page.evaluate("window.sessionStorage.getItem('token')")


def _process_holding(state: redis.Redis, token: str) -> int:
    """The web worker holding the page's connection, from Reflex's record of it and the worker's alive key."""
    record = pickle.loads(state.get(f"token_manager_socket_record_{token}"))
    return int(state.get(web_processes.ALIVE_PREFIX + record.instance_id).decode().split()[1])


def _saved(state: redis.Redis, tokens: list[str]) -> None:
    """Wait until no web process holds any of the pages' locks: a process keeps a page's lock and state for a moment
    after its events (Reflex's opportunistic lock, rxconfig.py) and writes the state back when it lets go, so a kill
    before then loses the page's last choices (what this test checks is what happens to saved state)."""
    for _ in range(150):
        if not any(state.exists(f"{token}_lock") for token in tokens):
            return
        time.sleep(0.1)
    raise AssertionError("the pages' states were not written back to Redis within 15 s")


def test_four_people_keep_working_when_one_of_three_web_processes_is_killed(tmp_path, pw):
    queue_and_state = ThrowawayRedis().start()
    data = tmp_path / "data"
    data.mkdir()
    try:
        with serving(data, REFLEX_REDIS_URL=queue_and_state.url(0), REDIS_URL=queue_and_state.url(1),
                     GRANIAN_WORKERS=str(WEB_WORKERS)) as (env, proc):
            workers = _web_workers(proc.pid)
            assert len(workers) == WEB_WORKERS
            site = env["PRACTICE_BASE_URL"]
            state = redis.Redis.from_url(queue_and_state.url(0))
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
            try:
                pages = [browser.new_context(viewport=DESKTOP).new_page() for _ in range(PEOPLE)]
                sockets: list[list] = [[] for _ in pages]
                for page, opened in zip(pages, sockets):
                    page.on("websocket", lambda ws, into=opened: into.append(ws))
                for n, page in enumerate(pages):
                    log_in(page, site)
                    page.goto(site + routes.TASKS)
                    expect(page.locator("#new-task-assignee")).to_contain_text("Olivia Park")  # the page has loaded
                    _add_task(page, f"Before the restart {n}")
                    # A choice kept only in the page's state (not in the address or the database).
                    page.click("#tasks-all")
                    expect(page.locator("#tasks-all")).to_have_attribute("data-state", "on")
                tokens = [_token(page) for page in pages]
                holders = [_process_holding(state, token) for token in tokens]
                _saved(state, tokens)
                # The worker holding the first person's page is killed (so at least one page loses its process).
                victim = holders[0]
                assert victim in workers, (victim, workers)
                before = [len(opened) for opened in sockets]
                os.kill(victim, signal.SIGKILL)
                # Only the dead worker is replaced: the others, and the pages connected to them, carry on.
                others = [w for w in workers if w != victim]
                now = _replaced(proc.pid, victim, others)
                assert set(others) <= set(now), (workers, now)
                for n, (page, opened) in enumerate(zip(pages, sockets)):
                    if holders[n] == victim:
                        _reconnected(page, opened, before[n])
                    _add_task(page, f"After the restart {n}")
                    # The page carried on with its own state: the same token, the choice still made.
                    assert _token(page) == tokens[n]
                    expect(page.locator("#tasks-all")).to_have_attribute("data-state", "on")
                    if holders[n] != victim:
                        assert len(opened) == before[n] and not opened[-1].is_closed()  # never disconnected
            finally:
                browser.close()
            with sqlite3.connect(data / "practice.db") as db:
                titles = {t for (t,) in db.execute("SELECT title FROM task WHERE title LIKE '% the restart %'")}
            assert titles == {f"{when} the restart {n}" for when in ("Before", "After") for n in range(PEOPLE)}
    finally:
        queue_and_state.stop()

"""Several web processes behind one port, their UI state in Redis (`REFLEX_REDIS_URL`) and the worker queue on
Redis (`REDIS_URL`): the app as a larger firm runs it (docs/postgresql.md). Four people work at once, one web
process is killed with SIGKILL, and everyone's pages carry on (their state is in Redis, their websocket
reconnects to another process): every write made before and after the kill is there."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess

import pytest
import redis
from playwright.sync_api import expect

from practice import routes
from tests.e2e.conftest import CHROMIUM_ARGS, DESKTOP, log_in
from tests.e2e.served import serving
from tests.redis_server import ThrowawayRedis

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WEB_WORKERS = 3
PEOPLE = 4


def _children(pid: int) -> dict[int, str]:
    """The processes whose parent is `pid`, with their command lines."""
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid=,args="], capture_output=True, text=True, check=True).stdout
    rows = [line.split(None, 2) for line in out.splitlines() if line.strip()]
    return {int(p): (a[2] if len(a) > 2 else "") for p, pp, *a in ((r[0], r[1], *r) for r in rows) if int(pp) == pid}


def _web_workers(serve_pid: int) -> list[int]:
    web = [pid for pid, args in _children(serve_pid).items() if "reflex run" in args]
    assert len(web) == 1, _children(serve_pid)
    return [pid for pid, args in _children(web[0]).items() if "reflex run" in args]


def _reconnected(page, sockets: list) -> None:
    """Wait until the page's websocket is open again (a page whose process was killed reconnects to another)."""
    for _ in range(150):
        if sockets and not sockets[-1].is_closed():
            return
        page.wait_for_timeout(200)
    raise AssertionError("the page did not reconnect within 30 s")


def _add_task(page, title: str) -> None:
    page.fill("#new-task-title", title)
    page.click("#create-task")
    expect(page.locator("#task-list")).to_contain_text(title, timeout=30_000)


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
                # The people's pages keep their state in Redis, not in one process's memory.
                assert redis.Redis.from_url(queue_and_state.url(0)).dbsize() > 0
                os.kill(workers[0], signal.SIGKILL)
                pages[0].wait_for_timeout(2000)  # the browsers notice the closed connections
                for n, (page, opened) in enumerate(zip(pages, sockets)):
                    _reconnected(page, opened)
                    _add_task(page, f"After the restart {n}")
            finally:
                browser.close()
            with sqlite3.connect(data / "practice.db") as db:
                titles = {t for (t,) in db.execute("SELECT title FROM task WHERE title LIKE '% the restart %'")}
            assert titles == {f"{when} the restart {n}" for when in ("Before", "After") for n in range(PEOPLE)}
    finally:
        queue_and_state.stop()

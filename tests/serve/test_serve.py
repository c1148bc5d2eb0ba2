"""`make run`'s own command starts the app, the worker and the mailer on the embedded defaults; Ctrl-C stops them all."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.e2e.conftest import CHROMIUM_ARGS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def running(pid: str) -> bool:
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return False


@pytest.fixture
def browser():
    # Its own browser: this test runs after the browser journeys' harness has stopped, because
    # `reflex run --env prod` rebuilds the project's .web folder that the harness serves from.
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def test_serve_starts_web_and_worker_then_stops_both(tmp_path, browser):
    port = free_port()
    env = dict(os.environ, PRACTICE_DATA_DIR=str(tmp_path / "data"), PRACTICE_PORT=str(port),
               PRACTICE_DRIVE_PORT=str(free_port()))
    env.pop("DATABASE_URL", None)
    env.pop("PRACTICE_HUEY_IMMEDIATE", None)
    proc = subprocess.Popen([sys.executable, "-m", "practice", "serve"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    out: list[str] = []
    try:
        deadline = time.time() + 300
        while time.time() < deadline:
            line = proc.stdout.readline()
            out.append(line)
            if "App running at" in line or proc.poll() is not None:
                break
        text = "".join(out)
        assert "Log in as owner@example.com" in text, text[-2000:]
        assert "App running at" in text, text[-2000:]
        # Reflex announces the app a moment before its server accepts connections.
        wait_until = time.time() + 60
        while time.time() < wait_until:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/login")
        page.fill("#email", "owner@example.com")
        page.fill("#password", "demo-owner-pass")
        page.click("#login-submit")
        expect(page.get_by_text("Welcome back, Olivia Park")).to_be_visible(timeout=30_000)
        page.close()
        children = subprocess.run(["pgrep", "-a", "-P", str(proc.pid)], capture_output=True, text=True).stdout
        assert f"--backend-port {port}" in children, children  # the web app
        assert "huey_consumer practice.worker.tasks.huey" in children, children  # the worker
        assert "-m practice mailer" in children, children  # the mailer
        assert "-m practice drive" in children, children  # the WebDAV drive
        child_pids = [line.split()[0] for line in children.splitlines()]
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
    time.sleep(1)
    left = subprocess.run(["pgrep", "-f", f"--backend-port {port}"], capture_output=True, text=True).stdout.split()
    assert not left, "the web app kept running after Ctrl-C"
    alive = [pid for pid in child_pids if running(pid)]
    assert not alive, f"processes {alive} kept running after Ctrl-C"

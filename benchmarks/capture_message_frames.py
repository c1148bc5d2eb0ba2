"""Record the websocket frames a real browser sends on the two sides of a chat, so `bench_message_latency.py`
replays what a browser really sends: a contact logs in to the portal, opens Messages, opens a conversation and
replies; a staff member logs in, opens that conversation on Chats (its link) and writes to the client.

Starts the app with Reflex's test harness on a demo database (one contact given a portal login, one chat thread
on its account), drives Debian's Chromium with Playwright, and writes the frames to
benchmarks/message_frames.json (sent and received, in order, with the side and the page each was sent from).

    python benchmarks/capture_message_frames.py [--out benchmarks/message_frames.json]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from capture_portal_frames import CHROMIUM_ARGS, PASSWORD  # noqa: E402


def prepare_database() -> tuple[str, int]:
    """A migrated demo database with one portal login and a thread on its account; (its email, the thread id)."""
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='message-frames-')}/app.db"
    from portal_setup import build_firm, give_logins, give_threads

    build_firm(10)
    email = give_logins(1, PASSWORD)[0]
    return email, give_threads([email])[email]


def record(base_url: str, email: str, thread_id: int) -> list[dict]:
    from playwright.sync_api import sync_playwright

    from practice.services.demo import OWNER_EMAIL, OWNER_PASSWORD

    frames: list[dict] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        for side in ("portal", "staff"):
            page = browser.new_context().new_page()
            page.set_default_timeout(60_000)

            def on_socket(ws, side=side, page=page):
                ws.on("framesent", lambda f: frames.append({"side": side, "dir": "sent", "page": page.url,
                                                            "data": f}))
                ws.on("framereceived", lambda f: frames.append({"side": side, "dir": "received", "page": page.url,
                                                                "data": f[:2000]}))
            page.on("websocket", on_socket)
            if side == "portal":
                page.goto(base_url + "/portal/login")
                page.fill("#portal-email", email)
                page.fill("#portal-password", PASSWORD)
                page.click("#portal-login-submit")
                page.wait_for_selector("#portal-nav-messages")
                page.click("#portal-nav-messages")
                page.wait_for_selector("#portal-thread-list")
                page.locator("#portal-thread-list > *").first.click()
                page.wait_for_selector("#portal-chat-text")
                page.fill("#portal-chat-text", "A reply from the client")
                page.click("#portal-chat-send")
                page.get_by_text("A reply from the client").first.wait_for()
            else:
                page.goto(base_url + "/login")
                page.fill("#email", OWNER_EMAIL)
                page.fill("#password", OWNER_PASSWORD)
                page.click("#login-submit")
                page.wait_for_url(lambda url: "/login" not in url)
                page.wait_for_timeout(1500)
                page.goto(f"{base_url}/chats?thread={thread_id}")
                page.wait_for_selector("#chat-text")
                page.fill("#chat-text", "A message from the firm")
                page.click("#chat-send")
                page.get_by_text("A message from the firm").first.wait_for()
            page.wait_for_timeout(2500)
        browser.close()
    return frames


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "message_frames.json"))
    args = parser.parse_args()
    email, thread_id = prepare_database()
    from reflex.testing import AppHarness

    with AppHarness.create(root=ROOT, app_name="practice") as harness:
        frames = record(harness.frontend_url.rstrip("/"), email, thread_id)
    Path(args.out).write_text(json.dumps(frames, indent=1) + "\n")
    print(f"{len(frames)} frames written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

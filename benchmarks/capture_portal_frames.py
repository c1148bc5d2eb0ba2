"""Record the websocket frames a real browser sends while a contact logs in to the portal and clicks through its
menu, so `bench_portal_load.py` replays what a browser really sends (event names, token, router data).

Starts the app with Reflex's test harness on a demo database (one contact given a portal login), drives Debian's
Chromium with Playwright through the portal's login form and menu, and writes the frames to
benchmarks/portal_frames.json (sent and received, in order, with the page each was sent from).

    python benchmarks/capture_portal_frames.py [--out benchmarks/portal_frames.json]
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

PASSWORD = "portal-bench-pass-1"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def prepare_database() -> str:
    """A migrated demo database with one portal login; returns that login's email."""
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='portal-frames-')}/app.db"
    from portal_setup import build_firm, give_logins

    build_firm(10)
    return give_logins(1, PASSWORD)[0]


def record(base_url: str, email: str) -> list[dict]:
    from playwright.sync_api import sync_playwright

    frames: list[dict] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page()
        page.set_default_timeout(60_000)

        def on_socket(ws):
            ws.on("framesent", lambda f: frames.append({"dir": "sent", "page": page.url, "data": f}))
            ws.on("framereceived", lambda f: frames.append({"dir": "received", "page": page.url,
                                                            "data": f[:2000]}))
        page.on("websocket", on_socket)
        page.goto(base_url + "/portal/login")
        page.fill("#portal-email", email)
        page.fill("#portal-password", PASSWORD)
        page.click("#portal-login-submit")
        page.wait_for_selector("#portal-nav-documents")
        for nav in ("documents", "tasks", "profile", "home"):
            page.click(f"#portal-nav-{nav}")
            page.wait_for_url(lambda url, nav=nav: url.rstrip("/").endswith("/portal" if nav == "home" else nav))
            page.wait_for_timeout(1500)
        browser.close()
    return frames


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "portal_frames.json"))
    args = parser.parse_args()
    email = prepare_database()
    from reflex.testing import AppHarness

    with AppHarness.create(root=ROOT, app_name="practice") as harness:
        frames = record(harness.frontend_url.rstrip("/"), email)
    Path(args.out).write_text(json.dumps(frames, indent=1) + "\n")
    print(f"{len(frames)} frames written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

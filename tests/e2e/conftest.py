"""One running app for all browser journeys: migrated database, demo firm, Reflex harness, Chromium."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="package")
def app_db(tmp_path_factory):
    """A migrated database with the demo firm, for the harness's whole life."""
    from practice import db
    from practice.migrate import upgrade
    from practice.services import demo

    path = tmp_path_factory.mktemp("e2e") / "e2e.db"
    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    upgrade()
    with db.write_session() as session:
        demo.ensure_demo(session)
    yield os.environ["DATABASE_URL"]
    if old is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = old


@pytest.fixture(scope="package")
def harness(app_db):
    import reflex.testing
    from reflex.testing import AppHarness

    # The harness empties Reflex's memo registry before it reloads the app module, so that one test app's memos do
    # not reach the next; but only the app module is reloaded, so a memo component whose module the suite had
    # already imported (the board's card, when state and security tests ran first) would never be registered again
    # and its page would fail to compile in the browser. This suite runs one app: let the harness empty a copy.
    old_registry, reflex.testing.MEMOS = reflex.testing.MEMOS, dict(reflex.testing.MEMOS)
    try:
        with AppHarness.create(root=ROOT, app_name="practice") as h:
            yield h
    finally:
        reflex.testing.MEMOS = old_registry


@pytest.fixture(scope="package")
def base_url(harness) -> str:
    return harness.frontend_url.rstrip("/")


@pytest.fixture(scope="package")
def pw():
    """Playwright, once for all browser tests (its sync API cannot be started twice in one process)."""
    from playwright.sync_api import expect, sync_playwright

    # A loaded 2-core machine can take seconds to answer what a person sees at once: every assertion
    # waits up to 15 s (Playwright's own default is 5 s), a first page load up to 60 s.
    expect.set_options(timeout=15_000)
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(pw):
    b = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
    yield b
    b.close()


@pytest.fixture
def page(browser, harness):
    context = browser.new_context(viewport=DESKTOP)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    pg.set_default_navigation_timeout(60_000)
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser, harness):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    pg.set_default_navigation_timeout(60_000)
    yield pg
    context.close()


def log_in(pg, base_url: str, email: str = "owner@example.com", password: str = "demo-owner-pass") -> None:
    pg.goto(base_url + "/login")
    pg.fill("#email", email)
    pg.fill("#password", password)
    pg.click("#login-submit")
    pg.wait_for_url(lambda url: not url.rstrip("/").endswith("/login"))

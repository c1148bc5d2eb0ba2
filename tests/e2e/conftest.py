"""One running app for all browser journeys: migrated database, demo firm, the app as `make run` serves it (production
build, one port; the backend in this process), Chromium."""
from __future__ import annotations

import email.header
import os
import re
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


# The page's data arrives over the websocket after `load`. A tab watched by `watch_loading` (its script runs before
# the page's own) follows its socket: the server says when the page's loading is done (Reflex's `is_hydrated`, set
# true once the page's on-load handlers have run; a link or a redirect within the app sends the new page's on-load
# handlers and makes it wait for them again). `settle` waits until that was said and neither the socket nor the
# page's content has changed for QUIET_MS (what a handler starts shows within that time); it answers False after
# 10 s without it (the crawl reports such a page), None in a tab nobody watches. After a link, call it before using
# the new page: Reflex sends the page's on-load handlers from an effect that a busy browser may run after handling
# input, and what was sent first is answered first (the on-load handlers then start the page afresh).
QUIET_MS = 300
WATCH_EVENTS = """(() => {
  const seen = {hydrated: false, last: Date.now()};
  window.__practice_loading = seen;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (message) => {
        seen.last = Date.now();
        if (typeof message.data === "string" && /"is_hydrated(_rx_state_)?":\\s*true/.test(message.data)) {
          seen.hydrated = true;
        }
      });
    }
    send(data) {
      seen.last = Date.now();
      // A link or a redirect within the app: the new page's on-load handlers are on their way.
      if (typeof data === "string" && data.includes("on_load_internal")) seen.hydrated = false;
      return super.send(data);
    }
  };
  new MutationObserver(() => { seen.last = Date.now(); })
    .observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
})()"""
SETTLE = """(quiet) => new Promise((resolve) => {
  const started = Date.now();
  const tick = () => {
    const seen = window.__practice_loading;
    if (!seen) resolve(null);
    else if (seen.hydrated && Date.now() - seen.last >= quiet) resolve(true);
    else if (Date.now() - started > 10000) resolve(false);
    else setTimeout(tick, 50);
  };
  tick();
})"""


def watch_loading(context) -> None:
    """Every page of this browser context reports when its loading is done, for `settle`."""
    context.add_init_script(WATCH_EVENTS)


def settle(pg) -> bool | None:
    """Wait until the page's loading is done and it has stopped changing (see WATCH_EVENTS)."""
    return pg.evaluate(SETTLE, QUIET_MS)


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

    # The harness empties Reflex's memo registry before it reloads the app module, so that one test app's memos do
    # not reach the next; but only the app module is reloaded, so a memo component whose module the suite had
    # already imported (the board's card, when state and security tests ran first) would never be registered again
    # and its page would fail to compile in the browser. This suite runs one app: let the harness empty a copy.
    old_registry, reflex.testing.MEMOS = reflex.testing.MEMOS, dict(reflex.testing.MEMOS)
    try:
        with built_app_harness().create(root=ROOT, app_name="practice") as h:
            yield h
    finally:
        reflex.testing.MEMOS = old_registry


def built_app_harness():
    """The app as `make run` serves it: the production build (pages prerendered and bundled) on the backend's one
    port, the backend in this process as the development harness runs it (so a test can reach it)."""
    import subprocess
    import sys

    from reflex.testing import AppHarness
    from reflex.utils.exec import get_frontend_mount
    from reflex_base.config import get_config

    class BuiltApp(AppHarness):
        def _start_frontend(self):
            host, port = self._poll_for_servers(timeout=30).getsockname()
            url = f"http://{host}:{port}"
            env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_CURRENT_TEST", "APP_HARNESS_FLAG")}
            # One port for the pages and the backend, as `make run` serves them: the build is the one it makes.
            env.update(REFLEX_API_URL=url, REFLEX_DEPLOY_URL=url, PRACTICE_PORT=str(port),
                       PRACTICE_BACKEND_PORT=str(port))
            done = subprocess.run([sys.executable, "-m", "practice", "build"], cwd=ROOT, env=env,
                                  capture_output=True, text=True)
            assert done.returncode == 0, f"the production build failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
            # The backend serves the built pages too, as `reflex run --env prod` does on one port.
            self.app_instance._api.routes.append(get_frontend_mount(router=self.app_instance.router))
            config = get_config()
            config.api_url = config.deploy_url = self.frontend_url = url

        def _wait_frontend(self):
            pass

    return BuiltApp


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


def settling(pg):
    """`pg` whose `goto` and `reload` return once the page has loaded its data and stopped changing (`settle`), as a
    person reads a page before using it: the production build's prerendered page shows its fields and buttons
    before they work (a file chosen then was lost)."""
    goto, reload = pg.goto, pg.reload

    def goto_and_settle(*args, **kwargs):
        response = goto(*args, **kwargs)
        settle(pg)
        return response

    def reload_and_settle(*args, **kwargs):
        response = reload(*args, **kwargs)
        settle(pg)
        return response

    pg.goto, pg.reload = goto_and_settle, reload_and_settle
    return pg


def _journey_tab(browser, **context_options):
    """A tab in a fresh context, watched (`watch_loading`), settling after each load, with the journeys' patience;
    the caller closes `tab.context`."""
    context = browser.new_context(**context_options)
    watch_loading(context)
    pg = settling(context.new_page())
    pg.set_default_timeout(20_000)
    pg.set_default_navigation_timeout(60_000)
    return pg


@pytest.fixture
def page(browser, harness):
    pg = _journey_tab(browser, viewport=DESKTOP)
    yield pg
    pg.context.close()


@pytest.fixture
def phone_page(browser, harness):
    pg = _journey_tab(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    yield pg
    pg.context.close()


def log_in(pg, base_url: str, email: str = "owner@example.com", password: str = "demo-owner-pass") -> None:
    pg.goto(base_url + "/login")
    pg.fill("#email", email)
    pg.fill("#password", password)
    pg.click("#login-submit")
    pg.wait_for_url(lambda url: not url.rstrip("/").endswith("/login"))
    # The first page's links depend on who logged in (the sidebar shows an employee's until the member is known):
    # a person reads the page before clicking on.
    settle(pg)


def portal_log_in(pg, base_url: str, email: str, password: str) -> None:
    """A client logs in to the portal and lands on its home page."""
    from playwright.sync_api import expect

    pg.goto(base_url + "/portal/login")
    pg.fill("#portal-email", email)
    pg.fill("#portal-password", password)
    pg.click("#portal-login-submit")
    expect(pg).to_have_url(re.compile(r"/portal$"))
    settle(pg)


def type_card(pg, number: str = "4242424242424242") -> None:
    """Type a card into the card form (localstripe's fields): the number given, a valid expiry, CVC and postcode."""
    from playwright.sync_api import expect

    fields = pg.locator("#card-fields")
    expect(fields.locator("input[placeholder=number]")).to_be_visible()
    fields.locator("input[placeholder=number]").fill(number)
    fields.locator("input[placeholder=exp_month]").fill("12")
    fields.locator("input[placeholder=exp_year]").fill("30")
    fields.locator("input[placeholder=cvc]").fill("123")
    fields.locator("input[placeholder=postal_code]").fill("10001")


MAIL_FIELDS = ("host", "port", "security", "username", "password", "from_address", "from_name")


class LocalMail:
    """The firm's mail server as one journey sees it: a real SMTP server (tests/smtp.py) on 127.0.0.1, and only the
    mail the app queued while this journey ran (outbox rows newer than the fixture's start, matched by Message-ID).
    Mail other journeys left in the outbox may still reach this server; a journey never reads it."""

    def __init__(self, server, first_mail_id: int):
        self.server, self.port, self.first_mail_id = server, server.port, first_mail_id

    def _ours(self) -> set[str]:
        from sqlmodel import select

        from practice.db import read_session
        from practice.models import OutgoingMail

        with read_session() as s:
            return set(s.exec(select(OutgoingMail.message_id).where(OutgoingMail.id >= self.first_mail_id,
                                                                    OutgoingMail.message_id != "")))

    def messages(self, to: str | None = None, subject: str = "") -> list:
        """The messages of this journey the server accepted, in order of arrival; only those to `to` whose subject
        has `subject`, if given."""
        ours = self._ours()
        return [m for m in self.server.messages if str(m["Message-ID"]) in ours
                and (to is None or m["To"] == to) and subject in _decoded(m["Subject"])]

    def wait_for(self, to: str | None, subject: str = "", *, count: int = 1, timeout: float = 20.0) -> list:
        """Wait until `count` messages to `to` (anyone: None) with `subject` in their subject have arrived; returns
        them all, in order of arrival (so [-1] is the newest). Fails saying what did arrive."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.messages(to, subject)
            if len(found) >= count or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        if len(found) < count:
            raise AssertionError(f"{len(found)} of {count} mail(s) to {to} with {subject!r} arrived in {timeout:g} s; "
                                 f"this journey's mail: {[(m['To'], _decoded(m['Subject'])) for m in self.messages()]}")
        return found


def _decoded(header) -> str:
    return " ".join(str(email.header.make_header(email.header.decode_header(str(header or "")))).split())


@pytest.fixture
def local_mail(base_url):
    """The firm's mail settings pointed at a local SMTP server on a free port, and the emails' links at the test app;
    yields a LocalMail. Afterwards the mail still queued is delivered to that server (so none of it reaches the next
    journey's), then the settings and links are put back and the server stops."""
    from sqlalchemy import update
    from sqlmodel import func, select

    from practice.db import read_session, write_session
    from practice.models import MailSettings, MailStatus, OutgoingMail, utcnow
    from practice.services.mail import outbox
    from tests.smtp import SMTPServer

    with read_session() as s:
        row = s.exec(select(MailSettings)).first()
        before = {f: getattr(row, f) for f in MAIL_FIELDS} if row else None
        first_mail_id = (s.exec(select(func.max(OutgoingMail.id))).one() or 0) + 1
    old_base = os.environ.get("PRACTICE_BASE_URL")
    os.environ["PRACTICE_BASE_URL"] = base_url
    with SMTPServer() as server:
        with write_session() as s:
            settings = s.exec(select(MailSettings)).first() or MailSettings()
            settings.host, settings.port, settings.security = "127.0.0.1", server.port, "none"
            settings.username, settings.password = "", ""
            settings.from_address, settings.from_name = "office@parklee.example", "Park & Lee"
            s.add(settings)
        try:
            yield LocalMail(server, first_mail_id)
        finally:
            # This journey's mail waiting for a retry goes now too; then whatever is due, until nothing is sent.
            with write_session() as s:
                s.execute(update(OutgoingMail).where(OutgoingMail.id >= first_mail_id,
                                                     OutgoingMail.status == MailStatus.queued)
                          .values(next_attempt_at=utcnow()))
            for _ in range(20):
                if not outbox.deliver_due():
                    break
            if old_base is None:
                os.environ.pop("PRACTICE_BASE_URL", None)
            else:
                os.environ["PRACTICE_BASE_URL"] = old_base
            with write_session() as s:
                row = s.exec(select(MailSettings)).first()
                if before is None:
                    s.delete(row)
                else:
                    for f, value in before.items():
                        setattr(row, f, value)


@pytest.fixture
def stripe_for_the_app(localstripe, base_url):
    """The app's Stripe calls and Stripe.js pointed at localstripe; card payments are off again afterwards."""
    from practice.db import write_session
    from practice.services.payments import settings
    from tests.factories import demo_owner

    before = {name: os.environ.get(name) for name in ("PRACTICE_STRIPE_API_BASE", "PRACTICE_STRIPE_JS_URL")}
    os.environ["PRACTICE_STRIPE_API_BASE"] = localstripe.url
    os.environ["PRACTICE_STRIPE_JS_URL"] = localstripe.url + "/js.stripe.com/v3/"
    yield localstripe
    with write_session() as s:
        settings.turn_off(s, demo_owner())
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value

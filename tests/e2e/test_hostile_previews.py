"""Issue 20, load under hostile templates: while an employee previews `{{ 7 ** 10000000 }}` in an email template and
a 4,000-page document template, another person's page events are answered within 200 ms, each preview answers with
a sentence within its time limit, and the server stays small: the harness runs the backend in this process, which
also holds the whole test session (over 500 MB late in a full run), so what is checked is that the previews add
less than 100 MB to it (a 500 MB server bound with room for the app's own 400). Before the previews ran in limited children, each froze every user for seconds and the layout took
gigabytes in the server itself.

The server's event loop is timed from inside (a ticker on it): no handler and nothing else holds it for 200 ms. One
thing that did, once in the middle of the previews in the lead's full runs (1.4-2.3 s), was the interpreter's own
full garbage collection walking the million objects the app makes as it starts; it runs whenever the long-lived
objects have grown by a quarter, so here one runs at a fixed moment of the previews and every run meets it (before
practice/heap.py froze those objects, it held the loop 0.9-2.5 s on this machine)."""
from __future__ import annotations

import asyncio
import gc
import re
import statistics
import subprocess
import sys
import threading
import time

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice import heap, routes
from practice.db import read_session, write_session
from practice.models import Account
from practice.services import inbox, templating
from practice.services.documents import html_pdf
from tests.e2e.conftest import DESKTOP, log_in
from tests.security.event_loop import longest_gap
from tests.factories import demo_owner

pytestmark = [pytest.mark.e2e, pytest.mark.security, pytest.mark.slow]

HUGE_POWER = "{{ 7 ** 10000000 }}"
FOUR_THOUSAND_PAGES = ("<style>p { page-break-after: always }</style>"
                       "{% for i in range(4000) %}<p>Page {{ i }}</p>{% endfor %}")
ANSWERED_WITHIN_MS = 200
# The longest the server's event loop may be held while the previews run (every person's events wait that long).
LOOP_HELD_MS = 200
# When, into the previews, the interpreter's full garbage collection runs (about when the email's child stops).
FULL_COLLECTION_AFTER_S = 3.0
PREVIEWS_MAY_ADD_MB = 100

# One click on a checkbox whose ticked state comes back from the server; resolves with the milliseconds until the
# page shows the server's answer (a MutationObserver, so nothing polls).
ROUND_TRIP_JS = """async (selector) => {
  const state = () => document.querySelector(selector).getAttribute('data-state');
  const before = state();
  const started = performance.now();
  document.querySelector(selector).click();
  return await new Promise((resolve) => {
    const done = () => { observer.disconnect(); resolve(performance.now() - started); };
    const observer = new MutationObserver(() => { if (state() !== before) done(); });
    observer.observe(document.body, {attributes: true, childList: true, subtree: true});
    setTimeout(() => { observer.disconnect(); resolve(99999); }, 10000);
  });
}"""


# Clicks a button and notes, in the page, the milliseconds until an alert naming `words` appears (a MutationObserver,
# so the time is the page's own, not when the test next looks).
CLICK_AND_TIME_ALERT_JS = """([selector, words]) => {
  window.__alertMs = null;
  const started = performance.now();
  const observer = new MutationObserver(() => {
    const alert = [...document.querySelectorAll('[role=alert]')].find((el) => el.textContent.includes(words));
    if (alert) { window.__alertMs = performance.now() - started; observer.disconnect(); }
  });
  observer.observe(document.body, {childList: true, subtree: true, characterData: true});
  document.querySelector(selector).click();
}"""
# The email preview's sentence comes within its child's limit and this margin (the round trip, a loaded machine).
PREVIEW_MARGIN_S = 1.5


HOG = "import os\nos.nice(10)\nwhile True:\n    pass"


def time_the_server_loop(harness):
    """Start a ticker on the backend's event loop (the harness runs it in a thread of this process); the function
    returned stops it and gives the longest gap between its 10 ms ticks, in ms: how long the server held everyone
    (less the time its thread waited for a processor, tests/security/event_loop.py)."""
    loop = harness.backend.servers[0].get_loop()
    stop = threading.Event()

    ticking = asyncio.run_coroutine_threadsafe(longest_gap(stop.is_set), loop)

    def longest_ms() -> float:
        stop.set()
        return ticking.result(timeout=30) * 1000
    return longest_ms


def full_collection() -> tuple[int, float]:
    """(objects it walked, ms it took): one full garbage collection, as the interpreter runs on its own."""
    walked, started = len(gc.get_objects()), time.perf_counter()
    gc.collect()
    return walked, (time.perf_counter() - started) * 1000


def p90_of(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def an_account() -> Account:
    with read_session() as s:
        return s.exec(select(Account).where(Account.archived == False).order_by(Account.id)).first()  # noqa: E712


def turn_notices_back_on() -> None:
    """The round trips toggle the owner's "notify" preference; leave it on, as the demo firm has it, for the tests
    that run after this one in the same harness (test_inbox's badge waited for notices the owner had turned off)."""
    with write_session() as s:
        inbox.set_preference(s, demo_owner(), "notify", True)


def open_inbox_preferences(page, base_url):
    log_in(page, base_url)
    page.get_by_role("link", name=re.compile(r"^Inbox\b")).first.click()
    page.wait_for_url("**" + routes.INBOX)
    checkbox = page.locator("#pref-notify")
    expect(checkbox).to_be_visible()
    return "#pref-notify"


def draft_email_preview(page, base_url, account: Account) -> None:
    page.goto(base_url + routes.EMAIL_TEMPLATES)
    page.click("#new-template")
    page.fill("#tpl-name", "Hostile power")
    page.fill("#tpl-subject", "Hello")
    page.fill("#tpl-body", HUGE_POWER)
    page.fill("#preview-account-search", account.name)
    page.click(f"#preview-account-{account.id}")
    expect(page.locator("#preview-account-chosen")).to_be_visible()


def draft_document_preview(page, base_url) -> None:
    page.goto(base_url + routes.DOCUMENT_TEMPLATES)
    page.click("#new-doc-template")
    page.fill("#doc-template-name", "Four thousand pages")
    page.fill("#doc-template-body", FOUR_THOUSAND_PAGES)
    page.locator("#doc-template-name").focus()  # the body is kept when it loses the focus


def round_trips(owner, selector: str, seconds: float, memory: list[float]) -> list[float]:
    out = []
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        out.append(owner.evaluate(ROUND_TRIP_JS, selector))
        memory.append(rss_mb())
        time.sleep(0.1)
    return out


@pytest.fixture
def server_heap_only():
    """The server runs in this test process, which also holds every object the earlier tests of the session left
    (380,000 of them late in a full run: a full pass over them took 609 ms). The server freezes its own startup
    objects (practice/heap.py); the rest of a long test session is frozen the same way here, so that the full
    collection the test provokes walks what the server made since, as it would in production. Unfrozen after."""
    heap.settle()
    yield
    gc.unfreeze()


def test_hostile_previews_leave_other_people_answered_and_the_server_small(browser, harness, base_url,
                                                                          server_heap_only):
    owner_ctx, ann_ctx = browser.new_context(viewport=DESKTOP), browser.new_context(viewport=DESKTOP)
    try:
        owner = owner_ctx.new_page()
        selector = open_inbox_preferences(owner, base_url)
        calm = round_trips(owner, selector, 3, [])
        hogs = [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(2)]
        try:  # the same processor pressure as two limited children, without any preview: the machine's own figure
            pressed_held_ms = time_the_server_loop(harness)
            # As long as the previews' own measure: a p90 of a few answers is one slow answer's luck.
            pressed = round_trips(owner, selector, templating.CHILD_SECONDS + 4, [])
            pressed_held = pressed_held_ms()
        finally:
            for hog in hogs:
                hog.kill()
                hog.wait()

        docs = ann_ctx.new_page()
        log_in(docs, base_url, "ann@example.com", "demo-staff-pass")
        mail = ann_ctx.new_page()
        for pg in (owner, docs, mail):
            pg.set_default_timeout(30_000)
        draft_email_preview(mail, base_url, an_account())
        draft_document_preview(docs, base_url)

        memory = [rss_mb()]
        loop_held_ms = time_the_server_loop(harness)
        collected: list[tuple[int, float]] = []
        collection = threading.Timer(FULL_COLLECTION_AFTER_S, lambda: collected.append(full_collection()))
        started = time.monotonic()
        docs.click("#preview-doc-template")
        mail.evaluate(CLICK_AND_TIME_ALERT_JS, ["#preview-template", 'email "Hostile power"'])
        collection.start()
        busy = round_trips(owner, selector, templating.CHILD_SECONDS + 4, memory)

        expect(mail.get_by_role("alert")).to_contain_text('email "Hostile power"',
                                                          timeout=(templating.CHILD_SECONDS + 5) * 1000)
        mail_answer = mail.get_by_role("alert").inner_text()
        mail_took_ms = mail.evaluate("() => window.__alertMs")
        expect(docs.get_by_role("alert")).to_contain_text("document", timeout=(html_pdf.LAYOUT_SECONDS + 5) * 1000)
        docs_took = time.monotonic() - started
        docs_answer = docs.get_by_role("alert").inner_text()
        busy += round_trips(owner, selector, 1, memory)
        held = loop_held_ms()
    finally:
        owner_ctx.close()
        ann_ctx.close()
        turn_notices_back_on()

    print(f"\nround trips calm: median {statistics.median(calm):.0f} ms, max {max(calm):.0f} ms ({len(calm)}); "
          f"two busy processes at the children's priority: median {statistics.median(pressed):.0f} ms, "
          f"p90 {p90_of(pressed):.0f} ms, the server's loop held at most {pressed_held:.0f} ms; "
          f"under hostile previews: median {statistics.median(busy):.0f} ms, max {max(busy):.0f} ms ({len(busy)}); "
          f"server RSS peak {max(memory):.0f} MB; email answered after {mail_took_ms:.0f} ms; document answered after {docs_took:.1f} s; "
          f"the server's loop held at most {held:.0f} ms; a full collection walked {collected[0][0]:,} objects in "
          f"{collected[0][1]:.0f} ms\n"
          f"  email: {mail_answer}\n  document: {docs_answer}\n  each answer (ms): {[round(b) for b in busy]}")
    assert "too long" in mail_answer or "computing time" in mail_answer
    # Within the child's limit, not twice it (the subject and body were once tried together, then each alone).
    assert mail_took_ms < (templating.CHILD_SECONDS + PREVIEW_MARGIN_S) * 1000, f"email answered after {mail_took_ms:.0f} ms"
    assert any(why in docs_answer for why in ("pages", "computing time", "longer than", "more memory or time"))
    assert docs_took < templating.CHILD_SECONDS + html_pdf.LAYOUT_SECONDS + 3  # filled in, then laid out
    # The machine is shared (2 cores, other engineers' work running): even a calm page has the odd slow answer.
    # So: the typical answer within 200 ms, nine in ten within 200 ms or no worse than the machine gives under the
    # same processor pressure without any preview, and none held for a second (before: every answer waited 10 s).
    assert statistics.median(busy) < ANSWERED_WITHIN_MS
    assert p90_of(busy) < max(ANSWERED_WITHIN_MS, 1.5 * p90_of(pressed)), f"p90 {p90_of(busy):.0f} ms"
    # Nothing held the server for longer than a handler may (a full garbage collection included); in the page, no
    # answer waited a second (before: every answer waited 10 s; before heap.py, one waited 1.4-2.3 s).
    # (On a machine so loaded that its own processor pressure alone already holds the loop longer, no worse than that.)
    assert held < max(LOOP_HELD_MS, 1.5 * pressed_held), f"the server's event loop was held for {held:.0f} ms"
    assert max(busy) < 1000, f"a page event waited {max(busy):.0f} ms"
    assert max(memory) - memory[0] < PREVIEWS_MAY_ADD_MB, f"the previews grew the server by {max(memory) - memory[0]:.0f} MB"

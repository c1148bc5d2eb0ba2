"""Inbox+ in the browser: the sidebar badge follows new notifications without a reload; read, archive, preferences."""
import time

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import Notification, TeamMember
from practice.services import inbox
from practice.services.actor import Actor
from practice.state.base import STAFF_BADGES
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def member_id(email: str) -> int:
    with read_session() as s:
        return s.exec(select(TeamMember).where(TeamMember.email == email)).one().id


def send(email: str, text: str, link: str = "", kind: str = "notify"):
    with write_session() as s:
        note = inbox.notify(s, member_id=member_id(email), text=text, link=link, kind=kind)
        return note.id if note else None


def unread(email: str) -> int:
    with read_session() as s:
        return inbox.fingerprint(s, member_id(email))[0]


def wait_until(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_badge_follows_new_notifications_then_read_archive_and_mute(page, base_url):
    owner = "owner@example.com"
    log_in(page, base_url)
    page.goto(base_url + "/board")
    with write_session() as s:
        me = Actor.of(s.get(TeamMember, member_id(owner)))
        inbox.set_preference(s, me, "notify", True)  # another journey of this harness may have turned it off
        inbox.mark_all_read(s, me)
    badge = page.locator("#inbox-badge")

    # Written by another process's transaction; this tab is not reloaded.
    assert send(owner, "Organizer returned by the Hartleys", link="/tasks"), "the owner does not take notices"
    expect(badge).to_have_text("1", timeout=8_000)
    send(owner, "Payroll for Bloom Bakery could not be filed", link="/board")
    expect(badge).to_have_text("2", timeout=8_000)
    assert page.url.endswith("/board")

    # Moving between pages keeps the tab watched, once.
    page.click("text=Tasks")
    page.wait_for_url("**/tasks")
    page.click("text=Accounts")
    page.wait_for_url("**/accounts")
    assert wait_until(lambda: STAFF_BADGES.watching() == 1), STAFF_BADGES.watching()

    page.click("#inbox-badge")
    page.wait_for_url("**/inbox")
    rows = page.locator(".note-row")
    first = rows.filter(has_text="Organizer returned by the Hartleys")
    other = rows.filter(has_text="Payroll for Bloom Bakery")
    expect(first).to_have_attribute("data-unread", "true")
    expect(first.locator(".note-when")).to_have_text("just now")

    # Opening it goes where it points and counts as read.
    first.locator(".note-text").click()
    page.wait_for_url("**/tasks")
    expect(badge).to_have_text("1")
    assert unread(owner) == 1

    page.goto(base_url + "/inbox")
    expect(first).to_have_attribute("data-unread", "false")
    other.locator(".note-archive-toggle").click()
    expect(other).to_have_count(0)
    expect(badge).to_have_count(0)
    page.click("#inbox-tab-archived")
    expect(other).to_be_visible()
    expect(other.locator(".note-archive-toggle")).to_have_text("Unarchive")

    # Muting a kind is saved for this member; the service then adds nothing of that kind.
    page.click("#inbox-tab-inbox")
    expect(page.locator("#pref-notify")).to_be_checked()
    page.click("#pref-notify")
    expect(page.locator("#pref-notify")).not_to_be_checked()
    page.reload()
    expect(page.locator("#pref-notify")).not_to_be_checked()
    assert send(owner, "Muted message") is None
    assert send(owner, "A task for you", kind="task_assigned") is not None
    expect(badge).to_have_text("1", timeout=8_000)
    page.reload()
    expect(rows.filter(has_text="A task for you")).to_be_visible()
    expect(rows.filter(has_text="Muted message")).to_have_count(0)
    page.click("#pref-notify")
    expect(page.locator("#pref-notify")).to_be_checked()

    page.click("#mark-all-read")
    expect(page.locator('.note-row[data-unread="true"]')).to_have_count(0)
    expect(badge).to_have_count(0)
    with read_session() as s:
        assert not s.exec(select(Notification).where(Notification.text == "Muted message")).first()


def test_watchers_stop_when_the_tab_goes_away(browser, base_url):
    context = browser.new_context()
    pg = context.new_page()
    log_in(pg, base_url)
    assert wait_until(lambda: STAFF_BADGES.watching() >= 1)
    context.close()
    assert wait_until(lambda: STAFF_BADGES.watching() == 0), STAFF_BADGES.watching()


def test_phone_inbox_and_menu_badge(phone_page, base_url):
    log_in(phone_page, base_url, "bob@example.com", "demo-staff-pass")
    send("bob@example.com", "Carla asked you to review the Hartley return", link="/tasks")
    phone_page.goto(base_url + "/inbox")
    expect(phone_page.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(phone_page.locator(".note-row").filter(has_text="review the Hartley return")).to_be_visible()
    expect(phone_page.locator("#menu-unread-badge")).to_be_visible()
    phone_page.click("#phone-menu")
    expect(phone_page.get_by_role("menuitem", name="Inbox")).to_be_visible()
    expect(phone_page.locator("#menu-inbox-badge")).to_have_text(str(unread("bob@example.com")))

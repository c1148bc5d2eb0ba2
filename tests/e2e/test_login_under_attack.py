"""Login under attack, in the browser: after 1,000 failed logins with random emails from the address everyone
shares here (127.0.0.1, as behind an office router or a reverse proxy), the owner and a client log in with their
passwords from the browser they used before; a browser nobody logged in from is told to wait seconds, not locked
for 15 minutes; the owner finds one notice about it in Inbox+.

The attack goes through the real login services in this process (the harness's backend runs here) with the
attempts' times given, one every 30 seconds over the last eight hours, as a patient attacker would."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import delete, select

from practice.db import read_session, write_session
from practice.models import LoginAttempt, Notification, TeamMember, utcnow
from practice.services.access import device_cookies, login_safety
from tests.e2e.conftest import DESKTOP, PHONE, log_in
from tests.factories import portal_client, guess_passwords

pytestmark = [pytest.mark.e2e, pytest.mark.security, pytest.mark.slow]

CLIENT_EMAIL = "rosa@quill.example"
CLIENT_PASS = "amber-harbor-lantern-4"
HERE = "127.0.0.1"
OWNER = "owner@example.com"


@pytest.fixture(scope="module")
def client(harness):
    """A client with a portal login (the owner invited her; she set her password)."""
    portal_client(account="Quill Studio", type="Company", first_name="Rosa", last_name="Quill", email=CLIENT_EMAIL,
                  password=CLIENT_PASS)
    return CLIENT_EMAIL


@pytest.fixture
def calm_afterwards(harness):
    """The other browser journeys share this address and database: forget the attack when done."""
    yield
    with write_session() as s:
        s.exec(delete(LoginAttempt).where(LoginAttempt.key.in_([f"ip:{HERE}", login_safety.ATTACK_KEY])))


def _at_printed_address(base_url: str) -> str:
    """The address `make run` prints (127.0.0.1): the device cookie goes to the backend at that host name."""
    return re.sub(r"://[^:/]+", f"://{HERE}", base_url, count=1)


def _remembered(context) -> dict:
    cookies = {c["name"]: c for c in context.cookies()}
    return cookies.get(device_cookies.COOKIE)


def _portal_log_in(pg, url: str) -> None:
    pg.goto(url + "/portal/login")
    pg.fill("#portal-email", CLIENT_EMAIL)
    pg.fill("#portal-password", CLIENT_PASS)
    pg.click("#portal-login-submit")


def _attack_notices(email: str) -> int:
    with read_session() as s:
        member = s.exec(select(TeamMember).where(TeamMember.email == email)).one()
        return len(s.exec(select(Notification).where(Notification.kind == "login_attack",
                                                     Notification.member_id == member.id)).all())


def test_people_who_logged_in_before_get_in_during_an_attack_and_a_new_browser_waits_seconds(
        browser, base_url, client, monkeypatch, calm_afterwards):
    url = _at_printed_address(base_url)
    owner_browser = browser.new_context(viewport=DESKTOP)
    client_phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    new_browser = browser.new_context(viewport=DESKTOP)
    try:
        # Yesterday: the owner logged in at her desk, the client on her phone; both logged out.
        owner = owner_browser.new_page()
        log_in(owner, url)
        expect(owner.get_by_text("Welcome back, Olivia Park")).to_be_visible()
        phone = client_phone.new_page()
        _portal_log_in(phone, url)
        phone.wait_for_url("**/portal")
        for context in (owner_browser, client_phone):
            deadline = dt.datetime.now() + dt.timedelta(seconds=10)
            while _remembered(context) is None and dt.datetime.now() < deadline:
                owner.wait_for_timeout(100)
            cookie = _remembered(context)
            assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        owner.click("#logout")
        owner.wait_for_url("**/login")
        phone.click("#portal-logout")
        phone.wait_for_url("**/portal/login")
        before = _attack_notices(OWNER)

        # Overnight: 1,000 failed logins with random emails, from this same address, the last one just now.
        guess_passwords(monkeypatch, ip=HERE, end=utcnow() - dt.timedelta(seconds=40), attempts=999)
        stranger = new_browser.new_page()
        stranger.goto(url + "/login")
        stranger.fill("#email", "owner@example.com")
        stranger.fill("#password", "demo-owner-pass")
        guess_passwords(monkeypatch, ip=HERE, end=utcnow(), attempts=1)

        # A browser nobody logged in from before is slowed by seconds, not locked for 15 minutes.
        stranger.click("#login-submit")
        alert = stranger.get_by_role("alert")
        expect(alert).to_contain_text("Too many attempts. Try again in")
        wait = int(re.search(r"Try again in (\d+) seconds?\.", alert.inner_text()).group(1))
        assert 1 <= wait <= 30

        # The owner and the client, in the browsers they used before, get in at once.
        owner = owner_browser.new_page()
        log_in(owner, url)
        expect(owner.get_by_text("Welcome back, Olivia Park")).to_be_visible()
        phone = client_phone.new_page()
        _portal_log_in(phone, url)
        phone.wait_for_url("**/portal")
        with read_session() as s:  # ... while this address is still slowed down
            assert utcnow() < s.get(LoginAttempt, f"ip:{HERE}").blocked_until

        # The owner is told once, in Inbox+.
        assert _attack_notices(OWNER) == before + 1
        owner.goto(url + "/inbox")
        expect(owner.locator(".note-text").filter(has_text="Someone may be guessing passwords")).to_have_count(1)
    finally:
        for context in (owner_browser, client_phone, new_browser):
            context.close()

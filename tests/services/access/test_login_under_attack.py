"""Logins under attack: an attacker's failures from one address (an office, or everyone behind a reverse proxy)
slow that address down by seconds and never lock it, and never lock out a browser that logged in before as the
person (OWASP's device cookies); the owners and admins hear of it once per attack in Inbox+."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import LoginAttempt, Notification
from practice.services.access import auth, device_cookies, login_safety
from practice.services.documents import drive
from practice.services.errors import InvalidInput, PermissionDenied
from practice.services.portal import logins
from tests.factories import PASSWORD, give_portal_login, guess_passwords, make_contact, make_firm, make_account

pytestmark = [pytest.mark.security, pytest.mark.firm(build=lambda mp: build())]

T0 = dt.datetime(2030, 3, 1, 9, 0, 0, tzinfo=dt.timezone.utc)
OFFICE = "203.0.113.7"  # the attacker's address, shared with the firm's own people (one proxy, one office)
CLIENT_PASS = "copper-meadow-kettle-8"


def build():
    with write_session() as s:
        staff = make_firm(s, owner={"name": "Olivia Park", "email": "olivia@firm.example"},
                          admins={"ann": {"name": "Ann Admin", "email": "ann@firm.example"}},
                          employees={"bob": {"name": "Bob Stone", "email": "bob@firm.example"}})
        account = make_account(s, staff["owner"], name="Hartley Household")
        contact = make_contact(s, staff["owner"], [account.id], "June", "Hartley")
    give_portal_login(staff["owner"], contact.id, CLIENT_PASS)
    return staff


def remembered(principal: str, cookie: str | None = None) -> str:
    """The device cookie a browser holds after logging in as `principal` (the grant exchanged at /remember-device)."""
    return device_cookies.exchange(device_cookies.grant(principal, now=T0), cookie, now=T0)


OWNER = login_safety.principal_key("staff", "olivia@firm.example")
CLIENT = login_safety.principal_key("contact", "june@hartley.example")


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def attack_notices() -> list[Notification]:
    with read_session() as s:
        return list(s.exec(select(Notification).where(Notification.kind == "login_attack")))


@pytest.mark.slow
def test_a_thousand_failures_from_one_address_never_lock_out_people_who_know_their_password(firm, monkeypatch):
    one_browser = remembered(CLIENT, remembered(OWNER))  # the owner and June both logged in here before
    end = at(12 * 3600)
    report = guess_passwords(monkeypatch, ip=OFFICE, end=end, attempts=1000,
                             also_guess=("olivia@firm.example", "june@hartley.example"))
    assert report.checked > 900  # a patient attacker's failures are all counted, the address is never locked
    with read_session() as s:
        address = s.get(LoginAttempt, login_safety.ip_key(OFFICE))
        assert address.failures > 900 and not address.locked
        # The attacker also guessed the owner's and June's own logins: that counts against them (from browsers
        # they never used), never against the browser they use.
        assert s.get(LoginAttempt, OWNER).failures > 0 and s.get(LoginAttempt, CLIENT).failures > 0
    # Right after the attack, from the same address, the owner and the client log in from their usual browser.
    with write_session() as s:
        assert auth.start_login(s, "olivia@firm.example", PASSWORD, ip=OFFICE, device=one_browser, now=end).sid
    with write_session() as s:
        assert logins.log_in(s, "june@hartley.example", CLIENT_PASS, client_ip=OFFICE, device=one_browser, now=end)
    # A browser nobody logged in from before is slowed by seconds, not locked for 15 minutes.
    with pytest.raises(login_safety.TooManyAttempts) as err, write_session() as s:
        auth.start_login(s, "bob@firm.example", PASSWORD, ip=OFFICE, now=end)
    assert not err.value.locked and err.value.wait <= dt.timedelta(seconds=30)
    assert str(err.value).startswith("Too many attempts. Try again in ") and str(err.value).endswith(" seconds.")
    with write_session() as s:
        assert auth.start_login(s, "bob@firm.example", PASSWORD, ip=OFFICE, now=end + err.value.wait).sid
    # The owners and admins were told once, for the whole attack.
    notices = attack_notices()
    assert len(notices) == 2 and {n.member_id for n in notices} == {firm["owner"].member_id, firm["ann"].member_id}
    assert "Someone may be guessing passwords" in notices[0].text


def test_the_old_lock_of_the_address_is_gone_but_the_address_still_slows_guessing(firm, monkeypatch):
    # An impatient attacker (one try a second) gets its password checked about once per 30 seconds.
    report = guess_passwords(monkeypatch, ip=OFFICE, end=at(1000), attempts=1000, every=dt.timedelta(seconds=1))
    assert report.checked < 80
    assert all(wait <= dt.timedelta(seconds=30) for wait in report.told_to_wait)


def test_a_remembered_browser_has_its_own_lockout(firm):
    browser = remembered(OWNER)
    for i in range(10):  # someone at that browser guesses (waiting as told each time)
        with write_session() as s:
            row = s.get(LoginAttempt, f"device:{device_cookies.device_for(browser, OWNER)}")
        when = max(at(i), row.blocked_until) if row and row.blocked_until else at(i)
        with pytest.raises(PermissionDenied, match="do not match"), write_session() as s:
            auth.start_login(s, "olivia@firm.example", "wrong password", ip=OFFICE, device=browser, now=when)
    with pytest.raises(login_safety.TooManyAttempts) as err, write_session() as s:
        auth.start_login(s, "olivia@firm.example", PASSWORD, ip=OFFICE, device=browser, now=when)
    assert err.value.locked
    # The owner's other browsers are not affected, and neither is the address.
    with write_session() as s:
        assert auth.start_login(s, "olivia@firm.example", PASSWORD, ip=OFFICE, device=remembered(OWNER), now=when).sid
    with write_session() as s:
        assert auth.start_login(s, "olivia@firm.example", PASSWORD, ip=OFFICE, now=when).sid


def test_a_device_cookie_counts_only_for_its_login_and_only_when_signed_by_the_firm(firm):
    browser = remembered(OWNER)
    assert device_cookies.device_for(browser, OWNER)
    assert device_cookies.device_for(browser, CLIENT) is None
    assert "olivia" not in browser and len(browser) < 100  # names the login by a keyed hash, and stays small
    forged = browser.replace(browser.split(".")[1], device_cookies._login_tag(CLIENT), 1)
    assert device_cookies.device_for(forged, CLIENT) is None
    assert device_cookies.device_for(browser + "x", OWNER) is None
    # An expired cookie or grant is worthless.
    assert device_cookies.device_for(browser, OWNER, now=T0 + device_cookies.LIFETIME + dt.timedelta(1)) is None
    with pytest.raises(InvalidInput, match="could not be remembered"):
        device_cookies.exchange(device_cookies.grant(OWNER, now=T0), None, now=at(600))
    assert login_safety.keys_for(OWNER, OFFICE, forged) == [OWNER, login_safety.ip_key(OFFICE)]


def test_the_drive_slows_an_address_too_without_locking_it(firm, monkeypatch):
    report = guess_passwords(monkeypatch, ip=OFFICE, end=at(4000), attempts=120)
    assert report.checked == 120
    with pytest.raises(login_safety.TooManyAttempts) as err, write_session() as s:
        drive.sign_in(s, "bob@firm.example", PASSWORD, ip=OFFICE, now=at(4000))
    assert not err.value.locked
    with write_session() as s:
        assert drive.sign_in(s, "bob@firm.example", PASSWORD, ip=OFFICE, now=at(4030)).email == "bob@firm.example"


def test_one_inbox_notice_per_attack_and_none_for_a_few_typos(firm, monkeypatch):
    for i in range(5):
        with pytest.raises(PermissionDenied), write_session() as s:
            auth.start_login(s, "bob@firm.example", "typo", ip=OFFICE, now=at(i * 20))
    assert attack_notices() == []
    guess_passwords(monkeypatch, ip=OFFICE, end=at(3 * 3600), attempts=200)
    assert len(attack_notices()) == 2  # the owner and the admin, once
    # Failures keep coming from elsewhere within the hour: the same attack, no new notice.
    guess_passwords(monkeypatch, ip="198.51.100.4", end=at(3 * 3600 + 1800), attempts=60)
    assert len(attack_notices()) == 2
    # After a quiet spell, a new attack is a new notice.
    guess_passwords(monkeypatch, ip=OFFICE, end=at(8 * 3600), attempts=60)
    notices = attack_notices()
    assert len(notices) == 4 and all(n.link == "/audit" for n in notices)


def test_an_ipv6_visitor_counts_as_its_whole_64_block(fresh_db):
    # One IPv6 visitor holds a /64: counting each address apart would let it fail without ever being slowed.
    assert login_safety.ip_key("2001:db8:1:2::7") == login_safety.ip_key("2001:db8:1:2:ffff::1") == \
        "ip:2001:db8:1:2::/64"
    assert login_safety.ip_key("2001:db8:1:3::7") != login_safety.ip_key("2001:db8:1:2::7")
    assert login_safety.ip_key("203.0.113.7") == "ip:203.0.113.7" and login_safety.ip_key("") is None

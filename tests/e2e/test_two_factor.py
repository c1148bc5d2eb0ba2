"""Journeys: the owner turns on two-factor sign-in and logs in with a code; repeated failures slow down."""
import time

import pyotp
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import LoginAttempt, StaffTwoFactor, TeamMember
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
OWNER = "owner@example.com"


def owner_id() -> int:
    with read_session() as s:
        return s.exec(select(TeamMember.id).where(TeamMember.email == OWNER)).one()


@pytest.fixture
def owner_two_factor_restored(harness):
    """Other journeys log in as the owner with just the password: turn two-factor off again afterwards."""
    yield
    with write_session() as s:
        row = s.get(StaffTwoFactor, owner_id())
        if row:
            s.delete(row)
        throttle = s.get(LoginAttempt, "staff:" + OWNER)
        if throttle:
            s.delete(throttle)


def test_owner_turns_on_two_factor_and_logs_in_with_a_code(page, base_url, owner_two_factor_restored):
    log_in(page, base_url)
    page.click("#account-security-link")
    page.wait_for_url("**/account-security")
    page.click("#start-two-factor")
    expect(page.locator("#setup-qr")).to_be_visible()
    shown_key = page.locator("#setup-key").inner_text()
    with read_session() as s:
        secret = s.get(StaffTwoFactor, owner_id()).secret
    assert shown_key.replace(" ", "") == secret
    totp = pyotp.TOTP(secret)
    page.fill("#setup-code", totp.now())
    page.click("#confirm-two-factor")
    expect(page.locator("#recovery-code-list code")).to_have_count(10)
    first_recovery = page.locator("#recovery-code-list code").first.inner_text()
    page.click("#codes-saved")
    page.wait_for_url(lambda url: url.rstrip("/") == base_url)

    page.click("#logout")
    page.wait_for_url("**/login")
    page.fill("#email", OWNER)
    page.fill("#password", "demo-owner-pass")
    page.click("#login-submit")
    expect(page.locator("#two-factor-code")).to_be_visible()
    assert page.url.rstrip("/").endswith("/login")
    page.fill("#two-factor-code", "000000" if totp.now() != "000000" else "111111")
    page.click("#code-submit")
    expect(page.get_by_role("alert")).to_contain_text("not right")
    # The setup used this step's code: the next step's code is the one a real app shows shortly.
    page.fill("#two-factor-code", totp.at(time.time() + 30))
    page.click("#code-submit")
    page.wait_for_url(lambda url: url.rstrip("/") == base_url)
    expect(page.get_by_text("Welcome back, Olivia Park")).to_be_visible()

    # A recovery code works too (once).
    page.click("#logout")
    page.wait_for_url("**/login")
    page.fill("#email", OWNER)
    page.fill("#password", "demo-owner-pass")
    page.click("#login-submit")
    page.click("#use-recovery")
    expect(page.get_by_text("Recovery code", exact=True)).to_be_visible()
    page.fill("#two-factor-code", first_recovery)
    page.click("#code-submit")
    page.wait_for_url(lambda url: url.rstrip("/") == base_url)
    page.goto(base_url + "/account-security")
    expect(page.locator("#codes-left")).to_have_text("9 recovery codes left.")


def test_repeated_wrong_passwords_slow_down_without_telling_whether_the_email_exists(page, base_url):
    email = "nobody-here@example.com"
    page.goto(base_url + "/login")
    page.fill("#email", email)
    for _ in range(3):
        page.fill("#password", "wrong password")
        page.click("#login-submit")
        expect(page.get_by_role("alert")).to_contain_text("do not match")
        page.locator("#password").fill("")
    page.fill("#password", "wrong password")
    page.click("#login-submit")
    expect(page.get_by_role("alert")).to_contain_text("Too many attempts. Try again in")
    with write_session() as s:
        s.delete(s.get(LoginAttempt, "staff:" + email))

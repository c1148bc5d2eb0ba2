"""A team member who forgot their password, with a real SMTP server (aiosmtpd): "Forgot password?" on the login
page, the emailed link (built from the app's base address) opens the page to choose a new one, the token leaves the
address bar, the old password stops working and the new one logs in."""
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import write_session
from practice.models import OutgoingMail, TeamMember
from practice.services.access.auth import hash_password
from tests.e2e.conftest import log_in, settle

pytestmark = pytest.mark.e2e
CARLA = "carla@example.com"
OLD, NEW = "demo-staff-pass", "copper-lantern-orchard-7"


@pytest.fixture
def mail_server(local_mail):
    """The local mail server (tests/e2e/conftest.py); afterwards this journey's mail leaves the outbox and Carla's
    password is put back (other journeys log in as her)."""
    yield local_mail
    with write_session() as s:
        for m in s.exec(select(OutgoingMail).where(OutgoingMail.id >= local_mail.first_mail_id)):
            s.delete(m)
        s.exec(select(TeamMember).where(TeamMember.email == CARLA)).one().password_hash = hash_password(OLD)


def test_a_member_resets_a_forgotten_password_by_email_and_logs_in_with_the_new_one(page, base_url, mail_server):
    # The first page a fresh test server serves can be slow to build on a busy machine.
    page.goto(base_url + "/login", timeout=90_000)
    page.goto(base_url + "/login")
    page.click("#forgot-password-link")
    expect(page).to_have_url(re.compile(r"/forgot-password$"))
    assert settle(page), "the page's loading never ended"  # a sentence shown before it would be cleared by it
    # A stranger and a member read the same answer.
    page.fill("#forgot-email", "nobody@nowhere.example")
    page.keyboard.press("Enter")
    notice = page.get_by_role("status").filter(has_text="a link to choose a new password is on its way")
    expect(notice).to_be_visible()
    page.fill("#forgot-email", CARLA)
    page.click("#forgot-submit")
    expect(notice).to_be_visible()

    msg = mail_server.wait_for(CARLA)[-1]
    assert msg["To"] == CARLA and "Reset your practice password" in msg["Subject"]
    link = re.search(r"(http\S+/reset-password\?token=[\w-]+)", msg.get_payload(decode=True).decode()).group(1)
    assert link.startswith(base_url)

    page.goto(link)
    expect(page).to_have_url(re.compile(r"/reset-password$"))
    expect(page.get_by_text(CARLA)).to_be_visible()
    page.fill("#reset-new-password", NEW)
    page.fill("#reset-confirm-password", NEW + "x")
    page.click("#reset-submit")
    expect(page.get_by_text("The two passwords differ.")).to_be_visible()
    page.fill("#reset-confirm-password", NEW)
    page.click("#reset-submit")
    expect(page).to_have_url(re.compile(r"/login\?reset=1$"))
    expect(page.get_by_text("Your new password is set")).to_be_visible()

    # The link worked once.
    page.goto(link)
    expect(page.locator("#reset-link-problem")).to_contain_text("already used")

    page.goto(base_url + "/login")
    page.fill("#email", CARLA)
    page.fill("#password", OLD)
    page.click("#login-submit")
    expect(page.get_by_text("That email and password do not match.")).to_be_visible()
    log_in(page, base_url, CARLA, NEW)
    expect(page.get_by_text("Carla Diaz").first).to_be_visible()

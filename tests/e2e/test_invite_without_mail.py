"""Inviting a client with no mail server set up: staff see the activation link (with a warning that nothing
was sent), copy it, and the client activates with it in another browser and lands in the portal."""
import os
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import MailSettings, OutgoingMail, PortalLogin, PortalSession, PortalToken
from tests.e2e.conftest import DESKTOP, log_in
from tests.e2e.test_portal import demo_contact_with_job

pytestmark = pytest.mark.e2e
GOOD = "copper-meadow-lantern-4"


@pytest.fixture
def no_mail(base_url):
    """The demo firm with no mail server (host cleared) and links pointing at the test app; put back after."""
    contact, job = demo_contact_with_job()
    with read_session() as s:
        last_mail = s.exec(select(OutgoingMail.id).order_by(OutgoingMail.id.desc())).first() or 0
    with write_session() as s:
        row = s.exec(select(MailSettings)).first()
        host_before = row.host if row else None
        if row:
            row.host = ""
    old_base = os.environ.get("PRACTICE_BASE_URL")
    os.environ["PRACTICE_BASE_URL"] = base_url
    yield {"contact": contact, "job": job, "last_mail": last_mail}
    if old_base is None:
        os.environ.pop("PRACTICE_BASE_URL", None)
    else:
        os.environ["PRACTICE_BASE_URL"] = old_base
    with write_session() as s:
        row = s.exec(select(MailSettings)).first()
        if row and host_before is not None:
            row.host = host_before
        for table in (PortalSession, PortalToken, PortalLogin):
            s.execute(delete(table).where(table.contact_id == contact.id))


def test_inviting_without_mail_shows_the_link_and_the_client_activates_with_it(page, browser, base_url, no_mail):
    contact, job = no_mail["contact"], no_mail["job"]
    name = f"{contact.first_name} {contact.last_name}".strip()

    log_in(page, base_url)
    page.goto(f"{base_url}/accounts/{job.account_id}")
    page.click(f"#portal-give-{contact.id}")
    callout = page.locator("#invite-link-callout")
    expect(callout.get_by_text(re.compile(f"Mail is not set up, so the invitation was not sent.*{name}"))
           ).to_be_visible()
    expect(page.get_by_text("Invitation sent.")).to_have_count(0)
    expect(page.locator("#contacts-section").get_by_text("Portal: invited")).to_be_visible()
    link = page.locator("#invite-link").input_value()
    assert re.fullmatch(re.escape(base_url) + r"/portal/activate\?token=[\w-]+", link)
    expect(page.locator("#invite-link")).to_have_attribute("readonly", "")
    expect(page.locator("#copy-invite-link")).to_be_visible()
    with read_session() as s:  # nothing went to the outbox
        assert s.exec(select(OutgoingMail).where(OutgoingMail.id > no_mail["last_mail"])).first() is None

    # The client opens the link in a browser of their own, sets a password and lands in the portal.
    context = browser.new_context(viewport=DESKTOP)
    try:
        client = context.new_page()
        client.set_default_timeout(20_000)
        client.goto(link)
        expect(client).to_have_url(re.compile(r"/portal/activate$"))
        expect(client.get_by_text(contact.email)).to_be_visible()
        client.fill("#portal-new-password", GOOD)
        client.fill("#portal-confirm-password", GOOD)
        client.click("#portal-set-password")
        expect(client).to_have_url(re.compile(r"/portal/login\?ready=1$"))
        client.fill("#portal-email", contact.email)
        client.fill("#portal-password", GOOD)
        client.click("#portal-login-submit")
        expect(client).to_have_url(re.compile(r"/portal$"))
        expect(client.get_by_text("What needs your attention")).to_be_visible()
    finally:
        context.close()

    page.goto(f"{base_url}/accounts/{job.account_id}")
    expect(page.locator("#contacts-section").get_by_text("Portal: active")).to_be_visible()
    expect(page.locator("#invite-link-callout")).to_have_count(0)

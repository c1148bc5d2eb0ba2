"""The client portal end to end, with a real SMTP server (aiosmtpd): the owner gives a demo contact portal
access, the invitation arrives, the contact activates on a phone (a common password is refused first),
logs in, sees and ticks off the client task staff asked for, and staff see it done on the job page."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import (AccountContact, ClientTask, Contact, Job, OutgoingMail, PortalLogin,
                             PortalSession, PortalToken)
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
GOOD = "walnut-tide-compass-9"


def demo_contact_with_job():
    """A demo contact with an email, linked to one account that has an active job."""
    with read_session() as s:
        for job in s.exec(select(Job).where(Job.archived == False).order_by(Job.id)):  # noqa: E712
            for contact in s.exec(select(Contact).join(AccountContact, AccountContact.contact_id == Contact.id)
                                  .where(AccountContact.account_id == job.account_id, Contact.email != "")):
                # Not one another browser test already gave portal access to (the modules share one database).
                has_login = s.exec(select(PortalLogin).where(PortalLogin.contact_id == contact.id)).first()
                if has_login is None and len(s.exec(select(AccountContact).where(
                        AccountContact.contact_id == contact.id)).all()) == 1:
                    return contact, job
    raise AssertionError("the demo firm has no job on an account with a contact")


@pytest.fixture
def portal_setup(local_mail):
    """The local mail server (tests/e2e/conftest.py) and a demo contact with a job; afterwards this journey's mail,
    the contact's portal access and the job's client tasks are removed."""
    contact, job = demo_contact_with_job()
    yield {"server": local_mail, "contact": contact, "job": job}
    with write_session() as s:
        for m in s.exec(select(OutgoingMail).where(OutgoingMail.id >= local_mail.first_mail_id)):
            s.delete(m)
        for table in (PortalSession, PortalToken, PortalLogin):
            s.execute(delete(table).where(table.contact_id == contact.id))
        s.execute(delete(ClientTask).where(ClientTask.job_id == job.id))


def test_staff_invite_a_contact_who_activates_on_a_phone_and_completes_a_task(page, phone_page, base_url,
                                                                              portal_setup):
    contact, job, server = portal_setup["contact"], portal_setup["job"], portal_setup["server"]
    name = f"{contact.first_name} {contact.last_name}".strip()

    # Staff ask the client for a document on the job page.
    log_in(page, base_url)
    page.goto(f"{base_url}/jobs/{job.id}")
    expect(page.locator("#job-name-heading")).to_have_text(job.name)
    page.fill("#client-task-title", "Upload your W-2")
    page.click("#add-client-task")
    section = page.locator("#job-client-tasks-section")
    expect(section.get_by_text("Upload your W-2")).to_be_visible()
    expect(section.get_by_text("Waiting for the client")).to_be_visible()

    # ...and give the contact portal access from the account page.
    page.goto(f"{base_url}/accounts/{job.account_id}")
    page.click(f"#portal-give-{contact.id}")
    expect(page.get_by_text("Invitation sent.")).to_be_visible()
    expect(page.locator("#contacts-section").get_by_text("Portal: invited")).to_be_visible()

    (msg,) = server.wait_for(contact.email)
    assert msg["To"] == contact.email and "client portal" in msg["Subject"]
    link = re.search(r"(http\S+/portal/activate\?token=[\w-]+)", msg.get_payload(decode=True).decode()).group(1)
    assert link.startswith(base_url)

    # On a phone: the link opens the activation page, and the token leaves the address bar.
    phone_page.goto(link)
    expect(phone_page).to_have_url(re.compile(r"/portal/activate$"))
    expect(phone_page.get_by_text(contact.email)).to_be_visible()
    phone_page.fill("#portal-new-password", "password123")
    phone_page.fill("#portal-confirm-password", "password123")
    phone_page.click("#portal-set-password")
    expect(phone_page.get_by_text(re.compile("one of the most common"))).to_be_visible()
    phone_page.fill("#portal-new-password", GOOD)
    phone_page.fill("#portal-confirm-password", GOOD)
    phone_page.click("#portal-set-password")
    expect(phone_page).to_have_url(re.compile(r"/portal/login\?ready=1$"))
    expect(phone_page.get_by_text("Your password is set.")).to_be_visible()

    phone_page.fill("#portal-email", contact.email)
    phone_page.fill("#portal-password", GOOD)
    phone_page.click("#portal-login-submit")
    expect(phone_page).to_have_url(re.compile(r"/portal$"))
    expect(phone_page.get_by_text("What needs your attention")).to_be_visible()
    expect(phone_page.locator("#attention-list").get_by_text("Upload your W-2")).to_be_visible()
    expect(phone_page.locator("#portal-jobs").get_by_text(job.name).first).to_be_visible()
    # One account: no switcher, just its name.
    expect(phone_page.locator("#account-switcher")).to_have_count(0)

    phone_page.click("#portal-nav-tasks")
    expect(phone_page).to_have_url(re.compile(r"/portal/tasks$"))
    task = phone_page.locator(".client-task", has_text="Upload your W-2")
    task.get_by_role("checkbox").click()
    expect(task.get_by_text(f"Done by {name}")).to_be_visible()
    phone_page.click("#portal-nav-home")
    expect(phone_page.get_by_text("Nothing needs your attention right now.")).to_be_visible()

    # Staff see who did it; the contact shows as active on the account page.
    page.goto(f"{base_url}/jobs/{job.id}")
    expect(page.locator("#job-client-tasks-section").get_by_text(re.compile(f"Done by {name}"))).to_be_visible()
    page.goto(f"{base_url}/accounts/{job.account_id}")
    expect(page.locator("#contacts-section").get_by_text("Portal: active")).to_be_visible()

    # Revoking ends the phone's session at once: its next action sends it to the login page.
    page.click(f"#portal-revoke-{contact.id}")
    expect(page.locator("#contacts-section").get_by_text("Portal: withdrawn")).to_be_visible()
    phone_page.click("#portal-nav-tasks")
    expect(phone_page).to_have_url(re.compile(r"/portal/login$"))

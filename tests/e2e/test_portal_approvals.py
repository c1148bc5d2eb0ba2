"""A client on a phone: approves a document staff asked about (a rejection without a reason is refused
first), completes a client task, uploads and downloads a document; staff see each on the account page
and in Inbox+."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import (ApprovalRequest, ClientTask, Document, DocumentView, JobAssignee, Notification,
                             OutgoingMail, PortalLogin, PortalSession, PortalToken, TeamMember)
from practice.services.documents import files as document_files
from practice.services.portal import client_tasks, logins
from practice.services.actor import Actor
from tests.e2e.conftest import log_in
from tests.e2e.test_portal import demo_contact_with_job

pytestmark = pytest.mark.e2e
GOOD = "cedar-lantern-orbit-4"
DRAFT = b"Engagement letter, draft for the client to approve."


@pytest.fixture
def client_login(base_url):
    """A demo contact with an active portal login, a client task, and a document to approve; all removed after.
    The owner is made an assignee of the job so the owner's Inbox+ hears of everything the client does."""
    contact, job = demo_contact_with_job()
    with read_session() as s:
        owner = s.exec(select(TeamMember).where(TeamMember.email == "owner@example.com")).one()
        last_mail = s.exec(select(OutgoingMail.id).order_by(OutgoingMail.id.desc())).first() or 0
        last_doc = s.exec(select(Document.id).order_by(Document.id.desc())).first() or 0
        last_note = s.exec(select(Notification.id).order_by(Notification.id.desc())).first() or 0
        was_assignee = s.get(JobAssignee, (job.id, owner.id)) is not None
    actor = Actor(owner.id, owner.name, owner.role)
    with write_session() as s:
        invitation = logins.invite(s, actor, contact.id)
        token = re.search(r"token=([\w-]+)", invitation.link).group(1)
        logins.activate(s, token, GOOD)
        client_tasks.create_client_task(s, actor, job.id, title="Sign the engagement letter")
        if not was_assignee:
            s.add(JobAssignee(job_id=job.id, member_id=owner.id))
    doc = document_files.upload(actor, job.account_id, None, "Engagement letter.txt", DRAFT)
    yield {"contact": contact, "job": job, "doc": doc, "owner": owner}
    with write_session() as s:
        s.execute(delete(ApprovalRequest).where(ApprovalRequest.account_id == job.account_id))
        s.execute(delete(DocumentView).where(DocumentView.document_id > last_doc))
        s.execute(delete(Document).where(Document.id > last_doc))
        s.execute(delete(Notification).where(Notification.id > last_note))
        s.execute(delete(OutgoingMail).where(OutgoingMail.id > last_mail))
        s.execute(delete(ClientTask).where(ClientTask.job_id == job.id))
        for table in (PortalSession, PortalToken, PortalLogin):
            s.execute(delete(table).where(table.contact_id == contact.id))
        if not was_assignee:
            s.execute(delete(JobAssignee).where(JobAssignee.job_id == job.id, JobAssignee.member_id == owner.id))


def test_a_client_approves_completes_and_uploads_on_a_phone_and_staff_see_it(page, phone_page, base_url,
                                                                            client_login, tmp_path):
    contact, job = client_login["contact"], client_login["job"]
    name = f"{contact.first_name} {contact.last_name}".strip()
    account_url = f"{base_url}/accounts/{job.account_id}"

    # Staff ask the client to approve the draft from the account's Documents section.
    log_in(page, base_url)
    page.goto(account_url)
    section = page.locator("#documents-section")
    section.get_by_role("button", name="Ask the client to approve Engagement letter.txt").click()
    expect(page.locator("#documents-notice")).to_contain_text("Asked the client to approve it")
    expect(page.locator("#approvals-list .approval-row", has_text="Engagement letter.txt")).to_contain_text("pending")

    # The client logs in on a phone: the approval waits on the home page, with the task.
    phone_page.goto(f"{base_url}/portal/login")
    phone_page.fill("#portal-email", contact.email)
    phone_page.fill("#portal-password", GOOD)
    phone_page.click("#portal-login-submit")
    expect(phone_page).to_have_url(re.compile(r"/portal$"))
    item = phone_page.locator(".approval-item", has_text="Engagement letter.txt")
    expect(item).to_be_visible()
    expect(phone_page.locator("#attention-list")).to_contain_text("Sign the engagement letter")

    # The draft opens from the portal with the contact's own cookie.
    href = base_url + item.locator("a.approval-document").get_attribute("href")
    response = phone_page.context.request.get(href)
    assert response.status == 200 and response.body() == DRAFT

    # Rejecting needs a reason; then the client approves instead.
    item.locator(".reject-button").click()
    expect(phone_page.get_by_text(re.compile("Say why you reject"))).to_be_visible()
    item.locator(".approve-button").click()
    expect(phone_page.locator(".approval-item")).to_have_count(0)

    # The client task.
    phone_page.click("#portal-nav-tasks")
    expect(phone_page).to_have_url(re.compile(r"/portal/tasks$"))
    task = phone_page.locator(".client-task", has_text="Sign the engagement letter")
    task.get_by_role("checkbox").click()
    expect(task.get_by_text(f"Done by {name}")).to_be_visible()

    # A document from the phone.
    phone_page.click("#portal-nav-documents")
    expect(phone_page).to_have_url(re.compile(r"/portal/documents$"))
    expect(phone_page.locator("#portal-document-list")).to_contain_text("Engagement letter.txt")
    w2 = tmp_path / "W-2 2025.txt"
    w2.write_bytes(b"Wages 52,000")
    phone_page.locator("#portal-upload input[type=file]").set_input_files(str(w2))
    expect(phone_page.locator("#portal-documents-notice")).to_contain_text('we received "W-2 2025.txt"')
    expect(phone_page.locator("#portal-document-list")).to_contain_text("W-2 2025.txt")

    # Staff see each on the account page...
    page.goto(account_url)
    expect(page.locator(".document-row", has_text="W-2 2025.txt")).to_contain_text(f"{name} (client)")
    approval = page.locator("#approvals-list .approval-row", has_text="Engagement letter.txt")
    expect(approval).to_contain_text("approved")
    expect(approval).to_contain_text(f"Approved by {name}")
    # ...and in Inbox+.
    page.goto(f"{base_url}/inbox")
    expect(page.get_by_text(re.compile(f'{re.escape(name)}.* uploaded "W-2 2025.txt"'))).to_be_visible()
    expect(page.get_by_text(re.compile(f'{re.escape(name)}.* approved "Engagement letter.txt"'))).to_be_visible()
    expect(page.get_by_text(re.compile(f'{re.escape(name)}.* completed "Sign the engagement letter"'))).to_be_visible()

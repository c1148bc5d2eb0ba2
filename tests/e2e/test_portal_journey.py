"""Issue 5's journey in one go: staff invite a contact, the activation email arrives at a real SMTP server,
the client activates and logs in on a phone, uploads a document, completes a client task and approves a
document; staff see each on the account page and in Inbox+."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import ApprovalRequest, Document, DocumentView, JobAssignee, Notification, TeamMember
from practice.services.documents import files as document_files
from practice.services.actor import Actor
from tests.e2e.conftest import log_in
from tests.e2e.test_portal import GOOD, portal_setup  # noqa: F401 - the fixture: local mail server, links, cleanup

pytestmark = pytest.mark.e2e
DRAFT = b"Organizer summary, for the client to approve."


@pytest.fixture
def journey(portal_setup):  # noqa: F811
    """portal_setup plus: the owner assigned to the job (so Inbox+ hears the client) and a draft to approve."""
    job = portal_setup["job"]
    with read_session() as s:
        owner = s.exec(select(TeamMember).where(TeamMember.email == "owner@example.com")).one()
        last_doc = s.exec(select(Document.id).order_by(Document.id.desc())).first() or 0
        last_note = s.exec(select(Notification.id).order_by(Notification.id.desc())).first() or 0
        was_assignee = s.get(JobAssignee, (job.id, owner.id)) is not None
    if not was_assignee:
        with write_session() as s:
            s.add(JobAssignee(job_id=job.id, member_id=owner.id))
    staff = Actor(owner.id, owner.name, owner.role)
    document_files.upload(staff, job.account_id, None, "Organizer summary.txt", DRAFT)
    document_files.upload(staff, job.account_id, None, "Welcome letter.txt", b"Welcome to Park & Lee.")
    yield portal_setup
    with write_session() as s:
        s.execute(delete(ApprovalRequest).where(ApprovalRequest.account_id == job.account_id))
        s.execute(delete(DocumentView).where(DocumentView.document_id > last_doc))
        s.execute(delete(Document).where(Document.id > last_doc))
        s.execute(delete(Notification).where(Notification.id > last_note))
        if not was_assignee:
            s.execute(delete(JobAssignee).where(JobAssignee.job_id == job.id, JobAssignee.member_id == owner.id))


def test_invite_activate_upload_complete_approve_and_staff_see_it_all(page, phone_page, base_url, journey, tmp_path):
    contact, job, server = journey["contact"], journey["job"], journey["server"]
    name = f"{contact.first_name} {contact.last_name}".strip()
    account_url = f"{base_url}/accounts/{job.account_id}"

    # Staff: a client task on the job, an approval request on a document, then portal access.
    log_in(page, base_url)
    page.goto(f"{base_url}/jobs/{job.id}")
    page.fill("#client-task-title", "Upload last year's return")
    page.click("#add-client-task")
    expect(page.locator("#job-client-tasks-section").get_by_text("Upload last year's return")).to_be_visible()
    page.goto(account_url)
    page.locator("#documents-section").get_by_role(
        "button", name="Ask the client to approve Organizer summary.txt").click()
    expect(page.locator("#approvals-list .approval-row", has_text="Organizer summary.txt")).to_contain_text("pending")
    page.click(f"#portal-give-{contact.id}")
    expect(page.get_by_text("Invitation sent.")).to_be_visible()

    # The invitation arrives at the SMTP server (after the approval request's email).
    invitation = server.wait_for(contact.email, "client portal")[-1]
    assert invitation["To"] == contact.email
    link = re.search(r"(http\S+/portal/activate\?token=[\w-]+)",
                     invitation.get_payload(decode=True).decode()).group(1)

    # On a phone: activate, log in.
    phone_page.goto(link)
    phone_page.fill("#portal-new-password", GOOD)
    phone_page.fill("#portal-confirm-password", GOOD)
    phone_page.click("#portal-set-password")
    expect(phone_page).to_have_url(re.compile(r"/portal/login\?ready=1$"))
    phone_page.fill("#portal-email", contact.email)
    phone_page.fill("#portal-password", GOOD)
    phone_page.click("#portal-login-submit")
    expect(phone_page).to_have_url(re.compile(r"/portal$"))
    expect(phone_page.locator("#attention-list")).to_contain_text("Upload last year's return")
    # A document the firm shared and the client has not opened yet waits there too.
    expect(phone_page.locator("#attention-list .document-item")).to_contain_text("New from the firm: Welcome letter.txt")

    # Upload a document.
    phone_page.click("#portal-nav-documents")
    expect(phone_page).to_have_url(re.compile(r"/portal/documents$"))
    upload = tmp_path / "2025 return.txt"
    upload.write_bytes(b"Form 1040 for 2025")
    phone_page.locator("#portal-upload input[type=file]").set_input_files(str(upload))
    expect(phone_page.locator("#portal-document-list")).to_contain_text("2025 return.txt")

    # Complete the client task.
    phone_page.click("#portal-nav-tasks")
    task = phone_page.locator(".client-task", has_text="Upload last year's return")
    task.get_by_role("checkbox").click()
    expect(task.get_by_text(f"Done by {name}")).to_be_visible()

    # Approve the document.
    phone_page.click("#portal-nav-home")
    item = phone_page.locator(".approval-item", has_text="Organizer summary.txt")
    item.locator(".approve-button").click()
    expect(phone_page.locator(".approval-item")).to_have_count(0)

    # Staff see each on the account page and in Inbox+.
    page.goto(account_url)
    expect(page.locator(".document-row", has_text="2025 return.txt")).to_contain_text(f"{name} (client)")
    expect(page.locator("#approvals-list .approval-row", has_text="Organizer summary.txt")).to_contain_text(
        f"Approved by {name}")
    expect(page.locator("#contacts-section").get_by_text("Portal: active")).to_be_visible()
    page.goto(f"{base_url}/jobs/{job.id}")
    expect(page.locator("#job-client-tasks-section").get_by_text(re.compile(f"Done by {name}"))).to_be_visible()
    page.goto(f"{base_url}/inbox")
    expect(page.get_by_text(re.compile(f'{re.escape(name)}.* uploaded "2025 return.txt"'))).to_be_visible()
    expect(page.get_by_text(re.compile(f'{re.escape(name)}.* approved "Organizer summary.txt"'))).to_be_visible()
    expect(page.get_by_text(re.compile(f'{re.escape(name)}.* completed "Upload last year\'s return"'))).to_be_visible()

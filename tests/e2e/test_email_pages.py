"""Browser journeys through the email pages, against a real SMTP server (aiosmtpd) on 127.0.0.1:
settings and a test email, a template previewed for a demo account and job, a failure explained in
the outbox and retried, and what employees are told."""
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import Account, EmailTemplate, Job, MailSettings, MailStatus, OutgoingMail
from practice.state.email import OUTBOX_PAGE
from practice.services.formatting import full_date
from practice.services.work import facts
from tests.e2e.conftest import log_in
from tests.smtp import SMTPServer, free_port

pytestmark = pytest.mark.e2e
ADMIN = ("ann@example.com", "demo-staff-pass")
SMTP_PASSWORD = "e2e-smtp-secret-4711"
FIELDS = ("host", "port", "security", "username", "password", "from_address", "from_name")


@pytest.fixture
def restore_mail():
    """Other journeys share this database: put the mail settings back and drop what these tests queued."""
    with read_session() as s:
        row = s.exec(select(MailSettings)).first()
        before = {f: getattr(row, f) for f in FIELDS} if row else None
        last_mail = s.exec(select(OutgoingMail.id).order_by(OutgoingMail.id.desc())).first() or 0
    yield
    with write_session() as s:
        row = s.exec(select(MailSettings)).first()
        if before is None:
            if row:
                s.delete(row)
        else:
            for f, value in before.items():
                setattr(row, f, value)
        for m in s.exec(select(OutgoingMail).where(OutgoingMail.id > last_mail)):
            s.delete(m)
        for t in s.exec(select(EmailTemplate).where(EmailTemplate.name.like("E2E%"))):
            s.delete(t)


def save_settings(page, port: int, password: str = ""):
    page.fill("#smtp-host", "127.0.0.1")
    page.fill("#smtp-port", str(port))
    page.select_option("#smtp-security", "none")
    page.fill("#smtp-username", "")
    if password:
        page.fill("#smtp-password", password)
    page.fill("#smtp-from-address", "office@parklee.example")
    page.fill("#smtp-from-name", "Park & Lee")
    page.click("#save-smtp")
    expect(page.get_by_text("Email settings saved.").first).to_be_visible()
    expect(page.locator("#smtp-port")).to_have_value(str(port))


def send_test(page, to: str):
    page.fill("#test-to", to)
    page.click("#send-test")


def test_admin_sets_up_smtp_sends_a_test_sees_a_failure_explained_and_retries(page, base_url, restore_mail):
    log_in(page, base_url, *ADMIN)
    page.get_by_role("link", name="Email").first.click()
    expect(page).to_have_url(re.compile(r"/email$"))

    with SMTPServer() as server:
        # Settings with a password: after saving, the page says one is saved but never shows it.
        save_settings(page, server.port, password=SMTP_PASSWORD)
        expect(page.locator("#smtp-password-note")).to_have_text(re.compile("A password is saved"))
        expect(page.locator("#smtp-password")).to_have_value("")
        page.reload()
        expect(page.locator("#smtp-host")).to_have_value("127.0.0.1")
        expect(page.locator("#smtp-password-note")).to_have_text(re.compile("A password is saved"))
        assert SMTP_PASSWORD not in page.content()

        # A test email reaches the server.
        send_test(page, "ann@example.com")
        expect(page.locator("#test-outcome")).to_have_text(re.compile(r"Sent to ann@example\.com"))
        (msg,) = server.wait_for(1)
        assert msg["To"] == "ann@example.com" and msg["Subject"].startswith("Test email from ")
        assert "Park & Lee" in msg["From"]

        # Pointed at a closed port, the test fails with a sentence that says where and what to check.
        closed = free_port()
        save_settings(page, closed)
        send_test(page, "ann@example.com")
        expect(page.locator("#test-outcome")).to_have_text(
            f"Not sent: Could not reach the mail server at 127.0.0.1:{closed}. Check the host and port in the "
            "email settings. It will be tried again in 30 seconds.")

        # The outbox shows it queued with that sentence; fixed settings and "Retry now" send it.
        page.click("#email-nav-outbox")
        expect(page).to_have_url(re.compile(r"/email/outbox$"))
        first = page.locator("#outbox-table .outbox-mail").first
        expect(first.locator(".mail-error")).to_have_text(re.compile(f"Could not reach the mail server at "
                                                                      f"127.0.0.1:{closed}"))
        expect(first.locator(".mail-status")).to_have_text("queued")
        expect(first.locator(".mail-attempts")).to_have_text("1")
        expect(page.locator("#outbox-table .outbox-mail").nth(1).locator(".mail-status")).to_have_text("sent")
        page.click("#email-nav-settings")
        # Wait for the page to show the saved settings: its load refills the form, and would undo typing.
        expect(page.locator("#smtp-port")).to_have_value(str(closed))
        save_settings(page, server.port)
        page.click("#email-nav-outbox")
        first.locator("button", has_text="Retry now").click()
        expect(page.get_by_text("Sent to ann@example.com").first).to_be_visible()
        expect(first.locator(".mail-status")).to_have_text("sent")
        expect(first.locator(".mail-error")).to_have_text("")
        assert len(server.wait_for(2)) == 2

        # The status filter narrows the list.
        page.select_option("#outbox-status", "failed")
        expect(page.get_by_text("No email has that status.")).to_be_visible()
        page.select_option("#outbox-status", "sent")
        # Journeys run before this one sent mail too: the list is every sent email (a page of them at most).
        with read_session() as s:
            sent = len(s.exec(select(OutgoingMail.id).where(OutgoingMail.status == MailStatus.sent)).all())
        expect(page.locator("#outbox-table .outbox-mail")).to_have_count(min(sent, OUTBOX_PAGE))
        expect(page.locator("#outbox-table .mail-status", has_text="queued")).to_have_count(0)
    assert SMTP_PASSWORD not in page.content()


def demo_account_with_job():
    """A demo account with a job and a contact with an email, and what its preview should say."""
    with read_session() as s:
        for job in s.exec(select(Job).where(Job.archived == False).order_by(Job.id)):  # noqa: E712
            recipients = facts.account_recipients(s, job.account_id)
            if recipients:
                return s.get(Account, job.account_id), job, recipients[0]["first_name"]
    raise AssertionError("the demo firm has no job on an account with a contact")


def test_admin_writes_a_template_previews_it_for_a_demo_job_and_deletes_it(page, base_url, restore_mail):
    account, job, first_name = demo_account_with_job()
    log_in(page, base_url, *ADMIN)
    page.goto(base_url + "/email/templates")
    expect(page).to_have_url(re.compile(r"/email/templates$"))
    page.click("#new-template")
    expect(page.locator("#placeholder-help")).to_contain_text("{{ account.name }}")
    page.fill("#tpl-name", "E2E Organizer")
    page.fill("#tpl-subject", "Organizer for {{ account.name }}")
    page.fill("#tpl-body", "Dear {{ contact.first_name }},\n{{ job.name }} is due {{ job.due_date }}.\n{{ firm.name }}")
    page.click("#save-template")
    expect(page.get_by_text('Saved email template "E2E Organizer".')).to_be_visible()
    expect(page.locator("#template-list")).to_contain_text("E2E Organizer")

    # Preview for a demo account and one of its jobs.
    page.fill("#preview-account-search", account.name)
    page.click(f"#preview-account-{account.id}")
    expect(page.locator("#preview-account-chosen")).to_have_text(f"For: {account.name}")
    page.select_option("#preview-job", str(job.id))
    page.click("#preview-template")
    expect(page.locator("#preview-subject")).to_have_text(f"Organizer for {account.name}")
    expect(page.locator("#preview-body")).to_contain_text(f"Dear {first_name},")
    expect(page.locator("#preview-body")).to_contain_text(f"{job.name} is due {full_date(job.due_date)}.")

    # A misspelt placeholder is explained in the preview; a syntax mistake is refused on save.
    page.fill("#tpl-body", "Hello {{ job.nmae }}")
    page.click("#preview-template")
    expect(page.get_by_role("alert")).to_contain_text(
        'Unknown placeholder {{ job.nmae }} in the email "E2E Organizer": did you mean {{ job.name }}?')
    expect(page.locator("#preview-result")).to_have_count(0)
    page.fill("#tpl-body", "{% if job.name %}unfinished")
    page.click("#save-template")
    expect(page.get_by_role("alert").first).to_contain_text("has a mistake on line 1")
    with read_session() as s:
        saved = s.exec(select(EmailTemplate).where(EmailTemplate.name == "E2E Organizer")).one()
        assert saved.body.startswith("Dear {{ contact.first_name }}")

    # Delete it after confirming.
    page.click("#delete-template")
    page.click("#confirm-delete-template")
    expect(page.get_by_text('Deleted email template "E2E Organizer".')).to_be_visible()
    expect(page.locator("[data-template='E2E Organizer']")).to_have_count(0)


def test_an_employee_reads_templates_and_is_told_settings_and_outbox_are_for_admins(page, base_url):
    log_in(page, base_url, "bob@example.com", "demo-staff-pass")
    page.goto(base_url + "/email")
    expect(page.get_by_text("Only the owner or an admin can see and change the email settings.")).to_be_visible()
    expect(page.locator("#smtp-host")).to_have_count(0)
    page.goto(base_url + "/email/outbox")
    expect(page.get_by_text("Only the owner or an admin can see the outbox")).to_be_visible()
    expect(page.locator(".outbox-mail")).to_have_count(0)
    page.goto(base_url + "/email/templates")
    expect(page.locator("#templates-read-only")).to_be_visible()
    expect(page.locator("#new-template")).to_have_count(0)

"""Chats, as a firm and its client use them: staff start a conversation from the Chats menu, ask a client task and
write an internal note with a file; the client, on a phone with a real portal login, reads the message and the task
but never the note nor its file (not even by its address), ticks the task and replies with a PDF; staff see the
Chats badge go up without a reload, then the reply, and open the client's PDF."""
from __future__ import annotations

import hashlib
import re
import uuid

import pytest
from playwright.sync_api import expect

from practice.db import write_session
from practice.services.documents import storage
from practice.services.work import accounts
from tests.factories import demo_owner, give_portal_login
from tests.factories.hostile_pdfs import normal_pdf
from tests.e2e.conftest import PHONE, log_in, portal_log_in

pytestmark = pytest.mark.e2e

CLIENT_PASS = "harbor-violet-compass-7"
NOTE = "Internal: she filed late last year, chase early"


@pytest.fixture(scope="module")
def client(harness):
    owner = demo_owner()
    with write_session() as s:
        account = accounts.create_account(s, owner, name="Okafor Household", type="Individual")
        contact = accounts.create_contact(s, owner, account_ids=[account.id], first_name="Ada", last_name="Okafor",
                                          email="ada@okafor.example")
        contact_id = contact.id
    give_portal_login(owner, contact_id, CLIENT_PASS)
    return {"email": "ada@okafor.example"}


def _staff_writes(page, base_url, tmp_path) -> str:
    log_in(page, base_url)
    page.get_by_role("link", name=re.compile(r"^Chats")).first.click()
    expect(page).to_have_url(re.compile(r"/chats$"))
    page.select_option("#new-chat-account", label="Okafor Household")
    page.fill("#new-chat-subject", "2026 tax return")
    page.click("#start-chat")
    expect(page.locator("#chat-subject")).to_have_text("2026 tax return")
    page.fill("#chat-task-title", "Upload your W-2")
    page.fill("#chat-task-due", "2027-02-15")
    page.click("#chat-task-add")
    expect(page.locator(".pending-task")).to_contain_text("Upload your W-2")
    box = page.locator("#chat-text")
    box.fill("Hello Ada, please upload your W-2.")
    box.press("Shift+Enter")
    box.type("Thank you!")
    expect(page.locator("#chat-messages .chat-message")).to_have_count(0)  # Shift+Enter is a new line
    box.press("Enter")
    expect(page.locator("#chat-messages .chat-message")).to_have_count(1)
    expect(page.locator("#chat-messages")).to_contain_text("Thank you!")
    expect(page.locator("#chat-messages .chat-task")).to_contain_text("Upload your W-2")
    page.click("#chat-internal")
    notes = tmp_path / "Audit notes.pdf"
    notes.write_bytes(normal_pdf(3))
    page.locator("#chat-files input[type=file]").set_input_files(str(notes))
    expect(page.locator(".chosen-file")).to_contain_text("Audit notes.pdf")
    page.fill("#chat-text", NOTE)
    page.press("#chat-text", "Enter")
    expect(page.locator("#chat-messages .chat-note")).to_contain_text(NOTE)
    expect(page.locator(".chosen-file")).to_have_count(0)
    link = page.locator("#chat-messages .chat-note a.chat-file")
    expect(link).to_have_text("Audit notes.pdf")
    return link.get_attribute("href")


def _client_replies(phone, base_url, email, tmp_path, note_file) -> None:
    portal_log_in(phone, base_url, email, CLIENT_PASS)
    expect(phone.locator("#portal-messages-badge")).to_have_text("1")  # the menu says a message waits
    # The task asked in a conversation about no job is on the portal's Tasks page too.
    phone.click("#portal-nav-tasks")
    task = phone.locator("#client-task-list .client-task").filter(has_text="Upload your W-2")
    expect(task).to_contain_text("Asked in a message")
    expect(task).to_contain_text("Due")
    phone.click("#portal-nav-messages")
    expect(phone).to_have_url(re.compile(r"/portal/messages$"))
    row = phone.locator("#portal-thread-list .thread-row")
    expect(row).to_contain_text("2026 tax return")
    expect(row.locator(".thread-unread")).to_have_text("1")
    row.click()
    messages = phone.locator("#portal-chat-messages")
    expect(messages).to_contain_text("please upload your W-2")
    expect(messages.locator(".chat-task")).to_contain_text("Upload your W-2")
    assert NOTE not in phone.content() and "Internal" not in messages.inner_text()
    phone.locator(".chat-task-tick").click()
    expect(messages.locator(".chat-task")).to_have_attribute("data-done", "true")
    assert "Audit notes.pdf" not in phone.content()
    assert phone.request.get(base_url + note_file).status == 403  # the note's file, by its address: refused
    # The wrong file first: taken off before sending, its bytes leave the server at once.
    wrong = tmp_path / "Last year's W-2.txt"
    wrong.write_text(f"W-2 2024 {uuid.uuid4()}")
    phone.locator("#portal-chat-files input[type=file]").set_input_files(str(wrong))
    chosen = phone.locator(".chosen-file")
    expect(chosen).to_contain_text("Last year's W-2.txt")
    key = hashlib.sha256(wrong.read_bytes()).hexdigest()
    assert storage.path_for(key).is_file()
    chosen.get_by_role("button", name="Remove").click()
    expect(chosen).to_have_count(0)
    assert not storage.path_for(key).is_file()
    w2 = tmp_path / "W-2 2025.pdf"
    w2.write_bytes(normal_pdf(1))
    phone.locator("#portal-chat-files input[type=file]").set_input_files(str(w2))
    expect(phone.locator(".chosen-file")).to_contain_text("W-2 2025.pdf")
    phone.fill("#portal-chat-text", "Done, here it is.")
    phone.click("#portal-chat-send")
    expect(messages).to_contain_text("Done, here it is.")
    expect(messages.locator("a.chat-file")).to_have_text("W-2 2025.pdf")
    expect(phone.locator(".chosen-file")).to_have_count(0)
    with phone.expect_download() as info:
        messages.locator("a.chat-file").click()
    assert info.value.suggested_filename == "W-2 2025.pdf"
    width = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]}px wide on a {width[1]}px screen"


def test_staff_and_client_talk_with_a_task_and_a_note_the_client_never_sees(page, phone_page, base_url, client,
                                                                             tmp_path):
    note_file = _staff_writes(page, base_url, tmp_path)
    page.get_by_role("link", name=re.compile(r"^Inbox")).first.click()  # away from the thread: the badge counts
    expect(page).to_have_url(re.compile(r"/inbox$"))
    expect(page.locator("#chats-badge")).to_have_count(0)
    _client_replies(phone_page, base_url, client["email"], tmp_path, note_file)
    expect(page.locator("#chats-badge")).to_have_text("1", timeout=15_000)  # no reload: the poller brings it
    page.get_by_role("link", name=re.compile(r"^Chats")).first.click()
    row = page.locator("#thread-list .thread-row").filter(has_text="2026 tax return")
    expect(row.locator(".thread-unread")).to_have_text("1")
    row.click()
    expect(page.locator("#chat-messages")).to_contain_text("Done, here it is.")
    with page.expect_download() as info:
        page.locator("#chat-messages a.chat-file", has_text="W-2 2025.pdf").click()
    assert open(info.value.path(), "rb").read() == normal_pdf(1)
    expect(page.locator("#chat-messages .chat-task")).to_contain_text("Done by Ada Okafor")
    expect(page.locator("#chat-messages .chat-read").first).to_contain_text("Read by Ada Okafor")
    expect(page.locator("#chats-badge")).to_have_count(0)


def test_a_client_writes_first_and_the_staff_page_fits_a_phone(browser, phone_page, base_url, client, harness):
    portal_log_in(phone_page, base_url, client["email"], CLIENT_PASS)
    phone_page.click("#portal-nav-messages")
    phone_page.fill("#portal-new-subject", "Question about my refund")
    phone_page.fill("#portal-new-text", "When will it arrive?")
    phone_page.click("#portal-new-send")
    expect(phone_page.locator("#portal-chat-subject")).to_have_text("Question about my refund")
    expect(phone_page.locator("#portal-chat-messages")).to_contain_text("When will it arrive?")
    staff = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    log_in(staff, base_url)
    staff.click("#phone-menu")
    staff.get_by_role("menuitem", name=re.compile(r"^Chats")).click()
    expect(staff).to_have_url(re.compile(r"/chats$"))
    staff.locator("#thread-list .thread-row").filter(has_text="Question about my refund").click()
    expect(staff.locator("#chat-messages")).to_contain_text("When will it arrive?")
    # The client moved on to the Tasks page; the staff's answer shows on its menu's badge without a reload.
    phone_page.click("#portal-nav-tasks")
    expect(phone_page).to_have_url(re.compile(r"/portal/tasks$"))
    expect(phone_page.locator("#portal-messages-badge")).to_have_count(0)
    staff.fill("#chat-text", "Within three weeks of filing.")
    staff.press("#chat-text", "Enter")
    expect(staff.locator("#chat-messages")).to_contain_text("Within three weeks")
    expect(phone_page.locator("#portal-messages-badge")).to_have_text("1", timeout=15_000)
    width = staff.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the Chats page is {width[0]}px wide on a {width[1]}px screen"
    staff.context.close()



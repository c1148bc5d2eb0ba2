"""The client's email notice of a chat message, through a real SMTP server: only after the firm's delay, only to
contacts who have not read it meanwhile, once, never for an internal note, and without the message's text."""
import datetime as dt

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import ChatMessage, OutgoingMail, utcnow
from practice.services.chats import messages, notices, threads
from practice.services.errors import InvalidInput, PermissionDenied
from practice.services.mail import outbox, settings as mail_settings
from practice.worker import tasks as worker_tasks
from tests.factories import contact_actor, give_portal_login, make_account, make_contact, make_firm
from tests.smtp import SMTPServer

PASSWORD = "plum-harbor-lantern"


def jones_household(monkeypatch):
    monkeypatch.setenv("PRACTICE_BASE_URL", "https://portal.example")
    with write_session() as s:
        staff = make_firm(s, employees={"carla": "Carla Diaz"})
        owner = staff["owner"]
        jones = make_account(s, owner, name="Jones Household")
        amy = make_contact(s, owner, [jones.id], "Amy", "Jones")
        ben = make_contact(s, owner, [jones.id], "Ben", "Jones")
        make_contact(s, owner, [jones.id], "Cal", "Jones")  # no portal login: never emailed
        thread = threads.start_thread(s, owner, account_id=jones.id, subject="2025 return")
    for contact in (amy, ben):
        give_portal_login(owner, contact.id, PASSWORD)
    return {**staff, "amy": amy.id, "ben": ben.id, "thread": thread.id}


pytestmark = pytest.mark.firm(build=jones_household)


@pytest.fixture
def server(firm):
    with SMTPServer() as smtp:
        with write_session() as s:
            mail_settings.update_settings(s, firm["owner"], host="127.0.0.1", port=smtp.port, security="none",
                                          username="", from_address="office@jones.example", from_name="Firm")
        yield smtp


def sent(server) -> dict[str, tuple[str, str]]:
    """The chat notices sent to the SMTP server so far, as address -> (subject, body)."""
    with read_session() as s:
        queued = len(s.exec(select(OutgoingMail)).all())  # the portal invitations too
    outbox.deliver_due()
    out = {}
    for msg in server.wait_for(queued):
        if "wrote to you" in msg.get_payload(decode=True).decode():
            out[msg["To"]] = (msg["Subject"], msg.get_payload(decode=True).decode())
    return out


def sweep_at(moment: dt.datetime) -> int:
    with write_session() as s:
        return notices.send_due_notices(s, now=moment)


def test_only_the_contact_who_did_not_read_it_within_the_delay_gets_the_email(firm, server):
    with write_session() as s:
        messages.write_as_staff(s, firm["owner"], firm["thread"], "Your secret refund figure is 4,210")
        messages.write_as_staff(s, firm["owner"], firm["thread"], "Internal: check her 1099", internal=True)
        due = s.exec(select(ChatMessage).where(ChatMessage.internal == False)).one().notice_due_at  # noqa: E712
    assert dt.timedelta(minutes=4) < due - utcnow() <= dt.timedelta(minutes=5)  # the default delay
    assert sweep_at(due - dt.timedelta(seconds=30)) == 0  # staff may still correct it
    with write_session() as s:
        threads.mark_read(s, contact_actor(firm["amy"]), firm["thread"])  # Amy read it in the portal
    assert sweep_at(due + dt.timedelta(seconds=1)) == 1
    assert sweep_at(due + dt.timedelta(minutes=10)) == 0  # decided once
    mails = sent(server)
    assert list(mails) == ["ben@jones.example"]
    subject, body = mails["ben@jones.example"]
    assert "2025 return" in body and "https://portal.example/portal/messages?thread=" in body
    assert "4,210" not in body and "1099" not in body  # the text stays in the portal


def test_of_two_messages_only_the_one_left_unread_within_the_delay_is_emailed(firm, server):
    """The journey's count: two staff messages, the client reads the first within the delay; once the clock has
    passed both delays, exactly one notice reaches the SMTP server, for the second."""
    with write_session() as s:
        first = messages.write_as_staff(s, firm["owner"], firm["thread"], "Please upload your W-2").id
    with write_session() as s:
        threads.mark_read(s, contact_actor(firm["amy"]), firm["thread"])  # Amy reads the first in the portal
    with write_session() as s:
        second = messages.write_as_staff(s, firm["owner"], firm["thread"], "And the 1099-INT from your bank")
        second_id, due = second.id, second.notice_due_at
    with write_session() as s:
        threads.mark_read(s, contact_actor(firm["ben"]), firm["thread"])  # Ben reads both: no email for him
    assert sweep_at(due + dt.timedelta(minutes=1)) == 1  # the clock past both delays: both decided at once
    assert sweep_at(due + dt.timedelta(hours=1)) == 0
    with read_session() as s:
        keys = [m.key for m in s.exec(select(OutgoingMail).where(OutgoingMail.key.like("chat-notice|%")))]
    assert keys == [f"chat-notice|{second_id}|{firm['amy']}"] and first != second_id
    mails = sent(server)
    notices_received = [m["To"] for m in server.messages if "wrote to you" in m.get_payload(decode=True).decode()]
    assert notices_received == ["amy@jones.example"]  # exactly one notice reached the server
    subject, body = mails["amy@jones.example"]
    assert 'wrote to you in "2025 return"' in body  # one message, not two
    assert "W-2" not in body and "1099-INT" not in body


def test_the_worker_sweep_sends_them_with_the_firms_delay(firm, server):
    with write_session() as s:
        notices.set_notice_delay(s, firm["owner"], 0)
    with write_session() as s:
        messages.write_as_staff(s, firm["owner"], firm["thread"], "Please sign the 8879")
        messages.write_as_client(s, contact_actor(firm["amy"]), firm["thread"], "Will do")  # no notice for clients
    assert worker_tasks.sweep_once()["chat_notices"] == 2
    assert sorted(sent(server)) == ["amy@jones.example", "ben@jones.example"]


def test_the_delay_is_the_owners_and_admins_to_set_with_a_sentence_for_bad_input(firm):
    with write_session() as s, pytest.raises(PermissionDenied):
        notices.set_notice_delay(s, firm["carla"], 1)
    with write_session() as s, pytest.raises(InvalidInput, match="between 0 and 1440"):
        notices.set_notice_delay(s, firm["owner"], 5000)
    with write_session() as s, pytest.raises(InvalidInput, match="whole minutes"):
        notices.set_notice_delay(s, firm["owner"], "soon")

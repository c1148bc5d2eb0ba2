"""Chats through their services: threads on an account or a job, staff messages, internal notes and @mentions,
client tasks asked in a message and ticked by the client, unread counts per thread and per person, archive,
search, and the rule trigger and action."""
import dataclasses
import datetime as dt

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import (AuditLog, ChatMessage, ClientTask, Job, Notification, OutgoingMail, RuleRun, RunStatus,
                             Stage, utcnow)
from practice.services.automation import reminder_kinds, rulesets
from practice.services.chats import messages, templates, threads
from practice.services.chats.messages import TaskRequest
from practice.services.errors import InvalidInput, PermissionDenied
from practice.services.portal import client_tasks, pages
from practice.services.work import accounts, jobs, removal
from tests.factories import contact_actor, give_portal_login, make_account, make_contact, make_firm, make_job

PASSWORD = "plum-harbor-lantern"


def jones_household(monkeypatch):
    """The Joneses (Amy, with a portal login) and a job; Carla works on the account, Bob does not."""
    with write_session() as s:
        staff = make_firm(s, employees={"carla": "Carla Diaz", "bob": "Bob Stone"})
        owner = staff["owner"]
        jones = make_account(s, owner, name="Jones Household")
        accounts.add_team_member_to_account(s, owner, jones.id, staff["carla"].member_id)
        amy = make_contact(s, owner, [jones.id], "Amy", "Jones")
        job = make_job(s, owner, account=jones, name="1040 2025")
    give_portal_login(owner, amy.id, PASSWORD)
    return {**staff, "jones": jones.id, "amy": amy.id, "job": job.id}


pytestmark = pytest.mark.firm(build=jones_household)


def start(firm, who="carla", subject="2025 return", job=True):
    with write_session() as s:
        return threads.start_thread(s, firm[who], account_id=firm["jones"], subject=subject,
                                    job_id=firm["job"] if job else None).id


def test_staff_write_to_the_client_with_tasks_and_the_client_ticks_one(firm):
    thread = start(firm)
    with write_session() as s:
        messages.write_as_staff(s, firm["carla"], thread, "Hi Amy, two things please.",
                                tasks=[TaskRequest("Upload your W-2", dt.date(2026, 2, 15)), TaskRequest("Upload your ID")])
    amy = contact_actor(firm["amy"])
    with read_session() as s:
        (shown,) = messages.messages_of(s, amy, thread)
        assert shown.text == "Hi Amy, two things please." and shown.author_name == "Carla Diaz" and not shown.mine
        assert [(t.title, t.due_date) for t in shown.tasks] == [("Upload your W-2", dt.date(2026, 2, 15)),
                                                               ("Upload your ID", None)]
        assert threads.unread_total(s, amy) == 1
        # The tasks asked in a job's thread are the job's client tasks too (stage items, the portal's list).
        assert {t.title for t in client_tasks.client_tasks_of_job(s, firm["carla"], firm["job"])} == {
            "Upload your W-2", "Upload your ID"}
    with write_session() as s:
        client_tasks.complete_client_task(s, amy, shown.tasks[0].id)
        threads.mark_read(s, amy, thread)
    with read_session() as s:
        (shown,) = messages.messages_of(s, firm["carla"], thread)
        assert shown.tasks[0].done_by == "Amy Jones" and shown.tasks[1].done_at is None
        assert [name for name, _at in shown.read_by] == ["Amy Jones"]
        assert threads.unread_total(s, amy) == 0


def test_a_client_task_in_a_thread_about_no_job_is_ticked_too(firm):
    thread = start(firm, job=False)
    with write_session() as s:
        messages.write_as_staff(s, firm["owner"], thread, "One more", tasks=[TaskRequest("Sign the 8879")])
    amy = contact_actor(firm["amy"])
    with read_session() as s:
        (task,) = messages.messages_of(s, amy, thread)[0].tasks
    with write_session() as s:
        client_tasks.complete_client_task(s, amy, task.id)
    with read_session() as s:
        assert s.get(ClientTask, task.id).done_by_contact_id == firm["amy"]


def test_the_client_never_sees_internal_notes_and_mentions_tell_the_colleague(firm):
    thread = start(firm)
    with write_session() as s:
        messages.write_as_staff(s, firm["carla"], thread, "Can you send the W-2 form?")
        messages.write_as_staff(s, firm["carla"], thread, "@Olivia she sent the wrong year last time", internal=True)
    amy = contact_actor(firm["amy"])
    with read_session() as s:
        assert [m.text for m in messages.messages_of(s, amy, thread)] == ["Can you send the W-2 form?"]
        assert threads.unread_total(s, amy) == 1
        assert threads.list_threads(s, amy)[0].last_text == "Can you send the W-2 form?"
        assert threads.list_threads(s, amy, search="wrong year") == []
        assert [m.internal for m in messages.messages_of(s, firm["owner"], thread)] == [False, True]
        (note,) = s.exec(select(Notification).where(Notification.kind == "chat_mention")).all()
        assert note.member_id == firm["owner"].member_id and "Carla Diaz mentioned you" in note.text


def test_a_mention_in_a_message_to_the_client_is_refused_and_nothing_is_sent(firm):
    thread = start(firm)
    with write_session() as s, pytest.raises(InvalidInput, match="internal note"):
        messages.write_as_staff(s, firm["carla"], thread, "@Olivia can you check this?")
    with read_session() as s:
        assert s.exec(select(ChatMessage)).all() == []


def test_unread_counts_per_thread_and_per_person(firm):
    first, second = start(firm), start(firm, subject="Bookkeeping", job=False)
    amy = contact_actor(firm["amy"])
    with write_session() as s:
        messages.write_as_client(s, amy, first, "Here it is")
        messages.write_as_client(s, amy, first, "And the 1099")
        messages.write_as_client(s, amy, second, "Question on invoices")
    with read_session() as s:
        assert threads.unread_total(s, firm["carla"]) == 3
        assert {t.subject: t.unread for t in threads.list_threads(s, firm["carla"])} == {"2025 return": 2,
                                                                                       "Bookkeeping": 1}
        assert threads.unread_total(s, amy) == 0  # her own messages
    with write_session() as s:
        threads.mark_read(s, firm["carla"], first)
    with read_session() as s:
        assert threads.unread_total(s, firm["carla"]) == 1
        assert threads.unread_total(s, firm["owner"]) == 3  # read marks are per person


def test_archive_hides_a_thread_and_a_new_message_brings_it_back(firm):
    thread = start(firm)
    with write_session() as s:
        threads.set_archived(s, firm["carla"], thread)
    with read_session() as s:
        assert threads.list_threads(s, firm["carla"]) == []
        assert [t.id for t in threads.list_threads(s, firm["carla"], archived=True)] == [thread]
    with write_session() as s:
        messages.write_as_client(s, contact_actor(firm["amy"]), thread, "Hello again")
    with read_session() as s:
        assert [t.id for t in threads.list_threads(s, firm["carla"])] == [thread]
    with write_session() as s, pytest.raises(PermissionDenied):
        threads.set_archived(s, contact_actor(firm["amy"]), thread)


def test_search_finds_subjects_and_texts_literally(firm):
    thread = start(firm)
    start(firm, subject="Payroll", job=False)
    with write_session() as s:
        messages.write_as_staff(s, firm["carla"], thread, "Your refund is 100% confirmed")
    with read_session() as s:
        assert [t.id for t in threads.list_threads(s, firm["carla"], search="100%")] == [thread]
        assert [t.subject for t in threads.list_threads(s, firm["carla"], search="payroll")] == ["Payroll"]
        assert threads.list_threads(s, firm["carla"], search="_") == []


def test_editing_keeps_the_text_before_in_the_audit_log(firm):
    thread = start(firm)
    with write_session() as s:
        mid = messages.write_as_staff(s, firm["carla"], thread, "Due March 1").id
    with write_session() as s:
        messages.edit_message(s, firm["carla"], mid, "Due March 15")
        with pytest.raises(PermissionDenied):
            messages.edit_message(s, firm["owner"], mid, "Due never")
    with read_session() as s:
        (shown,) = messages.messages_of(s, contact_actor(firm["amy"]), thread)
        assert shown.text == "Due March 15" and shown.edited_at is not None
        row = s.exec(select(AuditLog).where(AuditLog.action == "chat_edit")).one()
        assert row.detail["before"] == "Due March 1"


def test_bad_input_gets_a_sentence(firm):
    with write_session() as s, pytest.raises(InvalidInput, match="subject"):
        threads.start_thread(s, firm["carla"], account_id=firm["jones"], subject="   ")
    thread = start(firm)
    with write_session() as s, pytest.raises(InvalidInput, match="Write a message"):
        messages.write_as_staff(s, firm["carla"], thread, "  \n ")
    with write_session() as s, pytest.raises(InvalidInput, match="internal note"):
        messages.write_as_staff(s, firm["carla"], thread, "note", internal=True, tasks=[TaskRequest("Upload")])


def test_a_client_message_fires_the_rule_that_reads_its_text_once(firm):
    with write_session() as s:
        rulesets.save_rules(s, firm["owner"], '''
rule "Extension asked"
when message is received
if message.text contains "extension"
then
  notify "Olivia Park" "{{ contact.first_name }} asks about an extension"
end
''')
    thread = start(firm)
    amy = contact_actor(firm["amy"])
    with write_session() as s:
        messages.write_as_client(s, amy, thread, "Thanks!")
        messages.write_as_client(s, amy, thread, "Can we file an extension?")
    with read_session() as s:
        runs = s.exec(select(RuleRun).where(RuleRun.rule_name == "Extension asked")).all()
        assert [r.status for r in runs].count(RunStatus.done) == 1
        notes = s.exec(select(Notification).where(Notification.kind == "notify")).all()
        assert [n.text for n in notes] == ["Amy asks about an extension"]
        told = s.exec(select(Notification).where(Notification.kind == "chat_message")).all()
        assert {n.member_id for n in told} == {firm["carla"].member_id}


def ask_for_documents_on_preparation(firm, reminders: str = "") -> None:
    """The rule "Ask for documents" sends the "Docs needed" message (`reminders` after it), then the job enters
    Preparation."""
    with write_session() as s:
        templates.save_template(s, firm["owner"], name="Docs needed", subject="Documents for {{ job.name }}",
                                body="Hello {{ account.name }}, please upload your documents.")
        rulesets.save_rules(s, firm["owner"], f'''
rule "Ask for documents"
when job enters stage "Preparation"
then
  send message "Docs needed" to account {reminders}
end
''')
    with write_session() as s:
        pipeline_id = s.get(Job, firm["job"]).pipeline_id
        stage = s.exec(select(Stage).where(Stage.pipeline_id == pipeline_id, Stage.name == "Preparation")).one()
        jobs.move_job(s, firm["owner"], firm["job"], stage.id)


def test_the_send_message_action_posts_in_the_jobs_thread(firm):
    ask_for_documents_on_preparation(firm)
    amy = contact_actor(firm["amy"])
    with read_session() as s:
        (thread,) = threads.list_threads(s, amy)
        assert thread.subject == "Documents for 1040 2025" and thread.job_id == firm["job"]
        (shown,) = messages.messages_of(s, amy, thread.id)
        assert shown.text == "Hello Jones Household, please upload your documents."
        assert shown.author_name == 'Automation "Ask for documents"'
        assert s.exec(select(ChatMessage)).one().notice_due_at is not None


def test_a_rules_message_with_reminders_is_reminded_by_email_until_the_client_reads_it(firm):
    ask_for_documents_on_preparation(firm, "with reminders every 3 days up to 3 times")
    with read_session() as s:
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Ask for documents")).one()
        assert 'Sent message "Docs needed" in "Documents for 1040 2025", with up to 3 reminders' in str(run.actions)
    later = utcnow() + dt.timedelta(days=3, minutes=1)

    def reminders_to_amy():
        with read_session() as s:
            return [m for m in s.exec(select(OutgoingMail).where(OutgoingMail.key.startswith("chat-reminder|"))).all()]

    with write_session() as s:
        assert reminder_kinds.send_due_reminders(s, now=utcnow()) == 0  # not before three days
        assert reminder_kinds.send_due_reminders(s, now=later) == 1
    (mail,) = reminders_to_amy()
    assert mail.to_address == "amy@jones.example"
    assert mail.subject.startswith("Reminder:") and "Documents for 1040 2025" in mail.subject
    assert "please upload" not in mail.body  # the message itself stays in the portal
    amy = contact_actor(firm["amy"])
    with write_session() as s:
        (thread,) = threads.list_threads(s, amy)
        threads.mark_read(s, amy, thread.id)
    with write_session() as s:  # read: the next one is not sent, and none after it
        assert reminder_kinds.send_due_reminders(s, now=later + dt.timedelta(days=3)) == 0
        assert reminder_kinds.send_due_reminders(s, now=later + dt.timedelta(days=9)) == 0
    assert len(reminders_to_amy()) == 1


def test_removing_the_contact_keeps_their_messages_and_removing_the_account_takes_its_threads(firm):
    thread = start(firm)
    with write_session() as s:
        messages.write_as_client(s, contact_actor(firm["amy"]), thread, "My W-2 is attached")
        threads.mark_read(s, contact_actor(firm["amy"]), thread)
    with write_session() as s:
        removal.delete_contact(s, firm["owner"], firm["amy"])
    with read_session() as s:
        (kept,) = messages.messages_of(s, firm["owner"], thread)
        assert kept.author_name == "Amy Jones" and kept.text == "My W-2 is attached"
    with write_session() as s:
        removal.delete_account(s, firm["owner"], firm["jones"])
    with read_session() as s:
        assert s.exec(select(ChatMessage)).all() == [] and threads.list_threads(s, firm["owner"]) == []


def test_a_client_starts_a_conversation_and_the_staff_are_told(firm):
    amy = contact_actor(firm["amy"])
    amy = type(amy)(amy.contact_id, amy.name, amy.account_ids, firm["jones"], amy.language)
    with write_session() as s, pytest.raises(InvalidInput, match="Write a message"):
        messages.start_as_client(s, amy, subject="Refund", text=" ")
    with write_session() as s:
        messages.start_as_client(s, amy, subject="Question about my refund", text="When will it arrive?")
    with read_session() as s:
        (thread,) = threads.list_threads(s, firm["carla"])
        assert thread.subject == "Question about my refund" and thread.unread == 1 and thread.job_id is None
        told = s.exec(select(Notification).where(Notification.kind == "chat_message")).one()
        assert told.member_id == firm["carla"].member_id and "When will it arrive?" in told.text


def test_a_rule_naming_a_message_template_not_made_yet_is_saved_and_fails_only_its_run(firm):
    with write_session() as s:
        rulesets.save_rules(s, firm["owner"], '''
rule "Welcome message"
when job enters stage "Preparation"
then
  send message "Welcome" to account
  notify "Olivia Park" "moved"
end
''')
    with write_session() as s:
        pipeline_id = s.get(Job, firm["job"]).pipeline_id
        stage = s.exec(select(Stage).where(Stage.pipeline_id == pipeline_id, Stage.name == "Preparation")).one()
        jobs.move_job(s, firm["owner"], firm["job"], stage.id)
    with read_session() as s:
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Welcome message")).one()
        assert 'There is no message template "Welcome"' in str(run.actions)
        assert s.exec(select(ChatMessage)).all() == []


def test_a_task_asked_about_no_job_is_on_the_portals_tasks_page_and_home_until_ticked(firm):
    thread = start(firm, job=False)
    with write_session() as s:
        messages.write_as_staff(s, firm["carla"], thread, "One thing",
                                tasks=[TaskRequest("Send your ID", dt.date(2027, 1, 9))])
    amy = dataclasses.replace(contact_actor(firm["amy"]), current_account_id=firm["jones"])
    with read_session() as s:
        (task,) = [t for t in pages.tasks_page(s, amy) if t.title == "Send your ID"]
        assert (task.job_name, task.due_date, task.done_at) == ("", dt.date(2027, 1, 9), None)
        assert "Send your ID" in [t.title for t in pages.home_page(s, amy).tasks]
    with write_session() as s:
        client_tasks.complete_client_task(s, amy, task.id)
    with read_session() as s:
        (task,) = [t for t in pages.tasks_page(s, amy) if t.title == "Send your ID"]
        assert task.done_by == "Amy Jones"
        assert "Send your ID" not in [t.title for t in pages.home_page(s, amy).tasks]


def test_the_portal_badges_of_many_contacts_in_one_read_match_each_contacts_own_count(firm):
    """The portal's badge poller reads every open tab's count at once: the same numbers as each contact's own
    unread count on the account it is looking at (internal notes, its own messages and its read marks left out)."""
    with write_session() as s:
        ben = make_contact(s, firm["owner"], [firm["jones"]], "Ben", "Jones").id
        other = make_account(s, firm["owner"], name="Smith LLC").id
        sam = make_contact(s, firm["owner"], [other], "Sam", "Smith").id
    give_portal_login(firm["owner"], ben, PASSWORD)
    give_portal_login(firm["owner"], sam, PASSWORD)
    first, second = start(firm), start(firm, subject="Bookkeeping", job=False)
    with write_session() as s:
        smiths = threads.start_thread(s, firm["owner"], account_id=other, subject="Payroll").id
        messages.write_as_staff(s, firm["carla"], first, "Please send the W-2")
        messages.write_as_staff(s, firm["carla"], first, "@Olivia check the year", internal=True)
        messages.write_as_staff(s, firm["owner"], second, "Invoices attached")
        messages.write_as_client(s, contact_actor(firm["amy"]), second, "Thanks")
        messages.write_as_staff(s, firm["owner"], smiths, "Payroll is due")
    with write_session() as s:
        threads.mark_read(s, contact_actor(ben), first)
    # Each looking at its first account, as the portal's visit decides.
    people = [dataclasses.replace(p, current_account_id=p.account_ids[0])
              for p in (contact_actor(c) for c in (firm["amy"], ben, sam))]
    with read_session() as s:
        badges = threads.unread_on_current_accounts(s, people)
        own = {p.contact_id: threads.unread_total(s, p.limited_to(p.current_account_id)) for p in people}
    assert badges == own == {firm["amy"]: 2, ben: 2, sam: 1}

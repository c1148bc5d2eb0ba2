"""Chats never leak: a contact reaches only its own accounts' threads and never reads an internal note (not in
the thread, the list's preview, the search, nor the unread count); staff reach only accounts they may see; a
contact whose link or login ends loses the threads at once, even with the actor it had."""
import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import ChatMessage
from practice.services.actor import ContactActor
from practice.services.chats import messages, threads
from practice.services.chats.messages import TaskRequest
from practice.services.errors import NotFound, PermissionDenied, PracticeError
from practice.services.portal import client_tasks, logins
from practice.services.work import accounts
from tests.factories import contact_actor, give_portal_login, make_account, make_contact, make_firm

pytestmark = [pytest.mark.security, pytest.mark.firm(build=lambda mp: two_households(mp))]
PASSWORD = "plum-harbor-lantern"
SECRET = "internal: client is under audit"


def two_households(monkeypatch):
    with write_session() as s:
        staff = make_firm(s, employees={"carla": "Carla Diaz", "bob": "Bob Stone"})
        owner = staff["owner"]
        jones = make_account(s, owner, name="Jones Household")
        smith = make_account(s, owner, name="Smith Family")
        accounts.add_team_member_to_account(s, owner, jones.id, staff["carla"].member_id)
        amy = make_contact(s, owner, [jones.id], "Amy", "Jones")
        sam = make_contact(s, owner, [smith.id], "Sam", "Smith")
        jt = threads.start_thread(s, owner, account_id=jones.id, subject="Jones return")
        st = threads.start_thread(s, owner, account_id=smith.id, subject="Smith return")
        messages.write_as_staff(s, owner, jt.id, "Please upload your W-2", tasks=[TaskRequest("Upload your W-2")])
        messages.write_as_staff(s, owner, jt.id, SECRET, internal=True)
        messages.write_as_staff(s, owner, st.id, "Smith only", tasks=[TaskRequest("Smith task")])
        ids = {"jones": jones.id, "smith": smith.id, "amy": amy.id, "sam": sam.id, "jt": jt.id, "st": st.id}
    give_portal_login(owner, amy.id, PASSWORD)
    give_portal_login(owner, sam.id, PASSWORD)
    with read_session() as s:
        ids["smith_task"] = messages.messages_of(s, owner, ids["st"])[0].tasks[0].id
        ids["smith_message"] = messages.messages_of(s, owner, ids["st"])[0].id
    return {**staff, **ids}


def refused(call) -> str:
    """'refused' when the call raises NotFound or PermissionDenied (and changes nothing), else what happened."""
    with write_session() as s:
        try:
            call(s)
        except (NotFound, PermissionDenied):
            return "refused"
        except PracticeError as err:
            return f"{type(err).__name__}: {err}"
    return "allowed"


def test_a_contact_reaches_no_other_accounts_thread(firm):
    amy = contact_actor(firm["amy"])
    calls = {
        "messages_of": lambda s: messages.messages_of(s, amy, firm["st"]),
        "write_as_client": lambda s: messages.write_as_client(s, amy, firm["st"], "hi"),
        "mark_read": lambda s: threads.mark_read(s, amy, firm["st"]),
        "get_thread": lambda s: threads.get_thread(s, amy, firm["st"]),
        "edit_message": lambda s: messages.edit_message(s, amy, firm["smith_message"], "changed"),
        "complete_task": lambda s: client_tasks.complete_client_task(s, amy, firm["smith_task"]),
        "list_threads other account": lambda s: _listed(threads.list_threads(s, amy, account_id=firm["smith"])),
    }
    assert {name: refused(call) for name, call in calls.items()} == {name: "refused" for name in calls}
    with read_session() as s:
        assert [t.subject for t in threads.list_threads(s, amy)] == ["Jones return"]
        assert threads.list_threads(s, amy, search="Smith") == []


def _listed(found):
    if found:
        raise AssertionError("listed")
    raise NotFound("nothing")


def test_a_forged_actor_claiming_an_account_gets_nothing(firm):
    forged = ContactActor(contact_id=firm["amy"], name="Amy Jones", account_ids=(firm["jones"], firm["smith"]))
    assert refused(lambda s: messages.messages_of(s, forged, firm["st"])) == "refused"
    with read_session() as s:
        assert [t.subject for t in threads.list_threads(s, forged)] == ["Jones return"]


def test_a_contact_never_reads_an_internal_note(firm):
    amy = contact_actor(firm["amy"])
    with read_session() as s:
        shown = messages.messages_of(s, amy, firm["jt"])
        assert SECRET not in [m.text for m in shown] and all(not m.internal for m in shown)
        assert threads.list_threads(s, amy, search="audit") == []
        assert SECRET not in [t.last_text for t in threads.list_threads(s, amy)]
        assert threads.unread_total(s, amy) == 1
    with read_session() as s:
        note = s.exec(select(ChatMessage).where(ChatMessage.internal == True)).one()  # noqa: E712
    assert refused(lambda s: messages.edit_message(s, amy, note.id, "x")) == "refused"


def test_staff_who_may_not_see_the_account_are_refused(firm):
    bob = firm["bob"]
    calls = {
        "messages_of": lambda s: messages.messages_of(s, bob, firm["jt"]),
        "write_as_staff": lambda s: messages.write_as_staff(s, bob, firm["jt"], "hi"),
        "start_thread": lambda s: threads.start_thread(s, bob, account_id=firm["jones"], subject="x"),
        "set_archived": lambda s: threads.set_archived(s, bob, firm["jt"]),
        "mark_read": lambda s: threads.mark_read(s, bob, firm["jt"]),
    }
    assert {name: refused(call) for name, call in calls.items()} == {name: "refused" for name in calls}
    with read_session() as s:
        assert threads.list_threads(s, bob) == [] and threads.unread_total(s, bob) == 0
        assert [t.subject for t in threads.list_threads(s, firm["carla"])] == ["Jones return"]


def test_a_contact_is_not_a_staff_writer_and_starts_threads_only_on_its_accounts(firm):
    amy = contact_actor(firm["amy"])
    assert refused(lambda s: messages.write_as_staff(s, amy, firm["jt"], "hi", internal=True)) == "refused"
    assert refused(lambda s: threads.start_thread(s, amy, account_id=firm["smith"], subject="x")) == "refused"
    forged = ContactActor(contact_id=firm["amy"], name="Amy Jones", account_ids=(firm["jones"], firm["smith"]),
                          current_account_id=firm["smith"])
    assert refused(lambda s: messages.start_as_client(s, forged, subject="x", text="hi")) == "refused"
    assert refused(lambda s: threads.start_thread(s, amy, account_id=firm["jones"], subject="x",
                                                  job_id=1)) == "refused"
    with read_session() as s:
        assert [t.subject for t in threads.list_threads(s, firm["owner"])] == ["Smith return", "Jones return"]


def test_an_unlinked_or_revoked_contact_loses_the_threads_at_once(firm):
    amy, sam = contact_actor(firm["amy"]), contact_actor(firm["sam"])
    with write_session() as s:
        accounts.link_contact(s, firm["owner"], firm["jones"], firm["amy"], False)
        logins.revoke(s, firm["owner"], firm["sam"])
    assert refused(lambda s: messages.messages_of(s, amy, firm["jt"])) == "refused"
    assert refused(lambda s: messages.write_as_client(s, sam, firm["st"], "hi")) == "refused"
    with read_session() as s:
        assert threads.list_threads(s, amy) == [] and threads.unread_total(s, sam) == 0

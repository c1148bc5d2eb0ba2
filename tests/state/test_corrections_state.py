"""The correction and merge handlers without a browser: refusals land in the dialog with a sentence and keep
it open, the merge dialog previews the pair the person chose (whichever stays) and merges exactly that."""
from __future__ import annotations

import pytest

from practice.db import read_session, write_session
from practice.models import Account, Contact, Task
from practice.services.work import accounts, tasks
from practice.state.account import AccountState
from practice.state.contacts import ContactsState
from practice.state.merge import MergeState
from practice.state.tasks import TasksState
from tests.factories import give_portal_login, make_account, make_contact, make_firm

STATES = (AccountState, ContactsState, MergeState, TasksState)


def duplicates(monkeypatch):
    with write_session() as s:
        staff = make_firm(s, employees={"erin": "Erin Employee"})
        o = staff["owner"]
        keep = make_account(s, o, name="Hartley Household")
        drop = make_account(s, o, name="Hartley Houshold")
        jim = make_contact(s, o, [keep.id], "Jim", "Hartley")
        task = tasks.create_task(s, o, title="Cal about W-2", account_id=keep.id, assignee_id=o.member_id)
    who = {"actor": staff["owner"]}
    for cls in STATES:
        monkeypatch.setattr(cls, "_actor", lambda self: who["actor"])
    monkeypatch.setattr(AccountState, "account_id", str(keep.id), raising=False)
    return {**staff, "who": who, "keep": keep.id, "drop": drop.id, "jim": jim.id, "task": task.id}


pytestmark = pytest.mark.firm(build=duplicates)


def test_a_refused_account_edit_stays_in_the_open_dialog(firm):
    page = AccountState()
    page.load()
    page.set_edit_open(True)
    page.save_account({"name": "   ", "type": "Individual"})
    assert page.edit_open and page.edit_error == "Give the account a name."
    page.save_account({"name": "Hartley Family", "type": "Family"})
    assert not page.edit_open and (page.name, page.type) == ("Hartley Family", "Family")


def test_the_contact_editor_opens_with_the_contacts_values_and_saves_them(firm):
    page = AccountState()
    page.load()
    page.edit_contact(firm["jim"])
    assert (page.contact_edit.first_name, page.contact_edit.email) == ("Jim", "jim@hartley.example")
    page.save_contact({"first_name": "James", "last_name": "Hartley", "email": "not-an-email"})
    assert page.contact_edit_open and "is not an email address" in page.contact_edit_error
    page.save_contact({"first_name": "James", "last_name": "Hartley", "email": "james@hartley.example"})
    assert not page.contact_edit_open
    assert [(c.name, c.email) for c in page.contacts] == [("James Hartley", "james@hartley.example")]


def test_a_bad_due_date_in_the_task_editor_is_a_sentence_and_nothing_changes(firm):
    page = TasksState()
    page.load()
    page.edit_task(firm["task"])
    assert page.task_edit.title == "Cal about W-2"
    page.save_task({"title": "Call about W-2", "due_date": "31/12/2030", "assignee": "none"})
    assert "is not a due date" in page.task_edit_error and page.task_edit.id == firm["task"]
    with read_session() as s:
        assert s.get(Task, firm["task"]).title == "Cal about W-2"
    page.save_task({"title": "Call about W-2", "due_date": "2030-12-31", "assignee": "none"})
    assert page.task_edit.id == 0
    with read_session() as s:
        task = s.get(Task, firm["task"])
        assert (task.title, task.assignee_id, str(task.due_date)) == ("Call about W-2", None, "2030-12-31")


def test_the_merge_dialog_merges_the_pair_chosen_keeping_the_one_chosen(firm):
    dialog = MergeState()
    dialog.start("account", firm["keep"], "Hartley Household", firm["keep"])
    dialog.find("Hartley")
    assert [o.label for o in dialog.results] == ["Hartley Houshold"]
    dialog.choose(str(firm["drop"]), "Hartley Houshold")
    assert dialog.preview.startswith("\u201cHartley Houshold\u201d is merged into \u201cHartley Household\u201d")
    dialog.set_keep("other")
    assert dialog.preview.startswith("\u201cHartley Household\u201d is merged into \u201cHartley Houshold\u201d")
    dialog.confirm()
    with read_session() as s:
        assert s.get(Account, firm["keep"]) is None
        assert s.get(Account, firm["drop"]) is not None


def test_an_employee_cannot_open_the_merge_dialog(firm):
    firm["who"]["actor"] = firm["erin"]
    dialog = MergeState()
    dialog.start("contact", firm["jim"], "Jim Hartley", firm["keep"])
    assert dialog.kind == ""
    with read_session() as s:
        assert s.get(Contact, firm["jim"]) is not None


def test_linking_a_portal_contact_waits_for_the_confirmation(firm):
    give_portal_login(firm["owner"], firm["jim"], "a long enough secret 42")
    page = AccountState()
    page.load()
    # On the duplicate's page: linking Jim asks first and links nothing yet.
    page.acct_id = firm["drop"]
    page.link_contact(str(firm["jim"]))
    assert page.link_confirm_id == firm["jim"]
    assert "they will see its shared documents" in page.link_confirm_text
    page.set_link_confirm_open(False)
    assert page.link_confirm_id == 0
    with read_session() as s:
        assert [c.id for c in accounts.contacts_of(s, firm["owner"], firm["drop"])] == []
    page.link_contact(str(firm["jim"]))
    page.confirm_link()
    with read_session() as s:
        assert [c.id for c in accounts.contacts_of(s, firm["owner"], firm["drop"])] == [firm["jim"]]


def test_the_contacts_page_edits_a_contact_and_lists_it_changed(firm):
    page = ContactsState()
    page.load()
    page.edit_contact(firm["jim"])
    page.save_contact({"first_name": "Jim", "last_name": "Hartley", "email": "jim@hartley.example",
                       "phone": "555-0199"})
    assert not page.contact_edit_open
    assert [(r.name, r.phone) for r in page.rows] == [("Jim Hartley", "555-0199")]

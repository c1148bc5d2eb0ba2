"""Sent organizers stay with their account: an employee not on the account's team cannot send one, list, read or
reopen it; a contact of another account cannot open, answer, add entries to, attach files to or submit it (it is
reported missing, and its answers do not move); a contact never reaches the staff side (send, read, reopen), and
staff never fill in the client's answers."""
from __future__ import annotations

import pytest

from practice.db import read_session, write_session
from practice.models import Organizer
from practice.services.automation import rulesets
from practice.services.documents import files
from practice.services.errors import NotFound, PermissionDenied
from practice.services.organizers import filling, review, sent
from practice.services.work import accounts
from tests.factories import ORGANIZER_1040, contact_actor, make_firm, make_household, make_organizer

FIRM = {"firm_catalog": rulesets.catalog_from_db}


def firm_with_a_sent_organizer(monkeypatch):
    with write_session() as s:
        staff = make_firm(s, employees={"bob": "Bob Stone", "carla": "Carla Diaz"})
        owner = staff["owner"]
        account, (june,) = make_household(s, owner, "Hartley Household", "Hartley", ("June",))
        _, (omar,) = make_household(s, owner, "Osei Household", "Osei", ("Omar",))
        accounts.add_team_member_to_account(s, owner, account.id, staff["bob"].member_id)
        make_organizer(s, owner, sections=ORGANIZER_1040)
        organizer = sent.send_organizer(s, owner, account.id, "1040 Organizer")
        organizer.status = "submitted"
        s.add(organizer)
    with write_session() as s:
        doc = files.record_upload(s, contact_actor(omar.id), _.id, None, files.receive_file("mine.txt", b"omar"))
    return {**staff, "account": account.id, "organizer": organizer.id, "june": contact_actor(june.id),
            "omar": contact_actor(omar.id), "omar_doc": doc.id}


pytestmark = [pytest.mark.security, pytest.mark.firm(build=firm_with_a_sent_organizer)]

STAFF_CALLS = {
    "send": lambda s, who, f: sent.send_organizer(s, who, f["account"], "1040 Organizer"),
    "list for account": lambda s, who, f: sent.list_for_account(s, who, f["account"], **FIRM),
    "read answers": lambda s, who, f: sent.answer_lines(s, who, f["organizer"], **FIRM),
    "review answers": lambda s, who, f: review.review_lines(s, who, f["organizer"], **FIRM),
    "mark an answer reviewed": lambda s, who, f: review.mark_answer(s, who, f["organizer"], "notes", **FIRM),
    "unmark an answer": lambda s, who, f: review.mark_answer(s, who, f["organizer"], "notes", False, **FIRM),
    "mark all reviewed": lambda s, who, f: review.mark_reviewed(s, who, f["organizer"], **FIRM),
    "export": lambda s, who, f: review.answers_csv(s, who, f["organizer"], **FIRM),
    "reopen": lambda s, who, f: sent.reopen(s, who, f["organizer"]),
}

CLIENT_CALLS = {
    "open": lambda s, who, f: filling.open_organizer(s, who, f["organizer"], **FIRM),
    "answer": lambda s, who, f: filling.save_answer(s, who, f["organizer"], "notes", "mine", **FIRM),
    "add entry": lambda s, who, f: filling.add_entry(s, who, f["organizer"], "dependents", **FIRM),
    "remove entry": lambda s, who, f: filling.remove_entry(s, who, f["organizer"], "dependents", 0),
    "attach file": lambda s, who, f: filling.attach_file(s, who, f["organizer"], "w2", f["omar_doc"], **FIRM),
    "detach file": lambda s, who, f: filling.detach_file(s, who, f["organizer"], "w2", f["omar_doc"]),
    "submit": lambda s, who, f: filling.submit(s, who, f["organizer"], **FIRM),
}


def answers(firm):
    with read_session() as s:
        found = s.get(Organizer, firm["organizer"])
        return found.status, dict(found.answers)


def refused(firm, calls, who, errors) -> list[str]:
    """The calls that were NOT refused to `who` (each in its own transaction); the answers never move."""
    before, let_through = answers(firm), []
    for name, call in calls.items():
        try:
            with write_session() as s:
                call(s, firm[who], firm)
        except errors:
            continue
        let_through.append(name)
    assert answers(firm) == before or let_through
    return let_through


def test_an_employee_off_the_team_is_refused(firm):
    assert refused(firm, STAFF_CALLS, "carla", (NotFound, PermissionDenied)) == []
    for call in STAFF_CALLS.values():  # the same calls by a team member go through
        with write_session() as s:
            call(s, firm["bob"], firm)


def test_a_contact_never_reaches_the_staff_side(firm):
    assert refused(firm, STAFF_CALLS, "june", PermissionDenied) == []


def test_a_contact_of_another_account_is_told_it_is_not_there(firm):
    with write_session() as s:
        sent.reopen(s, firm["owner"], firm["organizer"])
    assert refused(firm, CLIENT_CALLS, "omar", NotFound) == []


def test_staff_never_fill_in_the_clients_answers(firm):
    with write_session() as s:
        sent.reopen(s, firm["owner"], firm["organizer"])
    assert refused(firm, CLIENT_CALLS, "owner", PermissionDenied) == []

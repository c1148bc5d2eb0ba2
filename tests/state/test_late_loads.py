"""A page load that arrives after the person began typing (a slow connection, a second click on the menu) leaves
the form alone: its inputs are re-keyed, and so emptied, only when the form is to show another record or other
stored values. Before, every load re-keyed the forms, and the recurring-jobs form also forgot what was typed."""
from __future__ import annotations

import pytest

from practice.db import write_session
from practice.state.account import AccountState
from practice.state.recurring import RecurringState
from practice.state.tasks import TasksState
from tests.factories import make_account, make_firm, make_pipeline

STATES = (AccountState, RecurringState, TasksState)


def two_accounts(monkeypatch):
    with write_session() as s:
        staff = make_firm(s)
        o = staff["owner"]
        first = make_account(s, o, name="Hartley Household")
        second = make_account(s, o, name="Okafor Bakery")
        make_pipeline(s, o, name="Payroll")
    for cls in STATES:
        monkeypatch.setattr(cls, "_actor", lambda self: staff["owner"])
    return {**staff, "first": first.id, "second": second.id}


pytestmark = pytest.mark.firm(build=two_accounts)


def test_a_second_load_of_the_same_account_keeps_the_notes_form(firm, monkeypatch):
    page = AccountState()
    monkeypatch.setattr(AccountState, "account_id", str(firm["first"]), raising=False)
    page.load()
    shown = page.form_key
    page.load()  # late, or the menu clicked again: what is being typed in the notes stays
    assert page.form_key == shown
    monkeypatch.setattr(AccountState, "account_id", str(firm["second"]), raising=False)
    page.load()  # another account: its own notes
    assert page.form_key != shown and page.name == "Okafor Bakery"


def test_the_recurring_form_keeps_what_was_typed_through_a_late_load(firm):
    page = RecurringState()
    page.load()
    page.set_name("Monthly payroll")
    page.set_job_name("Payroll {{ month }}")
    page.set_at("25:00")
    version = page.form_version
    page.load()
    assert (page.form["name"], page.form["at"], page.form_version) == ("Monthly payroll", "25:00", version)
    assert page.form["pipeline"] == "Payroll"  # the first pipeline, chosen for the person
    assert any("25:00" in p for p in page.problems), page.problems


def test_the_new_task_form_stays_while_the_assignee_default_is_the_same(firm):
    page = TasksState()
    page.load()
    shown = page.form_key
    page.load()
    assert page.form_key == shown

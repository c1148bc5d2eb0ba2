"""The accounts list's and the board's Columns and Filter menus without a browser: a column chosen is kept for the
member and shows each row's value, a filter narrows the rows and its chip says what it keeps, a bad value is a
sentence in the menu and the list is left as it was."""
from __future__ import annotations

import pytest
import reflex as rx

from practice.db import read_session, write_session
from practice.models import CustomField
from practice.services.work import custom_fields as cf
from practice.state.accounts import AccountsState
from practice.state.base import AppState
from practice.state.custom_fields import FieldTypeState
from practice.state.board import BoardState
from practice.state.field_views import FieldPlaceholdersState
from tests.factories import actor_of, make_account, make_job, make_member, make_pipeline


def _build(monkeypatch):
    with write_session() as s:
        owner = actor_of(make_member(s, role="owner", name="Olivia Park"))
        pipeline = make_pipeline(s, owner, name="1040 Return")
        status = cf.define_field(s, owner, entity="account", label="Filing status", type="choice",
                                 options="Single\nMFJ").id
        kids = cf.define_field(s, owner, entity="job", label="Dependents", type="number").id
        for name, value, n in (("Adams", "MFJ", "2"), ("Baker", "Single", "0"), ("Clark", "MFJ", "")):
            account = make_account(s, owner, name=name)
            cf.set_value(s, owner, "account", account.id, status, value)
            job = make_job(s, owner, account=account, pipeline=pipeline, name=f"{name} 1040")
            cf.set_value(s, owner, "job", job.id, kids, n)
    monkeypatch.setattr(AppState, "_actor", lambda self: owner)
    return {"owner": owner, "status": status, "kids": kids}


pytestmark = pytest.mark.firm(build=_build)


def state_of(cls):
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    state.load()
    return state


def test_a_column_and_a_filter_on_the_accounts_list(firm):
    page = state_of(AccountsState)
    assert [c.label for c in page.field_choices] == ["Filing status"] and page.column_labels == []
    page.show_column(str(firm["status"]), True)
    assert page.column_labels == ["Filing status"]
    assert [(r.name, r.fields) for r in page.rows] == [("Adams", ["MFJ"]), ("Baker", ["Single"]), ("Clark", ["MFJ"])]
    page.set_filter_open(True)
    assert page.filter_field == str(firm["status"])
    page.apply_filter({"value": "MFJ"})
    assert [r.name for r in page.rows] == ["Adams", "Clark"] and page.total == 2
    assert page.filter_summary == "Filing status: MFJ" and not page.filter_open
    again = state_of(AccountsState)  # another visit: the column is remembered
    assert again.column_labels == ["Filing status"]


def test_a_bad_filter_value_is_a_sentence_and_the_list_stays(firm):
    page = state_of(AccountsState)
    page.set_filter_open(True)
    page.apply_filter({"value": "Married"})
    assert "is one of: Single, MFJ" in page.filter_error and page.filter_open
    assert page.total == 3 and page.filter_summary == ""
    page.apply_filter({"value": "Single"})
    page.clear_filter()
    assert page.total == 3 and page.filter_summary == ""


def test_a_filter_whose_field_was_deleted_lets_the_list_show_everything(firm):
    page = state_of(AccountsState)
    page.set_filter_open(True)
    page.apply_filter({"value": "Single"})
    assert page.total == 1
    with write_session() as s:
        cf.delete_field(s, firm["owner"], firm["status"])
    page.load()
    assert page.total == 3 and page.filter_summary == "" and page.field_choices == []


def test_the_board_shows_a_job_field_on_its_cards_and_filters_by_it(firm):
    board = state_of(BoardState)
    board.show_column(str(firm["kids"]), True)
    assert sorted(c.fields == ["Dependents: 2"] for c in board._cards_in(0)) == [False, False, True]
    board.choose_filter_field(str(firm["kids"]))
    board.apply_filter({"low": "1", "high": ""})
    assert [c.name for c in board._cards_in(0)] == ["Adams 1040"] and board.counts[0] == 1
    assert board.filter_summary == "Dependents from 1 to …"


def test_the_board_offers_its_accounts_fields_too_as_columns_and_filter(firm):
    board = state_of(BoardState)
    assert [c.label for c in board.field_choices] == ["Dependents", "Filing status (account field)"]
    board.show_column(str(firm["status"]), True)
    assert board.column_labels == ["Filing status (account field)"]
    assert sorted(c.fields for c in board._cards_in(0)) == [["Filing status (account field): MFJ"]] * 2 + [
        ["Filing status (account field): Single"]]
    board.choose_filter_field(str(firm["status"]))
    board.apply_filter({"value": "MFJ"})
    assert sorted(c.name for c in board._cards_in(0)) == ["Adams 1040", "Clark 1040"] and board.counts[0] == 2
    assert board.filter_summary == "Filing status (account field): MFJ"


def test_the_template_editors_load_the_fields_as_placeholders(firm):
    chips = state_of(FieldPlaceholdersState)
    assert [(i.code, i.label) for i in chips.items] == [("{{ account.filing_status }}", "Filing status"),
                                                         ("{{ job.dependents }}", "Dependents")]


def test_changing_a_fields_type_previews_the_values_that_do_not_fit_then_changes_it(firm):
    with write_session() as s:
        notes = cf.define_field(s, firm["owner"], entity="account", label="Year end", type="text").id
        for n, account_id in enumerate((1, 2)):
            cf.set_value(s, firm["owner"], "account", account_id, notes, ("2027-04-15", "soon")[n])
    root = rx.State(_reflex_internal_init=True)
    page = root.get_substate(FieldTypeState.get_full_name().split(".")[1:])
    page.start(notes, "Year end", "text", "")
    page.set_type("date")
    assert not page.checked
    page.check({})
    assert page.checked and page.refusal == "" and page.misfits == ["Baker: soon"]
    assert page.summary == "1 value does not fit the new type: it is kept as it is, shown as text."
    page.apply()
    assert page.field_id == 0 and page.error == ""
    with read_session() as s:
        assert s.get(CustomField, notes).type == "date"

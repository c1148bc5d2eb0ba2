"""The board page filtered by a custom field with fields on its cards: it reads the filter's field and the member's
columns when the page opens (or when the member changes them on it), not on each load of its cards, so a reload
(another filter, a drop, "show more") stays within the board's 3 statements. A change made elsewhere while the board is
open (a field renamed or deleted, the columns changed in another tab) shows at the next visit or reload of the page."""
from __future__ import annotations

import pytest
import reflex as rx
from sqlalchemy import event

from practice.db import get_engine, write_session
from practice.models import AccountTeam
from practice.services.work import custom_fields as cf
from practice.services.work import field_views
from practice.state.base import AppState
from practice.state.board import BoardState
from tests.factories import make_account, make_firm, make_job, make_pipeline


def _build(monkeypatch):
    with write_session() as s:
        staff = make_firm(s, owner="Olivia Park", employees={"bob": "Bob Stone"})
        boss = staff["owner"]
        pipeline = make_pipeline(s, boss, name="1040 Return")
        kind = cf.define_field(s, boss, entity="job", label="Return type", type="choice", options="1040\n1065").id
        status = cf.define_field(s, boss, entity="account", label="Filing status", type="choice",
                                 options="Single\nMFJ").id
        for n, (name, value, ret) in enumerate((("Adams", "MFJ", "1040"), ("Baker", "Single", "1040"),
                                                ("Clark", "MFJ", "1065"))):
            account = make_account(s, boss, name=name)
            cf.set_value(s, boss, "account", account.id, status, value)
            if n < 2:
                s.add(AccountTeam(account_id=account.id, member_id=staff["bob"].member_id))
            job = make_job(s, boss, account=account, pipeline=pipeline, name=f"{name} 1040")
            cf.set_value(s, boss, "job", job.id, kind, ret)
    return dict(**staff, kind=kind, status=status)


pytestmark = pytest.mark.firm(build=_build)


def opened(monkeypatch, actor) -> BoardState:
    monkeypatch.setattr(AppState, "_actor", lambda self: actor)
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(BoardState.get_full_name().split(".")[1:])
    state.load()
    return state


def statements_of(fn) -> list[str]:
    """The statements a handler sends for the board: not transaction control, nor the firm's two-factor setting that
    every handler's guard reads (state.base.allow)."""
    sent: list[str] = []

    def keep(conn, cursor, statement, *rest):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE")) \
                and "FROM securitysettings" not in statement:
            sent.append(statement)

    event.listen(get_engine(), "before_cursor_execute", keep)
    try:
        fn()
    finally:
        event.remove(get_engine(), "before_cursor_execute", keep)
    return sent


def cards(board: BoardState) -> list[tuple[str, list[str]]]:
    return sorted((c.name, c.fields) for c in board._cards_in(0))


@pytest.mark.parametrize("who", ["owner", "bob"])
def test_a_reload_of_the_filtered_board_is_three_statements(firm, monkeypatch, who):
    board = opened(monkeypatch, firm[who])
    board.show_column(str(firm["kind"]), True)
    board.show_column(str(firm["status"]), True)
    board.choose_filter_field(str(firm["kind"]))
    board.apply_filter({"value": "1040"})
    shown = [("Adams 1040", ["Return type: 1040", "Filing status (account field): MFJ"]),
             ("Baker 1040", ["Return type: 1040", "Filing status (account field): Single"])]
    assert cards(board) == shown
    sent = statements_of(lambda: board.set_assignee_filter("all"))  # the board loaded again, as after any filter
    assert cards(board) == shown and len(sent) <= 3, sent
    board.choose_filter_field(str(firm["status"]))
    board.apply_filter({"value": "MFJ"})
    sent = statements_of(lambda: board.set_tag_filter("all"))
    clark = [("Clark 1040", ["Return type: 1065", "Filing status (account field): MFJ"])] if who == "owner" else []
    assert cards(board) == shown[:1] + clark and len(sent) <= 3, sent


def test_changes_made_elsewhere_show_at_the_next_visit(firm, monkeypatch):
    owner = firm["owner"]
    board = opened(monkeypatch, owner)
    board.show_column(str(firm["kind"]), True)
    board.show_column(str(firm["status"]), True)
    board.choose_filter_field(str(firm["status"]))
    board.apply_filter({"value": "MFJ"})
    assert [name for name, _ in cards(board)] == ["Adams 1040", "Clark 1040"]
    with write_session() as s:  # meanwhile, in another tab: a field renamed, a column hidden
        cf.update_field(s, owner, firm["kind"], label="Kind of return")
        field_views.set_column(s, owner, "board", firm["status"], False)
    board.set_tag_filter("all")  # within the visit the board keeps what it read (values are fresh, labels may lag)
    assert [name for name, _ in cards(board)] == ["Adams 1040", "Clark 1040"]
    board.load()  # the next visit or reload of the page
    assert board.column_labels == ["Kind of return"] and board.filter_summary == "Filing status (account field): MFJ"
    assert cards(board) == [("Adams 1040", ["Kind of return: 1040"]), ("Clark 1040", ["Kind of return: 1065"])]


def test_a_filter_whose_field_is_deleted_while_the_board_is_open(firm, monkeypatch):
    owner = firm["owner"]
    board = opened(monkeypatch, owner)
    board.show_column(str(firm["kind"]), True)
    board.choose_filter_field(str(firm["kind"]))
    board.apply_filter({"value": "1065"})
    assert cards(board) == [("Clark 1040", ["Return type: 1065"])]
    with write_session() as s:
        cf.delete_field(s, owner, firm["kind"])
    board.set_tag_filter("all")  # the filter matches nothing now: no card, no error
    assert cards(board) == [] and board.error == ""
    board.load()  # the next visit: the filter is gone with its field and the board shows every job
    assert board.filter_summary == "" and board.column_labels == [] and board.counts[0] == 3
    assert [c.fields for c in board._cards_in(0)] == [[], [], []] and board.error == ""

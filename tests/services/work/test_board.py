"""The board's data: columns with counts and cards, filters in SQL, paging, visibility, and its query count."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from practice.db import get_engine, read_session, write_session
from practice.services.work import accounts, jobs, tags
from practice.services.work.board import PAGE, load_board, load_columns, load_more
from practice.services.errors import Conflict
from practice.services.work.pipelines import stages_of
from tests.factories import make_account, make_firm, make_job, make_pipeline, make_tag

TODAY = dt.date(2030, 4, 1)


def a_board_with_tagged_assigned_jobs(monkeypatch):
    """An owner, two employees, a four-stage pipeline and a few tagged, assigned jobs."""
    with write_session() as s:
        staff = make_firm(s, owner="Olivia", employees={"bob": "Bob", "carla": "Carla"})
        boss, bob, carla = staff["owner"], staff["bob"].member_id, staff["carla"].member_id
        pipe = make_pipeline(s, boss, name="1040 Return")
        st = [x.id for x in stages_of(s, pipe.id)]
        vip = make_tag(s, boss, "VIP", "#b45309")
        smith = make_account(s, boss, name="Smith Family")
        jones = make_account(s, boss, name="Jones LLC")
        accounts.add_team_member_to_account(s, boss, smith.id, carla)
        a = make_job(s, boss, account=smith, pipeline=pipe, name="Smith 1040", assignee_ids=[bob, carla],
                     due_date=TODAY)
        b = make_job(s, boss, account=jones, pipeline=pipe, name="Jones 1040", assignee_ids=[bob],
                     due_date=TODAY - dt.timedelta(days=3))
        c = make_job(s, boss, account=jones, pipeline=pipe, name="Jones books", stage_id=st[2])
        jobs.set_job_tag(s, boss, c.id, vip.id, True)
        return dict(**staff, pipe=pipe.id, stages=st, vip=vip.id,
                    jobs=dict(a=a.id, b=b.id, c=c.id), members=dict(bob=bob, carla=carla))


pytestmark = pytest.mark.firm(build=a_board_with_tagged_assigned_jobs)


def test_columns_follow_the_stages_with_counts_and_cards(firm):
    with read_session() as s:
        cols = load_board(s, firm["owner"], firm["pipe"])
    assert [c.name for c in cols] == ["Onboarding", "Preparation", "Review", "Done"]
    assert [c.count for c in cols] == [2, 0, 1, 0]
    first = cols[0].cards
    # Earliest due date first; the card carries what the board shows.
    assert [c.name for c in first] == ["Jones 1040", "Smith 1040"]
    smith = first[1]
    assert smith.account == "Smith Family" and smith.assignees == ["Bob", "Carla"] and smith.due_date == TODAY
    assert cols[2].cards[0].tags == [("VIP", "#b45309")]


def test_filters_by_assignee_and_tag_change_cards_and_counts(firm):
    with read_session() as s:
        by_carla = load_board(s, firm["owner"], firm["pipe"], assignee_id=firm["members"]["carla"])
        by_vip = load_board(s, firm["owner"], firm["pipe"], tag_id=firm["vip"])
    assert [c.count for c in by_carla] == [1, 0, 0, 0]
    assert [c.name for c in by_carla[0].cards] == ["Smith 1040"]
    assert [c.count for c in by_vip] == [0, 0, 1, 0]
    assert by_vip[2].cards[0].name == "Jones books"


def test_each_column_shows_fifty_then_show_more_pages_through_the_rest(firm):
    with write_session() as s:
        pipe = make_pipeline(s, firm["owner"], name="Big", stages=("Todo", "Doing"))
        account = make_account(s, firm["owner"])
        for i in range(PAGE + 7):
            make_job(s, firm["owner"], account=account, pipeline=pipe, name=f"Job {i:03d}")
    with read_session() as s:
        todo = load_board(s, firm["owner"], pipe.id)[0]
        rest = load_more(s, firm["owner"], pipe.id, todo.id, len(todo.cards))
        beyond = load_more(s, firm["owner"], pipe.id, todo.id, len(todo.cards) + len(rest))
    assert todo.count == PAGE + 7 and len(todo.cards) == PAGE
    assert len(rest) == 7 and beyond == []
    names = [c.name for c in todo.cards + rest]
    assert len(set(names)) == PAGE + 7


def test_an_employee_without_view_all_sees_only_its_teams_accounts(firm):
    with read_session() as s:
        carla_cols = load_board(s, firm["carla"], firm["pipe"])
        # Bob is assigned to jobs of both accounts, so he sees those jobs' accounts.
        bob_cols = load_board(s, firm["bob"], firm["pipe"])
    assert [c.count for c in carla_cols] == [1, 0, 0, 0]
    assert [c.name for c in carla_cols[0].cards] == ["Smith 1040"]
    assert sum(c.count for c in bob_cols) == 3


def test_load_columns_reads_only_the_columns_a_move_touched(firm):
    st = firm["stages"]
    with write_session() as s:
        jobs.move_job(s, firm["owner"], firm["jobs"]["a"], st[1], from_stage_id=st[0])
    with read_session() as s:
        cols = load_columns(s, firm["owner"], firm["pipe"], [st[1], st[0]])
    assert [(c.name, c.count, [x.name for x in c.cards]) for c in cols] == [
        ("Onboarding", 1, ["Jones 1040"]), ("Preparation", 1, ["Smith 1040"])]


def test_a_move_from_a_stale_screen_is_refused_with_a_sentence(firm):
    st = firm["stages"]
    with write_session() as s:
        jobs.move_job(s, firm["owner"], firm["jobs"]["a"], st[2])
    with pytest.raises(Conflict, match='moved "Smith 1040" to "Review"'):
        with write_session() as s:
            jobs.move_job(s, firm["owner"], firm["jobs"]["a"], st[1], from_stage_id=st[0])


def test_load_board_takes_at_most_three_statements_on_a_populated_pipeline(firm):
    with write_session() as s:
        boss = firm["owner"]
        pipe = make_pipeline(s, boss, name="Busy")
        stage_ids = [x.id for x in stages_of(s, pipe.id)]
        extra = tags.create_tag(s, boss, name="Extension", color="#0e7490")
        for i in range(120):
            job = make_job(s, boss, pipeline=pipe, stage_id=stage_ids[i % 4], assignee_ids=[firm["members"]["bob"]],
                           due_date=TODAY + dt.timedelta(days=i % 9))
            if i % 3 == 0:
                jobs.set_job_tag(s, boss, job.id, extra.id, True)
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        # Transaction control (BEGIN) is not a query of the board.
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            statements.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        with read_session() as s:
            cols = load_board(s, firm["bob"], pipe.id)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert sum(c.count for c in cols) == 120 and all(len(c.cards) == 30 for c in cols)
    assert all(c.cards[0].assignees == ["Bob"] for c in cols)
    assert len(statements) <= 3, statements


def board_state(monkeypatch, actor):
    """The board page's state as the given actor sees it after the page loaded (and its root state)."""
    import reflex as rx

    from practice.state.base import AppState
    from practice.state.board import BoardState

    monkeypatch.setattr(AppState, "_actor", lambda self: actor)
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(BoardState.get_full_name().split(".")[1:])
    state.load()
    return root, state


def test_a_board_move_changes_only_the_two_columns_it_touched(firm, monkeypatch):
    """The page state keeps one var per column, so a move sends two columns, not the whole board."""
    root, state = board_state(monkeypatch, firm["owner"])
    assert [h.count for h in state.heads] == [2, 0, 1, 0] and state.pipeline_id == str(firm["pipe"])
    root._clean()

    st = firm["stages"]
    state.move_card(str(firm["jobs"]["a"]), st[1])

    changed = set(root.get_delta()[state.get_full_name()])
    assert {n.removesuffix("_rx_state_") for n in changed} == {"heads", "cards_0", "cards_1"}
    assert [c.name for c in state.cards_1] == ["Smith 1040"]
    assert [h.count for h in state.heads] == [1, 1, 1, 0]


def test_a_move_the_service_refuses_becomes_a_sentence_and_the_columns_reload(firm, monkeypatch):
    root, state = board_state(monkeypatch, firm["carla"])
    assert [c.name for c in state.cards_0] == ["Smith 1040"]
    # Carla's screen cannot show Jones's job, but any browser can send any id.
    result = state.move_card(str(firm["jobs"]["b"]), firm["stages"][1])
    assert "do not have access" in str(result)
    with read_session() as s:
        assert jobs.get_job(s, firm["owner"], firm["jobs"]["b"]).stage_id == firm["stages"][0]
    assert state.move_card("not a number", "x") is None


def test_selected_cards_move_together(firm, monkeypatch):
    root, state = board_state(monkeypatch, firm["owner"])
    st = firm["stages"]
    state.toggle_selected(firm["jobs"]["a"], True)
    state.toggle_selected(firm["jobs"]["c"], True)
    result = state.move_selected(st[3])
    assert 'Moved 2 jobs to "Done"' in str(result)
    assert [h.count for h in state.heads] == [1, 0, 0, 2]
    assert sorted(c.name for c in state.cards_3) == ["Jones books", "Smith 1040"]
    assert state.selected == []


def test_show_more_appends_the_next_cards_to_that_column_only(firm, monkeypatch):
    with write_session() as s:
        pipe = make_pipeline(s, firm["owner"], name="Big", stages=("Todo", "Doing"))
        account = make_account(s, firm["owner"])
        for i in range(PAGE + 5):
            make_job(s, firm["owner"], account=account, pipeline=pipe, name=f"Job {i:03d}")
    root, state = board_state(monkeypatch, firm["owner"])
    state.pipeline_id = str(pipe.id)
    state._load_board()
    assert len(state.cards_0) == PAGE and state.heads[0].count == PAGE + 5
    root._clean()
    state.show_more(state.heads[0].id)
    assert len(state.cards_0) == PAGE + 5 and len({c.id for c in state.cards_0}) == PAGE + 5
    assert {n.removesuffix("_rx_state_") for n in root.get_delta()[state.get_full_name()]} == {"cards_0"}

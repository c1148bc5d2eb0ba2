"""The board's data: columns with counts and cards, filters in SQL, paging, visibility, and its query count."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from practice.db import get_engine, read_session, write_session
from practice.services.portal import client_tasks
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
            if i % 4 == 1:  # what the job waits on the client for is read in the cards' statement too
                client_tasks.create_client_task(s, boss, job.id, title="Upload your W-2")
                client_tasks.create_client_task(s, boss, job.id, title="Upload your 1099")
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
    assert [c.cards[0].waiting for c in cols] == [{}, {"client_task": 2}, {}, {}]
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


def names(state, slot: int) -> list[str]:
    return [c.name for c in state._cards_in(slot)]


def test_a_board_move_changes_only_the_two_columns_it_touched(firm, monkeypatch):
    """A move sends the two columns' id lists and the counts: no card data, no other column."""
    root, state = board_state(monkeypatch, firm["owner"])
    assert state.counts == [2, 0, 1, 0] and state.pipeline_id == str(firm["pipe"])
    root._clean()

    st = firm["stages"]
    state.move_card(str(firm["jobs"]["a"]), st[1])

    changed = set(root.get_delta()[state.get_full_name()])
    assert {n.removesuffix("_rx_state_") for n in changed} == {"counts", "ids_0", "ids_1"}
    assert names(state, 1) == ["Smith 1040"] and names(state, 0) == ["Jones 1040"]
    assert state.counts == [1, 1, 1, 0]


def test_a_move_the_service_refuses_becomes_a_sentence_and_the_columns_reload(firm, monkeypatch):
    root, state = board_state(monkeypatch, firm["carla"])
    assert names(state, 0) == ["Smith 1040"]
    # Carla's screen cannot show Jones's job, but any browser can send any id.
    result = state.move_card(str(firm["jobs"]["b"]), firm["stages"][1])
    assert "do not have access" in str(result)
    with read_session() as s:
        assert jobs.get_job(s, firm["owner"], firm["jobs"]["b"]).stage_id == firm["stages"][0]
    assert "not understood" in str(state.move_card("not a number", "x"))  # refused with a sentence, nothing moved


def test_selected_cards_move_together(firm, monkeypatch):
    root, state = board_state(monkeypatch, firm["owner"])
    st = firm["stages"]
    state.toggle_selected(firm["jobs"]["a"], True)
    state.toggle_selected(firm["jobs"]["c"], True)
    result = state.move_selected(st[3])
    assert 'Moved 2 jobs to "Done"' in str(result)
    assert state.counts == [1, 0, 0, 2]
    assert sorted(names(state, 3)) == ["Jones books", "Smith 1040"]
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
    assert len(state.ids_0) == PAGE and state.counts[0] == PAGE + 5
    root._clean()
    state.show_more(state.heads[0].id)
    assert len(names(state, 0)) == PAGE + 5 and len(set(state.ids_0)) == PAGE + 5
    changed = {n.removesuffix("_rx_state_") for n in root.get_delta()[state.get_full_name()]}
    assert "ids_0" in changed and not [n for n in changed if n.startswith("ids_") and n != "ids_0"]


def statements_and_steps(actor, pipeline_id: int) -> tuple[list[tuple[str, tuple]], int]:
    """The SQL statements one board load sends and the SQLite virtual-machine steps they take (a measure of
    the rows read that does not depend on how busy the machine is)."""
    sent: list[tuple[str, tuple]] = []
    steps = [0]

    def keep(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            sent.append((statement, parameters))

    def step() -> int:
        steps[0] += 1
        return 0

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", keep)
    try:
        with read_session() as s:
            raw = s.connection().connection.dbapi_connection
            raw.set_progress_handler(step, 100)
            try:
                load_board(s, actor, pipeline_id)
            finally:
                raw.set_progress_handler(None, 0)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    return sent, steps[0]


def plans(sent: list[tuple[str, tuple]]) -> list[list[str]]:
    with read_session() as s:
        raw = s.connection().connection.dbapi_connection
        return [[row[3] for row in raw.execute(f"EXPLAIN QUERY PLAN {sql}", params)] for sql, params in sent]


def a_big_pipeline(firm, n_jobs: int) -> int:
    """A generated pipeline of `n_jobs` jobs over 10 stages, each assigned to one of the firm's team."""
    from practice.services import demo

    with write_session() as s:
        return demo.generate_large(s, n_accounts=n_jobs // 10, n_jobs=n_jobs, pipeline_name="Generated")


def grow(pipeline_id: int, times: int) -> None:
    """Copy the pipeline's jobs (with their assignees) until it holds `times` as many, in the same accounts."""
    with write_session() as s:
        conn = s.connection()
        for _ in range(times - 1):
            top = conn.exec_driver_sql("SELECT max(id) FROM job").scalar()
            conn.exec_driver_sql(
                "INSERT INTO job (account_id, pipeline_id, stage_id, name, priority, due_date, archived, created_at, "
                "entered_stage_at, version, updated_at) SELECT account_id, pipeline_id, stage_id, name, priority, "
                "due_date, archived, created_at, entered_stage_at, version, updated_at FROM job WHERE pipeline_id = ? "
                "ORDER BY id", (pipeline_id,))
            first = conn.exec_driver_sql("SELECT min(id) FROM job WHERE id > ?", (top,)).scalar()
            originals = conn.exec_driver_sql("SELECT min(id) FROM job WHERE pipeline_id = ?", (pipeline_id,)).scalar()
            conn.exec_driver_sql(
                "INSERT INTO jobassignee (job_id, member_id) SELECT job_id - ? + ?, member_id FROM jobassignee "
                "WHERE job_id >= ? AND job_id <= ?", (originals, first, originals, top))


@pytest.mark.parametrize("who", ["owner", "bob"])
@pytest.mark.sqlite_only("counts SQLite's virtual machine steps (its progress handler) and reads its query plans")
def test_the_board_reads_as_much_on_a_pipeline_four_times_larger(firm, who):
    """The owner's and a restricted employee's board: the same 3 statements and about the same work at 600 and
    2,400 jobs (counts kept by the database, not counted over the pipeline)."""
    pipeline_id = a_big_pipeline(firm, 600)
    sent, small = statements_and_steps(firm[who], pipeline_id)
    grow(pipeline_id, 4)
    sent_big, big = statements_and_steps(firm[who], pipeline_id)
    assert len(sent) <= 3 and len(sent_big) <= 3
    assert big < small * 1.3, (small, big)


@pytest.mark.parametrize("who", ["owner", "bob"])
@pytest.mark.sqlite_only("counts SQLite's virtual machine steps (its progress handler) and reads its query plans")
def test_the_board_plans_the_same_with_or_without_statistics(firm, who):
    """The planner's statistics missing, stale or current: the board's statements run the same way, walking the
    board index per stage (never the whole job table), and a restricted employee's check is one key probe."""
    pipeline_id = a_big_pipeline(firm, 600)
    with write_session() as s:
        s.connection().exec_driver_sql("DROP TABLE IF EXISTS sqlite_stat1")
    sent, _ = statements_and_steps(firm[who], pipeline_id)
    without = plans(sent)
    with write_session() as s:
        s.connection().exec_driver_sql("ANALYZE")
    assert plans(sent) == without
    # Only the per-stage windows already read, the firm's handful of tags and each card's few waiting items (the
    # union of their kinds' index probes) are scanned.
    scans = [line for plan in without for line in plan if line.startswith("SCAN")
             and not line.startswith(("SCAN anon_", "SCAN tag", "SCAN waiting"))]
    assert scans == [], without
    if who == "bob":
        assert any("accountviewer" in line and "account_id=? AND member_id=?" in line for line in without[2])


def test_a_drop_on_a_board_of_500_cards_sends_under_2_kib(firm, monkeypatch):
    """Ten columns of 50 cards on screen: the drop's state update carries two id lists and the counts, no card."""
    from reflex.utils.format import json_dumps

    pipeline_id = a_big_pipeline(firm, 1000)
    root, state = board_state(monkeypatch, firm["owner"])
    state.pipeline_id = str(pipeline_id)
    state._load_board()
    assert sum(len(state._cards_in(slot)) for slot in range(10)) == 500
    root._clean()
    job_id = state.ids_0[0]
    state.move_card(str(job_id), state.heads[1].id)
    delta = root.get_delta()
    assert job_id in state.ids_1 and job_id not in state.ids_0
    assert len(json_dumps(delta).encode()) <= 2048, json_dumps(delta)[:300]

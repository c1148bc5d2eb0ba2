"""The Time page's state without a browser: time written down for an account (a bad duration gets its sentence), a
timer started and stopped (past the idle limit it asks first, and counting only up to the limit is kept), the work in
progress for someone who sees billing, and correcting an entry in its dialog and deleting one after confirming; a
timer on a task row of the Tasks page (a second task's stops the first, asking about idle time as the Time page
does)."""
from __future__ import annotations

import datetime as dt

import pytest
from reflex.istate.data import RouterData

from practice import routes
from practice.db import write_session
from practice.models import TimeEntry
from practice.services.billing import time
from practice.services.work import tasks
from practice.state.settings import SettingsState
from practice.state.tasks import TasksState
from practice.state.time_entries import JobTimerState, TimeState
from tests.factories import make_firm, make_household, make_job


def hartley(monkeypatch):
    with write_session() as s:
        staff = make_firm(s)
        account, _ = make_household(s, staff["owner"], "Hartley Household", "Hartley", ("June",))
        job = make_job(s, staff["owner"], account=account, name="2026 Tax return")
        time.set_member_rate(s, staff["owner"], staff["owner"].member_id, "100")
    who = {"actor": staff["owner"]}
    for cls in (TimeState, JobTimerState, SettingsState, TasksState):
        monkeypatch.setattr(cls, "_actor", lambda self: who["actor"])
    return {**staff, "account": account.id, "job": job.id}


pytestmark = pytest.mark.firm(build=hartley)


def time_page() -> TimeState:
    state = TimeState()
    state.load()
    return state


def with_account(state: TimeState) -> TimeState:
    state.search_accounts("hartley")
    state.choose_account(state.account_matches[0].value)
    return state


def test_time_written_down_shows_with_its_amount_and_in_work_in_progress(firm):
    state = with_account(time_page())
    day = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    state.add_entry({"work_date": day, "duration": "soon", "billable": "on", "note": "Call"})
    assert state.form_error == '"soon" is not a duration; write it like 1:30 or 1.5 (hours).' and state.rows == []
    state.add_entry({"work_date": day, "duration": "1:30", "billable": "on", "note": "Call"})
    assert state.form_error == ""
    assert [(r.account, r.duration, r.amount, r.note) for r in state.rows] == [("Hartley Household", "1:30", "$150.00",
                                                                                 "Call")]
    assert state.sees_wip and state.wip_total == "$150.00"
    # Corrected in its dialog, which opens with the entry's values: the total and the amount follow.
    state.edit_entry(state.rows[0].id)
    assert (state.entry_edit.duration, state.entry_edit.note, state.entry_edit.work_date) == ("1:30", "Call", day)
    state.save_entry({"work_date": day, "duration": "later", "billable": "on", "note": "Call back"})
    assert state.entry_edit_error.startswith('"later" is not a duration') and state.rows[0].duration == "1:30"
    state.save_entry({"work_date": day, "duration": "2:00", "billable": "on", "note": "Call back"})
    assert state.entry_edit.id == 0 and (state.rows[0].duration, state.rows[0].note) == ("2:00", "Call back")
    assert state.total == "Total 2:00 · $200.00" and state.wip_total == "$200.00"
    state.ask_delete_entry(state.rows[0].id)
    assert "2:00 of " in state.entry_delete_text and "Hartley Household" in state.entry_delete_text
    assert len(state.rows) == 1  # nothing goes before it is confirmed
    state.confirm_delete_entry()
    assert state.rows == [] and state.wip_total == "$0.00"


def at(state: TimeState, url: str) -> TimeState:
    """The page's load at an address, as the browser runs it after a link or a redirect."""
    state.router = RouterData.from_router_data({"pathname": routes.TIME, "asPath": url})
    state.load()
    return state


def test_a_dialog_opened_before_the_filters_redirect_loads_stays_open_and_entering_the_page_closes_it(firm):
    with write_session() as s:
        time.add_entry(s, firm["owner"], account_id=firm["account"], duration="1:00", note="Call",
                       work_date=dt.date.today() - dt.timedelta(days=1))
    state = with_account(time_page())  # the list is filtered at once; the redirect's load comes later
    state.edit_entry(state.rows[0].id)  # a person quick (or a browser slow) opens the entry before that load
    at(state, routes.time_url(firm["account"]))
    assert (state.entry_edit.duration, state.entry_edit.note) == ("1:00", "Call")
    assert [r.note for r in state.rows] == ["Call"]
    # Coming back to the same address later (a link, a reload) is entering the page: no dialog left open.
    at(state, routes.time_url(firm["account"]))
    assert state.entry_edit.id == 0
    state.edit_entry(state.rows[0].id)
    at(state, routes.time_url(firm["account"]))
    assert state.entry_edit.id == 0
    # A filter change whose load finds another address (the person went elsewhere) enters the page too.
    state.choose_member(str(firm["owner"].member_id))
    state.edit_entry(state.rows[0].id)
    at(state, routes.TIME)
    assert state.entry_edit.id == 0


def test_a_line_of_work_in_progress_is_billed_onto_a_new_draft_that_opens(firm):
    state = with_account(time_page())
    day = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    for duration in ("1:00", "0:30"):
        state.add_entry({"work_date": day, "duration": duration, "billable": "on", "note": ""})
    assert state.manages_billing and len(state.wip_rows) == 1
    answer = state.bill_work(state.wip_rows[0].key)
    assert state.error == "" and "/billing/invoices/" in str(answer)
    state = time_page()
    assert state.wip_rows == [] and {r.billed for r in state.rows} == {"Draft invoice"}
    state.bill_work(f"{firm['account']}:0")  # nothing left: a sentence, nothing billed twice
    assert state.error == "That time was already billed. Reload the page."


def test_a_timer_started_here_stops_and_past_the_idle_limit_asks_first(firm):
    state = with_account(time_page())
    state.start_timer()
    assert state.timer_running and state.timer_on == "Hartley Household"
    state = time_page()  # a reload still shows it
    assert state.timer_running
    with write_session() as s:
        time.set_idle_limit(s, firm["owner"], "30")
        running = s.query(TimeEntry).filter(TimeEntry.ended_at.is_(None)).one()
        running.started_at = running.started_at - dt.timedelta(hours=2)
    state.stop_timer()
    assert state.idle_open and "past the firm's limit" in state.idle_question and state.timer_running
    state.count_idle(False)
    assert not state.idle_open and not state.timer_running
    assert [r.duration for r in state.rows] == ["0:30"]


def job_timer(firm, monkeypatch) -> JobTimerState:
    monkeypatch.setattr(JobTimerState, "job_id", str(firm["job"]), raising=False)
    state = JobTimerState()
    state.load_job()
    return state


def test_the_job_page_timer_starts_here_stops_the_one_elsewhere_and_shows_after_a_reload(firm, monkeypatch):
    with_account(time_page()).start_timer()  # a timer on the account, not on the job
    state = job_timer(firm, monkeypatch)
    assert state.tracks and not state.here and state.elsewhere == "Hartley Household"
    state.start()
    assert state.here and state.since and state.elsewhere == ""
    assert job_timer(firm, monkeypatch).here  # reloaded
    page = time_page()
    assert page.timer_on == "2026 Tax return" and [r.duration for r in page.rows].count("running") == 1
    state.stop_timer()
    assert not state.here and not time_page().timer_running


def test_the_idle_limit_is_a_firm_setting_and_a_bad_one_gets_a_sentence(firm):
    settings = SettingsState()
    settings.load()
    assert settings.idle_limit == "240"
    form = {"name": settings.firm_name, "timezone": settings.timezone, "language": "en", "chat_delay": "5",
            "payment_instructions": "", "idle_limit": "soon"}
    settings.save_firm(form)
    assert settings.firm_error == "Write the idle limit in whole minutes, like 240."
    settings.save_firm({**form, "idle_limit": "45"})
    assert settings.firm_error == "" and settings.idle_limit == "45"


def test_a_timer_on_a_task_row_stops_the_first_and_asks_about_idle_time_past_the_limit(firm):
    with write_session() as s:
        first, second = (tasks.create_task(s, firm["owner"], title=title, job_id=firm["job"],
                                           assignee_id=firm["owner"].member_id).id
                         for title in ("Gather W-2s", "Call June"))
    page = TasksState()
    page.load()
    assert page.tracks_time and page.timer_task == 0
    page.start_task_timer(first)
    assert page.error == "" and page.timer_task == first
    page.start_task_timer(second)
    assert page.timer_task == second
    assert [r.duration for r in time_page().rows] == ["running", "0:01"]  # the first stopped, counted a minute
    with write_session() as s:
        time.set_idle_limit(s, firm["owner"], "30")
        running = s.query(TimeEntry).filter(TimeEntry.ended_at.is_(None)).one()
        running.started_at = running.started_at - dt.timedelta(hours=2)
    page.start_task_timer(first)
    assert page.idle_open and "past the firm's limit" in page.idle_question and page.timer_task == second
    page.count_idle(False)  # the answer counts the second task's half hour, then starts the first's timer
    assert not page.idle_open and page.timer_task == first
    assert [r.duration for r in time_page().rows][:2] == ["running", "0:30"]


def test_answering_the_idle_question_on_the_job_page_starts_the_timer_that_was_asked_for(firm, monkeypatch):
    def two_hours_ago():
        with write_session() as s:
            running = s.query(TimeEntry).filter(TimeEntry.ended_at.is_(None)).one()
            running.started_at = running.started_at - dt.timedelta(hours=2)

    with write_session() as s:
        time.set_idle_limit(s, firm["owner"], "30")
    with_account(time_page()).start_timer()
    two_hours_ago()
    state = job_timer(firm, monkeypatch)
    state.start()
    assert state.idle_open and not state.here
    state.set_idle_open(False)  # closing the question starts nothing and counts nothing
    assert not state.here and time_page().timer_on == "Hartley Household"
    state.start()
    state.count_idle(False)
    assert not state.idle_open and state.here
    assert [r.duration for r in time_page().rows] == ["running", "0:30"]
    two_hours_ago()
    state.stop_timer()
    assert state.idle_open
    state.count_idle(True)  # a stop: all two hours counted, nothing started
    assert not state.here and not time_page().timer_running
    assert sorted(r.duration for r in time_page().rows) == ["0:30", "2:00"]

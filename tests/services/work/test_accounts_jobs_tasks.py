"""Accounts, jobs and tasks as the account, job and task pages use them: who may see what, lists, links."""
import datetime as dt

import pytest

from practice.db import read_session, write_session
from practice.services.work import accounts, audit_history, jobs, tags, tasks
from practice.services.errors import InvalidInput, PermissionDenied
from practice.state.work_views import parse_date, parse_id
from tests.factories import actor_of, make_account, make_firm, make_job, make_member, make_pipeline, make_tag


def hartley_with_a_job_and_a_task(monkeypatch):
    """An owner, two employees (Erin sees only her accounts), and one account with a job and a task."""
    with write_session() as s:
        staff = make_firm(s, employees={"erin": "Erin Employee", "frank": "Frank Employee"})
        o = staff["owner"]
        pipeline = make_pipeline(s, o, name="1040 Return")
        account = make_account(s, o, name="Hartley Household")
        job = make_job(s, o, account=account, pipeline=pipeline, name="1040 Return 2025")
        task = tasks.create_task(s, o, title="Call about W-2", job_id=job.id, assignee_id=o.member_id)
        return {**staff, "pipeline": pipeline.id, "account": account.id, "job": job.id, "task": task.id}


pytestmark = pytest.mark.firm(build=hartley_with_a_job_and_a_task)


def test_an_employee_cannot_read_another_teams_account_job_or_task(firm):
    erin = firm["erin"]
    with read_session() as s:
        with pytest.raises(PermissionDenied, match="Ask an admin to add you"):
            accounts.get_account(s, erin, firm["account"])
        with pytest.raises(PermissionDenied):
            jobs.get_job(s, erin, firm["job"])
        with pytest.raises(PermissionDenied):
            tasks.get_task(s, erin, firm["task"])
        with pytest.raises(PermissionDenied):
            tasks.comments_of(s, erin, firm["task"])
        assert tasks.list_tasks(s, erin, mine=False, status="all") == []
    with write_session() as s, pytest.raises(PermissionDenied):
        jobs.move_job(s, erin, firm["job"], jobs.get_job(s, firm["owner"], firm["job"]).stage_id + 1)


def test_an_employee_added_to_the_account_team_can_read_it(firm):
    erin = firm["erin"]
    with write_session() as s:
        accounts.add_team_member_to_account(s, firm["owner"], firm["account"], erin.member_id)
    with read_session() as s:
        assert accounts.get_account(s, erin, firm["account"]).name == "Hartley Household"
        assert jobs.get_job(s, erin, firm["job"]).name == "1040 Return 2025"
        assert tasks.get_task(s, erin, firm["task"]).title == "Call about W-2"
        assert [t["title"] for t in tasks.list_tasks(s, erin, mine=False, status="all")] == ["Call about W-2"]
        with pytest.raises(PermissionDenied):  # Frank is still outside the team
            accounts.get_account(s, firm["frank"], firm["account"])


def test_only_admins_add_people_to_an_account_team(firm):
    with write_session() as s, pytest.raises(PermissionDenied):
        accounts.add_team_member_to_account(s, firm["erin"], firm["account"], firm["erin"].member_id)


def test_task_list_mine_all_and_status_filters(firm):
    owner, erin = firm["owner"], firm["erin"]
    with write_session() as s:
        accounts.add_team_member_to_account(s, owner, firm["account"], erin.member_id)
        erins = tasks.create_task(s, owner, title="Scan receipts", job_id=firm["job"], assignee_id=erin.member_id,
                                  due_date=dt.date(2030, 1, 5))
        done = tasks.create_task(s, owner, title="Send engagement letter", job_id=firm["job"],
                                 assignee_id=owner.member_id)
        tasks.set_status(s, owner, done.id, "completed")
        tasks.set_status(s, erin, erins.id, "waiting_for_client")
    with read_session() as s:
        titles = lambda **kw: sorted(t["title"] for t in tasks.list_tasks(s, owner, **kw))  # noqa: E731
        assert titles(mine=True, status="open") == ["Call about W-2"]
        assert titles(mine=False, status="open") == ["Call about W-2", "Scan receipts"]
        assert titles(mine=True, status="completed") == ["Send engagement letter"]
        assert titles(mine=False, status="waiting_for_client") == ["Scan receipts"]
        assert titles(mine=False, status="all") == ["Call about W-2", "Scan receipts", "Send engagement letter"]
        assert [t["title"] for t in tasks.list_tasks(s, erin, mine=True, status="open")] == ["Scan receipts"]
        with pytest.raises(InvalidInput):
            tasks.list_tasks(s, owner, status="someday")


def test_completing_a_task_records_when_and_reopening_clears_it(firm):
    with write_session() as s:
        task = tasks.set_status(s, firm["owner"], firm["task"], "completed")
        assert task.completed_at is not None
        task = tasks.set_status(s, firm["owner"], firm["task"], "in_progress")
        assert task.completed_at is None


def test_subtasks_follow_their_parent_and_comments_name_their_author(firm):
    owner = firm["owner"]
    with write_session() as s:
        sub = tasks.create_task(s, owner, title="Find last year's return", parent_id=firm["task"])
        tasks.add_comment(s, owner, firm["task"], "Left a voicemail.")
        with pytest.raises(InvalidInput, match="Write something"):
            tasks.add_comment(s, owner, firm["task"], "   ")
    with read_session() as s:
        subs = tasks.subtasks_of(s, owner, firm["task"])
        assert [t.title for t in subs] == ["Find last year's return"]
        assert subs[0].job_id == firm["job"] and subs[0].account_id == firm["account"]
        assert [(c.body, who) for c, who in tasks.comments_of(s, owner, firm["task"])] == [
            ("Left a voicemail.", "Olivia Park")]
        assert tasks.get_task(s, owner, sub.id).parent_id == firm["task"]


def test_contacts_are_created_linked_found_and_unlinked(firm):
    owner = firm["owner"]
    with write_session() as s:
        june = accounts.create_contact(s, owner, account_ids=[firm["account"]], first_name="June",
                                       last_name="Hartley", email="June@Hartley.example", city="Boston")
        other = make_account(s, owner, name="Hartley Bakery")
        accounts.link_contact(s, owner, other.id, june.id)
        accounts.link_contact(s, owner, other.id, june.id)  # twice is once
        other_id = other.id
    with read_session() as s:
        assert [c.email for c in accounts.contacts_of(s, owner, other_id)] == ["june@hartley.example"]
        rows, total = accounts.list_contacts(s, owner, search="june")
        assert total == 1 and sorted(name for _, name in rows[0][1]) == ["Hartley Bakery", "Hartley Household"]
        history = [e.summary for e in audit_history.list_entries(s, owner, entity="account", entity_id=other_id)]
        assert history.count("Linked contact June Hartley") == 1
    with write_session() as s:
        accounts.link_contact(s, owner, other_id, june.id, linked=False)
    with read_session() as s:
        assert accounts.contacts_of(s, owner, other_id) == []


def test_an_employee_cannot_link_a_contact_of_an_account_they_do_not_see(firm):
    owner, erin = firm["owner"], firm["erin"]
    with write_session() as s:
        june = accounts.create_contact(s, owner, account_ids=[firm["account"]], first_name="June")
        mine = make_account(s, erin, name="Erin's client")
        mine_id, june_id = mine.id, june.id
    with write_session() as s, pytest.raises(PermissionDenied):
        accounts.link_contact(s, erin, mine_id, june_id)
    with read_session() as s:
        rows, total = accounts.list_contacts(s, erin, search="june")
        assert total == 0 and rows == []


def test_moving_a_job_leaves_a_history_line_naming_who_moved_it(firm):
    owner = firm["owner"]
    with write_session() as s:
        job = jobs.move_job_to_next_stage(s, owner, firm["job"])
        stage_id = job.stage_id
    with read_session() as s:
        entries = audit_history.list_entries(s, owner, entity="job", entity_id=firm["job"])
        assert entries[0].summary == 'Moved "1040 Return 2025" from "Onboarding" to "Preparation"'
        assert entries[0].actor_label == "Olivia Park"
        assert jobs.get_job(s, owner, firm["job"]).stage_id == stage_id


def test_job_dates_assignees_tags_and_archiving(firm):
    owner, erin = firm["owner"], firm["erin"]
    with write_session() as s:
        jobs.update_job(s, owner, firm["job"], start_date=dt.date(2030, 2, 1), due_date=dt.date(2030, 4, 15),
                        priority="High")
    # A refused change rolls back its whole transaction, as the pages' run() does.
    with pytest.raises(InvalidInput, match="before the start date"), write_session() as s:
        jobs.update_job(s, owner, firm["job"], due_date=dt.date(2030, 1, 1))
    # And it leaves the row as it was even for a caller that catches the error and goes on.
    with write_session() as s:
        with pytest.raises(InvalidInput, match="before the start date"):
            jobs.update_job(s, owner, firm["job"], name="Renamed", due_date=dt.date(2030, 1, 1), priority="Low")
        job = jobs.get_job(s, owner, firm["job"])
        assert (job.name, job.due_date, job.priority.value) == ("1040 Return 2025", dt.date(2030, 4, 15), "High")
    with write_session() as s:
        tag = make_tag(s, owner, name="Extension")
        jobs.set_job_tag(s, owner, firm["job"], tag.id, True)
        tag_id = tag.id
        jobs.assign_job(s, owner, firm["job"], [erin.member_id])
        jobs.archive_job(s, owner, firm["job"])
    with read_session() as s:
        job = jobs.get_job(s, owner, firm["job"])
        assert (job.due_date, job.priority.value, job.archived) == (dt.date(2030, 4, 15), "High", True)
        assert [m.name for m in jobs.assignees_of(s, job.id)] == ["Erin Employee"]
        assert tags.tag_ids_of(s, "job", job.id) == [tag_id]
        # Assignment alone lets an employee see the job's account.
        assert jobs.get_job(s, erin, firm["job"]).id == firm["job"]
        assert [c[0] for c in jobs.job_choices(s, owner)] == []  # archived jobs are not offered


def test_job_choices_offer_only_visible_active_jobs(firm):
    with write_session() as s:
        mine = make_account(s, firm["erin"], name="Erin's client")
        make_job(s, firm["owner"], account=mine, name="Bookkeeping March")
    with read_session() as s:
        assert [(name, account) for _, name, account in jobs.job_choices(s, firm["erin"])] == [
            ("Bookkeeping March", "Erin's client")]
        assert len(jobs.job_choices(s, firm["owner"])) == 2


def test_form_values_are_parsed_with_a_sentence_for_bad_input():
    assert parse_date("2030-04-15") == dt.date(2030, 4, 15)
    assert parse_date("") is None
    with pytest.raises(InvalidInput) as refused:
        parse_date("15/04/2030", "due date")
    error = str(refused.value)
    assert "is not a due date" in error and "YYYY-MM-DD" in error
    assert parse_id("12") == 12 and parse_id("x") is None and parse_id(-3) is None and parse_id(None) is None


def test_page_handlers_answer_junk_from_the_browser_with_sentences(firm, monkeypatch):
    # Any browser can call any handler with any arguments; each one must coerce and explain, never crash.
    from practice.state.account import AccountState
    from practice.state.job import JobState
    from practice.state.tasks import TasksState

    for cls in (AccountState, JobState, TasksState):
        monkeypatch.setattr(cls, "_actor", lambda self: firm["owner"])
    account = AccountState()
    account.acct_id = firm["account"]
    account.create_job({"pipeline": "abc"})
    assert account.job_error == "Choose the pipeline the job goes through."
    account.create_job({"pipeline": str(firm["pipeline"]), "name": "Advisory", "due_date": "31/12/2030"})
    assert "is not a due date" in account.job_error
    account.add_contact({"first_name": ["Al"], "email": "not-an-email"})
    assert account.contact_error == '"not-an-email" is not an email address.'
    account.remove_tag("zzz")
    account.link_contact({"id": 1})
    account.add_tag(None)
    assert account.error == "Choose a tag to add."

    job = JobState()
    job.jid = firm["job"]
    job.move_to("next please")
    assert job.error == "Choose a stage to move the job to."
    job.save_details({"priority": "Urgent"})
    assert job.error == "Choose Low, Medium or High as the priority."
    job.set_task_status("1", "done-ish")
    assert job.task_error == "Choose one of the listed statuses."

    task_list = TasksState()
    task_list.set_status_filter({"status": "all"})
    assert task_list.status_filter == "open"
    task_list.set_scope(["all"])
    assert task_list.mine is True
    task_list.create({"title": "Chase the bank", "due_date": "soon"})
    assert "is not a due date" in task_list.form_error


def test_search_folds_case_beyond_ascii(fresh_db):
    """"MÜLLER" finds "Müller GmbH" and "ÉLODIE" finds Élodie: SQLite's own lower() would miss both."""
    with write_session() as s:
        owner = actor_of(make_member(s, role="owner"))
        gmbh = make_account(s, owner, name="Müller GmbH")
        accounts.create_contact(s, owner, account_ids=[gmbh.id], first_name="Élodie", last_name="Dürr",
                                email="elodie@example.com")
        make_account(s, owner, name="Mueller Farms")
    with read_session() as s:
        rows, total = accounts.list_accounts(s, owner, search="MÜLLER")
        assert [r.name for r in rows] == ["Müller GmbH"] and total == 1
        rows, _ = accounts.list_accounts(s, owner, search="élodie dÜrr")
        assert [r.name for r in rows] == ["Müller GmbH"]


def _plans_of(call) -> list[str]:
    """The query plans (SQLite) of the statements `call` sends."""
    from sqlalchemy import event

    from practice.db import get_engine

    sent = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            sent.append((statement, parameters))

    event.listen(get_engine(), "before_cursor_execute", keep)
    try:
        with read_session() as s:
            call(s)
    finally:
        event.remove(get_engine(), "before_cursor_execute", keep)
    with read_session() as s:
        raw = s.connection().connection.dbapi_connection
        return [row[3] for sql, params in sent for row in raw.execute(f"EXPLAIN QUERY PLAN {sql}", params)]


@pytest.mark.sqlite_only("reads SQLite's query plans")
def test_an_employees_accounts_and_contacts_lists_find_their_accounts_once_not_by_probing_each(firm):
    """Erin works on one account (her team) and one job of another: the Accounts and Contacts lists show those two of
    the firm's seven (and a shared contact's other account is not named to her), and their statements find her accounts once (a list of ids) instead of asking, for every account
    of the firm, whether she is on its team or one of its jobs (15 times the work at 5,000 accounts: benchmarks)."""
    owner, erin = firm["owner"], firm["erin"]
    with write_session() as s:
        others = [make_account(s, owner, name=f"Other {n}") for n in range(5)]
        team = make_account(s, owner, name="Team Account")
        accounts.add_team_member_to_account(s, owner, team.id, erin.member_id)
        job = make_job(s, owner, account=others[0], pipeline=None, name="Assigned")
        jobs.assign_job(s, owner, job.id, [erin.member_id])
        for account in (team, others[0], others[1]):
            accounts.create_contact(s, owner, account_ids=[account.id], first_name="C", last_name=account.name)
        # A contact of her team's account and of one she does not see: she sees the contact, not the other account.
        accounts.create_contact(s, owner, account_ids=[team.id, others[2].id], first_name="Shared", last_name="Zed")
    with read_session() as s:
        rows, total = accounts.list_accounts(s, erin)
        assert ([r.name for r in rows], total) == (["Other 0", "Team Account"], 2)
        assert len(accounts.list_accounts(s, owner)[0]) == 7
        contacts, count = accounts.list_contacts(s, erin)
        assert sorted((c.last_name, [name for _id, name in links]) for c, links in contacts) == [
            ("Other 0", ["Other 0"]), ("Team Account", ["Team Account"]), ("Zed", ["Team Account"])] and count == 3
        assert [name for c, links in accounts.list_contacts(s, owner)[0] if c.last_name == "Zed"
                for _id, name in links] == ["Team Account", "Other 2"]
    for call in (lambda s: accounts.list_accounts(s, erin), lambda s: accounts.list_contacts(s, erin)):
        correlated = [p for p in _plans_of(call) if "CORRELATED" in p]
        assert not correlated, correlated

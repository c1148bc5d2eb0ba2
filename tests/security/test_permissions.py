"""Who may see and change what: employees see their accounts only; admin and owner powers are guarded;
every write names its actor in the audit log."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import func, select

from practice.db import read_session, write_session
from practice.models import AccountTeam, AuditLog, Job, Role, TeamMember
from practice.services import events, firm
from practice.services.access import auth, team
from practice.services.work import accounts, audit_history, board, catalog, jobs, pipelines, tags, tasks
from practice.services.errors import PermissionDenied
from practice.services.work.pipelines import stages_of
from practice.worker import tasks as worker_tasks
from tests.factories import PASSWORD, actor_of, make_account, make_job, make_member, make_pipeline, make_tag


@pytest.fixture
def firm_data(fresh_db):
    """Owner, admin, two employees (one with view-all) and three accounts in one pipeline:
    `team` has Emma on its team, `assigned` has a job assigned to Emma, `other` has nothing of hers."""
    events.set_doorbell(lambda ids: None)
    with write_session() as s:
        owner = make_member(s, role="owner", name="Olga Owner")
        admin = make_member(s, role="admin", name="Adam Admin")
        emma = make_member(s, role="employee", name="Emma Employee")
        vera = make_member(s, role="employee", name="Vera Viewall", can_view_all_accounts=True)
        boss = actor_of(owner)
        pipeline = make_pipeline(s, boss)
        tag = make_tag(s, boss)
        on_team = make_account(s, boss, name="Team Account", team_member_ids=[emma.id])
        assigned = make_account(s, boss, name="Assigned Account")
        other = make_account(s, boss, name="Other Account")
        team_job = make_job(s, boss, account=on_team, pipeline=pipeline, assignee_ids=[owner.id])
        assigned_job = make_job(s, boss, account=assigned, pipeline=pipeline, assignee_ids=[emma.id])
        other_job = make_job(s, boss, account=other, pipeline=pipeline, assignee_ids=[admin.id])
        jobs.set_job_tag(s, boss, other_job.id, tag.id, True)
        jobs.set_job_tag(s, boss, team_job.id, tag.id, True)
        other_task = tasks.create_task(s, boss, title="Other account's task", job_id=other_job.id,
                                       assignee_id=admin.id)
        team_task = tasks.create_task(s, boss, title="Team account's task", account_id=on_team.id,
                                      assignee_id=admin.id)
        own_task = tasks.create_task(s, boss, title="Emma's own to-do", assignee_id=emma.id)
        stage_ids = [st.id for st in stages_of(s, pipeline.id)]
    yield {
        "owner": actor_of(owner), "admin": actor_of(admin), "emma": actor_of(emma), "vera": actor_of(vera),
        "pipeline": pipeline.id, "tag": tag.id, "stages": stage_ids,
        "accounts": {"team": on_team.id, "assigned": assigned.id, "other": other.id},
        "jobs": {"team": team_job.id, "assigned": assigned_job.id, "other": other_job.id},
        "tasks": {"team": team_task.id, "other": other_task.id, "own": own_task.id},
    }
    events.set_doorbell(worker_tasks.ring_doorbell)


def _visible_account_ids(actor) -> set[int]:
    with read_session() as s:
        rows, total = accounts.list_accounts(s, actor)
    assert total == len(rows)
    return {r.id for r in rows}


def _board_job_ids(actor, pipeline_id, **filters) -> tuple[set[int], int]:
    with read_session() as s:
        columns = board.load_board(s, actor, pipeline_id, **filters)
    return {c.id for col in columns for c in col.cards}, sum(col.count for col in columns)


def test_an_employee_without_view_all_sees_only_its_accounts(firm_data):
    a, emma = firm_data["accounts"], firm_data["emma"]
    assert _visible_account_ids(emma) == {a["team"], a["assigned"]}
    with read_session() as s:
        assert accounts.get_account(s, emma, a["team"]).name == "Team Account"
        assert accounts.get_account(s, emma, a["assigned"]).name == "Assigned Account"
        with pytest.raises(PermissionDenied):
            accounts.get_account(s, emma, a["other"])
        with pytest.raises(PermissionDenied):
            jobs.get_job(s, emma, firm_data["jobs"]["other"])
        with pytest.raises(PermissionDenied):
            accounts.contacts_of(s, emma, a["other"])
        with pytest.raises(PermissionDenied):
            jobs.jobs_of_account(s, emma, a["other"])


@pytest.mark.parametrize("who", ["owner", "admin", "vera"])
def test_admins_and_view_all_employees_see_every_account(firm_data, who):
    assert _visible_account_ids(firm_data[who]) == set(firm_data["accounts"].values())
    ids, total = _board_job_ids(firm_data[who], firm_data["pipeline"])
    assert ids == set(firm_data["jobs"].values()) and total == 3


def test_the_board_shows_an_employee_only_its_jobs_and_counts(firm_data):
    j, emma, pipeline = firm_data["jobs"], firm_data["emma"], firm_data["pipeline"]
    ids, total = _board_job_ids(emma, pipeline)
    assert ids == {j["team"], j["assigned"]} and total == 2
    # Filters narrow within what is visible; they never widen it.
    assert _board_job_ids(emma, pipeline, tag_id=firm_data["tag"]) == ({j["team"]}, 1)
    admin_id = firm_data["admin"].member_id
    assert _board_job_ids(emma, pipeline, assignee_id=admin_id) == (set(), 0)
    assert _board_job_ids(firm_data["owner"], pipeline, assignee_id=admin_id) == ({j["other"]}, 1)
    with read_session() as s:
        more = board.load_more(s, emma, pipeline, firm_data["stages"][0], 0)
    assert {c.id for c in more} == {j["team"], j["assigned"]}


def test_the_task_list_hides_tasks_of_accounts_an_employee_cannot_see(firm_data):
    t, emma = firm_data["tasks"], firm_data["emma"]
    with read_session() as s:
        listed = {row["id"] for row in tasks.list_tasks(s, emma, mine=False, status="all")}
        mine = {row["id"] for row in tasks.list_tasks(s, emma, mine=True, status="all")}
        everything = {row["id"] for row in tasks.list_tasks(s, firm_data["admin"], mine=False, status="all")}
        with pytest.raises(PermissionDenied):
            tasks.get_task(s, emma, t["other"])
        tasks.get_task(s, emma, t["own"])
    assert t["other"] not in listed and {t["team"], t["own"]} <= listed
    assert mine == {t["own"]}
    assert set(t.values()) <= everything


def test_a_task_assigned_to_an_employee_is_theirs_to_see_and_open_whatever_its_account(firm_data):
    """One rule for the list and the task itself: what the list shows can be opened."""
    emma = firm_data["emma"]
    with write_session() as s:
        other_job = jobs.get_job(s, firm_data["owner"], firm_data["jobs"]["other"])
        task = tasks.create_task(s, firm_data["owner"], title="Emma helps on the other account",
                                 job_id=other_job.id, assignee_id=emma.member_id)
        task_id = task.id
    with read_session() as s:
        assert task_id in {row["id"] for row in tasks.list_tasks(s, emma, mine=False, status="all")}
        assert tasks.get_task(s, emma, task_id).title == "Emma helps on the other account"
        with pytest.raises(PermissionDenied):  # the account itself stays out of reach
            accounts.get_account(s, emma, other_job.account_id)
    with write_session() as s:
        tasks.set_status(s, emma, task_id, "completed")


def test_an_employee_cannot_move_or_change_other_accounts_jobs(firm_data):
    j, emma, stages = firm_data["jobs"], firm_data["emma"], firm_data["stages"]
    for attempt in (
        lambda s: jobs.move_jobs(s, emma, [j["team"], j["other"]], stages[1]),
        lambda s: jobs.move_jobs(s, emma, [j["other"]], stages[1]),
        lambda s: jobs.move_job(s, emma, j["other"], stages[1]),
        lambda s: jobs.update_job(s, emma, j["other"], name="Mine now"),
        lambda s: jobs.archive_job(s, emma, j["other"]),
        lambda s: jobs.assign_job(s, emma, j["other"], [emma.member_id]),
        lambda s: jobs.create_job(s, emma, account_id=firm_data["accounts"]["other"],
                                  pipeline_id=firm_data["pipeline"], name="Sneaky"),
        lambda s: tasks.create_task(s, emma, title="Sneaky", job_id=j["other"]),
        lambda s: accounts.update_account(s, emma, firm_data["accounts"]["other"], name="Mine"),
    ):
        with pytest.raises(PermissionDenied):
            with write_session() as s:
                attempt(s)
    with read_session() as s:
        assert {s.get(Job, i).stage_id for i in j.values()} == {stages[0]}
        assert s.get(Job, j["other"]).version == 1
    # The same bulk move limited to its own jobs goes through.
    with write_session() as s:
        assert jobs.move_jobs(s, emma, [j["team"], j["assigned"]], stages[1]) == 2


@pytest.mark.parametrize("who", ["emma", "vera"])
def test_admin_only_services_refuse_employees(firm_data, who):
    actor = firm_data[who]
    for attempt in (
        lambda s: pipelines.create_pipeline(s, actor, name="Mine", stages=["One"]),
        lambda s: pipelines.rename_pipeline(s, actor, firm_data["pipeline"], "Renamed"),
        lambda s: pipelines.add_stage(s, actor, firm_data["pipeline"], "Extra"),
        lambda s: pipelines.delete_stage(s, actor, firm_data["stages"][-1]),
        lambda s: tags.create_tag(s, actor, name="Mine"),
        lambda s: catalog.create_service(s, actor, name="Mine", rate_cents=100),
        lambda s: firm.update_firm(s, actor, name="Mine", timezone="UTC"),
        lambda s: accounts.add_team_member_to_account(s, actor, firm_data["accounts"]["other"], actor.member_id),
        lambda s: audit_history.list_entries(s, actor),
        lambda s: team.add_member(s, actor, name="Eve", email="eve@example.com", password=PASSWORD),
        lambda s: team.set_role(s, actor, actor.member_id, Role.owner),
    ):
        with pytest.raises(PermissionDenied):
            with write_session() as s:
                attempt(s)
    with read_session() as s:
        assert s.get(AccountTeam, (firm_data["accounts"]["other"], actor.member_id)) is None


def test_owner_only_services_refuse_admins(firm_data):
    admin = firm_data["admin"]
    with pytest.raises(PermissionDenied):
        with write_session() as s:
            team.add_member(s, admin, name="Eve", email="eve@example.com", password=PASSWORD)
    with pytest.raises(PermissionDenied):
        with write_session() as s:
            team.set_role(s, admin, admin.member_id, Role.owner)
    with write_session() as s:  # but admin-only ones are open to admins
        tags.create_tag(s, admin, name="Admin's tag")
        team.add_member(s, firm_data["owner"], name="Eve", email="eve@example.com", password=PASSWORD)


def _audit_rows_by(actor) -> int:
    with read_session() as s:
        return s.exec(select(func.count()).select_from(AuditLog).where(
            AuditLog.actor_id == actor.member_id, AuditLog.actor_label == actor.name)).one()


def test_every_write_leaves_an_audit_row_naming_the_actor(firm_data):
    emma, owner, j, stages = firm_data["emma"], firm_data["owner"], firm_data["jobs"], firm_data["stages"]
    team_account, tag = firm_data["accounts"]["team"], firm_data["tag"]
    state: dict = {}

    def new_contact(s):
        state["contact"] = accounts.create_contact(s, emma, account_ids=[team_account], first_name="Cara").id

    def new_task(s):
        state["task"] = tasks.create_task(s, emma, title="Call", job_id=j["team"]).id

    writes = [
        ("create account", emma, lambda s: accounts.create_account(s, emma, name="Emma's client")),
        ("update account", emma, lambda s: accounts.update_account(s, emma, team_account, notes="Busy")),
        ("tag account", emma, lambda s: accounts.set_account_tag(s, emma, team_account, tag, True)),
        ("create contact", emma, new_contact),
        ("update contact", emma, lambda s: accounts.update_contact(s, emma, state["contact"], phone="555")),
        ("unlink contact", emma, lambda s: accounts.link_contact(s, emma, team_account, state["contact"], False)),
        ("create job", emma, lambda s: jobs.create_job(s, emma, account_id=team_account,
                                                        pipeline_id=firm_data["pipeline"], name="New")),
        ("move job", emma, lambda s: jobs.move_job(s, emma, j["team"], stages[1])),
        ("bulk move", emma, lambda s: jobs.move_jobs(s, emma, [j["team"], j["assigned"]], stages[2])),
        ("update job", emma, lambda s: jobs.update_job(s, emma, j["team"], due_date=dt.date(2030, 1, 1))),
        ("assign job", emma, lambda s: jobs.assign_job(s, emma, j["team"], [emma.member_id])),
        ("tag job", emma, lambda s: jobs.set_job_tag(s, emma, j["assigned"], tag, True)),
        ("archive job", emma, lambda s: jobs.archive_job(s, emma, j["assigned"])),
        ("create task", emma, new_task),
        ("task status", emma, lambda s: tasks.set_status(s, emma, state["task"], "completed")),
        ("update task", emma, lambda s: tasks.update_task(s, emma, state["task"], title="Call back")),
        ("comment", emma, lambda s: tasks.add_comment(s, emma, state["task"], "Done")),
        ("create pipeline", owner, lambda s: pipelines.create_pipeline(s, owner, name="New one", stages=["A", "B"])),
        ("add stage", owner, lambda s: pipelines.add_stage(s, owner, firm_data["pipeline"], "Extra")),
        ("create tag", owner, lambda s: tags.create_tag(s, owner, name="Fresh")),
        ("create service", owner, lambda s: catalog.create_service(s, owner, name="Audit", rate_cents=1)),
        ("update firm", owner, lambda s: firm.update_firm(s, owner, name="Firm", timezone="UTC")),
        ("add member", owner, lambda s: team.add_member(s, owner, name="Eve", email="eve@example.com",
                                                        password=PASSWORD)),
        ("set role", owner, lambda s: team.set_role(s, owner, emma.member_id, Role.employee,
                                                    can_view_all_accounts=False)),
    ]
    for label, actor, write in writes:
        before = _audit_rows_by(actor)
        with write_session() as s:
            write(s)
        assert _audit_rows_by(actor) > before, f"{label} left no audit row naming {actor.name}"


def test_logins_and_failed_logins_are_audited(firm_data):
    with read_session() as s:
        emma = s.get(TeamMember, firm_data["emma"].member_id)
    with write_session() as s:
        sid, _ = auth.log_in(s, emma.email, PASSWORD)
    with pytest.raises(PermissionDenied):
        with write_session() as s:
            auth.log_in(s, emma.email, "wrong password")
    with write_session() as s:
        auth.log_out(s, sid)
    with read_session() as s:
        actions = list(s.exec(select(AuditLog.action).where(AuditLog.entity == "team_member",
                                                            AuditLog.entity_id == emma.id).order_by(AuditLog.id)))
    # The failed attempt's row survives the rollback of the transaction that refused the login.
    assert actions[-3:] == ["login", "login_failed", "logout"]

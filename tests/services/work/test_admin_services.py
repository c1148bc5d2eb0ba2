"""The services behind the staff admin pages: pipelines, team, firm settings, catalog, tags, audit log."""
import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import Event, Job, Role, TeamMember
from practice.services import audit, firm
from practice.services.access import team
from practice.services.work import audit_history, catalog, pipelines, tags
from practice.services.access.auth import log_in
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.factories import actor_of, make_account, make_job, make_member, make_pipeline, make_tag


@pytest.fixture
def people(fresh_db):
    """An owner, an admin and an employee, as actors."""
    with write_session() as s:
        return {role: actor_of(make_member(s, role=role)) for role in ("owner", "admin", "employee")}


def stage_names(pipeline_id):
    with read_session() as s:
        return [st.name for st in pipelines.stages_of(s, pipeline_id)]


# --- pipelines -----------------------------------------------------------------------------------

def test_admin_creates_a_pipeline_with_stages_in_order(people):
    with write_session() as s:
        p = pipelines.create_pipeline(s, people["admin"], name=" Tax Planning ", stages=["Intake", "Plan", "Deliver"])
    assert stage_names(p.id) == ["Intake", "Plan", "Deliver"]
    with read_session() as s:
        assert pipelines.get_pipeline(s, p.id).name == "Tax Planning"


@pytest.mark.parametrize("name, stages, sentence", [
    ("", ["A"], "Give the pipeline a name."),
    ("P", [], "A pipeline needs at least one stage."),
    ("P", ["A", "a"], "Two stages of a pipeline cannot have the same name."),
])
def test_create_pipeline_refuses_bad_input_with_a_sentence(people, name, stages, sentence):
    with pytest.raises(InvalidInput, match=sentence), write_session() as s:
        pipelines.create_pipeline(s, people["owner"], name=name, stages=stages)


def test_pipeline_names_are_unique_whatever_the_case(people):
    with write_session() as s:
        make_pipeline(s, people["owner"], name="Payroll")
    with pytest.raises(Conflict, match='already a pipeline "payroll"'), write_session() as s:
        pipelines.create_pipeline(s, people["owner"], name="payroll", stages=["A"])


def test_rename_pipeline_and_stage_are_logged(people):
    with write_session() as s:
        p = make_pipeline(s, people["owner"], name="Old", stages=["One", "Two"])
        one = pipelines.stages_of(s, p.id)[0]
        pipelines.rename_pipeline(s, people["admin"], p.id, "New")
        pipelines.rename_stage(s, people["admin"], one.id, "First")
    assert stage_names(p.id) == ["First", "Two"]
    with read_session() as s:
        summaries = [e.summary for e in audit.firm_log(s, people["owner"], entity="pipeline")]
    assert 'Renamed pipeline "Old" to "New"' in summaries and 'Renamed stage "One" to "First"' in summaries


def test_renaming_a_stage_to_a_sibling_name_is_refused(people):
    with write_session() as s:
        p = make_pipeline(s, people["owner"], stages=["One", "Two"])
        two = pipelines.stages_of(s, p.id)[1]
    with pytest.raises(Conflict, match='already has a stage "one"'), write_session() as s:
        pipelines.rename_stage(s, people["owner"], two.id, "one")


def test_add_stage_goes_at_the_end_and_move_stage_swaps_neighbours(people):
    with write_session() as s:
        p = make_pipeline(s, people["owner"], stages=["A", "B", "C"])
        d = pipelines.add_stage(s, people["owner"], p.id, "D")
    assert stage_names(p.id) == ["A", "B", "C", "D"]
    with write_session() as s:
        pipelines.move_stage(s, people["owner"], d.id, -1)
    assert stage_names(p.id) == ["A", "B", "D", "C"]
    with write_session() as s:
        a = pipelines.stages_of(s, p.id)[0]
        pipelines.move_stage(s, people["owner"], a.id, -1)  # already first: stays
        pipelines.reorder_stages(s, people["owner"], p.id, [st.id for st in reversed(pipelines.stages_of(s, p.id))])
    assert stage_names(p.id) == ["C", "D", "B", "A"]


def test_stage_job_counts_count_each_stage(people):
    with write_session() as s:
        p = make_pipeline(s, people["owner"], stages=["A", "B"])
        a, b = pipelines.stages_of(s, p.id)
        account = make_account(s, people["owner"])
        for stage in (a, a, b):
            make_job(s, people["owner"], account=account, pipeline=p, stage_id=stage.id)
    with read_session() as s:
        assert pipelines.stage_job_counts(s, people["owner"], p.id) == {a.id: 2, b.id: 1}
        assert pipelines.jobs_in_stage(s, people["admin"], a.id) == 2
        # An employee who works on none of these accounts sees none of their jobs counted.
        assert pipelines.stage_job_counts(s, people["employee"], p.id) == {}


def test_deleting_a_stage_with_jobs_needs_a_target_and_moves_them_with_events(people):
    with write_session() as s:
        p = make_pipeline(s, people["owner"], stages=["Intake", "Review", "Done"])
        intake, review, done = pipelines.stages_of(s, p.id)
        job_ids = [make_job(s, people["owner"], pipeline=p, stage_id=review.id).id for _ in range(2)]
    with pytest.raises(InvalidInput, match='"Review" still has 2 jobs: choose the stage they move to.'), \
            write_session() as s:
        pipelines.delete_stage(s, people["admin"], review.id)
    with pytest.raises(InvalidInput, match="another stage of the same pipeline"), write_session() as s:
        pipelines.delete_stage(s, people["admin"], review.id, move_jobs_to=review.id)
    assert stage_names(p.id) == ["Intake", "Review", "Done"]  # nothing happened

    with write_session() as s:
        assert pipelines.delete_stage(s, people["admin"], review.id, move_jobs_to=done.id) == 2
    assert stage_names(p.id) == ["Intake", "Done"]
    with read_session() as s:
        assert {j.stage_id for j in s.exec(select(Job).where(Job.id.in_(job_ids)))} == {done.id}
        moved = s.exec(select(Event).where(Event.kind == "job_moved")).all()
        assert sorted(e.job_id for e in moved) == sorted(job_ids)
        assert {(e.payload["from_stage"], e.payload["to_stage"], e.payload["reason"]) for e in moved} == \
            {("Review", "Done", "stage deleted")}
        entry = audit.firm_log(s, people["owner"], entity="pipeline")[0]
        assert entry.summary == 'Deleted stage "Review"' and entry.detail["jobs_moved"] == 2


def test_a_target_stage_of_another_pipeline_is_refused(people):
    with write_session() as s:
        p, other = make_pipeline(s, people["owner"], stages=["A", "B"]), make_pipeline(s, people["owner"])
        a = pipelines.stages_of(s, p.id)[0]
        make_job(s, people["owner"], pipeline=p, stage_id=a.id)
        foreign = pipelines.stages_of(s, other.id)[0]
    with pytest.raises(InvalidInput, match="same pipeline"), write_session() as s:
        pipelines.delete_stage(s, people["owner"], a.id, move_jobs_to=foreign.id)


def test_an_empty_stage_deletes_without_a_target_but_the_last_stage_stays(people):
    with write_session() as s:
        p = make_pipeline(s, people["owner"], stages=["A", "B"])
        a, b = pipelines.stages_of(s, p.id)
        assert pipelines.delete_stage(s, people["owner"], a.id) == 0
    with pytest.raises(InvalidInput, match="needs at least one stage"), write_session() as s:
        pipelines.delete_stage(s, people["owner"], b.id)


def test_an_employee_cannot_change_pipelines_even_by_calling_the_services(people):
    emp = people["employee"]
    with write_session() as s:
        p = make_pipeline(s, people["owner"], stages=["A", "B"])
        a = pipelines.stages_of(s, p.id)[0]
    calls = [
        lambda s: pipelines.create_pipeline(s, emp, name="Mine", stages=["X"]),
        lambda s: pipelines.rename_pipeline(s, emp, p.id, "Mine"),
        lambda s: pipelines.add_stage(s, emp, p.id, "X"),
        lambda s: pipelines.rename_stage(s, emp, a.id, "X"),
        lambda s: pipelines.move_stage(s, emp, a.id, 1),
        lambda s: pipelines.reorder_stages(s, emp, p.id, []),
        lambda s: pipelines.delete_stage(s, emp, a.id),
        lambda s: pipelines.jobs_in_stage(s, emp, a.id),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied), write_session() as s:
            call(s)
    assert stage_names(p.id) == ["A", "B"]


# --- team ----------------------------------------------------------------------------------------

def test_owner_adds_a_member_who_can_log_in(people):
    with write_session() as s:
        m = team.add_member(s, people["owner"], name="Dana Fox", email=" Dana@Example.com ", password="long enough",
                            role="admin", can_view_all_accounts=True)
    assert m.email == "dana@example.com" and m.role == Role.admin
    with write_session() as s:
        _, member = log_in(s, "dana@example.com", "long enough")
        assert member.name == "Dana Fox"


@pytest.mark.parametrize("fields, error, sentence", [
    ({"password": "short"}, InvalidInput, "at least 8 characters"),
    ({"email": "not-an-email"}, InvalidInput, "is not an email address"),
    ({"name": "  "}, InvalidInput, "Give the team member a name."),
    ({"role": "boss"}, InvalidInput, '"boss" is not a role'),
])
def test_add_member_refuses_bad_input(people, fields, error, sentence):
    args = {"name": "Eve", "email": "eve@example.com", "password": "long enough", "role": "employee"} | fields
    with pytest.raises(error, match=sentence), write_session() as s:
        team.add_member(s, people["owner"], **args)


def test_an_email_is_on_the_team_once(people):
    with write_session() as s:
        team.add_member(s, people["owner"], name="Eve", email="eve@example.com", password="long enough")
    with pytest.raises(Conflict, match="already on the team"), write_session() as s:
        team.add_member(s, people["owner"], name="Eve 2", email="EVE@example.com", password="long enough")


@pytest.mark.parametrize("role", ["admin", "employee"])
def test_only_the_owner_adds_members_or_changes_roles(people, role):
    with write_session() as s:
        target = make_member(s)
    with pytest.raises(PermissionDenied, match="Only the firm's owner"), write_session() as s:
        team.add_member(s, people[role], name="Eve", email="eve@example.com", password="long enough")
    with pytest.raises(PermissionDenied, match="Only the firm's owner"), write_session() as s:
        team.set_role(s, people[role], target.id, "admin")
    with read_session() as s:
        assert s.get(TeamMember, target.id).role == Role.employee


def test_owner_changes_role_and_view_all_right_and_it_is_logged(people):
    emp = people["employee"]
    with write_session() as s:
        team.set_role(s, people["owner"], emp.member_id, "admin", can_view_all_accounts=True)
    with read_session() as s:
        m = s.get(TeamMember, emp.member_id)
        assert (m.role, m.can_view_all_accounts) == (Role.admin, True)
        entry = audit.firm_log(s, people["owner"], entity="team_member")[0]
        assert entry.summary == f"{m.name}: role employee → admin" and entry.detail == {"view_all": True}


def test_the_last_owner_cannot_be_demoted_but_one_of_two_can(people):
    owner = people["owner"]
    with pytest.raises(PermissionDenied, match="at least one owner"), write_session() as s:
        team.set_role(s, owner, owner.member_id, "admin")
    with write_session() as s:
        team.set_role(s, owner, people["admin"].member_id, "owner")
        team.set_role(s, owner, owner.member_id, "admin")
    with read_session() as s:
        assert s.get(TeamMember, owner.member_id).role == Role.admin


def test_set_role_on_a_missing_member_says_so(people):
    with pytest.raises(NotFound, match="no longer exists"), write_session() as s:
        team.set_role(s, people["owner"], 9999, "admin")


# --- firm settings, catalog, tags -----------------------------------------------------------------

def test_firm_settings_save_a_real_time_zone(people):
    with write_session() as s:
        firm.update_firm(s, people["admin"], name=" Park & Lee ", timezone="America/Chicago")
    with read_session() as s:
        f = firm.get_firm(s)
        assert (f.name, f.timezone) == ("Park & Lee", "America/Chicago")


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "../etc/passwd"])
def test_a_bad_time_zone_gets_a_sentence(people, zone):
    with pytest.raises(InvalidInput, match="is not a time zone; use a name like America/New_York"), \
            write_session() as s:
        firm.update_firm(s, people["owner"], name="Firm", timezone=zone)


def test_employees_cannot_change_firm_settings_catalog_or_tags(people):
    emp = people["employee"]
    for call in [lambda s: firm.update_firm(s, emp, name="X", timezone="UTC"),
                 lambda s: catalog.create_service(s, emp, name="X", rate_cents=1),
                 lambda s: tags.create_tag(s, emp, name="X", color="#000000")]:
        with pytest.raises(PermissionDenied), write_session() as s:
            call(s)


def test_time_zone_choices_put_common_us_zones_first():
    zones = firm.timezone_choices()
    assert zones[:3] == ["America/New_York", "America/Chicago", "America/Denver"]
    rest = zones[len(firm.COMMON_US_ZONES):]
    assert rest == sorted(rest) and "Europe/Paris" in rest and len(set(zones)) == len(zones)


@pytest.mark.parametrize("text, cents", [("150", 15000), ("$1,250.50", 125050), (" 0.5 ", 50), ("90.005", 9000)])
def test_parse_money_turns_dollars_into_cents(text, cents):
    assert catalog.parse_money(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "12,3.4.5", "NaN", "Infinity", "-5", "9" * 40, "1e30"])
def test_parse_money_refuses_what_is_not_an_amount(text):
    with pytest.raises(InvalidInput):
        catalog.parse_money(text)


def test_services_are_added_and_edited_with_unique_names(people):
    with write_session() as s:
        a = catalog.create_service(s, people["admin"], name="Bookkeeping", rate_cents=30000)
        b = catalog.create_service(s, people["admin"], name="Payroll", rate_cents=15000)
        catalog.update_service(s, people["admin"], a.id, name="Monthly bookkeeping", rate_cents=32500,
                               description="Up to 200 transactions")
    with pytest.raises(Conflict, match='already a service "Payroll"'), write_session() as s:
        catalog.update_service(s, people["admin"], a.id, name="Payroll", rate_cents=1)
    with pytest.raises(InvalidInput, match="Give the service a name"), write_session() as s:
        catalog.update_service(s, people["admin"], b.id, name=" ", rate_cents=1)
    with read_session() as s:
        assert [(x.name, x.rate_cents) for x in catalog.list_services(s)] == \
            [("Monthly bookkeeping", 32500), ("Payroll", 15000)]


@pytest.mark.parametrize("color", ["red", "#fff", "#12345g", "#1234567", ""])
def test_tag_colour_must_be_a_six_digit_hex(people, color):
    with pytest.raises(InvalidInput, match="Pick a colour like #1d4ed8."), write_session() as s:
        tags.create_tag(s, people["admin"], name="VIP", color=color)


def test_tags_keep_their_colour_and_names_are_unique(people):
    with write_session() as s:
        make_tag(s, people["admin"], name="VIP", color="#B45309")
    with pytest.raises(Conflict), write_session() as s:
        tags.create_tag(s, people["admin"], name="vip", color="#000000")
    with read_session() as s:
        assert [(t.name, t.color) for t in tags.list_tags(s)] == [("VIP", "#B45309")]


# --- audit log -----------------------------------------------------------------------------------

def test_the_firm_log_is_for_admins_only(people):
    with write_session() as s:
        make_pipeline(s, people["owner"])
    with read_session() as s:
        assert audit.firm_log(s, people["admin"])
        with pytest.raises(PermissionDenied):
            audit.firm_log(s, people["employee"])
        with pytest.raises(PermissionDenied):
            audit.logged_entities(s, people["employee"])
        with pytest.raises(PermissionDenied):
            audit_history.list_entries(s, people["employee"])


def test_the_firm_log_pages_newest_first_and_filters_by_kind_and_member(people):
    owner, admin = people["owner"], people["admin"]
    with write_session() as s:
        for i in range(5):
            make_tag(s, owner, name=f"T{i}")
        firm.update_firm(s, admin, name="Firm", timezone="UTC")
    with read_session() as s:
        first = audit.firm_log(s, owner, limit=3)
        older = audit.firm_log(s, owner, limit=3, before_id=first[-1].id)
        ids = [e.id for e in first + older]
        assert ids == sorted(ids, reverse=True) and len(set(ids)) == 6
        assert [e.summary for e in first[:2]] == ["Firm settings changed: Firm, UTC", 'Created tag "T4"']
        assert {e.entity for e in audit.firm_log(s, owner, entity="tag")} == {"tag"}
        assert [e.summary for e in audit.firm_log(s, owner, actor_id=admin.member_id)] == \
            ["Firm settings changed: Firm, UTC"]
        assert audit.logged_entities(s, owner) == ["firm", "tag"]


def test_item_history_is_only_for_those_who_see_the_item(fresh_db):
    import pytest as _pytest

    from practice.db import write_session
    from practice.services.errors import PermissionDenied
    from tests.factories import actor_of, make_account, make_member

    with write_session() as s:
        owner = actor_of(make_member(s, role="owner"))
        emp = actor_of(make_member(s, role="employee"))
        account = make_account(s, owner)
        with _pytest.raises(PermissionDenied):
            audit_history.list_entries(s, emp, entity="account", entity_id=account.id)
        with _pytest.raises(PermissionDenied):
            audit_history.list_entries(s, emp, entity="team_member", entity_id=owner.member_id)
        assert audit_history.list_entries(s, owner, entity="account", entity_id=account.id)

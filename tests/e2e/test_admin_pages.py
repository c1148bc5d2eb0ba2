"""Browser journeys through the staff admin pages: pipelines, team, settings and the audit log."""
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import Account, Job, TeamMember
from practice.services import firm
from practice.services.work import jobs, pipelines
from practice.services.actor import Actor
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
PIPELINE = "Estate Return"


def stage_ids(name: str) -> dict[str, int]:
    with read_session() as s:
        p = pipelines.pipeline_by_name(s, name)
        return {st.name: st.id for st in pipelines.stages_of(s, p.id)}


def owner_actor() -> Actor:
    with read_session() as s:
        return Actor.of(s.exec(select(TeamMember).where(TeamMember.email == "owner@example.com")).one())


def stage_order(page) -> list[str]:
    return page.locator(".stage-card input[name=name]").evaluate_all("els => els.map(e => e.value)")


@pytest.fixture
def restore_firm_settings():
    """Other journeys expect the demo firm's name and zone: put them back afterwards."""
    with read_session() as s:
        f = firm.get_firm(s)
        before = (f.name, f.timezone)
    yield
    with write_session() as s:
        firm.update_firm(s, owner_actor(), name=before[0], timezone=before[1])


def test_owner_edits_a_pipeline_team_and_settings_and_sees_it_all_in_the_audit_log(page, base_url,
                                                                                   restore_firm_settings):
    log_in(page, base_url)

    # A new pipeline with three stages.
    page.goto(base_url + "/pipelines")
    page.click("#new-pipeline")
    page.fill("#pipeline-name", PIPELINE)
    page.fill("#pipeline-stages", "Intake\nDrafting\nSign-off")
    page.click("#create-pipeline")
    expect(page.get_by_text(f'Created pipeline "{PIPELINE}".')).to_be_visible()
    expect(page).to_have_url(re.compile(r"/pipelines$"))
    expect(page.locator(".stage-card")).to_have_count(3)
    ids = stage_ids(PIPELINE)
    assert stage_order(page) == ["Intake", "Drafting", "Sign-off"]

    # Rename a stage, then move it left.
    page.fill(f"#stage-name-{ids['Drafting']}", "Preparation")
    page.click(f"#stage-save-{ids['Drafting']}")
    expect(page.get_by_text("Stage renamed.")).to_be_visible()
    page.click(f"#stage-left-{ids['Drafting']}")
    expect(page.locator(".stage-card").first.locator("input[name=name]")).to_have_value("Preparation")
    assert stage_order(page) == ["Preparation", "Intake", "Sign-off"]
    expect(page.locator(f"#stage-left-{ids['Drafting']}")).to_be_disabled()

    # A job in "Intake" (made through the services: the harness backend shares this database).
    with read_session() as s:
        account = s.exec(select(Account).order_by(Account.id)).first()
        pipeline_id = pipelines.pipeline_by_name(s, PIPELINE).id
    with write_session() as s:
        job = jobs.create_job(s, owner_actor(), account_id=account.id, pipeline_id=pipeline_id,
                              name="Estate of J. Doe", stage_id=ids["Intake"])
    page.reload()
    page.click(f"#pipeline-{pipeline_id}")
    expect(page.locator(f"#stage-jobs-{ids['Intake']}")).to_have_text("1 job")

    # Deleting it previews the job it holds and asks where it goes.
    page.click(f"#stage-delete-{ids['Intake']}")
    expect(page.locator("#delete-preview")).to_contain_text("This stage holds 1 job")
    page.select_option("#move-jobs-to", label="Sign-off")
    page.click("#confirm-delete-stage")
    expect(page.get_by_text('Deleted stage "Intake"; 1 job moved to "Sign-off".')).to_be_visible()
    expect(page.locator(".stage-card")).to_have_count(2)
    expect(page.locator(f"#stage-jobs-{ids['Sign-off']}")).to_have_text("1 job")
    with read_session() as s:
        assert s.get(Job, job.id).stage_id == ids["Sign-off"]

    # A new team member, then a role change.
    page.goto(base_url + "/team")
    expect(page).to_have_url(re.compile(r"/team$"))
    page.click("#add-member")
    page.fill("#member-name", "Dana Fox")
    page.fill("#member-email", "dana@example.com")
    page.fill("#member-password", "short")
    page.click("#create-member")
    expect(page.get_by_role("alert")).to_contain_text("at least 8 characters")
    page.fill("#member-password", "dana-first-pass")
    page.check("#member-view-all")
    page.check("#member-see-billing")
    page.click("#create-member")
    row = page.locator("tr[data-member='dana@example.com']")
    expect(row).to_contain_text("Dana Fox")
    expect(row).to_contain_text("All accounts")
    expect(row).to_contain_text("Sees billing")
    with read_session() as s:
        dana_id = s.exec(select(TeamMember.id).where(TeamMember.email == "dana@example.com")).one()
    # The owner lets Dana manage invoices and payments too; the form shows her rights as they are.
    page.click(f"#change-role-{dana_id}")
    expect(page.locator("#edit-see-billing")).to_be_checked()
    page.check("#edit-manage-billing")
    page.click("#save-role")
    expect(row).to_contain_text("Manages billing")
    with read_session() as s:
        dana = s.get(TeamMember, dana_id)
        assert (dana.can_manage_billing, dana.can_see_billing) == (True, True)
    page.click(f"#change-role-{dana_id}")
    page.select_option("#edit-role", "admin")
    page.click("#save-role")
    expect(page.get_by_text("Dana Fox is now admin.")).to_be_visible()
    expect(row.locator(".member-role")).to_have_text("Admin")

    # Firm settings and a tag.
    page.goto(base_url + "/settings")
    expect(page.locator("#firm-name")).to_have_value("Park & Lee CPAs")
    page.fill("#firm-name", "Park & Lee Tax")
    page.select_option("#firm-timezone", "America/Chicago")
    page.click("#save-firm")
    expect(page.get_by_text("Firm settings saved.")).to_be_visible()
    page.fill("#tag-name", "Estate")
    page.locator("#tag-color").fill("#aa3300")
    page.click("#create-tag")
    expect(page.locator("#tag-list")).to_contain_text("#aa3300")

    # The audit log shows each of those, newest first, in the firm's new time zone.
    page.goto(base_url + "/audit")
    table = page.locator("#audit-table")
    expect(table).to_contain_text('Created tag "Estate"')
    expect(page.get_by_text("Times in America/Chicago")).to_be_visible()
    first = page.locator(".audit-entry").first
    expect(first).to_contain_text('Created tag "Estate"')
    # One time format, on the firm's clock, never an offset or a zone abbreviation.
    expect(first).to_contain_text(re.compile(r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M"))
    expect(first).not_to_contain_text(re.compile(r"C[SD]T|UTC|[+-]\d{2}:\d{2}"))
    for summary in ["Firm settings changed: Park & Lee Tax, America/Chicago", "Dana Fox: role employee → admin",
                    "Added Dana Fox as employee", 'Deleted stage "Intake"', 'Renamed stage "Drafting" to "Preparation"',
                    f'Created pipeline "{PIPELINE}"', "Created job \"Estate of J. Doe\""]:
        expect(table).to_contain_text(summary)
    expect(table.get_by_role("link", name="Estate of J. Doe").first).to_have_attribute("href", f"/jobs/{job.id}")
    expect(table).not_to_contain_text(re.compile(r"#\d"))

    # Filters: only team changes, then only the owner's; paging reaches older entries.
    page.select_option("#audit-entity", "team_member")
    expect(page.locator(".audit-entry").first).to_contain_text("Dana Fox: role employee → admin")
    expect(table).not_to_contain_text('Created tag "Estate"')
    page.select_option("#audit-entity", "")
    expect(page.locator(".audit-entry")).to_have_count(50)
    page.click("#audit-older")
    expect(page.locator(".audit-entry")).to_have_count(100)


def test_an_employee_sees_the_team_read_only_and_no_audit_entries(page, base_url):
    log_in(page, base_url, "bob@example.com", "demo-staff-pass")
    page.goto(base_url + "/team")
    expect(page.locator("#team-table")).to_contain_text("owner@example.com")
    expect(page.locator("#team-read-only")).to_have_text("Only the firm's owner can add members or change roles.")
    expect(page.locator("#add-member")).to_have_count(0)
    expect(page.get_by_role("button", name="Change role")).to_have_count(0)

    page.goto(base_url + "/pipelines")
    expect(page.locator("#read-only-note")).to_be_visible()
    expect(page.locator("#new-pipeline")).to_have_count(0)
    expect(page.locator(".stage-card input")).to_have_count(0)

    page.goto(base_url + "/audit")
    expect(page).to_have_url(re.compile(r"/audit$"))
    expect(page.get_by_text("Only the owner or an admin can see the firm's audit log.")).to_be_visible()
    expect(page.locator(".audit-entry")).to_have_count(0)

"""Custom fields in a browser (issue 15): the owner defines "Filing status" (one of a list) on jobs in Settings, the rules
editor accepts `if job.filing_status is "MFJ"` and suggests the key for a misspelt one, and a staff member sets the
value on a job page with the keyboard; a value the field does not take is refused with its sentence."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import CustomField, Job
from practice.services.actor import SYSTEM
from practice.services.work import custom_fields
from tests.e2e.conftest import DESKTOP, log_in

pytestmark = pytest.mark.e2e

RULE = '''rule "Journey: joint returns"
when job enters stage "Review"
if job.filing_status is "MFJ"
then
  add tag "VIP" to job
end
'''


@pytest.fixture
def no_filing_status():
    """The demo firm without the journey's fields, before and after."""
    def clear():
        with write_session() as s:
            for field in s.exec(select(CustomField).where(CustomField.key.in_(("filing_status", "dependents")))):
                custom_fields.delete_field(s, SYSTEM, field.id)
    clear()
    yield
    clear()


def test_define_a_field_use_it_in_a_rule_and_fill_it_on_a_job(browser, base_url, page, no_filing_status):
    log_in(page, base_url)
    page.get_by_role("link", name="Settings", exact=True).first.click()
    page.wait_for_url(re.compile(r"/settings$"))
    page.click("#settings-nav-custom-fields")
    page.wait_for_url(re.compile(r"/settings/fields$"))

    # A one-of-a-list field on jobs; its key comes from the label.
    page.select_option("#field-entity", "job")
    page.fill("#field-label", "Filing status")
    page.select_option("#field-type", "choice")
    page.fill("#field-options", "Single\nMFJ\nMFS\nHOH")
    page.click("#add-field")
    row = page.locator("#field-row-job-filing_status")
    expect(row).to_contain_text("Filing status")
    expect(row).to_contain_text("job.filing_status")
    expect(row).to_contain_text("One of a list")
    # A number field too, to see a refusal on the job page.
    page.select_option("#field-entity", "job")
    page.fill("#field-label", "Dependents")
    page.select_option("#field-type", "number")
    page.click("#add-field")
    expect(page.locator("#field-row-job-dependents")).to_be_visible()

    # The rules editor knows the field, and suggests it when misspelt.
    page.get_by_role("link", name="Automations").first.click()
    page.wait_for_url(re.compile(r"/automations/rules$"))
    editor = page.locator("#rules-text")
    editor.fill(RULE)
    expect(page.locator("#rules-ok")).to_be_visible()
    editor.fill(RULE.replace("filing_status", "filing_stauts"))
    error = page.locator(".rules-error").first
    expect(error).to_contain_text("there is no field job.filing_stauts")
    expect(error.locator(".error-hint")).to_contain_text('did you mean "job.filing_status"?')

    # A staff member fills it on a job page, from the keyboard.
    with read_session() as s:
        job_id = s.exec(select(Job.id).where(Job.archived == False).order_by(Job.id)).first()  # noqa: E712
    bob_context = browser.new_context(viewport=DESKTOP)
    bob = bob_context.new_page()
    try:
        log_in(bob, base_url, "bob@example.com", "demo-staff-pass")
        bob.goto(f"{base_url}/jobs/{job_id}")
        section = bob.locator("#custom-fields-section")
        expect(section).to_contain_text("Filing status")
        status = section.get_by_label("Filing status")
        dependents = section.get_by_label("Dependents")
        status.select_option("MFJ")
        dependents.fill("two")
        dependents.press("Enter")
        expect(section.get_by_role("alert")).to_contain_text("“Dependents” takes a number, like 3 or 2.5")
        expect(status).to_have_value("MFJ")  # what was typed is kept
        dependents.fill("2")
        dependents.press("Enter")
        expect(section.get_by_role("alert")).to_have_count(0)
        with read_session() as s:
            values = {v.key: v.value for v in custom_fields.values_for(s, SYSTEM, "job", job_id)}
        assert values == {"filing_status": "MFJ", "dependents": "2"}
        bob.reload()
        expect(bob.locator("#custom-fields-section").get_by_label("Filing status")).to_have_value("MFJ")
        expect(bob.locator("#job-history")).to_contain_text("Filing status")
    finally:
        bob_context.close()

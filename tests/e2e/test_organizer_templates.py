"""Templates -> Organizers in a browser, at desktop and phone sizes: the owner reaches the page from the menu, builds a
small organizer (a yes/no question, a repeated dependents group with its sub-questions, a question shown only when
the client has dependents, checked as it is typed), is refused a condition that reads a later question, and the
saved template is what the portal will fill."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import OrganizerQuestion, OrganizerTemplate
from practice.services.automation import compiled, rulesets
from practice.services.organizers import answering, templates
from practice.services.organizers.structure import form_of
from tests.e2e.conftest import log_in
from tests.factories import demo_owner

pytestmark = pytest.mark.e2e


@pytest.fixture
def cleanup():
    names: list[str] = []
    yield names
    with write_session() as s:
        for name in names:
            for template in s.exec(select(OrganizerTemplate).where(OrganizerTemplate.name.startswith(name))):
                templates.delete_template(s, demo_owner(), template.id, rules_using=compiled.rules_sending_organizer)


def open_from_menu(page, phone: bool) -> None:
    if phone:
        page.click("#phone-menu")
        page.get_by_role("menuitem", name="Organizers").click()
    else:
        page.get_by_role("link", name="Organizers", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/organizers/templates$"))
    expect(page.locator("#organizer-new-name")).to_be_visible()


def add_question(page, section: str, label: str, kind: str, *, key: str = "", required: bool = False,
                 show_if: str = "", in_group: str = "") -> None:
    if in_group:
        page.get_by_role("button", name=f"Add a sub-question to {in_group}").click()
    else:
        page.get_by_role("button", name=f"Add a question to {section}").click()
    editor = page.locator("#question-editor")
    expect(editor).to_be_visible()
    editor.locator("#question-label").fill(label)
    editor.locator("#question-kind").select_option(kind)
    if key:
        editor.locator("#question-key").fill(key)
    if required:
        editor.locator("#question-required").click()
    if show_if:
        editor.locator("#question-show-if").fill(show_if)
    editor.locator("#question-save").click()
    expect(page.locator("#question-editor")).to_have_count(0)
    row_class = ".organizer-sub-question" if in_group else ".organizer-question"
    expect(page.locator(row_class, has_text=label)).to_be_visible()


def build_organizer(page, name: str, phone: bool) -> None:
    open_from_menu(page, phone)
    page.fill("#organizer-new-name", name)
    page.click("#organizer-create")
    expect(page.locator("#organizer-name")).to_have_value(name)
    section = page.locator(".organizer-section-title input").first
    section.fill("Family")
    section.blur()

    add_question(page, "Family", "Do you have dependents?", "yes_no", key="has_dependents", required=True)
    add_question(page, "Family", "Each dependent", "group", key="dependents", required=True,
                 show_if="answer.has_dependents is yes")
    for label, kind in (("Name", "short_text"), ("Birth date", "date"), ("SSN", "short_text")):
        add_question(page, "Family", label, kind, required=label != "SSN", in_group="Each dependent")

    # A condition is checked as it is typed, in the rules editor's words.
    page.get_by_role("button", name="Add a question to Family").click()
    page.fill("#question-label", "Childcare costs")
    page.locator("#question-kind").select_option("money")
    page.locator("#question-show-if").press_sequentially("answer.dependents is yes", delay=10)
    expect(page.locator("#question-show-if-problems")).to_contain_text("answer.dependents")
    page.fill("#question-show-if", "answer.dependent > 0")
    expect(page.locator("#question-show-if-problems")).to_contain_text('did you mean "answer.dependents"')
    page.fill("#question-show-if", "answer.dependents > 0")
    expect(page.locator("#question-show-if-problems")).to_have_count(0)
    page.click("#question-save")
    expect(page.locator(".organizer-question", has_text="Childcare costs")).to_contain_text(
        "Shown if: answer.dependents > 0")

    # A condition that reads a later question is refused with its sentence, and nothing is saved.
    page.fill("#organizer-new-section", "About you")
    page.click("#organizer-add-section")
    expect(page.locator(".organizer-section")).to_have_count(2)
    card = page.locator(".organizer-section").nth(1)
    card.get_by_role("button", name="Move section About you up").click()
    expect(page.locator(".organizer-section-title input").first).to_have_value("About you")
    page.get_by_role("button", name="Add a question to About you").click()
    page.fill("#question-label", "Anything about your children?")
    page.fill("#question-show-if", "answer.has_dependents is yes")
    page.click("#question-save")
    expect(page.locator("#question-editor")).to_contain_text("which comes later in the organizer")
    page.click("#question-editor >> text=Cancel")


def check_saved(name: str) -> None:
    with read_session() as s:
        template = s.exec(select(OrganizerTemplate).where(OrganizerTemplate.name == name)).one()
        keys = [q.key for q in s.exec(select(OrganizerQuestion).where(OrganizerQuestion.template_id == template.id)
                                      .order_by(OrganizerQuestion.id))]
        assert keys == ["has_dependents", "dependents", "name", "birth_date", "ssn", "childcare_costs"]
        form = form_of(s, template, rulesets.catalog_from_db(s))
    seen = [q.key for q in answering.visible_questions(form, {"has_dependents": False})]
    assert seen == ["has_dependents"]
    assert answering.can_submit(form, {"has_dependents": False})
    assert not answering.can_submit(form, {"has_dependents": True, "dependents": [{"name": "Leo"}]})


def test_an_owner_builds_an_organizer_with_a_condition_and_a_repeated_group(page, base_url, cleanup):
    cleanup.append("Pages 1040 desk")
    log_in(page, base_url)
    build_organizer(page, "Pages 1040 desk", phone=False)
    check_saved("Pages 1040 desk")
    page.get_by_role("button", name="Close").click()
    row = page.locator(".organizer-row", has_text="Pages 1040 desk")
    expect(row).to_contain_text("2 sections · 3 questions · 2 with a show-if condition")
    row.get_by_role("button", name="Duplicate Pages 1040 desk").click()
    expect(page.locator(".organizer-row", has_text="Pages 1040 desk (copy)")).to_be_visible()


def test_the_same_on_a_phone(phone_page, base_url, cleanup):
    cleanup.append("Pages 1040 phone")
    log_in(phone_page, base_url)
    build_organizer(phone_page, "Pages 1040 phone", phone=True)
    check_saved("Pages 1040 phone")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= phone_page.viewport_size["width"] + 1, f"the page is {width}px wide on a phone"

"""An organizer in French (issue 14): the owner writes the organizer's French name and the French version of a section's title and of a list
question (its label, help and one French label for each choice) through the menus, a mismatched list of French
choices gets its sentence and keeps what was typed; then a client who reads French fills the organizer on the portal
in French (an untranslated question in the main words) under the organizer's French name, picks a French choice, the rule reading the answer shows the
next question, and the answer kept is the firm's own choice. At desktop size and on a 390x844 phone."""
from __future__ import annotations

import re
import time
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete
from sqlmodel import select

from practice import routes
from practice.db import read_session, write_session
from practice.models import Contact, Organizer, OrganizerSection, OrganizerTemplate
from practice.services.automation import compiled
from practice.services.organizers import sent, templates
from tests.e2e.conftest import DESKTOP, PHONE, log_in, portal_log_in
from tests.e2e.test_french_versions import PASSWORD, open_details
from tests.factories import demo_owner, make_organizer, portal_client

pytestmark = pytest.mark.e2e
SECTIONS = {
    "About you": [
        {"label": "Filing status", "key": "filing_status", "kind": "one_of", "required": True,
         "options": "Single\nMFJ"},
        {"label": "Spouse's name", "key": "spouse_name", "kind": "short_text", "required": True,
         "show_if": 'answer.filing_status is "MFJ"'},
    ],
    "Family": [
        {"label": "Do you have dependents?", "key": "has_dependents", "kind": "yes_no", "required": True},
    ],
}


@pytest.fixture
def organizer(base_url):
    """An organizer template, sent to a client who reads French and can log in to the portal; removed after."""
    tag = uuid.uuid4().hex[:6]
    name = f"Organizer {tag}"
    email = f"camille.{tag}@durand.example"
    account_id, contact_id = portal_client(account=f"Durand {tag}", first_name="Camille", last_name="Durand",
                                           email=email, password=PASSWORD)
    with write_session() as s:
        s.get(Contact, contact_id).language = "fr"
        template = make_organizer(s, demo_owner(), name=name, sections=SECTIONS)
    yield {"name": name, "name_fr": f"Questionnaire {tag}", "email": email, "account": account_id,
           "template": template.id}
    with write_session() as s:
        s.execute(delete(Organizer).where(Organizer.template_id == template.id))
    with write_session() as s:
        templates.delete_template(s, demo_owner(), template.id, rules_using=compiled.rules_sending_organizer)


def open_organizers(pg, phone: bool) -> None:
    if phone:
        pg.click("#phone-menu")
        pg.get_by_role("menuitem", name="Organizers").click()
    else:
        pg.get_by_role("link", name="Organizers", exact=True).first.click()
    expect(pg).to_have_url(re.compile(r"/organizers/templates$"))


def write_the_french_version(pg, phone: bool, name: str, name_fr: str, template_id: int) -> None:
    open_organizers(pg, phone)
    pg.get_by_role("button", name=f"Open {name}").click()
    expect(pg.locator("#organizer-name")).to_have_value(name)
    pg.locator("#organizer-name-fr").fill(name_fr)
    pg.locator("#organizer-name-fr").blur()
    title_fr = pg.locator(".organizer-section-title-fr input").first
    title_fr.fill("Vous concernant")
    title_fr.blur()
    pg.get_by_role("button", name="Edit Filing status").click()
    editor = pg.locator("#question-editor")
    expect(editor.locator("#question-label")).to_have_value("Filing status")
    open_details(pg, "#question-french-summary")
    editor.locator("#question-label-fr").fill("Situation familiale")
    editor.locator("#question-help-fr").fill("Telle que déclarée l'an dernier.")
    editor.locator("#question-options-fr").fill("Célibataire")
    editor.locator("#question-save").click()
    expect(editor).to_contain_text("Write one French choice for each of the 2 choices")
    expect(editor.locator("#question-label-fr")).to_have_value("Situation familiale")  # nothing typed is lost
    editor.locator("#question-options-fr").fill("Célibataire\nMariés, déclaration commune")
    editor.locator("#question-save").click()
    expect(pg.locator("#question-editor")).to_have_count(0)
    expect(pg.locator(".organizer-question", has_text="Filing status")).to_contain_text("In French too")
    for _ in range(50):  # the French name and title were saved when their fields were left
        with read_session() as s:
            titles = [row.title_fr for row in s.exec(select(OrganizerSection).where(
                OrganizerSection.template_id == template_id).order_by(OrganizerSection.position))]
            saved_name = s.get(OrganizerTemplate, template_id).name_fr
        if titles == ["Vous concernant", ""] and saved_name == name_fr:
            break
        time.sleep(0.2)
    assert (titles, saved_name) == (["Vous concernant", ""], name_fr)
    expect(pg.locator("#organizer-name-fr")).to_have_value(name_fr)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_owner_writes_an_organizer_in_french_and_a_french_client_fills_it(browser, base_url, organizer, size):
    phone = size == PHONE
    staff = browser.new_context(viewport=size, is_mobile=phone, has_touch=phone)
    pg = staff.new_page()
    pg.set_default_timeout(20_000)
    pg.goto(base_url + "/login", timeout=90_000)  # a fresh server's first page can be slow to build
    log_in(pg, base_url)
    write_the_french_version(pg, phone, organizer["name"], organizer["name_fr"], organizer["template"])
    staff.close()
    with write_session() as s:  # sent once its French version is written: it goes with the French name
        organizer["organizer"] = sent.send_organizer(s, demo_owner(), organizer["account"], organizer["name"]).id

    context = browser.new_context(viewport=size, is_mobile=phone, has_touch=phone)
    client = context.new_page()
    client.set_default_timeout(20_000)
    portal_log_in(client, base_url, organizer["email"], PASSWORD)
    # The portal's home lists it by its French name, and its page is headed so.
    expect(client.locator("body")).to_contain_text(organizer["name_fr"])
    expect(client.locator("body")).not_to_contain_text(organizer["name"])
    client.locator(".organizer-item", has_text=organizer["name_fr"]).locator("a.open-organizer").click()
    expect(client).to_have_url(re.compile(rf"{routes.portal_organizer_url(organizer['organizer'])}$"))
    expect(client.locator("#organizer-name")).to_have_text(organizer["name_fr"])
    expect(client.locator("#organizer-section")).to_contain_text("Vous concernant")
    filing = client.locator("#question-filing_status")
    expect(filing).to_contain_text("Situation familiale")
    expect(filing).to_contain_text("Telle que déclarée l'an dernier.")
    expect(filing).not_to_contain_text("Filing status")
    client.locator("#answer-filing_status").click()
    expect(client.get_by_role("option", name="Célibataire")).to_be_visible()
    client.get_by_role("option", name="Mariés, déclaration commune").click()
    # The condition reads the kept choice ("MFJ"): the spouse's question appears, in the firm's words.
    expect(client.locator("#question-spouse_name")).to_contain_text("Spouse's name")
    client.fill("#answer-spouse_name", "Sam Durand")
    client.locator("#answer-spouse_name").blur()
    expect(client.locator("#organizer-progress")).to_have_text("2 sur 3 répondues")
    client.click("#organizer-next")
    expect(client.locator("#organizer-section")).to_contain_text("Family")
    client.click("#answer-has_dependents-no")
    expect(client.locator("#organizer-progress")).to_have_text("3 sur 3 répondues")
    client.click("#organizer-submit")
    expect(client.locator("#organizer-submitted")).to_be_visible()
    width = client.evaluate("document.documentElement.scrollWidth")
    assert width <= size["width"] + 1, f"the page is {width}px wide"
    context.close()
    with read_session() as s:
        kept = s.get(Organizer, organizer["organizer"])
        assert kept.answers == {"filing_status": "MFJ", "spouse_name": "Sam Durand", "has_dependents": False}
        assert (kept.status, kept.language) == ("submitted", "fr")
        assert s.get(OrganizerTemplate, organizer["template"]) is not None

"""Issue 15's sending and filling: staff send an organizer from the account page; the client logs in to the portal on
a phone, fills it section by section (a question shown by a show-if, a dependents group with an entry added), sees
what is still missing, submits; staff see it submitted with its answers, and the rule `when organizer is submitted`
tagged the account."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import (Account, AccountTag, Document, Notification, Organizer, OrganizerAnswerReview,
                             OrganizerQuestion, OrganizerSection,
                             OrganizerTemplate, OutgoingMail, PortalLogin, PortalSession, PortalToken, RuleRun, Tag,
                             TeamMember)
from practice.services.actor import SYSTEM, Actor
from practice.services.automation import rulesets
from practice.services.organizers import filling, sent
from practice.services.portal import logins
from tests.e2e.conftest import log_in
from tests.e2e.test_portal import demo_contact_with_job
from tests.factories import contact_actor, make_organizer, make_tag, normal_pdf

pytestmark = pytest.mark.e2e
GOOD = "cedar-lantern-orbit-5"
TEMPLATE = "Journey 1040 organizer"
TAG = "Journey: organizer in"
SECTIONS = {
    "About you": [
        {"label": "Filing status", "key": "filing_status", "kind": "one_of", "required": True,
         "options": "Single\nMFJ"},
        {"label": "Spouse's name", "key": "spouse_name", "kind": "short_text", "required": True,
         "show_if": 'answer.filing_status is "MFJ"'},
    ],
    "Family": [
        {"label": "Do you have dependents?", "key": "has_dependents", "kind": "yes_no", "required": True},
        {"label": "Each dependent", "key": "dependents", "kind": "group", "required": True,
         "show_if": "answer.has_dependents is yes",
         "children": [{"label": "Name", "key": "dep_name", "required": True},
                      {"label": "Birth date", "key": "dep_birth", "kind": "date"}]},
        {"label": "Your W-2", "key": "w2", "kind": "file"},
    ],
}


@pytest.fixture
def organizer_setup(base_url):
    """A demo client with an active portal login, the organizer template, a tag and the rule that sets it; all put
    back after."""
    contact, job = demo_contact_with_job()
    with read_session() as s:
        current = rulesets.current_ruleset(s)
        rules_before = current.text if current else ""
        owner = s.exec(select(TeamMember).where(TeamMember.email == "owner@example.com")).one()
        last = {table: s.exec(select(table.id).order_by(table.id.desc())).first() or 0
                for table in (OutgoingMail, Notification)}
    actor = Actor(owner.id, owner.name, owner.role)
    with write_session() as s:
        invitation = logins.invite(s, actor, contact.id)
        logins.activate(s, re.search(r"token=([\w-]+)", invitation.link).group(1), GOOD)
        make_tag(s, actor, TAG)
        template = make_organizer(s, actor, name=TEMPLATE, sections=SECTIONS)
    with write_session() as s:
        rulesets.save_rules(s, actor, f'rule "Journey: organizer in"\nwhen organizer is submitted\nthen\n'
                                      f'  add tag "{TAG}" to account\nend\n', note="organizer journey")
    yield {"contact": contact, "account": job.account_id, "actor": actor, "template": template.id}
    with write_session() as s:
        rulesets.save_rules(s, SYSTEM, rules_before, note="restored after the organizer journey")
    with write_session() as s:
        ids = select(Organizer.id).where(Organizer.template_id == template.id)
        s.execute(delete(OrganizerAnswerReview).where(OrganizerAnswerReview.organizer_id.in_(ids)))
        s.execute(delete(Organizer).where(Organizer.template_id == template.id))
        s.execute(delete(OrganizerQuestion).where(OrganizerQuestion.template_id == template.id,
                                                  OrganizerQuestion.parent_id.is_not(None)))
        s.execute(delete(OrganizerQuestion).where(OrganizerQuestion.template_id == template.id))
        s.execute(delete(OrganizerSection).where(OrganizerSection.template_id == template.id))
        s.execute(delete(OrganizerTemplate).where(OrganizerTemplate.id == template.id))
        tag = s.exec(select(Tag).where(Tag.name == TAG)).one()
        s.execute(delete(AccountTag).where(AccountTag.tag_id == tag.id))
        s.delete(tag)
        for table, before in last.items():
            s.execute(delete(table).where(table.id > before))
        for table in (PortalSession, PortalToken, PortalLogin):
            s.execute(delete(table).where(table.contact_id == contact.id))


def test_staff_send_an_organizer_the_client_fills_it_on_a_phone_and_a_rule_reacts(
        page, phone_page, base_url, organizer_setup):
    contact, account_id = organizer_setup["contact"], organizer_setup["account"]

    # Staff send it from the account page.
    log_in(page, base_url)
    page.goto(f"{base_url}/accounts/{account_id}")
    section = page.locator("#organizers-section")
    section.locator("#send-organizer-template").click()
    page.get_by_role("option", name=TEMPLATE).click()
    section.locator("#send-organizer").click()
    row = section.locator(".organizer-row", has_text=TEMPLATE)
    expect(row).to_contain_text("Not started")
    with read_session() as s:
        (organizer,) = s.exec(select(Organizer).where(Organizer.account_id == account_id,
                                                      Organizer.name == TEMPLATE)).all()

    # The client logs in on a phone and finds it under "What needs your attention".
    phone_page.goto(f"{base_url}/portal/login")
    phone_page.fill("#portal-email", contact.email)
    phone_page.fill("#portal-password", GOOD)
    phone_page.click("#portal-login-submit")
    expect(phone_page).to_have_url(re.compile(r"/portal$"))
    phone_page.locator(".organizer-item", has_text=TEMPLATE).locator("a.open-organizer").click()
    expect(phone_page).to_have_url(re.compile(rf"/portal/organizers/{organizer.id}$"))
    expect(phone_page.locator("#organizer-section")).to_contain_text("About you")
    expect(phone_page.locator("#organizer-progress")).to_have_text("0 of 3 answered")

    # Married filing jointly: the spouse's question appears; each answer is saved as it is given.
    expect(phone_page.locator("#question-spouse_name")).to_have_count(0)
    phone_page.locator("#answer-filing_status").click()
    phone_page.get_by_role("option", name="MFJ").click()
    expect(phone_page.locator("#question-spouse_name")).to_be_visible()
    expect(phone_page.locator("#organizer-saved")).to_have_text("Saved")
    phone_page.fill("#answer-spouse_name", "Sam Rivera")
    phone_page.locator("#answer-spouse_name").blur()
    expect(phone_page.locator("#organizer-progress")).to_have_text("2 of 4 answered")
    phone_page.click("#organizer-next")

    # Family: yes shows the dependents group; submitting before it is answered says what is missing.
    expect(phone_page.locator("#organizer-section")).to_contain_text("Family")
    phone_page.click("#answer-has_dependents-yes")
    expect(phone_page.locator("#question-dependents")).to_be_visible()
    phone_page.click("#organizer-submit")
    expect(phone_page.locator("#organizer-missing")).to_contain_text("Still to answer before you can submit")
    expect(phone_page.locator("#organizer-missing")).to_contain_text("Each dependent")
    phone_page.click("#add-dependents")
    phone_page.locator(".entry-dep_name input").fill("Ava")
    phone_page.locator(".entry-dep_name input").blur()
    expect(phone_page.locator("#organizer-progress")).to_have_text("4 of 5 answered")
    expect(phone_page.locator("#organizer-missing")).to_have_count(0)
    # A file goes through the upload gate into the account's documents and onto its question.
    phone_page.locator("#question-w2 input[type=file]").set_input_files(
        files=[{"name": "w2-2026.pdf", "mimeType": "application/pdf", "buffer": normal_pdf(1)}])
    expect(phone_page.locator(".organizer-file", has_text="w2-2026.pdf")).to_be_visible()
    expect(phone_page.locator("#organizer-progress")).to_have_text("5 of 5 answered")
    phone_page.click("#organizer-submit")
    expect(phone_page.locator("#organizer-submitted")).to_be_visible()
    expect(phone_page.locator("#organizer-submit")).to_have_count(0)

    # The answers are kept; the rule on `organizer is submitted` tagged the account.
    with read_session() as s:
        done = s.get(Organizer, organizer.id)
        assert done.status.value == "submitted" and done.submitted_by_contact_id == contact.id
        files = done.answers.pop("w2")
        assert done.answers == {"filing_status": "MFJ", "spouse_name": "Sam Rivera", "has_dependents": True,
                                "dependents": [{"dep_name": "Ava"}]}
        assert len(files) == 1 and s.get(Document, files[0]).name == "w2-2026.pdf"
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Journey: organizer in")
                     .order_by(RuleRun.id.desc())).first()
        assert run is not None and run.status.value == "done", run and run.actions
        tag = s.exec(select(Tag).where(Tag.name == TAG)).one()
        assert s.get(AccountTag, (account_id, tag.id)) is not None

    # The client remembers a second W-2 and asks the firm to reopen it, on the phone.
    phone_page.fill("#organizer-reopen-reason", "I forgot my second W-2")
    phone_page.click("#organizer-ask-reopen")
    expect(phone_page.locator("#organizer-reopen-asked")).to_be_visible()

    # Staff see it submitted with the client's request; the worker filed the answers as a PDF in the account's
    # documents on submission. They read the answers, mark them reviewed, file the PDF again, download them as CSV,
    # and reopen it.
    page.goto(f"{base_url}/accounts/{account_id}")
    expect(page.locator("#documents-section .document-row", has_text=f"{TEMPLATE} - answers ")).to_have_count(1)
    row = page.locator("#organizers-section .organizer-row", has_text=TEMPLATE)
    expect(row).to_contain_text("Submitted")
    row.locator(".open-organizer-answers").click()
    answers = page.locator("#organizer-answers")
    expect(answers).to_contain_text("Sam Rivera")
    expect(answers).to_contain_text("Ava")
    expect(answers.locator("#organizer-reopen-asked")).to_contain_text("I forgot my second W-2")
    # Each answer is marked reviewed on its own (who and when shown), or all at once; the count follows.
    count = answers.locator("#organizer-review-count")
    expect(count).to_have_text("0 of 5 reviewed")
    spouse = answers.locator(".organizer-answer-row[data-key='spouse_name']")
    spouse.locator(".mark-answer").click()
    expect(spouse.locator(".answer-reviewed")).to_contain_text("Reviewed by")
    expect(count).to_have_text("1 of 5 reviewed")
    answers.locator("#mark-organizer-reviewed").click()
    expect(answers.locator("#organizer-reviewed")).to_contain_text("Reviewed by")
    expect(count).to_have_text("5 of 5 reviewed")
    expect(answers.locator(".answer-reviewed")).to_have_count(5)
    expect(answers.locator("#organizer-pdf-filed")).to_contain_text(f"{TEMPLATE} - answers ")
    answers.locator("#file-organizer-pdf").click()
    expect(page.get_by_text("The answers were filed as a PDF in the account's documents.")).to_be_visible()
    with page.expect_download() as download:
        answers.locator("#export-organizer-csv").click()
    assert download.value.suggested_filename == f"{TEMPLATE} - answers.csv"
    with read_session() as s:
        filed = s.exec(select(Document).where(Document.account_id == account_id,
                                              Document.name.like(f"{TEMPLATE} - answers %.pdf"))).all()
        assert len(filed) == 2 and not any(d.shared for d in filed)
    answers.locator("#reopen-organizer").click()
    expect(row).to_contain_text("Reopened")


def _open_account(pg, name: str, *, phone: bool) -> None:
    """Accounts from the menu (the phone's menu on a phone), the search, the account's row."""
    if phone:
        pg.click("#phone-menu")
        pg.get_by_role("menu").get_by_role("menuitem", name="Accounts", exact=True).click()
    else:
        pg.get_by_role("link", name="Accounts", exact=True).first.click()
    pg.fill("#account-search", name)
    pg.get_by_role("link", name=name).first.click()
    pg.wait_for_url(re.compile(r".*/accounts/\d+$"))


def _fill_and_submit(contact_id: int, organizer_id: int, answers: dict) -> None:
    who = contact_actor(contact_id)
    for key, value in answers.items():
        with write_session() as s:
            filling.save_answer(s, who, organizer_id, key, value, firm_catalog=rulesets.catalog_from_db)
    with write_session() as s:
        filling.submit(s, who, organizer_id, firm_catalog=rulesets.catalog_from_db)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_staff_see_exactly_the_answer_that_changed_since_last_year(page, phone_page, base_url, organizer_setup,
                                                                   phone):
    """Last year's organizer submitted; this year's, pre-filled from it, differs in one answer: on the account page
    staff see that answer, and only it, marked as changed, with last year's value beside it."""
    contact, account_id, actor = organizer_setup["contact"], organizer_setup["account"], organizer_setup["actor"]
    with write_session() as s:
        last_year = sent.send_organizer(s, actor, account_id, TEMPLATE).id
    _fill_and_submit(contact.id, last_year, {"filing_status": "MFJ", "spouse_name": "Sam Rivera",
                                             "has_dependents": "no"})
    with write_session() as s:
        this_year = sent.send_organizer(s, actor, account_id, TEMPLATE).id
        name = s.get(Account, account_id).name
    _fill_and_submit(contact.id, this_year, {"spouse_name": "Samuel Rivera"})  # the rest as last year

    pg = phone_page if phone else page
    log_in(pg, base_url)
    _open_account(pg, name, phone=phone)
    # The list is newest first: this year's is the first of the two.
    pg.locator("#organizers-section .organizer-row", has_text=TEMPLATE).first.locator(
        ".open-organizer-answers").click()
    answers = pg.locator("#organizer-answers")
    expect(answers).to_contain_text("Samuel Rivera")
    changed = answers.locator(".organizer-answer-row[data-changed='yes']")
    expect(changed).to_have_count(1)
    expect(changed).to_have_attribute("data-key", "spouse_name")
    expect(changed).to_contain_text("Changed since last year")
    expect(changed.locator(".organizer-last-year")).to_have_text("Last year: Sam Rivera")
    expect(answers.locator(".organizer-answer-row[data-key='filing_status']")).to_have_attribute("data-changed", "no")
    # The changed answer is marked reviewed right there.
    changed.locator(".mark-answer").click()
    expect(changed.locator(".answer-reviewed")).to_contain_text("Reviewed by")
    expect(answers.locator("#organizer-review-count")).to_have_text("1 of 4 reviewed")
    if phone:  # nothing pushes the staff page sideways on a narrow screen
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390 + 1

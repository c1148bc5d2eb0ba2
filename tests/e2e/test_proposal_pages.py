"""Staff proposal pages in a browser: an admin builds a template from the catalog (an optional line, a changed
price), previews it as a PDF and renames a step; then sends it from an account's page and cancels it."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import (OutgoingMail, PortalLogin, PortalSession, PortalToken, Proposal, ProposalLine,
                             ProposalTemplate, ProposalTemplateLine, Service, SigningEvent, SigningSettings,
                             TeamMember)
from practice.services.portal import logins
from practice.services.work import catalog
from practice.services.actor import Actor
from tests.e2e.conftest import log_in
from tests.e2e.test_portal import demo_contact_with_job

pytestmark = pytest.mark.e2e
TEMPLATE = "Pages engagement"
SERVICES = (("Pages return", 80000), ("Pages advice", 15000))


@pytest.fixture
def catalog_and_client(base_url):
    contact, job = demo_contact_with_job()
    with read_session() as s:
        owner = s.exec(select(TeamMember).where(TeamMember.email == "owner@example.com")).one()
        last_mail = s.exec(select(OutgoingMail.id).order_by(OutgoingMail.id.desc())).first() or 0
        had_login = s.exec(select(PortalLogin).where(PortalLogin.contact_id == contact.id)).first() is not None
    actor = Actor(owner.id, owner.name, owner.role)
    with write_session() as s:
        for name, rate in SERVICES:
            catalog.create_service(s, actor, name=name, rate_cents=rate)
        if not had_login:
            logins.invite(s, actor, contact.id)
    yield {"contact": contact, "job": job}
    with write_session() as s:
        ids = list(s.exec(select(Proposal.id).where(Proposal.name == TEMPLATE)))
        s.execute(delete(SigningEvent).where(SigningEvent.proposal_id.in_(ids or [-1])))
        s.execute(delete(ProposalLine).where(ProposalLine.proposal_id.in_(ids or [-1])))
        s.execute(delete(Proposal).where(Proposal.id.in_(ids or [-1])))
        for template in s.exec(select(ProposalTemplate).where(ProposalTemplate.name == TEMPLATE)):
            s.execute(delete(ProposalTemplateLine).where(ProposalTemplateLine.template_id == template.id))
            s.delete(template)
        s.execute(delete(Service).where(Service.name.in_([n for n, _ in SERVICES])))
        s.execute(delete(OutgoingMail).where(OutgoingMail.id > last_mail))
        for row in s.exec(select(SigningSettings)):
            row.proposal_steps = {}
        if not had_login:
            for table in (PortalSession, PortalToken, PortalLogin):
                s.execute(delete(table).where(table.contact_id == contact.id))


def test_an_admin_builds_previews_and_sends_a_proposal(page, base_url, catalog_and_client):
    job = catalog_and_client["job"]
    log_in(page, base_url)
    page.goto(f"{base_url}/proposals/templates")
    expect(page).to_have_url(re.compile(r"/proposals/templates$"))
    # The page has loaded (its form is remade on load) once the step names are filled in.
    expect(page.locator("#step-read")).to_have_value("Read")

    # Build the template from the catalog: two services, the second optional at another price.
    page.fill("#proposal-template-name", TEMPLATE)
    page.fill("#proposal-template-intro", "Dear {{ contact.first_name }}, welcome.")
    page.fill("#proposal-template-terms", "Fees are due within 30 days.")
    for name, _ in SERVICES:
        page.click("#proposal-add-service")
        page.get_by_role("option", name=re.compile(name)).click()
        expect(page.locator(".draft-line", has_text=name)).to_be_visible()
    advice = page.locator(".draft-line", has_text="Pages advice")
    advice.locator(".line-price input").fill("175")
    advice.locator(".line-price input").blur()
    advice.get_by_role("switch").click()
    page.click("#save-proposal-template")
    expect(page.get_by_text("Proposal template saved.")).to_be_visible(timeout=15_000)
    row = page.locator(".proposal-template-row", has_text=TEMPLATE)
    expect(row).to_contain_text("$800.00 + 1 optional")
    with read_session() as s:
        template = s.exec(select(ProposalTemplate).where(ProposalTemplate.name == TEMPLATE)).one()
        lines = s.exec(select(ProposalTemplateLine).where(ProposalTemplateLine.template_id == template.id)
                       .order_by(ProposalTemplateLine.position)).all()
        assert [(line.name, line.price_cents, line.optional) for line in lines] == [("Pages return", 80000, False),
                                                                      ("Pages advice", 17500, True)]

    # Preview as a PDF.
    with page.expect_download() as download:
        row.get_by_role("button", name=f"Preview {TEMPLATE} as PDF").click()
    path = download.value.path()
    assert open(path, "rb").read(5) == b"%PDF-"

    # Rename the first step clients see.
    page.fill("#step-read", "Review the letter")
    page.click("#save-steps")
    expect(page.get_by_text("Step names saved.")).to_be_visible()
    with read_session() as s:
        assert s.exec(select(SigningSettings)).first().proposal_steps == {"read": "Review the letter"}

    # Send it from the account page, then cancel it.
    page.goto(f"{base_url}/accounts/{job.account_id}")
    section = page.locator("#proposals-section")
    expect(section).to_contain_text("No proposals sent to this account yet.")
    section.locator("#send-proposal-template").click()
    page.get_by_role("option", name=TEMPLATE).click()
    section.locator("#send-proposal").click()
    sent = section.locator(".proposal-row", has_text=TEMPLATE)
    expect(sent).to_contain_text("Waiting")
    expect(sent).to_contain_text("$800.00")
    expect(sent).to_contain_text("Not opened yet")
    sent.get_by_role("button", name=f"Cancel {TEMPLATE}").click()
    expect(sent).to_contain_text("Withdrawn")

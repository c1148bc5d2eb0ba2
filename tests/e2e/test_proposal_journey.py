"""Issue 6's proposal journey: a rule sends a three-service proposal (one optional) when a job enters a stage; the
client, on a phone, opens it from the portal, switches the optional service on, consents and draws a signature;
then `when proposal is signed` moves the job on, and the sealed PDF is in the account's documents."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import (Document, Job, Notification, OutgoingMail, PortalLogin, PortalSession, PortalToken,
                             Proposal, ProposalLine, ProposalTemplate, ProposalTemplateLine, RuleRun, Service,
                             SigningConsent, SigningEvent, Stage, TeamMember)
from practice.services.automation import rulesets
from practice.services.work.facts import facts_for
from practice.services.documents import storage
from practice.services.portal import logins
from practice.services.proposals import templates
from practice.services.signing import verify
from practice.services.work import catalog, jobs
from practice.services.actor import SYSTEM, Actor
from tests.e2e.conftest import log_in
from tests.e2e.test_portal import demo_contact_with_job

pytestmark = pytest.mark.e2e
GOOD = "maple-harbor-quartz-7"
TEMPLATE = "Journey engagement"
SERVICES = (("Journey tax return", 90000, False), ("Journey bookkeeping", 25000, False),
            ("Journey tax planning", 30000, True))


@pytest.fixture
def proposal_setup(base_url):
    """A demo client with an active portal login, three catalog services, a proposal template and the two rules;
    the rules, rows and the job's stage are put back after."""
    contact, job = demo_contact_with_job()
    with read_session() as s:
        current = rulesets.current_ruleset(s)
        rules_before = current.text if current else ""
        owner = s.exec(select(TeamMember).where(TeamMember.email == "owner@example.com")).one()
        stages = list(s.exec(select(Stage).where(Stage.pipeline_id == job.pipeline_id).order_by(Stage.position)))
        pipeline = facts_for(s, job_id=job.id)["job"]["pipeline"]
        stage_before = s.get(Job, job.id).stage_id
        last = {table: s.exec(select(table.id).order_by(table.id.desc())).first() or 0
                for table in (OutgoingMail, Document, Notification, SigningConsent)}
    # The job goes back to the first stage; the rule sends on entering the second, and signing moves it to the third.
    send_stage, signed_stage = stages[1], stages[2]
    actor = Actor(owner.id, owner.name, owner.role)
    with write_session() as s:
        invitation = logins.invite(s, actor, contact.id)
        logins.activate(s, re.search(r"token=([\w-]+)", invitation.link).group(1), GOOD)
        lines = []
        for name, rate, optional in SERVICES:
            service = catalog.create_service(s, actor, name=name, rate_cents=rate)
            lines.append({"service_id": service.id, "optional": optional})
        templates.save_template(s, actor, name=TEMPLATE, lines=lines,
                                introduction="Dear {{ contact.first_name }},\nhere is our engagement letter for "
                                             "{{ account.name }}.",
                                terms="Fees are due within 30 days.")
    rules = f'''rule "Journey: send the engagement letter"
when job enters stage "{send_stage.name}" in pipeline "{pipeline}"
then
  send proposal "{TEMPLATE}" to account
end

rule "Journey: signed, start the work"
when proposal is signed
if job.stage is "{send_stage.name}"
then
  move job to next stage
end
'''
    with write_session() as s:
        rulesets.save_rules(s, actor, rules, note="proposal journey")
    if stage_before != stages[0].id:
        with write_session() as s:
            jobs.move_job(s, actor, job.id, stages[0].id)
    yield {"contact": contact, "job": job, "actor": actor, "send_stage": send_stage, "signed_stage": signed_stage}
    with write_session() as s:
        rulesets.save_rules(s, SYSTEM, rules_before, note="restored after the proposal journey")
    with write_session() as s:
        ids = list(s.exec(select(Proposal.id).where(Proposal.account_id == job.account_id)))
        s.execute(delete(SigningEvent).where(SigningEvent.proposal_id.in_(ids or [-1])))
        s.execute(delete(ProposalLine).where(ProposalLine.proposal_id.in_(ids or [-1])))
        s.execute(delete(Proposal).where(Proposal.id.in_(ids or [-1])))
        template = s.exec(select(ProposalTemplate).where(ProposalTemplate.name == TEMPLATE)).one()
        s.execute(delete(ProposalTemplateLine).where(ProposalTemplateLine.template_id == template.id))
        s.delete(template)
        s.execute(delete(Service).where(Service.name.in_([n for n, _, _ in SERVICES])))
        for table, before in last.items():
            s.execute(delete(table).where(table.id > before))
        for table in (PortalSession, PortalToken, PortalLogin):
            s.execute(delete(table).where(table.contact_id == contact.id))
        s.get(Job, job.id).stage_id = stage_before


def test_a_rule_sends_a_proposal_the_client_signs_on_a_phone_and_the_next_rule_moves_the_job(
        page, phone_page, base_url, proposal_setup):
    contact, job = proposal_setup["contact"], proposal_setup["job"]

    # Staff move the job into the stage whose rule sends the proposal.
    with write_session() as s:
        jobs.move_job(s, proposal_setup["actor"], job.id, proposal_setup["send_stage"].id)
    with read_session() as s:
        (sent,) = s.exec(select(Proposal).where(Proposal.account_id == job.account_id,
                                                Proposal.name == TEMPLATE)).all()
        assert sent.job_id == job.id and sent.total_cents == 115000
        assert any(f"/portal/proposals/{sent.id}" in m.body for m in s.exec(select(OutgoingMail))
                   if m.to_address == contact.email)

    # The client logs in on a phone and finds the proposal under "What needs your attention".
    phone_page.goto(f"{base_url}/portal/login")
    phone_page.fill("#portal-email", contact.email)
    phone_page.fill("#portal-password", GOOD)
    phone_page.click("#portal-login-submit")
    expect(phone_page).to_have_url(re.compile(r"/portal$"))
    item = phone_page.locator(".proposal-item", has_text=TEMPLATE)
    expect(item).to_contain_text("$1,150.00")
    item.locator("a.open-proposal").click()
    expect(phone_page).to_have_url(re.compile(rf"/portal/proposals/{sent.id}$"))

    # Read: the firm's step names, the letter filled in, the services with the total.
    expect(phone_page.locator("#proposal-steps")).to_contain_text("Read")
    expect(phone_page.locator("#proposal-steps")).to_contain_text("Choose services")
    expect(phone_page.locator("#proposal-introduction")).to_contain_text(f"Dear {contact.first_name},")
    expect(phone_page.locator("#proposal-total")).to_have_text("$1,150.00")
    phone_page.click("#proposal-next")

    # Choose: switching the optional service on updates the total.
    planning = phone_page.locator(".proposal-line", has_text="Journey tax planning")
    planning.get_by_role("switch").click()
    expect(phone_page.locator("#proposal-total")).to_have_text("$1,450.00")
    phone_page.click("#proposal-next-sign")

    # Sign: consent first, then a signature drawn with a finger (pointer events on the pad).
    expect(phone_page.locator("#proposal-sign-total")).to_have_text("$1,450.00")
    expect(phone_page.locator("#proposal-disclosure")).to_contain_text("Consent to sign")
    phone_page.click("#proposal-consent")
    canvas = phone_page.locator("#proposal-signature-canvas")
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    phone_page.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.6)
    phone_page.mouse.down()
    for i in range(1, 12):
        phone_page.mouse.move(box["x"] + box["width"] * (0.1 + i * 0.06),
                              box["y"] + box["height"] * (0.6 - 0.3 * (i % 2)), steps=2)
    phone_page.mouse.up()
    phone_page.click("#proposal-sign")
    expect(phone_page.locator("#proposal-done")).to_have_text("Signed. Thank you!", timeout=30_000)
    expect(phone_page.locator("#proposal-signed-pdf")).to_be_visible()

    # The next rule fired: the job moved on; the sealed PDF is in the account's documents and is intact.
    with read_session() as s:
        assert s.get(Job, job.id).stage_id == proposal_setup["signed_stage"].id
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Journey: signed, start the work")
                     .order_by(RuleRun.id.desc())).first()
        assert run.status.value == "done", run.actions
        signed = s.get(Proposal, sent.id)
        assert signed.status.value == "signed" and signed.total_cents == 145000 and signed.signature_kind == "drawn"
        doc = s.get(Document, signed.document_id)
        assert doc.account_id == job.account_id and doc.name == f"{TEMPLATE} - signed.pdf"
        report = verify.verify(storage.path_for(doc.stored_key).read_bytes(), session=s)
        assert report.intact, report.problems

    # Staff see it signed on the account page, with the PDF among the documents.
    log_in(page, base_url)
    page.goto(f"{base_url}/accounts/{job.account_id}")
    row = page.locator("#proposals-section .proposal-row", has_text=TEMPLATE)
    expect(row).to_contain_text("Signed")
    expect(row).to_contain_text("$1,450.00")
    expect(row.locator("a.signed-proposal-link")).to_be_visible()
    expect(page.locator("#documents-section .document-row", has_text=f"{TEMPLATE} - signed.pdf")).to_be_visible()

"""Pay at signing, in a browser against localstripe: a proposal whose template requires payment when signing; on a
phone (390x844) the client signs and the same page goes straight on to the card fields; a declined card says so
and leaves the proposal signed, awaiting payment (staff see it so on the account page; `proposal is signed` has not
fired) and a document the firm locked until that invoice is paid stays closed; coming back to the proposal, "Pay to
finish" takes a good card and the proposal is done: the invoice is paid, the sealed PDF is filed, the rule `when
proposal is signed` moved the job, and the locked document opens."""
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
from practice.models import (Document, Invoice, InvoiceStatus, Job, Payment, Proposal, ProposalStatus,
                             ProposalTemplate, ProposalTemplateLine, Stage)
from practice.services.automation import rulesets
from practice.services.billing import document_locks
from practice.services.documents import files as document_files
from practice.services.payments import settings as payment_settings
from practice.services.actor import SYSTEM
from practice.services.proposals import sending, templates
from practice.services.work import catalog, jobs, pipelines
from tests.e2e.conftest import log_in, portal_log_in, type_card
from tests.factories import blank_pdf, demo_owner, portal_client
from tests.factories.payments import set_up_card_payments

pytestmark = pytest.mark.e2e
PASSWORD = "ledger-quince-harbor-7"
KIT = "Welcome kit.pdf"


@pytest.fixture
def paying_proposal(stripe_for_the_app):
    """Card payments on; a new client on the portal with a job in a pipeline of its own; a template that requires
    payment when signing, sent for that job; the rule `when proposal is signed` moves the job on. The rules and the
    template are put back after."""
    owner, tag = demo_owner(), uuid.uuid4().hex[:6]
    set_up_card_payments(owner)
    email = f"nora.{tag}@paysign.example"
    account_id, _ = portal_client(account=f"Pell Household {tag}", first_name="Nora", last_name="Pell",
                                  email=email, password=PASSWORD)
    name = f"Engagement paid at signing {tag}"
    with read_session() as s:
        current = rulesets.current_ruleset(s)
        rules_before = current.text if current else ""
    with write_session() as s:
        pipeline = pipelines.create_pipeline(s, owner, name=f"Paid engagement {tag}",
                                             stages=[f"Proposal {tag}", f"Engaged {tag}"])
        job = jobs.create_job(s, owner, account_id=account_id, pipeline_id=pipeline.id, name=f"Books {tag}")
        lines = [{"service_id": catalog.create_service(s, owner, name=f"Bookkeeping {tag}", rate_cents=48000).id}]
        templates.save_template(s, owner, name=name, lines=lines, introduction="Dear {{ contact.first_name }},",
                                terms="Paid when signing.", require_payment=True)
        rulesets.save_rules(s, owner, rules_before + f'''
rule "Paid engagement {tag}: start the work"
when proposal is signed
if job.stage is "Proposal {tag}"
then
  move job to next stage
end
''', note="pay at signing journey")
    with write_session() as s:
        proposal = sending.send_proposal(s, owner, account_id, name, job_id=job.id)
        stages = {st.name: st.id for st in s.exec(select(Stage).where(Stage.pipeline_id == pipeline.id))}
    yield {"email": email, "account_id": account_id, "job_id": job.id, "proposal_id": proposal.id, "name": name,
           "engaged": stages[f"Engaged {tag}"], "first": stages[f"Proposal {tag}"]}
    with write_session() as s:
        rulesets.save_rules(s, SYSTEM, rules_before, note="restored after the pay at signing journey")
    with write_session() as s:
        template = s.exec(select(ProposalTemplate).where(ProposalTemplate.name == name)).one()
        for sent in s.exec(select(Proposal).where(Proposal.template_id == template.id)):
            sent.template_id = None
        s.execute(delete(ProposalTemplateLine).where(ProposalTemplateLine.template_id == template.id))
        s.delete(template)


def draw_signature(pg) -> None:
    canvas = pg.locator("#proposal-signature-canvas")
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    pg.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.6)
    pg.mouse.down()
    for i in range(1, 12):
        pg.mouse.move(box["x"] + box["width"] * (0.1 + i * 0.06), box["y"] + box["height"] * (0.6 - 0.3 * (i % 2)),
                      steps=2)
    pg.mouse.up()




def job_stage(job_id: int, wanted: int, seconds: float = 30) -> int:
    """The job's stage, once it is `wanted` (the rules run after the payment's commit) or the time is up."""
    end = time.monotonic() + seconds
    while True:
        with read_session() as s:
            stage = s.get(Job, job_id).stage_id
        if stage == wanted or time.monotonic() > end:
            return stage
        time.sleep(0.2)


def test_the_client_signs_and_pays_in_one_flow_on_a_phone(phone_page, page, base_url, paying_proposal):
    pg, setup = phone_page, paying_proposal
    portal_log_in(pg, base_url, setup["email"], PASSWORD)
    pg.locator(".proposal-item", has_text=setup["name"]).locator("a.open-proposal").click()
    expect(pg).to_have_url(re.compile(rf"/portal/proposals/{setup['proposal_id']}$"))
    pg.click("#proposal-next")
    pg.click("#proposal-consent")
    draw_signature(pg)
    pg.click("#proposal-sign")

    # Signed: the same page goes straight on to paying the invoice; a declined card says so.
    expect(pg.locator("#proposal-awaiting-payment")).to_have_text("Signed. Pay to finish", timeout=30_000)
    expect(pg.locator("#proposal-due")).to_have_text("$480.00")
    type_card(pg, "4000000000000002")
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    pg.click("#pay-card")
    expect(pg.locator("#card-error")).to_contain_text("declined")
    with read_session() as s:
        proposal = s.get(Proposal, setup["proposal_id"])
        invoice = s.get(Invoice, proposal.invoice_id)
        assert proposal.status == ProposalStatus.sent and proposal.signed_at is not None
        assert s.get(Document, proposal.document_id).account_id == setup["account_id"]
        assert (invoice.status, invoice.total_cents, invoice.job_id) == (InvoiceStatus.sent, 48000, setup["job_id"])
        number, invoice_id = invoice.number, invoice.id
    assert job_stage(setup["job_id"], setup["engaged"], seconds=0) == setup["first"]

    # The firm locks the welcome kit until that invoice is paid: the client cannot open it yet.
    kit = document_files.upload(demo_owner(), setup["account_id"], None, KIT, blank_pdf())
    with write_session() as s:
        document_locks.lock_document(s, demo_owner(), kit.id, invoice_id)
    assert pg.request.get(base_url + routes.file_url(kit.id)).status == 403

    # Staff see it signed and waiting for its payment.
    log_in(page, base_url)
    page.goto(f"{base_url}/accounts/{setup['account_id']}")
    row = page.locator("#proposals-section .proposal-row", has_text=setup["name"])
    expect(row).to_contain_text("Signed, awaiting payment")
    expect(row).to_contain_text(f"once invoice {number} is paid")

    # Later the client comes back from the portal's home: "Pay to finish" with a good card.
    pg.goto(base_url + routes.PORTAL)
    item = pg.locator(".proposal-item", has_text=setup["name"])
    expect(item).to_contain_text("Signed: pay to finish")
    item.locator("a.open-proposal").click()
    expect(pg.locator("#proposal-awaiting-payment")).to_be_visible()
    pg.click("#proposal-pay")
    type_card(pg, "4242424242424242")
    pg.click("#pay-card")
    expect(pg.locator("#proposal-done")).to_have_text("Signed. Thank you!", timeout=30_000)
    expect(pg.locator("#card-notice")).to_contain_text("Thank you: $480.00 paid by card.")
    expect(pg.locator("#proposal-signed-pdf")).to_be_visible()
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390 + 1

    with read_session() as s:
        proposal = s.get(Proposal, setup["proposal_id"])
        assert proposal.status == ProposalStatus.signed
        assert s.get(Invoice, proposal.invoice_id).status == InvoiceStatus.paid
        assert len(s.exec(select(Payment).where(Payment.invoice_id == proposal.invoice_id)).all()) == 1
    assert job_stage(setup["job_id"], setup["engaged"]) == setup["engaged"]

    # Paid: the locked kit opens for the client from Documents.
    pg.click("#portal-nav-documents")
    link = pg.locator("a.portal-document-link", has_text=KIT)
    expect(link).to_be_visible()
    with pg.expect_download() as info:
        link.click()
    assert info.value.suggested_filename == KIT
    page.reload()
    expect(page.locator("#proposals-section .proposal-row", has_text=setup["name"])).to_contain_text("Signed by Nora")


def test_the_option_is_refused_with_a_sentence_until_card_payments_are_set_up(page, base_url, stripe_for_the_app):
    owner, tag = demo_owner(), uuid.uuid4().hex[:6]
    name, service = f"Paid letter {tag}", f"Advice {tag}"
    with write_session() as s:
        catalog.create_service(s, owner, name=service, rate_cents=15000)
        if payment_settings.is_set_up(s):
            payment_settings.turn_off(s, owner)
    log_in(page, base_url)
    page.get_by_role("link", name="Proposals", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/proposals/templates$"))
    expect(page.locator("#step-read")).to_have_value("Read")
    page.fill("#proposal-template-name", name)
    page.click("#proposal-add-service")
    page.get_by_role("option", name=re.compile(service)).click()
    page.click("#proposal-require-payment")
    page.click("#save-proposal-template")
    expect(page.get_by_text("Set up card payments first (Settings, Payments)")).to_be_visible(timeout=15_000)
    expect(page.locator("#proposal-template-name")).to_have_value(name)
    expect(page.locator("#proposal-require-payment")).to_be_checked()

    set_up_card_payments(owner)
    page.click("#save-proposal-template")
    expect(page.get_by_text("Proposal template saved.")).to_be_visible(timeout=15_000)
    expect(page.locator(".proposal-template-row", has_text=name).locator(".template-require-payment")).to_have_text(
        "Paid when signing")
    with write_session() as s:
        template = s.exec(select(ProposalTemplate).where(ProposalTemplate.name == name)).one()
        assert template.require_payment
        s.execute(delete(ProposalTemplateLine).where(ProposalTemplateLine.template_id == template.id))
        s.delete(template)

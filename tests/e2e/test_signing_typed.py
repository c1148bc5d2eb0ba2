"""The typed signature, end to end: a client signs on a phone by choosing "Type" and typing a name; the sealed
file carries the typed name on the signed page and says "typed signature" on its audit page; the job page
follows the request from waiting to signed and lists the job's proposals (the signed one with its PDF), and an
empty job says where to start.

The request is set up through the services, with the helpers of the drawn journey (test_signing_journey.py);
the client's part happens in the browser.
"""
from __future__ import annotations

import io
import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import Document, Pipeline, SignatureRequest, Signer
from practice.services.documents import files as document_files, html_pdf, storage
from practice.services.actor import contact_actor
from practice.services.proposals import client_flow, sending, templates
from practice.services.signing import requests
from practice.services.work import accounts, catalog, jobs
from tests.e2e.conftest import log_in, portal_log_in
from tests.e2e import test_signing_journey as journey
from tests.e2e.test_signing_journey import PASSWORD, _activate, _consent, _staff

pytestmark = pytest.mark.e2e
# The signing journey's firm and browser pages, shared as a fixture of this module too.
site = journey.site
LETTER = """
<h1>Form 8879 authorization</h1>
<p>I authorize Park &amp; Lee to file my 2026 return electronically.</p>
"""
# Not the contact's name as the firm has it: proves the stamped name is what the client typed.
TYPED_NAME = "Rosa M. Ortiz"


@pytest.fixture
def typed_request(site):
    """Rosa Ortiz (a portal contact) asked to sign a one-page form for her 1040 job; a proposal for the same
    job waits for her; the account also has an empty Payroll job."""
    tag = uuid.uuid4().hex[:6]
    staff = _staff()
    with write_session() as s:
        pipeline = s.exec(select(Pipeline).where(Pipeline.name == "1040 Return")).first()
        account = accounts.create_account(s, staff, name=f"Ortiz Household {tag}")
        rosa = accounts.create_contact(s, staff, account_ids=[account.id], first_name="Rosa", last_name="Ortiz",
                                       email=f"rosa.{tag}@ortiz.example")
        job = jobs.create_job(s, staff, account_id=account.id, pipeline_id=pipeline.id, name=f"1040 2026 {tag}")
        empty_job = jobs.create_job(s, staff, account_id=account.id, pipeline_id=pipeline.id,
                                    name=f"Payroll 2026 {tag}")
        service = catalog.create_service(s, staff, name=f"Tax return {tag}", rate_cents=85000)
        templates.save_template(s, staff, name=f"Engagement {tag}", introduction="Thank you.", terms="Net 30.",
                                lines=[{"service_id": service.id}])
        ids = {"tag": tag, "account": account.id, "rosa": rosa.id, "job": job.id, "empty_job": empty_job.id,
               "email": rosa.email}
    _activate(staff, ids["rosa"])
    form = document_files.upload(staff, ids["account"], None, "Form 8879.pdf", html_pdf.render_pdf(LETTER))
    with write_session() as s:
        req = requests.create_request(s, staff, ids["account"], title=f"Form 8879 {tag}", document_id=form.id,
                                        signer_contact_ids=[ids["rosa"]], job_id=ids["job"])
        (signer,) = s.exec(select(Signer).where(Signer.request_id == req.id)).all()
        requests.set_fields(s, staff, req.id, [
            {"signer_id": signer.id, "kind": "signature", "page": 0, "x": 0.1, "y": 0.6, "width": 0.4,
             "height": 0.07},
            {"signer_id": signer.id, "kind": "date", "page": 0, "x": 0.6, "y": 0.63, "width": 0.25, "height": 0.04},
        ])
        requests.send(s, staff, req.id)
        ids["request"] = req.id
        ids["proposal"] = sending.send_proposal(s, staff, ids["account"], f"Engagement {tag}",
                                                  job_id=ids["job"]).id
    return ids


def _sign_proposal_as(contact_id: int, proposal_id: int) -> None:
    """The client signs the proposal (the proposal journey does this in the browser)."""
    with read_session() as s:
        who = contact_actor(s, contact_id)
    with write_session() as s:
        client_flow.give_consent(s, who, proposal_id)
    with write_session() as s:
        client_flow.sign(s, who, proposal_id, signature_kind="typed", signature={"text": "Rosa Ortiz"})


def _pdf_pages_text(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


def test_a_client_types_her_signature_on_a_phone_and_the_sealed_file_carries_it(page, phone_page, site,
                                                                                typed_request):
    ids = typed_request
    job_url = f"{site}/jobs/{ids['job']}"

    # Staff see the request on the job page, waiting for Rosa, and the proposal waiting too.
    log_in(page, site)
    page.goto(job_url)
    section = page.locator("#job-client-items-section")
    row = section.locator(".job-signature-row", has_text=f"Form 8879 {ids['tag']}")
    expect(row).to_contain_text("0 of 1 signed · waiting for Rosa Ortiz")
    expect(row.locator(".job-signature-status")).to_have_text("Waiting for signatures")
    proposal = section.locator(".job-proposal-row", has_text=f"Engagement {ids['tag']}")
    expect(proposal).to_contain_text("$850.00")
    expect(proposal.locator(".job-proposal-status")).to_have_text("sent")
    expect(proposal.locator(".job-proposal-pdf")).to_have_count(0)

    # Rosa, on her phone: consent, then the signature box, "Type", her name as she writes it, and sign.
    rosa = phone_page
    portal_log_in(rosa, site, ids["email"], PASSWORD)
    rosa.goto(f"{site}/portal/sign/{ids['request']}")
    _consent(rosa)
    expect(rosa.locator("#sign-pages")).to_be_visible()
    expect(rosa.locator("#sign-progress")).to_have_text("1 of 2 filled")  # the date fills itself
    rosa.locator(".sign-field[data-kind='signature']").click()
    expect(rosa.locator("#sign-editor")).to_be_visible()
    rosa.click("#sign-pad-type-tab")
    typed = rosa.locator("#sign-pad-typed")
    expect(typed).to_be_visible()
    expect(typed).to_have_value("Rosa Ortiz")  # offered from the firm's record; she may change it
    typed.fill("")
    rosa.click("#sign-adopt")
    expect(rosa.locator("#sign-editor").get_by_text(re.compile("Type your name to sign"))).to_be_visible()
    typed.fill(TYPED_NAME)
    expect(rosa.locator("#sign-pad-preview")).to_have_text(TYPED_NAME)
    rosa.click("#sign-adopt")
    expect(rosa.locator("#sign-editor")).to_have_count(0)
    expect(rosa.locator(".sign-field[data-kind='signature']")).to_contain_text(TYPED_NAME)
    expect(rosa.locator("#sign-progress")).to_have_text("2 of 2 filled")
    rosa.click("#sign-finish")
    expect(rosa.locator("#sign-summary")).to_contain_text(f'Page 1: Signature: "{TYPED_NAME}"')
    rosa.click("#sign-now")
    expect(rosa.locator("#sign-done-title")).to_have_text("Everyone has signed", timeout=30_000)

    # The sealed file: the typed name on the signed page, and the audit page names Rosa and the typed kind.
    with read_session() as s:
        req = s.get(SignatureRequest, ids["request"])
        (signer,) = s.exec(select(Signer).where(Signer.request_id == req.id)).all()
        assert signer.signature_kind == "typed" and signer.signature == {"text": TYPED_NAME}
        signed = s.get(Document, req.signed_document_id)
        data = storage.open_stored(signed.stored_key).read_bytes()
    signed_page, *audit_pages = _pdf_pages_text(data)
    assert TYPED_NAME in signed_page
    audit = "\n".join(audit_pages)
    assert "Signature audit trail" in audit
    assert "Rosa Ortiz" in audit and ids["email"] in audit
    assert "typed signature" in audit

    # Back on the job page: the request is signed, and once Rosa signs the proposal its sealed PDF is linked.
    _sign_proposal_as(ids["rosa"], ids["proposal"])
    page.goto(job_url)
    expect(row.locator(".job-signature-status")).to_have_text("Signed by everyone")
    expect(row.locator(".job-signature-progress")).to_have_text("Signed")
    expect(row).to_have_attribute("data-status", "completed")
    expect(proposal.locator(".job-proposal-status")).to_have_text("signed")
    expect(proposal).to_contain_text("Signed by Rosa Ortiz")
    with read_session() as s:
        proposal_pdf = sending.list_for_job(s, _staff(), ids["job"])[0].document_id
    expect(proposal.locator(".job-proposal-pdf")).to_have_attribute("href", re.compile(rf"/files/{proposal_pdf}$"))
    row.locator(".job-signature-link").click()
    expect(page).to_have_url(re.compile(rf"/signatures/{ids['request']}$"))


def test_an_empty_job_says_where_to_ask_for_a_signature_or_send_a_proposal(page, site, typed_request):
    ids = typed_request
    log_in(page, site)
    page.goto(f"{site}/jobs/{ids['empty_job']}")
    expect(page.locator("#job-signatures-empty")).to_contain_text("Nothing to sign for this job yet.")
    expect(page.locator("#job-proposals-empty")).to_contain_text("No proposal sent for this job yet.")
    expect(page.locator("#job-send-proposal")).to_have_attribute(
        "href", re.compile(rf"/accounts/{ids['account']}#proposals-section$"))
    page.click("#job-request-signature")
    expect(page).to_have_url(re.compile(rf"/accounts/{ids['account']}/signatures/new\?job={ids['empty_job']}$"))
    expect(page.locator("#signature-title")).to_be_visible()
    expect(page.locator("#signature-job")).to_have_value(str(ids["empty_job"]))  # the job is chosen already

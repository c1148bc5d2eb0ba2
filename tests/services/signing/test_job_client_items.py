"""The job page's signatures and proposals: each job lists only its own requests and proposals, with the
signers' progress and the signed PDF's link; staff who cannot see the account (and clients) are refused;
an empty job says where to start one."""
from __future__ import annotations


import pytest

from practice.db import read_session, write_session
from practice.services.documents import files as document_files
from practice.services.proposals import client_flow, sending
from practice.services.signing import signer_flow
from practice.services.work import jobs
from practice.services.errors import NotFound, PermissionDenied
from practice.state.job import JobState
from tests.factories import (blank_pdf, contact_actor, make_firm, make_household, make_pipeline,
                             make_proposal_template, make_signature_request, signature_fields)


def hartley_with_two_jobs(monkeypatch):
    """Hartley Household with two jobs (1040 and Payroll) and two portal contacts; Dave works elsewhere."""
    with write_session() as s:
        staff = make_firm(s, employees={"dave": "Dave Outside"})
        owner = staff["owner"]
        pipeline = make_pipeline(s, owner, name="1040 Return")
        account, (june, jim) = make_household(s, owner, "Hartley Household", "Hartley", ("June", "Jim"))
        make_proposal_template(s, owner, lines=[{"service": "Tax return", "rate_cents": 90000, "quantity": 2}])
        tax = jobs.create_job(s, owner, account_id=account.id, pipeline_id=pipeline.id, name="1040 2026")
        payroll = jobs.create_job(s, owner, account_id=account.id, pipeline_id=pipeline.id, name="Payroll 2026")
    doc = document_files.upload(owner, account.id, None, "8879.pdf", blank_pdf())
    return {**staff, "account": account.id, "tax": tax.id, "payroll": payroll.id,
            "doc": doc.id, "june": june.id, "jim": jim.id, "june_actor": contact_actor(june.id)}


pytestmark = pytest.mark.firm(build=hartley_with_two_jobs)


def request_for(firm, job_id, title, *, send=True) -> int:
    with write_session() as s:
        return make_signature_request(
            s, firm["owner"], firm["account"], title=title, document_id=firm["doc"], in_order=True, job_id=job_id,
            signer_contact_ids=[firm["june"], firm["jim"]], send=send,
            fields=lambda signer_ids: signature_fields(signer_ids, top=0.2, step=0.3, width=0.4, height=0.08)).id


def job_page(firm, job_id, monkeypatch, actor=None) -> JobState:
    monkeypatch.setattr(JobState, "_actor", lambda self: actor or firm["owner"])
    monkeypatch.setattr(JobState, "job_id", str(job_id), raising=False)
    state = JobState()
    state.load()
    return state


def test_proposals_of_a_job_are_its_own_and_only_staff_who_see_the_account_get_them(firm):
    with write_session() as s:
        for_tax = sending.send_proposal(s, firm["owner"], firm["account"], "Engagement 2027", job_id=firm["tax"]).id
        sending.send_proposal(s, firm["owner"], firm["account"], "Engagement 2027", job_id=firm["payroll"])
        sending.send_proposal(s, firm["owner"], firm["account"], "Engagement 2027")
    with read_session() as s:
        assert [p.id for p in sending.list_for_job(s, firm["owner"], firm["tax"])] == [for_tax]
        with pytest.raises(PermissionDenied):
            sending.list_for_job(s, firm["dave"], firm["tax"])
        with pytest.raises(PermissionDenied):
            sending.list_for_job(s, firm["june_actor"], firm["tax"])
        with pytest.raises(NotFound):
            sending.list_for_job(s, firm["owner"], 999_999)


def test_an_empty_job_says_where_to_ask_for_a_signature_or_send_a_proposal(firm, monkeypatch):
    page = job_page(firm, firm["tax"], monkeypatch)
    assert page.found and page.signature_items == [] and page.proposal_items == []
    assert page.new_signature_href == f"/accounts/{firm['account']}/signatures/new?job={firm['tax']}"
    assert page.send_proposal_href == f"/accounts/{firm['account']}#proposals-section"


def test_the_job_page_lists_its_requests_with_the_signers_progress(firm, monkeypatch):
    waiting = request_for(firm, firm["tax"], "Form 8879 for 2026")
    draft = request_for(firm, firm["tax"], "Engagement letter", send=False)
    request_for(firm, firm["payroll"], "Payroll authorization")
    with write_session() as s:
        signer_flow.give_consent(s, firm["june_actor"], waiting)
        signer_flow.sign(s, firm["june_actor"], waiting, signature_kind="typed", signature={"text": "June Hartley"})
    page = job_page(firm, firm["tax"], monkeypatch)
    rows = {r.title: r for r in page.signature_items}
    assert set(rows) == {"Form 8879 for 2026", "Engagement letter"}
    sent = rows["Form 8879 for 2026"]
    assert sent.status == "sent" and sent.href == f"/signatures/{waiting}"
    assert sent.progress == "1 of 2 signed · waiting for Jim Hartley"
    assert sent.signers == "Signers: June Hartley, Jim Hartley"
    assert rows["Engagement letter"].progress.startswith("Not sent yet")
    assert rows["Engagement letter"].href == f"/signatures/{draft}"


def test_a_signed_proposal_links_its_sealed_pdf_and_a_waiting_one_does_not(firm, monkeypatch):
    with write_session() as s:
        signed = sending.send_proposal(s, firm["owner"], firm["account"], "Engagement 2027", job_id=firm["tax"]).id
        waiting = sending.send_proposal(s, firm["owner"], firm["account"], "Engagement 2027",
                                          job_id=firm["tax"]).id
    with write_session() as s:
        client_flow.give_consent(s, firm["june_actor"], signed)
    with write_session() as s:
        client_flow.sign(s, firm["june_actor"], signed, signature_kind="typed", signature={"text": "June Hartley"})
    with read_session() as s:
        document_id = next(p.document_id for p in sending.list_for_job(s, firm["owner"], firm["tax"])
                           if p.id == signed)
    page = job_page(firm, firm["tax"], monkeypatch)
    rows = {p.id: p for p in page.proposal_items}
    assert rows[signed].status == "signed" and rows[signed].total == "$1,800.00"
    assert rows[signed].href.endswith(f"/files/{document_id}")
    assert rows[signed].outcome.startswith("Signed by June Hartley")
    assert rows[waiting].href == "" and rows[waiting].outcome.endswith("not opened yet")


def test_staff_who_cannot_see_the_account_get_the_sentence_not_the_items(firm, monkeypatch):
    request_for(firm, firm["tax"], "Form 8879 for 2026")
    page = job_page(firm, firm["tax"], monkeypatch, actor=firm["dave"])
    assert not page.found and page.signature_items == []
    assert "do not have access" in page.page_error

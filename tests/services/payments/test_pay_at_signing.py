"""Pay at signing, through the services against a real localstripe: a proposal that asks for payment keeps the
client's signature and sealed PDF and issues its first invoice (the chosen services, numbered like any other); it
counts as signed (status, `proposal_signed`) only once that invoice is paid, by card in the same flow, later, by a
check staff record, or by the provider's webhook (delivered again: nothing more). A declined card leaves it
signed and waiting, never unsigned; only the account's contact pays it."""
from __future__ import annotations

import dataclasses

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import AccountContact, Document, Event, Invoice, InvoiceStatus, Payment, Proposal, ProposalStatus
from practice.services.billing import invoices
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from practice.services.payments import online
from practice.services.payments.provider import ProviderError
from practice.services.proposals import client_flow, sending, templates
from practice.services.work import jobs
from tests.factories import contact_actor, make_pipeline, make_proposal_template
from tests.factories.payments import card_paying_firm, card_token, set_up_card_payments
from tests.factories.payments import pay_in_browser as paid_in_browser

pytestmark = pytest.mark.firm(build=card_paying_firm)

LINES = [{"service": "Tax return", "rate_cents": 90000}, {"service": "Tax planning", "rate_cents": 30000,
                                                            "optional": True}]


def paying_proposal(firm, *, set_up=True) -> int:
    """Card payments set up, a template that asks for payment at signing, sent to the Jones Family for a job."""
    if set_up:
        set_up_card_payments(firm["ann"])
    with write_session() as s:
        pipeline = make_pipeline(s, firm["owner"], name="Engagement", stages=("Proposal", "Paid"))
        job = jobs.create_job(s, firm["owner"], account_id=firm["jones"], pipeline_id=pipeline.id, name="Books 2027")
        make_proposal_template(s, firm["ann"], name="Engagement 2027", lines=LINES, require_payment=True)
    with write_session() as s:
        return sending.send_proposal(s, firm["owner"], firm["jones"], "Engagement 2027", job_id=job.id).id


def amy(firm):
    return contact_actor(firm["amy"])


def sign(firm, pid):
    with write_session() as s:
        client_flow.give_consent(s, amy(firm), pid)
    with write_session() as s:
        client_flow.sign(s, amy(firm), pid, signature_kind="typed", signature={"text": "Amy Jones"})
    with read_session() as s:
        return client_flow.proposal_for_contact(s, amy(firm), pid)


def payer(firm, detail):
    """Amy, looking at the proposal's account (as the portal's proposal page pays)."""
    return dataclasses.replace(amy(firm), current_account_id=detail.account_id)


def signed_events(pid):
    with read_session() as s:
        return [e.kind for e in s.exec(select(Event).where(Event.kind.in_(("proposal_signed", "invoice_paid")))
                                       .order_by(Event.id)) if e.payload.get("proposal_id", pid) == pid]


def test_the_option_needs_card_payments_set_up(firm):
    with write_session() as s, pytest.raises(InvalidInput, match="Set up card payments first"):
        make_proposal_template(s, firm["ann"], lines=LINES, require_payment=True)
    with read_session() as s:
        assert templates.list_templates(s, firm["ann"]) == []


def test_signed_then_paid_by_card_counts_as_signed(firm, localstripe, inbox):
    pid = paying_proposal(firm)
    with write_session() as s:
        client_flow.choose(s, amy(firm), pid, next(line.id for line in client_flow.proposal_for_contact(
            s, amy(firm), pid).lines if line.optional), True)
    detail = sign(firm, pid)
    assert detail.status == "awaiting_payment" and detail.signer_name == "Amy Jones"
    assert detail.document_id is not None and detail.due_cents == 120000
    with read_session() as s:
        invoice = s.get(Invoice, detail.invoice_id)
        assert (invoice.status, invoice.number, invoice.total_cents) == (InvoiceStatus.sent, 1, 120000)
        assert s.get(Proposal, pid).status == ProposalStatus.sent
        assert [v.status for v in sending.list_for_account(s, firm["owner"], firm["jones"])] == ["awaiting_payment"]
    assert signed_events(pid) == []

    with read_session() as s:
        opened = online.start_card_payment(s, payer(firm, detail), detail.invoice_id)
        paid = online.pay_with_token(s, payer(firm, detail), opened.payment_id, card_token(localstripe.url))
    with write_session() as s:
        online.record_for(s, payer(firm, detail), paid)
    with read_session() as s:
        done = client_flow.proposal_for_contact(s, amy(firm), pid)
        assert s.get(Invoice, detail.invoice_id).status == InvoiceStatus.paid
    assert (done.status, done.due_cents, done.document_id) == ("signed", 0, detail.document_id)
    assert signed_events(pid) == ["invoice_paid", "proposal_signed"]


def test_a_declined_card_keeps_the_signature_and_paying_later_finishes_it(firm, localstripe, inbox):
    pid = paying_proposal(firm)
    detail = sign(firm, pid)
    with read_session() as s, pytest.raises(ProviderError, match="declined"):
        opened = online.start_card_payment(s, payer(firm, detail), detail.invoice_id)
        online.pay_with_token(s, payer(firm, detail), opened.payment_id, card_token(localstripe.url, "4000000000000002"))
    with read_session() as s:
        again = client_flow.proposal_for_contact(s, amy(firm), pid)
        assert s.get(Document, again.document_id) is not None
    assert (again.status, again.signer_name, again.due_cents) == ("awaiting_payment", "Amy Jones", 90000)
    with write_session() as s, pytest.raises(Conflict, match="signed this proposal already"):
        client_flow.sign(s, amy(firm), pid, signature_kind="typed", signature={"text": "Amy Jones"})
    with write_session() as s, pytest.raises(Conflict, match="void that invoice first"):
        sending.cancel(s, firm["owner"], pid)
    assert signed_events(pid) == []

    with read_session() as s:  # she comes back later: "Pay to finish"
        opened = online.start_card_payment(s, payer(firm, detail), detail.invoice_id)
        paid = online.pay_with_token(s, payer(firm, detail), opened.payment_id, card_token(localstripe.url))
    with write_session() as s:
        online.record_for(s, payer(firm, detail), paid)
    with read_session() as s:
        assert client_flow.proposal_for_contact(s, amy(firm), pid).status == "signed"
    assert signed_events(pid) == ["invoice_paid", "proposal_signed"]


def test_the_webhook_delivered_again_changes_nothing(firm, localstripe, inbox):
    pid = paying_proposal(firm)
    detail = sign(firm, pid)
    with read_session() as s:
        opened = online.start_card_payment(s, payer(firm, detail), detail.invoice_id)
    paid_in_browser(localstripe.url, opened.payment_id)
    delivered = inbox.wait_for(opened.payment_id.encode())
    for _ in range(3):
        with write_session() as s:
            online.apply_webhook(s, *delivered)
    with read_session() as s:
        assert len(s.exec(select(Payment).where(Payment.invoice_id == detail.invoice_id)).all()) == 1
        assert s.get(Proposal, pid).status == ProposalStatus.signed
    assert signed_events(pid) == ["invoice_paid", "proposal_signed"]


def test_a_check_staff_record_finishes_it_too(firm, localstripe, inbox):
    pid = paying_proposal(firm)
    detail = sign(firm, pid)
    with write_session() as s:
        invoices.record_payment(s, firm["owner"], detail.invoice_id, amount_cents=50000, method="check")
    with read_session() as s:
        assert s.get(Proposal, pid).status == ProposalStatus.sent  # a part is not the payment
    with write_session() as s:
        invoices.record_payment(s, firm["owner"], detail.invoice_id, amount_cents=40000, method="check")
    with read_session() as s:
        assert s.get(Proposal, pid).status == ProposalStatus.signed
    assert signed_events(pid) == ["invoice_paid", "proposal_signed"]


def test_only_the_accounts_contact_pays_it(firm, localstripe, inbox):
    pid = paying_proposal(firm)
    detail = sign(firm, pid)
    with read_session() as s:
        sam = contact_actor(s.exec(select(AccountContact.contact_id)
                                   .where(AccountContact.account_id == firm["other"])).first())
        for stranger in (sam, dataclasses.replace(sam, current_account_id=firm["jones"])):
            with pytest.raises((NotFound, PermissionDenied)):
                online.start_card_payment(s, stranger, detail.invoice_id)
        with pytest.raises(NotFound):
            client_flow.proposal_for_contact(s, sam, pid)


def test_voiding_its_invoice_lets_staff_withdraw_a_signed_unpaid_proposal(firm, localstripe, inbox):
    pid = paying_proposal(firm)
    detail = sign(firm, pid)
    with write_session() as s:
        invoices.void(s, firm["owner"], detail.invoice_id, "The engagement is off")
    with write_session() as s:
        sending.cancel(s, firm["owner"], pid)
    with read_session() as s:
        assert s.get(Proposal, pid).status == ProposalStatus.cancelled
    assert signed_events(pid) == []

"""The first invoice of a proposal that asks for payment at signing: the services the client chose become an invoice
for the account (and the proposal's job), issued at once through the same path as the Billing page's Send
(`invoices.issue`: the firm's next number, gapless; its `invoice_issued` event files the PDF and emails it). When it
is paid, `invoices.became_paid` completes the proposal (services/signing/proposal_completion)."""
from __future__ import annotations

from sqlmodel import Session

from practice.models import Invoice, Proposal
from practice.services.actor import SYSTEM
from practice.services.billing import invoices


def issue_for_proposal(session: Session, proposal: Proposal, lines: list) -> Invoice:
    """Write and issue the invoice of the chosen `lines` (the proposal's LineViews) of a just-signed proposal; the
    firm's automation issues it (the client has no billing rights), as a rule's `send invoice` does."""
    chosen = [{"service_id": line.service_id, "name": line.name, "description": line.description,
               "quantity": line.quantity, "rate_cents": line.price_cents} for line in lines if line.chosen]
    draft = invoices.save_draft(session, SYSTEM, account_id=proposal.account_id, lines=chosen, job_id=proposal.job_id)
    return invoices.issue(session, SYSTEM, draft.id)

"""A signed proposal counts as signed: its status, the audit row, `proposal_signed` for the rules (automove, jobs
waiting on it) and staff told. The client's signing does it at once; a proposal that asks for payment at signing
waits, signed, for its first invoice, and is completed here when that invoice becomes paid, whoever records the
payment (the client's card, its webhook, a check staff record). It sits below billing and proposals, so billing's
`became_paid` can call it without knowing proposals."""
from __future__ import annotations

from sqlmodel import Session, select

from practice.i18n import N_
from practice.models import Account, Invoice, Proposal, ProposalStatus, SigningEvent
from practice.services import audit, events, inbox
from practice.services.actor import client_actor
from practice.services.formatting import format_money


def count_as_signed(session: Session, proposal: Proposal) -> Proposal:
    """Mark a proposal whose signature is recorded (and sealed) as signed, and tell it once."""
    if proposal.status == ProposalStatus.signed or proposal.signed_at is None:
        return proposal
    proposal.status = ProposalStatus.signed
    session.add(proposal)
    session.flush()
    actor = client_actor(proposal.signer_name)
    account = session.get(Account, proposal.account_id)
    paid = f" (invoice {invoice.number} paid)" if (invoice := _invoice(session, proposal)) is not None else ""
    audit.record(session, actor, "proposal_signed", "account", proposal.account_id,
                 f'{proposal.signer_name} signed proposal "{proposal.name}" ({format_money(proposal.total_cents)})'
                 + paid, proposal_id=proposal.id, document_id=proposal.document_id)
    events.emit(session, actor, "proposal_signed", job_id=proposal.job_id, account_id=proposal.account_id,
                payload={"proposal_id": proposal.id, "contact_id": proposal.signed_by_contact_id,
                         "job_id": proposal.job_id, "document_id": proposal.document_id})
    who = inbox.client_label(proposal.signer_name, account.name if account else "")
    text = (inbox.said(N_('{who} signed and paid the proposal "{name}" for {total}'), who=who, name=proposal.name,
                       total=format_money(proposal.total_cents)) if paid else
            inbox.said(N_('{who} signed the proposal "{name}" for {total}'), who=who, name=proposal.name,
                       total=format_money(proposal.total_cents)))
    inbox.notify_client_activity(session, account_id=proposal.account_id, job_id=proposal.job_id, text=text)
    return proposal


def _invoice(session: Session, proposal: Proposal) -> Invoice | None:
    return session.get(Invoice, proposal.invoice_id) if proposal.invoice_id is not None else None


def invoice_paid(session: Session, invoice: Invoice) -> Proposal | None:
    """The invoice just became paid in full: the signed proposal waiting for it (if any) now counts as signed."""
    proposal = session.exec(select(Proposal).where(Proposal.invoice_id == invoice.id,
                                                   Proposal.status == ProposalStatus.sent,
                                                   Proposal.signed_at.is_not(None))).first()
    if proposal is None:
        return None
    session.add(SigningEvent(proposal_id=proposal.id, kind="paid",
                             detail=f"Invoice {invoice.number} paid ({format_money(invoice.total_cents)})"))
    return count_as_signed(session, proposal)

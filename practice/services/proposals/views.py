"""What pages show of proposals and their templates: plain views with their totals."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session, select

from practice.models import Account, Invoice, Job, Proposal, ProposalStatus
from practice.services.firm import version_for


def name_for(proposal: Proposal, language: str) -> str:
    """The proposal's name as a reader of `language` sees it: its French name for a French reader, when the
    template had one when it was sent, else its name."""
    return version_for(language, proposal.name, proposal.name_fr)


@dataclass
class LineView:
    id: int
    service_id: int | None
    name: str
    description: str
    quantity: int
    price_cents: int
    optional: bool
    chosen: bool = True

    @property
    def amount_cents(self) -> int:
        return self.quantity * self.price_cents


@dataclass
class TemplateView:
    id: int
    name: str
    introduction: str
    terms: str
    lines: list[LineView]
    updated_at: dt.datetime | None = None
    # The French version of the texts, for clients who read French (empty: they get the texts above).
    introduction_fr: str = ""
    terms_fr: str = ""
    name_fr: str = ""
    # The client pays the first invoice by card when signing.
    require_payment: bool = False

    @property
    def has_french(self) -> bool:
        return bool(self.introduction_fr.strip() or self.terms_fr.strip() or self.name_fr.strip())

    @property
    def total_cents(self) -> int:
        """What the template costs with its required lines only."""
        return sum(line.amount_cents for line in self.lines if not line.optional)


@dataclass
class ProposalView:
    id: int
    account_id: int
    account_name: str
    job_id: int | None
    job_name: str
    name: str
    status: str
    total_cents: int
    sent_at: dt.datetime
    viewed_at: dt.datetime | None
    signed_at: dt.datetime | None
    signer_name: str
    declined_at: dt.datetime | None
    decline_reason: str
    document_id: int | None
    requested_by: str
    # Pay at signing: the number of the invoice a signed proposal waits for (status "awaiting_payment").
    invoice_number: int | None = None


@dataclass
class ProposalDetail:
    """What the client's proposal page shows."""

    id: int
    name: str
    status: str
    firm_name: str
    account_name: str
    introduction: str
    terms: str
    lines: list[LineView]
    total_cents: int
    steps: dict[str, str]
    needs_consent: bool
    disclosure: str
    signer_name: str
    signed_at: dt.datetime | None
    document_id: int | None
    decline_reason: str = ""
    has_optional: bool = field(default=False)
    # Pay at signing: the client pays the first invoice by card when signing; once signed, the invoice it waits for.
    require_payment: bool = False
    account_id: int = 0
    invoice_id: int | None = None
    invoice_number: int | None = None
    due_cents: int = 0


AWAITING_PAYMENT = "awaiting_payment"


def shown_status(proposal: Proposal) -> str:
    """The proposal's status as people read it: a signed proposal still waiting for its invoice to be paid is
    "awaiting_payment" (its stored status stays `sent` until then)."""
    if proposal.status == ProposalStatus.sent and proposal.signed_at is not None:
        return AWAITING_PAYMENT
    return ProposalStatus(proposal.status).value


def proposal_views(session: Session, *conditions, language: str = "") -> list[ProposalView]:
    """The proposals matching `conditions`, each named as a reader of `language` sees it."""
    rows = session.execute(select(Proposal, Account.name).join(Account, Account.id == Proposal.account_id)
                           .where(*conditions)
                           .order_by(Proposal.status != ProposalStatus.sent, Proposal.id.desc())).all()
    job_ids = {p.job_id for p, _ in rows if p.job_id}
    jobs = dict(session.exec(select(Job.id, Job.name).where(Job.id.in_(job_ids or [-1]))).all())
    invoice_ids = {p.invoice_id for p, _ in rows if p.invoice_id}
    numbers = dict(session.exec(select(Invoice.id, Invoice.number).where(Invoice.id.in_(invoice_ids or [-1]))).all())
    return [ProposalView(p.id, p.account_id, account_name, p.job_id, jobs.get(p.job_id, ""),
                         name_for(p, language),
                         shown_status(p), p.total_cents, p.sent_at, p.viewed_at, p.signed_at,
                         p.signer_name, p.declined_at, p.decline_reason, p.document_id, p.requested_by_label,
                         numbers.get(p.invoice_id))
            for p, account_name in rows]

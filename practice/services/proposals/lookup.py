"""Finding a proposal for whoever asks (staff, or a contact of its account in the portal), its lines, and its
timeline of signing events."""
from __future__ import annotations

from sqlmodel import Session, select

from practice.models import (AccountContact, Contact, Proposal, ProposalLine, ProposalStatus, ProposalTemplateLine,
                             Role, SigningEvent)
from practice.services.actor import Actor
from practice.services.errors import NotFound, PermissionDenied
from practice.services.proposals.views import LineView
from practice.i18n import N_, _

NOT_IN_PORTAL = N_("That proposal is not in your portal (it may have been withdrawn).")


def require_staff(actor) -> Actor:
    if not isinstance(actor, Actor):
        raise PermissionDenied(_("Only the firm's team can do that."))
    return actor


def require_contact(who) -> None:
    if isinstance(who, Actor) or not hasattr(who, "contact_id"):
        raise PermissionDenied(_("Only the client can do that."))


def contact_proposal(session: Session, who, proposal_id) -> Proposal:
    """The proposal, if `who` (a portal contact) belongs to its account; another client's is 'not found'."""
    require_contact(who)
    try:
        proposal_id = int(proposal_id)
    except (TypeError, ValueError):
        raise NotFound(_(NOT_IN_PORTAL)) from None
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.status == ProposalStatus.cancelled:
        raise NotFound(_(NOT_IN_PORTAL))
    linked = session.exec(select(AccountContact.account_id).where(
        AccountContact.account_id == proposal.account_id, AccountContact.contact_id == who.contact_id)).first()
    if proposal.account_id not in tuple(who.account_ids) or linked is None:
        raise NotFound(_(NOT_IN_PORTAL))
    return proposal


def client_actor(who) -> Actor:
    return Actor(None, f"{who.name} (client)", Role.employee)


def template_lines(session: Session, template_id: int) -> list[LineView]:
    rows = session.exec(select(ProposalTemplateLine).where(ProposalTemplateLine.template_id == template_id)
                        .order_by(ProposalTemplateLine.position, ProposalTemplateLine.id))
    return [LineView(r.id, r.service_id, r.name, r.description, r.quantity, r.price_cents, r.optional) for r in rows]


def proposal_lines(session: Session, proposal_id: int) -> list[LineView]:
    rows = session.exec(select(ProposalLine).where(ProposalLine.proposal_id == proposal_id)
                        .order_by(ProposalLine.position, ProposalLine.id))
    return [LineView(r.id, r.service_id, r.name, r.description, r.quantity, r.price_cents, r.optional, r.chosen)
            for r in rows]


def log_event(session: Session, proposal: Proposal, kind: str, detail: str = "", *, contact_id: int | None = None,
           ip_address: str = "", user_agent: str = "") -> None:
    session.add(SigningEvent(proposal_id=proposal.id, contact_id=contact_id, kind=kind, detail=detail[:2000],
                             ip_address=ip_address[:100], user_agent=user_agent[:500]))


def contact_name(contact: Contact) -> str:
    return f"{contact.first_name} {contact.last_name}".strip() or contact.email

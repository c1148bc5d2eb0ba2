"""The client's side in the portal: open a proposal, switch optional services on or off (the total follows),
consent to sign electronically, and sign (typed or drawn) or decline. Signing files the sealed PDF in the
account's documents and emits `proposal_signed` for the rules."""
from __future__ import annotations

import hashlib

from sqlmodel import Session, select

from practice.i18n import N_, _
from practice.models import (Account, AccountContact, Contact, Document, Invoice, PortalLogin, Proposal,
                             ProposalLine, ProposalStatus, utcnow)
from practice.services import audit, inbox
from practice.services.billing import from_proposal, invoices
from practice.services.documents import storage
from practice.services.errors import Conflict, InvalidInput, NotFound
from practice.services.firm import get_firm
from practice.services.proposals.lookup import (client_actor, contact_name, contact_proposal, log_event, proposal_lines,
                                                require_contact)
from practice.services.proposals.rendering import signed_pdf
from practice.services.proposals.templates import step_names
from practice.services.proposals.views import ProposalDetail, ProposalView, name_for, proposal_views, shown_status
from practice.services.signing import consent, proposal_completion
from practice.services.formatting import format_money

MAX_REASON = 2000
MAX_TYPED = 100
MAX_STROKE_POINTS = 5000


def list_for_contact(session: Session, who, account_id: int | None = None, *,
                     open_only: bool = True) -> list[ProposalView]:
    """A contact's proposals in its current (or given, if linked) account; waiting ones only by default."""
    require_contact(who)
    account_id = getattr(who, "current_account_id", None) if account_id is None else account_id
    if account_id is None:
        return []
    linked = session.exec(select(AccountContact.account_id).where(
        AccountContact.account_id == account_id, AccountContact.contact_id == who.contact_id)).first()
    if account_id not in tuple(who.account_ids) or linked is None:
        raise NotFound(_("That account is not in your portal."))
    conditions = [Proposal.account_id == account_id]
    conditions.append(Proposal.status == ProposalStatus.sent if open_only
                      else Proposal.status != ProposalStatus.cancelled)
    return proposal_views(session, *conditions, language=who.language)


def _detail(session: Session, who, proposal: Proposal) -> ProposalDetail:
    firm = get_firm(session).name
    text = consent.disclosure_text(session, firm)
    lines = proposal_lines(session, proposal.id)
    invoice = session.get(Invoice, proposal.invoice_id) if proposal.invoice_id is not None else None
    return ProposalDetail(
        id=proposal.id, name=name_for(proposal, who.language), status=shown_status(proposal), firm_name=firm,
        account_name=session.get(Account, proposal.account_id).name, introduction=proposal.introduction,
        terms=proposal.terms, lines=lines, total_cents=proposal.total_cents, steps=step_names(session),
        needs_consent=consent.current_consent(session, who.contact_id, text) is None, disclosure=text,
        signer_name=proposal.signer_name, signed_at=proposal.signed_at, document_id=proposal.document_id,
        decline_reason=proposal.decline_reason, has_optional=any(line.optional for line in lines),
        require_payment=proposal.require_payment, account_id=proposal.account_id,
        invoice_id=invoice.id if invoice else None, invoice_number=invoice.number if invoice else None,
        due_cents=invoices.due_cents(invoice) if invoice else 0)


def open_proposal(session: Session, who, proposal_id: int, *, ip_address: str = "",
                  user_agent: str = "") -> ProposalDetail:
    """The proposal as the client reads it; the first opening is recorded (time, IP, browser)."""
    proposal = contact_proposal(session, who, proposal_id)
    if proposal.viewed_at is None and proposal.status == ProposalStatus.sent:
        proposal.viewed_at = utcnow()
        log_event(session, proposal, "viewed", f"Opened by {who.name}", contact_id=who.contact_id,
               ip_address=ip_address, user_agent=user_agent)
        account = session.get(Account, proposal.account_id)
        audit.record(session, client_actor(who), "proposal_viewed", "account", proposal.account_id,
                     f'{inbox.client_label(who.name, account.name)} opened proposal "{proposal.name}"',
                     proposal_id=proposal.id)
    return _detail(session, who, proposal)


def proposal_for_contact(session: Session, who, proposal_id: int) -> ProposalDetail:
    """The proposal as the client reads it, recording nothing."""
    return _detail(session, who, contact_proposal(session, who, proposal_id))


def _waiting(proposal: Proposal) -> None:
    if proposal.status == ProposalStatus.sent and proposal.signed_at is not None:
        raise Conflict(_("You signed this proposal already; it is finished once its invoice is paid."))
    if proposal.status != ProposalStatus.sent:
        raise Conflict({ProposalStatus.signed: _("This proposal was already signed."),
                        ProposalStatus.declined: _("This proposal was already declined."),
                        ProposalStatus.cancelled: _("This proposal was already cancelled.")}.get(
            ProposalStatus(proposal.status), _("This proposal is no longer waiting for you.")))


def _recount(session: Session, proposal: Proposal) -> None:
    proposal.total_cents = sum(line.amount_cents for line in proposal_lines(session, proposal.id) if line.chosen)


def choose(session: Session, who, proposal_id: int, line_id: int, chosen: bool) -> ProposalDetail:
    """Switch an optional service on or off (the client); the total follows."""
    proposal = contact_proposal(session, who, proposal_id)
    _waiting(proposal)
    try:
        line = session.get(ProposalLine, int(line_id))
    except (TypeError, ValueError):
        line = None
    if line is None or line.proposal_id != proposal.id:
        raise NotFound(_("That service is not part of this proposal."))
    if not line.optional:
        raise InvalidInput(_('"{name}" is part of every engagement; it cannot be left out.').format(name=line.name))
    line.chosen = bool(chosen)
    session.flush()
    _recount(session, proposal)
    return _detail(session, who, proposal)


def give_consent(session: Session, who, proposal_id: int, *, ip_address: str = "", user_agent: str = "") -> None:
    """The client agrees to sign and receive records electronically (the firm's disclosure text)."""
    proposal = contact_proposal(session, who, proposal_id)
    _waiting(proposal)
    text = consent.disclosure_text(session, get_firm(session).name)
    had = consent.current_consent(session, who.contact_id, text)
    row = consent.give_consent(session, who.contact_id, text, ip_address=ip_address, user_agent=user_agent)
    if had is None:
        log_event(session, proposal, "consented", f"{who.name} agreed to sign electronically "
               f"(disclosure SHA-256 {row.disclosure_sha256[:16]}...)", contact_id=who.contact_id,
               ip_address=ip_address, user_agent=user_agent)


def _clean_signature(kind: str, signature: dict) -> dict:
    if not isinstance(signature, dict):
        raise InvalidInput(_("The signature is not understood; sign again."), field="signature")
    if kind == "typed":
        text = " ".join(str(signature.get("text") or "").split())[:MAX_TYPED]
        if not text:
            raise InvalidInput(_("Type your full name to sign."), field="signature")
        return {"text": text}
    if kind == "drawn":
        strokes = signature.get("strokes")
        clean, total = [], 0
        if isinstance(strokes, list):
            for stroke in strokes[:500]:
                if not isinstance(stroke, list):
                    continue
                points = []
                for point in stroke:
                    try:
                        x, y = float(point[0]), float(point[1])
                    except (TypeError, ValueError, IndexError, KeyError):
                        continue
                    if 0 <= x <= 1 and 0 <= y <= 1:
                        points.append([round(x, 4), round(y, 4)])
                total += len(points)
                if points:
                    clean.append(points)
                if total > MAX_STROKE_POINTS:
                    raise InvalidInput(_("The drawn signature is too long; clear it and sign again."),
                                       field="signature")
        if sum(len(s) for s in clean) < 2:
            raise InvalidInput(_("Draw your signature in the box (or type your name instead)."), field="signature")
        return {"strokes": clean}
    raise InvalidInput(_("Choose to draw or to type your signature."), field="signature")


def sign(session: Session, who, proposal_id: int, *, signature_kind: str, signature: dict, ip_address: str = "",
         user_agent: str = "") -> Proposal:
    """Sign the proposal (the client, after consenting): the signed PDF is sealed and filed in the account's
    documents, staff are told, and `proposal_signed` fires. A proposal that asks for payment at signing keeps the
    signature and its sealed PDF, issues its first invoice (the chosen services) and counts as signed once that
    invoice is paid (services/signing/proposal_completion)."""
    proposal = contact_proposal(session, who, proposal_id)
    _waiting(proposal)
    firm = get_firm(session)
    text = consent.disclosure_text(session, firm.name)
    agreed = consent.current_consent(session, who.contact_id, text)
    if agreed is None:
        raise InvalidInput(_("Agree to sign electronically first (the box above the signature)."), field="consent")
    clean = _clean_signature(str(signature_kind or ""), signature)
    contact = session.get(Contact, who.contact_id)
    login = session.exec(select(PortalLogin).where(PortalLogin.contact_id == who.contact_id)).first()
    now = utcnow()
    proposal.signed_at, proposal.signed_by_contact_id = now, who.contact_id
    proposal.signer_name = contact_name(contact)
    proposal.signature_kind, proposal.signature = str(signature_kind), clean
    proposal.ip_address, proposal.user_agent = ip_address[:100], user_agent[:500]
    _recount(session, proposal)
    log_event(session, proposal, "signed", f"Signed by {proposal.signer_name} ({signature_kind}) for "
           f"{format_money(proposal.total_cents)}", contact_id=who.contact_id, ip_address=ip_address, user_agent=user_agent)
    session.flush()
    pdf = signed_pdf(session, proposal, contact, login.email if login else contact.email, agreed.consented_at)
    doc = _file_document(session, proposal, pdf, who)
    proposal.document_id, proposal.final_sha256 = doc.id, hashlib.sha256(pdf).hexdigest()
    log_event(session, proposal, "sealed", f"Sealed PDF filed as \"{doc.name}\" (SHA-256 {proposal.final_sha256})")
    if proposal.require_payment and proposal.total_cents > 0:
        _await_payment(session, who, proposal)
        return proposal
    return proposal_completion.count_as_signed(session, proposal)


def _await_payment(session: Session, who, proposal: Proposal) -> None:
    """Issue the first invoice of a signed proposal that asks for payment at signing; it waits for that payment."""
    invoice = from_proposal.issue_for_proposal(session, proposal, proposal_lines(session, proposal.id))
    proposal.invoice_id = invoice.id
    session.flush()
    log_event(session, proposal, "invoiced", f"Invoice {invoice.number} issued for "
              f"{format_money(invoice.total_cents)}; the proposal is signed once it is paid")
    account = session.get(Account, proposal.account_id)
    audit.record(session, client_actor(who), "proposal_signed_unpaid", "account", proposal.account_id,
                 f'{who.name} signed proposal "{proposal.name}" ({format_money(proposal.total_cents)}); '
                 f"waiting for invoice {invoice.number} to be paid", proposal_id=proposal.id,
                 document_id=proposal.document_id, invoice_id=invoice.id)
    inbox.notify_client_activity(session, account_id=proposal.account_id, job_id=proposal.job_id,
                                 text=inbox.said(N_('{who} signed the proposal "{name}"; it is finished once invoice '
                                                    '{number} is paid'),
                                                 who=inbox.client_label(who.name, account.name), name=proposal.name,
                                                 number=invoice.number))


def _file_document(session: Session, proposal: Proposal, pdf: bytes, who) -> Document:
    name = storage.clean_filename(f"{proposal.name} - signed.pdf")
    stored = storage.store(pdf, name)
    doc = Document(account_id=proposal.account_id, job_id=proposal.job_id, name=name, stored_key=stored.key,
                   size=stored.size, content_type="application/pdf", uploaded_by_contact_id=who.contact_id,
                   uploaded_by_label=f"{who.name} (signed proposal)")
    session.add(doc)
    session.flush()
    return doc


def decline(session: Session, who, proposal_id: int, *, reason: str, ip_address: str = "",
            user_agent: str = "") -> Proposal:
    """Decline the proposal with a reason (the client); staff are told."""
    proposal = contact_proposal(session, who, proposal_id)
    _waiting(proposal)
    reason = " ".join(str(reason or "").split())[:MAX_REASON]
    if not reason:
        raise InvalidInput(_("Say why you decline, so the firm knows what to change."), field="reason")
    proposal.status, proposal.declined_at, proposal.decline_reason = ProposalStatus.declined, utcnow(), reason
    log_event(session, proposal, "declined", f"Declined by {who.name}: {reason}", contact_id=who.contact_id,
           ip_address=ip_address, user_agent=user_agent)
    account = session.get(Account, proposal.account_id)
    audit.record(session, client_actor(who), "proposal_declined", "account", proposal.account_id,
                 f'{who.name} declined proposal "{proposal.name}": {reason}', proposal_id=proposal.id)
    inbox.notify_client_activity(session, account_id=proposal.account_id, job_id=proposal.job_id,
                                 text=inbox.said(N_('{who} declined the proposal "{name}": {reason}'),
                                                 who=inbox.client_label(who.name, account.name), name=proposal.name,
                                                 reason=reason))
    return proposal

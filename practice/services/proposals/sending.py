"""Sending a proposal: a frozen copy of a template for one account (`Proposal` + `ProposalLine`, texts already
filled in), emailed to its portal contacts; cancelling, the lists staff see, reminders and the rules' facts."""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from sqlmodel import Session, select

from practice import config, i18n, routes
from practice.i18n import N_, _
from rules import Words
from practice.models import (Account, AccountContact, Contact, Invoice, InvoiceStatus, Job, PortalLogin, PortalStatus,
                             Proposal, ProposalLine, ProposalStatus, ProposalTemplate)
from practice.services import audit, reminders
from practice.services.actor import Actor
from practice.services.errors import Conflict, InvalidInput, NotFound
from practice.services.firm import get_firm, language_for
from practice.services.mail import outbox
from practice.services.mail.system import render_system_email
from practice.services.proposals.lookup import log_event, require_staff, template_lines
from practice.services.proposals.rendering import fill_texts
from practice.services.proposals.templates import template_by_name
from practice.services.proposals.views import ProposalView, name_for, proposal_views
from practice.services.work.accounts import get_account
from practice.services.formatting import format_money

REMINDER_KIND = "proposal"


def portal_recipients(session: Session, account_id: int) -> list[Contact]:
    """Contacts of the account who can log in to the portal (invited or active) and have an email."""
    return list(session.exec(
        select(Contact).join(AccountContact, AccountContact.contact_id == Contact.id)
        .join(PortalLogin, PortalLogin.contact_id == Contact.id)
        .where(AccountContact.account_id == account_id, Contact.email != "",
               PortalLogin.status != PortalStatus.revoked)
        .order_by(Contact.id)))


def proposal_url(proposal_id: int | str) -> str:
    """The portal page of a proposal (absolute: it goes in emails)."""
    return f"{config.base_url()}{routes.portal_proposal_url(proposal_id)}"


def email_contacts(session: Session, proposal: Proposal, template: str, key: str, **extra) -> list[str]:

    firm = get_firm(session).name
    sent = []
    for contact in portal_recipients(session, proposal.account_id):
        language = language_for(session, contact.language)
        with i18n.using_locale(language):  # the total reads "1 234,56 €" for a French reader
            total = format_money(proposal.total_cents)
        context = {"first_name": contact.first_name or contact.email, "firm_name": firm,
                   "proposal": name_for(proposal, language),
                   "link": proposal_url(proposal.id), "total": total, **extra}
        subject, body = render_system_email(template, context, language)
        outbox.enqueue(session, to_address=contact.email, subject=subject, body=body,
                       key=f"{key}|{contact.email.lower()}", account_id=proposal.account_id, job_id=proposal.job_id,
                       sender_id=proposal.requested_by_member_id)
        sent.append(contact.email)
    if sent:
        session.info["practice_mail"] = True
    return sent


def _resolve_template(session: Session, template: int | str) -> ProposalTemplate:
    if isinstance(template, int) or (isinstance(template, str) and template.strip().isdigit()
                                     and session.get(ProposalTemplate, int(template)) is not None):
        found = session.get(ProposalTemplate, int(template))
    else:
        found = template_by_name(session, str(template or ""))
    if found is None:
        raise NotFound(_('There is no proposal template "{name}".').format(name=template) if isinstance(template, str)
                       else _("That proposal template no longer exists."))
    return found


@dataclasses.dataclass(frozen=True)
class FilledTexts:
    """A proposal's introduction and terms filled in for one account (and job) from one version of its template."""
    template_id: int
    template_updated_at: dt.datetime
    account_id: int
    job_id: int | None
    contact_id: int
    introduction: str
    terms: str


def _checked_recipients(session: Session, account: Account, job_id: int | None) -> list[Contact]:
    """The account's portal contacts a proposal goes to, once the job (if any) is found to be the account's."""
    if job_id is not None:
        job = session.get(Job, job_id)
        if job is None or job.account_id != account.id:
            raise NotFound(_("That job does not exist for this account."))
    recipients = portal_recipients(session, account.id)
    if not recipients:
        raise InvalidInput(_('No contact of "{account}" can log in to the client portal yet, so the proposal was not '
                             "sent. Give a contact portal access first.").format(account=account.name))
    return recipients


def fill_in(session: Session, actor: Actor, account_id: int, template: int | str, *,
            job_id: int | None = None) -> FilledTexts:
    """The texts `send_proposal` would send, filled in by the limited child (up to its time limit). Called in a read
    transaction before the send, so the child's seconds hold no write lock, which everybody's saves would wait for."""
    require_staff(actor)
    account = get_account(session, actor, account_id)
    found = _resolve_template(session, template)
    recipients = _checked_recipients(session, account, job_id)
    intro, terms = fill_texts(session, found, account.id, job_id, recipients[0].id)
    return FilledTexts(found.id, found.updated_at, account.id, job_id, recipients[0].id, intro, terms)


def send_proposal(session: Session, actor: Actor, account_id: int, template: int | str, *, job_id: int | None = None,
                  key: str | None = None, remind_every: dt.timedelta | None = None,
                  remind_times: int = 0, filled: FilledTexts | None = None) -> Proposal:
    """Send a copy of the template (by id or name) to the account: its portal contacts get an email with the
    link. With a key (a rule's action), a second call returns the first proposal. `filled` (from `fill_in`) is used
    when it was filled in from this very template version, account, job and first contact; else it is filled in here."""
    require_staff(actor)
    if key:
        existing = session.exec(select(Proposal).where(Proposal.key == key)).first()
        if existing is not None:
            return existing
    account = get_account(session, actor, account_id)
    found = _resolve_template(session, template)
    recipients = _checked_recipients(session, account, job_id)
    if filled is not None and filled == dataclasses.replace(
            filled, template_id=found.id, template_updated_at=found.updated_at, account_id=account.id,
            job_id=job_id, contact_id=recipients[0].id):
        intro, terms = filled.introduction, filled.terms
    else:
        intro, terms = fill_texts(session, found, account.id, job_id, recipients[0].id)
    lines = template_lines(session, found.id)
    if not lines:
        raise InvalidInput(_('The proposal template "{name}" has no services; add some first.').format(name=found.name))
    proposal = Proposal(account_id=account.id, job_id=job_id, template_id=found.id, name=found.name,
                        name_fr=found.name_fr or "", require_payment=bool(found.require_payment),
                        introduction=intro, terms=terms, requested_by_member_id=actor.member_id,
                        requested_by_label=actor.name, key=key,
                        total_cents=sum(line.amount_cents for line in lines if not line.optional))
    session.add(proposal)
    session.flush()
    for n, line in enumerate(lines, start=1):
        # Optional services start switched off: the client opts in.
        session.add(ProposalLine(proposal_id=proposal.id, service_id=line.service_id, name=line.name,
                                 description=line.description, quantity=line.quantity, price_cents=line.price_cents,
                                 optional=line.optional, chosen=not line.optional, position=n))
    log_event(session, proposal, "sent", f"Sent by {actor.name} to " + ", ".join(c.email for c in recipients))
    audit.record(session, actor, "proposal_send", "account", account.id,
                 f'Sent proposal "{proposal.name}" ({format_money(proposal.total_cents)})', proposal_id=proposal.id)
    email_contacts(session, proposal, "proposal_sent", key=f"{key or 'proposal'}|{proposal.id}|sent")
    if remind_every is not None and remind_times > 0:
        reminders.schedule(session, kind=REMINDER_KIND, item_id=proposal.id, every=remind_every, times=remind_times,
                           key=f"{key or 'proposal'}|{proposal.id}|reminders", job_id=job_id)
    return proposal


# Why a proposal cannot be withdrawn, by its status.
_CANNOT_CANCEL = {
    "signed": N_("This proposal is signed; only one still waiting for the client can be cancelled."),
    "declined": N_("This proposal is declined; only one still waiting for the client can be cancelled."),
    "cancelled": N_("This proposal is cancelled; only one still waiting for the client can be cancelled."),
}


def cancel(session: Session, actor: Actor, proposal_id: int) -> Proposal:
    """Withdraw a proposal the client has not signed or declined yet (staff)."""
    require_staff(actor)
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(_("That proposal no longer exists."))
    get_account(session, actor, proposal.account_id)
    invoice = session.get(Invoice, proposal.invoice_id) if proposal.invoice_id is not None else None
    if proposal.status == ProposalStatus.sent and invoice is not None and invoice.status != InvoiceStatus.void:
        raise Conflict(_("The client signed this proposal and it waits for invoice {number} to be paid: void that "
                         "invoice first to withdraw the proposal.").format(number=invoice.number))
    if proposal.status != ProposalStatus.sent:
        raise Conflict(_(_CANNOT_CANCEL.get(ProposalStatus(proposal.status).value,
                                            N_("Only a proposal still waiting for the client can be cancelled."))))
    proposal.status = ProposalStatus.cancelled
    log_event(session, proposal, "cancelled", f"Cancelled by {actor.name}")
    audit.record(session, actor, "proposal_cancel", "account", proposal.account_id,
                 f'Cancelled proposal "{proposal.name}"', proposal_id=proposal.id)
    return proposal


def list_for_account(session: Session, actor: Actor, account_id: int, *, limit: int = 200) -> list[ProposalView]:
    """The account's proposals, waiting ones first (staff who may see the account)."""
    require_staff(actor)
    get_account(session, actor, account_id)
    return proposal_views(session, Proposal.account_id == account_id)[:limit]


def list_for_job(session: Session, actor: Actor, job_id: int, *, limit: int = 200) -> list[ProposalView]:
    """A job's proposals, waiting ones first (staff who may see the job's account)."""
    require_staff(actor)
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(_("That job does not exist (it may have been deleted)."))
    get_account(session, actor, job.account_id)
    return proposal_views(session, Proposal.job_id == job_id)[:limit]


def proposal_facts(session: Session, proposal_id: int) -> dict | None:
    """What rules read about a proposal: `proposal.name`, `proposal.total` (dollars)."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        return None
    return {"id": proposal.id, "name": proposal.name, "total": Decimal(proposal.total_cents) / 100,
            "status": ProposalStatus(proposal.status).value}


def _is_complete(session: Session, proposal_id: int) -> bool:
    proposal = session.get(Proposal, proposal_id)
    return proposal is None or proposal.status != ProposalStatus.sent or proposal.signed_at is not None


def _remind(session: Session, proposal_id: int, n: int) -> str:
    proposal = session.get(Proposal, proposal_id)
    sent = email_contacts(session, proposal, "proposal_reminder", key=f"proposal-reminder|{proposal.id}|{n}", n=n)
    if not sent:
        return Words(N_("No contact of the account can log in to the portal, so no reminder was sent."))
    return Words(N_('Reminded {emails} to sign "{title}"'), emails=", ".join(sent), title=proposal.name)


REMINDER = reminders.Remindable(is_complete=_is_complete, remind=_remind)

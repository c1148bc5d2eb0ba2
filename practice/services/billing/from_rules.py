"""Invoices rules send: `send invoice "T" to account [with reminders every N days up to M times]`.

The template's lines, tax on the whole invoice, notes and terms become a draft for the account (and the run's job), issued at once through
the same path as the Billing page's Send (`invoices.issue`: the firm's next number, its `invoice_issued` event,
so the worker files the PDF and emails the billing contacts). The rule action's key is kept on the invoice: a
replayed event finds the invoice it made and makes no second one. Reminders email the billing contacts while
the invoice is unpaid and stop by themselves once it is paid or void."""
from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from practice import config, i18n, routes
from practice.i18n import N_, _
from rules import Words
from practice.models import Account, Invoice
from practice.services import reminders
from practice.services.actor import Actor
from practice.services.balances import OWING
from practice.services.billing import invoices, templates
from practice.services.billing.delivery import billing_contacts
from practice.services.errors import InvalidInput, NotFound
from practice.services.firm import get_firm, language_for
from practice.services.formatting import format_money, full_date
from practice.services.mail import outbox
from practice.services.mail.system import render_system_email

REMINDER_KIND = "invoice"


def send_from_template(session: Session, actor: Actor, account_id: int, template_name: str, *,
                       job_id: int | None = None, key: str | None = None, remind_every: dt.timedelta | None = None,
                       remind_times: int = 0, now: dt.datetime | None = None) -> Invoice:
    """Write the template's invoice for the account and issue it (its number, PDF and emails follow as for one sent
    from the Billing page). With a key (a rule's action), a second call returns the first invoice."""
    if key:
        existing = session.exec(select(Invoice).where(Invoice.key == key)).first()
        if existing is not None:
            return existing
    template = templates.template_by_name(session, template_name)
    if template is None:
        raise NotFound(_('There is no invoice template "{name}" any more.').format(name=template_name))
    due = invoices.firm_today(session, now) + dt.timedelta(days=template.due_days)
    try:
        draft = invoices.save_draft(session, actor, account_id=account_id, lines=template.lines, notes=template.notes,
                                    terms=template.terms, due_date=due, whole_tax_bp=template.whole_tax_bp)
    except InvalidInput as bad:
        raise InvalidInput(_('The invoice template "{name}" cannot be sent: {problem}').format(
            name=template.name, problem=str(bad))) from None
    draft.job_id, draft.key, draft.template_id = job_id, key, template.id
    session.add(draft)
    session.flush()
    invoice = invoices.issue(session, actor, draft.id, now=now)
    if remind_every is not None and remind_times > 0:
        reminders.schedule(session, kind=REMINDER_KIND, item_id=invoice.id, every=remind_every, times=remind_times,
                           key=f"{key or 'invoice'}|{invoice.id}|reminders", job_id=job_id)
    return invoice


def _is_settled(session: Session, invoice_id: int) -> bool:
    invoice = session.get(Invoice, invoice_id)
    return invoice is None or invoice.status not in OWING


def _remind(session: Session, invoice_id: int, n: int) -> str:
    invoice = session.get(Invoice, invoice_id)
    contacts = billing_contacts(session, invoice.account_id)
    if not contacts:
        return Words(N_("No contact of the account has a portal login and an email, so no reminder was sent."))
    firm = get_firm(session)
    due = invoices.due_cents(invoice)
    for contact in contacts:
        language = language_for(session, contact.language)
        with i18n.using_locale(language):
            amount = format_money(due)
            due_date = full_date(invoice.due_date) if invoice.due_date else ""
        context = {"first_name": contact.first_name or contact.email, "firm_name": firm.name,
                   "number": invoice.number, "due": amount, "due_date": due_date,
                   "link": f"{config.base_url()}{routes.PORTAL_INVOICES}",
                   "instructions": (firm.payment_instructions or "").strip()}
        subject, body = render_system_email("invoice_reminder", context, language)
        outbox.enqueue(session, to_address=contact.email, subject=subject, body=body,
                       key=f"invoice-reminder|{invoice.id}|{n}|{contact.id}", account_id=invoice.account_id,
                       job_id=invoice.job_id, sender_id=invoice.created_by_member_id)
    session.info["practice_mail"] = True
    account = session.get(Account, invoice.account_id)
    return Words(N_("Reminded {emails} that invoice {number} ({account}) has {amount} due"),
                 emails=", ".join(c.email for c in contacts), number=invoice.number,
                 account=account.name if account else "", amount=format_money(due))


REMINDER = reminders.Remindable(is_complete=_is_settled, remind=_remind)

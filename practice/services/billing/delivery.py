"""What the client gets when an invoice is issued: its PDF filed in the account's documents, an email to the account's
billing contacts, and the portal's Invoices page; a voided invoice gets a VOID copy filed beside it.

Issuing (`invoices.issue`) adds an `invoice_issued` event to its own write transaction (`practice.services.events`);
the worker handles it: the PDF is laid out in the limited child outside the write lock (`RenderOutside`), then
filed and the emails queued in one transaction with the event's 'handled' mark, so a worker killed half-way files
nothing and the retry files it once. The invoice remembers its filed PDF and each email has a key per invoice and
address: a second delivery files and sends nothing more.

The billing contacts are the account's contacts marked "receives invoices" that have an email; when none is, its
contacts with a portal login (invited or active, not revoked) and an email: the people the firm lets see the account
in the portal. The PDF is written in the first one's language (the firm's
default when none); each email in its reader's language."""
from __future__ import annotations

import dataclasses
import datetime as dt

import jinja2
from sqlmodel import Session, select

from practice import config, i18n, routes
from practice.i18n import N_, _
from practice.models import (Account, AccountContact, Contact, Document, Event, Invoice, InvoiceLine, InvoiceStatus, Payment,
                             PaymentMethod, PortalLogin, PortalStatus, Refund)
from practice.services import audit, inbox
from practice.services.actor import ContactActor, account_visible, require_admin, require_staff
from practice.services.balances import OWING
from practice.services.documents import html_pdf, storage
from practice.services.errors import InvalidInput, NotFound, PermissionDenied
from practice.services.firm import get_firm, language_for
from practice.services.formatting import format_money, full_date
from practice.services.mail import outbox
from practice.services.mail.system import render_system_email

ISSUED = "invoice_issued"
VOIDED = "invoice_voided"
KINDS = (ISSUED, VOIDED)
MAX_INSTRUCTIONS = 2000

_pdf_env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(config.ROOT / "templates" / "pdf")), autoescape=True,
                              undefined=jinja2.StrictUndefined)
_pdf_env.globals["_"] = lambda message, **values: _(message).format(**values) if values else _(message)


# --- the firm's payment instructions ---------------------------------------------------------------------------


def set_payment_instructions(session: Session, actor, text: str) -> str:
    """How clients pay (printed on invoices, shown in the portal): owners and admins."""
    require_admin(actor)
    text = "\n".join(line.rstrip() for line in str(text or "").strip().splitlines())
    if len(text) > MAX_INSTRUCTIONS:
        raise InvalidInput(_("Payment instructions are at most {n} characters.").format(n=MAX_INSTRUCTIONS),
                           field="payment_instructions")
    firm = get_firm(session)
    if firm.payment_instructions != text:
        firm.payment_instructions = text
        session.add(firm)
        audit.record(session, actor, "update", "firm", firm.id, "Payment instructions on invoices changed")
    return text


def payment_instructions(session: Session) -> str:
    """The firm's payment instructions, or a sentence saying to ask the firm when it wrote none."""
    text = (get_firm(session).payment_instructions or "").strip()
    return text or _("Contact us to pay this invoice: we will tell you how.")


# --- who gets it -----------------------------------------------------------------------------------------------


def billing_contacts(session: Session, account_id: int) -> list[Contact]:
    """The account's contacts marked as receiving invoices that have an email, oldest first; when none is, those who
    can use the portal (invited or active) and have an email."""
    marked = list(session.exec(
        select(Contact).join(AccountContact, AccountContact.contact_id == Contact.id)
        .where(AccountContact.account_id == account_id, AccountContact.receives_invoices == True,  # noqa: E712
               Contact.email != "")
        .order_by(Contact.id)))
    if marked:
        return marked
    return list(session.exec(
        select(Contact).join(AccountContact, AccountContact.contact_id == Contact.id)
        .join(PortalLogin, PortalLogin.contact_id == Contact.id)
        .where(AccountContact.account_id == account_id, Contact.email != "",
               PortalLogin.status != PortalStatus.revoked)
        .order_by(Contact.id)))


def _check_account(session: Session, actor, account_id: int) -> None:
    """Refuse an account the actor does not see (as one that does not exist)."""
    condition = account_visible(actor, Account.id)
    stmt = select(Account.id).where(Account.id == account_id)
    if condition is not None:
        stmt = stmt.where(condition)
    if session.exec(stmt).first() is None:
        raise NotFound(_("That account no longer exists."))


def _linked(session: Session, actor, account_id: int, contact_id: int) -> AccountContact:
    """The account's link to the contact, when the actor sees the account."""
    _check_account(session, actor, account_id)
    link = session.get(AccountContact, (account_id, contact_id))
    if link is None:
        raise NotFound(_("That contact is no longer linked to this account."))
    return link


def invoice_receivers(session: Session, actor, account_id: int) -> set[int]:
    """The ids of the account's contacts marked as receiving its invoices (members who see billing)."""
    actor = require_staff(actor)
    if not actor.sees_billing:
        raise PermissionDenied(_("You do not have access to billing. Ask the firm's owner or an admin."))
    _check_account(session, actor, account_id)
    return set(session.exec(select(AccountContact.contact_id).where(AccountContact.account_id == account_id,
                                                                    AccountContact.receives_invoices == True)))  # noqa: E712


def set_receives_invoices(session: Session, actor, account_id: int, contact_id: int, receives: bool) -> bool:
    """Mark a contact of the account as receiving its invoices by email, or no longer (members who manage invoices and
    payments). A contact needs an email to be marked. Returns whether anything changed."""
    actor = require_staff(actor)
    if not actor.manages_billing:
        raise PermissionDenied(_("Only people who manage invoices and payments can do that."))
    link = _linked(session, actor, account_id, contact_id)
    receives = bool(receives)
    if link.receives_invoices == receives:
        return False
    contact = session.get(Contact, contact_id)
    name = f"{contact.first_name} {contact.last_name}".strip() or contact.email
    if receives and not (contact.email or "").strip():
        raise InvalidInput(_("Give {name} an email address first: invoices are sent by email.").format(name=name))
    link.receives_invoices = receives
    session.add(link)
    audit.record(session, actor, "update", "account", account_id,
                 f"{name} {'now receives' if receives else 'no longer receives'} the account's invoices",
                 account_id=account_id)
    return True


def reader_language(session: Session, account_id: int) -> str:
    """The language the account's filed invoice is written in: its first billing contact's (else the firm's)."""
    contacts = billing_contacts(session, account_id)
    return language_for(session, contacts[0].language if contacts else "")


# --- the PDF ---------------------------------------------------------------------------------------------------


def _quantity(hundredths: int) -> str:
    whole, part = divmod(int(hundredths), 100)
    text = str(whole) if not part else f"{whole}.{part:02d}".rstrip("0")
    return text.replace(".", ",") if i18n.current_locale() == "fr" else text


def _percent(points: int) -> str:
    return f"{_quantity(points)} %" if i18n.current_locale() == "fr" else f"{_quantity(points)}%"


def _payment_label(payment: Payment) -> str:
    when = full_date(payment.received_on)
    if payment.method == PaymentMethod.credit:
        return _("Credit on {date}").format(date=when)
    return _("Paid on {date}").format(date=when)


def _money_rows(session: Session, payments: list[Payment]) -> list[dict]:
    """The payments and credits taken off the total, each followed by what was refunded of it (added back)."""
    rows = []
    refunds = list(session.exec(select(Refund).where(Refund.payment_id.in_([p.id for p in payments]))
                                .order_by(Refund.refunded_on, Refund.id))) if payments else []
    for p in payments:
        rows.append({"label": _payment_label(p), "amount": format_money(p.amount_cents), "sign": "-"})
        rows.extend({"label": _("Refunded on {date}").format(date=full_date(r.refunded_on)),
                     "amount": format_money(r.amount_cents), "sign": "+"} for r in refunds if r.payment_id == p.id)
    return rows


def invoice_title(invoice: Invoice) -> str:
    return _("Invoice {number}").format(number=invoice.number)


def invoice_html(session: Session, invoice: Invoice, *, void: bool = False) -> str:
    """The issued invoice as HTML for its PDF, in the language of the moment (no clock time in it: the same invoice
    gives the same HTML, so a render kept outside the write lock is found again)."""
    firm = get_firm(session)
    account = session.get(Account, invoice.account_id)
    lines = list(session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
                              .order_by(InvoiceLine.position, InvoiceLine.id)))
    payments = list(session.exec(select(Payment).where(Payment.invoice_id == invoice.id)
                                 .order_by(Payment.received_on, Payment.id)))
    people = [f"{c.first_name} {c.last_name}".strip() or c.email
              for c in billing_contacts(session, invoice.account_id)][:3]
    due = invoice.total_cents - invoice.paid_cents - invoice.credited_cents if invoice.status in OWING else 0
    void_note = ""
    if void:
        void_note = (_("This invoice was voided: nothing is due on it. Reason: {reason}").format(
            reason=invoice.void_reason) if invoice.void_reason else _("This invoice was voided: nothing is due on it."))
    return _pdf_env.get_template("invoice.html").render(
        lang=i18n.current_locale(), title=invoice_title(invoice), firm_name=firm.name, number=invoice.number,
        issue_date=full_date(invoice.issue_date) if invoice.issue_date else "",
        due_date=full_date(invoice.due_date) if invoice.due_date else "",
        account_name=account.name if account else "", people=people,
        lines=[{"name": line.name, "description": line.description, "quantity": _quantity(line.quantity_hundredths),
                "rate": format_money(line.rate_cents),
                "discount": _percent(line.discount_bp) if line.discount_bp else "",
                # A line without a rate of its own is taxed at the invoice's rate, and says so.
                "tax": _percent(line.tax_bp or invoice.whole_tax_bp) if line.tax_bp or invoice.whole_tax_bp else "",
                "total": format_money(line.total_cents),
                "whole": format_money(-line.whole_discount_cents) if line.whole_discount_cents else ""}
               for line in lines],
        subtotal=format_money(invoice.subtotal_cents),
        discount=format_money(invoice.discount_cents) if invoice.discount_cents else "",
        whole_discount=format_money(invoice.whole_discount_cents) if invoice.whole_discount_cents else "",
        whole_rate=_percent(invoice.whole_discount_bp) if invoice.whole_discount_bp else "",
        tax=format_money(invoice.tax_cents) if invoice.tax_cents else "", total=format_money(invoice.total_cents),
        whole_tax=format_money(invoice.whole_tax_cents) if invoice.whole_tax_bp else "",
        whole_tax_rate=_percent(invoice.whole_tax_bp),
        payments=_money_rows(session, payments),
        due=format_money(due), notes=invoice.notes, terms=invoice.terms,
        instructions=payment_instructions(session), void=void, void_note=void_note)


def invoice_pdf(session: Session, invoice: Invoice, *, void: bool = False) -> bytes:
    """The invoice's PDF in its reader's language (laid out in the limited child)."""
    with i18n.using_locale(reader_language(session, invoice.account_id)):
        return html_pdf.render_pdf(invoice_html(session, invoice, void=void))


def _file(session: Session, invoice: Invoice, *, void: bool) -> Document:
    language = reader_language(session, invoice.account_id)
    with i18n.using_locale(language):
        pdf = html_pdf.render_pdf(invoice_html(session, invoice, void=void))
        name = _("{name} - VOID").format(name=invoice_title(invoice)) if void else invoice_title(invoice)
        name = storage.clean_filename(f"{name}.pdf")
    stored = storage.store(pdf, name)
    firm = get_firm(session)
    doc = Document(account_id=invoice.account_id, name=name, stored_key=stored.key, size=stored.size,
                   content_type="application/pdf", uploaded_by_member_id=invoice.created_by_member_id,
                   uploaded_by_label=firm.name, shared=True)
    session.add(doc)
    session.flush()
    return doc


# --- the worker's side -----------------------------------------------------------------------------------------


def handle(session: Session, ev: Event) -> None:
    """An invoice event, in the worker's transaction: file the PDF and email it (issued), or file the VOID copy. An
    invoice voided before its `invoice_issued` event was handled is neither filed nor emailed: only its VOID copy."""
    invoice_id = int((ev.payload or {}).get("invoice_id") or 0)
    invoice = session.get(Invoice, invoice_id) if invoice_id else None
    if invoice is None or invoice.number is None:
        return
    if ev.kind == ISSUED and invoice.status != InvoiceStatus.void:  # voided before it went out: nothing is sent
        deliver(session, invoice)
    elif ev.kind == VOIDED:
        file_void_copy(session, invoice)


def invoice_link() -> str:
    return f"{config.base_url()}{routes.PORTAL_INVOICES}"


def deliver(session: Session, invoice: Invoice) -> list[str]:
    """File the issued invoice's PDF (once) and email each billing contact (once per address); the firm hears in
    Inbox+ when nobody could be emailed. Returns the addresses emailed."""
    if invoice.pdf_document_id is None:
        invoice.pdf_document_id = _file(session, invoice, void=False).id
        session.add(invoice)
        session.flush()
    firm = get_firm(session)
    sent = []
    for contact in billing_contacts(session, invoice.account_id):
        language = language_for(session, contact.language)
        with i18n.using_locale(language):
            total, due = format_money(invoice.total_cents), full_date(invoice.due_date) if invoice.due_date else ""
        context = {"first_name": contact.first_name or contact.email, "firm_name": firm.name,
                   "number": invoice.number, "total": total, "due_date": due, "link": invoice_link(),
                   "instructions": (firm.payment_instructions or "").strip()}
        subject, body = render_system_email("invoice_sent", context, language)
        outbox.enqueue(session, to_address=contact.email, subject=subject, body=body,
                       key=f"invoice|{invoice.id}|{contact.email.lower()}", account_id=invoice.account_id,
                       sender_id=invoice.created_by_member_id)
        sent.append(contact.email)
    if sent:
        session.info["practice_mail"] = True
    elif invoice.created_by_member_id:
        account = session.get(Account, invoice.account_id)
        inbox.notify(session, member_id=invoice.created_by_member_id, kind="notify",
                     link=routes.account_url(invoice.account_id), key=f"invoice-unsent|{invoice.id}",
                     text=inbox.said(N_("Invoice {number} for {account} is in its documents but was emailed to "
                                        "nobody: no contact of the account has a portal login and an email."),
                                     number=invoice.number, account=account.name if account else ""))
    return sent


def file_void_copy(session: Session, invoice: Invoice) -> Document | None:
    """File the voided invoice's copy marked VOID (once), beside the PDF the client got; that one becomes internal to
    the firm, so the client's Documents show only the VOID copy (staff keep both)."""
    if invoice.status != InvoiceStatus.void or invoice.void_document_id is not None:
        return None
    doc = _file(session, invoice, void=True)
    original = session.get(Document, invoice.pdf_document_id) if invoice.pdf_document_id else None
    if original is not None and original.shared:
        original.shared = False
        session.add(original)
    invoice.void_document_id = doc.id
    session.add(invoice)
    session.flush()
    return doc


# --- the portal ------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PortalLine:
    name: str
    description: str
    quantity: str
    rate_cents: int
    total_cents: int
    whole_discount_cents: int = 0


@dataclasses.dataclass(frozen=True)
class PortalInvoice:
    id: int
    number: int
    status: InvoiceStatus
    issue_date: dt.date | None
    due_date: dt.date | None
    total_cents: int
    paid_cents: int
    credited_cents: int
    due_cents: int
    lines: list[PortalLine]
    document_id: int | None   # the PDF to download: the VOID copy once voided
    whole_discount_cents: int = 0
    tax_cents: int = 0        # the lines' own taxes
    whole_tax_bp: int = 0     # the tax on the whole invoice, and what it comes to
    whole_tax_cents: int = 0


@dataclasses.dataclass(frozen=True)
class PortalInvoices:
    invoices: list[PortalInvoice]
    due_cents: int
    instructions: str


def contact_account(session: Session, who: ContactActor) -> int:
    """The account the contact is looking at, checked against its links again."""
    if not isinstance(who, ContactActor) or who.current_account_id not in who.account_ids:
        raise PermissionDenied(_("That account is not one of yours."))
    linked = session.exec(select(AccountContact).where(AccountContact.account_id == who.current_account_id,
                                                       AccountContact.contact_id == who.contact_id)).first()
    if linked is None:
        raise PermissionDenied(_("That account is not one of yours."))
    return who.current_account_id


def portal_invoices(session: Session, who: ContactActor) -> PortalInvoices:
    """The issued invoices of the contact's current account: what is due first (soonest due date first), then the
    others newest first; drafts never."""
    account_id = contact_account(session, who)
    rows = list(session.exec(select(Invoice).where(Invoice.account_id == account_id,
                                                   Invoice.status != InvoiceStatus.draft,
                                                   Invoice.number.is_not(None))))
    ids = [i.id for i in rows]
    lines: dict[int, list[PortalLine]] = {i: [] for i in ids}
    if ids:
        for line in session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id.in_(ids))
                                 .order_by(InvoiceLine.invoice_id, InvoiceLine.position, InvoiceLine.id)):
            lines[line.invoice_id].append(PortalLine(line.name, line.description,
                                                     _quantity(line.quantity_hundredths), line.rate_cents,
                                                     line.total_cents, line.whole_discount_cents))
    shown = []
    for i in rows:
        due = i.total_cents - i.paid_cents - i.credited_cents if i.status in OWING else 0
        shown.append(PortalInvoice(i.id, i.number, i.status, i.issue_date, i.due_date, i.total_cents, i.paid_cents,
                                   i.credited_cents, due, lines[i.id],
                                   i.void_document_id or i.pdf_document_id, i.whole_discount_cents, i.tax_cents,
                                   i.whole_tax_bp, i.whole_tax_cents))
    shown.sort(key=lambda i: (i.due_cents <= 0, (i.due_date or dt.date.max) if i.due_cents > 0 else dt.date.min,
                              -i.number))
    return PortalInvoices(shown, sum(i.due_cents for i in shown), payment_instructions(session))

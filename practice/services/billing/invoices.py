"""Invoices and what is paid on them.

A draft is written freely (lines from the services catalog or typed; quantity, rate, discount and tax per line; a
discount and a tax on the whole invoice; notes and terms). Issuing it (sending) gives it the firm's next number (`issuing`). From then on its lines are
frozen; voiding keeps its number. Staff record payments (check, bank transfer, cash) and credits (`settling`);
clients pay by card online (services/payments). A part leaves the rest due. Money is integer cents; each line rounds
half up once (`lines`).

Who may (`rights`): reading needs "see billing", writing "manage invoices and payments" (owners, admins), on
accounts one sees. This module keeps drafts and the lists; it also gives the names of the modules above, so callers
import `invoices.issue`, `invoices.record_payment` and the rest from one place."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlmodel import Session, select

from practice import i18n
from practice.i18n import N_, _
from practice.models import Account, Invoice, InvoiceLine, InvoiceStatus, Payment, PaymentMethod
from practice.services import audit
from practice.services.actor import Actor, account_visible
from practice.services.balances import balance
from practice.services.billing import billed_time, invoice_job
from practice.services.billing.issuing import (firm_today, issue, next_number, set_first_number,  # noqa: F401
                                               void)
from practice.services.billing.lines import (DEFAULT_DAYS_DUE, MAX_CENTS, MAX_LINES, MAX_QUANTITY,  # noqa: F401
                                             NAME_LIMIT, TEXT_LIMIT, LineAmounts, WholeDiscount, _kept,
                                             _recorded_name, _totals, invoice_name, line_amounts, lines_total,
                                             parse_percent, parse_quantity, parse_whole_discount, parse_whole_tax,
                                             percent_text, quantity_text, read_lines, whole_shares, whole_tax_shares)
from practice.services.billing.rights import (_invoice, _visible_account, require_manages_billing,  # noqa: F401
                                              require_sees_billing)
from practice.services.billing.settling import (became_paid, due_cents, give_credit, invoice_facts,  # noqa: F401
                                                record_payment, remove_payment, settle)
from practice.services.errors import Conflict, InvalidInput
from practice.services.formatting import format_money

METHOD_WORDS = {PaymentMethod.check: N_("Check"), PaymentMethod.bank_transfer: N_("Bank transfer"),
                PaymentMethod.cash: N_("Cash"), PaymentMethod.credit: N_("Credit"), PaymentMethod.card: N_("Card")}
STATUS_WORDS = {InvoiceStatus.draft: i18n.N_("Draft"), InvoiceStatus.sent: i18n.N_("Sent"),
                InvoiceStatus.partly_paid: i18n.N_("Partly paid"), InvoiceStatus.paid: i18n.N_("Paid"),
                InvoiceStatus.void: i18n.N_("Void")}


# --- drafts --------------------------------------------------------------------------------------------------


def save_draft(session: Session, actor: Actor, *, account_id: int, lines: list[dict], notes: str = "", terms: str = "",
               due_date: dt.date | None = None, invoice_id: int | None = None, job_id: int | None = None,
               whole_discount: WholeDiscount | None = None, whole_tax_bp: int | None = None) -> Invoice:
    """Create a draft, or replace a draft's lines, texts and job (an issued invoice's lines are frozen);
    `whole_discount` (a percentage or an amount off the whole invoice, before tax) and `whole_tax_bp` (the tax on
    the whole invoice, on the lines without a rate of their own): None keeps the draft's."""
    require_manages_billing(actor)
    account = _visible_account(session, actor, account_id)
    if account.archived:
        raise Conflict(_("{name} is archived. Restore it before billing it.").format(name=account.name))
    if invoice_id is None:
        invoice = Invoice(account_id=account.id, created_by_member_id=actor.member_id)
        session.add(invoice)
    else:
        invoice = _invoice(session, actor, invoice_id, manage=True)
        if invoice.status != InvoiceStatus.draft:
            raise Conflict(_("{name} was sent: its lines cannot change. Void it and write a new one.")
                           .format(name=invoice_name(invoice)))
        if invoice.account_id != account.id:
            raise Conflict(_("A draft stays with its account. Delete it and start one for the other account."))
    new_lines = read_lines(session, lines)
    invoice.notes, invoice.terms = (notes or "").strip()[:TEXT_LIMIT], (terms or "").strip()[:TEXT_LIMIT]
    invoice.due_date, invoice.job_id = due_date, invoice_job.checked(session, account.id, job_id)
    if whole_discount is not None:
        invoice.whole_discount_bp, invoice.whole_discount_fixed_cents = (whole_discount.percent_bp,
                                                                         whole_discount.amount_cents)
    set_whole_tax(invoice, whole_tax_bp)
    _totals(invoice, new_lines)
    if invoice.total_cents >= MAX_CENTS:
        raise InvalidInput(_("That invoice's total is too large."), field="lines")
    session.flush()
    if invoice_id is not None:
        billed_time.unlink(session, invoice.id)
        for old in session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)):
            session.delete(old)
        session.flush()
    for line in new_lines:
        line.invoice_id = invoice.id
        session.add(line)
    session.flush()
    if invoice_id is not None:
        billed_time.relink(session, invoice.id, zip(_kept(lines), new_lines))
    audit.record(session, actor, "create" if invoice_id is None else "update", "invoice", invoice.id,
                 f"{'Wrote' if invoice_id is None else 'Changed'} a draft invoice for {account.name}: "
                 f"{len(new_lines)} line(s), {format_money(invoice.total_cents)}", total_cents=invoice.total_cents)
    return invoice


def set_whole_tax(invoice: Invoice, whole_tax_bp: int | None) -> None:
    """Give a draft the tax on the whole invoice (basis points; None leaves it as it is); its totals are worked out
    by the caller."""
    if whole_tax_bp is None:
        return
    if not 0 <= int(whole_tax_bp) <= 10_000:
        raise InvalidInput(_("The tax on the whole invoice is a percentage from 0 to 100, like 8.25."),
                           field="whole_tax")
    invoice.whole_tax_bp = int(whole_tax_bp)


def delete_draft(session: Session, actor: Actor, invoice_id: int) -> None:
    """Remove a draft (it has no number yet, so no number is lost)."""
    invoice = _invoice(session, actor, invoice_id, manage=True)
    if invoice.status != InvoiceStatus.draft:
        raise Conflict(_("{name} was sent: it keeps its number. Void it instead.").format(name=invoice_name(invoice)))
    audit.record(session, actor, "delete", "invoice", invoice.id, f"Deleted a draft invoice of "
                 f"{format_money(invoice.total_cents)}", account_id=invoice.account_id)
    billed_time.release(session, invoice.id)
    for line in session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)):
        session.delete(line)
    session.flush()
    session.delete(invoice)
    session.flush()


# --- reading -------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class InvoiceRow:
    id: int
    account_id: int
    account_name: str
    number: int | None
    status: InvoiceStatus
    issue_date: dt.date | None
    due_date: dt.date | None
    total_cents: int
    due_cents: int


@dataclasses.dataclass(frozen=True)
class InvoiceView:
    invoice: Invoice
    account_name: str
    lines: list[InvoiceLine]
    payments: list[Payment]
    due_cents: int


LIST_LIMIT = 500


def list_invoices(session: Session, actor: Actor, *, status: str | None = None, account_id: int | None = None,
                  limit: int = LIST_LIMIT) -> list[InvoiceRow]:
    """Invoices the actor may see, newest first, by status and account when asked."""
    require_sees_billing(actor)
    stmt = select(Invoice, Account.name).join(Account, Account.id == Invoice.account_id)
    condition = account_visible(actor, Invoice.account_id)
    if condition is not None:
        stmt = stmt.where(condition)
    if status:
        try:
            stmt = stmt.where(Invoice.status == InvoiceStatus(status))
        except ValueError:
            raise InvalidInput(_("Choose a status from the list."), field="status") from None
    if account_id is not None:
        stmt = stmt.where(Invoice.account_id == account_id)
    rows = session.execute(stmt.order_by(Invoice.id.desc()).limit(min(limit, LIST_LIMIT))).all()
    return [InvoiceRow(i.id, i.account_id, name, i.number, i.status, i.issue_date, i.due_date, i.total_cents,
                       due_cents(i)) for i, name in rows]


def invoice_view(session: Session, actor: Actor, invoice_id: int) -> InvoiceView:
    invoice = _invoice(session, actor, invoice_id, manage=False)
    lines = list(session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
                              .order_by(InvoiceLine.position, InvoiceLine.id)))
    payments = list(session.exec(select(Payment).where(Payment.invoice_id == invoice.id)
                                 .order_by(Payment.received_on, Payment.id)))
    account = session.get(Account, invoice.account_id)
    return InvoiceView(invoice, account.name if account else "", lines, payments, due_cents(invoice))


ACCOUNT_LIST_LIMIT = 20


def account_billing(session: Session, actor, account_id: int) -> tuple[int, list[InvoiceRow]] | None:
    """What the account owes and its latest invoices, for its page; None for someone without the billing right
    (the page then shows no billing at all)."""
    if not isinstance(actor, Actor) or not actor.sees_billing:
        return None
    _visible_account(session, actor, account_id)
    return balance(session, account_id), list_invoices(session, actor, account_id=account_id, limit=ACCOUNT_LIST_LIMIT)

"""What the Billing page shows around `invoices`: the editor's live figures for lines as they are typed, the total
due over the invoices a member sees, what sending a draft will do (the number it gets) and the amounts and dates
people type for payments, read into cents and days with a sentence for what cannot be read."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import case, func
from sqlmodel import Session, select

from practice.i18n import _
from practice.models import Invoice, InvoiceStatus
from practice.services.actor import Actor, visible_account_ids
from practice.services.balances import OWING
from practice.services.billing import invoices
from practice.services.errors import Conflict, InvalidInput
from practice.services.work.catalog import parse_money


# --- the editor's live figures -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Figures:
    """A draft's figures as typed so far: each line's total (None while a line cannot be read) and the sums."""
    line_totals: list[int | None]
    subtotal_cents: int
    discount_cents: int
    tax_cents: int
    total_cents: int
    whole_discount_cents: int = 0
    whole_tax_cents: int = 0


def _line(raw: dict) -> tuple[int, int, int, int] | None:
    """One typed line's quantity, rate, discount and tax, or None while it cannot be read (a half-typed rate, a
    percentage over 100, an amount too large)."""
    if not str(raw.get("rate") or "").strip() and not str(raw.get("name") or "").strip():
        return None
    try:
        typed = (invoices.parse_quantity(raw.get("quantity") or "1"), parse_money(str(raw.get("rate") or "0")),
                 invoices.parse_percent(raw.get("discount") or 0, "discount"),
                 invoices.parse_percent(raw.get("tax") or 0, "tax"))
    except InvalidInput:
        return None
    return typed if invoices.line_amounts(*typed).total_cents < invoices.MAX_CENTS else None


def figures(lines: list[dict], whole_kind: str = "percent", whole_text: str = "", tax_text: str = "") -> Figures:
    """The editor's figures, worked out as saving would (quantity x rate, the line's discount, its share of the
    whole invoice's discount, then its own tax or its share of the tax on the whole invoice, each to the cent). A
    whole discount or tax that cannot be read yet counts as none."""
    typed = [_line(raw) for raw in lines]
    plain = [invoices.line_amounts(*t) for t in typed if t is not None]
    try:
        shares = invoices.whole_shares([a.amount_cents - a.discount_cents for a in plain],
                                       invoices.parse_whole_discount(whole_kind, whole_text))
    except InvalidInput:
        shares = [0] * len(plain)
    try:
        tax_bp = invoices.parse_whole_tax(tax_text)
    except InvalidInput:
        tax_bp = 0
    kept_typed = [t for t in typed if t is not None]
    taxes = invoices.whole_tax_shares([None if t[3] else a.amount_cents - a.discount_cents - share
                                       for t, a, share in zip(kept_typed, plain, shares)], tax_bp)
    each = iter([invoices.line_amounts(*t, share, tax) for t, share, tax in zip(kept_typed, shares, taxes)])
    amounts = [next(each) if t is not None else None for t in typed]
    kept = [a for a in amounts if a is not None]
    return Figures([a.total_cents if a else None for a in amounts], sum(a.amount_cents for a in kept),
                   sum(a.discount_cents for a in kept), sum(a.tax_cents for a in kept), sum(a.total_cents for a in kept),
                   sum(a.whole_discount_cents for a in kept), sum(a.whole_tax_cents for a in kept))


# --- the list's totals ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DueSummary:
    due_cents: int
    overdue_cents: int
    owing_invoices: int


def due_summary(session: Session, actor: Actor, *, account_id: int | None = None,
                now: dt.datetime | None = None) -> DueSummary:
    """What is owed on the invoices the member sees (of one account when asked), and how much of it is late."""
    invoices.require_sees_billing(actor)
    due = Invoice.total_cents - Invoice.paid_cents - Invoice.credited_cents
    today = invoices.firm_today(session, now)
    stmt = select(func.coalesce(func.sum(due), 0),
                  func.coalesce(func.sum(case((Invoice.due_date < today, due), else_=0)), 0),
                  func.count()).where(Invoice.status.in_(OWING))
    condition = visible_account_ids(actor, Invoice.account_id)
    if condition is not None:
        stmt = stmt.where(condition)
    if account_id is not None:
        stmt = stmt.where(Invoice.account_id == account_id)
    total, late, count = session.execute(stmt).one()
    return DueSummary(int(total), int(late), int(count))


# --- sending and voiding, before the step that cannot be undone ----------------------------------------------


@dataclasses.dataclass(frozen=True)
class SendPreview:
    number: int
    account_name: str
    total_cents: int
    due_date: dt.date


def send_preview(session: Session, actor: Actor, invoice_id: int, *, now: dt.datetime | None = None) -> SendPreview:
    """What sending a draft will do: the number it gets (the next one, unless another is sent first), the account,
    the total and the due date; refused with the same sentences as sending when it could not be sent."""
    view = invoices.invoice_view(session, actor, invoice_id)
    invoices.require_manages_billing(actor)
    invoice = view.invoice
    if invoice.status != InvoiceStatus.draft:
        raise Conflict(_("{name} was already sent.").format(name=invoices.invoice_name(invoice)))
    if invoice.total_cents <= 0:
        raise InvalidInput(_("This invoice comes to nothing: add a line with an amount before sending it."),
                           field="lines")
    today = invoices.firm_today(session, now)
    if invoice.due_date is not None and invoice.due_date < today:
        raise InvalidInput(_("The due date has passed. Choose a later one (or leave it empty for 30 days)."),
                           field="due_date")
    due = invoice.due_date or today + dt.timedelta(days=invoices.DEFAULT_DAYS_DUE)
    return SendPreview(invoices.next_number(session), view.account_name, invoice.total_cents, due)


# --- what people type for payments ---------------------------------------------------------------------------


def parse_amount(text, field: str = "amount") -> int:
    """An amount typed in a payment or credit form, in cents; empty or unreadable gets its sentence."""
    text = str(text or "").strip()
    if not text:
        raise InvalidInput(_("Write the amount, like 150 or 150.50."), field=field)
    return parse_money(text[:40], field=field)


def parse_day(text, field: str = "received_on") -> dt.date | None:
    """A day from a date field ("YYYY-MM-DD"); empty means today."""
    text = str(text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:20])
    except ValueError:
        raise InvalidInput(_('"{text}" is not a date; pick one from the calendar.').format(text=text[:20]),
                           field=field) from None


def void_with_reason(session: Session, actor: Actor, invoice_id: int, reason: str) -> Invoice:
    """Void an issued invoice from the Billing page, where a reason is asked for (the audit log keeps it)."""
    if not (reason or "").strip():
        raise InvalidInput(_("Say why the invoice is void: the audit log keeps the reason."), field="void_reason")
    return invoices.void(session, actor, invoice_id, reason)

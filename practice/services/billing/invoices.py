"""Invoices and what is paid on them.

A draft is written freely (lines from the services catalog or typed; quantity, rate, discount and tax per line;
notes and terms). Issuing it (sending) gives it the firm's next number in the same write transaction as the status
change: writers are serialized (`db.write_session`), the counter row is read and raised inside that transaction,
so numbers are consecutive, never given twice, and a failed issue gives its number back. From then on its lines
are frozen; voiding keeps its number. Staff record payments (check, bank transfer, cash) and credits; clients pay
by card online (services/payments). A part leaves the rest due. Money is integer cents; each line rounds half up once.

Who may: reading needs "see billing", writing "manage invoices and payments" (owners, admins), on accounts one sees."""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal, InvalidOperation

from sqlalchemy import func
from sqlmodel import Session, select

from practice import i18n, routes
from practice.i18n import N_, _
from practice.models import (Account, Invoice, InvoiceCounter, InvoiceLine, InvoiceStatus, Payment, PaymentMethod,
                             Service, utcnow)
from practice.services import audit, events, inbox
from practice.services.actor import Actor, account_visible, require_admin, require_staff
from practice.services.balances import OWING, balance
from practice.services.billing import billed_time, invoice_job
from practice.services.billing.delivery import billing_contacts
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from practice.services.firm import get_firm
from practice.services.formatting import format_money, zone
from practice.services.work.catalog import parse_money

MAX_LINES = 200
MAX_CENTS = 10**11           # a billion dollars: more is a typing slip (and stays far inside 64-bit sums)
MAX_QUANTITY = 1_000_000_00  # a million units, in hundredths
DEFAULT_DAYS_DUE = 30
TEXT_LIMIT = 5000
NAME_LIMIT = 300

METHOD_WORDS = {PaymentMethod.check: N_("Check"), PaymentMethod.bank_transfer: N_("Bank transfer"),
                PaymentMethod.cash: N_("Cash"), PaymentMethod.credit: N_("Credit"), PaymentMethod.card: N_("Card")}
STATUS_WORDS = {InvoiceStatus.draft: i18n.N_("Draft"), InvoiceStatus.sent: i18n.N_("Sent"),
                InvoiceStatus.partly_paid: i18n.N_("Partly paid"), InvoiceStatus.paid: i18n.N_("Paid"),
                InvoiceStatus.void: i18n.N_("Void")}


# --- who may ---------------------------------------------------------------------------------------------------


def require_sees_billing(actor) -> Actor:
    actor = require_staff(actor)
    if not actor.sees_billing:
        raise PermissionDenied(_("You do not have access to billing. Ask the firm's owner or an admin."))
    return actor


def require_manages_billing(actor) -> Actor:
    actor = require_staff(actor)
    if not actor.manages_billing:
        raise PermissionDenied(_("Only people who manage invoices and payments can do that."))
    return actor


def _visible_account(session: Session, actor: Actor, account_id: int) -> Account:
    condition = account_visible(actor, Account.id)
    stmt = select(Account).where(Account.id == account_id)
    if condition is not None:
        stmt = stmt.where(condition)
    account = session.exec(stmt).first()
    if account is None:
        raise NotFound(_("That account no longer exists."))
    return account


def _invoice(session: Session, actor: Actor, invoice_id: int, *, manage: bool) -> Invoice:
    (require_manages_billing if manage else require_sees_billing)(actor)
    condition = account_visible(actor, Invoice.account_id)
    stmt = select(Invoice).where(Invoice.id == invoice_id)
    if condition is not None:
        stmt = stmt.where(condition)
    invoice = session.exec(stmt).first()
    if invoice is None:
        raise NotFound(_("That invoice no longer exists."))
    return invoice


# --- reading what people type --------------------------------------------------------------------------------


def _decimal(text, field: str, message: str) -> Decimal:
    if isinstance(text, (int, Decimal)):
        return Decimal(text)
    raw = str(text or "").strip().replace("%", "").replace("\u00a0", "").replace(" ", "")
    if i18n.current_locale() == "fr":
        raw = raw.replace(",", ".")
    try:
        value = Decimal(raw or "0")
    except InvalidOperation:
        raise InvalidInput(message.format(text=text), field=field) from None
    if not value.is_finite():
        raise InvalidInput(message.format(text=text), field=field)
    return value


def parse_quantity(text, field: str = "quantity") -> int:
    """'1.5' → 150 (hundredths); more than two decimals, zero or less, or a million and more is refused."""
    value = _decimal(text, field, _('"{text}" is not a quantity; write it like 1 or 1.5.'))
    if value <= 0:
        raise InvalidInput(_("A quantity must be more than 0."), field=field)
    hundredths = value * 100
    if hundredths != hundredths.to_integral_value():
        raise InvalidInput(_("A quantity has at most two decimals."), field=field)
    if hundredths >= MAX_QUANTITY:
        raise InvalidInput(_("That quantity is too large."), field=field)
    return int(hundredths)


def parse_percent(text, field: str) -> int:
    """'8.25' or '8.25%' → 825 (basis points), from 0 to 100%."""
    value = _decimal(text, field, _('"{text}" is not a percentage; write it like 10 or 8.25.'))
    points = value * 100
    if value < 0 or value > 100:
        raise InvalidInput(_("A percentage is between 0 and 100."), field=field)
    if points != points.to_integral_value():
        raise InvalidInput(_("A percentage has at most two decimals."), field=field)
    return int(points)


def quantity_text(hundredths: int) -> str:
    """150 → '1.5', 200 → '2' (as a form field shows it)."""
    whole, part = divmod(int(hundredths), 100)
    return str(whole) if not part else f"{whole}.{part:02d}".rstrip("0")


def percent_text(points: int) -> str:
    """825 → '8.25', 1000 → '10'."""
    return quantity_text(points)


def _half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, for numbers >= 0, in integers (no floats near money)."""
    return (2 * numerator + denominator) // (2 * denominator)


@dataclasses.dataclass(frozen=True)
class LineAmounts:
    amount_cents: int
    discount_cents: int
    tax_cents: int
    total_cents: int


def line_amounts(quantity_hundredths: int, rate_cents: int, discount_bp: int = 0, tax_bp: int = 0) -> LineAmounts:
    """A line's money: quantity x rate, the discount off it, tax on what is left; each rounded half up to the cent."""
    amount = _half_up(quantity_hundredths * rate_cents, 100)
    discount = _half_up(amount * discount_bp, 10_000)
    tax = _half_up((amount - discount) * tax_bp, 10_000)
    return LineAmounts(amount, discount, tax, amount - discount + tax)


def _read_line(session: Session, raw: dict, n: int) -> InvoiceLine:
    """One typed or catalog line, checked; the message names the line (`line 2: ...`)."""
    def fail(message: str) -> InvalidInput:
        return InvalidInput(_("Line {n}: {message}").format(n=n, message=message), field=f"line{n}")

    service = None
    if raw.get("service_id"):
        service = session.get(Service, int(raw["service_id"]))
        if service is None:
            raise fail(_("that service is no longer in the catalog."))
    name = str(raw.get("name") or (service.name if service else "")).strip()
    if not name:
        raise fail(_("say what is billed (a service or a few words)."))
    try:
        quantity = parse_quantity(raw.get("quantity", 1) if raw.get("quantity", "") != "" else 1)
        if raw.get("rate_cents") is not None:
            rate = int(raw["rate_cents"])
        elif str(raw.get("rate") or "").strip():
            rate = parse_money(str(raw["rate"]))
        else:
            rate = service.rate_cents if service else 0
        discount = parse_percent(raw.get("discount") or 0, "discount")
        tax = parse_percent(raw.get("tax") or 0, "tax")
    except InvalidInput as bad:
        raise fail(str(bad)) from None
    if rate < 0 or rate >= MAX_CENTS:
        raise fail(_("that rate is too large."))
    money = line_amounts(quantity, rate, discount, tax)
    if money.total_cents >= MAX_CENTS:
        raise fail(_("that amount is too large."))
    return InvoiceLine(invoice_id=0, service_id=service.id if service else None, name=name[:NAME_LIMIT],
                       description=str(raw.get("description") or "").strip()[:TEXT_LIMIT],
                       quantity_hundredths=quantity, rate_cents=rate, discount_bp=discount, tax_bp=tax,
                       amount_cents=money.amount_cents, discount_cents=money.discount_cents,
                       tax_cents=money.tax_cents, total_cents=money.total_cents, position=n)


def _kept(lines: list[dict]) -> list[dict]:
    return [raw for raw in lines if any(str(raw.get(k) or "").strip() for k in ("service_id", "name", "rate"))
            or raw.get("rate_cents")]


def read_lines(session: Session, lines: list[dict]) -> list[InvoiceLine]:
    """The lines a form or a template gives (blank ones skipped), checked; at least one."""
    kept = _kept(lines)
    if not kept:
        raise InvalidInput(_("Add at least one line: a service or what is billed."), field="lines")
    if len(kept) > MAX_LINES:
        raise InvalidInput(_("An invoice has at most {n} lines.").format(n=MAX_LINES), field="lines")
    return [_read_line(session, raw, n) for n, raw in enumerate(kept, start=1)]


def _totals(invoice: Invoice, lines: list[InvoiceLine]) -> None:
    invoice.subtotal_cents = sum(line.amount_cents for line in lines)
    invoice.discount_cents = sum(line.discount_cents for line in lines)
    invoice.tax_cents = sum(line.tax_cents for line in lines)
    invoice.total_cents = sum(line.total_cents for line in lines)


def invoice_name(invoice: Invoice) -> str:
    """'Invoice 1042', or 'Draft invoice' before it has a number (in the reader's language)."""
    if invoice.number is None:
        return _("Draft invoice")
    return _("Invoice {number}").format(number=invoice.number)


def _recorded_name(invoice: Invoice) -> str:
    # The audit row keeps an English label, as its summaries are.
    # No "#id": people never read a record's id (the crawl and the audit journey check it).
    return f"Invoice {invoice.number}" if invoice.number is not None else "Draft invoice"


# --- drafts --------------------------------------------------------------------------------------------------


def save_draft(session: Session, actor: Actor, *, account_id: int, lines: list[dict], notes: str = "", terms: str = "",
               due_date: dt.date | None = None, invoice_id: int | None = None, job_id: int | None = None) -> Invoice:
    """Create a draft, or replace a draft's lines, texts and job (an issued invoice's lines are frozen)."""
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


# --- numbering and issuing -----------------------------------------------------------------------------------


def _counter(session: Session) -> InvoiceCounter:
    firm = get_firm(session)
    counter = session.get(InvoiceCounter, firm.id)
    if counter is None:
        counter = InvoiceCounter(firm_id=firm.id, last_number=0)
        session.add(counter)
        session.flush()
    return counter


def next_number(session: Session) -> int:
    """The number the next issued invoice gets (nothing is taken)."""
    return _counter(session).last_number + 1


def set_first_number(session: Session, actor: Actor, number: int) -> int:
    """Where numbering starts (a firm moving from another system goes on from its last number): an admin sets it
    before the first invoice is issued; afterwards numbers only follow one another."""
    require_admin(actor)
    if not isinstance(number, int) or number < 1 or number >= 10**9:
        raise InvalidInput(_("The first number is a whole number from 1 to 999,999,999."), field="number")
    counter = _counter(session)
    issued = session.exec(select(func.count()).select_from(Invoice).where(Invoice.number.is_not(None))).one()
    if issued:
        raise Conflict(_("Invoices were already issued: numbers go on from the last one, without gaps."))
    counter.last_number = number - 1
    session.add(counter)
    audit.record(session, actor, "update", "firm", None, f"Invoice numbering starts at {number}", first=number)
    return number


def _take_number(session: Session) -> int:
    """The next number, taken: inside the caller's write transaction, so it commits (or not) with the invoice."""
    counter = _counter(session)
    counter.last_number += 1
    session.flush()
    return counter.last_number


def firm_today(session: Session, now: dt.datetime | None = None) -> dt.date:
    return (now or utcnow()).astimezone(zone(get_firm(session).timezone)).date()


def issue(session: Session, actor: Actor, invoice_id: int, *, now: dt.datetime | None = None) -> Invoice:
    """Issue a draft: its number, today's date (the firm's day), its due date (30 days on unless set), status sent.
    An `invoice_issued` event in the same transaction has the worker file its PDF and email the client
    (`practice.services.billing.delivery`), outside this write lock."""
    invoice = _invoice(session, actor, invoice_id, manage=True)
    if invoice.status != InvoiceStatus.draft:
        raise Conflict(_("{name} was already sent.").format(name=invoice_name(invoice)))
    if invoice.total_cents <= 0:
        raise InvalidInput(_("This invoice comes to {total}: there is nothing to bill.")
                           .format(total=format_money(invoice.total_cents)), field="lines")
    today = firm_today(session, now)
    if invoice.due_date is not None and invoice.due_date < today:
        raise InvalidInput(_("The due date has passed. Choose a later one (or leave it empty for 30 days)."),
                           field="due_date")
    invoice.number = _take_number(session)
    invoice.status = InvoiceStatus.sent
    invoice.issue_date = today
    invoice.due_date = invoice.due_date or today + dt.timedelta(days=DEFAULT_DAYS_DUE)
    invoice.sent_at = now or utcnow()
    session.add(invoice)
    session.flush()
    audit.record(session, actor, "send", "invoice", invoice.id,
                 f"Issued invoice {invoice.number} for {format_money(invoice.total_cents)}, due {invoice.due_date}",
                 number=invoice.number, total_cents=invoice.total_cents)
    events.emit(session, actor, "invoice_issued", account_id=invoice.account_id, payload={"invoice_id": invoice.id})
    return invoice


def void(session: Session, actor: Actor, invoice_id: int, reason: str = "") -> Invoice:
    """Cancel an issued invoice: it keeps its number (the numbering stays gapless) and owes nothing."""
    invoice = _invoice(session, actor, invoice_id, manage=True)
    if invoice.status == InvoiceStatus.draft:
        raise Conflict(_("A draft has no number yet: delete it instead."))
    if invoice.status == InvoiceStatus.void:
        raise Conflict(_("{name} is already void.").format(name=invoice_name(invoice)))
    if invoice.paid_cents or invoice.credited_cents:
        raise Conflict(_("{name} has payments or credits recorded. Remove them first, then void it.")
                       .format(name=invoice_name(invoice)))
    invoice.status = InvoiceStatus.void
    invoice.voided_at = utcnow()
    invoice.void_reason = (reason or "").strip()[:TEXT_LIMIT]
    session.add(invoice)
    session.flush()
    # Its time was not billed after all: it is work in progress again (and its lines still show what it was).
    billed_time.release(session, invoice.id)
    audit.record(session, actor, "void", "invoice", invoice.id,
                 f"Voided invoice {invoice.number}" + (f": {invoice.void_reason}" if invoice.void_reason else ""))
    events.emit(session, actor, "invoice_voided", account_id=invoice.account_id, payload={"invoice_id": invoice.id})
    return invoice


# --- payments and credits ------------------------------------------------------------------------------------


def due_cents(invoice: Invoice) -> int:
    """What is still owed on an invoice (0 for drafts and void ones)."""
    if invoice.status not in OWING:
        return 0
    return invoice.total_cents - invoice.paid_cents - invoice.credited_cents


def settle(session: Session, invoice: Invoice) -> None:
    """Recount what was paid and credited from the payment rows, and the status it makes."""
    rows = session.exec(select(Payment).where(Payment.invoice_id == invoice.id)).all()
    invoice.paid_cents = sum(p.amount_cents for p in rows if p.method != PaymentMethod.credit)
    invoice.credited_cents = sum(p.amount_cents for p in rows if p.method == PaymentMethod.credit)
    settled = invoice.paid_cents + invoice.credited_cents
    invoice.status = (InvoiceStatus.paid if settled >= invoice.total_cents
                      else InvoiceStatus.partly_paid if settled else InvoiceStatus.sent)
    session.add(invoice)
    session.flush()


def _method(method) -> PaymentMethod:
    try:
        return PaymentMethod(method)
    except ValueError:
        raise InvalidInput(_("Choose how it was paid: check, bank transfer or cash."), field="method") from None


def _add(session: Session, actor: Actor, invoice: Invoice, amount_cents: int, method: PaymentMethod,
         received_on: dt.date, reference: str) -> Payment:
    if invoice.status == InvoiceStatus.draft:
        raise Conflict(_("This invoice is still a draft: send it before recording what is paid on it."))
    if invoice.status == InvoiceStatus.paid:
        raise Conflict(_("{name} is paid in full: nothing is due on it.").format(name=invoice_name(invoice)))
    if invoice.status == InvoiceStatus.void:
        raise Conflict(_("{name} is void: nothing is due on it.").format(name=invoice_name(invoice)))
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise InvalidInput(_("The amount must be more than 0."), field="amount")
    due = due_cents(invoice)
    if amount_cents > due:
        raise InvalidInput(_("That is more than the {due} due on {name}.").format(
            due=format_money(due), name=invoice_name(invoice)), field="amount")
    payment = Payment(invoice_id=invoice.id, account_id=invoice.account_id, amount_cents=amount_cents, method=method,
                      reference=(reference or "").strip()[:NAME_LIMIT], received_on=received_on,
                      recorded_by_member_id=actor.member_id, recorded_by_label=actor.name)
    session.add(payment)
    session.flush()
    settle(session, invoice)
    if invoice.status == InvoiceStatus.paid:
        became_paid(session, actor, invoice)
    return payment


def became_paid(session: Session, actor, invoice: Invoice, *, contact_id: int | None = None) -> bool:
    """Tell that an invoice is now paid in full, once per invoice: `invoice_paid` fires for the rules (its job's
    stage may now be complete) and the firm hears in Inbox+. Every way of paying goes through here: payments and
    credits staff record, and (`contact_id`: who paid) a client's online payment. False when already told."""
    if invoice.status != InvoiceStatus.paid or invoice.paid_at is not None:
        return False
    invoice.paid_at = utcnow()
    session.add(invoice)
    session.flush()
    if contact_id is None:
        contacts = billing_contacts(session, invoice.account_id)
        contact_id = contacts[0].id if contacts else None
    events.emit(session, actor, "invoice_paid", job_id=invoice.job_id, account_id=invoice.account_id,
                payload={"invoice_id": invoice.id, "contact_id": contact_id, "job_id": invoice.job_id})
    account = session.get(Account, invoice.account_id)
    link = routes.job_url(invoice.job_id) if invoice.job_id else routes.account_url(invoice.account_id)
    text = inbox.said(N_("Invoice {number} for {account} is paid in full ({total})."), number=invoice.number,
                      account=account.name if account else "", total=format_money(invoice.total_cents))
    for member_id in inbox.staff_for(session, account_id=invoice.account_id, job_id=invoice.job_id):
        if member_id != getattr(actor, "member_id", None):  # who recorded the payment knows already
            inbox.notify(session, member_id=member_id, text=text, kind="invoice_paid", link=link,
                         key=f"invoice-paid|{invoice.id}|{member_id}")
    return True


def invoice_facts(session: Session, invoice_id: int) -> dict | None:
    """What rules read about an invoice (`invoice.number`, `invoice.total` in dollars, `invoice.due_date`)."""
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        return None
    return {"id": invoice.id, "number": str(invoice.number or ""), "total": Decimal(invoice.total_cents) / 100,
            "due_date": invoice.due_date, "status": invoice.status.value}


def record_payment(session: Session, actor: Actor, invoice_id: int, *, amount_cents: int, method: str,
                   received_on: dt.date | None = None, reference: str = "", now: dt.datetime | None = None) -> Payment:
    """Money received on an invoice (check, bank transfer, cash); a part leaves the rest due."""
    invoice = _invoice(session, actor, invoice_id, manage=True)
    method = _method(method)
    if method in (PaymentMethod.credit, PaymentMethod.card):
        raise InvalidInput(_("A credit is not money received: give it as a credit.") if method == PaymentMethod.credit
                           else _("Card payments are recorded when the client pays online."), field="method")
    today = firm_today(session, now)
    received_on = received_on or today
    if received_on > today:
        raise InvalidInput(_("A payment cannot be received after today."), field="received_on")
    if invoice.issue_date and received_on < invoice.issue_date - dt.timedelta(days=366):
        raise InvalidInput(_("That date is more than a year before the invoice."), field="received_on")
    payment = _add(session, actor, invoice, amount_cents, method, received_on, reference)
    audit.record(session, actor, "payment", "invoice", invoice.id,
                 f"Recorded {format_money(amount_cents)} by {method.value.replace('_', ' ')} on invoice "
                 f"{invoice.number}; {format_money(due_cents(invoice))} left due",
                 payment_id=payment.id, amount_cents=amount_cents, method=method.value)
    return payment


def give_credit(session: Session, actor: Actor, invoice_id: int, *, amount_cents: int, reason: str,
                now: dt.datetime | None = None) -> Payment:
    """Take an amount off what is due (a goodwill discount, a billing mistake), with its reason."""
    invoice = _invoice(session, actor, invoice_id, manage=True)
    if not (reason or "").strip():
        raise InvalidInput(_("Say why the credit is given."), field="reason")
    payment = _add(session, actor, invoice, amount_cents, PaymentMethod.credit, firm_today(session, now), reason)
    audit.record(session, actor, "credit", "invoice", invoice.id,
                 f"Credited {format_money(amount_cents)} on invoice {invoice.number}: {payment.reference}",
                 payment_id=payment.id, amount_cents=amount_cents)
    return payment


def remove_payment(session: Session, actor: Actor, payment_id: int) -> Invoice:
    """Undo a payment or credit recorded by mistake (what it paid is due again)."""
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(_("That payment was already removed."))
    invoice = _invoice(session, actor, payment.invoice_id, manage=True)
    if invoice.status == InvoiceStatus.void:
        raise Conflict(_("{name} is void.").format(name=invoice_name(invoice)))
    if payment.provider_payment_id:  # else its webhook, delivered again, would record it again
        raise Conflict(_("A card payment stays: refund it from the payment provider's dashboard."))
    session.delete(payment)
    session.flush()
    settle(session, invoice)
    audit.record(session, actor, "delete", "invoice", invoice.id,
                 f"Removed {format_money(payment.amount_cents)} ({payment.method.value.replace('_', ' ')}, "
                 f"{payment.received_on}) from invoice {invoice.number}", amount_cents=payment.amount_cents)
    return invoice


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

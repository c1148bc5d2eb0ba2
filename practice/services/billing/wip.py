"""Work in progress (unbilled billable time per account and job) and billing chosen time entries.

Work in progress sums the entries' own amounts (`time.amount_of`: what each one's invoice line will bill), so each
total can be explained entry by entry. Billing chosen entries writes one draft line per entry and locks the entries
in the same transaction: each is claimed by a conditional UPDATE (`... WHERE invoice_id IS NULL`), so of two
invoices racing for an entry one gets it, and the other fails whole and leaves nothing behind. A billed entry keeps
the rate it was billed at; deleting its draft, taking its line off the draft, or voiding the invoice releases it
(`billed_time`). The invoice editor's "Bill time" lists an account's unbilled billable entries and bills the chosen
ones onto the draft as it shows it (`unbilled_of_account`, `bill_onto_draft`). Reading work in progress needs the
"see billing" right, billing "manage invoices and payments"; both only on accounts the member sees."""
from __future__ import annotations

import dataclasses

from sqlalchemy import func, update
from sqlmodel import Session, select

from practice.i18n import _
from practice.models import Account, Invoice, InvoiceLine, InvoiceStatus, Job, Service, TeamMember, TimeEntry
from practice.services import audit
from practice.services.actor import Actor, require_staff
from practice.services.billing import billed_time, invoice_job, invoices
from practice.services.billing.time import (EntryRow, amount_of, current_rates, duration_text, entry_rows, rate_of,
                                            unbilled_billable, visible_entries)
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from practice.services.formatting import format_money
from practice.services.hours import hundredths

BILL_LIMIT = invoices.MAX_LINES


@dataclasses.dataclass(frozen=True)
class WipRow:
    account_id: int
    account_name: str
    job_id: int | None
    job_name: str
    minutes: int
    amount_cents: int
    entries: int


def work_in_progress(session: Session, actor: Actor, *, account_id: int | None = None,
                     job_id: int | None = None) -> list[WipRow]:
    """Unbilled billable time per account and job (what billing it would invoice), of accounts the actor sees.
    Its amounts are the sums of the entries' own amounts, so each can be explained entry by entry."""
    actor = require_staff(actor)
    if not actor.sees_billing:
        raise PermissionDenied(_("You do not have access to billing. Ask the firm's owner or an admin."))
    stmt = unbilled_billable(visible_entries(actor))
    if account_id is not None:
        stmt = stmt.where(TimeEntry.account_id == account_id)
    if job_id is not None:
        stmt = stmt.where(TimeEntry.job_id == job_id)
    rates = current_rates(session)
    groups: dict[tuple[int, int | None], list[int]] = {}
    for entry in session.exec(stmt):
        sums = groups.setdefault((entry.account_id, entry.job_id), [0, 0, 0])
        sums[0] += entry.minutes
        sums[1] += amount_of(entry, rates)
        sums[2] += 1
    account_names = dict(session.execute(select(Account.id, Account.name).where(
        Account.id.in_({a for a, _ in groups}))).all()) if groups else {}
    job_names = dict(session.execute(select(Job.id, Job.name).where(
        Job.id.in_({j for _, j in groups if j}))).all()) if groups else {}
    rows = [WipRow(a, account_names.get(a, ""), j, job_names.get(j, "") if j else "", m, cents, n)
            for (a, j), (m, cents, n) in groups.items()]
    return sorted(rows, key=lambda r: (r.account_name.lower(), r.job_name.lower(), r.job_id or 0))


# --- billing -------------------------------------------------------------------------------------------------


def _line_for(entry: TimeEntry, rate: int, member_name: str, service_name: str, position: int) -> InvoiceLine:
    quantity = hundredths(entry.minutes)
    money = invoices.line_amounts(quantity, rate)
    details = [entry.work_date.isoformat(), member_name, entry.note]
    return InvoiceLine(invoice_id=0, service_id=entry.service_id, name=(service_name or _("Time"))[:invoices.NAME_LIMIT],
                       description=" · ".join(d for d in details if d)[:invoices.TEXT_LIMIT],
                       quantity_hundredths=quantity, rate_cents=rate, amount_cents=money.amount_cents,
                       total_cents=money.total_cents, position=position)


def bill_entries(session: Session, actor: Actor, *, account_id: int, entry_ids: list[int],
                 invoice_id: int | None = None) -> Invoice:
    """Bill chosen entries of an account: one line per entry on a new draft (or added to the draft `invoice_id`),
    each entry locked to it with its rate kept, all in this one transaction. An entry already billed (by someone
    else a moment ago, too) makes the whole call fail and nothing is billed."""
    invoices.require_manages_billing(actor)
    ids = sorted({int(i) for i in entry_ids})
    if not ids:
        raise InvalidInput(_("Choose the time to bill."), field="entries")
    if len(ids) > BILL_LIMIT:
        raise InvalidInput(_("Bill at most {n} entries at once.").format(n=BILL_LIMIT), field="entries")
    account = invoices._visible_account(session, actor, account_id)
    if account.archived:
        raise Conflict(_("{name} is archived. Restore it before billing it.").format(name=account.name))
    entries = list(session.exec(select(TimeEntry).where(TimeEntry.id.in_(ids), TimeEntry.account_id == account.id)
                                .order_by(TimeEntry.work_date, TimeEntry.id)))
    if len(entries) != len(ids):
        raise NotFound(_("Some of that time is no longer there. Reload the page."))
    for entry in entries:
        if entry.invoice_id is not None:
            raise Conflict(_("Some of that time was already billed. Reload the page and choose again."))
        if entry.started_at is not None and entry.ended_at is None:
            raise Conflict(_("A timer in that time is still running: stop it first."))
        if not entry.billable:
            raise InvalidInput(_("Some of that time is not billable."), field="entries")
    if invoice_id is None:
        invoice = Invoice(account_id=account.id, created_by_member_id=actor.member_id)
        session.add(invoice)
        session.flush()
        start = 0
    else:
        invoice = invoices._invoice(session, actor, invoice_id, manage=True)
        if invoice.status != InvoiceStatus.draft or invoice.account_id != account.id:
            raise Conflict(_("Time is added to a draft of the same account only."))
        start = session.exec(select(func.count()).select_from(InvoiceLine)
                             .where(InvoiceLine.invoice_id == invoice.id)).one()
    if start + len(entries) > invoices.MAX_LINES:
        raise InvalidInput(_("An invoice has at most {n} lines.").format(n=invoices.MAX_LINES), field="entries")
    rates = current_rates(session)
    members = dict(session.execute(select(TeamMember.id, TeamMember.name)).all())
    services = dict(session.execute(select(Service.id, Service.name)).all())
    for n, entry in enumerate(entries, start=start + 1):
        rate = rate_of(entry, rates)
        line = _line_for(entry, rate, members.get(entry.member_id, ""), services.get(entry.service_id, ""), n)
        line.invoice_id = invoice.id
        session.add(line)
        session.flush()
        # The claim: only an entry nobody billed yet is taken (the row is checked again inside this write).
        claimed = session.execute(update(TimeEntry).where(TimeEntry.id == entry.id, TimeEntry.invoice_id.is_(None))
                                  .values(invoice_id=invoice.id, invoice_line_id=line.id, rate_cents=rate)).rowcount
        if claimed != 1:
            raise Conflict(_("Some of that time was already billed. Reload the page and choose again."))
    _retotal(session, invoice)
    for entry in entries:
        session.refresh(entry)
    minutes = sum(e.minutes for e in entries)
    audit.record(session, actor, "update", "invoice", invoice.id,
                 f"Billed {len(entries)} time entries ({duration_text(minutes)}) of {account.name}; the draft now "
                 f"comes to {format_money(invoice.total_cents)}", entries=ids, total_cents=invoice.total_cents)
    return invoice


def _retotal(session: Session, invoice: Invoice) -> None:
    lines = list(session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)))
    invoices._totals(invoice, lines)
    if invoice.total_cents >= invoices.MAX_CENTS:
        raise InvalidInput(_("That invoice's total is too large."), field="lines")
    session.add(invoice)
    session.flush()


def entries_by_line(session: Session, invoice_id: int) -> dict[int, list[int]]:
    """Which entries each line of an invoice bills (line id → entry ids)."""
    out: dict[int, list[int]] = {}
    for entry_id, line_id in session.execute(select(TimeEntry.id, TimeEntry.invoice_line_id)
                                             .where(TimeEntry.invoice_id == invoice_id).order_by(TimeEntry.id)):
        if line_id is not None:
            out.setdefault(line_id, []).append(entry_id)
    return out



def bill_work_in_progress(session: Session, actor: Actor, *, account_id: int, job_id: int | None) -> Invoice:
    """Bill one line of the work in progress (an account's unbilled billable time on one job, or on none) onto a
    new draft: the entries billing it now, as `work_in_progress` counted them."""
    invoices.require_manages_billing(actor)
    stmt = unbilled_billable(visible_entries(actor)).where(TimeEntry.account_id == account_id)
    stmt = stmt.where(TimeEntry.job_id == job_id if job_id else TimeEntry.job_id.is_(None))
    ids = [entry.id for entry in session.exec(stmt.order_by(TimeEntry.work_date, TimeEntry.id).limit(BILL_LIMIT))]
    if not ids:
        raise Conflict(_("That time was already billed. Reload the page."))
    return bill_entries(session, actor, account_id=account_id, entry_ids=ids)


# --- the invoice editor's "Bill time" ---------------------------------------------------------------------------


def unbilled_of_account(session: Session, actor: Actor, account_id: int) -> list[EntryRow]:
    """What "Bill time" offers a draft of the account: its unbilled billable entries the actor sees, oldest first
    (at most BILL_LIMIT), each with the amount billing it would keep (the rate is snapshotted as shown)."""
    invoices.require_manages_billing(actor)
    account = invoices._visible_account(session, actor, account_id)
    stmt = unbilled_billable(visible_entries(actor)).where(TimeEntry.account_id == account.id)
    return entry_rows(session, actor, list(session.exec(stmt.order_by(TimeEntry.work_date, TimeEntry.id)
                                                        .limit(BILL_LIMIT))))


def bill_onto_draft(session: Session, actor: Actor, *, account_id: int, entry_ids: list[int], lines: list[dict],
                    notes: str = "", terms: str = "", due_date=None, invoice_id: int | None = None,
                    job_id: int | None = None, whole_discount: invoices.WholeDiscount | None = None,
                    whole_tax_bp: int | None = None) -> Invoice:
    """"Bill time" in the invoice editor: the draft as the editor shows it is saved (a new invoice is written), then
    the chosen entries are billed onto it as lines, in this one transaction. A refusal (time another draft took a
    moment ago) leaves the draft as it was, and the editor keeps what it shows. Lines all left blank are no lines:
    the draft then bills the time alone."""
    invoices.require_manages_billing(actor)
    if invoices._kept(lines):
        draft = invoices.save_draft(session, actor, account_id=account_id, lines=lines, notes=notes, terms=terms,
                                    due_date=due_date, invoice_id=invoice_id, job_id=job_id,
                                    whole_discount=whole_discount, whole_tax_bp=whole_tax_bp)
        return bill_entries(session, actor, account_id=account_id, entry_ids=entry_ids, invoice_id=draft.id)
    if invoice_id is not None:  # every line was taken off in the editor: so they are in the draft
        invoices._invoice(session, actor, invoice_id, manage=True)
        billed_time.unlink(session, invoice_id)
        for old in session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id)):
            session.delete(old)
        session.flush()
        billed_time.relink(session, invoice_id, [])
    draft = bill_entries(session, actor, account_id=account_id, entry_ids=entry_ids, invoice_id=invoice_id)
    draft.notes, draft.terms = (notes or "").strip()[:invoices.TEXT_LIMIT], (terms or "").strip()[:invoices.TEXT_LIMIT]
    draft.due_date, draft.job_id = due_date, invoice_job.checked(session, account_id, job_id)
    if whole_discount is not None:
        draft.whole_discount_bp, draft.whole_discount_fixed_cents = whole_discount.percent_bp, whole_discount.amount_cents
    invoices.set_whole_tax(draft, whole_tax_bp)
    if whole_discount is not None or whole_tax_bp is not None:
        _retotal(session, draft)
    session.add(draft)
    session.flush()
    return draft

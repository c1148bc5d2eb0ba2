"""Recurring invoices: a series per account (monthly bookkeeping, quarterly payroll) that issues the same invoice
every month, quarter or year from its first date, until its last date if it has one.

Each period's invoice is made exactly once. The worker's minute sweep (`plan_due`) writes a `recurring_invoice_due`
event for every period that came due, in the transaction that moves the series to its next period; the worker
handles the event (`handle`) by writing the invoice with the key `recurring|<series>|<period date>` (unique on
invoices, as a rule-sent invoice keeps its action's key) and issuing it through `invoices.issue`: the firm's next
gapless number, and the `invoice_issued` event that files its PDF and emails it once per address. A worker killed
half-way leaves the event pending with nothing done; a replayed event finds the invoice its key made.

Periods fall on the first date's day of the month, or the month's last day in shorter months (January 31, then
February 28, then March 31), as the rules' schedules do. A paused series skips the periods it was paused for; a
series whose worker was down catches up every missed period, each once. A series that does not send
automatically leaves each period's invoice as a draft for the firm to check and send (its number comes then).

A series a client contact agreed to pay by a saved card (`payments/autopay`) has each issued invoice charged by the
worker: issuing it writes a `recurring_card_charge` event in the same transaction.

Who may: the "manage invoices and payments" right writes series, "see billing" reads them; either only on the
accounts the member sees."""
from __future__ import annotations

import calendar
import dataclasses
import datetime as dt

from sqlalchemy import func
from sqlmodel import Session, select

from practice import routes
from practice.i18n import N_, _
from practice.models import Account, Event, Invoice, RecurringInvoice, Role, utcnow
from practice.services import audit, events, inbox
from practice.services.actor import Actor, account_visible
from practice.services.billing import invoices, rights, templates
from practice.services.billing.invoices import (TEXT_LIMIT, lines_total, parse_whole_tax, require_manages_billing,
                                                require_sees_billing)
from practice.services.errors import Conflict, InvalidInput, NotFound
from practice.services.firm import get_firm
from practice.services.formatting import format_datetime, format_money

DUE = "recurring_invoice_due"
# A period's invoice went out for a series the client pays by saved card: the worker charges it (payments/autopay).
CHARGE = "recurring_card_charge"
# A saved card removed (or its series deleted): the worker deletes the provider's customer (payments/autopay).
FORGET = "recurring_card_forget"
INTERVALS = {"monthly": N_("Every month"), "quarterly": N_("Every quarter"), "yearly": N_("Every year")}
_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
PREVIEW = 12
MAX_NAME = 200
MAX_SERIES = 5000
# Periods one sweep writes for one series: a worker down for longer catches up on the next sweeps.
CATCH_UP = 24
# Series one sweep looks at: the rest wait a minute.
SWEEP_LIMIT = 2000


def key_of(series_id: int, period: dt.date) -> str:
    """The idempotency key of a series' invoice for one period."""
    return f"recurring|{series_id}|{period.isoformat()}"


def period_date(start: dt.date, interval: str, n: int) -> dt.date:
    """The n-th period's date (0 = the first): start's day of the month, or the month's last day when shorter."""
    months = start.month - 1 + n * _MONTHS[interval]
    year, month = start.year + months // 12, months % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _first_from(series: RecurringInvoice, on_or_after: dt.date) -> dt.date | None:
    """The first period on or after a date (None when the series ended before it)."""
    n = 0
    if on_or_after > series.start_date:
        months = (on_or_after.year - series.start_date.year) * 12 + on_or_after.month - series.start_date.month
        n = max(0, months // _MONTHS[series.interval] - 1)
    while (day := period_date(series.start_date, series.interval, n)) < on_or_after:
        n += 1
    return day if series.end_date is None or day <= series.end_date else None


def _after(series: RecurringInvoice, period: dt.date) -> dt.date | None:
    return _first_from(series, period + dt.timedelta(days=1))


# --- who may ---------------------------------------------------------------------------------------------------


def _visible_account(session: Session, actor: Actor, account_id) -> Account:
    if not account_id:
        raise InvalidInput(_("Choose the account the invoices are for."), field="account")
    return rights._visible_account(session, actor, int(account_id))


def _series(session: Session, actor: Actor, series_id, *, manage: bool) -> RecurringInvoice:
    (require_manages_billing if manage else require_sees_billing)(actor)
    condition = account_visible(actor, RecurringInvoice.account_id)
    stmt = select(RecurringInvoice).where(RecurringInvoice.id == int(series_id or 0))
    if condition is not None:
        stmt = stmt.where(condition)
    series = session.exec(stmt).first()
    if series is None:
        raise NotFound(_("That recurring invoice no longer exists."))
    return series


def series_to_change(session: Session, actor: Actor, series_id) -> RecurringInvoice:
    """One series, for whoever manages billing on its account."""
    return _series(session, actor, series_id, manage=True)


# --- writing ---------------------------------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    clean = " ".join(str(name or "").split())
    if not clean:
        raise InvalidInput(_("Give the recurring invoice a name, like Monthly bookkeeping."), field="name")
    if len(clean) > MAX_NAME:
        raise InvalidInput(_("A name may hold {n} characters.").format(n=MAX_NAME), field="name")
    return clean


def save_series(session: Session, actor: Actor, *, account_id: int, name: str, lines: list[dict],
                interval: str, start_date: dt.date | None, end_date: dt.date | None = None,
                send_automatically: bool = True, notes: str = "", terms: str = "", due_days=templates.DEFAULT_DUE_DAYS,
                series_id: int | None = None, now: dt.datetime | None = None, whole_tax: str = "") -> RecurringInvoice:
    """Create a series, or change one (its periods already issued stay issued; the next is the first period of the
    changed series after the last one issued, or from today). `whole_tax`: the tax on the whole invoice as typed
    ("8.25"; empty: none), carried by each period's invoice."""
    require_manages_billing(actor)
    account = _visible_account(session, actor, account_id)
    if account.archived:
        raise Conflict(_("{name} is archived. Restore it before billing it.").format(name=account.name))
    name = _clean_name(name)
    if interval not in INTERVALS:
        raise InvalidInput(_("Choose how often: every month, quarter or year."), field="interval")
    if not isinstance(start_date, dt.date):
        raise InvalidInput(_("Choose the date of the first invoice."), field="start_date")
    if end_date is not None and end_date < start_date:
        raise InvalidInput(_("The last date comes before the first invoice's date."), field="end_date")
    kept = templates.kept_lines(session, lines)
    due = templates.due_days_of(due_days)
    tax_bp = parse_whole_tax(whole_tax)
    today = invoices.firm_today(session, now)
    if series_id is None:
        if start_date < today:
            raise InvalidInput(_("The first invoice's date has passed: choose today or a later date."),
                               field="start_date")
        if session.exec(select(func.count()).select_from(RecurringInvoice)).one() >= MAX_SERIES:
            raise InvalidInput(_("The firm has {n} recurring invoices, the most it may keep; delete one first.")
                               .format(n=MAX_SERIES))
        series = RecurringInvoice(account_id=account.id, name=name, start_date=start_date,
                                  created_by_member_id=actor.member_id)
        last_issued = None
    else:
        series = _series(session, actor, series_id, manage=True)
        if series.account_id != account.id:
            raise Conflict(_("A recurring invoice stays with its account. Delete it and start one for the other "
                             "account."))
        last_issued = last_period(session, series.id)
    series.name, series.lines, series.due_days, series.interval = name, kept, due, interval
    series.whole_tax_bp = tax_bp
    series.start_date, series.end_date = start_date, end_date
    series.send_automatically = bool(send_automatically)
    series.notes = (notes or "").strip()[:TEXT_LIMIT]
    series.terms = (terms or "").strip()[:TEXT_LIMIT]
    series.updated_at = utcnow()
    # A changed series starts again from today, never issuing a period before its last one or one that has passed.
    after = max(today, last_issued + dt.timedelta(days=1)) if last_issued else today
    series.next_period = _first_from(series, after)
    session.add(series)
    session.flush()
    total = format_money(series_total(session, series))
    what = "Created" if series_id is None else "Changed"
    audit.record(session, actor, "create" if series_id is None else "update", "recurring_invoice", series.id,
                 f'{what} recurring invoice "{name}" for {account.name}: {total} {interval} from {start_date}'
                 + (f" to {end_date}" if end_date else ""), entity_label=name, account_id=account.id)
    return series


def set_paused(session: Session, actor: Actor, series_id: int, paused: bool, *,
               now: dt.datetime | None = None) -> RecurringInvoice:
    """Pause a series (no invoice while paused) or resume it (from the next period on or after today)."""
    series = _series(session, actor, series_id, manage=True)
    if series.paused == bool(paused):
        return series
    series.paused = bool(paused)
    if not paused:
        series.next_period = _first_from(series, invoices.firm_today(session, now))
    series.updated_at = utcnow()
    session.add(series)
    audit.record(session, actor, "update", "recurring_invoice", series.id,
                 f'{"Paused" if paused else "Resumed"} recurring invoice "{series.name}"', entity_label=series.name,
                 account_id=series.account_id)
    return series


def delete_series(session: Session, actor: Actor, series_id: int) -> str:
    """Delete a series: no more invoices; those it issued stay. Returns its name."""
    series = _series(session, actor, series_id, manage=True)
    name = series.name
    audit.record(session, actor, "delete", "recurring_invoice", series.id, f'Deleted recurring invoice "{name}"',
                 entity_label=name, account_id=series.account_id)
    if series.card_customer_id:  # the client's saved card goes with it
        events.emit(session, actor, FORGET, account_id=series.account_id,
                    payload={"customer_id": series.card_customer_id})
    session.delete(series)
    session.flush()
    return name


# --- reading ---------------------------------------------------------------------------------------------------


def series_total(session: Session, series: RecurringInvoice) -> int:
    try:
        return lines_total(session, series.lines, series.whole_tax_bp)
    except InvalidInput:
        return 0  # a service it names left the catalog: issuing says so


def last_period(session: Session, series_id: int) -> dt.date | None:
    """The latest period the series issued an invoice for."""
    keys = session.exec(select(Invoice.key).where(Invoice.key.like(f"recurring|{series_id}|%"))).all()
    return max((dt.date.fromisoformat(k.rsplit("|", 1)[1]) for k in keys), default=None)


@dataclasses.dataclass(frozen=True)
class SeriesRow:
    id: int
    account_id: int
    account_name: str
    name: str
    interval: str
    total_cents: int
    next_period: dt.date | None
    end_date: dt.date | None
    paused: bool
    send_automatically: bool
    issued: int
    card_label: str = ""  # the client's saved card, when they pay automatically
    card_by: str = ""
    card_when: str = ""  # when they agreed, on the firm's clock


def list_series(session: Session, actor: Actor) -> list[SeriesRow]:
    """The series the actor may see, by account and name, with how many invoices each issued."""
    require_sees_billing(actor)
    stmt = select(RecurringInvoice, Account.name).join(Account, Account.id == RecurringInvoice.account_id)
    condition = account_visible(actor, RecurringInvoice.account_id)
    if condition is not None:
        stmt = stmt.where(condition)
    rows = session.execute(stmt.order_by(func.lower(Account.name), func.lower(RecurringInvoice.name))).all()
    counts: dict[int, int] = {}
    timezone = get_firm(session).timezone
    if rows:
        for key in session.exec(select(Invoice.key).where(Invoice.key.like("recurring|%"))):
            series_id = int(key.split("|")[1])
            counts[series_id] = counts.get(series_id, 0) + 1
    return [SeriesRow(s.id, s.account_id, account_name, s.name, s.interval, series_total(session, s),
                      None if s.paused else s.next_period, s.end_date, s.paused, s.send_automatically,
                      counts.get(s.id, 0), s.card_label if s.card_method_id else "", s.card_consent_by,
                      format_datetime(s.card_consent_at, timezone) if s.card_consent_at else "")
            for s, account_name in rows]


def get_series(session: Session, actor: Actor, series_id: int) -> RecurringInvoice:
    """One series (whoever sees billing)."""
    return _series(session, actor, series_id, manage=False)


def upcoming(series: RecurringInvoice, count: int = PREVIEW) -> list[dt.date]:
    """The next `count` periods' dates still to be issued (fewer when the series ends first; none while paused)."""
    dates: list[dt.date] = []
    day = None if series.paused else series.next_period
    while day is not None and len(dates) < count:
        dates.append(day)
        day = _after(series, day)
    return dates


def preview(session: Session, *, lines: list[dict], interval: str, start_date: dt.date | None,
            end_date: dt.date | None = None, after: dt.date | None = None, count: int = PREVIEW,
            whole_tax: str = "") -> list[tuple[dt.date, int]]:
    """The next `count` (date, total in cents) a series as typed would issue, from `after` (or its first date) on;
    raises InvalidInput with a sentence while the form cannot say yet."""
    if interval not in INTERVALS or not isinstance(start_date, dt.date):
        raise InvalidInput(_("Choose how often and the date of the first invoice to see the next dates."))
    total = lines_total(session, lines, parse_whole_tax(whole_tax))
    draft = RecurringInvoice(account_id=0, name="", interval=interval, start_date=start_date, end_date=end_date)
    draft.next_period = _first_from(draft, max(after or start_date, start_date))
    return [(day, total) for day in upcoming(draft, count)]


# --- the worker's side -----------------------------------------------------------------------------------------


def plan_due(session: Session, now: dt.datetime | None = None) -> int:
    """The minute sweep: a `recurring_invoice_due` event for each period of a running series that came due (the
    firm's day), in the transaction that moves the series on. Returns how many periods it planned."""
    today = invoices.firm_today(session, now)
    due = session.exec(select(RecurringInvoice).where(RecurringInvoice.paused.is_(False),
                                                      RecurringInvoice.next_period.is_not(None),
                                                      RecurringInvoice.next_period <= today)
                       .order_by(RecurringInvoice.next_period, RecurringInvoice.id).limit(SWEEP_LIMIT)).all()
    rows = []
    for series in due:
        for _n in range(CATCH_UP):
            if series.next_period is None or series.next_period > today:
                break
            rows.append({"kind": DUE, "account_id": series.account_id,
                         "payload": {"series_id": series.id, "period": series.next_period.isoformat()}})
            series.next_period = _after(series, series.next_period)
        session.add(series)
    session.flush()
    events.emit_many(session, worker_actor(), rows)
    return len(rows)


def worker_actor(series: RecurringInvoice | None = None) -> Actor:
    return Actor(member_id=None, name=f'Recurring invoice "{series.name}"' if series else "Recurring invoices",
                 role=Role.owner)


def handle(session: Session, ev: Event) -> Invoice | None:
    """A period came due (in the worker's transaction): write its invoice and issue it, unless its key made one
    already, or the series was deleted or paused since."""
    payload = ev.payload or {}
    series = session.get(RecurringInvoice, int(payload.get("series_id") or 0))
    if series is None or series.paused:
        return None
    period = dt.date.fromisoformat(payload["period"])
    return issue_period(session, series, period)


def issue_period(session: Session, series: RecurringInvoice, period: dt.date,
                 now: dt.datetime | None = None) -> Invoice:
    """The series' invoice for one period, made once: a second call returns the first."""
    key = key_of(series.id, period)
    existing = session.exec(select(Invoice).where(Invoice.key == key)).first()
    if existing is not None:
        return existing
    actor = worker_actor(series)
    due = invoices.firm_today(session, now) + dt.timedelta(days=series.due_days)
    try:
        draft = invoices.save_draft(session, actor, account_id=series.account_id, lines=series.lines,
                                    notes=series.notes, terms=series.terms, due_date=due,
                                    whole_tax_bp=series.whole_tax_bp)
    except (InvalidInput, Conflict, NotFound) as bad:
        raise InvalidInput(_('The recurring invoice "{name}" cannot be issued: {problem}').format(
            name=series.name, problem=str(bad))) from None
    draft.key, draft.created_by_member_id = key, series.created_by_member_id
    session.add(draft)
    session.flush()
    if series.send_automatically:
        issued = invoices.issue(session, actor, draft.id, now=now)
        if series.card_method_id:  # the client pays it by their saved card: the worker charges it once
            events.emit(session, actor, CHARGE, account_id=series.account_id,
                        payload={"series_id": series.id, "period": period.isoformat(), "invoice_id": issued.id})
        return issued
    if series.created_by_member_id:
        account = session.get(Account, series.account_id)
        inbox.notify(session, member_id=series.created_by_member_id, kind="notify",
                     link=routes.invoice_url(draft.id), key=f"recurring-draft|{key}",
                     text=inbox.said(N_('The recurring invoice "{name}" for {account} wrote a draft: check it and '
                                        "send it."), name=series.name, account=account.name if account else ""))
    return draft

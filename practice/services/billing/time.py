"""Time entries: a timer on a job or a task, and time written down afterwards.

A member has at most one running timer: starting one stops the one running (in the same transaction), and the
database's partial unique index (`uq_timeentry_running`) refuses a second one whatever the code does. A timer
lives in the database, so it keeps running with the browser closed and shows on any device. A timer that ran past
the firm's idle limit asks, when stopped, whether to count all of it or only up to the limit (`PastIdleLimit`).

An entry's rate is its service's (when the service has one) or else its member's hourly rate; its amount is its
hours (in hundredths, rounded half up from the minutes) times that rate, rounded to the cent as an invoice line
is. Work in progress and billing are in `billing/wip.py`; a billed entry is locked (it can be neither changed nor
billed again) and keeps the rate it was billed at.

Who may: tracking one's own time needs the "track time" right; seeing, adding or changing other members' time the
"edit others' time" right (owners and admins have both); always only on accounts the member sees."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from practice import i18n
from practice.i18n import _
from practice.models import (Account, Invoice, Job, Service, Task, TeamMember,
                             TimeEntry, utcnow)
from practice.services import audit
from practice.services.access import team
from practice.services.hours import hundredths
from practice.services.actor import Actor, account_visible, require_admin, require_staff, visible_account_ids
from practice.services.billing import invoices
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from practice.services.firm import get_firm
from practice.services.formatting import format_money
from practice.services.work.catalog import parse_money

MAX_MINUTES = 24 * 60          # one entry is at most a day
MAX_IDLE_LIMIT = 7 * 24 * 60
NOTE_LIMIT = 2000
LIST_LIMIT = 500


class PastIdleLimit(Conflict):
    """A timer ran longer than the firm's idle limit: ask whether to count all of it (`keep_idle`)."""

    def __init__(self, minutes: int, limit: int):
        super().__init__(_("This timer ran {ran}, past the firm's limit of {limit}. Count all of it, or only "
                           "{limit}?").format(ran=duration_text(minutes), limit=duration_text(limit)))
        self.minutes = minutes
        self.limit = limit


# --- who may -------------------------------------------------------------------------------------------------


def require_tracks_time(actor) -> Actor:
    actor = require_staff(actor)
    if not actor.tracks_time:
        raise PermissionDenied(_("You cannot track time. Ask the firm's owner or an admin for the right."))
    return actor


def _reads_others(actor: Actor) -> bool:
    return actor.edits_others_time or actor.sees_billing


def require_reads_time(actor) -> Actor:
    actor = require_staff(actor)
    if not (actor.tracks_time or _reads_others(actor)):
        raise PermissionDenied(_("You cannot see time entries. Ask the firm's owner or an admin for the right."))
    return actor


def _entry(session: Session, actor: Actor, entry_id: int, *, write: bool) -> TimeEntry:
    """The entry, if the actor may see it (and change it, with `write`): their own, or anyone's with the right."""
    require_reads_time(actor)
    stmt = select(TimeEntry).where(TimeEntry.id == entry_id)
    condition = account_visible(actor, TimeEntry.account_id)
    if condition is not None:
        stmt = stmt.where(condition)
    entry = session.exec(stmt).first()
    mine = entry is not None and entry.member_id == actor.member_id
    if entry is None or not (mine or _reads_others(actor)):
        raise NotFound(_("That time entry no longer exists."))
    if write:
        if mine:
            require_tracks_time(actor)
        elif not actor.edits_others_time:
            raise PermissionDenied(_("Only people who may edit others' time can change it."))
        if entry.invoice_id is not None:
            raise Conflict(billed_sentence(session.get(Invoice, entry.invoice_id)))
    return entry


def billed_sentence(invoice: Invoice | None) -> str:
    """Why billed time cannot change, naming the invoice that holds it."""
    if invoice is not None and invoice.number is not None:
        return _("This time is billed on invoice {number}: it cannot be changed or deleted. Void the invoice "
                 "first.").format(number=invoice.number)
    return _("This time is on a draft invoice: it cannot be changed or deleted. Take it off the draft first.")


def _member_for(session: Session, actor: Actor, member_id: int | None) -> TeamMember:
    """Whose time an entry is: the actor's own, or (with the right) another active member's."""
    if member_id is None or member_id == actor.member_id:
        require_tracks_time(actor)
        member = session.get(TeamMember, actor.member_id) if actor.member_id else None
    else:
        if not actor.edits_others_time:
            raise PermissionDenied(_("Only people who may edit others' time can write it for someone else."))
        member = session.get(TeamMember, member_id)
        if member is not None and not member.active:
            member = None
    if member is None:
        raise NotFound(_("That team member is no longer on the team."))
    return member


# --- reading what people type --------------------------------------------------------------------------------

_HM = re.compile(r"^(\d{1,3})\s*(?:h|:)\s*(\d{1,2})?\s*(?:m|min)?$")
_MINUTES = re.compile(r"^(\d{1,5})\s*(?:m|min|mn)$")
_HOURS = re.compile(r"^(\d{1,3}(?:[.,]\d{1,2})?)\s*h?$")


def parse_duration(text, field: str = "duration") -> int:
    """'1:30', '1h30', '1.5' (or '1,5' in French), '90m' → 90 minutes; more than 0, at most a day."""
    raw = str(text or "").strip().lower().replace("\u00a0", " ")
    if not raw:
        raise InvalidInput(_("Say how long it took, like 1:30 or 1.5 (hours)."), field=field)
    minutes = None
    if match := _HM.match(raw):
        minutes = int(match.group(1)) * 60 + int(match.group(2) or 0)
        if match.group(2) and int(match.group(2)) >= 60:
            minutes = None
    elif match := _MINUTES.match(raw):
        minutes = int(match.group(1))
    elif match := _HOURS.match(raw):
        number = match.group(1)
        if "," in number and i18n.current_locale() != "fr":
            number = None
        try:
            hours = Decimal(number.replace(",", ".")) if number else None
        except InvalidOperation:
            hours = None
        if hours is not None:
            minutes = int((hours * 60).to_integral_value(rounding="ROUND_HALF_UP"))
    if minutes is None:
        raise InvalidInput(_('"{text}" is not a duration; write it like 1:30 or 1.5 (hours).').format(text=text),
                           field=field)
    if minutes <= 0:
        raise InvalidInput(_("A duration must be more than 0."), field=field)
    if minutes > MAX_MINUTES:
        raise InvalidInput(_("One entry is at most 24 hours; split longer work over its days."), field=field)
    return minutes


def duration_text(minutes: int) -> str:
    """90 → '1:30' (hours and minutes, as the forms read it back)."""
    hours, rest = divmod(max(int(minutes), 0), 60)
    return f"{hours}:{rest:02d}"


def _note(text) -> str:
    return str(text or "").strip()[:NOTE_LIMIT]


# --- what an entry is worth ----------------------------------------------------------------------------------


def current_rates(session: Session) -> tuple[dict[int, int], dict[int, int]]:
    services = {s.id: s.rate_cents for s in session.exec(select(Service))}
    members = dict(session.execute(select(TeamMember.id, TeamMember.hourly_rate_cents)).all())
    return services, members


def rate_of(entry: TimeEntry, rates: tuple[dict[int, int], dict[int, int]]) -> int:
    """The hourly rate of an entry: the one it was billed at; else its service's; else its member's."""
    if entry.rate_cents is not None:
        return entry.rate_cents
    services, members = rates
    service_rate = services.get(entry.service_id) if entry.service_id else None
    return service_rate if service_rate else members.get(entry.member_id) or 0


def amount_of(entry: TimeEntry, rates) -> int:
    """What the entry bills, in cents: as its invoice line would (hours in hundredths x rate, to the cent)."""
    return invoices.line_amounts(hundredths(entry.minutes), rate_of(entry, rates)).amount_cents


def set_member_rate(session: Session, actor: Actor, member_id: int, rate_text: str) -> int:
    """An admin sets what an hour of a member's time bills at (when the service has no rate of its own)."""
    require_admin(actor)
    member = session.get(TeamMember, member_id)
    if member is None:
        raise NotFound(_("That team member no longer exists."))
    cents = parse_money(str(rate_text or "").strip() or "0", "hourly_rate")
    if cents >= invoices.MAX_CENTS:
        raise InvalidInput(_("That rate is too large."), field="hourly_rate")
    if cents == member.hourly_rate_cents:
        return cents
    member.hourly_rate_cents = cents
    session.add(member)
    audit.record(session, actor, "update", "team_member", member.id,
                 f"{member.name}'s hourly rate is now {format_money(cents)}", rate_cents=cents)
    return cents


def set_role_and_rate(session: Session, actor: Actor, member_id: int, role, *, hourly_rate: str,
                      **rights) -> TeamMember:
    """The team page's change-role dialog: role, rights and hourly rate in one transaction (owner only)."""
    require_admin(actor)
    parse_money(str(hourly_rate or "").strip() or "0", "hourly_rate")  # a bad rate changes nothing
    member = team.set_role(session, actor, member_id, role, **rights)
    set_member_rate(session, actor, member.id, hourly_rate)
    return member


def set_idle_limit(session: Session, actor: Actor, minutes) -> int:
    """An admin sets after how long a running timer asks before counting (0: never asks)."""
    require_admin(actor)
    try:
        value = int(str(minutes).strip() or "0")
    except ValueError:
        raise InvalidInput(_("Write the idle limit in whole minutes, like 240."), field="idle_limit") from None
    if value < 0 or value > MAX_IDLE_LIMIT:
        raise InvalidInput(_("The idle limit is from 0 (never ask) to 10,080 minutes (a week)."), field="idle_limit")
    firm = get_firm(session)
    if firm.timer_idle_limit_minutes == value:
        return value
    firm.timer_idle_limit_minutes = value
    session.add(firm)
    audit.record(session, actor, "update", "firm", None, f"Timers ask before counting past {value} minutes",
                 idle_limit_minutes=value)
    return value


# --- where the time goes -------------------------------------------------------------------------------------


def _where(session: Session, actor: Actor, *, account_id=None, job_id=None, task_id=None
           ) -> tuple[Account, Job | None, Task | None]:
    """The account (and job and task) time is written for, checked: a task's job and account, a job's account."""
    task = job = None
    if task_id:
        task = session.get(Task, int(task_id))
        if task is None:
            raise NotFound(_("That task no longer exists."))
        job_id = task.job_id or job_id
        account_id = task.account_id or account_id
    if job_id:
        job = session.get(Job, int(job_id))
        if job is None:
            raise NotFound(_("That job no longer exists."))
        if account_id and int(account_id) != job.account_id:
            raise InvalidInput(_("That job is not one of this account's."), field="job")
        account_id = job.account_id
    if not account_id:
        raise InvalidInput(_("Choose the account the time is for."), field="account")
    account = invoices._visible_account(session, actor, int(account_id))
    if account.archived:
        raise Conflict(_("{name} is archived. Restore it before tracking time on it.").format(name=account.name))
    return account, job, task


def _service(session: Session, service_id) -> int | None:
    if not service_id:
        return None
    service = session.get(Service, int(service_id))
    if service is None:
        raise InvalidInput(_("That service is no longer in the catalog."), field="service")
    return service.id


def _label(entry: TimeEntry, account: Account | None = None) -> str:
    where = f" for {account.name}" if account else ""
    return f"{duration_text(entry.minutes)} on {entry.work_date.isoformat()}{where}"


# --- timers --------------------------------------------------------------------------------------------------


def _running(session: Session, member_id: int) -> TimeEntry | None:
    return session.exec(select(TimeEntry).where(TimeEntry.member_id == member_id, TimeEntry.started_at.is_not(None),
                                                TimeEntry.ended_at.is_(None))).first()


def _elapsed(entry: TimeEntry, now: dt.datetime) -> int:
    return max(int((now - entry.started_at).total_seconds() // 60), 0)


def _stop(session: Session, actor: Actor, entry: TimeEntry, now: dt.datetime, keep_idle: bool | None) -> TimeEntry:
    minutes = _elapsed(entry, now)
    limit = get_firm(session).timer_idle_limit_minutes or 0
    counted = minutes
    if limit and minutes > limit:
        if keep_idle is None:
            raise PastIdleLimit(minutes, limit)
        if not keep_idle:
            counted = limit
    counted = min(max(counted, 1), MAX_MINUTES)  # a timer stopped within its first minute counts one
    entry.ended_at = now
    entry.minutes = counted
    session.add(entry)
    session.flush()
    audit.record(session, actor, "update", "time_entry", entry.id,
                 f"Stopped a timer: {duration_text(counted)} counted"
                 + (f" of {duration_text(minutes)}" if counted != minutes else ""),
                 account_id=entry.account_id, minutes=counted, ran_minutes=minutes)
    return entry


def start_timer(session: Session, actor: Actor, *, account_id: int | None = None, job_id: int | None = None,
                task_id: int | None = None, service_id: int | None = None, billable: bool = True, note: str = "",
                keep_idle: bool | None = None, now: dt.datetime | None = None) -> TimeEntry:
    """Start the actor's timer on a job, a task or an account; the one running (if any) stops first."""
    require_tracks_time(actor)
    now = now or utcnow()
    account, job, task = _where(session, actor, account_id=account_id, job_id=job_id, task_id=task_id)
    running = _running(session, actor.member_id)
    if running is not None:
        _stop(session, actor, running, now, keep_idle)
    entry = TimeEntry(member_id=actor.member_id, account_id=account.id, job_id=job.id if job else None,
                      task_id=task.id if task else None, work_date=invoices.firm_today(session, now), started_at=now,
                      service_id=_service(session, service_id), billable=bool(billable), note=_note(note))
    try:
        with session.begin_nested():
            session.add(entry)
            session.flush()
    except IntegrityError:  # the database's own guard: another timer of this member started meanwhile
        raise Conflict(_("You already have a timer running. Reload the page to see it.")) from None
    on = task.title if task else job.name if job else account.name
    audit.record(session, actor, "create", "time_entry", entry.id, f"Started a timer on {on}",
                 account_id=account.id, job_id=entry.job_id, task_id=entry.task_id)
    return entry


def stop_timer(session: Session, actor: Actor, *, keep_idle: bool | None = None,
               now: dt.datetime | None = None) -> TimeEntry | None:
    """Stop the actor's running timer (None if none runs). Past the firm's idle limit it raises `PastIdleLimit`
    unless told whether to count the idle time (`keep_idle`: all of it, or only up to the limit)."""
    require_tracks_time(actor)
    running = _running(session, actor.member_id)
    if running is None:
        return None
    return _stop(session, actor, running, now or utcnow(), keep_idle)


@dataclasses.dataclass(frozen=True)
class RunningTimer:
    entry_id: int
    started_at: dt.datetime
    account_id: int
    account_name: str
    job_id: int | None
    job_name: str
    task_id: int | None
    task_title: str
    idle_limit_minutes: int


def running_timer(session: Session, actor) -> RunningTimer | None:
    """The actor's running timer with what it is on (None: none runs, or the actor tracks no time)."""
    if not isinstance(actor, Actor) or not actor.tracks_time or not actor.member_id:
        return None
    entry = _running(session, actor.member_id)
    if entry is None:
        return None
    account = session.get(Account, entry.account_id)
    job = session.get(Job, entry.job_id) if entry.job_id else None
    task = session.get(Task, entry.task_id) if entry.task_id else None
    return RunningTimer(entry.id, entry.started_at, entry.account_id, account.name if account else "",
                        entry.job_id, job.name if job else "", entry.task_id, task.title if task else "",
                        get_firm(session).timer_idle_limit_minutes or 0)


# --- entries written down ------------------------------------------------------------------------------------


def _work_date(session: Session, value) -> dt.date:
    if not isinstance(value, dt.date):
        raise InvalidInput(_("Choose the day the work was done."), field="work_date")
    today = invoices.firm_today(session)
    if value > today:
        raise InvalidInput(_("Time cannot be written for a day after today."), field="work_date")
    if value < today - dt.timedelta(days=3 * 366):
        raise InvalidInput(_("That day is more than three years ago."), field="work_date")
    return value


def add_entry(session: Session, actor: Actor, *, work_date: dt.date, duration, account_id: int | None = None,
              job_id: int | None = None, task_id: int | None = None, service_id: int | None = None,
              billable: bool = True, note: str = "", member_id: int | None = None) -> TimeEntry:
    """Time written down afterwards: a day, a duration, what it was for (the actor's own, or another member's
    with the right)."""
    require_staff(actor)
    member = _member_for(session, actor, member_id)
    minutes = parse_duration(duration)
    day = _work_date(session, work_date)
    account, job, task = _where(session, actor, account_id=account_id, job_id=job_id, task_id=task_id)
    entry = TimeEntry(member_id=member.id, account_id=account.id, job_id=job.id if job else None,
                      task_id=task.id if task else None, work_date=day, minutes=minutes,
                      service_id=_service(session, service_id), billable=bool(billable), note=_note(note))
    session.add(entry)
    session.flush()
    whose = "" if member.id == actor.member_id else f" for {member.name}"
    audit.record(session, actor, "create", "time_entry", entry.id, f"Wrote down {_label(entry, account)}{whose}",
                 account_id=account.id, minutes=minutes, member_id=member.id, billable=entry.billable)
    return entry


def update_entry(session: Session, actor: Actor, entry_id: int, *, work_date: dt.date, duration,
                 account_id: int | None = None, job_id: int | None = None, task_id: int | None = None,
                 service_id: int | None = None, billable: bool = True, note: str = "") -> TimeEntry:
    """Change an entry (not a running timer's, not a billed one's); without an account, job or task it stays where
    it is (the Time page's dialog changes the rest)."""
    entry = _entry(session, actor, entry_id, write=True)
    if entry.started_at is not None and entry.ended_at is None:
        raise Conflict(_("This timer is still running: stop it first, then change it."))
    if account_id is None and job_id is None and task_id is None:
        account_id, job_id, task_id = entry.account_id, entry.job_id, entry.task_id
    minutes = parse_duration(duration)
    day = _work_date(session, work_date)
    account, job, task = _where(session, actor, account_id=account_id, job_id=job_id, task_id=task_id)
    before = _label(entry)
    entry.minutes, entry.work_date, entry.account_id = minutes, day, account.id
    entry.job_id, entry.task_id = (job.id if job else None), (task.id if task else None)
    entry.service_id, entry.billable, entry.note = _service(session, service_id), bool(billable), _note(note)
    session.add(entry)
    session.flush()
    audit.record(session, actor, "update", "time_entry", entry.id, f"Changed time {before} → {_label(entry, account)}",
                 account_id=account.id, minutes=minutes, billable=entry.billable)
    return entry


def delete_entry(session: Session, actor: Actor, entry_id: int) -> None:
    """Delete an entry (a running timer too; not a billed one)."""
    entry = _entry(session, actor, entry_id, write=True)
    audit.record(session, actor, "delete", "time_entry", entry.id, f"Deleted time {_label(entry)}",
                 account_id=entry.account_id, minutes=entry.minutes)
    session.delete(entry)
    session.flush()


# --- reading -------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class EntryRow:
    id: int
    member_id: int
    member_name: str
    account_id: int
    account_name: str
    job_id: int | None
    job_name: str
    task_id: int | None
    task_title: str
    work_date: dt.date
    minutes: int
    running: bool
    service_id: int | None
    service_name: str
    billable: bool
    note: str
    rate_cents: int
    amount_cents: int
    invoice_id: int | None
    invoice_number: int | None
    mine: bool


def visible_entries(actor: Actor):
    stmt = select(TimeEntry)
    condition = visible_account_ids(actor, TimeEntry.account_id)
    if condition is not None:
        stmt = stmt.where(condition)
    if not _reads_others(actor):
        stmt = stmt.where(TimeEntry.member_id == actor.member_id)
    return stmt


def entry_to_delete(session: Session, actor: Actor, entry_id: int) -> EntryRow:
    """An entry as its delete confirmation names it, if the actor may delete it (refused with the reason)."""
    return entry_rows(session, actor, [_entry(session, actor, entry_id, write=True)])[0]


def entry_to_edit(session: Session, actor: Actor, entry_id: int) -> EntryRow:
    """An entry as its edit dialog shows it, if the actor may change it (refused with the reason otherwise)."""
    row = entry_to_delete(session, actor, entry_id)
    if row.running:
        raise Conflict(_("This timer is still running: stop it first, then change it."))
    return row


def members_to_filter(session: Session, actor: Actor) -> list[tuple[int, str]]:
    """Whose time the actor may choose to see (none: they see only their own)."""
    require_reads_time(actor)
    if not _reads_others(actor):
        return []
    return [(m.id, m.name) for m in session.exec(select(TeamMember).where(TeamMember.active == True)  # noqa: E712
                                                 .order_by(TeamMember.name))]


def list_entries(session: Session, actor: Actor, *, member_id: int | None = None, account_id: int | None = None,
                 job_id: int | None = None, unbilled: bool = False, billable_only: bool = False,
                 limit: int = LIST_LIMIT) -> list[EntryRow]:
    """Entries the actor may see (their own; everyone's with the right), newest day first, filtered as asked."""
    require_reads_time(actor)
    stmt = visible_entries(actor)
    if member_id is not None:
        stmt = stmt.where(TimeEntry.member_id == member_id)
    if account_id is not None:
        stmt = stmt.where(TimeEntry.account_id == account_id)
    if job_id is not None:
        stmt = stmt.where(TimeEntry.job_id == job_id)
    if unbilled:
        stmt = stmt.where(TimeEntry.invoice_id.is_(None), TimeEntry.ended_at.is_not(None) | TimeEntry.started_at.is_(None))
    if billable_only:
        stmt = stmt.where(TimeEntry.billable == True)  # noqa: E712
    entries = list(session.exec(stmt.order_by(TimeEntry.work_date.desc(), TimeEntry.id.desc())
                                .limit(min(limit, LIST_LIMIT))))
    return entry_rows(session, actor, entries)


def entry_rows(session: Session, actor: Actor, entries: list[TimeEntry]) -> list[EntryRow]:
    def names(model, attr, ids):
        ids = {i for i in ids if i}
        if not ids:
            return {}
        return dict(session.execute(select(model.id, getattr(model, attr)).where(model.id.in_(ids))).all())

    members = names(TeamMember, "name", (e.member_id for e in entries))
    accounts = names(Account, "name", (e.account_id for e in entries))
    jobs = names(Job, "name", (e.job_id for e in entries))
    tasks = names(Task, "title", (e.task_id for e in entries))
    numbers = names(Invoice, "number", (e.invoice_id for e in entries))
    rates = current_rates(session)
    service_names = dict(session.execute(select(Service.id, Service.name)).all())
    return [EntryRow(e.id, e.member_id, members.get(e.member_id, ""), e.account_id, accounts.get(e.account_id, ""),
                     e.job_id, jobs.get(e.job_id, ""), e.task_id, tasks.get(e.task_id, ""), e.work_date, e.minutes,
                     e.started_at is not None and e.ended_at is None, e.service_id,
                     service_names.get(e.service_id, ""), e.billable, e.note, rate_of(e, rates),
                     amount_of(e, rates), e.invoice_id, numbers.get(e.invoice_id), e.member_id == actor.member_id)
            for e in entries]


def unbilled_billable(stmt):
    return stmt.where(TimeEntry.invoice_id.is_(None), TimeEntry.billable == True,  # noqa: E712
                      TimeEntry.minutes > 0, TimeEntry.ended_at.is_not(None) | TimeEntry.started_at.is_(None))

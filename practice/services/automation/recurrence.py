"""Recurring jobs: a form whose every choice is a rule of the rules language, and back.

The form never keeps data of its own: `rule_text` writes the rule a firm could have typed,
`add_recurring` appends it to the rules text and saves through `rulesets.save_rules` (so it is
checked exactly like hand-written rules), and `list_recurring` reads the schedule rules that create
jobs back out of the saved text, whoever wrote them.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlmodel import Session

import rules
from rules import ast as A
from rules.formatter import format_condition, format_duration, format_schedule, quote
from rules.language import ACCOUNT_TYPES
from practice.models import Account, Job, RuleRun, RuleSet, ScheduleState, utcnow
from practice.services.automation import rulesets, runlog
from practice.services.automation.explain import told_reason
from practice.services.actor import Actor, require_admin
from practice.services.errors import InvalidInput, NotFound
from practice.services.firm import get_firm
from practice.i18n import N_, _

# The form's frequencies, in the order the form offers them.
FREQUENCIES = {
    "daily": N_("Every day"),
    "weekdays": N_("Every weekday (Monday to Friday)"),
    "weekly": N_("Every week on a day"),
    "biweekly": N_("Every 2 weeks on a day"),
    "monthly": N_("Every month on a day"),
    "quarterly": N_("Every quarter on a day"),
    "yearly": N_("Every year on a date"),
}
WEEKDAYS = A.DAY_NAMES
MONTHS = A.MONTH_NAMES
# What the form shows for the rules language's day and month names (the rule itself keeps the English keyword).
WEEKDAY_NAMES = dict(zip(WEEKDAYS, (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
                                    N_("Saturday"), N_("Sunday")), strict=True))
MONTH_NAMES = dict(zip(MONTHS, (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
                                N_("July"), N_("August"), N_("September"), N_("October"), N_("November"),
                                N_("December")), strict=True))
ACCOUNT_CHOICES = {"all": N_("All accounts"), "tag": N_("Accounts with a tag"), "type": N_("Accounts of a type")}
DUE_UNIT_NAMES = {"days": N_("days"), "weeks": N_("weeks"), "months": N_("months")}
DUE_UNITS = tuple(DUE_UNIT_NAMES)
LAST_DAY = 0  # `day` 0 means the month's (or quarter's) last day
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass
class RecurringJob:
    """What the recurring-jobs form asks; `rule_text` turns it into a rule."""

    name_of_rule: str
    pipeline: str
    job_name: str
    frequency: str = "monthly"
    weekday: str = "monday"           # weekly, biweekly
    day: int = 1                      # monthly, quarterly (0 = the last day), yearly
    month: str = "january"            # yearly
    at: str = ""                      # "HH:MM" in the firm's time zone; empty = midnight
    accounts: str = "all"             # all, tag, type
    tag: str = ""
    account_type: str = ""
    due_amount: int | None = None     # None = no due date
    due_unit: str = "days"


@dataclass
class RecurringListing:
    """One schedule rule that creates jobs, as read from the saved rules text."""

    name: str
    schedule: str
    pipeline: str
    job_name: str
    accounts: str
    due: str
    next_dates: list[dt.datetime] = field(default_factory=list)
    # The form's fields when the rule has exactly the form's shape; None for hand-written variants.
    job: RecurringJob | None = None


# --- form → rule ----------------------------------------------------------------------------------


def _at(rj: RecurringJob) -> dt.time | None:
    text = (rj.at or "").strip()
    if not text:
        return None
    m = _TIME.match(text)
    if not m:
        raise InvalidInput(_('"{text}" is not a time of day; write it like 08:00 (24-hour clock).').format(text=text),
                           field="at")
    return dt.time(int(m.group(1)), int(m.group(2)))


def _day(rj: RecurringJob, *, last_allowed: bool) -> int | None:
    try:
        day = int(rj.day)
    except (TypeError, ValueError):
        raise InvalidInput(_("Choose the day of the month (1 to 31)."), field="day") from None
    if day == LAST_DAY and last_allowed:
        return None
    if not 1 <= day <= 31:
        raise InvalidInput(_("The day of the month must be between 1 and 31."), field="day")
    return day


def _weekday(rj: RecurringJob) -> int:
    name = (rj.weekday or "").strip().lower()
    if name not in WEEKDAYS:
        raise InvalidInput(_("Choose a day of the week."), field="weekday")
    return WEEKDAYS.index(name)


def schedule_of(rj: RecurringJob) -> A.Schedule:
    """The schedule the form describes (raises InvalidInput with a sentence for an impossible choice)."""
    at = _at(rj)
    freq = rj.frequency
    if freq == "daily":
        return A.Schedule("day", at=at)
    if freq == "weekdays":
        return A.Schedule("weekday", at=at)
    if freq == "weekly":
        return A.Schedule("week", weekday=_weekday(rj), at=at)
    if freq == "biweekly":
        return A.Schedule("week", interval=2, weekday=_weekday(rj), at=at)
    if freq == "monthly":
        return A.Schedule("month", day=_day(rj, last_allowed=True), at=at)
    if freq == "quarterly":
        return A.Schedule("quarter", day=_day(rj, last_allowed=True), at=at)
    if freq == "yearly":
        month = (rj.month or "").strip().lower()
        if month not in MONTHS:
            raise InvalidInput(_("Choose a month."), field="month")
        day = _day(rj, last_allowed=False)
        try:
            dt.date(2028, MONTHS.index(month) + 1, day)  # a leap year, so February 29 is a real date
        except ValueError:
            raise InvalidInput(_("{month} has no day {day}.").format(month=_(MONTH_NAMES[month]), day=day),
                               field="day") from None
        return A.Schedule("year", month=MONTHS.index(month) + 1, day=day, at=at)
    raise InvalidInput(_("Choose how often the job recurs."), field="frequency")


def schedule_text(rj: RecurringJob) -> str:
    """The schedule in the rules language, like ``every month on day 15 at 08:00``."""
    return format_schedule(schedule_of(rj))


def accounts_condition(rj: RecurringJob) -> str:
    """The `for each account where ...` condition for the form's choice of accounts."""
    if rj.accounts == "all":
        # Every account has a name, so this holds for all of them (the language needs a condition).
        return "account.name is not empty"
    if rj.accounts == "tag":
        if not rj.tag.strip():
            raise InvalidInput(_("Choose the tag the accounts must have."), field="tag")
        return f"account has tag {quote(rj.tag.strip())}"
    if rj.accounts == "type":
        if rj.account_type not in ACCOUNT_TYPES:
            raise InvalidInput(_("Choose the type of account."), field="account_type")
        return f"account.type is {quote(rj.account_type)}"
    raise InvalidInput(_("Choose which accounts get the job."), field="accounts")


def due_text(rj: RecurringJob) -> str:
    """`` due in N days`` (with its leading space), or nothing."""
    if rj.due_amount is None:
        return ""
    try:
        amount = int(rj.due_amount)
    except (TypeError, ValueError):
        raise InvalidInput(_("The due offset must be a whole number."), field="due_amount") from None
    if not 0 <= amount <= 3650:
        raise InvalidInput(_("The due offset must be between 0 and 3650."), field="due_amount")
    if rj.due_unit not in DUE_UNITS:
        raise InvalidInput(_("Choose days, weeks or months for the due offset."), field="due_unit")
    unit = rj.due_unit[:-1]
    return " due in " + format_duration(A.Duration(amount=Decimal(amount), unit=unit))


# For each one-line field: the sentences for empty, several lines, too long.
_ONE_LINE = {
    "name_of_rule": (N_("Give the rule's name."), N_("The rule's name must fit on one line."),
                     N_("The rule's name is too long (200 characters at most).")),
    "job_name": (N_("Give the job name."), N_("The job name must fit on one line."),
                 N_("The job name is too long (200 characters at most).")),
    "pipeline": (N_("Give the pipeline."), N_("The pipeline must fit on one line."),
                 N_("The pipeline is too long (200 characters at most).")),
}


def _one_line(value: str, fld: str) -> str:
    text = (value or "").strip()
    empty, lines, long = _ONE_LINE[fld]
    if not text:
        raise InvalidInput(_(empty), field=fld)
    if "\n" in text or "\r" in text:
        raise InvalidInput(_(lines), field=fld)
    if len(text) > 200:
        raise InvalidInput(_(long), field=fld)
    return text


def rule_text(rj: RecurringJob) -> str:
    """The rule the form stands for, laid out as the formatter would write it."""
    name = _one_line(rj.name_of_rule, "name_of_rule")
    job_name = _one_line(rj.job_name, "job_name")
    pipeline = _one_line(rj.pipeline, "pipeline")
    return (f"rule {quote(name)}\n"
            f"{schedule_text(rj)}\n"
            f"for each account where {accounts_condition(rj)}\n"
            "then\n"
            f"  create job {quote(job_name)} in pipeline {quote(pipeline)} for account{due_text(rj)}\n"
            "end\n")


def _hhmm(rj: RecurringJob) -> str:
    try:
        at = _at(rj)
    except InvalidInput:
        return rj.at
    return f"{at.hour:02d}:{at.minute:02d}" if at else ""


def normalized(rj: RecurringJob) -> RecurringJob:
    """The same choices with the fields its frequency and accounts do not use set back to their defaults."""
    plain = RecurringJob(name_of_rule=rj.name_of_rule, pipeline=rj.pipeline, job_name=rj.job_name,
                         frequency=rj.frequency, at=_hhmm(rj), accounts=rj.accounts, due_amount=rj.due_amount,
                         due_unit=rj.due_unit if rj.due_amount is not None else "days")
    if rj.frequency in ("weekly", "biweekly"):
        plain.weekday = rj.weekday
    if rj.frequency in ("monthly", "quarterly", "yearly"):
        plain.day = rj.day
    if rj.frequency == "yearly":
        plain.month = rj.month
    if rj.accounts == "tag":
        plain.tag = rj.tag
    if rj.accounts == "type":
        plain.account_type = rj.account_type
    return plain


# --- rule → form ----------------------------------------------------------------------------------


def _create_job(rule: A.Rule) -> A.CreateJob | None:
    return next((a for a in rule.actions if isinstance(a, A.CreateJob)), None)


def _accounts_of(cond) -> dict | None:
    if isinstance(cond, A.Empty) and cond.negated and isinstance(cond.subject, A.Field) \
            and cond.subject.path == "account.name":
        return {"accounts": "all"}
    if isinstance(cond, A.HasTag) and cond.entity == "account" and not cond.negated:
        return {"accounts": "tag", "tag": cond.tag.value}
    if isinstance(cond, A.Compare) and cond.op in ("is", "=") and isinstance(cond.left, A.Field) \
            and cond.left.path == "account.type" and isinstance(cond.right, A.Text):
        kind = next((t for t in ACCOUNT_TYPES if t.lower() == cond.right.value.strip().lower()), None)
        return {"accounts": "type", "account_type": kind} if kind else None
    return None


def _frequency_of(s: A.Schedule) -> dict | None:
    at = f"{s.at.hour:02d}:{s.at.minute:02d}" if s.at else ""
    if s.day_text and s.day is not None and str(s.day) != s.day_text:
        return None  # `day 05`: the form would write it differently
    if s.kind == "day":
        return {"frequency": "daily", "at": at}
    if s.kind == "weekday":
        return {"frequency": "weekdays", "at": at}
    if s.kind == "week" and s.interval in (1, 2):
        return {"frequency": "weekly" if s.interval == 1 else "biweekly", "weekday": WEEKDAYS[s.weekday], "at": at}
    if s.kind in ("month", "quarter"):
        return {"frequency": "monthly" if s.kind == "month" else "quarterly",
                "day": LAST_DAY if s.day is None else s.day, "at": at}
    if s.kind == "year":
        return {"frequency": "yearly", "month": MONTHS[s.month - 1], "day": s.day, "at": at}
    return None


def recurring_from_rule(rule: A.Rule) -> RecurringJob | None:
    """The form's fields for a rule of exactly the form's shape (one job for each matching account)."""
    if not isinstance(rule.trigger, A.Schedule) or rule.for_each is None or rule.for_each.entity != "account":
        return None
    if rule.condition is not None or len(rule.actions) != 1:
        return None
    job = _create_job(rule)
    if job is None or job.delay is not None or (job.due is not None and job.due.duration is None):
        return None
    freq, accounts = _frequency_of(rule.trigger), _accounts_of(rule.for_each.condition)
    if freq is None or accounts is None:
        return None
    due = {}
    if job.due is not None:
        d = job.due.duration
        if d.unit not in ("day", "week", "month") or d.amount != int(d.amount):
            return None
        due = {"due_amount": int(d.amount), "due_unit": d.unit + "s"}
    return RecurringJob(name_of_rule=rule.name.value, pipeline=job.pipeline.value, job_name=job.name.value,
                        **freq, **accounts, **due)


# --- reading and changing the saved rules ------------------------------------------------------------


def _current_text(session: Session) -> str:
    version = rulesets.current_ruleset(session)
    return version.text if version else ""


def _firm_tz(session: Session) -> str:
    return get_firm(session).timezone or "UTC"


def preview(session: Session, rj: RecurringJob, count: int = 12, *, after: dt.datetime | None = None) -> list:
    """The next `count` moments the job would be created, in the firm's time zone."""
    count = max(1, min(int(count), 60))
    now = after or utcnow()
    return rules.next_occurrences(schedule_of(rj), after=now, tz=_firm_tz(session), count=count, anchor=now)


def _sentence(err: dict) -> str:
    message = err["message"]
    text = message[:1].upper() + message[1:]
    if err.get("hint"):
        text = f"{text.rstrip('.')} ({err['hint'].rstrip('.')})"
    return text.rstrip(".") + "."


def _with_rule(text: str, rule: str) -> tuple[str, int]:
    """The rules text with `rule` appended after a blank line, and the line the rule starts on."""
    base = text.rstrip()
    if not base:
        return rule, 1
    return f"{base}\n\n{rule}", base.count("\n") + 3


def problems(session: Session, rj: RecurringJob) -> list[str]:
    """Sentences for everything that would stop the rule from being saved (empty when it may be)."""
    try:
        rule = rule_text(rj)
    except InvalidInput as err:
        return [str(err)]
    text, start = _with_rule(_current_text(session), rule)
    errors = rulesets.check_text(session, text)
    own = [e for e in errors if e["line"] >= start]
    return [_sentence(e) for e in own or errors]


def add_recurring(session: Session, actor: Actor, rj: RecurringJob) -> RuleSet:
    """Append the form's rule to the firm's rules and save them (checked like any save)."""
    require_admin(actor)
    rule = rule_text(rj)
    text, start = _with_rule(_current_text(session), rule)
    try:
        version, _diff = rulesets.save_rules(session, actor, text, note=f'added recurring job "{rj.name_of_rule.strip()}"')
    except rulesets.RulesInvalid as err:
        own = [e for e in err.errors if e["line"] >= start]
        if not own:
            raise InvalidInput(_("The saved rules have errors of their own; fix them in the rules editor first.")
                               + " " + " ".join(_sentence(e) for e in err.errors[:3])) from None
        raise InvalidInput(" ".join(_sentence(e) for e in own)) from None
    return version


def _parsed(text: str) -> A.RuleSet | None:
    try:
        return rules.parse(text)
    except rules.RulesError:
        return None


def _is_recurring(rule: A.Rule) -> bool:
    return isinstance(rule.trigger, A.Schedule) and _create_job(rule) is not None


def list_recurring(session: Session, *, now: dt.datetime | None = None, dates: int = 3) -> list[RecurringListing]:
    """The saved schedule rules that create jobs, with their next dates, in text order."""
    parsed = _parsed(_current_text(session))
    if parsed is None:
        return []
    tz, now = _firm_tz(session), now or utcnow()
    out = []
    for rule in parsed.rules:
        if not _is_recurring(rule):
            continue
        job = _create_job(rule)
        state = session.get(ScheduleState, rule.name.value)
        after = max(now, state.last_run_at) if state and state.last_run_at else now
        anchor = state.anchor_at if state else now
        try:
            upcoming = rules.next_occurrences(rule.trigger, after=after, tz=tz, count=dates, anchor=anchor)
        except (rules.RulesError, ValueError):
            upcoming = []
        due = ""
        if job.due is not None:
            due = (f"due in {format_duration(job.due.duration)}" if job.due.duration is not None
                   else "due on a set date")
        fe = rule.for_each
        out.append(RecurringListing(
            name=rule.name.value, schedule=format_schedule(rule.trigger), pipeline=job.pipeline.value,
            job_name=job.name.value, due=due,
            accounts=(f"each {fe.entity} where {format_condition(fe.condition)}" if fe else "no accounts"),
            next_dates=upcoming, job=recurring_from_rule(rule)))
    return out


def _offset(lines: list[str], line: int, column: int) -> int:
    return sum(len(x) for x in lines[:line - 1]) + column - 1


def _without_span(text: str, span: A.Span) -> str:
    """The text with a rule's span cut out, along with its lines when nothing else is on them."""
    lines = text.splitlines(keepends=True)
    start, end = _offset(lines, span.line, span.column), _offset(lines, span.end_line, span.end_column)
    line_start = text.rfind("\n", 0, start) + 1
    if not text[line_start:start].strip():
        start = line_start
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end + 1
    rest = text[end:line_end].strip()
    if not rest or rest.startswith("#"):  # a comment after `end` belongs to the rule
        end = line_end
    before, after = text[:start], text[end:]
    # Keep one blank line between the neighbours, not two.
    if before.endswith("\n\n") and (after.startswith("\n") or not after.strip()):
        after = after.lstrip("\n")
    result = before + after
    return result.strip("\n") + "\n" if result.strip() else ""


def remove_recurring(session: Session, actor: Actor, rule_name: str) -> RuleSet:
    """Cut a recurring job's rule out of the firm's rules and save them."""
    require_admin(actor)
    text = _current_text(session)
    parsed = _parsed(text)
    if parsed is None:
        raise InvalidInput(_("The saved rules cannot be read; fix them in the rules editor first."))
    wanted = (rule_name or "").strip().lower()
    rule = next((r for r in parsed.rules if r.name.value.strip().lower() == wanted and _is_recurring(r)), None)
    if rule is None:
        raise NotFound(_('There is no recurring job "{name}" in the rules.').format(name=rule_name))
    version, _diff = rulesets.save_rules(session, actor, _without_span(text, rule.span),
                                       note=f'removed recurring job "{rule.name.value}"')
    # A rule added again later under the same name starts afresh instead of catching up on the old one.
    session.execute(delete(ScheduleState).where(ScheduleState.rule_name == rule.name.value))
    return version


# --- the run log, for its page ----------------------------------------------------------------------

RUN_STATUSES = ("failed", "not_fired", "done", "waiting", "skipped")


@dataclass
class RunLogEntry:
    """One automation run with the names of what it touched and its time in the firm's zone."""

    run: RuleRun
    when: dt.datetime
    job_name: str = ""
    account_name: str = ""


def run_log(session: Session, actor: Actor, *, status: str = "", limit: int = 100) -> list[RunLogEntry]:
    """Recent runs, newest first (admins), optionally of one status."""
    if status and status not in RUN_STATUSES:
        raise InvalidInput(_("Choose a status to filter by."), field="status")
    runs = runlog.recent_runs(session, actor, status=status or None, limit=limit)
    job_ids = {r.job_id for r in runs if r.job_id}
    account_ids = {r.account_id for r in runs if r.account_id}
    jobs = dict(session.execute(select(Job.id, Job.name).where(Job.id.in_(job_ids))).all()) if job_ids else {}
    names = dict(session.execute(select(Account.id, Account.name).where(Account.id.in_(account_ids))).all()) \
        if account_ids else {}
    zone = ZoneInfo(_firm_tz(session))
    out = []
    for r in runs:
        created = r.created_at if r.created_at.tzinfo else r.created_at.replace(tzinfo=dt.timezone.utc)
        out.append(RunLogEntry(run=r, when=created.astimezone(zone), job_name=jobs.get(r.job_id, ""),
                               account_name=names.get(r.account_id, "")))
    return out


def retry_and_explain(session: Session, actor: Actor, run_id: int) -> tuple[bool, str]:
    """Retry a failed run (admins) and say in a sentence how it went."""
    run = runlog.retry_run(session, actor, run_id)
    status = run.status.value if hasattr(run.status, "value") else str(run.status)
    if status == "done":
        return True, _('Retried "{rule}": it ran to the end this time.').format(rule=run.rule_name)
    if status == "waiting":
        return True, _('Retried "{rule}": it ran, and some actions are waiting for their time.').format(
            rule=run.rule_name)
    if status == "failed":
        return False, _('Retried "{rule}", and it failed again: {reason}').format(rule=run.rule_name,
                                                                                reason=told_reason(run))
    return False, _('Retried "{rule}": it did not run ({reason}).').format(rule=run.rule_name,
                                                                         reason=told_reason(run) or status)

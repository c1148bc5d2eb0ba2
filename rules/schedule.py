"""When schedules come due (contract §5), in the firm's time zone.

- ``every month on day 29``-``31`` falls back to the month's last day in shorter months
  (and ``every year on february 29`` to February 28 outside leap years).
- ``every quarter on day N`` is day N of January, April, July and October;
  ``every quarter on the last day`` is March 31, June 30, September 30 and December 31.
- ``every 2 weeks on monday`` counts from the first Monday occurrence after the rule was
  saved (the ``anchor``).
- Without ``at HH:MM`` a schedule runs at 00:00. Wall-clock times follow daylight saving:
  a time skipped when clocks go forward runs after the gap; a time that happens twice runs
  once, the first time.
- However many runs the worker missed, ``due_run`` returns one: the latest.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Iterator, Optional, Union

from . import ast as A
from .errors import RuleSyntaxError
from .language import N_, Words
from .parser import parse
from .timeutil import as_zone, at_local, aware, last_day, local_date

# A schedule repeats at least once a year; looking back this far finds the latest missed run.
_LOOKBACK = timedelta(days=800)


def parse_schedule(text: str) -> A.Schedule:
    """A schedule from its words, like ``"every 2 weeks on monday at 08:00"``."""
    try:
        ruleset = parse(f'rule "schedule"\n{text}\nthen archive job end')
    except RuleSyntaxError:
        raise RuleSyntaxError(Words(N_('"{text}" is not a schedule'), text=text),
                              hint=Words(N_("write it like: every month on day 15 at 08:00"))) from None
    schedule = ruleset.rules[0].trigger
    if not isinstance(schedule, A.Schedule):
        raise RuleSyntaxError(Words(N_('"{text}" is not a schedule'), text=text),
                              hint=Words(N_("a schedule starts with every")))
    return schedule


def _as_schedule(schedule: Union[A.Schedule, str]) -> A.Schedule:
    return parse_schedule(schedule) if isinstance(schedule, str) else schedule


def _time(schedule: A.Schedule) -> time:
    return schedule.at or time(0, 0)


def _first_date(schedule: A.Schedule, anchor: datetime, tz) -> date:
    """For ``every N weeks``: the date of the first occurrence after the anchor."""
    d = local_date(anchor, tz)
    while True:
        if d.weekday() == schedule.weekday and at_local(d, _time(schedule), tz) > anchor:
            return d
        d += timedelta(days=1)


def _matches(schedule: A.Schedule, d: date, first: Optional[date]) -> bool:
    kind = schedule.kind
    if kind == "day":
        return True
    if kind == "weekday":
        return d.weekday() < 5
    if kind == "week":
        if d.weekday() != schedule.weekday:
            return False
        if schedule.interval <= 1:
            return True
        return d >= first and ((d - first).days // 7) % schedule.interval == 0
    if kind == "month":
        return d.day == _day_in(schedule.day, d.year, d.month)
    if kind == "quarter":
        if schedule.day is None:
            return d.month in (3, 6, 9, 12) and d.day == last_day(d.year, d.month)
        return d.month in (1, 4, 7, 10) and d.day == _day_in(schedule.day, d.year, d.month)
    if kind == "year":
        return d.month == schedule.month and d.day == _day_in(schedule.day, d.year, d.month)
    raise ValueError(kind)  # pragma: no cover


def _day_in(day: Optional[int], year: int, month: int) -> int:
    end = last_day(year, month)
    return end if day is None else min(day, end)


def _occurrences(schedule: A.Schedule, after: datetime, tz, anchor: Optional[datetime]) -> Iterator[datetime]:
    z = as_zone(tz)
    after = aware(after)
    first = None
    if schedule.kind == "week" and schedule.interval > 1:
        first = _first_date(schedule, aware(anchor) if anchor is not None else after, z)
    d = local_date(after, z)
    at = _time(schedule)
    limit = d + timedelta(days=366 * 8)
    while d <= limit:
        if _matches(schedule, d, first):
            moment = at_local(d, at, z)
            if moment > after:
                yield moment
        d += timedelta(days=1)


def next_occurrences(schedule: Union[A.Schedule, str], after: datetime, tz: str = "UTC", count: int = 1,
                     anchor: Optional[datetime] = None) -> list:
    """The next ``count`` moments (aware, in the firm's time zone) strictly after ``after``.

    ``anchor`` is when the rule was saved (for ``every N weeks``; defaults to ``after``).
    """
    schedule = _as_schedule(schedule)
    out = []
    for moment in _occurrences(schedule, after, tz, anchor):
        out.append(moment)
        if len(out) >= count:
            break
    return out


def due_run(schedule: Union[A.Schedule, str], last_run_at: Optional[datetime], now: datetime,
            tz: str = "UTC", anchor: Optional[datetime] = None) -> Optional[datetime]:
    """For the worker: the one occurrence to run now, or None.

    It is the latest occurrence after ``last_run_at`` (or after ``anchor``, when the rule was
    saved, if it never ran) and not after ``now``: however many runs were missed, the rule
    catches up once. Record the returned moment as the new ``last_run_at``.
    """
    schedule = _as_schedule(schedule)
    now = aware(now)
    start = aware(last_run_at) if last_run_at is not None else (aware(anchor) if anchor is not None else None)
    if start is None:
        return None
    start = max(start, now - _LOOKBACK)
    latest = None
    if anchor is None and last_run_at is not None:
        # Without the saving moment, the last run keeps ``every N weeks`` in step.
        anchor = aware(last_run_at) - timedelta(microseconds=1)
    for moment in _occurrences(schedule, start, tz, anchor):
        if moment > now:
            break
        latest = moment
    return latest

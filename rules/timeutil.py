"""Date arithmetic in the firm's time zone: durations, business days, month ends.

Days, weeks, months and years move the wall clock in the firm's time zone (so "1 day after
08:00" is 08:00 the next day, across daylight-saving changes too); minutes and hours move
real time. Months keep the day of the month, falling back to the month's last day
(January 31 + 1 month = February 28 or 29).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Optional, Union
from zoneinfo import ZoneInfo

UTC = timezone.utc


@lru_cache(maxsize=64)
def zone(name: str):
    """The ZoneInfo for a firm's time zone name (``"America/New_York"``); UTC for "UTC"."""
    if name in ("UTC", "utc", "Etc/UTC"):
        return UTC
    return ZoneInfo(name)


def as_zone(tz) -> object:
    return zone(tz) if isinstance(tz, str) else tz


def aware(dt: datetime) -> datetime:
    """A datetime with a time zone; naive datetimes are taken as UTC."""
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def local_date(dt: datetime, tz) -> date:
    """The date of a moment in the firm's time zone."""
    return aware(dt).astimezone(as_zone(tz)).date()


def local_midnight(d: date, tz) -> datetime:
    """The first moment of a date in the firm's time zone (as an aware datetime)."""
    return at_local(d, time(0, 0), tz)


def at_local(d: date, t: time, tz) -> datetime:
    """The moment a wall-clock date and time happens in the firm's time zone.

    A time that happens twice (clocks going back) is its first occurrence; a time skipped by
    clocks going forward moves forward by the gap (02:30 becomes 03:30).
    """
    z = as_zone(tz)
    return datetime.combine(d, t).replace(tzinfo=z, fold=0).astimezone(UTC).astimezone(z)


def last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def add_months(d: date, months: int) -> date:
    """Move a date by whole months, keeping its day or falling back to the month's last day."""
    y, m = divmod(d.month - 1 + months, 12)
    year = d.year + y
    if not 1 <= year <= 9999:
        raise OverflowError("date out of range")
    month = m + 1
    return d.replace(year=year, month=month, day=min(d.day, last_day(year, month)))


def add_business_days(d: date, days: int) -> date:
    """Move a date by business days (Monday to Friday)."""
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    # Whole weeks first, so large numbers stay fast.
    weeks, remaining = divmod(remaining, 5)
    d = d + timedelta(weeks=weeks * step)
    while d.weekday() >= 5 and weeks:
        d = d - timedelta(days=step)
    while remaining:
        d = d + timedelta(days=step)
        if d.weekday() < 5:
            remaining -= 1
    return d


def shift_date(d: date, amount: int, unit: str) -> date:
    """A date moved by ``amount`` units (days, business days, weeks, months, years)."""
    if unit == "day":
        return d + timedelta(days=amount)
    if unit == "week":
        return d + timedelta(weeks=amount)
    if unit == "business day":
        return add_business_days(d, amount)
    if unit == "month":
        return add_months(d, amount)
    if unit == "year":
        return add_months(d, 12 * amount)
    raise ValueError(f"a date cannot move by {unit}s")


def shift(value: Optional[Union[date, datetime]], amount: int, unit: str, tz) -> Optional[Union[date, datetime]]:
    """A date or moment moved by a signed duration; None stays None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = aware(value)
        if unit == "minute":
            return value + timedelta(minutes=amount)
        if unit == "hour":
            return value + timedelta(hours=amount)
        z = as_zone(tz)
        local = value.astimezone(z)
        new_date = shift_date(local.date(), amount, unit)
        return at_local(new_date, local.timetz().replace(tzinfo=None), z).astimezone(value.tzinfo)
    return shift_date(value, amount, unit)


def duration_timedelta(amount: int, unit: str) -> Optional[timedelta]:
    """A fixed-length duration as a timedelta (None for business days, months and years)."""
    return {
        "minute": timedelta(minutes=amount), "hour": timedelta(hours=amount),
        "day": timedelta(days=amount), "week": timedelta(weeks=amount),
    }.get(unit)

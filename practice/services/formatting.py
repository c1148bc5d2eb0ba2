"""How dates, times and money read on every page: one format, in the firm's time zone.

Pure functions, no database: the states call them when they build view records. Dates carry the year
only when it is not the current one ("Mar 4" / "Mar 4, 2025"); an exact moment always carries it
("Dec 3, 2026, 1:06 AM"); recent moments read as people say them ("3 hours ago", "yesterday").
Nothing here ever prints a UTC offset or an ISO timestamp.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = dt.timezone.utc
# Symbols for the currencies a firm is likely to bill in; any other code is written after the amount.
CURRENCY_SYMBOLS = {"USD": "$", "CAD": "CA$", "AUD": "A$", "EUR": "€", "GBP": "£"}


def zone(timezone: str | dt.tzinfo | None) -> dt.tzinfo:
    """The firm's time zone from its name; an unknown or empty name falls back to UTC."""
    if isinstance(timezone, dt.tzinfo):
        return timezone
    if not timezone:
        return UTC
    try:
        return ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def aware(at: dt.datetime) -> dt.datetime:
    """A stored timestamp as an aware one (SQLite hands back naive UTC)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def local_time(at: dt.datetime, timezone: str | dt.tzinfo | None) -> dt.datetime:
    """The moment on the firm's wall clock."""
    return aware(at).astimezone(zone(timezone))


def _today(timezone, now: dt.datetime | None) -> dt.date:
    return local_time(now or dt.datetime.now(UTC), timezone).date()


def _day(value: dt.date, with_year: bool) -> str:
    text = f"{value:%b} {value.day}"
    return f"{text}, {value.year}" if with_year else text


def _clock(local: dt.datetime) -> str:
    hour = local.hour % 12 or 12
    return f"{hour}:{local:%M} {'AM' if local.hour < 12 else 'PM'}"


def format_date(value: dt.date | dt.datetime | None, timezone: str | dt.tzinfo | None = None, *,
                now: dt.datetime | None = None, today: dt.date | None = None) -> str:
    """"Mar 4" this year, "Mar 4, 2025" otherwise; a datetime is first put on the firm's clock.
    `today` (the firm's date) spares working it out again for each card of a long list."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local_time(value, timezone).date()
    return _day(value, value.year != (today or _today(timezone, now)).year)


def full_date(value: dt.date) -> str:
    """A date with its year always ("Apr 15, 2025"): for letters and emails, read later than they are written."""
    return _day(value, True)


def letter_value(value):
    """How a value reads when a template shows it: dates and times as people write them, never ISO (a time is
    shown on its own clock: `template_context` puts the firm's on it)."""
    if isinstance(value, dt.datetime):
        return format_datetime(value, value.tzinfo or UTC)
    if isinstance(value, dt.date):
        return full_date(value)
    return value


def format_datetime(at: dt.datetime | None, timezone: str | dt.tzinfo | None, *, weekday: bool = False) -> str:
    """An exact moment on the firm's clock: "Dec 3, 2026, 1:06 AM" (always with the year);
    with `weekday`, "Thu, Dec 3, 2026, 1:06 AM" (for schedules, where the day of the week matters)."""
    if at is None:
        return ""
    local = local_time(at, timezone)
    text = f"{_day(local.date(), True)}, {_clock(local)}"
    return f"{local:%a}, {text}" if weekday else text


def format_time(at: dt.datetime | None, timezone: str | dt.tzinfo | None) -> str:
    """Only the clock time on the firm's clock: "1:06 AM"."""
    return _clock(local_time(at, timezone)) if at is not None else ""


def _plural(number: int, unit: str) -> str:
    return f"{number} {unit}{'s' if number != 1 else ''}"


def _span(seconds: float) -> str | None:
    """A short span in words, or None beyond a day (then the calendar decides)."""
    if seconds < 3600:
        return _plural(max(int(seconds // 60), 1), "minute")
    if seconds < 24 * 3600:
        return _plural(int(seconds // 3600), "hour")
    return None


def relative_time(at: dt.datetime | None, timezone: str | dt.tzinfo | None = None, *,
                  now: dt.datetime | None = None) -> str:
    """"just now", "5 minutes ago", "3 hours ago", "yesterday", "4 days ago", then the date;
    a moment ahead reads "in 2 hours", "tomorrow", "in 3 days"."""
    if at is None:
        return ""
    now = aware(now or dt.datetime.now(UTC))
    seconds = (aware(at) - now).total_seconds()
    if abs(seconds) < 60:
        return "just now"
    span = _span(abs(seconds))
    if span:
        return f"in {span}" if seconds > 0 else f"{span} ago"
    days = (local_time(at, timezone).date() - local_time(now, timezone).date()).days
    if days == -1:
        return "yesterday"
    if days == 1:
        return "tomorrow"
    if 1 < abs(days) < 7:
        return f"in {days} days" if days > 0 else f"{-days} days ago"
    return format_date(at, timezone, now=now)


def format_money(cents: int | None, currency: str = "USD") -> str:
    """An amount in cents as "$1,250.00" (a minus before the symbol when negative); "" for no amount."""
    if cents is None:
        return ""
    cents = int(cents)
    sign, cents = ("-" if cents < 0 else ""), abs(cents)
    number = f"{cents // 100:,}.{cents % 100:02d}"
    code = (currency or "USD").upper()
    symbol = CURRENCY_SYMBOLS.get(code)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {code}"


def money_input(cents: int | None) -> str:
    """An amount as a form field shows it for editing: "1250.00", no symbol or separators."""
    if cents is None:
        return ""
    cents = int(cents)
    sign, cents = ("-" if cents < 0 else ""), abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def date_input(value: dt.date | None) -> str:
    """A date as an `<input type="date">` expects it ("2025-03-04"); only for form values, never shown as text."""
    return value.isoformat() if value else ""

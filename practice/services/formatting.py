"""How dates, times and money read on every page: one format per language, in the firm's time zone.

Pure functions, no database: the states call them when they build view records. Dates carry the year
only when it is not the current one ("Mar 4" / "Mar 4, 2025"); an exact moment always carries it
("Dec 3, 2026, 1:06 AM"); recent moments read as people say them ("3 hours ago", "yesterday").
Nothing here ever prints a UTC offset or an ISO timestamp.

The language is the one of the person being served (`practice.i18n.current_locale()`): English keeps the forms
above, written here; other languages are formatted by Babel with that locale's conventions ("4 mars",
"15 avril 2027", "3 déc. 2026 à 13:06", "1 234,56 €") and their sentences come from the catalog ("il y a 3 heures").
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import dates as babel_dates
from babel import numbers as babel_numbers

from practice import i18n
from practice.i18n import _, ngettext

UTC = dt.timezone.utc
# Symbols for the currencies a firm is likely to bill in; any other code is written after the amount.
CURRENCY_SYMBOLS = {"USD": "$", "CAD": "CA$", "AUD": "A$", "EUR": "€", "GBP": "£"}
# Babel's patterns for the languages other than English: a day ("4 mars"), with its year, in a letter, a moment.
PATTERNS = {"fr": {"day": "d MMM", "day_year": "d MMM y", "letter": "d MMMM y", "clock": "HH:mm",
                   "moment": "d MMM y 'à' HH:mm", "weekday": "EEE d MMM y 'à' HH:mm"}}


def _babel_locale() -> str | None:
    """Babel's locale when the person reads another language than English (None: the English forms here)."""
    code = i18n.current_locale()
    return i18n.BABEL_LOCALES[code] if code in PATTERNS else None


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
    locale = _babel_locale()
    if locale:
        pattern = PATTERNS[i18n.current_locale()]["day_year" if with_year else "day"]
        return babel_dates.format_date(value, pattern, locale=locale)
    text = f"{value:%b} {value.day}"
    return f"{text}, {value.year}" if with_year else text


def _clock(local: dt.datetime) -> str:
    locale = _babel_locale()
    if locale:
        return babel_dates.format_time(local, PATTERNS[i18n.current_locale()]["clock"], locale=locale)
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
    """A date with its year always ("Apr 15, 2025", "15 avril 2025"): for letters and emails, read later than they
    are written."""
    locale = _babel_locale()
    if locale:
        return babel_dates.format_date(value, PATTERNS[i18n.current_locale()]["letter"], locale=locale)
    return _day(value, True)


def letter_value(value):
    """How a value reads when a template shows it: dates and times as people write them, never ISO (a time is
    shown on its own clock: `template_context` puts the firm's on it); nothing for no value (a date or a custom field
    not filled in), never the word None; a yes/no value as "Yes" or "No" in the reader's language, never True."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
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
    locale = _babel_locale()
    if locale:
        pattern = PATTERNS[i18n.current_locale()]["weekday" if weekday else "moment"]
        return babel_dates.format_datetime(local, pattern, locale=locale)
    text = f"{_day(local.date(), True)}, {_clock(local)}"
    return f"{local:%a}, {text}" if weekday else text


def format_time(at: dt.datetime | None, timezone: str | dt.tzinfo | None) -> str:
    """Only the clock time on the firm's clock: "1:06 AM"."""
    return _clock(local_time(at, timezone)) if at is not None else ""


def _span(seconds: float, ahead: bool) -> str | None:
    """A short span ahead ("in 5 minutes") or past ("5 minutes ago"), or None beyond a day (then the calendar
    decides)."""
    if seconds < 3600:
        n = max(int(seconds // 60), 1)
        text = ngettext("in {n} minute", "in {n} minutes", n) if ahead else \
            ngettext("{n} minute ago", "{n} minutes ago", n)
    elif seconds < 24 * 3600:
        n = int(seconds // 3600)
        text = ngettext("in {n} hour", "in {n} hours", n) if ahead else ngettext("{n} hour ago", "{n} hours ago", n)
    else:
        return None
    return text.format(n=n)


def _days_apart(days: int) -> str:
    if days == -1:
        return _("yesterday")
    if days == 1:
        return _("tomorrow")
    n = abs(days)
    return (ngettext("in {n} day", "in {n} days", n) if days > 0 else ngettext("{n} day ago", "{n} days ago", n)
            ).format(n=n)


def relative_time(at: dt.datetime | None, timezone: str | dt.tzinfo | None = None, *,
                  now: dt.datetime | None = None) -> str:
    """"just now", "5 minutes ago", "3 hours ago", "yesterday", "4 days ago", then the date;
    a moment ahead reads "in 2 hours", "tomorrow", "in 3 days"."""
    if at is None:
        return ""
    now = aware(now or dt.datetime.now(UTC))
    seconds = (aware(at) - now).total_seconds()
    if abs(seconds) < 60:
        return _("just now")
    span = _span(abs(seconds), seconds > 0)
    if span:
        return span
    days = (local_time(at, timezone).date() - local_time(now, timezone).date()).days
    if 0 < abs(days) < 7:
        return _days_apart(days)
    return format_date(at, timezone, now=now)


def format_money(cents: int | None, currency: str = "USD") -> str:
    """An amount in cents as "$1,250.00" (a minus before the symbol when negative); "" for no amount."""
    if cents is None:
        return ""
    cents = int(cents)
    locale = _babel_locale()
    if locale:  # "1 234,56 €", "1 234,56 $US"
        return babel_numbers.format_currency(Decimal(cents) / 100, (currency or "USD").upper(), locale=locale)
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

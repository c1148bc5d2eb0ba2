"""One date, time and money format on every page, in the firm's time zone."""
import datetime as dt
import re

from practice.i18n import using_locale
from practice.services.formatting import (date_input, format_date, format_datetime, format_money, format_time,
                                          letter_value, money_input, relative_time, zone)

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
ISO_WITH_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)")


def test_dates_carry_the_year_only_when_it_is_not_this_one():
    assert format_date(dt.date(2026, 3, 4), "UTC", now=NOW) == "Mar 4"
    assert format_date(dt.date(2025, 3, 4), "UTC", now=NOW) == "Mar 4, 2025"
    assert format_date(dt.date(2027, 1, 15), "UTC", now=NOW) == "Jan 15, 2027"
    assert format_date(dt.date(2025, 3, 4), today=dt.date(2025, 12, 1)) == "Mar 4"
    assert format_date(None) == ""


def test_the_current_year_is_the_firms_not_utcs():
    # 03:00 UTC on Jan 1 is still New Year's Eve in New York: 2026 there, so a 2026 date has no year.
    new_year = dt.datetime(2027, 1, 1, 3, 0, tzinfo=UTC)
    assert format_date(dt.date(2026, 12, 31), "America/New_York", now=new_year) == "Dec 31"
    assert format_date(dt.date(2026, 12, 31), "UTC", now=new_year) == "Dec 31, 2026"


def test_a_moment_is_shown_on_the_firms_clock_with_its_year():
    at = dt.datetime(2026, 12, 3, 6, 6, tzinfo=UTC)
    assert format_datetime(at, "America/New_York") == "Dec 3, 2026, 1:06 AM"
    assert format_datetime(at, "Europe/Paris") == "Dec 3, 2026, 7:06 AM"
    assert format_datetime(dt.datetime(2026, 7, 4, 12, 30, tzinfo=UTC), "UTC") == "Jul 4, 2026, 12:30 PM"
    assert format_datetime(dt.datetime(2026, 7, 4, 0, 5, tzinfo=UTC), "UTC") == "Jul 4, 2026, 12:05 AM"
    assert format_time(at, "America/New_York") == "1:06 AM"
    assert format_datetime(at, "America/New_York", weekday=True) == "Thu, Dec 3, 2026, 1:06 AM"
    assert format_datetime(None, "UTC") == ""


def test_a_naive_stored_timestamp_is_utc():
    assert format_datetime(dt.datetime(2026, 12, 3, 6, 6), "America/New_York") == "Dec 3, 2026, 1:06 AM"


def test_daylight_saving_time_moves_the_clock():
    # New York is UTC-4 in summer and UTC-5 in winter; the same UTC hour reads an hour apart.
    assert format_datetime(dt.datetime(2026, 7, 1, 16, 0, tzinfo=UTC), "America/New_York") == "Jul 1, 2026, 12:00 PM"
    assert format_datetime(dt.datetime(2026, 1, 5, 16, 0, tzinfo=UTC), "America/New_York") == "Jan 5, 2026, 11:00 AM"
    # Either side of the spring-forward jump (2:00 AM on Mar 8, 2026 does not exist).
    assert format_datetime(dt.datetime(2026, 3, 8, 6, 59, tzinfo=UTC), "America/New_York") == "Mar 8, 2026, 1:59 AM"
    assert format_datetime(dt.datetime(2026, 3, 8, 7, 0, tzinfo=UTC), "America/New_York") == "Mar 8, 2026, 3:00 AM"
    # A late evening in the firm's zone is still that day, though UTC has moved on.
    assert format_date(dt.datetime(2026, 3, 9, 3, 0, tzinfo=UTC), "America/Los_Angeles", now=NOW) == "Mar 8"


def test_an_unknown_time_zone_falls_back_to_utc():
    assert zone("Mars/Olympus") == UTC and zone("") == UTC
    assert format_datetime(dt.datetime(2026, 1, 5, 16, 0, tzinfo=UTC), "Mars/Olympus") == "Jan 5, 2026, 4:00 PM"


def test_recent_moments_read_like_a_person_says_them():
    ago = lambda **kw: relative_time(NOW - dt.timedelta(**kw), "UTC", now=NOW)  # noqa: E731
    assert ago(seconds=20) == "just now"
    assert ago(minutes=1) == "1 minute ago"
    assert ago(minutes=5) == "5 minutes ago"
    assert ago(hours=3) == "3 hours ago"
    assert ago(hours=30) == "yesterday"
    assert ago(days=3) == "3 days ago"
    assert ago(days=20) == "Nov 13"
    assert ago(days=400) == "Oct 29, 2025"


def test_moments_ahead_read_forward():
    ahead = lambda **kw: relative_time(NOW + dt.timedelta(**kw), "UTC", now=NOW)  # noqa: E731
    assert ahead(minutes=10) == "in 10 minutes"
    assert ahead(hours=2) == "in 2 hours"
    assert ahead(hours=30) == "tomorrow"
    assert ahead(days=3) == "in 3 days"
    assert ahead(days=40) == "Jan 12, 2027"


def test_yesterday_is_the_firms_yesterday():
    # 10 PM in New York on Dec 2 is 03:00 UTC on Dec 3; a day later in New York it was "yesterday".
    now = dt.datetime(2026, 12, 4, 14, 0, tzinfo=UTC)
    assert relative_time(dt.datetime(2026, 12, 3, 3, 0, tzinfo=UTC), "America/New_York", now=now) == "2 days ago"
    assert relative_time(dt.datetime(2026, 12, 3, 3, 0, tzinfo=UTC), "UTC", now=now) == "yesterday"


def test_money_has_its_currency_and_thousands_separators():
    assert format_money(125050) == "$1,250.50"
    assert format_money(123456789) == "$1,234,567.89"
    assert format_money(5) == "$0.05"
    assert format_money(0) == "$0.00"
    assert format_money(-2500) == "-$25.00"
    assert format_money(125050, "EUR") == "€1,250.50"
    assert format_money(125050, "chf") == "1,250.50 CHF"
    assert format_money(None) == ""


def test_form_values_stay_machine_readable():
    assert money_input(125050) == "1250.50" and money_input(-5) == "-0.05" and money_input(None) == ""
    assert date_input(dt.date(2026, 3, 4)) == "2026-03-04" and date_input(None) == ""


def test_no_format_ever_prints_an_offset():
    moments = [NOW + dt.timedelta(hours=h) for h in range(-24 * 800, 24 * 800, 97)]
    for tz in ("UTC", "America/New_York", "Asia/Kolkata"):
        for at in moments:
            for text in (format_datetime(at, tz), relative_time(at, tz, now=NOW), format_date(at, tz, now=NOW)):
                assert not ISO_WITH_OFFSET.search(text) and "UTC" not in text and "+" not in text


def test_a_yes_no_value_reads_as_a_word_in_the_readers_language():
    """A yes/no custom field in a letter says "Yes" (or "Oui"), never Python's True."""
    assert (letter_value(True), letter_value(False), letter_value(None)) == ("Yes", "No", "")
    with using_locale("fr"):
        assert (letter_value(True), letter_value(False)) == ("Oui", "Non")
    assert letter_value(2) == 2  # numbers stay numbers (a bool is an int in Python: checked first)

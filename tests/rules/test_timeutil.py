"""Calendar arithmetic: business days, month ends, the firm's wall clock."""

from datetime import date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from rules.timeutil import add_business_days, add_months, shift

from .reference import move, move_date, zone


@given(st.dates(date(2000, 1, 1), date(2090, 1, 1)), st.integers(-400, 400))
def test_business_days_match_counting_day_by_day(d, n):
    assert add_business_days(d, n) == (move_date(d, n, "business day") if n else d)


@given(st.dates(date(2000, 1, 1), date(2090, 1, 1)), st.integers(-300, 300))
def test_months_keep_the_day_or_fall_back_to_the_months_end(d, n):
    moved = add_months(d, n)
    assert moved == move_date(d, n, "month")
    assert moved.day == d.day or moved.day < d.day


@given(st.datetimes(datetime(2026, 1, 1), datetime(2030, 1, 1), timezones=st.just(timezone.utc)),
       st.integers(-60, 60), st.sampled_from(["day", "week", "month", "business day", "hour"]),
       st.sampled_from(["UTC", "America/New_York", "Europe/Paris"]))
def test_shifting_a_moment_agrees_with_the_reference(moment, n, unit, tz):
    assert shift(moment, n, unit, zone(tz)) == move(moment, n, unit, zone(tz))


def test_a_day_later_keeps_the_wall_clock_across_daylight_saving():
    ny = zone("America/New_York")
    before = datetime(2027, 3, 13, 8, 0, tzinfo=ny)
    assert shift(before, 1, "day", ny) == datetime(2027, 3, 14, 8, 0, tzinfo=ny)
    assert shift(before, 24, "hour", ny) - before == timedelta(hours=24)

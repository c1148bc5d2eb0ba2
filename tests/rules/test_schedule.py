"""Schedules come due when the firm expects, in its time zone (contract §5)."""

from datetime import date, datetime, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules import RuleSyntaxError, due_run, next_occurrences, parse_schedule
from rules import ast as A
from rules.timeutil import last_day

NY = ZoneInfo("America/New_York")
TZ = "America/New_York"


def local(*args):
    return datetime(*args, tzinfo=NY)


def days(moments):
    return [m.astimezone(NY).date() for m in moments]


def test_every_day_runs_at_midnight_without_a_time():
    [m] = next_occurrences("every day", local(2027, 4, 15, 9), TZ)
    assert m == local(2027, 4, 16, 0, 0)


def test_at_accepts_one_or_two_digit_hours():
    assert next_occurrences("every day at 7:30", local(2027, 4, 15, 9), TZ) == \
        next_occurrences("every day at 07:30", local(2027, 4, 15, 9), TZ) == [local(2027, 4, 16, 7, 30)]


def test_a_time_later_today_is_today():
    assert next_occurrences("every day at 10:00", local(2027, 4, 15, 9), TZ) == [local(2027, 4, 15, 10)]


def test_every_weekday_skips_weekends():
    moments = next_occurrences("every weekday at 08:00", local(2027, 4, 16, 9), TZ, count=3)
    assert days(moments) == [date(2027, 4, 19), date(2027, 4, 20), date(2027, 4, 21)]


@pytest.mark.parametrize("text", ["every monday", "every week on monday", "every mondays"])
def test_weekly_on_a_day(text):
    moments = next_occurrences(text, local(2027, 4, 15), TZ, count=2)
    assert days(moments) == [date(2027, 4, 19), date(2027, 4, 26)]


def test_biweekly_counts_from_the_first_such_day_after_saving():
    saved = local(2027, 4, 14, 12)  # a Wednesday
    moments = next_occurrences("every 2 weeks on monday", saved, TZ, count=3, anchor=saved)
    assert days(moments) == [date(2027, 4, 19), date(2027, 5, 3), date(2027, 5, 17)]
    # Asked later, the rhythm stays the one set when the rule was saved.
    later = next_occurrences("every 2 weeks on monday", local(2027, 4, 20), TZ, count=2, anchor=saved)
    assert days(later) == [date(2027, 5, 3), date(2027, 5, 17)]


def test_biweekly_saved_on_the_day_before_the_time_starts_that_day():
    saved = local(2027, 4, 19, 7)  # Monday 07:00, the rule runs at 08:00
    moments = next_occurrences("every 2 weeks on monday at 08:00", saved, TZ, count=2, anchor=saved)
    assert days(moments) == [date(2027, 4, 19), date(2027, 5, 3)]


def test_month_day_31_falls_back_to_the_last_day():
    moments = next_occurrences("every month on day 31", local(2027, 1, 31, 1), TZ, count=4)
    assert days(moments) == [date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30), date(2027, 5, 31)]


def test_month_day_29_in_a_leap_february():
    moments = next_occurrences("every month on day 29", local(2028, 2, 1), TZ, count=2)
    assert days(moments) == [date(2028, 2, 29), date(2028, 3, 29)]


def test_month_last_day():
    moments = next_occurrences("every month on the last day", local(2027, 1, 31, 1), TZ, count=3)
    assert days(moments) == [date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)]


def test_quarter_day_is_in_the_quarters_first_month():
    moments = next_occurrences("every quarter on day 15", local(2027, 1, 20), TZ, count=4)
    assert days(moments) == [date(2027, 4, 15), date(2027, 7, 15), date(2027, 10, 15), date(2028, 1, 15)]


def test_quarter_day_31_falls_back_in_april():
    moments = next_occurrences("every quarter on day 31", local(2027, 2, 1), TZ, count=2)
    assert days(moments) == [date(2027, 4, 30), date(2027, 7, 31)]


def test_quarter_last_day_is_the_quarters_last_day():
    moments = next_occurrences("every quarter on the last day", local(2027, 1, 1), TZ, count=4)
    assert days(moments) == [date(2027, 3, 31), date(2027, 6, 30), date(2027, 9, 30), date(2027, 12, 31)]


def test_yearly_and_february_29():
    assert days(next_occurrences("every year on april 15", local(2027, 4, 15, 1), TZ)) == [date(2028, 4, 15)]
    moments = next_occurrences("every year on february 29", local(2027, 1, 1), TZ, count=2)
    assert days(moments) == [date(2027, 2, 28), date(2028, 2, 29)]


def test_times_are_in_the_firms_time_zone_across_daylight_saving():
    moments = next_occurrences("every day at 08:00", local(2027, 3, 13, 9), TZ, count=2)
    assert [m.astimezone(timezone.utc).hour for m in moments] == [12, 12]  # EDT from March 14
    before = next_occurrences("every day at 08:00", local(2027, 3, 12, 9), TZ)
    assert before[0].astimezone(timezone.utc).hour == 13  # still EST on March 13


def test_a_skipped_time_runs_after_the_gap_and_a_repeated_time_runs_once():
    [spring] = next_occurrences("every day at 02:30", local(2027, 3, 13, 3), TZ)
    assert spring.astimezone(NY).hour == 3 and spring.astimezone(NY).minute == 30
    autumn = next_occurrences("every day at 01:30", local(2027, 11, 6, 3), TZ, count=2)
    assert days(autumn) == [date(2027, 11, 7), date(2027, 11, 8)]


def test_due_run_catches_up_once_with_the_latest_missed_run():
    last = local(2027, 4, 10, 7)
    now = local(2027, 4, 15, 12)
    assert due_run("every day at 07:00", last, now, TZ) == local(2027, 4, 15, 7)
    # Having run it, nothing more is due until tomorrow.
    assert due_run("every day at 07:00", local(2027, 4, 15, 7), now, TZ) is None


def test_due_run_never_runs_before_the_rule_was_saved():
    saved = local(2027, 4, 15, 8)
    assert due_run("every day at 07:00", None, local(2027, 4, 15, 12), TZ, anchor=saved) is None
    assert due_run("every day at 07:00", None, local(2027, 4, 16, 7), TZ, anchor=saved) == local(2027, 4, 16, 7)


def test_due_run_after_a_long_outage_is_still_one_run():
    last = local(2020, 1, 1)
    now = local(2027, 4, 15, 12)
    assert due_run("every month on day 1", last, now, TZ) == local(2027, 4, 1)


def test_due_run_keeps_the_biweekly_rhythm_from_the_last_run():
    last = local(2027, 4, 19, 8)
    assert due_run("every 2 weeks on monday at 08:00", last, local(2027, 4, 27), TZ) is None
    assert due_run("every 2 weeks on monday at 08:00", last, local(2027, 5, 3, 9), TZ) == local(2027, 5, 3, 8)


def test_not_a_schedule():
    with pytest.raises(RuleSyntaxError):
        parse_schedule("every 2 days")


# ---------------------------------------------------------------- properties

SCHEDULE_TEXTS = st.one_of(
    st.just("every day"), st.just("every weekday"),
    st.sampled_from(A.DAY_NAMES).map(lambda d: f"every {d}"),
    st.builds(lambda n, d: f"every {n} weeks on {d}", st.integers(1, 4), st.sampled_from(A.DAY_NAMES)),
    st.integers(1, 31).map(lambda d: f"every month on day {d}"), st.just("every month on the last day"),
    st.integers(1, 31).map(lambda d: f"every quarter on day {d}"), st.just("every quarter on the last day"),
    st.builds(lambda m, d: f"every year on {A.MONTH_NAMES[m - 1]} {d}", st.integers(1, 12), st.integers(1, 28)),
)
TIMES = st.one_of(st.just(""), st.builds(lambda h, m: f" at {h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59)))
ZONES = st.sampled_from(["UTC", "America/New_York", "Europe/Paris", "Australia/Lord_Howe"])
MOMENTS = st.datetimes(datetime(2026, 1, 1), datetime(2030, 1, 1), timezones=st.just(timezone.utc))


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(SCHEDULE_TEXTS, TIMES, ZONES, MOMENTS)
def test_occurrences_are_ordered_on_schedule_and_caught_up_once(text, at, tz, after):
    schedule = parse_schedule(text + at)
    moments = next_occurrences(schedule, after, tz, count=4, anchor=after)
    assert len(moments) == 4
    assert all(a < b for a, b in pairwise([after] + moments))
    zone = ZoneInfo(tz) if tz != "UTC" else timezone.utc
    for m in moments:
        local_day = m.astimezone(zone).date()
        if schedule.kind == "weekday":
            assert local_day.weekday() < 5
        if schedule.kind == "week":
            assert local_day.weekday() == schedule.weekday
        if schedule.kind in ("month", "quarter") and schedule.day is None:
            assert local_day.day == last_day(local_day.year, local_day.month)
        if schedule.kind == "quarter":
            assert local_day.month in ((3, 6, 9, 12) if schedule.day is None else (1, 4, 7, 10))
    # Missing the second and third runs: the worker runs the third, once.
    assert due_run(schedule, moments[0], moments[2], tz, anchor=after) == moments[2]
    assert due_run(schedule, moments[2], moments[3] - (moments[3] - moments[2]) / 2, tz, anchor=after) is None

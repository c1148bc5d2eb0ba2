"""Unicode look-alikes of keyword letters and very long numbers: ordinary errors, never a traceback."""

import time

import pytest

from rules import check_errors
from rules.parser import scan_comments_and_commas

W = 'rule "r"\nwhen job enters stage "Review"\n'

ACTIONS = "expected an action such as send email, create task, add tag, move job or notify"
HOW_OFTEN = ("expected how often, such as day, weekday, monday, week on friday, month on day 15, "
             "quarter on day 1 or year on april 15")

LOOKALIKES = [
    # (rule text, message, (line, column)): dotless ı, dotted İ, long ſ, Kelvin sign K
    ('rule "r"\nwhen job enters stage "Rev" then cr\u0131ate task "x" end',
     f'{ACTIONS}, found "cr\u0131ate"', (2, 34)),
    (W + '\u0130f job.name is "x" then notify "Ann Lee" "x" end',
     'expected "then", "for", "if" or "in", found "\u0130f"', (3, 1)),
    (W + '\u0131f job.name is "x" then notify "Ann Lee" "x" end',
     'expected "then", "for", "if" or "in", found "\u0131f"', (3, 1)),
    (W + 'then \u017fend email "Welcome" to account end', f'{ACTIONS}, found "\u017fend"', (3, 6)),
    (W + 'then create tas\u212a "x" end', 'expected "job" or "task", found "tas\u212a"', (3, 13)),
    (W + 'if job.\u017ftage is "Review" then notify "Ann Lee" "x" end',
     'expected "does" or "has", found ".\u017ftage"', (3, 7)),
    ('rule "r"\nevery \u017funday at 07:00 then archive job end', f'{HOW_OFTEN}, found "\u017funday"', (2, 7)),
    ('rule "r"\nevery year on apr\u0131l 1 then notify "Ann Lee" "x" end',
     'expected a month name like april, found "apr\u0131l"', (2, 15)),
]


@pytest.mark.parametrize("text, message, where", LOOKALIKES)
def test_lookalike_letters_are_a_syntax_error(catalog, text, message, where):
    errors = check_errors(text, catalog)
    assert [(e.message, (e.span.line, e.span.column)) for e in errors] == [(message, where)]


def test_a_long_run_of_digits_is_scanned_in_linear_time():
    text = W + "if account.balance > " + "9" * 100_000 + " then archive job end"
    started = time.perf_counter()
    assert scan_comments_and_commas(text) == ([], None)
    assert time.perf_counter() - started < 1
    spaced = "1,000 " + "9" * 50_000 + ",5"
    assert scan_comments_and_commas(spaced)[1][2] == "1,000"


HUGE = "9" * 100_000
SHOWN = "999999... (100,000 digits)"  # echoed numbers are summarised, never printed whole
HUGE_NUMBERS = [
    # (rule text, message, hint): a number far past Python's 4,300-digit int() limit, each place
    (f'rule "r"\nevery {HUGE} weeks on monday then notify "Ann Lee" "x" end',
     "a number of weeks must be at most 5,200", "write a whole number, like every 2 weeks on monday"),
    (f'rule "r"\nevery month on day {HUGE} then notify "Ann Lee" "x" end', f"there is no day {SHOWN} in a month",
     "write a day from 1 to 31 (29 to 31 fall back to the month's last day), or: on the last day"),
    (f'rule "r"\nevery quarter on day {HUGE} then notify "Ann Lee" "x" end', f"there is no day {SHOWN} in a month",
     "write a day from 1 to 31 (29 to 31 fall back to the month's last day), or: on the last day"),
    (f'rule "r"\nevery year on april {HUGE} then notify "Ann Lee" "x" end', f"april has no day {SHOWN}",
     "write a day from 1 to 30"),
    (f'rule "r"\nevery day at {HUGE} then notify "Ann Lee" "x" end',
     f"expected a time like 07:30, found the number {SHOWN}", None),
]


@pytest.mark.parametrize("text, message, hint", HUGE_NUMBERS)
def test_a_huge_number_gets_a_sentence_quickly(catalog, text, message, hint):
    started = time.perf_counter()
    errors = check_errors(text, catalog)
    assert time.perf_counter() - started < 2
    assert [(e.message, e.hint) for e in errors] == [(message, hint)]


def test_a_week_count_is_bounded(catalog):
    errors = check_errors('rule "r"\nevery 5201 weeks on monday then notify "Ann Lee" "x" end', catalog)
    assert [(e.message, e.span.column) for e in errors] == [("a number of weeks must be at most 5,200", 7)]
    assert check_errors('rule "r"\nevery 5200 weeks on monday then notify "Ann Lee" "x" end', catalog) == []

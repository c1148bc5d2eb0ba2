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
    (W + '\u0130f job.name is "x" then archive job end',
     'expected "then", "for", "if" or "in", found "\u0130f"', (3, 1)),
    (W + '\u0131f job.name is "x" then archive job end',
     'expected "then", "for", "if" or "in", found "\u0131f"', (3, 1)),
    (W + 'then \u017fend email "Welcome" to account end', f'{ACTIONS}, found "\u017fend"', (3, 6)),
    (W + 'then create tas\u212a "x" end', 'expected "job" or "task", found "tas\u212a"', (3, 13)),
    (W + 'if job.\u017ftage is "Review" then archive job end',
     'expected "does" or "has", found ".\u017ftage"', (3, 7)),
    ('rule "r"\nevery \u017funday at 07:00 then archive job end', f'{HOW_OFTEN}, found "\u017funday"', (2, 7)),
    ('rule "r"\nevery year on apr\u0131l 1 then archive job end',
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

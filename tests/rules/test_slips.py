"""The slips people make when they write rules, each answered with what to write instead (golden
texts); type errors name both sides; internal failures are sentences and the CLI exits 2."""

import pytest

import rules.checker
from rules import InternalError, check, check_errors, compile_rules, format_errors, format_source
from rules.__main__ import main

W = 'rule "r"\nwhen job enters stage "Review"\n'
ORGANIZER = 'then send organizer "1040 Organizer" to account with reminders every '

SLIPS = [
    # (rule text, message, hint, (line, column))
    (W + "if job.due_date is before 31/12/2026 then archive job end",
     "dates are written year-month-day, not with slashes or dots", "write dates as 2026-12-31", (3, 27)),
    (W + "if job.due_date is before 12/31/2026 then archive job end",
     "dates are written year-month-day, not with slashes or dots", "write dates as 2026-12-31", (3, 27)),
    ('rule \u201cWelcome\u201d\nwhen job enters stage "Review" then archive job end',
     "\u201c is a typographic quote (word processors type them): rules need straight quotes",
     'use straight quotes "..."', (1, 6)),
    (W + "then send email \u201cWelcome\u201d to account end",
     "\u201c is a typographic quote (word processors type them): rules need straight quotes",
     'use straight quotes "..."', (3, 17)),
    (W + "then send email 'Welcome' to account end",
     "names and texts are written in double quotes", 'use straight quotes "..."', (3, 17)),
    (W + "then\u00a0archive job end",
     "there is an invisible character here: no-break space (U+00A0)",
     "replace it with an ordinary space (word processors and web pages put these in)", (3, 5)),
    (W + 'then send email "Welcome" to account and archive job end',
     '"and" cannot join two actions', 'write each action on its own line, without "and"', (3, 38)),
    (W + 'then create task "T" due in 2 days for "Ann Lee" end',
     'the parts of "create task" are out of order', 'the order is: create task "T" for "Ann Lee" due in 2 days',
     (3, 36)),
    (W + 'then after 2 days sned email "Welcome" to account end',
     "expected an action such as send email, create task, add tag, move job or notify, found \"sned\"",
     'did you mean "send"?', (3, 19)),
    (W + "then end",
     'there is no action between "then" and "end"',
     'write at least one action, like: send email "Welcome" to account', (3, 6)),
    (W + ORGANIZER + "-3 days end",
     "numbers in rules are never negative", "reminders repeat every 1 or more days, like every 3 days", (3, 70)),
    (W + "if account.balance > -5 then archive job end",
     "numbers in rules are never negative", "compare the other way round, like account.balance < 0", (3, 22)),
    (W + "then archive job\nend.",
     'there is a "." after "end"', 'remove the ".": a rule ends with the word end alone', (4, 4)),
    # type errors name both sides
    (W + "if job.name contains 5 then archive job end",
     '"contains" compares two texts, but job.name is text and 5 is a number', None, (3, 22)),
    (W + "if job.name starts with 5 then archive job end",
     '"starts with" compares two texts, but job.name is text and 5 is a number', None, (3, 25)),
    (W + 'if job.due_date is before "x" then archive job end',
     '"before" compares two dates, but job.due_date is a date and "x" is text', None, (3, 27)),
    (W + "if job.due_date is after 5 then archive job end",
     '"after" compares two dates, but job.due_date is a date and 5 is a number',
     'to compare numbers, use "<" or ">"', (3, 26)),
    (W + "if job.name is within 3 days then archive job end",
     '"is within" counts from a date, but job.name is text and 3 days is a length of time', None, (3, 4)),
    (W + 'if job.name > "b" then archive job end',
     '">" compares two numbers or two dates, but job.name and "b" are both text',
     'for text, use "is", "contains" or "starts with"', (3, 4)),
    # placeholders belong in texts, not in conditions
    (W + 'if job.name contains "{{ year }}" then archive job end',
     "placeholders like {{ ... }} can't be used in conditions: the text would be compared exactly as "
     "written, braces included", 'write the words themselves, like job.name contains "2026"', (3, 22)),
    # bounds, with long numbers summarised
    (W + ORGANIZER + "3 days up to 1000 times end",
     "reminders can be sent at most 100 times, not 1000", "write a smaller number, like up to 5 times", (3, 83)),
    (W + 'then create task "T" due in ' + "9" * 300 + " days end",
     "999999... (300 digits) days is longer than rules can count",
     "durations go up to 100 years (36500 days)", (3, 29)),
    (W + 'then create task "T {{ ' + "(" * 500 + "x" + ")" * 500 + ' }}" end',
     "the placeholder {{ " + "(" * 32 + "...}} is too long or has too many brackets",
     "write a field in double braces, like {{ account.name }}", (3, 21)),
]


@pytest.mark.parametrize("text, message, hint, where", SLIPS)
def test_a_slip_is_answered_with_what_to_write(catalog, text, message, hint, where):
    errors = check_errors(text, catalog)
    assert [(e.message, e.hint, (e.line, e.column)) for e in errors] == [(message, hint, where)]


def test_a_hundred_errors_are_laid_out_then_counted(catalog):
    text = "\n".join(f'rule "r{i}"\nwhen job enters stage "Nope{i}" then archive job end' for i in range(130))
    errors = check_errors(text, catalog)
    assert len(errors) == 130
    out = format_errors(text, "rules.txt", errors)
    assert out.count(": error: ") == 100
    assert out.endswith("rules.txt: and 30 more errors (fix these first, then check again)")


def test_a_very_long_line_is_shown_around_the_error_only(catalog):
    text = W + "if job.name is " + '"x" or job.name is ' * 2000 + "5 then archive job end"
    errors = check_errors(text, catalog)
    out = format_errors(text, "rules.txt", errors)
    source_line, carets = out.split("\n")[1:3]
    assert len(source_line) < 140 and source_line.endswith("...") is False
    assert source_line.index("5 then") == carets.index("^")


@pytest.fixture
def broken_checker(monkeypatch):
    def fail(self, rule):
        raise KeyError("x")
    monkeypatch.setattr(rules.checker.Checker, "check_rule", fail)


def test_a_checker_failure_is_a_sentence_at_its_rule(catalog, broken_checker):
    errors = check_errors(W + "then archive job end", catalog)
    assert [(type(e), e.line, e.column) for e in errors] == [(InternalError, 1, 6)]
    assert errors[0].message == ("the checker failed while reading this part (KeyError); this is a bug in the "
                                 "checker, not in your rules")


def test_the_command_line_exits_2_when_the_checker_fails(tmp_path, broken_checker, capsys):
    path = tmp_path / "rules.txt"
    path.write_text(W + "then archive job end")
    assert main(["check", str(path)]) == 2
    assert "this is a bug in the checker" in capsys.readouterr().out
    path.write_text(W + "then end")  # a syntax error is the rules' fault: 1
    assert main(["check", str(path)]) == 1


def test_a_compiler_or_formatter_failure_is_a_sentence(catalog, monkeypatch):
    checked = check(W + "then archive job end", catalog)
    monkeypatch.setattr("rules.compiler.format_action", lambda a: 1 / 0)
    with pytest.raises(InternalError):
        try:
            compile_rules(checked)
        except Exception as e:  # RulesErrors holding the InternalError
            raise e.errors[0] from None
    monkeypatch.setattr("rules.formatter._clauses", lambda rs: 1 / 0)
    with pytest.raises(InternalError):
        format_source(W + "then archive job end")

"""The parser reads the contract's shapes and reports syntax mistakes in plain words."""

import pytest

from rules.parser import parse
from rules.errors import RuleSyntaxError


def test_keywords_and_fields_ignore_case():
    upper = parse('RULE "x" WHEN Job Enters Stage "Review" IF Account.Balance > 0 THEN Archive Job END')
    lower = parse('rule "x" when job enters stage "Review" if account.balance > 0 then archive job end')
    assert upper == lower


def test_quotes_and_backslashes_in_texts():
    rs = parse(r'rule "say \"hi\" \\ bye" when job is created then archive job end')
    assert rs.rules[0].name.value == 'say "hi" \\ bye'


def test_comments_are_ignored_outside_quotes():
    rs = parse('# first\nrule "a # not a comment" # trailing\nwhen job is created then archive job end')
    assert rs.rules[0].name.value == "a # not a comment"
    assert [c.text for c in rs.comments] == ["# first", "# trailing"]


def test_spans_point_at_the_words():
    rs = parse('rule "x"\nwhen job enters stage "Review"\nthen\n  archive job\nend')
    stage = rs.rules[0].trigger.stage
    assert (stage.span.line, stage.span.column, stage.span.end_column) == (2, 23, 31)


def test_misspelt_word_is_reported_whole():
    with pytest.raises(RuleSyntaxError) as e:
        parse('rule "x" when job is created then create task "x" due in 3 dayz end')
    assert 'found "dayz"' in e.value.message
    assert e.value.column == 60


SYNTAX_ERRORS = [
    ('rule "x" every 2 days then archive job end', "a schedule cannot repeat every few days",
     "schedules repeat every day, weekday, week, 2 (or more) weeks, month, quarter or year"),
    ('rule "x" when job is created thenarchive job end',
     'expected "then", "for", "if" or "in", found "thenarchive"', 'put a space after "then": then archive'),
    ('rule "x" everyday then archive job end',
     'expected "when" (like: when job enters stage "Review") or "every" (like: every day), found "everyday"',
     'put a space after "every": every day'),
    ('rule "x" when job is created if job.due_date is before 2027-4-1 then archive job end',
     "write dates as year-month-day with two digits for the month and the day", "like 2027-04-01"),
    ('rule "x" when job enters stage Review then archive job end',
     'expected a stage name in quotes, found "Review"', None),
    ('rule "x" when job is created if account.balance > -5 then archive job end',
     "numbers in rules are never negative", "compare the other way round, like account.balance < 0"),
    ('rule "x" every day at 7 then archive job end',
     "expected a time like 07:30, found the number 7", "write the time with minutes, like 07:00"),
    ('rule "x" when job is created then sned email "x" to account end',
     "expected an action such as send email, create task, add tag, move job or notify, found \"sned\"",
     'did you mean "send"?'),
    ('rule "x" when job enters stage "Review\nthen archive job end',
     "this text in quotes is not closed", 'end it with " on the same line (quoted names and texts stay on one line)'),
    ('rule "x\\n" when job is created then archive job end',
     "inside quotes, a backslash must be followed by a quote or another backslash",
     'write \\" for a quote and \\\\ for a backslash'),
    ('rule "x" when job is created if (account.balance > 0 then archive job end',
     'expected ")", found "then"', None),
    ('rule "x" when job is created if account.type is one of ("Company",) then archive job end',
     'expected a value: a field like account.balance, a text in quotes, a number or a date, found ")"', None),
    ('rule', "the rule is not closed: the file ends before its \"end\"",
     'a rule needs a trigger ("when ..." or "every ..."), "then", at least one action and "end"'),
]


@pytest.mark.parametrize("text,message,hint", SYNTAX_ERRORS)
def test_syntax_errors_say_what_was_expected_in_plain_words(text, message, hint):
    with pytest.raises(RuleSyntaxError) as e:
        parse(text)
    assert e.value.message == message
    assert e.value.hint == hint


def test_syntax_errors_stop_at_the_first():
    with pytest.raises(RuleSyntaxError) as e:
        parse('rule "a" when job is creatd then archive job end\nrule "b" every fortnight then archive job end')
    assert e.value.line == 1

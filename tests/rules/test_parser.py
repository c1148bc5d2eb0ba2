"""The parser reads the contract's shapes and reports syntax mistakes in plain words."""

import pytest

from rules.parser import parse
from rules.errors import RuleSyntaxError
from rules import ast as A


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

"""The formatter writes the canonical layout, keeps comments, and never changes the meaning."""

import pytest

from rules import RuleSyntaxError, format_source, parse

from .test_contract_examples import SECTION_1, SECTION_9


def test_contract_examples_are_already_canonical():
    assert format_source(SECTION_1) == SECTION_1
    assert format_source(SECTION_9) == SECTION_9


def test_messy_rule_gets_the_canonical_layout():
    messy = (
        'RULE   "Unpaid"   WHEN Job Enters Stage "Filed" IF Account.Balance>0 AND job.stage = "Filed"\n'
        '   THEN After 2 Day SEND EMAIL "Payment due" TO account\n'
        '     Add Tag "VIP","Overdue" To Account END'
    )
    assert format_source(messy) == (
        'rule "Unpaid"\n'
        'when job enters stage "Filed"\n'
        'if account.balance > 0 and job.stage is "Filed"\n'
        'then\n'
        '  after 2 days send email "Payment due" to account\n'
        '  add tag "VIP", "Overdue" to account\n'
        'end\n'
    )


def test_comments_stay_on_their_lines():
    text = (
        '# Firm rules\n'
        '\n'
        'rule "Done"   # when the work is over\n'
        'when job enters stage "Done"\n'
        '# archive, the client has paid\n'
        'then archive job   # tidy the board\n'
        'end\n'
        '# the end\n'
    )
    assert format_source(text) == (
        '# Firm rules\n'
        'rule "Done"  # when the work is over\n'
        'when job enters stage "Done"\n'
        '# archive, the client has paid\n'
        'then\n'
        '  archive job  # tidy the board\n'
        'end\n'
        '\n'
        '# the end\n'
    )


def test_quotes_backslashes_and_numbers_are_written_back():
    text = r'rule "a \"b\" \\ c" when job is created if invoice.total is 1000.50 then archive job end'
    text = text.replace("invoice.total", "job.name").replace("1000.50", '"x"')
    out = format_source(text)
    assert r'rule "a \"b\" \\ c"' in out
    assert parse(out) == parse(text)


def test_durations_dates_and_schedules_are_canonical():
    text = ('rule "s" EVERY 1 Week ON Friday AT 7:05 for each job where job.due_date - 1 weeks '
            'is before today + 1 Business Day and job.created_at is more than 1 months ago '
            'then add tag "Overdue" to job end')
    out = format_source(text)
    assert "every 1 week on friday at 07:05\n" in out
    assert "job.due_date - 1 week is before today + 1 business day" in out
    assert "job.created_at is more than 1 month ago" in out
    assert parse(out) == parse(text)


def test_parentheses_are_kept_where_written():
    text = 'rule "p" when job is created if not (account has tag "VIP" or account.balance > 0) and (job.name contains "x") then archive job end'
    out = format_source(text)
    assert 'if not (account has tag "VIP" or account.balance > 0) and (job.name contains "x")' in out
    assert parse(out) == parse(text)


def test_formatting_twice_changes_nothing():
    once = format_source(SECTION_9.upper().replace('"', '"'))
    assert format_source(once) == once


def test_text_that_cannot_be_read_is_not_formatted():
    with pytest.raises(RuleSyntaxError):
        format_source('rule "x" when job is created')


def test_empty_file_and_comment_only_file():
    assert format_source("") == ""
    assert format_source("  # just a note  \n") == "# just a note\n"

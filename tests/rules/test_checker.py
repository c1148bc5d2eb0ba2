"""Name, type and meaning errors: each one found, placed and worded for a non-programmer."""

import pytest

from rules import Catalog, check_errors, format_errors

WHEN = 'rule "r"\nwhen job enters stage "Review"\n'


def only(catalog, text):
    errors = check_errors(text, catalog)
    assert len(errors) == 1, format_errors(text, "rules.txt", errors)
    return errors[0]


CASES = [
    # (rule text, message, hint or None, (line, column))
    (WHEN + "if job.stag is \"Review\"\nthen archive job end",
     "there is no field job.stag", 'did you mean "job.stage"?', (3, 4)),
    (WHEN + "if invoce.total > 1\nthen archive job end",
     "there is no field invoce.total", 'did you mean "invoice.total"?', (3, 4)),
    (WHEN + "if job.due_date is before 2027-02-30\nthen archive job end",
     "2027-02-30 is not a date", "write dates as year-month-day, like 2027-04-15", (3, 27)),
    (WHEN + "if account.balance + 3 days > 0\nthen archive job end",
     "only dates can have a duration added or taken away, but account.balance is a number", None, (3, 4)),
    (WHEN + "if job.name contains 3\nthen archive job end",
     '"contains" compares two texts, but job.name is text and 3 is a number', None, (3, 22)),
    (WHEN + "if account.balance is before today\nthen archive job end",
     '"before" compares two dates, but account.balance is a number and today is a date', 'to compare numbers, use "<" or ">"', (3, 4)),
    (WHEN + "if account.name is within 3 days\nthen archive job end",
     '"is within" counts from a date, but account.name is text and 3 days is a length of time', None, (3, 4)),
    (WHEN + "if job.due_date is within 3 hours\nthen archive job end",
     "job.due_date is a date without a time, so count in days, not hours",
     "hours and minutes are for dates and times, like job.entered_stage_at", (3, 27)),
    (WHEN + 'if job.assignee is "Ann Le"\nthen archive job end',
     'there is no team member "Ann Le"', 'did you mean "Ann Lee"?', (3, 20)),
    (WHEN + 'if account.type is one of ("Company", "Trusst")\nthen archive job end',
     '"Trusst" is not an account type', 'did you mean "Trust"?', (3, 39)),
    (WHEN + 'if job.pipeline is "1040 Returns"\nthen archive job end',
     'there is no pipeline "1040 Returns"', 'did you mean "1040 Return"?', (3, 20)),
    ('rule "r"\nwhen job enters stage "Review" in pipeline "Payroll"\nthen archive job end',
     'there is no stage "Review" in pipeline "Payroll"', None, (2, 23)),
    ('rule "r"\nwhen job enters stage "Filed" in pipeline "1040 Return"\nif job.stage is "To do"\nthen archive job end',
     'there is no stage "To do" in pipeline "1040 Return"', None, (3, 17)),
    (WHEN + 'if account has tag "Vipp"\nthen archive job end',
     'there is no tag "Vipp"', 'did you mean "VIP"?', (3, 20)),
    (WHEN + 'then\n  send message "Welcome" to account\nend',
     'there is no message template "Welcome"', '"Welcome" is an email template, not a message template', (4, 16)),
    (WHEN + 'then\n  send email "Welcome" to contact\nend',
     "this trigger carries no contact, so to contact can't be used here", None, (4, 27)),
    (WHEN + 'then\n  send email "Welcome" to "books@example"\nend',
     '"books@example" is not a complete email address', 'write it like "books@example.com"', (4, 27)),
    (WHEN + 'then\n  send email "Welcome" to account with reminders every 2 days\nend',
     "an email can't have reminders", None, (4, 35)),
    (WHEN + 'then\n  send organizer "1040 Organizer" to account with reminders every 2 hours\nend',
     "reminders are sent every few days", None, (4, 67)),
    (WHEN + 'then\n  create task "Call {{ account.nme }}"\nend',
     'there is no placeholder "account.nme"', 'did you mean "account.name"?', (4, 21)),
    (WHEN + 'then\n  create task "Call {{ account }}"\nend',
     "say which field of the account to show", None, (4, 21)),
    (WHEN + 'then\n  create task "Call {{ account.name"\nend',
     "this placeholder is not closed", "end it with }}", (4, 21)),
    (WHEN + 'then\n  create task "{% for x in y %}"\nend',
     "only {{ ... }} placeholders can be used in rules", None, (4, 16)),
    (WHEN + 'then\n  create task "{{ account.name * 9 }}"\nend',
     "the placeholder {{ account.name * 9 }} is not a field", None, (4, 16)),
    (WHEN + 'then\n  create task "x" due on now\nend',
     '"due on" takes a date, but now is a date and time', None, (4, 26)),
    (WHEN + 'then\n  add tag "{{ job.name }}" to job\nend',
     "placeholders like {{ ... }} can't be used in names", None, (4, 11)),
    (WHEN + 'then\n  assign job to account.name\nend',
     "account.name is not a team member", None, (4, 17)),
    (WHEN + 'then\n  after 1.5 days archive job\nend',
     "write a whole number of days, not 1.5", None, (4, 9)),
    (WHEN + 'then\n  after 200 years archive job\nend',
     "200 years is longer than rules can count", "durations go up to 100 years (100 years)", (4, 9)),
    ('rule "r"\nwhen invoice is paid\nthen\n  create job "Follow up" in pipeline "Payrol"\nend',
     'there is no pipeline "Payrol"', 'did you mean "Payroll"?', (4, 38)),
    ('rule "r"\nwhen tag "VIP" is added to account\nthen\n  archive job\nend',
     "this trigger carries no job, so archive job can't be used here", None, (4, 3)),
    ('rule "r"\nwhen job enters stage "Review"\nfor each account where account.balance > 0\nthen archive job end',
     '"for each" can only follow a schedule ("every ...")', None, (3, 1)),
    ('rule "r"\nevery day\nthen\n  add tag "VIP" to account\nend',
     'a schedule without "for each" carries nothing, so it can only notify a team member, send an '
     'email to a team member or an address, or send a webhook', None, (4, 3)),
    ('rule "r"\nevery day\nthen\n  notify job.assignee "hi"\nend',
     'a schedule without "for each" carries nothing, so it can only notify a team member, send an '
     'email to a team member or an address, or send a webhook', None, (4, 3)),
    ('rule "r"\nevery day\nfor each account where job.stage is "Review"\nthen notify "Ann Lee" "x" end',
     '"for each account" carries no job, so job.stage can\'t be used here', None, (3, 24)),
    ('rule "r"\nevery month on day 0\nthen notify "Ann Lee" "x" end',
     "there is no day 0 in a month", None, (2, 20)),
    ('rule "r"\nevery year on february 30\nthen notify "Ann Lee" "x" end',
     "february has no day 30", "write a day from 1 to 29", (2, 15)),
    ('rule "r"\nevery 0 weeks on monday\nthen notify "Ann Lee" "x" end',
     "0 is not a number of weeks", None, (2, 7)),
    ('rule "r"\nevery day at 7:60\nthen notify "Ann Lee" "x" end',
     "7:60 is not a time of day", None, (2, 14)),
    ('rule ""\nevery day\nthen notify "Ann Lee" "x" end',
     "the rule has no name", None, (1, 6)),
    (WHEN + 'then\n  send webhook "hooks.example.com/practice"\nend',
     '"hooks.example.com/practice" is not a web address: a webhook goes to an address that starts with https://',
     'write it like "https://example.com/hooks"', (4, 16)),
    (WHEN + 'then\n  send webhook "ftp://files.example.com/in"\nend',
     '"ftp://files.example.com/in" is not a web address: a webhook goes to an address that starts with https://',
     'write it like "https://example.com/hooks"', (4, 16)),
    (WHEN + 'then\n  send webhook "https://ann:secret@hooks.example.com/x"\nend',
     "leave the user name and password out of the webhook's address: each webhook is signed instead",
     'write it like "https://example.com/hooks"', (4, 16)),
    (WHEN + 'then\n  send webhook "https://hooks.example.com:44x/x"\nend',
     'the port in "https://hooks.example.com:44x/x" is not a number', None, (4, 16)),
    (WHEN + 'then\n  send webhook ""\nend', "the webhook has no address", None, (4, 16)),
    (WHEN + 'then\n  send webhook "https://hooks.example.com/{{ job.name }}"\nend',
     "placeholders like {{ ... }} can't be used in a webhook's address",
     "the webhook carries the rule's job and account itself", (4, 16)),
]


@pytest.mark.parametrize("text,message,hint,where", CASES, ids=[c[1][:50] for c in CASES])
def test_error_is_found_placed_and_worded(catalog, text, message, hint, where):
    error = only(catalog, text)
    assert error.message == message
    if hint is not None:
        assert error.hint == hint
    assert (error.line, error.column) == where


def test_schedule_may_email_a_team_member_or_an_address(catalog):
    text = ('rule "r"\nevery weekday at 08:00\nthen\n  send email "Welcome" to "Ann Lee"\n'
            '  send email "Welcome" to "books@example.com"\n  notify "Bob Stone" "Good morning"\nend\n')
    assert check_errors(text, catalog) == []


def test_webhooks_to_web_addresses_are_accepted_even_on_a_bare_schedule(catalog):
    text = ('rule "r"\nwhen job enters stage "Review"\nthen\n  send webhook "https://hooks.example.com/practice"\n'
            '  after 2 days send webhook "http://192.168.1.20:8080/in"\nend\n'
            'rule "s"\nevery day at 07:00\nthen\n  send webhook "https://hooks.example.com/daily"\nend\n')
    assert check_errors(text, catalog) == []


def test_the_webhook_address_is_missing(catalog):
    errors = check_errors('rule "r"\nwhen job is created\nthen send webhook\nend', catalog)
    assert [e.message for e in errors] == ['expected the address in quotes, like "https://example.com/hooks", found "end"']


def test_job_if_linked_may_be_used(catalog):
    text = ('rule "r"\nwhen invoice is paid\nif job.stage is "Filed" and invoice.total > 0\nthen\n'
            '  move job to stage "Done"\n  notify job.assignee "Paid: {{ invoice.number }}"\nend\n')
    assert check_errors(text, catalog) == []


def test_errors_come_as_plain_data_for_the_editor(catalog):
    [error] = check_errors(WHEN + 'if job.stag is "Review"\nthen archive job end', catalog)
    assert error.as_dict() == {
        "line": 3, "column": 4, "end_line": 3, "end_column": 12,
        "message": "there is no field job.stag", "hint": 'did you mean "job.stage"?',
        "kind": "UnknownNameError",
    }


def test_empty_catalog_reports_unknown_names_without_hints():
    errors = check_errors('rule "r" when job enters stage "Review" then archive job end', Catalog())
    assert [e.message for e in errors] == ['there is no stage "Review" in any pipeline']
    assert errors[0].hint is None


def test_name_errors_are_told_through_the_readers_translation(catalog):
    """rules/ knows nothing of the app: a translation function (message in English -> in the reader's language) is
    passed in, and the "did you mean" suggestion survives it; without one the messages stay English."""
    said = []

    def shout(message: str) -> str:
        said.append(message)
        return "<" + message + ">"

    text = WHEN + 'if job.pipeline is "1040 Returns"\nthen archive job end'
    (error,) = check_errors(text, catalog, tr=shout)
    assert error.message == '<there is no pipeline "1040 Returns">'
    assert error.hint == '<did you mean "1040 Return"?>'
    assert said == ['did you mean "{name}"?', 'there is no pipeline "{name}"']
    assert only(catalog, text).message == 'there is no pipeline "1040 Returns"'


def test_type_schedule_and_choice_errors_are_told_through_the_readers_translation(catalog):
    """Not only name errors: type and schedule messages, their hints, the words for types and the "or" that joins
    the choices are each asked of the reader's translation."""
    said = []

    def shout(message: str) -> str:
        said.append(message)
        return "<" + message + ">"

    text = ('rule "r"\nwhen job enters stage "Review"\nif job.name > 5 and job.priority is "Urgent"\n'
            'then archive job end\nrule "s" every day at 25:00 for each job where job.name is "x" then archive job '
            'end')
    errors = check_errors(text, catalog, tr=shout)
    assert errors and all(e.message.startswith("<") for e in errors)
    assert all(e.hint is None or e.hint.startswith("<") for e in errors)
    assert "{value} is {type_words}, but {value2} is {type_words2}" in said and "a number" in said
    assert "{first} or {last}" in said and "write {choices}" in said
    assert "{at_text} is not a time of day" in said

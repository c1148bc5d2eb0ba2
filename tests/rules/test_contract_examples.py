"""Every example of the contract (rules-language.md): accepted ones pass and mean what the
contract says; rejected ones fail with golden messages (line, column, caret, hint)."""

from datetime import date, datetime, timedelta, timezone

import pytest

from rules import (
    Event, RulesErrors, check, check_errors, compile_rules, evaluate, format_errors,
    next_occurrences,
)


NOW = datetime(2027, 4, 15, 14, 0, tzinfo=timezone.utc)  # a Thursday
TZ = "America/New_York"

SECTION_1 = '''\
# A comment runs from # to the end of the line.
rule "Welcome new 1040 clients"
when job enters stage "Onboarding" in pipeline "1040 Return"
if account.type is "Individual" and account does not have tag "Returning"
then
  send email "Welcome" to account
  apply folder template "1040 folders"
  add tag "New client" to account
  create task "Call {{ account.name }}" for job.assignee due in 2 days
end
'''

SECTION_9 = '''\
rule "Chase organizer"
when job enters stage "Waiting for info" in pipeline "1040 Return"
then
  send organizer "1040 Organizer" to account with reminders every 3 days up to 5 times
  notify job.assignee "Organizer sent to {{ account.name }}"
end

rule "Organizer in, start preparing"
when organizer is submitted
if job.stage is "Waiting for info"
then
  move job to next stage
end

rule "Automove when the client is done"
when stage items are completed
if job.pipeline is "1040 Return"
then
  move job to next stage
end

rule "Unpaid after filing"
when job enters stage "Filed"
if account.balance > 0
then
  after 2 days send email "Payment due" to account
end

rule "Quarterly payroll"
every quarter on day 1 at 08:00
for each account where account has tag "Payroll"
then
  create job "Payroll Q{{ quarter }} {{ year }}" in pipeline "Payroll" for account due in 15 days
end

rule "Flag overdue"
every day at 07:00
for each job where job.due_date is before today and job.stage is not "Done"
then
  add tag "Overdue" to job
end

rule "VIP engagement"
when job is created in pipeline "1040 Return"
if account has tag "VIP" or (account.type is one of ("Company", "Trust") and account.balance >= 5000)
then
  send proposal "Engagement 2027" to account with reminders every 2 days
  assign job to "Ann Lee"
end
'''

SCHEDULES = [
    "every day", "every weekday", "every monday", "every week on friday",
    "every 2 weeks on monday", "every month on day 15", "every month on the last day",
    "every quarter on day 1", "every quarter on the last day", "every year on april 15",
    "every day at 7:30", "every day at 07:30",
]


def job(**over):
    base = {"name": "1040 2026", "stage": "Onboarding", "pipeline": "1040 Return",
            "assignee": "Ann Lee", "priority": "Medium", "due_date": date(2027, 4, 15),
            "created_at": NOW - timedelta(days=10), "entered_stage_at": NOW - timedelta(days=1),
            "tags": []}
    base.update(over)
    return base


def account(**over):
    base = {"name": "Smith family", "type": "Individual", "balance": 0, "tags": []}
    base.update(over)
    return base


@pytest.fixture
def compiled(catalog):
    return compile_rules(check(SECTION_1 + "\n" + SECTION_9, catalog), tz=TZ)


def fired(decisions):
    return [d.rule for d in decisions if d.fired]


# ---------------------------------------------------------------- accepted


def test_section_1_and_9_examples_are_accepted(catalog):
    assert check_errors(SECTION_1, catalog) == []
    assert check_errors(SECTION_9, catalog) == []
    assert len(check(SECTION_1 + SECTION_9, catalog)) == 8


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_every_schedule_form_is_accepted(catalog, schedule):
    text = f'rule "s"\n{schedule}\nthen\n  notify "Ann Lee" "hello"\nend\n'
    assert check_errors(text, catalog) == []


def test_welcome_rule_runs_its_four_actions_for_a_new_individual(compiled):
    event = Event("job_entered_stage", stage="Onboarding", pipeline="1040 Return")
    [d] = evaluate(compiled, event, {"job": job(), "account": account()}, NOW)
    assert d.fired
    assert [a.action for a in d.actions] == ["send_email", "apply_folder_template", "add_tags", "create_task"]
    task = d.actions[3].args
    assert task == {"title": "Call Smith family", "assignee": "Ann Lee", "due": date(2027, 4, 17)}


def test_welcome_rule_skips_returning_clients_and_companies(compiled):
    event = Event("job_entered_stage", stage="Onboarding", pipeline="1040 Return")
    [d] = evaluate(compiled, event, {"job": job(), "account": account(tags=["returning"])}, NOW)
    assert not d.fired
    assert [(p.text, p.result) for p in d.parts] == [
        ('account.type is "Individual"', True), ('account does not have tag "Returning"', False)]
    [d] = evaluate(compiled, event, {"job": job(), "account": account(type="Company")}, NOW)
    assert not d.fired


def test_chase_organizer_sends_with_reminders(compiled):
    event = Event("job_entered_stage", stage="Waiting for info", pipeline="1040 Return")
    [d] = evaluate(compiled, event, {"job": job(stage="Waiting for info"), "account": account()}, NOW)
    send, note = d.actions
    assert send.args["template"] == "1040 Organizer"
    assert send.args["reminders"]["times"] == 5 and send.args["reminders"]["every"].amount == 3
    assert note.args == {"member": "Ann Lee", "text": "Organizer sent to Smith family"}


def test_organizer_submitted_moves_the_linked_job_to_the_next_stage(compiled):
    facts = {"job": job(stage="Waiting for info"), "account": account(), "item": {"name": "1040"}}
    [d] = evaluate(compiled, Event("organizer_submitted"), facts, NOW)
    assert d.fired and d.actions[0].args["stage"] == "Preparation"


def test_organizer_without_a_linked_job_does_not_run_and_says_why(compiled):
    [d] = evaluate(compiled, Event("organizer_submitted"), {"account": account()}, NOW)
    assert not d.fired and "not linked to a job" in d.reason


def test_automove_when_stage_items_are_completed(compiled):
    [d] = evaluate(compiled, Event("stage_items_completed"),
                   {"job": job(stage="Review"), "account": account()}, NOW)
    assert d.actions[0].args["stage"] == "Filed"


def test_next_stage_past_the_last_fails_with_a_plain_reason(compiled):
    [d] = evaluate(compiled, Event("stage_items_completed"),
                   {"job": job(stage="Done"), "account": account()}, NOW)
    assert d.fired and d.actions == () and "last stage" in d.error


def test_unpaid_after_filing_is_delayed_two_days(compiled):
    event = Event("job_entered_stage", stage="Filed", pipeline="1040 Return")
    [d] = evaluate(compiled, event, {"job": job(stage="Filed"), "account": account(balance=120)}, NOW)
    [a] = d.actions
    assert a.delay.amount == 2 and a.run_at == NOW + timedelta(days=2)
    [d] = evaluate(compiled, event, {"job": job(stage="Filed"), "account": account(balance=0)}, NOW)
    assert not d.fired


def test_stage_trigger_without_pipeline_fires_in_every_pipeline(catalog):
    text = 'rule "d" when job enters stage "Done" then archive job end'
    c = compile_rules(check(text, catalog))
    for pipeline in ("1040 Return", "Payroll"):
        [d] = evaluate(c, Event("job_entered_stage", stage="Done", pipeline=pipeline),
                       {"job": job(stage="Done", pipeline=pipeline), "account": account()}, NOW)
        assert d.fired


def test_quarterly_payroll_runs_on_the_first_day_of_each_quarter(compiled):
    rule = compiled.rule("Quarterly payroll")
    moments = next_occurrences(rule.schedule, NOW, TZ, count=4)
    assert [(m.month, m.day, m.hour) for m in moments] == [(7, 1, 8), (10, 1, 8), (1, 1, 8), (4, 1, 8)]
    july = moments[0]
    [d] = evaluate(compiled, Event("schedule", rule="Quarterly payroll"),
                   {"account": account(tags=["Payroll"])}, july)
    assert d.actions[0].args["name"] == "Payroll Q3 2027"
    assert d.actions[0].args["due"] == date(2027, 7, 16)


def test_flag_overdue_tags_jobs_due_before_today_and_not_done(compiled):
    event = Event("schedule", rule="Flag overdue")
    late = {"job": job(due_date=date(2027, 4, 14), stage="Review"), "account": account()}
    done = {"job": job(due_date=date(2027, 4, 14), stage="Done"), "account": account()}
    due_today = {"job": job(due_date=date(2027, 4, 15), stage="Review"), "account": account()}
    assert fired(evaluate(compiled, event, late, NOW)) == ["Flag overdue"]
    assert fired(evaluate(compiled, event, done, NOW)) == []
    assert fired(evaluate(compiled, event, due_today, NOW)) == []


def test_vip_engagement_for_vips_or_big_companies(compiled):
    event = Event("job_created", pipeline="1040 Return")
    vip = {"job": job(), "account": account(tags=["VIP"])}
    big = {"job": job(), "account": account(type="Trust", balance=5000)}
    small = {"job": job(), "account": account(type="Company", balance=4999.99)}
    assert fired(evaluate(compiled, event, vip, NOW)) == ["VIP engagement"]
    assert fired(evaluate(compiled, event, big, NOW)) == ["VIP engagement"]
    assert fired(evaluate(compiled, event, small, NOW)) == []
    [d] = evaluate(compiled, event, vip, NOW)
    assert d.actions[0].args["reminders"]["times"] == 1  # "up to" defaults to 1
    assert d.actions[1].args == {"assignee": "Ann Lee"}


# ---------------------------------------------------------------- rejected (golden)

REJECTED = {
    "unknown stage in a pipeline (the contract's own example)": (
        '# Reviews\n'
        'rule "Ready for review"\n'
        'when job enters stage "Reveiw" in pipeline "1040 Return"\n'
        'then\n'
        '  notify job.assignee "Ready for review: {{ job.name }}"\n'
        'end\n',
        'rules.txt:3:23: error: there is no stage "Reveiw" in pipeline "1040 Return"\n'
        '  3 | when job enters stage "Reveiw" in pipeline "1040 Return"\n'
        '    |                       ^^^^^^^^\n'
        '  hint: did you mean "Review"?',
    ),
    "unknown stage in any pipeline": (
        'rule "Review"\n'
        'when job enters stage "Reveiw"\n'
        'then\n'
        '  archive job\n'
        'end\n',
        'rules.txt:2:23: error: there is no stage "Reveiw" in any pipeline\n'
        '  2 | when job enters stage "Reveiw"\n'
        '    |                       ^^^^^^^^\n'
        '  hint: did you mean "Review"?',
    ),
    "thousands separator": (
        'rule "Big balance"\n'
        'when job enters stage "Review"\n'
        'if account.balance > 1,000\n'
        'then\n'
        '  notify job.assignee "Check the balance"\n'
        'end\n',
        'rules.txt:3:22: error: write numbers without separators, like 1000\n'
        '  3 | if account.balance > 1,000\n'
        '    |                      ^^^^^\n'
        '  hint: in a list of values, put a space after each comma',
    ),
    "number compared with text": (
        'rule "Lots owed"\n'
        'when job enters stage "Review"\n'
        'if account.balance > "lots"\n'
        'then\n'
        '  notify job.assignee "Check the balance"\n'
        'end\n',
        'rules.txt:3:22: error: account.balance is a number, but "lots" is text\n'
        '  3 | if account.balance > "lots"\n'
        '    |                      ^^^^^^\n'
        '  hint: write numbers without quotes, like 1000',
    ),
    "unknown email template": (
        'rule "Welcome"\n'
        'when job enters stage "Onboarding"\n'
        'then\n'
        '  send email "Welcom" to account\n'
        'end\n',
        'rules.txt:4:14: error: there is no email template "Welcom"\n'
        '  4 |   send email "Welcom" to account\n'
        '    |              ^^^^^^^^\n'
        '  hint: did you mean "Welcome"?',
    ),
    "missing then": (
        'rule "Review started"\n'
        'when job enters stage "Review"\n'
        '  send email "Welcome" to account\n'
        'end\n',
        'rules.txt:3:3: error: "then" is missing before the actions\n'
        '  3 |   send email "Welcome" to account\n'
        '    |   ^^^^\n'
        '  hint: write "then" on its own line before the first action',
    ),
    "field the trigger does not carry": (
        'rule "Big invoice"\n'
        'when job enters stage "Review"\n'
        'if invoice.total > 100\n'
        'then\n'
        '  notify job.assignee "Big invoice"\n'
        'end\n',
        "rules.txt:3:4: error: this trigger carries no invoice, so invoice.total can't be used here\n"
        '  3 | if invoice.total > 100\n'
        '    |    ^^^^^^^^^^^^^\n'
        '  hint: invoice is carried by rules that start with "when invoice is paid"',
    ),
    "after at the end of an action": (
        'rule "Welcome later"\n'
        'when job enters stage "Onboarding"\n'
        'then\n'
        '  send email "Welcome" to account after 2 days\n'
        'end\n',
        'rules.txt:4:35: error: "after 2 days" belongs at the start of the action it delays, not at its end\n'
        '  4 |   send email "Welcome" to account after 2 days\n'
        '    |                                   ^^^^^^^^^^^^\n'
        '  hint: write it first, like: after 2 days send email "Welcome" to account',
    ),
    "rule not closed at the end of the file": (
        'rule "Done"\n'
        'when job enters stage "Done"\n'
        'then\n'
        '  archive job\n'
        'end\n'
        '\n'
        'rule "Filed"\n'
        'when job enters stage "Filed"\n'
        'then\n'
        '  send email "Payment due" to account\n',
        'rules.txt:7:1: error: the rule "Filed" is not closed: the file ends before its "end"\n'
        '  7 | rule "Filed"\n'
        '    | ^^^^^^^^^^^^\n'
        '  hint: write "end" after its last action',
    ),
    "missing end before the next rule": (
        'rule "Done"\n'
        'when job enters stage "Done"\n'
        'then\n'
        '  archive job\n'
        'rule "Filed"\n'
        'when job enters stage "Filed"\n'
        'then\n'
        '  archive job\n'
        'end\n',
        'rules.txt:5:1: error: "end" is missing: the rule "Done" must be closed before the next rule starts\n'
        '  5 | rule "Filed"\n'
        '    | ^^^^\n'
        '  hint: write "end" after the last action of the rule "Done"',
    ),
}


@pytest.mark.parametrize("name", list(REJECTED))
def test_rejected_example_has_the_golden_message(catalog, name):
    text, golden = REJECTED[name]
    errors = check_errors(text, catalog)
    assert format_errors(text, "rules.txt", errors) == golden
    with pytest.raises(RulesErrors):
        check(text, catalog)


def test_name_and_type_errors_are_all_reported(catalog):
    text = (
        'rule "Many mistakes"\n'
        'when job enters stage "Reveiw"\n'
        'if account.balance > "lots" and job.priority is "Urgent"\n'
        'then\n'
        '  send email "Welcom" to account\n'
        '  add tag "VIPP" to account\n'
        '  assign job to "Ann Le"\n'
        'end\n'
    )
    errors = check_errors(text, catalog)
    assert [(e.line, e.column) for e in errors] == [(2, 23), (3, 22), (3, 49), (5, 14), (6, 11), (7, 17)]
    assert [e.hint for e in errors] == [
        'did you mean "Review"?', "write numbers without quotes, like 1000",
        'write "Low", "Medium" or "High"', 'did you mean "Welcome"?', 'did you mean "VIP"?',
        'did you mean "Ann Lee"?',
    ]


def test_names_match_ignoring_case_and_surrounding_spaces(catalog):
    text = ('rule "x" when job enters stage " review " in pipeline "1040 RETURN" '
            'then send email "welcome " to account add tag "vip" to account end')
    assert check_errors(text, catalog) == []


def test_rule_names_are_unique_compared_like_names(catalog):
    text = ('rule "Welcome" when job is created then archive job end\n'
            'rule " welcome " when job is created then archive job end\n')
    [e] = check_errors(text, catalog)
    assert e.line == 2 and "already a rule named" in e.message


# Every form the contract lists in §3 and §4, each accepted in a rule that carries what it uses.
CONDITION_FORMS = [
    'job.stage is "Review"', 'job.stage = "Review"', 'job.stage is not "Done"', 'job.stage != "Done"',
    "account.balance < 10", "account.balance <= 10", "account.balance > 10", "account.balance >= 10",
    'job.name contains "2027"', 'job.name does not contain "draft"', 'job.name starts with "1040"',
    'account.type is one of ("Company", "Trust")', 'account.type is not one of ("Company", "Trust")',
    "job.due_date is empty", "job.due_date is not empty",
    'account has tag "VIP"', 'account does not have tag "VIP"', 'job has tag "VIP"', 'contact has tag "VIP"',
    'not account has tag "VIP" and (job.priority is "High" or job.priority is "Medium")',
    "account.balance > 1000.50", "job.due_date is before today", "job.due_date is after 2027-01-31",
    "job.due_date is within 7 days", "job.entered_stage_at is more than 3 days ago",
    "invoice.due_date is less than 2 weeks ago", "job.due_date < today + 3 days",
    "job.due_date - 1 week is before now", "job.start_date is before job.due_date",
    "job.created_at is after today - 2 business days", "job.entered_stage_at is within 90 minutes",
    "account.created_at is more than 1 year ago", "job.due_date is within 1 month",
    'job.assignee is "Ann Lee"', 'job.pipeline is "1040 Return"', 'job.priority is one of ("Low", "High")',
    'contact.email starts with "ann@"', 'contact.first_name is "Ann" and contact.last_name is "Lee"',
    'invoice.number is "INV-1"', "invoice.total >= 100",
]

ACTION_FORMS = [
    'send email "Welcome" to account', 'send email "Welcome" to contact',
    'send email "Welcome" to job.assignee', 'send email "Welcome" to "Ann Lee"',
    'send email "Welcome" to "books@example.com"', 'send message "Portal hello" to account',
    'send organizer "1040 Organizer" to account', 'send proposal "Engagement 2027" to account',
    'send invoice "Monthly fee" to account',
    'request signature on "Engagement letter" from account',
    'request approval of folder "2026 Return" from account',
    'send invoice "Monthly fee" to account with reminders every 3 days up to 5 times',
    'request approval of folder "2026 Return" from account with reminders every 7 days',
    'create task "Call"', 'create task "Call" for job.assignee', 'create task "Call" for "Bob Stone"',
    'create task "Call" due in 2 days', 'create task "Call" due on 2027-04-15',
    'create task "Call" for "Ann Lee" due on job.due_date - 1 week', 'create task "Call" due on today + 3 days',
    'create job "Follow up" in pipeline "Payroll"', 'create job "Follow up" in pipeline "Payroll" for account',
    'create job "Follow up" in pipeline "Payroll" for account due in 15 days',
    'add tag "VIP" to account', 'add tag "VIP", "Overdue" to job', 'remove tag "VIP" from contact',
    'apply folder template "1040 folders"', 'move job to stage "Review"', 'move job to next stage',
    'assign job to job.assignee', 'assign job to "Ann Lee"', 'archive job',
    'notify job.assignee "Look at {{ job.name }}"', 'notify "Ann Lee" "Paid: {{ invoice.total }}"',
    'after 2 days send email "Welcome" to account', 'after 3 business days archive job',
    'after 90 minutes notify "Ann Lee" "Done {{ today }} {{ month }} {{ quarter }} {{ year }}"',
]

# "when invoice is paid" carries the invoice, account and contact, and the job if linked.
HOST = 'rule "Form"\nwhen invoice is paid\n{clause}\nthen\n  {action}\nend\n'


@pytest.mark.parametrize("condition", CONDITION_FORMS)
def test_every_condition_form_of_the_contract_is_accepted(catalog, condition):
    text = HOST.format(clause=f"if {condition}", action="archive job")
    assert check_errors(text, catalog) == [], format_errors(text, "rules.txt", check_errors(text, catalog))


@pytest.mark.parametrize("action", ACTION_FORMS)
def test_every_action_form_of_the_contract_is_accepted(catalog, action):
    text = HOST.format(clause="", action=action)
    assert check_errors(text, catalog) == [], format_errors(text, "rules.txt", check_errors(text, catalog))


def test_every_action_form_plans_on_a_job(catalog):
    text = 'rule "All"\nwhen invoice is paid\nthen\n' + "".join(f"  {a}\n" for a in ACTION_FORMS) + "end\n"
    c = compile_rules(check(text, catalog), tz=TZ)
    facts = {"job": job(stage="Review"), "account": account(), "contact": {"email": "ann@example.com"},
             "item": {"number": "INV-1", "total": 120, "due_date": date(2027, 4, 1)}}
    [d] = evaluate(c, Event("invoice_paid"), facts, NOW)
    assert d.error is None
    assert len(d.actions) == len(ACTION_FORMS)
    assert d.actions[-1].args["text"] == "Done 2027-04-15 April 2 2027"

"""Evaluating rules on events: what fires, why, and the actions planned with their arguments."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from rules import (
    ACTION_NAMES, EvaluationError, Event, check, compile_rules, decide_each, dry_run, evaluate, matching, prepare_facts,
    run_delayed,
)
from rules.placeholders import MAX_RENDERED, RenderError, compile_text, render

NOW = datetime(2027, 4, 15, 14, 0, tzinfo=timezone.utc)  # 10:00 in New York, a Thursday
TZ = "America/New_York"


def compiled(catalog, text, tz=TZ):
    return compile_rules(check(text, catalog), tz=tz)


def job(**over):
    base = {"name": "1040 2026", "stage": "Review", "pipeline": "1040 Return", "assignee": "Ann Lee",
            "due_date": date(2027, 4, 20), "entered_stage_at": NOW - timedelta(days=5), "tags": []}
    base.update(over)
    return base


def account(**over):
    base = {"name": "Smith family", "type": "Individual", "balance": Decimal("1200.00"), "tags": ["VIP"]}
    base.update(over)
    return base


ENTERED_REVIEW = Event("job_entered_stage", stage="Review", pipeline="1040 Return")


def test_the_benchmark_condition_fires_and_logs_each_part(catalog):
    c = compiled(catalog, 'rule "Nudge"\nwhen job enters stage "Review"\nif job.stage is "review" and '
                          'account has tag "vip" and account.balance > 1000 and job.entered_stage_at '
                          'is more than 3 days ago\nthen\n  notify job.assignee "Look at {{ job.name }}"\nend\n')
    [d] = evaluate(c, ENTERED_REVIEW, {"job": job(), "account": account()}, NOW)
    assert d.fired and d.ok
    assert [(p.text, p.result) for p in d.parts] == [
        ('job.stage is "review"', True), ('account has tag "vip"', True),
        ("account.balance > 1000", True), ("job.entered_stage_at is more than 3 days ago", True)]
    assert d.parts[2].values == {"account.balance": Decimal("1200.00")}
    [a] = d.actions
    assert (a.index, a.action, a.args) == (0, "notify", {"member": "Ann Lee", "text": "Look at 1040 2026"})


def test_a_moment_compared_with_a_date_counts_by_its_date_in_the_firms_time_zone(catalog):
    c = compiled(catalog, 'rule "r" when job enters stage "Review" if job.entered_stage_at is before today '
                          'then archive job end')
    # 02:00 UTC on April 15 is still April 14 in New York: before "today" (April 15).
    late = job(entered_stage_at=datetime(2027, 4, 15, 2, 0, tzinfo=timezone.utc))
    assert evaluate(c, ENTERED_REVIEW, {"job": late, "account": account()}, NOW)[0].fired
    c_utc = compiled(catalog, 'rule "r" when job enters stage "Review" if job.entered_stage_at is before today '
                              'then archive job end', tz="UTC")
    assert not evaluate(c_utc, ENTERED_REVIEW, {"job": late, "account": account()}, NOW)[0].fired


def test_business_days_skip_the_weekend(catalog):
    c = compiled(catalog, 'rule "r" when job enters stage "Review" then create task "Check" due in 2 business days end')
    [d] = evaluate(c, ENTERED_REVIEW, {"job": job(), "account": account()}, NOW)
    assert d.actions[0].args["due"] == date(2027, 4, 19)  # Thursday + 2 business days = Monday


def test_due_on_a_date_field_minus_a_week(catalog):
    c = compiled(catalog, 'rule "r" when job enters stage "Review" then create task "Prepare" '
                          'for "Bob Stone" due on job.due_date - 1 week end')
    [d] = evaluate(c, ENTERED_REVIEW, {"job": job(), "account": account()}, NOW)
    assert d.actions[0].args == {"title": "Prepare", "assignee": "Bob Stone", "due": date(2027, 4, 13)}


def test_missing_values_are_never_equal_but_are_empty(catalog):
    c = compiled(catalog, 'rule "a" when job enters stage "Review" if job.due_date is empty and '
                          'job.assignee is not "Ann Lee" and not (job.due_date < today) then archive job end')
    [d] = evaluate(c, ENTERED_REVIEW, {"job": job(due_date=None, assignee=None), "account": account()}, NOW)
    assert d.fired


def test_facts_may_be_objects_and_iso_text(catalog):
    @dataclass
    class Job:
        name: str = "x"
        stage: str = "Review"
        pipeline: str = "1040 Return"
        assignee: str = "Ann Lee"
        due_date: str = "2027-04-10"
        tags: tuple = ()

    c = compiled(catalog, 'rule "r" when job enters stage "Review" if job.due_date is before today and '
                          'account.balance > 5 then archive job end')
    [d] = evaluate(c, ENTERED_REVIEW, {"job": Job(), "account": {"balance": "12.50"}}, NOW)
    assert d.fired


def test_facts_of_the_wrong_type_are_a_plain_error(catalog):
    c = compiled(catalog, 'rule "r" when job enters stage "Review" if account.balance > 5 then archive job end')
    with pytest.raises(EvaluationError) as e:
        evaluate(c, ENTERED_REVIEW, {"job": job(), "account": account(balance="lots")}, NOW)
    assert e.value.message == "the facts give 'lots' for account.balance, which is not a number"


def test_only_rules_whose_trigger_matches_are_decided(catalog):
    c = compiled(catalog, 'rule "a" when job enters stage "Review" in pipeline "1040 Return" then archive job end\n'
                          'rule "b" when job enters stage "Done" then archive job end\n'
                          'rule "c" when job leaves stage "Review" then archive job end\n'
                          'rule "d" when tag "VIP" is added to job then archive job end\n')
    assert [d.rule for d in evaluate(c, ENTERED_REVIEW, {"job": job(), "account": account()}, NOW)] == ["a"]
    assert evaluate(c, Event("job_entered_stage", stage="Review", pipeline="Payroll"),
                    {"job": job(), "account": account()}, NOW) == []
    tag_on_job = Event("tag_added", tag="vip", target="job")
    assert [d.rule for d in evaluate(c, tag_on_job, {"job": job(), "account": account()}, NOW)] == ["d"]
    assert evaluate(c, Event("tag_added", tag="VIP", target="account"), {"account": account()}, NOW) == []


def test_dry_run_explains_every_rule(catalog):
    c = compiled(catalog, 'rule "a" when job enters stage "Review" if account.balance > 5000 then archive job end\n'
                          'rule "b" when invoice is paid then archive job end\n')
    a, b = dry_run(c, ENTERED_REVIEW, {"job": job(), "account": account()}, NOW)
    assert not a.fired and a.reason == "the if condition is not met"
    assert a.parts[0].values == {"account.balance": Decimal("1200.00")}
    assert not b.fired and b.reason.startswith("this rule starts on invoice paid")


def test_rules_fire_in_file_order_and_a_failed_action_stops_its_rule(catalog):
    c = compiled(catalog, 'rule "first" when job enters stage "Review" then\n'
                          '  add tag "VIP" to job\n  send email "Welcome" to job.assignee\n  archive job\nend\n'
                          'rule "second" when job enters stage "Review" then archive job end\n')
    first, second = evaluate(c, ENTERED_REVIEW, {"job": job(assignee=None), "account": account()}, NOW)
    assert (first.rule, second.rule) == ("first", "second")
    assert [a.action for a in first.actions] == ["add_tags"]
    assert first.error == 'send email "Welcome" to job.assignee: the job has no assignee'
    assert second.ok


def test_move_to_a_stage_the_jobs_pipeline_lacks_fails_plainly(catalog):
    c = compiled(catalog, 'rule "r" when invoice is paid then move job to stage "Filed" end')
    payroll_job = job(pipeline="Payroll", stage="To do")
    [d] = evaluate(c, Event("invoice_paid"), {"job": payroll_job, "account": account(), "item": {"total": 5}}, NOW)
    assert d.error == 'move job to stage "Filed": pipeline "Payroll" has no stage "Filed"'


def test_recipients_and_reminders_are_plain_data(catalog):
    c = compiled(catalog, 'rule "r" when invoice is paid then\n'
                          '  send email "Welcome" to contact\n  send email "Welcome" to " ann lee "\n'
                          '  send email "Welcome" to "books@example.com"\n'
                          '  request signature on "engagement letter" from account with reminders every 2 business days up to 3 times\n'
                          '  request approval of folder "2026 Return" from account\nend\n')
    [d] = evaluate(c, Event("invoice_paid"), {"account": account(), "contact": {"email": "a@b.c"},
                                               "invoice": {"total": 10}}, NOW)
    args = [a.args for a in d.actions]
    assert args[0] == {"template": "Welcome", "to": "contact"}
    assert args[1] == {"template": "Welcome", "to": "member", "member": "Ann Lee"}
    assert args[2] == {"template": "Welcome", "to": "address", "email": "books@example.com"}
    assert args[3]["template"] == "Engagement letter"
    assert (args[3]["reminders"]["every"].amount, args[3]["reminders"]["every"].unit, args[3]["reminders"]["times"]) == (2, "business day", 3)
    assert args[4] == {"folder": "2026 Return", "from": "account", "reminders": None}


def test_delayed_action_is_checked_again_when_it_comes_due(catalog):
    c = compiled(catalog, 'rule "Unpaid" when job enters stage "Filed" if account.balance > 0 then\n'
                          '  notify job.assignee "Filed"\n  after 2 days send email "Payment due" to account\nend\n')
    event = Event("job_entered_stage", stage="Filed", pipeline="1040 Return")
    [d] = evaluate(c, event, {"job": job(stage="Filed"), "account": account()}, NOW)
    notify, email = d.actions
    assert notify.run_at is None and email.run_at == NOW + timedelta(days=2) and email.index == 1
    later = NOW + timedelta(days=2)
    still = run_delayed(c, "Unpaid", 1, event, {"job": job(stage="Filed"), "account": account()}, later)
    assert [a.action for a in still.actions] == ["send_email"] and still.actions[0].run_at is None
    paid = run_delayed(c, "Unpaid", 1, event, {"job": job(stage="Filed"), "account": account(balance=0)}, later)
    assert not paid.fired and paid.actions == ()
    assert paid.reason == "the delayed action was dropped: the if condition is not met"


def test_matching_picks_the_records_of_a_sweep(catalog):
    c = compiled(catalog, 'rule "Overdue" every day at 07:00 for each job where job.due_date is before today '
                          'then add tag "Overdue" to job end')
    late = {"job": job(due_date=date(2027, 4, 1)), "account": account()}
    fine = {"job": job(due_date=date(2027, 5, 1)), "account": account()}
    assert matching(c, "Overdue", [late, fine], NOW) == [late]


def test_placeholders_render_today_year_quarter_and_month(catalog):
    c = compiled(catalog, 'rule "r" every month on day 1 for each account where account.balance > 0 then\n'
                          '  create job "{{ month }} {{ year }} Q{{ quarter }} {{ today }} {{ account.name | upper }}" '
                          'in pipeline "Payroll"\nend\n')
    [d] = evaluate(c, Event("schedule", rule="r"), {"account": account()}, NOW)
    assert d.actions[0].args["name"] == "April 2027 Q2 2027-04-15 SMITH FAMILY"
    assert d.actions[0].args["stage"] == "To do"


def test_rendering_is_sandboxed_and_size_limited():
    with pytest.raises(RenderError):
        render(compile_text("{{ ''.__class__.__mro__ }}"), "x", {})
    huge = {"account": {"name": "x" * (MAX_RENDERED + 1)}}
    with pytest.raises(RenderError) as e:
        render(compile_text("{{ account.name }}"), "{{ account.name }}", huge)
    assert "longer than" in str(e.value)


def test_a_too_long_rendered_text_fails_the_action_not_the_worker(catalog):
    c = compiled(catalog, 'rule "r" when job enters stage "Review" then create task "{{ account.name }}" end')
    [d] = evaluate(c, ENTERED_REVIEW, {"job": job(), "account": account(name="x" * 20_000)}, NOW)
    assert d.fired and d.actions == () and "longer than" in d.error


def test_unknown_event_names_are_refused():
    with pytest.raises(EvaluationError):
        Event("job_moved")


EVERY_ACTION = '''rule "Every action" when job enters stage "Review" then
  send email "Welcome" to account
  send message "Portal hello" to account
  send organizer "1040 Organizer" to account
  send proposal "Engagement 2027" to account
  send invoice "Monthly fee" to account
  send client request "Broker documents" to account
  request signature on "Engagement letter" from account
  request approval of folder "2026 Return" from account
  create task "Call the client" for "Ann Lee"
  create job "Payroll {{ year }}" in pipeline "Payroll" for account
  add tag "VIP" to job
  remove tag "Overdue" from job
  apply folder template "1040 folders"
  move job to stage "Filed"
  move job to next stage
  assign job to "Ann Lee"
  archive job
  notify job.assignee "Done"
  send webhook "https://hooks.example.com/practice"
end
'''


def test_action_names_lists_every_action_the_rules_can_plan(catalog):
    # The app maps each of ACTION_NAMES to its effect (practice/services/automation/actions.py ACTIONS).
    [d] = evaluate(compiled(catalog, EVERY_ACTION), ENTERED_REVIEW, {"job": job(), "account": account()}, NOW)
    assert d.ok
    assert sorted({a.action for a in d.actions}) == sorted(ACTION_NAMES)


SWEEP_RULES = {
    "Books": 'for each account where account.type is "Individual" then\n'
             '  create job "Books {{ month }} {{ year }}" in pipeline "Payroll" for account due in 15 days',
    "Named": 'for each account where account.balance > 100 then\n'
             '  create job "{{ account.name | upper }} Q{{ quarter }}" in pipeline "Payroll" for account',
    "Chase": 'for each job where job.due_date is before today and account has tag "VIP" then\n'
             '  create task "Chase {{ job.name }}" for job.assignee due on job.due_date + 3 days\n'
             '  notify job.assignee "Late: {{ account.name }}"\n'
             '  move job to next stage\n'
             '  add tag "Overdue" to job\n'
             '  send email "Payment due" to job.assignee',
}


def _sweep_records():
    """Prepared facts that agree on some fields and differ on others, as a sweep meets them: equal
    numbers written differently, empty fields, tags in another case, a job without an assignee."""
    accounts = [account(name=f"Client {i % 4}", type=("Individual", "Company")[i % 3 == 0],
                        balance=(Decimal("150.0"), Decimal("150.00"), 150, None, Decimal("99"))[i % 5],
                        tags=(["VIP"], ["vip"], [])[i % 3]) for i in range(30)]
    jobs = [job(name=f"1040 {i % 3}", assignee=("Ann Lee", None, "Bob Stone")[i % 3], stage=("Review", "Done")[i % 2],
                due_date=(date(2027, 4, 1), date(2027, 4, 2), None)[i % 3]) for i in range(30)]
    return [prepare_facts({"account": a, "job": j}) for a, j in zip(accounts, jobs)]


@pytest.mark.parametrize("name", SWEEP_RULES)
def test_decide_each_gives_each_record_the_decision_evaluate_gives_it(catalog, name):
    c = compiled(catalog, f'rule "{name}" every day at 07:00 {SWEEP_RULES[name]}\nend\n')
    records = _sweep_records()
    decided = decide_each(c, name, records, NOW)
    assert [r for r, _ in decided] == matching(c, name, records, NOW, prepared=True)
    assert decided, "the records should give the rule something to do"
    for record, decision in decided:
        [expected] = evaluate(c, Event("schedule", rule=name), record, NOW, prepared=True)
        assert decision == expected, record


def test_decide_each_decides_once_for_records_that_read_alike(catalog):
    c = compiled(catalog, f'rule "Books" every day at 07:00 {SWEEP_RULES["Books"]}\nend\n')
    decided = decide_each(c, "Books", _sweep_records(), NOW)
    assert len(decided) == 20 and len({id(d) for _, d in decided}) == 1
    assert decided[0][1].actions[0].args["name"] == "Books April 2027"
    named = compiled(catalog, f'rule "Named" every day at 07:00 {SWEEP_RULES["Named"]}\nend\n')
    # Names differ (4 of them) and 150, 150.0 and 150.00 show alike but are read as different values.
    distinct = {id(d) for _, d in decide_each(named, "Named", _sweep_records(), NOW)}
    assert 4 < len(distinct) <= 12

"""Recurring jobs: the form writes a rule of the language, the rule reads back as the form, and the schedule runs it."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

import rules
from practice.db import read_session, write_session
from practice.models import Job, ScheduleState
from practice.services import firm
from practice.services.automation import recurrence, rulesets, schedules
from practice.services.work import accounts
from practice.services.errors import InvalidInput, NotFound, PermissionDenied
from practice.services.automation.recurrence import RecurringJob
from tests.factories import actor_of, make_account, make_member, make_pipeline, make_tag

NY = "America/New_York"


@pytest.fixture
def office(fresh_db):
    with write_session() as s:
        owner = make_member(s, role="owner", name="Olivia Park")
        actor = actor_of(owner)
        employee = actor_of(make_member(s, role="employee", name="Bob Ray"))
        firm.update_firm(s, actor, name="Park & Lee", timezone=NY)
        make_pipeline(s, actor, name="Payroll", stages=("Collect hours", "Run payroll", "Done"))
        payroll = make_tag(s, actor, "Payroll")
        tagged = make_account(s, actor, name="Acme Bakery", type="Company")
        make_account(s, actor, name="Hartley Household", type="Individual")
        accounts.set_account_tag(s, actor, tagged.id, payroll.id, True)
    return {"actor": actor, "employee": employee, "tagged_id": tagged.id}


def payroll(**overrides) -> RecurringJob:
    fields = dict(name_of_rule="Monthly payroll", pipeline="Payroll", job_name="Payroll {{ month }} {{ year }}",
                  frequency="monthly", day=15, at="08:00", accounts="tag", tag="Payroll", due_amount=5)
    return RecurringJob(**(fields | overrides))


def catalog() -> rules.Catalog:
    return rules.Catalog.from_dict({"pipelines": {"Payroll": ["Collect hours", "Done"]}, "tags": ["Payroll"],
                                    "templates": {}, "members": []})


SCHEDULES = [
    (dict(frequency="daily", at=""), "every day"),
    (dict(frequency="weekdays", at="7:30"), "every weekday at 07:30"),
    (dict(frequency="weekly", weekday="friday"), "every week on friday at 08:00"),
    (dict(frequency="biweekly", weekday="monday"), "every 2 weeks on monday at 08:00"),
    (dict(frequency="monthly", day=31), "every month on day 31 at 08:00"),
    (dict(frequency="monthly", day=0), "every month on the last day at 08:00"),
    (dict(frequency="quarterly", day=1), "every quarter on day 1 at 08:00"),
    (dict(frequency="quarterly", day=0, at=""), "every quarter on the last day"),
    (dict(frequency="yearly", month="april", day=15), "every year on april 15 at 08:00"),
]


@pytest.mark.parametrize("choice, schedule", SCHEDULES, ids=[s for _, s in SCHEDULES])
def test_every_frequency_writes_its_schedule_and_reads_back_as_the_same_form(choice, schedule):
    rj = payroll(**choice)
    text = recurrence.rule_text(rj)
    assert text.splitlines()[1] == schedule
    checked = rules.check(text, catalog())
    assert rules.compile_rules(checked, tz=NY).rules[0].schedule is not None
    assert rules.format_source(text) == text  # already in the formatter's layout
    assert recurrence.recurring_from_rule(rules.parse(text).rules[0]) == recurrence.normalized(rj)


def test_the_rule_reads_like_one_a_person_would_write():
    assert recurrence.rule_text(payroll()) == (
        'rule "Monthly payroll"\n'
        "every month on day 15 at 08:00\n"
        'for each account where account has tag "Payroll"\n'
        "then\n"
        '  create job "Payroll {{ month }} {{ year }}" in pipeline "Payroll" for account due in 5 days\n'
        "end\n")


@pytest.mark.parametrize("accounts, condition", [
    (dict(accounts="all"), "account.name is not empty"),
    (dict(accounts="type", account_type="Company"), 'account.type is "Company"'),
])
def test_all_accounts_and_accounts_of_a_type(accounts, condition):
    text = recurrence.rule_text(payroll(**accounts, due_amount=2, due_unit="weeks"))
    assert f"for each account where {condition}\n" in text and text.rstrip().endswith("due in 2 weeks\nend")
    rules.check(text, catalog())


def test_quotes_and_backslashes_in_names_are_escaped_and_survive_the_round_trip():
    rj = payroll(name_of_rule='The "big" one \\ monthly', job_name='Payroll "{{ month }}"')
    text = recurrence.rule_text(rj)
    assert 'rule "The \\"big\\" one \\\\ monthly"' in text
    (rule,) = rules.parse(text).rules
    assert rule.name.value == 'The "big" one \\ monthly'
    assert recurrence.recurring_from_rule(rule) == recurrence.normalized(rj)


@pytest.mark.parametrize("choice, sentence", [
    (dict(at="25:00"), "not a time of day"),
    (dict(day=32), "between 1 and 31"),
    (dict(frequency="yearly", month="february", day=30), "February has no day 30"),
    (dict(frequency="hourly"), "how often"),
    (dict(accounts="tag", tag=""), "tag"),
    (dict(name_of_rule="  "), "rule's name"),
    (dict(job_name="two\nlines"), "one line"),
])
def test_impossible_choices_are_refused_with_a_sentence(choice, sentence):
    with pytest.raises(InvalidInput, match=sentence):
        recurrence.rule_text(payroll(**choice))


def test_preview_gives_twelve_dates_in_the_firms_time_zone_with_day_31_at_month_end(office):
    after = dt.datetime(2027, 1, 10, 12, 0, tzinfo=dt.timezone.utc)
    with read_session() as s:
        dates = recurrence.preview(s, payroll(day=31, at="09:30"), after=after)
    assert len(dates) == 12
    local = [d.astimezone(ZoneInfo(NY)) for d in dates]
    assert [d.date() for d in local[:4]] == [dt.date(2027, 1, 31), dt.date(2027, 2, 28), dt.date(2027, 3, 31),
                                             dt.date(2027, 4, 30)]
    assert all((d.hour, d.minute) == (9, 30) for d in local)
    assert dates[0] == dt.datetime(2027, 1, 31, 14, 30, tzinfo=dt.timezone.utc)  # 09:30 in New York in winter


def test_adding_saves_the_rule_into_the_rules_text_and_the_schedule_creates_the_jobs(office):
    with write_session() as s:
        rulesets.save_rules(s, office["actor"], '''
rule "Flag"
when job enters stage "Done" in pipeline "Payroll"
then
  add tag "Payroll" to job
end
''')
    rj = payroll(frequency="daily", at="")
    with write_session() as s:
        recurrence.add_recurring(s, office["actor"], rj)
    with read_session() as s:
        text = rulesets.current_ruleset(s).text
        assert text.startswith('\nrule "Flag"') or text.startswith('rule "Flag"')
        assert text.endswith("\nend\n\n" + recurrence.rule_text(rj))
        (listed,) = recurrence.list_recurring(s)
        assert (listed.name, listed.schedule, listed.pipeline) == ("Monthly payroll", "every day", "Payroll")
        assert listed.job == recurrence.normalized(rj) and len(listed.next_dates) == 3
        anchor = s.get(ScheduleState, "Monthly payroll").anchor_at
    later = anchor.replace(tzinfo=dt.timezone.utc) + dt.timedelta(days=1, hours=1)
    with write_session() as s:
        assert schedules.run_schedules(s, now=later) == 1
    with read_session() as s:
        (job,) = s.exec(select(Job).where(Job.pipeline_id.is_not(None), Job.name.like("Payroll %"))).all()
        assert job.account_id == office["tagged_id"]
        month = later.astimezone(ZoneInfo(NY))
        assert job.name == f"Payroll {month:%B} {month.year}"
        assert job.due_date == month.date() + dt.timedelta(days=5)


def test_an_unknown_pipeline_or_a_name_clash_is_refused_with_the_checkers_sentence(office):
    with write_session() as s, pytest.raises(InvalidInput) as err:
        recurrence.add_recurring(s, office["actor"], payroll(pipeline="Payrol"))
    assert 'no pipeline "Payrol"' in str(err.value) and '"Payroll"' in str(err.value)
    with write_session() as s:
        recurrence.add_recurring(s, office["actor"], payroll())
    with read_session() as s:
        assert recurrence.problems(s, payroll(name_of_rule="monthly payroll"))
    with write_session() as s, pytest.raises(InvalidInput) as err:
        recurrence.add_recurring(s, office["actor"], payroll(name_of_rule="monthly payroll"))
    assert "Monthly payroll" in str(err.value) or "monthly payroll" in str(err.value)
    with read_session() as s:
        assert len(recurrence.list_recurring(s)) == 1


def test_removing_cuts_only_that_rule_and_keeps_the_rest(office):
    with write_session() as s:
        recurrence.add_recurring(s, office["actor"], payroll())
        recurrence.add_recurring(s, office["actor"], payroll(name_of_rule="Quarterly", frequency="quarterly", day=0))
        recurrence.add_recurring(s, office["actor"], payroll(name_of_rule="Yearly", frequency="yearly",
                                                             month="april", day=15))
    with write_session() as s:
        recurrence.remove_recurring(s, office["actor"], "quarterly")
    with read_session() as s:
        text = rulesets.current_ruleset(s).text
        assert [r.name for r in recurrence.list_recurring(s)] == ["Monthly payroll", "Yearly"]
        assert text == recurrence.rule_text(payroll()) + "\n" + recurrence.rule_text(
            payroll(name_of_rule="Yearly", frequency="yearly", month="april", day=15))
        assert s.get(ScheduleState, "Quarterly") is None
    with write_session() as s, pytest.raises(NotFound):
        recurrence.remove_recurring(s, office["actor"], "Quarterly")


def test_a_rule_with_a_trailing_comment_is_removed_with_it(office):
    with write_session() as s:
        rulesets.save_rules(s, office["actor"], "# firm rules\n" + recurrence.rule_text(payroll()).replace(
            "end\n", "end  # the big one\n") + "\n# the end\n")
        recurrence.remove_recurring(s, office["actor"], "Monthly payroll")
    with read_session() as s:
        assert rulesets.current_ruleset(s).text == "# firm rules\n\n# the end\n"


def test_a_hand_written_variant_is_listed_but_not_offered_as_a_form(office):
    with write_session() as s:
        rulesets.save_rules(s, office["actor"], '''
rule "Hand made"
every month on day 1
for each account where account has tag "Payroll" and account.type is "Company"
then
  create job "Books" in pipeline "Payroll" for account
end
''')
    with read_session() as s:
        (listed,) = recurrence.list_recurring(s)
    assert listed.job is None and "account.type is \"Company\"" in listed.accounts


def test_employees_may_not_add_or_remove(office):
    with write_session() as s, pytest.raises(PermissionDenied):
        recurrence.add_recurring(s, office["employee"], payroll())
    with write_session() as s, pytest.raises(PermissionDenied):
        recurrence.remove_recurring(s, office["employee"], "Monthly payroll")

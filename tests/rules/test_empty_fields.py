"""An empty field (a job without a due date) is answered by the compiled condition itself, as the
contract says (`is not`, `is not one of`, `does not contain` and `is empty` hold; every other test is
false), without falling back to the slow explaining interpreter."""

from datetime import date, datetime, timezone

import pytest

from rules import check, prepare_facts
from rules.compiler import compile_condition
from rules.compiler import _Helpers
from rules.semantics import Explainer
from rules.timeutil import as_zone, local_date

NOW = datetime(2027, 4, 15, 14, 0, tzinfo=timezone.utc)
TZ = "America/New_York"
W = 'rule "r"\nwhen job is created\nif '
CONDITIONS = [
    "job.due_date is before today", "job.due_date is after 2027-01-01", "job.due_date < today + 3 days",
    "job.due_date is today", "job.due_date is not today", "job.due_date is within 7 days",
    "job.due_date is more than 2 days ago", "job.due_date - 1 week is before today",
    "job.due_date is one of (2027-04-15, 2027-04-16)", "job.due_date is not one of (2027-04-15)",
    "job.name contains \"1040\"", "job.name does not contain \"1040\"", "job.name starts with \"Q\"",
    "job.name is \"Payroll\"", "job.name is not \"Payroll\"", "job.name is one of (\"a\", \"b\")",
    "job.name is not one of (\"a\", \"b\")", "job.assignee is job.name", "job.assignee is not job.name",
    "account.balance > 100", "account.balance <= 0", "job.entered_stage_at is before now",
    "job.due_date is empty", "job.due_date is not empty",
    "job.due_date is before today and account.balance > 100 or job.name is not \"x\"",
]


def facts(**job):
    base = {"name": "Q1 payroll", "stage": "Review", "pipeline": "1040 Return", "assignee": "Ann Lee",
            "priority": "Medium", "due_date": date(2027, 4, 16), "entered_stage_at": NOW, "tags": []}
    base.update(job)
    return prepare_facts({"job": base, "account": {"name": "Smith", "type": "Individual", "balance": None,
                                                   "tags": []}})


def never(_facts):
    raise AssertionError("the slow path was taken")


@pytest.mark.parametrize("text", CONDITIONS)
@pytest.mark.parametrize("empty", ["due_date", "name", "assignee", "entered_stage_at"])
def test_an_empty_field_is_answered_by_the_compiled_condition(catalog, text, empty):
    condition = check(W + text + "\nthen archive job end", catalog).rules[0].condition
    compiled = compile_condition(condition, TZ)
    zone = as_zone(TZ)
    fast = compiled._bind(NOW, local_date(NOW, zone), zone, compiled._consts, _Helpers,
                          never)
    record = facts(**{empty: None})
    expected = Explainer(record, NOW, local_date(NOW, zone), zone).condition(condition, "if")
    assert fast(record) == expected, (text, empty)

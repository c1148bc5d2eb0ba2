"""The firm's own fields (contract §3.1): the catalog carries them, the checker knows their types and
suggests the nearest key, the compiled rules read them, an empty one is never an error; and show-if
conditions of organizers, checked and compiled on their own."""

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rules
from rules import Catalog, Event, check, check_condition, check_errors, compile_condition, compile_rules, evaluate

from .conftest import CONTRACT_CATALOG

NOW = datetime(2027, 3, 1, 15, 0, tzinfo=timezone.utc)
FIELDS = {
    "job": {"filing_status": {"type": "choice", "options": ["Single", "MFJ", "MFS", "HOH"]},
            "dependents": {"type": "number"}, "extension_filed": {"type": "yesno"}},
    "account": {"fiscal_year_end": {"type": "date"}, "ein": {"type": "text"}, "fee": {"type": "money"}},
    "contact": {"preferred_name": {"type": "text"}},
}
CATALOG = {**CONTRACT_CATALOG, "fields": FIELDS}
SHOW_IF = {"fields": {"answer": {"has_rental": "yesno", "dependents": "group", "state": "text"},
                      "account": {"ein": "text"}}}


def rule(condition: str, trigger: str = 'job enters stage "Review"', action: str = 'add tag "VIP" to job') -> str:
    return f'rule "r"\nwhen {trigger}\nif {condition}\nthen\n  {action}\nend\n'


def messages(text: str, catalog=CATALOG) -> list:
    return [(e.message, e.hint) for e in check_errors(text, catalog)]


# ---------------------------------------------------------------- the catalog


def test_the_catalog_reads_and_writes_fields():
    catalog = Catalog.from_dict(CATALOG)
    assert catalog.field_def("job", "filing_status").options == ("Single", "MFJ", "MFS", "HOH")
    assert catalog.field_types["job"]["filing_status"] == "text"
    assert catalog.field_types["account"]["fee"] == "number"  # money is a number in dollars
    assert catalog.field_types["job"]["due_date"] == "date"  # built-ins stay
    assert Catalog.from_dict(catalog.to_dict()) == catalog


@pytest.mark.parametrize("fields, words", [
    ({"invoice": {"x": "text"}}, "not \"invoice\""),
    ({"job": {"x": "colour"}}, "not one of"),
    ({"job": {"x": {"type": "choice"}}}, "its list is empty"),
    ({"job": {"two words": "text"}}, "can't be a field key"),
])
def test_a_catalog_with_a_bad_field_is_refused_in_a_sentence(fields, words):
    with pytest.raises(ValueError, match=words):
        Catalog.from_dict({"fields": fields})


def test_a_key_repeating_a_built_in_field_keeps_the_built_in_meaning():
    catalog = Catalog.from_dict({"fields": {"job": {"due_date": "text"}}})
    assert catalog.field_types["job"]["due_date"] == "date"


# ---------------------------------------------------------------- the checker


def test_the_issue_s_rule_passes_and_a_misspelt_key_gets_did_you_mean():
    assert messages(rule('job.filing_status is "MFJ"')) == []
    assert messages(rule('job.filing_stauts is "MFJ"')) == [
        ("there is no field job.filing_stauts", 'did you mean "job.filing_status"?')]


def test_field_keys_are_case_insensitive_like_every_word_outside_quotes():
    assert messages(rule('Job.Filing_Status is "mfj"')) == []


def test_without_the_firm_s_fields_the_key_is_unknown():
    assert messages(rule('job.filing_status is "MFJ"'), CONTRACT_CATALOG)[0][0] == "there is no field job.filing_status"


def test_a_choice_s_quoted_values_must_be_among_its_options():
    (message, _), = messages(rule('job.filing_status is "Maried"'))
    assert message == '"Maried" is not one of the choices of job.filing_status'
    (message, hint), = messages(rule('job.filing_status is one of ("Single", "Joint")'))
    assert message == '"Joint" is not one of the choices of job.filing_status'
    assert hint == 'job.filing_status is one of "Single", "MFJ", "MFS", "HOH"'
    (_, hint), = messages(rule('job.filing_status is not "Singel"'))
    assert hint == 'did you mean "Single"?'
    # contains and starts with take any text
    assert messages(rule('job.filing_status starts with "M"')) == []


@pytest.mark.parametrize("condition, words", [
    ("job.dependents > 2", None),
    ('job.dependents > "2"', "job.dependents is a number, but \"2\" is text"),
    ("job.extension_filed is yes", None),
    ("job.extension_filed > 1", "job.extension_filed is yes/no, but 1 is a number"),
    ("account.fiscal_year_end is before today", None),
    ("account.fiscal_year_end is within 30 days", None),
    ('account.ein starts with "12-"', None),
    ("account.fee >= 1000.50", None),
    ("contact.preferred_name is empty", None),
])
def test_each_type_is_checked_like_the_built_in_fields(condition, words):
    trigger = "client tasks are completed" if "contact" in condition else 'job enters stage "Review"'
    found = messages(rule(condition, trigger))
    if words is None:
        assert found == []
    else:
        assert found and found[0][0] == words


def test_a_custom_field_needs_its_entity_to_be_carried_like_any_other():
    (message, _), = messages(rule('contact.preferred_name is "Bo"'))
    assert message == "this trigger carries no contact, so contact.preferred_name can't be used here"


def test_rules_cannot_read_organizer_answers():
    catalog = {**CATALOG, "fields": {**FIELDS, "answer": {"has_rental": "yesno"}}}
    (message, hint), = messages(rule("answer.has_rental is yes"), catalog)
    assert message == "rules can't read organizer answers, so answer.has_rental can't be used here"
    assert "custom field" in hint


def test_placeholders_show_custom_fields():
    text = rule('job.filing_status is "MFJ"', action='create task "Joint return: {{ job.filing_status }}" for job.assignee')
    assert messages(text) == []
    bad = text.replace("{{ job.filing_status }}", "{{ job.filing_stat }}")
    assert messages(bad)[0][1] == 'did you mean "job.filing_status"?'


# ---------------------------------------------------------------- running


def run(condition: str, job: dict, account: dict = None, action='create task "T {{ job.dependents }}" for job.assignee'):
    compiled = compile_rules(check(rule(condition, action=action), CATALOG), tz="America/New_York")
    facts = {"job": {"name": "1040", "assignee": "Ann Lee", **job}, "account": account or {"name": "Smith"}}
    decision, = evaluate(compiled, Event("job_entered_stage", stage="Review", pipeline="1040 Return"), facts, NOW)
    return decision


def test_rules_read_the_values_typed():
    decision = run('job.filing_status is "mfj" and job.dependents >= 2 and job.extension_filed is no',
                   {"filing_status": "MFJ", "dependents": "3", "extension_filed": "no"})
    assert decision.fired
    assert decision.parts[1].values == {"job.dependents": Decimal("3")}
    assert decision.actions[0].args["title"] == "T 3.00"
    assert run("account.fiscal_year_end is before 2027-01-01", {}, {"name": "S", "fiscal_year_end": "2026-06-30"}).fired


def test_a_value_of_the_wrong_type_is_told_in_a_sentence():
    with pytest.raises(rules.EvaluationError, match="the facts give 'many' for job.dependents, which is not a number"):
        run("job.dependents > 2", {"dependents": "many"})


# §3.1: an empty value makes `is empty`, `is not`, `is not one of` and `does not contain` true, every other test false.
EMPTY_TRUE = ['job.filing_status is empty', 'job.filing_status is not "MFJ"',
              'job.filing_status is not one of ("MFJ", "MFS")', 'job.filing_status does not contain "M"',
              "job.dependents is not 2", "job.extension_filed is not yes", "account.fiscal_year_end is empty"]
EMPTY_FALSE = ['job.filing_status is "MFJ"', 'job.filing_status is not empty', 'job.filing_status is one of ("MFJ")',
               'job.filing_status contains "M"', 'job.filing_status starts with "M"', "job.dependents > 0",
               "job.dependents < 1", "job.dependents is 0", "job.extension_filed is no",
               "account.fiscal_year_end is before today", "account.fiscal_year_end is after 2000-01-01",
               "account.fiscal_year_end is within 400 days", "account.fiscal_year_end is more than 1 day ago"]


@pytest.mark.parametrize("condition", EMPTY_TRUE + EMPTY_FALSE)
@pytest.mark.parametrize("empty", ["never filled", "None", "older facts"])
def test_an_empty_custom_field_follows_3_1_and_is_never_an_error(condition, empty):
    job = {} if empty == "never filled" else {"filing_status": None, "dependents": None, "extension_filed": None}
    account = {"name": "S"} if empty != "None" else {"name": "S", "fiscal_year_end": None}
    decision = run(condition, job, account, action='add tag "VIP" to job')
    assert decision.error is None
    assert decision.fired == (condition in EMPTY_TRUE)


VALUES = {
    "filing_status": st.one_of(st.none(), st.sampled_from(["Single", "MFJ", "mfj ", "HOH", ""])),
    "dependents": st.one_of(st.none(), st.integers(0, 5), st.decimals(0, 5, places=2)),
    "extension_filed": st.one_of(st.none(), st.booleans()),
}
TESTS = [
    'job.filing_status is "MFJ"', 'job.filing_status is not "MFJ"', 'job.filing_status is one of ("MFJ", "HOH")',
    'job.filing_status is not one of ("MFJ", "HOH")', 'job.filing_status contains "m"',
    'job.filing_status does not contain "m"', 'job.filing_status starts with "s"', "job.filing_status is empty",
    "job.filing_status is not empty", "job.dependents > 2", "job.dependents <= 2", "job.dependents is 3",
    "job.dependents is not 3", "job.dependents is one of (1, 2)", "job.dependents is not one of (1, 2)",
    "job.extension_filed is yes", "job.extension_filed is not yes", "job.extension_filed is empty",
]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(TESTS), min_size=1, max_size=3), st.sampled_from([" and ", " or "]),
       st.fixed_dictionaries(VALUES), st.booleans())
def test_compiled_custom_field_conditions_agree_with_the_plain_interpretation(tests, joiner, values, negate):
    condition = joiner.join(tests)
    if negate:
        condition = f"not ({condition})"
    compiled = compile_rules(check(rule(condition), CATALOG), tz="UTC").rules[0].condition
    facts = rules.prepare_facts({"job": values, "account": {"name": "S"}}, Catalog.from_dict(CATALOG))
    expected, _ = compiled.explain(facts, NOW)
    assert compiled.bind(NOW)(facts) == expected


# ---------------------------------------------------------------- show-if conditions


def test_show_if_conditions_are_checked_with_the_rules_sentences():
    assert check_condition('answer.has_rental is yes and account.type is "Individual"', SHOW_IF) == []
    assert check_condition("answer.dependents > 0 and account.ein is not empty", SHOW_IF) == []
    found = [(e.message, e.hint) for e in check_condition("answer.has_rentl is yes", SHOW_IF)]
    assert found == [("there is no field answer.has_rentl", 'did you mean "answer.has_rental"?')]
    found = [e.message for e in check_condition("answer.dependents is yes", SHOW_IF)]
    assert found == ["answer.dependents is a number, but yes is yes/no"]
    found = [(e.message, e.hint) for e in check_condition('job.name is "x"', SHOW_IF)]
    assert found == [("this condition can't read the job, so job.name can't be used here",
                      "it can read the fields of account, answer, contact")]


@pytest.mark.parametrize("text, words", [
    ("answer.has_rental is", "the condition stops too early: expected"),
    ("", "the condition is empty"),
    ("answer.has_rental iz yes", 'expected a comparison such as is, is not, >, contains or is before, found "iz"'),
    ('answer.state is “NY”', "quote"),
    ("answer.dependents > 1,000", "write numbers without separators"),
])
def test_show_if_syntax_errors_are_sentences(text, words):
    found, = check_condition(text, SHOW_IF)
    assert words in found.message + " " + (found.hint or "")


def test_a_later_question_is_unknown_when_the_catalog_holds_only_earlier_ones():
    earlier = {"fields": {"answer": {"has_rental": "yesno"}}}
    assert [e.message for e in check_condition("answer.state is \"NY\"", earlier)] == ["there is no field answer.state"]


def test_show_if_conditions_run_on_facts_with_empty_answers():
    show = compile_condition('answer.has_rental is yes and account.type is "Individual"', SHOW_IF)
    assert show({"answer": {"has_rental": True}, "account": {"type": "individual"}}) is True
    assert show({"answer": {"has_rental": "no"}, "account": {"type": "Individual"}}) is False
    assert show({}) is False  # nothing answered yet: hidden, never an error
    not_yet = compile_condition('answer.dependents is not 0 or answer.state does not contain "NY"', SHOW_IF)
    assert not_yet({"answer": {}}) is True
    assert not_yet({"answer": {"dependents": 0, "state": "NY"}}) is False
    result, parts = not_yet.explain({"answer": {"dependents": 2}})
    assert result and parts[0][2] == {"answer.dependents": 2}


def test_compiling_a_bad_condition_raises_its_problems():
    with pytest.raises(rules.RulesErrors) as caught:
        compile_condition("answer.nope is yes", SHOW_IF)
    assert "there is no field answer.nope" in str(caught.value)


def test_show_if_dates_count_from_the_moment_given():
    show = compile_condition("answer.moved_on is within 30 days", {"fields": {"answer": {"moved_on": "date"}}})
    assert show({"answer": {"moved_on": date(2027, 3, 10)}}, now=NOW) is True
    assert show({"answer": {"moved_on": "2027-05-10"}}, now=NOW) is False

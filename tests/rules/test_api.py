"""The public API the app calls: save-time checking, compile once, evaluate per event."""

import inspect
from datetime import datetime, timezone

import rules


def test_public_names_are_exported():
    for name in ["parse", "check", "check_errors", "compile_rules", "evaluate", "dry_run", "run_delayed",
                 "matching", "next_occurrences", "due_run", "format_source", "format_error", "Catalog",
                 "Event", "RulesError", "RuleSyntaxError", "UnknownNameError", "RuleTypeError", "RulesErrors",
                 "EVENT_NAMES"]:
        assert name in rules.__all__ and hasattr(rules, name), name


def test_signatures_the_app_relies_on():
    assert list(inspect.signature(rules.check).parameters) == ["source", "catalog", "filename"]
    assert list(inspect.signature(rules.evaluate).parameters) == ["compiled", "event", "facts", "now", "prepared"]
    assert list(inspect.signature(rules.matching).parameters) == ["compiled", "rule_name", "records", "now", "prepared"]
    assert list(inspect.signature(rules.due_run).parameters) == ["schedule", "last_run_at", "now", "tz", "anchor"]


def test_save_compile_evaluate_round_trip():
    catalog = {"pipelines": {"1040 Return": ["Review", "Filed"]}, "templates": {"email": ["Welcome"]},
               "tags": [], "members": ["Ann Lee"]}
    text = 'rule "Welcome"\nwhen job enters stage "Review"\nthen\n  send email "Welcome" to account\nend\n'
    assert rules.check_errors(text, catalog) == []
    compiled = rules.compile_rules(rules.check(text, catalog), tz="Europe/Paris")
    event = rules.Event("job_entered_stage", stage="Review", pipeline="1040 Return", id=42)
    [decision] = rules.evaluate(compiled, event, {"job": {"stage": "Review"}, "account": {"name": "A"}},
                                datetime(2027, 1, 1, tzinfo=timezone.utc))
    assert decision.ok and decision.actions[0].action == "send_email"
    assert set(rules.EVENT_NAMES) >= {"job_entered_stage", "schedule", "stage_items_completed"}

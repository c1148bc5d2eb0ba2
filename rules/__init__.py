"""The firm's rules language: automations, reminders, recurring jobs and tag rules.

Written by people who do not program; see ``rules/README.md`` for the guide and the
developer notes. This package imports neither the app (``practice``), Reflex nor the
database: it takes a catalog of names and facts, and returns decisions and planned actions.

Typical use by the app::

    catalog = Catalog.from_dict(names_from_database)
    errors = check_errors(text, catalog)            # as the user types: [] when fine
    compiled = compile_rules(check(text, catalog), tz="America/New_York")   # once per save
    decisions = evaluate(compiled, Event("job_entered_stage", stage="Filed",
                         pipeline="1040 Return"), facts, now)               # per event
    show_if = compile_condition('answer.has_rental is yes', catalog)   # an organizer's show-if
    show_if({"answer": {"has_rental": True}})                         # -> True
"""

from .ast import RuleSet
from .catalog import Catalog, FieldDef
from .checker import CheckedRuleSet, check, check_errors
from .compiler import CompiledRuleSet, compile_rules
from .conditions import Condition, check_condition, compile_condition
from .errors import (
    EvaluationError, InternalError, RuleMeaningError, RulesError, RulesErrors, RuleSyntaxError, RuleTypeError,
    UnknownNameError, format_error, format_errors, formatted_each,
)
from .evaluate import (
    ConditionPart, Event, RuleDecision, decide_each, dry_run, evaluate, matching, prepare_facts, run_delayed,
)
from .formatter import format_ruleset, format_source
from .language import ACTION_NAMES, EVENT_NAMES, Words, kept, said, told
from .parser import parse
from .planning import Duration, PlannedAction
from .schedule import due_run, next_occurrences, parse_schedule

__all__ = [
    "ACTION_NAMES", "Catalog", "CheckedRuleSet", "CompiledRuleSet", "Condition", "ConditionPart", "FieldDef", "Duration", "EVENT_NAMES",
    "EvaluationError", "Event", "InternalError", "PlannedAction", "RuleDecision", "RuleMeaningError", "RuleSet",
    "RuleSyntaxError", "RuleTypeError", "RulesError", "RulesErrors", "UnknownNameError",
    "check", "check_condition", "check_errors", "compile_condition", "compile_rules", "decide_each", "dry_run", "due_run",
    "evaluate", "format_error", "format_errors", "formatted_each", "format_ruleset", "format_source", "matching",
    "next_occurrences", "parse", "parse_schedule", "prepare_facts", "run_delayed", "told", "Words", "kept", "said",
]

"""Conditions on their own: an organizer question's show-if (contract §3.1).

A show-if is written in the rules' condition syntax, over the organizer's earlier answers
(``answer.<question key>``) and the account's and contact's fields::

    answer.has_rental is yes and account.type is "Individual"

``check_condition`` gives the same plain-language problems as a rules file; ``compile_condition``
turns a condition into something callable on facts (a dict per entity) that answers True or False.
The catalog lists the answers a condition may read as the ``answer`` entity of its fields (each
question key with its type; a repeated group's answer is a number: how many entries); the app passes
only the questions placed before the one being shown, so a later or unknown question is an unknown
field, with "did you mean" when one is close.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterable, Mapping, Optional

from . import timeutil
from .catalog import Catalog
from .checker import Checker, _as_catalog, _Context
from .compiler import CompiledCondition
from .compiler import compile_condition as _compile
from .errors import RulesError, RulesErrors, internal_error
from .evaluate import _fix_dates, prepare_facts
from .parser import parse_condition

# What a show-if may read unless told otherwise: the answers, the account and the contact.
SHOW_IF_READS = ("answer", "account", "contact")


def _parse_and_check(text: str, catalog: Catalog, reads: Iterable[str], tr: Callable[[str], str] = str):
    """(condition, problems): the condition is None when it could not be read. ``tr``: the reader's translation."""
    try:
        condition = parse_condition(text)
    except RulesError as e:
        return None, [e.told(tr)]
    except Exception as exc:  # noqa: BLE001 - a parser bug is told as a sentence, never a traceback
        return None, [internal_error(exc)]
    checker = Checker(catalog, text, tr=tr)
    try:
        checker.check_condition(condition, _Context(None, set(reads), set()))
    except Exception as exc:  # noqa: BLE001 - a checker bug is told as a sentence
        checker.errors.append(internal_error(exc))
    return condition, sorted(checker.errors, key=lambda e: (e.span.line, e.span.column))


def check_condition(text: str, catalog, reads: Iterable[str] = SHOW_IF_READS, tr: Callable[[str], str] = str) -> list:
    """Every problem of one condition as a list (empty when it is fine); never raises RulesError.

    ``catalog``: a ``Catalog`` or its JSON dict; ``reads``: the entities the condition may read; ``tr``: the
    reader's translation of the sentences (the app's catalog)."""
    return _parse_and_check(text, _as_catalog(catalog), reads, tr)[1]


@dataclass(frozen=True)
class Condition:
    """A checked condition, compiled once; call it on facts: ``condition({"answer": {...}, "account": {...}})``."""

    text: str
    catalog: Catalog
    compiled: CompiledCondition

    def __call__(self, facts: Mapping, now: Optional[datetime] = None) -> bool:
        """True when the condition holds for these facts (an entity may be missing or None: its fields are
        empty, contract §3.1). Values are typed as ``prepare_facts`` does; a value of the wrong type raises
        ``EvaluationError``. ``now`` (default: the current moment) is for date tests like ``is within``."""
        moment = timeutil.aware(now) if now is not None else datetime.now(timezone.utc)
        prepared = _fix_dates(prepare_facts(facts or {}, self.catalog), self.compiled.tz, self.catalog.field_types)
        return bool(self.compiled.bind(moment)(prepared))

    def explain(self, facts: Mapping, now: Optional[datetime] = None):
        """(result, [(clause, test, values read, result), ...]), as the run log shows a rule's."""
        moment = timeutil.aware(now) if now is not None else datetime.now(timezone.utc)
        prepared = _fix_dates(prepare_facts(facts or {}, self.catalog), self.compiled.tz, self.catalog.field_types)
        return self.compiled.explain(prepared, moment, "show if")


def compile_condition(text: str, catalog, tz: str = "UTC", reads: Iterable[str] = SHOW_IF_READS) -> Condition:
    """Check and compile one condition; raises ``RulesErrors`` listing its problems."""
    catalog = _as_catalog(catalog)
    condition, problems = _parse_and_check(text, catalog, reads)
    if problems:
        raise RulesErrors(problems)
    return Condition(text, catalog, _compile(condition, tz, catalog.field_types))

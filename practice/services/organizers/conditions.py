"""The one place organizers meet the rules language's show-if conditions: the catalog a condition is checked
against (earlier questions as `answer.<key>`, the account's and contact's fields) and the two entry points the rules
language gives for single conditions, `rules.check_condition` and `rules.compile_condition`."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import rules
from practice.i18n import _
from practice.models import QuestionKind as K

# How a question's answer is typed in a condition (rules-language.md 3.1): a repeated group and a file question
# are numbers (how many entries, how many files); several of a list is text (its choices), so `contains` reads it.
ANSWER_TYPES = {K.short_text: "text", K.long_text: "text", K.number: "number", K.money: "number", K.date: "date",
                K.yes_no: "yesno", K.one_of: "choice", K.several_of: "text", K.file: "number", K.group: "number"}
# Show-if conditions read the answers and the client's records; an organizer may be sent with no job.
READABLE = ("account", "contact")


def answer_field(kind: K, options: Iterable[str] = ()) -> dict:
    """The catalog entry of one question's answer."""
    entry = {"type": ANSWER_TYPES[K(kind)]}
    if entry["type"] == "choice":
        entry["options"] = list(options)
    return entry


def catalog_for(firm: rules.Catalog, answers: Mapping[str, dict]) -> rules.Catalog:
    """The firm's catalog with `answers` (key -> answer_field) as the `answer` entity, and only the account's and
    contact's own fields beside them."""
    data = firm.to_dict()
    fields = data.get("fields") or {}
    data["fields"] = {**{entity: fields[entity] for entity in READABLE if entity in fields}, "answer": dict(answers)}
    return rules.Catalog.from_dict(data)


def firm_fields(firm: rules.Catalog) -> dict[str, dict]:
    """The account's and contact's fields a condition or an answer's target may name: "account.key" -> entry."""
    fields = firm.to_dict().get("fields") or {}
    return {f"{entity}.{key}": entry for entity in READABLE for key, entry in (fields.get(entity) or {}).items()}


def _sentence(problem) -> str:
    message = getattr(problem, "message", None) or str(problem)
    hint = getattr(problem, "hint", None)
    return f"{message} ({hint})" if hint else message


def problems(text: str, catalog: rules.Catalog) -> list[str]:
    """The plain-language problems of one condition (empty when it may be saved), as the rules editor says them."""
    try:
        found = rules.check_condition(text, catalog, tr=_)  # in the reader's language
    except rules.RulesErrors as errs:
        found = errs.errors
    except rules.RulesError as err:
        found = [err]
    return [_sentence(p) for p in (found or [])]


def compiled(text: str, catalog: rules.Catalog) -> Callable[[dict], bool]:
    """A checked condition as a function of the facts ({"answer": {...}, "account": {...}, "contact": {...}})."""
    return rules.compile_condition(text, catalog)

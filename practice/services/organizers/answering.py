"""What a client's answers make of an organizer: the questions they see, the progress line and whether they may
submit. Plain functions over a `Form` (no database): the portal calls them on every answer, the tests on random
answer sequences.

The rule that keeps a hidden question from ever blocking: questions are read in order, a show-if condition sees
only the answers of questions placed before it that are themselves visible, and only visible questions count or are
required. A condition that cannot be read shows its question (the client can always answer it)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from practice.i18n import _
from practice.models import QuestionKind as K

Condition = Callable[[dict], bool]


@dataclass(frozen=True)
class Question:
    """One question as the client meets it; a repeated group carries its sub-questions in `children`."""
    key: str
    label: str
    kind: K
    required: bool = False
    show_if: str = ""
    options: tuple[str, ...] = ()
    children: tuple["Question", ...] = ()
    section: int = 0
    help: str = ""
    # What the client reads for each choice of `options` (same order; empty: the choices themselves). The answer
    # kept is always the choice of `options`.
    option_labels: tuple[str, ...] = ()

    def label_of(self, choice) -> str:
        """The words the reader sees for a kept choice (the choice itself when it has no other label)."""
        if len(self.option_labels) == len(self.options) and choice in self.options:
            return self.option_labels[self.options.index(choice)]
        return str(choice)

    def choice_for(self, words) -> object:
        """The kept choice for what the reader picked or typed: a choice, or the label shown for one."""
        if isinstance(words, str) and len(self.option_labels) == len(self.options):
            wanted = words.strip().casefold()
            if all(o.strip().casefold() != wanted for o in self.options):
                for option, label in zip(self.options, self.option_labels):
                    if label.strip().casefold() == wanted:
                        return option
        return words


@dataclass(frozen=True)
class Form:
    """An organizer template ready to fill: its top-level questions in order, each show-if compiled (by key)."""
    questions: tuple[Question, ...]
    conditions: Mapping[str, Condition] = field(default_factory=dict)
    sections: tuple[str, ...] = ()


@dataclass(frozen=True)
class Progress:
    """The progress line: `answered` of `total` counts only the questions the client sees ("12 of 31")."""
    answered: int
    total: int


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, (list, tuple))
                                                                              and not value)


def fact_value(question: Question, value):
    """An answer as a show-if condition reads it (`answer.<key>`): a repeated group and a file question are
    numbers (how many entries, how many files), several-of-a-list is its choices joined, a blank answer is empty."""
    if question.kind in (K.group, K.file):
        return len(value) if isinstance(value, (list, tuple)) else 0
    if _blank(value):
        return None
    if question.kind == K.money:
        return value / 100 if isinstance(value, int) else value  # money answers are kept in cents
    if question.kind == K.date and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    if question.kind == K.several_of and isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return value


def _entry_missing(group: Question, entry) -> list[str]:
    if not isinstance(entry, Mapping):
        return [child.label for child in group.children if child.required]
    return [child.label for child in group.children if child.required and _blank(entry.get(child.key))]


def is_answered(question: Question, value) -> bool:
    """Whether the client has answered: a repeated group when it holds an entry and each entry has its required
    parts."""
    if question.kind == K.group:
        return isinstance(value, (list, tuple)) and bool(value) and not any(
            _entry_missing(question, entry) for entry in value)
    if question.kind == K.yes_no:
        return isinstance(value, bool)
    return not _blank(value)


def visible_questions(form: Form, answers: Mapping, outside: Mapping | None = None) -> list[Question]:
    """The questions the client sees for these answers, in order. `outside` holds the account's and contact's
    facts ({"account": {...}, "contact": {...}})."""
    facts = {**(outside or {}), "answer": {}}
    seen = []
    for question in form.questions:
        condition = form.conditions.get(question.key)
        shown = True
        if condition is not None:
            try:
                shown = bool(condition(facts))
            except Exception:  # noqa: BLE001 - a condition that cannot be read shows its question
                shown = True
        if shown:
            seen.append(question)
            facts["answer"][question.key] = fact_value(question, answers.get(question.key))
    return seen


def progress(form: Form, answers: Mapping, outside: Mapping | None = None) -> Progress:
    """How many of the visible questions are answered, of how many visible questions."""
    seen = visible_questions(form, answers, outside)
    return Progress(sum(is_answered(q, answers.get(q.key)) for q in seen), len(seen))


def blocking(form: Form, answers: Mapping, outside: Mapping | None = None) -> list[tuple[Question, str]]:
    """The visible questions that keep the client from submitting, each with the sentence to show beside it."""
    out = []
    for question in visible_questions(form, answers, outside):
        value = answers.get(question.key)
        if question.kind == K.group and isinstance(value, (list, tuple)):
            for n, entry in enumerate(value, start=1):
                missing = _entry_missing(question, entry)
                if missing:
                    out.append((question, _("Entry {n} needs: {missing}.").format(n=n, missing=", ".join(missing))))
            if out and out[-1][0] is question:
                continue
        if question.required and not is_answered(question, value):
            out.append((question, _("This question needs an answer.")))
    return out


def can_submit(form: Form, answers: Mapping, outside: Mapping | None = None) -> bool:
    """Whether the client may submit: no visible question is left blocking."""
    return not blocking(form, answers, outside)

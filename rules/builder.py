"""Building the syntax tree (``rules.ast``) while the LALR parser reduces.

``_Builder`` is Lark's inline transformer: one method per grammar rule or alias, each
turning its children (tokens and already-built nodes) into an AST node with its span.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, time
from decimal import Decimal
from itertools import pairwise
from typing import Optional

from lark import Token, Transformer

from . import ast as A


def token_span(tok: Token) -> A.Span:
    return A.Span(tok.line, tok.column, tok.end_line, tok.end_column)


def _span_of(item) -> Optional[A.Span]:
    if isinstance(item, Token):
        return token_span(item)
    return getattr(item, "span", None)


def _edge(items):
    for item in items:
        if isinstance(item, Token):
            return item.line, item.column, item.end_line, item.end_column
        span = getattr(item, "span", None)
        if span is not None and span is not A.NO_SPAN:
            return span.line, span.column, span.end_line, span.end_column
    return None


def _cover(items) -> A.Span:
    """The span from the first to the last child that has one (runs once per reduction)."""
    first = _edge(items)
    if first is None:
        return A.NO_SPAN
    last = _edge(reversed(items))
    return A.Span(first[0], first[1], last[2], last[3])


def unquote(raw: str) -> str:
    """The value of a quoted text: quotes removed, ``\\"`` and ``\\\\`` resolved."""
    inner = raw[1:-1]
    return re.sub(r'\\(["\\])', r"\1", inner) if "\\" in inner else inner


def _text(tok: Token) -> A.Text:
    return A.Text(unquote(str(tok)), token_span(tok))


def _number(tok: Token) -> A.Number:
    return A.Number(Decimal(str(tok)), str(tok), token_span(tok))


class _Wrap:
    """An intermediate value with a span (a delay, an if clause, a list...)."""

    __slots__ = ("value", "span")

    def __init__(self, value, span):
        self.value = value
        self.span = span


_UNIT_WORDS = {
    "MINUTE": "minute", "HOUR": "hour", "DAY": "day", "WEEK": "week", "MONTH": "month",
    "YEAR": "year",
}


class _Builder(Transformer):
    """Builds ``rules.ast`` nodes while the LALR parser reduces (inline transformer)."""

    # ---- file and rule
    def start(self, c):
        return A.RuleSet(tuple(c))

    def rule(self, c):
        name = _text(c[1])
        trigger = c[2]
        for_each = None
        condition = None
        if_span = A.NO_SPAN
        i = 3
        if isinstance(c[i], A.ForEach):
            for_each = c[i]
            i += 1
        if isinstance(c[i], _Wrap):
            condition = c[i].value
            if_span = c[i].span
            i += 1
        then_tok = c[i]
        actions = tuple(c[i + 1 : -1])
        end_tok = c[-1]
        _check_after_placement(actions)
        return A.Rule(
            name, trigger, for_each, condition, actions, span=_cover(c),
            then_span=token_span(then_tok), end_span=token_span(end_tok), if_span=if_span,
        )

    def if_clause(self, c):
        return _Wrap(c[1], _cover(c))

    def for_each(self, c):
        return A.ForEach(c[2].name, c[4], _cover(c))

    # ---- triggers
    def trigger(self, c):
        return replace(c[1], span=_cover(c))

    def job_enters_stage(self, c):
        return A.StageTrigger(False, _text(c[3]), c[4] if len(c) > 4 else None, _cover(c))

    def job_leaves_stage(self, c):
        return A.StageTrigger(True, _text(c[3]), c[4] if len(c) > 4 else None, _cover(c))

    def job_created(self, c):
        return A.JobCreated(c[3] if len(c) > 3 else None, _cover(c))

    def in_pipeline(self, c):
        return _text(c[2])

    def tag_added(self, c):
        return A.TagTrigger(_text(c[1]), True, c[5].name, _cover(c))

    def tag_removed(self, c):
        return A.TagTrigger(_text(c[1]), False, c[5].name, _cover(c))

    def schedule(self, c):
        fields = dict(c[1])
        if len(c) > 2:
            at, at_text, at_span = c[2]
            fields.update(at=at, at_text=at_text, at_span=at_span)
        return A.Schedule(**fields, span=_cover(c))

    def at_time(self, c):
        tok = c[1]
        hours, minutes = (int(x) for x in str(tok).split(":"))
        value = time(hours, minutes) if hours < 24 and minutes < 60 else None
        return (value, str(tok), token_span(tok))

    def every_day(self, c):
        return {"kind": "day"}

    def every_weekday(self, c):
        return {"kind": "weekday"}

    def every_dayname(self, c):
        return {"kind": "week", "weekday": _weekday(c[0]), "short_form": True}

    def every_week(self, c):
        return {"kind": "week", "weekday": _weekday(c[2])}

    def every_n_weeks(self, c):
        return {
            "kind": "week", "interval": _day_number(c[0]), "interval_text": str(c[0]),
            "weekday": _weekday(c[3]), "interval_span": token_span(c[0]),
        }

    def every_month_day(self, c):
        return {"kind": "month", "day": _day_number(c[3]), "day_span": token_span(c[3]),
                "day_text": str(c[3])}

    def every_month_last(self, c):
        return {"kind": "month"}

    def every_quarter_day(self, c):
        return {"kind": "quarter", "day": _day_number(c[3]), "day_span": token_span(c[3]),
                "day_text": str(c[3])}

    def every_quarter_last(self, c):
        return {"kind": "quarter"}

    def every_year(self, c):
        return {
            "kind": "year", "month": A.MONTH_NAMES.index(str(c[2]).lower()) + 1,
            "day": _day_number(c[3]), "day_span": _cover(c[2:4]), "day_text": str(c[3]),
        }

    # ---- conditions
    def or_test(self, c):
        return A.Or(tuple(x for x in c if not isinstance(x, Token)), _cover(c))

    def and_test(self, c):
        return A.And(tuple(x for x in c if not isinstance(x, Token)), _cover(c))

    def not_test(self, c):
        return A.Not(c[1], _cover(c))

    def group(self, c):
        return A.Group(c[1], _cover(c))

    def has_tag(self, c):
        return A.HasTag(c[0].name, _text(c[3]), False, _cover(c))

    def lacks_tag(self, c):
        return A.HasTag(c[0].name, _text(c[5]), True, _cover(c))

    def _compare(self, c, op):
        return A.Compare(c[0], op, c[-1], _cover(c))

    def cmp_is(self, c):
        return self._compare(c, "is")

    def cmp_is_not(self, c):
        return self._compare(c, "is not")

    def cmp_lt(self, c):
        return self._compare(c, "<")

    def cmp_le(self, c):
        return self._compare(c, "<=")

    def cmp_gt(self, c):
        return self._compare(c, ">")

    def cmp_ge(self, c):
        return self._compare(c, ">=")

    def cmp_contains(self, c):
        return self._compare(c, "contains")

    def cmp_not_contains(self, c):
        return self._compare(c, "does not contain")

    def cmp_starts_with(self, c):
        return self._compare(c, "starts with")

    def cmp_before(self, c):
        return self._compare(c, "is before")

    def cmp_after(self, c):
        return self._compare(c, "is after")

    def cmp_one_of(self, c):
        return A.OneOf(c[0], c[-1].value, False, _cover(c))

    def cmp_not_one_of(self, c):
        return A.OneOf(c[0], c[-1].value, True, _cover(c))

    def cmp_empty(self, c):
        return A.Empty(c[0], False, _cover(c))

    def cmp_not_empty(self, c):
        return A.Empty(c[0], True, _cover(c))

    def cmp_within(self, c):
        return A.Within(c[0], c[3], _cover(c))

    def cmp_more_ago(self, c):
        return A.Ago(c[0], c[4], True, _cover(c))

    def cmp_less_ago(self, c):
        return A.Ago(c[0], c[4], False, _cover(c))

    def value_list(self, c):
        return _Wrap(tuple(x for x in c if not isinstance(x, Token)), _cover(c))

    # ---- values
    def shifted(self, c):
        return A.Shifted(c[0], 1 if c[1].type == "PLUS" else -1, c[2], _cover(c))

    def field(self, c):
        entity, name = str(c[0]).lower().split(".", 1)
        return A.Field(entity, name, token_span(c[0]))

    def text(self, c):
        return _text(c[0])

    def number(self, c):
        return _number(c[0])

    def date(self, c):
        raw = str(c[0])
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            value = None
        return A.DateLiteral(value, raw, token_span(c[0]))

    def today(self, c):
        return A.Today(token_span(c[0]))

    def now(self, c):
        return A.Now(token_span(c[0]))

    def yes(self, c):
        return A.YesNo(True, token_span(c[0]))

    def no(self, c):
        return A.YesNo(False, token_span(c[0]))

    def duration(self, c):
        unit, unit_span = c[1]
        text = f"{c[0]} {unit}"
        return A.Duration(Decimal(str(c[0])), unit, text, token_span(c[0]).merge(unit_span))

    def unit(self, c):
        if len(c) == 2:
            return ("business day", _cover(c))
        return (_UNIT_WORDS[c[0].type], token_span(c[0]))

    def entity(self, c):
        return A.Entity(str(c[0]).lower(), token_span(c[0]))

    # ---- actions
    def action(self, c):
        body = c[-1]
        if len(c) == 2:
            return replace(body, delay=c[0].value, span=_cover(c))
        return body

    def action_body(self, c):  # pragma: no cover - every alternative has an alias
        return c[0]

    def delay(self, c):
        return _Wrap(c[1], _cover(c))

    def send(self, c):
        reminders = c[5] if len(c) > 5 else None
        return A.Send(str(c[1]).lower(), _text(c[2]), c[4], reminders, span=_cover(c))

    def template_kind(self, c):
        # One word ("organizer") or two ("client request"): the kind as written, the first token's place.
        return c[0] if len(c) == 1 else c[0].update(value=" ".join(str(t).lower() for t in c))

    def request_signature(self, c):
        reminders = c[6] if len(c) > 6 else None
        return A.RequestSignature(_text(c[3]), c[5], reminders, span=_cover(c))

    def request_approval(self, c):
        reminders = c[7] if len(c) > 7 else None
        return A.RequestApproval(_text(c[4]), c[6], reminders, span=_cover(c))

    def create_task(self, c):
        assignee = due = None
        for x in c[3:]:
            if isinstance(x, A.Due):
                due = x
            else:
                assignee = x.value
        return A.CreateTask(_text(c[2]), assignee, due, span=_cover(c))

    def create_job(self, c):
        for_account = False
        due = None
        for x in c[6:]:
            if isinstance(x, A.Due):
                due = x
            else:
                for_account = True
        return A.CreateJob(_text(c[2]), _text(c[5]), for_account, due, span=_cover(c))

    def add_tag(self, c):
        return A.ChangeTags(True, c[2].value, c[4], span=_cover(c))

    def remove_tag(self, c):
        return A.ChangeTags(False, c[2].value, c[4], span=_cover(c))

    def apply_folder_template(self, c):
        return A.ApplyFolderTemplate(_text(c[3]), span=_cover(c))

    def move_to_stage(self, c):
        return A.MoveJob(_text(c[4]), span=_cover(c))

    def move_to_next_stage(self, c):
        return A.MoveJob(None, span=_cover(c))

    def assign_job(self, c):
        return A.AssignJob(c[3], span=_cover(c))

    def archive_job(self, c):
        return A.ArchiveJob(span=_cover(c))

    def notify(self, c):
        return A.Notify(c[1], _text(c[2]), span=_cover(c))

    def send_webhook(self, c):
        return A.SendWebhook(_text(c[2]), span=_cover(c))

    def recipient(self, c):
        tok = c[0]
        if tok.type == "STRING":
            return _text(tok)
        if tok.type == "FIELD":
            return self.field(c)
        return A.Entity(str(tok).lower(), token_span(tok))

    def assignee(self, c):
        tok = c[0]
        return _text(tok) if tok.type == "STRING" else self.field(c)

    def for_assignee(self, c):
        return _Wrap(c[1], _cover(c))

    def for_account(self, c):
        return _Wrap(True, _cover(c))

    def due_in(self, c):
        return A.Due(duration=c[2], span=_cover(c))

    def due_on(self, c):
        return A.Due(date=c[2], span=_cover(c))

    def reminders(self, c):
        times = _number(c[6]) if len(c) > 4 else None
        return A.Reminders(c[3], times, _cover(c))

    def tag_list(self, c):
        return _Wrap(tuple(_text(t) for t in c if t.type == "STRING"), _cover(c))


def _simple_event(kind):
    def callback(self, c):
        return A.EventTrigger(kind, _cover(c))

    callback.__name__ = kind
    return callback


for _kind in A.SIMPLE_EVENTS:
    setattr(_Builder, _kind, _simple_event(_kind))


def _weekday(tok: Token) -> int:
    word = str(tok).lower()
    for i, name in enumerate(A.DAY_NAMES):
        if word.startswith(name):
            return i
    raise AssertionError(word)  # pragma: no cover - the grammar only lets day names through


MAX_DIGITS = 9  # longer than any day or week count; int() of 4,300+ digits would raise


def _day_number(tok: Token) -> int:
    """A day or week count; a whole number too long to be one reads as 10**MAX_DIGITS."""
    text = str(tok)
    if not text.isdigit():
        return -1
    return int(text) if len(text) <= MAX_DIGITS else 10**MAX_DIGITS


def _check_after_placement(actions) -> None:
    """``send email ... after 2 days`` reads as a delay of the next action: refuse it."""
    for previous, action in pairwise(actions):
        delay = getattr(action, "delay", None)
        if delay is not None and action.span.line == previous.span.end_line:
            span = A.Span(action.span.line, action.span.column, delay.span.end_line,
                          delay.span.end_column)
            raise _AfterAtEnd(span, previous.span)


class _AfterAtEnd(Exception):
    def __init__(self, span, action_span):
        self.span = span
        self.action_span = action_span

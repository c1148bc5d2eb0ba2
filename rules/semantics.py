"""What each test means, value by value: the one plain interpretation of conditions.

Used by the run log's explanation (every condition part with the values it read) and as
the compiled code's fallback when a fact is missing. The compiled code (``compiler.py``)
must agree with it; a property test checks that on thousands of random facts.

Missing values (None): a missing value is never equal to, before, after, bigger or smaller
than anything, and contains nothing; so ``is not``, ``is not one of``, ``does not contain``
and ``is empty`` hold for it.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Optional

from . import ast as A
from .errors import EvaluationError
from .formatter import format_condition
from .language import DATE, DATETIME, FIELDS, NUMBER, TEXT, YESNO
from .timeutil import local_date, shift


def literal_number(n: A.Number):
    """A number literal as used in comparisons: an int when whole, else a Decimal."""
    v = n.value
    return int(v) if v == v.to_integral_value() else v


def static_type(e, fields: Optional[dict] = None) -> Optional[str]:
    """The type of a checked value (no errors: the checker has run); ``fields`` is the catalog's field
    table (``Catalog.field_types``) when the firm has its own fields."""
    if isinstance(e, A.Field):
        return (fields or FIELDS)[e.entity][e.name]
    if isinstance(e, A.Text):
        return TEXT
    if isinstance(e, A.Number):
        return NUMBER
    if isinstance(e, (A.DateLiteral, A.Today)):
        return DATE
    if isinstance(e, A.Now):
        return DATETIME
    if isinstance(e, A.YesNo):
        return YESNO
    if isinstance(e, A.Shifted):
        return static_type(e.base, fields)
    raise TypeError(e)  # pragma: no cover


def fields_read(node) -> set:
    """The (entity, field) pairs a condition or a value reads of the facts (``has tag`` reads the
    entity's tags): what the Explainer below, and the compiled code, can look at."""
    if isinstance(node, A.Field):
        return {(node.entity, node.name)}
    if isinstance(node, A.HasTag):
        return {(node.entity, "tags")}
    found = set()
    if isinstance(node, tuple):
        for item in node:
            found |= fields_read(item)
    elif is_dataclass(node) and not isinstance(node, type):
        for f in fields(node):
            found |= fields_read(getattr(node, f.name))
    return found

class Explainer:
    """Evaluates conditions on prepared facts, recording each test's values and result."""

    def __init__(self, facts: dict, now: datetime, today: date, tz, fields: Optional[dict] = None):
        self.fields = fields or FIELDS
        self.facts = facts
        self.now = now
        self.today = today
        self.tz = tz
        self.parts = []
        self.read = {}

    # ---- values
    def value(self, e) -> Any:
        if isinstance(e, A.Field):
            entity = self.facts.get(e.entity)
            v = entity.get(e.name) if entity is not None else None
            self.read[e.path] = v
            return v
        if isinstance(e, A.Text):
            return e.value
        if isinstance(e, A.Number):
            return literal_number(e)
        if isinstance(e, A.DateLiteral):
            return e.value
        if isinstance(e, A.Today):
            return self.today
        if isinstance(e, A.Now):
            return self.now
        if isinstance(e, A.YesNo):
            return e.value
        if isinstance(e, A.Shifted):
            base = self.value(e.base)
            return shift(base, e.sign * int(e.duration.amount), e.duration.unit, self.tz)
        raise TypeError(e)  # pragma: no cover

    def as_date_if(self, v, other_type: Optional[str]):
        """A moment compared with a date counts by its date in the firm's time zone."""
        if other_type == DATE and isinstance(v, datetime):
            return local_date(v, self.tz)
        return v

    def pair(self, left, right):
        lt, rt = static_type(left, self.fields), static_type(right, self.fields)
        lv = self.as_date_if(self.value(left), rt)
        rv = self.as_date_if(self.value(right), lt)
        return lv, rv, lt

    @staticmethod
    def key(node, v):
        """How texts compare: ignoring case (and, for quoted values, surrounding spaces)."""
        if v is None:
            return None
        return v.strip().casefold() if isinstance(node, A.Text) else v.casefold()

    # ---- conditions
    def condition(self, c, clause: str) -> bool:
        if isinstance(c, A.And):
            results = [self.condition(p, clause) for p in c.parts]
            return all(results)
        if isinstance(c, A.Or):
            results = [self.condition(p, clause) for p in c.parts]
            return any(results)
        if isinstance(c, A.Not):
            return not self.condition(c.part, clause)
        if isinstance(c, A.Group):
            return self.condition(c.inner, clause)
        self.read = {}
        try:
            result = bool(self.test(c))
        except (TypeError, AttributeError, ValueError, OverflowError):
            raise EvaluationError(_fact_problem(c, self.read, self.fields), c.span) from None
        self.parts.append((clause, format_condition(c), dict(self.read), result))
        return result

    def test(self, c) -> bool:
        if isinstance(c, A.HasTag):
            entity = self.facts.get(c.entity) or {}
            tags = entity.get("tags") or ()
            self.read[f"{c.entity}.tags"] = tuple(tags)
            wanted = c.tag.value.strip().casefold()
            has = any(t.casefold() == wanted for t in tags)
            return has != c.negated
        if isinstance(c, A.Compare):
            return self.compare(c)
        if isinstance(c, A.OneOf):
            lt = static_type(c.left, self.fields)
            lv = self.value(c.left)
            values = [(v, self.value(v)) for v in c.values]
            if lv is None:
                return c.negated
            if lt == TEXT:
                left = self.key(c.left, lv)
                found = any(self.key(n, v) == left for n, v in values)
            else:
                found = any(self.as_date_if(lv, static_type(n, self.fields)) == self.as_date_if(v, lt)
                            for n, v in values)
            return found != c.negated
        if isinstance(c, A.Empty):
            v = self.value(c.subject)
            empty = v is None or (isinstance(v, str) and not v.strip())
            return empty != c.negated
        if isinstance(c, A.Within):
            v = self.value(c.subject)
            if v is None:
                return False
            base = self.now if isinstance(v, datetime) else self.today
            end = shift(base, int(c.duration.amount), c.duration.unit, self.tz)
            return base <= v <= end
        if isinstance(c, A.Ago):
            v = self.value(c.subject)
            if v is None:
                return False
            base = self.now if isinstance(v, datetime) else self.today
            cutoff = shift(base, -int(c.duration.amount), c.duration.unit, self.tz)
            return v < cutoff if c.more else cutoff < v <= base
        raise TypeError(c)  # pragma: no cover

    def compare(self, c: A.Compare) -> bool:
        op = c.op
        lv, rv, lt = self.pair(c.left, c.right)
        if op in ("is", "is not"):
            if lv is None or rv is None:
                same = False
            elif lt == TEXT:
                same = self.key(c.left, lv) == self.key(c.right, rv)
            else:
                same = lv == rv
            return same if op == "is" else not same
        if op in ("contains", "does not contain", "starts with"):
            if lv is None or rv is None:
                return op == "does not contain"
            needle = rv.casefold()
            if op == "starts with":
                return lv.casefold().startswith(needle)
            return (needle in lv.casefold()) == (op == "contains")
        if lv is None or rv is None:
            return False
        if op in ("<", "is before"):
            return lv < rv
        if op == "<=":
            return lv <= rv
        if op in (">", "is after"):
            return lv > rv
        if op == ">=":
            return lv >= rv
        raise TypeError(op)  # pragma: no cover


def _fact_problem(c, read: dict, fields: dict) -> str:
    for path, v in read.items():
        entity, name = path.split(".", 1)
        t = fields.get(entity, {}).get(name)
        if v is not None and not _fits(v, t):
            return f"the facts give {v!r} for {path}, which is not {_type_word(t)}"
    return f"could not evaluate: {format_condition(c)}"


def _fits(v, t) -> bool:
    if t == TEXT:
        return isinstance(v, str)
    if t == NUMBER:
        return isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)
    if t == DATE:
        return isinstance(v, date) and not isinstance(v, datetime)
    if t == DATETIME:
        return isinstance(v, datetime)
    if t == YESNO:
        return isinstance(v, bool)
    return True


def _type_word(t) -> str:
    return {TEXT: "text", NUMBER: "a number", DATE: "a date", DATETIME: "a date and time",
            YESNO: "yes or no"}.get(t, "valid")

"""Turning checked rules into Python, once per change of the rules text.

Each condition becomes one generated Python expression, compiled with ``compile()``: field
reads are dictionary lookups, quoted values are pre-folded constants, and moments such as
"3 days ago" are computed once per evaluation (``bind``), not once per record. No text
written by the firm ever becomes code: identifiers come from the fixed field list
(``language.FIELDS``) and every literal is passed in a constants list.

If a fact is missing (None) where the fast expression cannot handle it, the expression
falls back to the plain interpretation of ``semantics.Explainer``, which gives the same
answer (a property test checks both agree).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Optional

from . import ast as A
from . import timeutil
from .catalog import Catalog, name_key
from .checker import CheckedRuleSet
from .errors import RulesErrors, internal_error
from .formatter import format_action, format_condition
from .language import DATE, DATETIME, FIELDS, TEXT, carries
from .placeholders import compile_text, referenced_entities
from .semantics import Explainer, literal_number, static_type
from .timeutil import as_zone, local_date, shift


class _Helpers:
    """What generated code may call (passed in as ``_h``)."""

    shift = staticmethod(shift)
    local_date = staticmethod(local_date)

    @staticmethod
    def text_eq(a, b):
        return a.casefold() == b.casefold()

    @staticmethod
    def same(a, b):
        return a is not None and b is not None and a == b

    @staticmethod
    def text_in(a, values):
        a = a.casefold()
        return any(v is not None and v.casefold() == a for v in values)


class _Gen:
    """Generates the Python expression of one condition."""

    def __init__(self, fields: Optional[dict] = None):
        self.fields = fields or FIELDS
        self.consts = []
        self.setup = []
        self.entities = set()
        self._bound = 0
        self._reads = []  # the field reads of the test being generated

    def guarded(self, build, when_empty: bool) -> str:
        """A test that answers for an empty field itself (the contract: ``is not``, ``is not one of`` and
        ``does not contain`` hold for it, every other test is false) instead of raising into the slow path."""
        outer, self._reads = self._reads, []
        expr = build()
        reads, self._reads = self._reads, outer
        return _empty_guard(reads, expr, when_empty)

    def const(self, value) -> str:
        self.consts.append(value)
        name = f"_k{len(self.consts) - 1}"
        self.setup.append(f"{name} = _k[{len(self.consts) - 1}]")
        return name

    def bind(self, code: str) -> str:
        name = f"_t{self._bound}"
        self._bound += 1
        self.setup.append(f"{name} = {code}")
        return name

    # ---- values: (code, type, constant for the whole evaluation?)
    def value(self, e):
        if isinstance(e, A.Field):
            if e.entity not in self.fields or e.name not in self.fields[e.entity]:
                raise ValueError(f"unknown field {e.entity}.{e.name}")  # the checker prevents it
            if not e.entity.isidentifier() or not e.name.isidentifier():
                raise ValueError(f"unknown field {e.entity}.{e.name}")  # pragma: no cover - the grammar's FIELD
            self.entities.add(e.entity)
            # A firm's own field may be missing from facts built before it existed: it reads as empty.
            builtin = e.name in FIELDS.get(e.entity, ())
            code = f"{e.entity}[{e.name!r}]" if builtin else f"{e.entity}.get({e.name!r})"
            self._reads.append(code)
            return code, self.fields[e.entity][e.name], False
        if isinstance(e, A.Text):
            return self.const(e.value), TEXT, True
        if isinstance(e, A.Number):
            return self.const(literal_number(e)), "number", True
        if isinstance(e, A.DateLiteral):
            return self.const(e.value), DATE, True
        if isinstance(e, A.Today):
            return "_today", DATE, True
        if isinstance(e, A.Now):
            return "_now", DATETIME, True
        if isinstance(e, A.YesNo):
            return self.const(bool(e.value)), "yesno", True
        if isinstance(e, A.Shifted):
            code, t, const = self.value(e.base)
            amount = e.sign * int(e.duration.amount)
            unit = _unit(e.duration.unit)
            call = f"_h.shift({code}, {amount}, {unit!r}, _tz)"
            return (self.bind(call), t, True) if const else (call, t, False)
        raise TypeError(e)  # pragma: no cover

    def as_date(self, code, t, const, other_t):
        if t == DATETIME and other_t == DATE:
            call = f"_h.local_date({code}, _tz)"
            return (self.bind(call) if const else call), DATE
        return code, t

    # ---- conditions
    def cond(self, c) -> str:
        if isinstance(c, A.And):
            return "(" + " and ".join(self.cond(p) for p in c.parts) + ")"
        if isinstance(c, A.Or):
            return "(" + " or ".join(self.cond(p) for p in c.parts) + ")"
        if isinstance(c, A.Not):
            return f"(not {self.cond(c.part)})"
        if isinstance(c, A.Group):
            return self.cond(c.inner)
        if isinstance(c, A.HasTag):
            if c.entity not in ("account", "job", "contact"):
                raise ValueError(c.entity)  # pragma: no cover
            self.entities.add(c.entity)
            k = self.const(c.tag.value.strip().casefold())
            op = "not in" if c.negated else "in"
            return f"({k} {op} map(_cf, {c.entity}['tags']))"
        if isinstance(c, A.Compare):
            return self.guarded(lambda: self.compare(c), c.op in ("is not", "does not contain"))
        if isinstance(c, A.OneOf):
            return self.one_of(c)
        if isinstance(c, A.Empty):
            code, t, _ = self.value(c.subject)
            if t == TEXT:
                if c.negated:
                    return f"({code} is not None and bool({code}.strip()))"
                return f"({code} is None or not {code}.strip())"
            return f"({code} is {'not ' if c.negated else ''}None)"
        if isinstance(c, (A.Within, A.Ago)):
            return self.guarded(lambda: self.period(c), False)
        raise TypeError(c)  # pragma: no cover

    def period(self, c) -> str:
        code, t, _ = self.value(c.subject)
        base = "_now" if t == DATETIME else "_today"
        amount = int(c.duration.amount)
        unit = _unit(c.duration.unit)
        if isinstance(c, A.Within):
            end = self.bind(f"_h.shift({base}, {amount}, {unit!r}, _tz)")
            return f"({base} <= {code} <= {end})"
        cutoff = self.bind(f"_h.shift({base}, {-amount}, {unit!r}, _tz)")
        if c.more:
            return f"({code} < {cutoff})"
        return f"({cutoff} < {code} <= {base})"

    def compare(self, c: A.Compare) -> str:
        op = c.op
        if op in ("is", "is not") and static_type(c.left, self.fields) == TEXT:
            # Texts: one quoted side becomes a pre-folded constant.
            if isinstance(c.right, A.Text):
                k = self.const(c.right.value.strip().casefold())
                expr = f"({self.value(c.left)[0]}.casefold() == {k})"
            elif isinstance(c.left, A.Text):
                k = self.const(c.left.value.strip().casefold())
                expr = f"({self.value(c.right)[0]}.casefold() == {k})"
            else:
                expr = f"_h.text_eq({self.value(c.left)[0]}, {self.value(c.right)[0]})"
            return expr if op == "is" else f"(not {expr})"
        if op in ("contains", "does not contain", "starts with"):
            lcode = self.value(c.left)[0]
            if isinstance(c.right, A.Text):
                needle = self.const(c.right.value.casefold())
            else:
                needle = f"{self.value(c.right)[0]}.casefold()"
            if op == "starts with":
                return f"{lcode}.casefold().startswith({needle})"
            return f"({needle} {'in' if op == 'contains' else 'not in'} {lcode}.casefold())"
        lcode, lt, lconst = self.value(c.left)
        rcode, rt, rconst = self.value(c.right)
        lcode, _ = self.as_date(lcode, lt, lconst, rt)
        rcode, _ = self.as_date(rcode, rt, rconst, lt)
        if op in ("is", "is not"):
            if not (lconst or rconst):
                # two facts: a missing value is not equal even to another missing value
                expr = f"_h.same({lcode}, {rcode})"
                return expr if op == "is" else f"(not {expr})"
            return f"({lcode} {'==' if op == 'is' else '!='} {rcode})"
        py = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "is before": "<", "is after": ">"}[op]
        return f"({lcode} {py} {rcode})"

    def one_of(self, c: A.OneOf) -> str:
        # Only the left side decides for an empty field: an empty value in the list simply matches nothing.
        outer, self._reads = self._reads, []
        lcode, lt, lconst = self.value(c.left)
        reads, self._reads = self._reads, outer
        return _empty_guard(reads, self.one_of_values(c, lcode, lt, lconst), c.negated)

    def one_of_values(self, c: A.OneOf, lcode: str, lt: str, lconst: bool) -> str:
        op = "not in" if c.negated else "in"
        if lt == TEXT:
            if all(isinstance(v, A.Text) for v in c.values):
                k = self.const(frozenset(v.value.strip().casefold() for v in c.values))
                return f"({lcode}.casefold() {op} {k})"
            values = ", ".join(self.value(v)[0] for v in c.values)
            expr = f"_h.text_in({lcode}, ({values},))"
            return expr if not c.negated else f"(not {expr})"
        items = []
        all_const = True
        for v in c.values:
            code, t, const = self.value(v)
            code, _ = self.as_date(code, t, const, lt)
            items.append(code)
            all_const = all_const and const
        if lt == DATETIME and any(static_type(v, self.fields) == DATE for v in c.values):
            # a moment compared with dates counts by its date
            lcode, _ = self.as_date(lcode, lt, lconst, DATE)
        if all_const and all(isinstance(v, (A.Number, A.DateLiteral, A.YesNo)) for v in c.values):
            k = self.const(frozenset(_const_value(v) for v in c.values))
            return f"({lcode} {op} {k})"
        return f"({lcode} {op} ({', '.join(items)},))"


def _empty_guard(reads: list, expr: str, when_empty: bool) -> str:
    """``expr`` preceded by what it answers when one of the fields it reads is empty."""
    reads = list(dict.fromkeys(reads))
    if not reads:
        return expr
    if when_empty:
        return "(" + " or ".join(f"{r} is None" for r in reads) + f" or {expr})"
    return "(" + " and ".join(f"{r} is not None" for r in reads) + f" and {expr})"


# The only built-in names generated code can reach.
_BUILTINS = {"map": map, "bool": bool, "str": str, "TypeError": TypeError,
             "AttributeError": AttributeError}


def _const_value(v):
    if isinstance(v, A.Number):
        return literal_number(v)
    return v.value


def _unit(unit: str) -> str:
    if unit not in A.UNITS:
        raise ValueError(unit)  # pragma: no cover - the parser only makes these
    return unit


@dataclass
class CompiledCondition:
    """A condition turned into Python once; ``bind(now)`` gives a fast predicate on facts."""

    ast: object
    text: str
    tz: object
    _bind: Callable = field(repr=False, default=None)
    _consts: tuple = field(repr=False, default=())
    source: str = field(repr=False, default="")
    entities: frozenset = frozenset()
    fields: Optional[dict] = field(repr=False, default=None)

    def bind(self, now: datetime) -> Callable[[dict], bool]:
        """A predicate ``facts -> bool`` for one moment (the time arithmetic is done here, once)."""
        now = timeutil.aware(now)
        today = local_date(now, self.tz)

        def slow(facts):
            return Explainer(facts, now, today, self.tz, self.fields).condition(self.ast, "if")

        return self._bind(now, today, self.tz, self._consts, _Helpers, slow)

    def explain(self, facts: dict, now: datetime, clause: str = "if"):
        """(result, [(clause, test text, values read, result), ...]) for the run log."""
        now = timeutil.aware(now)
        ex = Explainer(facts, now, local_date(now, self.tz), self.tz, self.fields)
        result = ex.condition(self.ast, clause)
        return result, ex.parts


def compile_condition(condition, tz="UTC", fields: Optional[dict] = None) -> CompiledCondition:
    """Generate and compile the Python of one checked condition (``fields``: the catalog's field table,
    ``Catalog.field_types``, when the firm has its own fields)."""
    gen = _Gen(fields)
    expr = gen.cond(condition)
    lines = ["def _bind(_now, _today, _tz, _k, _h, _slow):", "    _cf = str.casefold"]
    lines += [f"    {s}" for s in gen.setup]
    lines.append("    def _pred(f):")
    lines.append("        try:")
    for entity in sorted(gen.entities):
        lines.append(f"            {entity} = f[{entity!r}]")
    lines.append(f"            return {expr}")
    lines.append("        except (TypeError, AttributeError):")
    lines.append("            return _slow(f)")
    lines.append("    return _pred")
    source = "\n".join(lines)
    namespace = {}
    exec(compile(source, "<rules condition>", "exec"), {"__builtins__": _BUILTINS}, namespace)
    return CompiledCondition(
        condition, format_condition(condition), as_zone(tz), namespace["_bind"], tuple(gen.consts),
        source, frozenset(gen.entities), fields,
    )


@dataclass
class CompiledAction:
    """One action with its texts' templates compiled."""

    index: int
    ast: object
    text: str
    templates: dict  # field name -> compiled jinja template (or None for plain text)


@dataclass
class CompiledRule:
    """One rule ready to evaluate: its trigger, compiled conditions and actions."""

    index: int
    name: str
    ast: A.Rule
    event: str
    carried: frozenset
    linked: frozenset
    uses: frozenset  # entities the rule reads or acts on
    where: Optional[CompiledCondition]
    condition: Optional[CompiledCondition]
    actions: tuple
    stage: Optional[str] = None  # canonical stage of a stage trigger
    pipeline: Optional[str] = None  # canonical pipeline of the trigger, if it names one
    tag: Optional[str] = None  # canonical tag of a tag trigger
    tag_target: Optional[str] = None
    schedule: Optional[A.Schedule] = None
    for_each: Optional[str] = None


@dataclass
class CompiledRuleSet:
    """All rules of a file, compiled; pass it to ``evaluate`` on every event."""

    rules: tuple
    catalog: Catalog
    tz: object
    tz_name: str
    source: str = ""

    def rule(self, name: str) -> CompiledRule:
        for r in self.rules:
            if name_key(r.name) == name_key(name):
                return r
        raise KeyError(name)


def _uses(rule: A.Rule) -> set:
    """Entities a rule reads (fields, tags, placeholders) or acts on."""
    used = set()

    def walk(node):
        if isinstance(node, A.Field):
            used.add(node.entity)
        elif isinstance(node, A.HasTag):
            used.add(node.entity)
        elif isinstance(node, A.Text):
            used.update(referenced_entities(node.value))
        elif isinstance(node, A.Entity):
            used.add(node.name)
        if hasattr(node, "__dataclass_fields__"):
            for name in node.__dataclass_fields__:
                if name.endswith("span"):
                    continue
                walk(getattr(node, name))
        elif isinstance(node, tuple):
            for item in node:
                walk(item)

    walk(rule.condition)
    if rule.for_each is not None:
        walk(rule.for_each.condition)
    for action in rule.actions:
        walk(action)
        if isinstance(action, (A.CreateTask, A.MoveJob, A.AssignJob, A.ArchiveJob)):
            used.add("job")
        if isinstance(action, (A.CreateJob, A.ApplyFolderTemplate, A.Send, A.RequestSignature,
                               A.RequestApproval)):
            used.add("account")
    return used


def compile_rules(checked: CheckedRuleSet, tz: str = "UTC") -> CompiledRuleSet:
    """Compile every rule of a checked file once (call again when the text or time zone changes)."""
    catalog = checked.catalog
    zone = as_zone(tz)
    compiled = []
    for index, rule in enumerate(checked.ruleset.rules):
        try:
            compiled.append(_compile_rule(index, rule, catalog, zone))
        except Exception as exc:  # noqa: BLE001 - a compiler bug is told as a sentence at its rule
            raise RulesErrors([internal_error(exc, rule.name.span)]) from None
    tz_name = tz if isinstance(tz, str) else str(tz)
    return CompiledRuleSet(tuple(compiled), catalog, zone, tz_name, checked.source)


def _compile_rule(index: int, rule: A.Rule, catalog: Catalog, zone) -> "CompiledRule":
    carried, linked = carries(rule)
    fields = catalog.field_types
    t = rule.trigger
    extra = {}
    if isinstance(t, A.StageTrigger):
        extra["pipeline"] = catalog.pipeline(t.pipeline.value) if t.pipeline else None
        extra["stage"] = catalog.stage(t.stage.value, extra["pipeline"]) or t.stage.value
    elif isinstance(t, A.JobCreated):
        extra["pipeline"] = catalog.pipeline(t.pipeline.value) if t.pipeline else None
    elif isinstance(t, A.TagTrigger):
        extra["tag"] = catalog.tag(t.tag.value) or t.tag.value
        extra["tag_target"] = t.target
    elif isinstance(t, A.Schedule):
        extra["schedule"] = t
        extra["for_each"] = rule.for_each.entity if rule.for_each else None
    actions = []
    for i, action in enumerate(rule.actions):
        templates = {}
        for fname in ("title", "name", "text"):
            node = getattr(action, fname, None)
            if isinstance(node, A.Text):
                templates[fname] = compile_text(node.value)
        actions.append(CompiledAction(i, action, format_action(action), templates))
    return CompiledRule(
        index=index,
        name=rule.name.value,
        ast=rule,
        event=t.event,
        carried=frozenset(carried),
        linked=frozenset(linked),
        uses=frozenset(_uses(rule)),
        where=compile_condition(rule.for_each.condition, zone, fields) if rule.for_each else None,
        condition=compile_condition(rule.condition, zone, fields) if rule.condition is not None else None,
        actions=tuple(actions),
        **extra,
    )

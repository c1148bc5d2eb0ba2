"""Checking a parsed rules file against the firm's catalog.

The checker resolves every name (stages, pipelines, templates, tags, team members, fields,
placeholders) and every type, and collects every error instead of stopping at the first.
Messages follow the contract's tone: what is wrong, in the firm's words, with a
"did you mean" hint when something close exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Optional

from . import ast as A
from .action_checks import ACTION_CHECKS
from .catalog import Catalog, name_key, suggest
from .errors import (
    RuleMeaningError, RulesError, RulesErrors, RuleTypeError, UnknownNameError, internal_error, short_number,
)
from .formatter import format_duration, format_expr
from .language import (
    ACCOUNT_TYPES, CARRIED_BY, DATE, DATETIME, NAMED_FIELDS, NUMBER, PRIORITIES, TEXT,
    TYPE_WORDS, YESNO, Words, carries, told,
)
from .parser import parse
from .placeholders import check_text, has_placeholders

_TEMPLATE_WORDS = {
    "email": "email template", "message": "message template", "organizer": "organizer template",
    "proposal": "proposal template", "invoice": "invoice template", "client request": "client request template",
    "document": "document template", "folder": "folder template", "task": "task template",
}

def N_(message: str) -> str:
    """Marks a message for the app's catalogs (rules/ itself knows nothing of translation)."""
    return message


def _same(message: str) -> str:
    return message


DID_YOU_MEAN = N_('did you mean "{name}"?')
# A template name the firm does not have, and the kinds of template named with their article, per kind.
_TEMPLATE_UNKNOWN = {
    "email": N_('there is no email template "{name}"'), "message": N_('there is no message template "{name}"'),
    "organizer": N_('there is no organizer template "{name}"'),
    "proposal": N_('there is no proposal template "{name}"'), "invoice": N_('there is no invoice template "{name}"'),
    "client request": N_('there is no client request template "{name}"'),
    "document": N_('there is no document template "{name}"'), "folder": N_('there is no folder template "{name}"'),
    "task": N_('there is no task template "{name}"'),
}
_TEMPLATE_ARTICLES = {
    "email": N_("an email template"), "message": N_("a message template"), "organizer": N_("an organizer template"),
    "proposal": N_("a proposal template"), "invoice": N_("an invoice template"),
    "client request": N_("a client request template"),
    "document": N_("a document template"), "folder": N_("a folder template"), "task": N_("a task template"),
}
assert set(_TEMPLATE_UNKNOWN) == set(_TEMPLATE_ARTICLES) == set(_TEMPLATE_WORDS)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_REMINDERS = 100  # "up to N times": a client is never chased more often than this
# The longest duration of each unit: 100 years.
_LONGEST = {"minute": 52_560_000, "hour": 876_000, "day": 36_500, "business day": 26_000,
            "week": 5_200, "month": 1_200, "year": 100}


@dataclass(frozen=True)
class CheckedRuleSet:
    """A rules file that passed the checker: its text, syntax tree and the catalog it used."""

    source: str
    ruleset: A.RuleSet
    catalog: Catalog
    filename: str = "rules.txt"

    @property
    def rules(self) -> tuple:
        return self.ruleset.rules

    def __len__(self) -> int:
        return len(self.ruleset.rules)


def _dateish(t: Optional[str]) -> bool:
    return t in (DATE, DATETIME)


def _compatible(a: str, b: str) -> bool:
    return a == b or (_dateish(a) and _dateish(b))


@dataclass
class _Context:
    rule: A.Rule
    carried: set
    linked: set
    pipeline: Optional[str] = None  # the trigger's pipeline, resolved
    where: str = "if"


@dataclass
class Checker:
    """Collects every error of one rules file (``check`` is the entry point)."""

    catalog: Catalog
    source: str = ""
    errors: list = field(default_factory=list)
    # The reader's language: takes a message's English form (with {placeholders}) and gives it in that language.
    tr: Callable[[str], str] = _same

    # ---- helpers
    def err(self, cls, message, span, hint=None):
        """One error, its message and hint told in the reader's language when they are Words (given no reader's
        language, the Words are kept: English text that whoever shows it can tell in its reader's language)."""
        if self.tr is _same:
            self.errors.append(cls(message, span, hint))
            return
        self.errors.append(cls(told(message, self.tr), span, told(hint, self.tr)))

    def say(self, message: str, **values) -> str:
        """A message in the reader's language, its values filled in; given no reader's language, Words (its English
        text, keeping the template and values to be told later in a reader's language)."""
        if self.tr is _same:
            return Words(message, **values)
        return self.tr(message).format(**{k: told(v, self.tr) for k, v in values.items()})

    def both_sides(self, left, lt: str, right, rt: str) -> str:
        """Type errors name both sides: "job.name is text and 5 is a number"."""
        if lt == rt:
            return self.say(N_("{left} and {right} are both {types}"), left=format_expr(left), right=format_expr(right),
                            types=self.say(_PLURAL_TYPES[lt]))
        return self.say(N_("{left} is {left_type} and {right} is {right_type}"), left=format_expr(left),
                        left_type=self.say(TYPE_WORDS[lt]), right=format_expr(right), right_type=self.say(TYPE_WORDS[rt]))

    def type_hint(self, t: str) -> Optional[str]:
        return self.say(_TYPE_HINTS[t]) if t in _TYPE_HINTS else None

    def listed(self, choices) -> str:
        """Quoted choices joined in the reader's language: '"Low", "Normal" or "High"'."""
        quoted = [f'"{c}"' for c in choices]
        if len(quoted) == 1:
            return quoted[0]
        return self.say(N_("{first} or {last}"), first=", ".join(quoted[:-1]), last=quoted[-1])

    def did_you_mean(self, close: Optional[str]) -> Optional[str]:
        return self.say(DID_YOU_MEAN, name=close) if close else None

    def unknown(self, message: str, name: str, candidates, span, **values):
        """`message` (one of UNKNOWN's, with {name}) for a name that is not the firm's, with "did you mean"."""
        close = suggest(name, candidates)
        hint = self.did_you_mean(close) if close and name_key(close) != name_key(name) else None
        self.err(UnknownNameError, self.say(message, name=name, **values), span, hint)

    def no_placeholder_in_name(self, text: A.Text) -> bool:
        if has_placeholders(text.value):
            self.err(RuleMeaningError, self.say(N_("placeholders like {{{{ ... }}}} can't be used in names")), text.span,
                     self.say(N_('placeholders go in free texts: task titles, job names and notify texts')))
            return True
        return False

    # ---- the file
    def check_ruleset(self, rs: A.RuleSet) -> None:
        seen = {}
        for rule in rs.rules:
            key = name_key(rule.name.value)
            if not key:
                self.err(RuleMeaningError, self.say(N_('the rule has no name')), rule.name.span,
                         self.say(N_('write a name between the quotes, like rule "Welcome new clients"')))
            elif key in seen:
                self.err(RuleMeaningError,
                         self.say(N_('there is already a rule named "{value}" (line {seen})'), value=rule.name.value, seen=seen[key]),
                         rule.name.span, self.say(N_('give each rule its own name')))
            else:
                seen[key] = rule.name.span.line
            try:
                self.check_rule(rule)
            except Exception as exc:  # noqa: BLE001 - a checker bug is told as a sentence at its rule
                self.errors.append(internal_error(exc, rule.name.span))

    def check_rule(self, rule: A.Rule) -> None:
        carried, linked = carries(rule)
        ctx = _Context(rule, carried, linked)
        ctx.pipeline = self.check_trigger(rule.trigger)
        if rule.for_each is not None:
            if not isinstance(rule.trigger, A.Schedule):
                self.err(RuleMeaningError, self.say(N_('"for each" can only follow a schedule ("every ...")')),
                         rule.for_each.span,
                         self.say(N_('rules with a trigger already carry what the trigger is about')))
            else:
                ctx.where = "where"
                self.check_condition(rule.for_each.condition, ctx)
                ctx.where = "if"
        if rule.condition is not None:
            self.check_condition(rule.condition, ctx)
        for action in rule.actions:
            self.check_action(action, ctx)

    # ---- triggers
    def check_trigger(self, t) -> Optional[str]:
        if isinstance(t, A.StageTrigger):
            pipeline = self.pipeline(t.pipeline) if t.pipeline is not None else None
            if t.pipeline is None or pipeline is not None:
                self.stage(t.stage, pipeline)
            return pipeline
        if isinstance(t, A.JobCreated):
            return self.pipeline(t.pipeline) if t.pipeline is not None else None
        if isinstance(t, A.TagTrigger):
            self.tag(t.tag)
        if isinstance(t, A.Schedule):
            self.check_schedule(t)
        return None

    def check_schedule(self, s: A.Schedule) -> None:
        if s.at_text and s.at is None:
            self.err(RuleMeaningError, self.say(N_('{at_text} is not a time of day'), at_text=s.at_text), s.at_span,
                     self.say(N_('write the time in 24-hour form, from 00:00 to 23:59')))
        if s.kind == "week" and s.interval < 1:
            self.err(RuleMeaningError, self.say(N_('{interval_text} is not a number of weeks'), interval_text=s.interval_text), s.interval_span,
                     self.say(N_('write a whole number, like every 2 weeks on monday')))
        elif s.kind == "week" and s.interval > _LONGEST["week"]:
            self.err(RuleMeaningError, self.say(N_('a number of weeks must be at most 5,200')), s.interval_span,
                     self.say(N_('write a whole number, like every 2 weeks on monday')))
        if s.kind in ("month", "quarter") and s.day is not None and not 1 <= s.day <= 31:
            self.err(RuleMeaningError, self.say(N_('there is no day {value} in a month'), value=short_number(s.day_text)), s.day_span,
                     self.say(N_("write a day from 1 to 31 (29 to 31 fall back to the month's last day), or: on the last day")))
        if s.kind == "year":
            limit = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[s.month - 1]
            if not 1 <= s.day <= limit:
                self.err(RuleMeaningError,
                         self.say(N_('{value} has no day {value2}'), value=A.MONTH_NAMES[s.month - 1], value2=short_number(s.day_text)), s.day_span,
                         self.say(N_('write a day from 1 to {limit}'), limit=limit))

    # ---- names
    def pipeline(self, text: A.Text) -> Optional[str]:
        if self.no_placeholder_in_name(text):
            return None
        found = self.catalog.pipeline(text.value)
        if found is None:
            self.unknown(N_('there is no pipeline "{name}"'), text.value, self.catalog.pipelines, text.span)
        return found

    def stage(self, text: A.Text, pipeline: Optional[str]) -> Optional[str]:
        if self.no_placeholder_in_name(text):
            return None
        found = self.catalog.stage(text.value, pipeline)
        if found is None:
            candidates = self.catalog.stages_of(pipeline)
            if pipeline:
                self.unknown(N_('there is no stage "{name}" in pipeline "{pipeline}"'), text.value, candidates,
                             text.span, pipeline=pipeline)
            else:
                self.unknown(N_('there is no stage "{name}" in any pipeline'), text.value, candidates, text.span)
        return found

    def tag(self, text: A.Text) -> Optional[str]:
        if self.no_placeholder_in_name(text):
            return None
        found = self.catalog.tag(text.value)
        if found is None:
            close = suggest(text.value, self.catalog.tags)
            hint = self.did_you_mean(close) or self.say(N_("rules use tags that exist; create the tag in the app first"))
            self.err(UnknownNameError, self.say(N_('there is no tag "{name}"'), name=text.value), text.span, hint)
        return found

    def member(self, text: A.Text) -> Optional[str]:
        if self.no_placeholder_in_name(text):
            return None
        found = self.catalog.member(text.value)
        if found is None:
            self.unknown(N_('there is no team member "{name}"'), text.value, self.catalog.members, text.span)
        return found

    def template(self, kind: str, text: A.Text) -> Optional[str]:
        if self.no_placeholder_in_name(text):
            return None
        found = self.catalog.template(kind, text.value)
        if found is None:
            close = suggest(text.value, self.catalog.templates.get(kind, ()))
            hint = self.did_you_mean(close)
            if hint is None:
                others = [k for k in self.catalog.template_kinds_named(text.value) if k != kind]
                if others:
                    hint = self.say(N_('"{name}" is {other}, not {kind}'), name=text.value,
                                    other=self.say(_TEMPLATE_ARTICLES[others[0]]),
                                    kind=self.say(_TEMPLATE_ARTICLES[kind]))
            self.err(UnknownNameError, self.say(_TEMPLATE_UNKNOWN[kind], name=text.value), text.span, hint)
        return found

    # ---- what the rule carries
    def needs(self, entity: str, ctx: _Context, span, what: str) -> bool:
        if entity in ctx.carried or entity in ctx.linked:
            return True
        rule = ctx.rule
        if rule is None:
            readable = ", ".join(sorted(ctx.carried))
            self.err(RuleMeaningError, self.say(N_("this condition can't read the {entity}, so {what} can't be used here"), entity=entity, what=what),
                     span, self.say(N_("it can read the fields of {readable}"), readable=readable) if readable else None)
            return False
        if entity == "answer":
            self.err(RuleMeaningError, self.say(N_("rules can't read organizer answers, so {what} can't be used here"), what=what), span,
                     self.say(N_("answers are read by an organizer's show-if conditions; a rule reads the custom field an answer writes to")))
            return False
        if isinstance(rule.trigger, A.Schedule) and rule.for_each is None:
            message = Words(N_('a schedule without "for each" carries no {entity}, so {what} can\'t be used here'),
                            entity=entity, what=what)
            hint = Words(N_('add "for each {entity} where ..." after the schedule'),
                         entity=entity if entity in ("account", "job", "contact") else "job")
        elif isinstance(rule.trigger, A.Schedule):
            message = Words(N_('"for each {each}" carries no {entity}, so {what} can\'t be used here'),
                            each=rule.for_each.entity, entity=entity, what=what)
            hint = Words(N_("{entity} is carried by {carriers}"), entity=entity, carriers=CARRIED_BY[entity])
        else:
            message = Words(N_("this trigger carries no {entity}, so {what} can't be used here"), entity=entity, what=what)
            hint = Words(N_("{entity} is carried by {carriers}"), entity=entity, carriers=CARRIED_BY[entity])
        self.err(RuleMeaningError, message, span, hint)
        return False

    # ---- values
    def text_value(self, e: A.Text) -> Optional[str]:
        if has_placeholders(e.value):
            self.err(RuleMeaningError, self.say(N_("placeholders like {{{{ ... }}}} can't be used in conditions: the text would be compared exactly as written, braces included")), e.span,
                     self.say(N_('write the words themselves, like job.name contains "2026"')))
            return None
        return TEXT

    def expr_type(self, e, ctx: _Context) -> Optional[str]:
        """The type of a value, or None when it has an error already reported."""
        if isinstance(e, A.Field):
            table = self.catalog.field_types
            names = table.get(e.entity)
            if names is None or e.name not in names:
                all_fields = [f"{x}.{n}" for x, ns in table.items() for n in ns]
                close = suggest(e.path, all_fields)
                self.err(UnknownNameError, self.say(N_("there is no field {path}"), path=e.path), e.span,
                         self.did_you_mean(close))
                return None
            if not self.needs(e.entity, ctx, e.span, e.path):
                return None
            return names[e.name]
        if isinstance(e, A.Text):
            return self.text_value(e)
        if isinstance(e, A.Number):
            return NUMBER
        if isinstance(e, A.DateLiteral):
            if e.value is None:
                self.err(RuleTypeError, self.say(N_('{text} is not a date'), text=e.text), e.span,
                         self.say(N_('write dates as year-month-day, like 2027-04-15')))
                return None
            return DATE
        if isinstance(e, A.Today):
            return DATE
        if isinstance(e, A.Now):
            return DATETIME
        if isinstance(e, A.YesNo):
            return YESNO
        if isinstance(e, A.Shifted):
            base = self.expr_type(e.base, ctx)
            self.duration(e.duration)
            if base is None:
                return None
            if not _dateish(base):
                self.err(RuleTypeError,
                         self.say(N_('only dates can have a duration added or taken away, but {value} is {type_words}'), value=format_expr(e.base), type_words=self.say(TYPE_WORDS[base])), e.span)
                return None
            if base == DATE and e.duration.unit in ("minute", "hour"):
                self.err(RuleTypeError,
                         self.say(N_("{value} is a date without a time, so hours and minutes can't be added to it"), value=format_expr(e.base)), e.duration.span,
                         self.say(N_('use days, weeks, months or years, or start from now')))
                return None
            return base
        return None  # pragma: no cover

    def duration(self, d: A.Duration, what: str = "") -> None:
        if d.amount != d.amount.to_integral_value():
            self.err(RuleMeaningError, self.say(N_('write a whole number of {unit}s, not {value}'), unit=d.unit, value=short_number(str(d.amount))), d.span)
        elif d.amount > _LONGEST[d.unit]:
            self.err(RuleMeaningError, self.say(N_('{value} {unit}s is longer than rules can count'), value=short_number(str(d.amount)), unit=d.unit),
                     d.span, self.say(N_('durations go up to 100 years ({longest} {unit}s)'), longest=_LONGEST[d.unit], unit=d.unit))

    # ---- conditions
    def check_condition(self, c, ctx: _Context) -> None:
        if isinstance(c, (A.And, A.Or)):
            for part in c.parts:
                self.check_condition(part, ctx)
        elif isinstance(c, A.Not):
            self.check_condition(c.part, ctx)
        elif isinstance(c, A.Group):
            self.check_condition(c.inner, ctx)
        elif isinstance(c, A.HasTag):
            self.needs(c.entity, ctx, c.span, f'"{c.entity} has tag"')
            self.tag(c.tag)
        elif isinstance(c, A.Compare):
            self.check_compare(c, ctx)
        elif isinstance(c, A.OneOf):
            left = self.expr_type(c.left, ctx)
            for v in c.values:
                right = self.expr_type(v, ctx)
                if left and right and not _compatible(left, right):
                    self.type_mismatch(c.left, left, v, right)
                elif left and right:
                    self.named_value(c.left, v, ctx)
        elif isinstance(c, A.Empty):
            self.expr_type(c.subject, ctx)
        elif isinstance(c, (A.Within, A.Ago)):
            t = self.expr_type(c.subject, ctx)
            self.duration(c.duration)
            words = "is within" if isinstance(c, A.Within) else "... ago"
            if t is not None and not _dateish(t):
                self.err(RuleTypeError,
                         self.say(N_('"{words}" counts from a date, but {value} is {type_words} and {value2} is a length of time'), words=words, value=format_expr(c.subject), type_words=self.say(TYPE_WORDS[t]), value2=format_duration(c.duration)), c.span)
            elif t == DATE and c.duration.unit in ("minute", "hour"):
                self.err(RuleTypeError,
                         self.say(N_('{value} is a date without a time, so count in days, not {unit}s'), value=format_expr(c.subject), unit=c.duration.unit), c.duration.span,
                         self.say(N_('hours and minutes are for dates and times, like job.entered_stage_at')))
        else:  # pragma: no cover
            raise TypeError(c)

    def type_mismatch(self, left, lt, right, rt):
        self.err(RuleTypeError,
                 self.say(N_('{value} is {type_words}, but {value2} is {type_words2}'), value=format_expr(left), type_words=self.say(TYPE_WORDS[lt]), value2=format_expr(right), type_words2=self.say(TYPE_WORDS[rt])),
                 right.span, self.type_hint(lt))

    def check_compare(self, c: A.Compare, ctx: _Context) -> None:
        lt = self.expr_type(c.left, ctx)
        rt = self.expr_type(c.right, ctx)
        if lt is None or rt is None:
            return
        op = c.op
        if op in ("is", "is not"):
            if not _compatible(lt, rt):
                self.type_mismatch(c.left, lt, c.right, rt)
            else:
                self.named_value(c.left, c.right, ctx)
                self.named_value(c.right, c.left, ctx)
        elif op in ("<", "<=", ">", ">="):
            if not _compatible(lt, rt):
                self.type_mismatch(c.left, lt, c.right, rt)
            elif lt not in (NUMBER, DATE, DATETIME):
                self.err(RuleTypeError,
                         self.say(N_('"{op}" compares two numbers or two dates, but {value}'), op=op, value=self.both_sides(c.left, lt, c.right, rt)),
                         c.span,
                         self.say(N_('for text, use "is", "contains" or "starts with"')) if lt == TEXT else None)
        elif op in ("contains", "does not contain", "starts with"):
            if lt != TEXT or rt != TEXT:
                self.err(RuleTypeError, self.say(N_('"{op}" compares two texts, but {value}'), op=op, value=self.both_sides(c.left, lt, c.right, rt)),
                         c.right.span if lt == TEXT else c.left.span)
        elif op in ("is before", "is after"):
            if not (_dateish(lt) and _dateish(rt)):
                self.err(RuleTypeError, self.say(N_('"{op}" compares two dates, but {value}'), op=op[3:], value=self.both_sides(c.left, lt, c.right, rt)),
                         c.right.span if _dateish(lt) else c.left.span,
                         self.say(N_('to compare numbers, use "<" or ">"')) if NUMBER in (lt, rt) else None)

    def named_value(self, fld, value, ctx: _Context) -> None:
        """Quoted values compared with job.stage, job.assignee... must be known names."""
        if not isinstance(fld, A.Field) or not isinstance(value, A.Text):
            return
        kind = NAMED_FIELDS.get(fld.path)
        definition = self.catalog.field_def(fld.entity, fld.name) if kind is None else None
        if definition is not None and definition.type == "choice":
            self.choice(fld, definition.options, value)
        elif kind == "stage":
            self.stage(value, ctx.pipeline)
        elif kind == "pipeline":
            self.pipeline(value)
        elif kind == "member":
            self.member(value)
        elif kind in ("priority", "account type"):
            allowed = PRIORITIES if kind == "priority" else ACCOUNT_TYPES
            if not any(name_key(a) == name_key(value.value) for a in allowed):
                close = suggest(value.value, allowed)
                hint = self.did_you_mean(close) or self.say(N_("write {choices}"), choices=self.listed(allowed))
                message = N_('"{value}" is not a priority') if kind == "priority" else N_('"{value}" is not an account type')
                self.err(UnknownNameError, self.say(message, value=value.value), value.span, hint)

    def choice(self, fld: A.Field, options, value: A.Text) -> None:
        """A quoted value compared with a firm's one-of-a-list field must be among its options (§3.1)."""
        if any(name_key(o) == name_key(value.value) for o in options):
            return
        close = suggest(value.value, options)
        shown = ", ".join(f'"{o}"' for o in options[:8]) + (", ..." if len(options) > 8 else "")
        hint = self.did_you_mean(close) or self.say(N_("{path} is one of {choices}"), path=fld.path, choices=shown)
        self.err(UnknownNameError, self.say(N_('"{value}" is not one of the choices of {path}'), value=value.value,
                                            path=fld.path), value.span, hint)

    # ---- actions
    def check_action(self, a, ctx: _Context) -> None:
        if a.delay is not None:
            self.duration(a.delay)
        rule = ctx.rule
        bare_schedule = isinstance(rule.trigger, A.Schedule) and rule.for_each is None
        if bare_schedule and not self.schedule_may(a):
            self.err(RuleMeaningError,
                     self.say(N_('a schedule without "for each" carries nothing, so it can only notify a team member, send an email to a team member or an address, or send a webhook')), a.span,
                     self.say(N_('add "for each account where ..." (or job, or contact) after the schedule')))
            return
        ACTION_CHECKS[type(a)](self, a, ctx)

    def schedule_may(self, a) -> bool:
        if isinstance(a, A.SendWebhook):
            return True
        if isinstance(a, A.Notify):
            return isinstance(a.assignee, A.Text)
        if isinstance(a, A.Send) and a.kind == "email":
            return isinstance(a.to, A.Text)
        return False

    def recipient(self, r, ctx: _Context) -> None:
        if isinstance(r, A.Entity):
            if r.name == "job":  # pragma: no cover - the grammar offers account/contact only
                self.err(RuleMeaningError, self.say(N_('an email goes to account, contact or a person')), r.span)
            else:
                self.needs(r.name, ctx, r.span, f"to {r.name}")
        elif isinstance(r, A.Field):
            self.assignee(r, ctx)
        elif "@" in r.value:
            if not _EMAIL.fullmatch(r.value.strip()):
                self.err(RuleMeaningError, self.say(N_('"{value}" is not a complete email address'), value=r.value), r.span,
                         self.say(N_('write it like "books@example.com"')))
        else:
            self.member(r)

    def assignee(self, a, ctx: _Context) -> None:
        if isinstance(a, A.Field):
            if a.path != "job.assignee":
                self.err(RuleMeaningError, self.say(N_('{path} is not a team member'), path=a.path), a.span,
                         self.say(N_('write job.assignee or a team member\'s name in quotes, like "Ann Lee"')))
            else:
                self.needs("job", ctx, a.span, "job.assignee")
        else:
            self.member(a)

    def reminders(self, r: Optional[A.Reminders]) -> None:
        if r is None:
            return
        self.duration(r.every)
        if r.every.unit not in ("day", "business day", "week") or r.every.amount < 1:
            self.err(RuleMeaningError, self.say(N_('reminders are sent every few days')), r.every.span,
                     self.say(N_('write it like: with reminders every 3 days up to 5 times')))
        if r.times is not None and (r.times.value < 1 or r.times.value != r.times.value.to_integral_value()):
            self.err(RuleMeaningError, self.say(N_('{value} is not a number of times'), value=short_number(r.times.text)), r.times.span,
                     self.say(N_('write a whole number, like up to 5 times')))
        elif r.times is not None and r.times.value > MAX_REMINDERS:
            self.err(RuleMeaningError, self.say(N_('reminders can be sent at most {max_reminders} times, not {value}'), max_reminders=MAX_REMINDERS, value=short_number(r.times.text)), r.times.span, self.say(N_('write a smaller number, like up to 5 times')))

    def due(self, d: Optional[A.Due], ctx: _Context) -> None:
        if d is None:
            return
        if d.duration is not None:
            self.duration(d.duration)
            return
        t = self.expr_type(d.date, ctx)
        if t is not None and t != DATE:
            self.err(RuleTypeError, self.say(N_('"due on" takes a date, but {value} is {type_words}'), value=format_expr(d.date), type_words=self.say(TYPE_WORDS[t])),
                     d.date.span, self.say(N_('write a date field, today, or a date like 2027-04-15')))

    def free_text(self, text: A.Text, ctx: _Context) -> None:
        problems = check_text(text.value, ctx.carried, ctx.linked, self.catalog.field_types)
        for p in problems:
            span = self.text_span(text, p.start, p.end)
            cls = UnknownNameError if p.kind == "name" else RuleMeaningError
            self.err(cls, p.message, span, p.hint)

    def text_span(self, text: A.Text, start: int, end: int) -> A.Span:
        """The span of characters [start, end) of a quoted text's value, escapes counted."""
        lines = self.source.split("\n")
        line_no = text.span.line
        if line_no > len(lines):
            return text.span
        raw = lines[line_no - 1][text.span.column - 1 : text.span.end_column - 1]
        columns = []  # column of each value character
        i = 1
        while i < len(raw) - 1:
            columns.append(text.span.column + i)
            i += 2 if raw[i] == "\\" else 1
        columns.append(text.span.column + i)
        if start >= len(columns):
            return text.span
        first = columns[start]
        last = columns[min(end, len(columns) - 1)]
        return A.Span(line_no, first, line_no, max(last, first + 1))


_PLURAL_TYPES = {TEXT: N_("text"), NUMBER: N_("numbers"), DATE: N_("dates"), DATETIME: N_("dates and times"),
                 YESNO: N_("yes/no")}




_TYPE_HINTS = {
    NUMBER: N_("write numbers without quotes, like 1000"),
    DATE: N_("write dates like 2027-04-15, or today"),
    DATETIME: N_("write dates like 2027-04-15, or today or now"),
    TEXT: N_("write text in double quotes"),
}


def check_ruleset(ruleset: A.RuleSet, catalog: Catalog, source: str = "", tr: Callable[[str], str] = _same) -> list:
    """Every name, type and meaning error of a parsed rules file, in text order (its name errors told through
    `tr`, the reader's translation of an English message; English when not given)."""
    checker = Checker(catalog, source, tr=tr)
    checker.check_ruleset(ruleset)
    return sorted(checker.errors, key=lambda e: (e.span.line, e.span.column))


def _as_catalog(catalog) -> Catalog:
    if isinstance(catalog, Catalog):
        return catalog
    if catalog is None:
        return Catalog()
    return Catalog.from_dict(catalog)


def check_errors(source: str, catalog: Catalog, tr: Callable[[str], str] = _same) -> list:
    """Every error of a rules text as a list (empty when it is fine); never raises RulesError.

    A syntax error stops the reading, so it comes alone; otherwise every name and type
    error is listed.
    """
    catalog = _as_catalog(catalog)
    try:
        ruleset = parse(source)
    except RulesError as e:
        return [e.told(tr)]
    except Exception as exc:  # noqa: BLE001 - a parser bug is told as a sentence, never a traceback
        return [internal_error(exc)]
    return check_ruleset(ruleset, catalog, source, tr)


def check(source: str, catalog: Catalog, filename: str = "rules.txt") -> CheckedRuleSet:
    """Parse and check a rules text; raises ``RulesErrors`` listing every error found
    (a syntax error comes alone: reading stops there). ``catalog`` may also be the JSON dict."""
    catalog = _as_catalog(catalog)
    try:
        ruleset = parse(source)
    except RulesError as e:
        raise RulesErrors([e]) from None
    except Exception as exc:  # noqa: BLE001 - a parser bug is told as a sentence, never a traceback
        raise RulesErrors([internal_error(exc)]) from None
    errors = check_ruleset(ruleset, catalog, source)
    if errors:
        raise RulesErrors(errors)
    return CheckedRuleSet(source, ruleset, catalog, filename)

"""The canonical layout of a rules file: keywords in lower case, one clause per line,
actions indented two spaces, a blank line between rules, comments kept on their lines.

Formatting never changes the meaning (``parse(format_source(t)) == parse(t)``) and is stable
(``format_source(format_source(t)) == format_source(t)``); both are property-tested.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

from . import ast as A
from .errors import RulesError, internal_error
from .parser import parse


def quote(value: str) -> str:
    """A text in double quotes, with ``\\`` and ``"`` escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _num(value: Decimal, text: str = "") -> str:
    if text:
        return text
    if value == value.to_integral_value():
        return str(int(value))
    return str(value)


def format_duration(d: A.Duration) -> str:
    amount = _num(d.amount)
    plural = "" if d.amount == 1 else "s"
    return f"{amount} {d.unit}{plural}"


def format_expr(e) -> str:
    """One value as written canonically: ``job.due_date - 1 week``, ``"Review"``, ``today``."""
    if isinstance(e, A.Field):
        return e.path
    if isinstance(e, A.Text):
        return quote(e.value)
    if isinstance(e, A.Number):
        return _num(e.value, e.text)
    if isinstance(e, A.DateLiteral):
        return e.text or e.value.isoformat()
    if isinstance(e, A.Today):
        return "today"
    if isinstance(e, A.Now):
        return "now"
    if isinstance(e, A.YesNo):
        return "yes" if e.value else "no"
    if isinstance(e, A.Shifted):
        return f"{format_expr(e.base)} {'+' if e.sign > 0 else '-'} {format_duration(e.duration)}"
    if isinstance(e, A.Entity):
        return e.name
    raise TypeError(f"not a value: {e!r}")


def format_condition(c) -> str:
    """A condition on one line, parentheses where the writer put them."""
    if isinstance(c, A.Compare):
        return f"{format_expr(c.left)} {c.op} {format_expr(c.right)}"
    if isinstance(c, A.OneOf):
        values = ", ".join(format_expr(v) for v in c.values)
        return f"{format_expr(c.left)} is {'not ' if c.negated else ''}one of ({values})"
    if isinstance(c, A.Empty):
        return f"{format_expr(c.subject)} is {'not ' if c.negated else ''}empty"
    if isinstance(c, A.Within):
        return f"{format_expr(c.subject)} is within {format_duration(c.duration)}"
    if isinstance(c, A.Ago):
        word = "more" if c.more else "less"
        return f"{format_expr(c.subject)} is {word} than {format_duration(c.duration)} ago"
    if isinstance(c, A.HasTag):
        verb = "does not have" if c.negated else "has"
        return f"{c.entity} {verb} tag {quote(c.tag.value)}"
    if isinstance(c, A.And):
        return " and ".join(_part(p, A.Or) for p in c.parts)
    if isinstance(c, A.Or):
        return " or ".join(format_condition(p) for p in c.parts)
    if isinstance(c, A.Not):
        return "not " + _part(c.part, (A.And, A.Or))
    if isinstance(c, A.Group):
        return f"({format_condition(c.inner)})"
    raise TypeError(f"not a condition: {c!r}")


def _part(c, needs_parens) -> str:
    text = format_condition(c)
    return f"({text})" if isinstance(c, needs_parens) else text


def format_schedule(s: A.Schedule) -> str:
    if s.kind == "day":
        text = "every day"
    elif s.kind == "weekday":
        text = "every weekday"
    elif s.kind == "week":
        day = A.DAY_NAMES[s.weekday]
        if s.interval == 1 and s.short_form:
            text = f"every {day}"
        elif s.interval == 1 and not s.interval_text:
            text = f"every week on {day}"
        else:
            plural = "" if s.interval == 1 else "s"
            text = f"every {s.interval_text or s.interval} week{plural} on {day}"
    elif s.kind in ("month", "quarter"):
        if s.day is None:
            text = f"every {s.kind} on the last day"
        else:
            text = f"every {s.kind} on day {s.day_text or s.day}"
    elif s.kind == "year":
        text = f"every year on {A.MONTH_NAMES[s.month - 1]} {s.day_text or s.day}"
    else:  # pragma: no cover
        raise TypeError(s.kind)
    if s.at is not None:
        text += f" at {s.at.hour:02d}:{s.at.minute:02d}"
    elif s.at_text:
        text += f" at {s.at_text}"
    return text


def format_trigger(rule: A.Rule) -> str:
    t = rule.trigger
    if isinstance(t, A.Schedule):
        return format_schedule(t)
    if isinstance(t, A.StageTrigger):
        text = f"when job {'leaves' if t.leaves else 'enters'} stage {quote(t.stage.value)}"
        if t.pipeline is not None:
            text += f" in pipeline {quote(t.pipeline.value)}"
        return text
    if isinstance(t, A.JobCreated):
        text = "when job is created"
        if t.pipeline is not None:
            text += f" in pipeline {quote(t.pipeline.value)}"
        return text
    if isinstance(t, A.EventTrigger):
        return "when " + A.SIMPLE_EVENTS[t.kind]
    if isinstance(t, A.TagTrigger):
        how = f"added to {t.target}" if t.added else f"removed from {t.target}"
        return f"when tag {quote(t.tag.value)} is {how}"
    raise TypeError(f"not a trigger: {t!r}")  # pragma: no cover


def _reminders(r: Optional[A.Reminders]) -> str:
    if r is None:
        return ""
    text = f" with reminders every {format_duration(r.every)}"
    if r.times is not None:
        text += f" up to {_num(r.times.value, r.times.text)} times"
    return text


def _due(d: Optional[A.Due]) -> str:
    if d is None:
        return ""
    if d.duration is not None:
        return f" due in {format_duration(d.duration)}"
    return f" due on {format_expr(d.date)}"


def format_action(a) -> str:
    """One action on one line, with its ``after`` delay first."""
    prefix = f"after {format_duration(a.delay)} " if a.delay is not None else ""
    if isinstance(a, A.Send):
        body = f"send {a.kind} {quote(a.template.value)} to {format_expr(a.to)}{_reminders(a.reminders)}"
    elif isinstance(a, A.RequestSignature):
        body = (f"request signature on {quote(a.template.value)} from {format_expr(a.source)}"
                f"{_reminders(a.reminders)}")
    elif isinstance(a, A.RequestApproval):
        body = (f"request approval of folder {quote(a.folder.value)} from {format_expr(a.source)}"
                f"{_reminders(a.reminders)}")
    elif isinstance(a, A.CreateTask):
        body = f"create task {quote(a.title.value)}"
        if a.assignee is not None:
            body += f" for {format_expr(a.assignee)}"
        body += _due(a.due)
    elif isinstance(a, A.CreateJob):
        body = f"create job {quote(a.name.value)} in pipeline {quote(a.pipeline.value)}"
        if a.for_account:
            body += " for account"
        body += _due(a.due)
    elif isinstance(a, A.ChangeTags):
        tags = ", ".join(quote(t.value) for t in a.tags)
        body = f"add tag {tags} to {a.target.name}" if a.add else f"remove tag {tags} from {a.target.name}"
    elif isinstance(a, A.ApplyFolderTemplate):
        body = f"apply folder template {quote(a.template.value)}"
    elif isinstance(a, A.MoveJob):
        body = "move job to next stage" if a.stage is None else f"move job to stage {quote(a.stage.value)}"
    elif isinstance(a, A.AssignJob):
        body = f"assign job to {format_expr(a.assignee)}"
    elif isinstance(a, A.ArchiveJob):
        body = "archive job"
    elif isinstance(a, A.Notify):
        body = f"notify {format_expr(a.assignee)} {quote(a.text.value)}"
    elif isinstance(a, A.SendWebhook):
        body = f"send webhook {quote(a.url.value)}"
    else:  # pragma: no cover
        raise TypeError(f"not an action: {a!r}")
    return prefix + body


class _Clause:
    __slots__ = ("indent", "text", "start", "end", "before", "after", "blank_before")

    def __init__(self, indent, text, span, blank_before=False):
        self.indent = indent
        self.text = text
        self.start = span.line
        self.end = span.end_line
        self.before = []
        self.after = []
        self.blank_before = blank_before


def _clauses(rs: A.RuleSet) -> list:
    out = []
    for i, rule in enumerate(rs.rules):
        header = A.Span(rule.span.line, rule.span.column, rule.name.span.end_line, rule.name.span.end_column)
        out.append(_Clause("", f"rule {quote(rule.name.value)}", header, blank_before=i > 0))
        out.append(_Clause("", format_trigger(rule), rule.trigger.span))
        if rule.for_each is not None:
            fe = rule.for_each
            out.append(_Clause("", f"for each {fe.entity} where {format_condition(fe.condition)}", fe.span))
        if rule.condition is not None:
            out.append(_Clause("", f"if {format_condition(rule.condition)}", rule.if_span))
        out.append(_Clause("", "then", rule.then_span))
        for action in rule.actions:
            out.append(_Clause("  ", format_action(action), action.span))
        out.append(_Clause("", "end", rule.end_span))
    return out


def format_ruleset(rs: A.RuleSet) -> str:
    """The canonical text of a parsed rules file (comments come from ``rs.comments``)."""
    clauses = _clauses(rs)
    tail = []
    for comment in rs.comments:
        if comment.trailing:
            owner = None
            for c in clauses:
                if c.start <= comment.line:
                    owner = c
                else:
                    break
            if owner is not None:
                owner.after.append(comment.text)
                continue
        owner = next((c for c in clauses if c.end >= comment.line), None)
        if owner is None:
            tail.append(comment.text)
        else:
            owner.before.append(comment.text)
    lines = []
    for c in clauses:
        if c.blank_before:
            lines.append("")
        lines.extend(c.indent + text for text in c.before)
        line = c.indent + c.text
        if c.after:
            line += "  " + " ".join(c.after)
        lines.append(line)
    if tail:
        if lines:
            lines.append("")
        lines.extend(tail)
    return "\n".join(lines) + "\n" if lines else ""


def format_source(source: str) -> str:
    """The canonical layout of a rules text; raises ``RuleSyntaxError`` if it cannot be read (and an
    ``InternalError``, never a traceback, if the formatter itself fails)."""
    try:
        return format_ruleset(parse(source))
    except RulesError:
        raise
    except Exception as exc:  # noqa: BLE001 - a formatter bug is told as a sentence
        raise internal_error(exc) from None

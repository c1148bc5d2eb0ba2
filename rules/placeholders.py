"""Placeholders ``{{ ... }}`` in free texts (task titles, job names, notify texts).

They render in Jinja2's ``ImmutableSandboxedEnvironment``, like the firm's templates. Only
simple placeholders are allowed: a field (``{{ account.name }}``), one of ``today``, ``year``,
``quarter`` or ``month``, optionally through a few text filters (``{{ account.name | upper }}``).
No statements, calls or arithmetic: a rule's text can therefore neither loop nor grow without
bound, and the rendered text is cut at ``MAX_RENDERED`` characters all the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from jinja2 import StrictUndefined, nodes
from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .catalog import suggest
from .language import FIELDS, SPECIAL_PLACEHOLDERS, N_, Words

MAX_RENDERED = 10_000
# Placeholders are a field and a few filters: deeper brackets than this are refused before Jinja reads them
# (its parser recurses once per level and would run out of stack).
MAX_DEPTH = 10
MAX_LENGTH = 200  # characters inside {{ }}: a field and a few filters fit many times over
ALLOWED_FILTERS = ("upper", "lower", "title", "capitalize", "trim")

ENV = ImmutableSandboxedEnvironment(autoescape=False, undefined=StrictUndefined)

_OPEN = re.compile(r"\{\{|\{%|\{#")


@dataclass(frozen=True)
class PlaceholderProblem:
    """A mistake in a text's placeholders; ``start``/``end`` are offsets in the text's value."""

    start: int
    end: int
    message: str
    hint: Optional[str] = None
    kind: str = "name"  # "name" (unknown name) or "meaning"


class RenderError(Exception):
    """A placeholder could not be filled in (told to people as a plain sentence)."""


def has_placeholders(value: str) -> bool:
    return bool(_OPEN.search(value))


def placeholder_blocks(value: str):
    """(start, end, inner text) of every ``{{ ... }}``; raises nothing."""
    out = []
    pos = 0
    while True:
        m = _OPEN.search(value, pos)
        if m is None:
            return out
        if m.group() != "{{":
            out.append((m.start(), m.end(), None))
            pos = m.end()
            continue
        close = value.find("}}", m.end())
        if close < 0:
            out.append((m.start(), len(value), None))
            return out
        out.append((m.start(), close + 2, value[m.end() : close]))
        pos = close + 2


def check_text(value: str, carried: set, linked: set, fields: Optional[dict] = None) -> list:
    """Every problem with the placeholders of one text, given what the rule carries (``fields``: the
    catalog's field table when the firm has its own fields)."""
    fields = fields or FIELDS
    problems = []
    for start, end, inner in placeholder_blocks(value):
        if inner is None:
            if value.startswith("{{", start):
                problems.append(PlaceholderProblem(
                    start, end, Words(N_("this placeholder is not closed")), Words(N_("end it with }}}}")), "meaning"))
            else:
                problems.append(PlaceholderProblem(
                    start, start + 2, Words(N_("only {{{{ ... }}}} placeholders can be used in rules")),
                    _IN_BRACES, "meaning"))
            continue
        problems.extend(_check_block(start, end, inner, carried | linked, fields))
    return problems


# The usual placeholder, ``{{ account.name }}`` or ``{{ year }}``, checked without Jinja.
_SIMPLE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?\s*")


def _check_block(start, end, inner, carried, fields=FIELDS) -> list:
    shown = "{{" + inner + "}}"
    simple = _SIMPLE.fullmatch(inner)
    if simple is not None:
        name, attr = simple.groups()
        if attr is None:
            return _check_name(start, end, name, fields)
        return _check_field(start, end, name, attr, carried, fields)
    if len(inner) > MAX_LENGTH or _depth(inner) > MAX_DEPTH:
        return [PlaceholderProblem(start, end, Words(N_("the placeholder {placeholder} is too long or has too many "
                                                        "brackets"), placeholder=_shortened(shown)),
                                   _IN_BRACES, "meaning")]
    try:
        tree = ENV.parse("{{" + inner + "}}")
        expr = tree.body[0].nodes[0]
    except (TemplateError, IndexError, AttributeError, ValueError):  # ValueError: a number too long for int()
        return [PlaceholderProblem(start, end, Words(N_("the placeholder {placeholder} is not written correctly"),
                                                     placeholder=_shortened(shown)), _IN_BRACES, "meaning")]
    while isinstance(expr, nodes.Filter):
        if expr.name not in ALLOWED_FILTERS or expr.args or expr.kwargs:
            return [PlaceholderProblem(
                start, end, Words(N_('"| {name}" cannot be used in a placeholder'), name=expr.name),
                Words(N_("a placeholder may end with | upper, | lower, | title, | capitalize or | trim")),
                "meaning")]
        expr = expr.node
    if isinstance(expr, nodes.Name):
        return _check_name(start, end, expr.name)
    if isinstance(expr, nodes.Getattr) and isinstance(expr.node, nodes.Name):
        return _check_field(start, end, expr.node.name, expr.attr, carried)
    return [PlaceholderProblem(start, end, Words(N_("the placeholder {placeholder} is not a field"),
                                                 placeholder=_shortened(shown)),
                               Words(N_("placeholders show a field, like {{{{ account.name }}}}, or today, "
                                        "year, quarter or month")), "meaning")]


_IN_BRACES = Words(N_("write a field in double braces, like {{{{ account.name }}}}"))


def _depth(inner: str) -> int:
    """How deeply brackets nest in a placeholder (unbalanced closing ones are Jinja's to report)."""
    depth = deepest = 0
    for ch in inner:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth = max(0, depth - 1)
    return deepest


def _shortened(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 5] + "...}}"


def _check_name(start, end, name, fields=FIELDS) -> list:
    if name in SPECIAL_PLACEHOLDERS:
        return []
    if name in fields:
        first = next(iter(fields[name]))
        return [PlaceholderProblem(start, end, Words(N_("say which field of the {entity} to show"), entity=name),
                                   Words(N_("like {placeholder}"), placeholder=f"{{{{ {name}.{first} }}}}"), "meaning")]
    return [_unknown(start, end, name, fields)]


def _check_field(start, end, entity, attr, carried, fields=FIELDS) -> list:
    path = f"{entity}.{attr}"
    if entity not in fields or attr not in fields[entity]:
        return [_unknown(start, end, path, fields)]
    if entity not in carried:
        return [PlaceholderProblem(
            start, end, Words(N_("this trigger carries no {entity}, so {placeholder} can't be used here"),
                              entity=entity, placeholder=f"{{{{ {path} }}}}"),
            None, "meaning")]
    return []


def _unknown(start, end, name, fields=FIELDS) -> PlaceholderProblem:
    known = list(SPECIAL_PLACEHOLDERS) + [f"{e}.{n}" for e, names in fields.items() for n in names]
    close = suggest(name, known)
    return PlaceholderProblem(start, end, Words(N_('there is no placeholder "{name}"'), name=name),
                              Words(N_('did you mean "{name}"?'), name=close) if close else None)


_ENTITY_REF = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\.")


def referenced_entities(value: str) -> set:
    """Entities a text's placeholders show (``{{ job.name }}`` -> {"job"})."""
    found = set()
    for _, _, inner in placeholder_blocks(value):
        if inner:
            found.update(name for name in _ENTITY_REF.findall(inner) if name in FIELDS)
    return found


_NAME_REF = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(\s*\.\s*([A-Za-z_][A-Za-z0-9_]*))?")


def referenced_fields(value: str) -> Optional[frozenset]:
    """(entity, field) pairs a text's placeholders show (``{{ job.name | upper }}`` -> {("job", "name")});
    None when a placeholder names an entity without a field (the checker refuses that), or a block
    other than ``{{ }}``: then what the text reads is not known."""
    found = set()
    for _, _, inner in placeholder_blocks(value):
        if inner is None:
            return None
        for m in _NAME_REF.finditer(inner):
            if m.group(1) in FIELDS:
                if m.group(3) is None:
                    return None
                found.add((m.group(1), m.group(3)))
    return frozenset(found)

def compile_text(value: str):
    """A compiled template for a text with placeholders, or None for plain text."""
    if not has_placeholders(value):
        return None
    return ENV.from_string(value)


def render(template, value: str, context: dict) -> str:
    """Fill in a text's placeholders; raises ``RenderError`` with a plain reason."""
    if template is None:
        return value
    try:
        text = template.render(context)
    except TemplateError as e:
        raise RenderError(f'the text "{value}" could not be filled in ({e})') from None
    if len(text) > MAX_RENDERED:
        raise RenderError(f'the text "{value[:40]}..." became longer than {MAX_RENDERED} characters')
    return text

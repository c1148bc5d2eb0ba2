"""Slips people make when they write rules (often in a word processor), each answered with what to
write instead: dates with slashes, typographic quotes, invisible spaces, "and" between actions,
optional parts out of order, "then" straight followed by "end", a "." after "end"."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Optional

from lark import Token

from . import ast as A
from .errors import RuleSyntaxError
from .language import N_, Words

ACTION_VERBS = frozenset({
    "SEND", "REQUEST", "CREATE", "ADD", "REMOVE", "APPLY", "MOVE", "ASSIGN", "ARCHIVE", "NOTIFY",
})
TYPOGRAPHIC_QUOTES = "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2018\u2019\u201a\u201b\u2039\u203a"
_SLASH_DATE = re.compile(r"(?<![\d/.])(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?![\d/.])")
_COMPARISON_WORDS = frozenset({"IS", "EQ", "NE", "LT", "LE", "GT", "GE", "NOT"})


@dataclass(frozen=True)
class Stop:
    """Where the parser stopped: the text, what it had read (its stack), what it expected and found."""

    text: str
    stack: list
    expected: set
    found_type: Optional[str]
    word: str
    span: A.Span
    previous: Optional[str]
    pos: Optional[int] = None  # offset of an unreadable character, when the lexer stopped

    def line(self) -> str:
        lines = self.text.split("\n", self.span.line)
        return lines[self.span.line - 1] if self.span.line <= len(lines) else ""


def known_slip(stop: Stop) -> Optional[RuleSyntaxError]:
    """The slip behind a syntax error, told in its own words (None when it is none of these)."""
    for check in (_slash_date, _typographic_quote, _invisible_character, _and_between_actions,
                  _then_end, _after_end, _out_of_order, _negative_number):
        err = check(stop)
        if err is not None:
            return err
    return None


def _slash_date(stop: Stop) -> Optional[RuleSyntaxError]:
    line = stop.line()
    for m in _SLASH_DATE.finditer(line):
        if not m.start() < stop.span.column <= m.end() + 1:
            continue
        first, second, year = (int(x) for x in m.groups())
        if first > 12 and second <= 12:
            fixed = f"{year:04d}-{second:02d}-{first:02d}"
        elif second > 12 and first <= 12:
            fixed = f"{year:04d}-{first:02d}-{second:02d}"
        else:
            fixed = Words(N_("{date} (or {other})"), date=f"{year:04d}-{second:02d}-{first:02d}",
                          other=f"{year:04d}-{first:02d}-{second:02d}")
        return RuleSyntaxError(
            Words(N_("dates are written year-month-day, not with slashes or dots")),
            A.Span(stop.span.line, m.start() + 1, stop.span.line, m.end() + 1),
            Words(N_("write dates as {date}"), date=fixed))
    return None


def _typographic_quote(stop: Stop) -> Optional[RuleSyntaxError]:
    if not stop.word or stop.word[0] not in TYPOGRAPHIC_QUOTES + "'":
        return None
    span = A.Span(stop.span.line, stop.span.column, stop.span.line, stop.span.column + 1)
    if stop.word[0] == "'":
        return RuleSyntaxError(Words(N_("names and texts are written in double quotes")), span,
                               Words(N_('use straight quotes "..."')))
    return RuleSyntaxError(
        Words(N_("{quote} is a typographic quote (word processors type them): rules need straight quotes"),
              quote=stop.word[0]),
        span, Words(N_('use straight quotes "..."')))


def _invisible_character(stop: Stop) -> Optional[RuleSyntaxError]:
    if stop.pos is None or stop.pos >= len(stop.text):
        return None
    ch = stop.text[stop.pos]
    if ch.isprintable() and not ch.isspace():
        return None
    name = unicodedata.name(ch, "").lower() or Words(N_("an invisible character"))
    span = A.Span(stop.span.line, stop.span.column, stop.span.line, stop.span.column + 1)
    return RuleSyntaxError(
        Words(N_("there is an invisible character here: {name} ({code})"), name=name, code=f"U+{ord(ch):04X}"), span,
        Words(N_("replace it with an ordinary space (word processors and web pages put these in)")))


def _action_open(stop: Stop) -> bool:
    return any(isinstance(x, Token) and x.type == "THEN" for x in stop.stack)


def _and_between_actions(stop: Stop) -> Optional[RuleSyntaxError]:
    if stop.found_type != "AND" or not _action_open(stop) or not ({"END"} | ACTION_VERBS) & stop.expected:
        return None
    return RuleSyntaxError(Words(N_('"and" cannot join two actions')), stop.span,
                           Words(N_('write each action on its own line, without "and"')))


def _then_end(stop: Stop) -> Optional[RuleSyntaxError]:
    if stop.found_type != "END" or stop.previous != "THEN":
        return None
    return RuleSyntaxError(Words(N_('there is no action between "then" and "end"')), stop.span,
                           Words(N_('write at least one action, like: send email "Welcome" to account')))


def _after_end(stop: Stop) -> Optional[RuleSyntaxError]:
    if stop.previous != "END" or stop.word not in (".", ";", ",", ":", "!"):
        return None
    return RuleSyntaxError(Words(N_('there is a "{sign}" after "end"'), sign=stop.word), stop.span,
                           Words(N_('remove the "{sign}": a rule ends with the word end alone'), sign=stop.word))


def _out_of_order(stop: Stop) -> Optional[RuleSyntaxError]:
    """``create task "T" due in 2 days for "Ann Lee"``: "for" comes before "due"."""
    if stop.found_type != "FOR":
        return None
    tokens = [x for x in stop.stack if isinstance(x, Token)]
    verbs = [i for i, t in enumerate(tokens) if t.type == "CREATE"]
    if not verbs or not any(t.type == "DUE" for t in tokens[verbs[-1]:]):
        return None
    created = tokens[verbs[-1]:]
    what = created[1].type.lower() if len(created) > 1 else "task"
    title = next((str(t) for t in created if t.type == "STRING"), '"T"')
    line = stop.line()
    start = stop.span.column - 1
    rest = line[start:]
    m = re.match(r'for\s+("(?:[^"\\]|\\.)*"|[\w.]+)', rest, re.IGNORECASE)
    who = m.group(1) if m else '"Ann Lee"'
    due_tok = next(t for t in created if t.type == "DUE")
    due = " ".join(line[due_tok.column - 1:start].split()) if due_tok.line == stop.span.line else "due in 2 days"
    middle = ""
    if what == "job":
        pipes = [t for t in created if t.type == "STRING"]
        middle = f" in pipeline {pipes[1]}" if len(pipes) > 1 else ' in pipeline "..."'
    return RuleSyntaxError(
        Words(N_('the parts of "create {what}" are out of order'), what=what), stop.span,
        Words(N_("the order is: {order}"), order=f"create {what} {title}{middle} for {who} {due}"))


def _negative_number(stop: Stop) -> Optional[RuleSyntaxError]:
    if stop.found_type != "MINUS" or "NUMBER" not in stop.expected:
        return None
    if stop.previous == "EVERY":
        hint = Words(N_("reminders repeat every 1 or more days, like every 3 days"))
    elif stop.previous in _COMPARISON_WORDS:
        hint = Words(N_("compare the other way round, like account.balance < 0"))
    else:
        hint = Words(N_("write the number without a minus sign: durations count forward, like due in 2 days"))
    return RuleSyntaxError(Words(N_("numbers in rules are never negative")), stop.span, hint)

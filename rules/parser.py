"""Parsing rules text into the AST of ``rules.ast``, with syntax errors in plain words.

One LALR parser is built from ``grammar.lark`` when the module is imported; an inline
transformer (``builder.py``) builds the AST while parsing (no intermediate parse tree).
Lark's exceptions are turned into ``RuleSyntaxError`` naming what was expected the way a
non-programmer would say it ("a stage name in quotes", "then"), never a token name.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Optional

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from . import ast as A
from .builder import _AfterAtEnd, _Builder, _span_of, _Wrap, token_span
from .errors import RuleSyntaxError, short_number
from .language import N_, Words, either
from .slips import ACTION_VERBS as _ACTION_VERBS
from .slips import Stop, known_slip

GRAMMAR_PATH = Path(__file__).with_name("grammar.lark")
GRAMMAR = GRAMMAR_PATH.read_text(encoding="utf-8")


def ascii_keywords(grammar: str) -> str:
    """The grammar with every case-insensitive terminal folding ASCII letters only.

    Python's case-insensitive matching folds look-alikes too (dotless i, dotted I, long s,
    Kelvin sign), which would let ``crıate`` through as ``create``; ``(?a:...)`` stops that,
    while a trailing word boundary stays Unicode-aware so ``taské`` is still one word.
    """
    def wrap(m: re.Match) -> str:
        body, boundary = (m.group(2)[:-2], "\\b") if m.group(2).endswith("\\b") else (m.group(2), "")
        return f"{m.group(1)}/(?a:{body}){boundary}/i"

    return re.sub(r"^([A-Z_]+(?:\.\d+)?:\s*)/(.*)/i$", wrap, grammar, flags=re.M)


_PARSER = Lark(
    ascii_keywords(GRAMMAR),
    parser="lalr",
    lexer="contextual",
    transformer=_Builder(),
    maybe_placeholders=False,
    start=["start", "condition"],
)

# ------------------------------------------------------------------ scanning

# Quoted texts and comments are skipped; a comma directly between digits is always an error.
_SCAN = re.compile(
    r'(?P<string>"(?:[^"\\\n]|\\.)*"?)|(?P<comment>#[^\n]*)'
    r"|(?P<comma>(?<![\d.])\d[\d.]*+(?:,\d[\d.]*+)+)|[A-Za-z_][\w.]*|[^\s\"#\w]+|\s+"
)


def _line_col(text: str, pos: int) -> tuple:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, column


def scan_comments_and_commas(text: str):
    """The comments of a text (outside quotes) and the first ``1,000``-like number, if any."""
    comments = []
    comma = None
    for m in _SCAN.finditer(text):
        kind = m.lastgroup
        if kind == "comment":
            line, column = _line_col(text, m.start())
            before = text[text.rfind("\n", 0, m.start()) + 1 : m.start()]
            comments.append(A.Comment(m.group().rstrip(), line, column, bool(before.strip())))
        elif kind == "comma" and comma is None:
            line, column = _line_col(text, m.start())
            comma = (m.start(), A.Span(line, column, line, column + len(m.group())), m.group())
    return comments, comma


def _comma_error(span: A.Span, raw: str) -> RuleSyntaxError:
    plain = raw.replace(",", "")
    if not re.fullmatch(r"\d+(\.\d+)?", plain):
        plain = "1000"
    return RuleSyntaxError(
        Words(N_("write numbers without separators, like {number}"), number=plain), span,
        Words(N_("in a list of values, put a space after each comma")),
    )


# ------------------------------------------------------------------ public entry


def parse(source: str) -> A.RuleSet:
    """Parse rules text into a ``RuleSet``; raises ``RuleSyntaxError`` at the first mistake."""
    if not isinstance(source, str):
        raise TypeError("rules text must be a str")
    text = source[1:] if source.startswith("\ufeff") else source
    comments, comma = scan_comments_and_commas(text)
    try:
        result = _PARSER.parse(text, start="start")
    except _AfterAtEnd as e:
        err = _after_error(text, e.span, e.action_span)
        _raise_first(err, comma, text)
    except UnexpectedInput as e:
        err = _translate(e, text)
        _raise_first(err, comma, text)
    except RecursionError:
        raise RuleSyntaxError(
            Words(N_("this rule is nested too deeply to read")), A.Span(1, 1, 1, 2),
            Words(N_("use fewer parentheses inside each other")),
        ) from None
    if comma is not None:
        raise _comma_error(comma[1], comma[2])
    _check_depth(result)
    if isinstance(result, A.RuleSet):
        return replace(result, comments=tuple(comments))
    return A.RuleSet((), tuple(comments))  # pragma: no cover


def parse_condition(source: str):
    """Parse a condition alone (an organizer's show-if: ``answer.has_rental is yes``); raises
    ``RuleSyntaxError`` at the first mistake, worded like the rules' own."""
    if not isinstance(source, str):
        raise TypeError("a condition must be a str")
    text = source[1:] if source.startswith("\ufeff") else source
    _, comma = scan_comments_and_commas(text)
    try:
        result = _PARSER.parse(text, start="condition")
    except UnexpectedInput as e:
        _raise_first(_condition_end_error(e, text) or _translate(e, text), comma, text)
    except RecursionError:
        raise RuleSyntaxError(Words(N_("this condition is nested too deeply to read")), A.Span(1, 1, 1, 2),
                              Words(N_("use fewer parentheses inside each other"))) from None
    if comma is not None:
        raise _comma_error(comma[1], comma[2])
    _check_nesting([(result, 1)])
    return result


def _condition_end_error(e: UnexpectedInput, text: str) -> Optional[RuleSyntaxError]:
    """A condition that stops too early (``answer.count >``) is told where it stops."""
    if not isinstance(e, UnexpectedToken) or e.token.type != "$END":
        return None
    if not text.strip():
        return RuleSyntaxError(Words(N_("the condition is empty")), A.Span(1, 1, 1, 2),
                               Words(N_("write a test, like answer.has_rental is yes")))
    end = len(text.rstrip())
    line, column = _line_col(text, end - 1)
    ip = getattr(e, "interactive_parser", None)
    previous = _previous_type(list(ip.parser_state.value_stack)) if ip is not None else None
    expected = {x for x in e.expected if x != "$END"}
    return RuleSyntaxError(Words(N_("the condition stops too early: expected {expected}"),
                                 expected=describe_expected(expected, previous)),
                           A.Span(line, column, line, column + 1))


MAX_DEPTH = 60


def _check_depth(ruleset) -> None:
    """Refuse conditions nested deeper than MAX_DEPTH (every later pass recurses on them)."""
    for rule in getattr(ruleset, "rules", ()):
        roots = [rule.condition, rule.for_each.condition if rule.for_each else None]
        stack = [(root, 1) for root in roots if root is not None]
        for action in rule.actions:
            due = getattr(action, "due", None)
            if due is not None and due.date is not None:
                stack.append((A.Empty(due.date, span=due.span), 1))
        _check_nesting(stack)


def _check_nesting(stack: list) -> None:
    """Refuse (condition, depth) pairs nested deeper than MAX_DEPTH."""
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise RuleSyntaxError(
                Words(N_("this condition is nested too deeply to read")), node.span,
                Words(N_('use at most {count} parentheses or "not" inside each other'), count=MAX_DEPTH))
        if isinstance(node, (A.And, A.Or)):
            stack.extend((p, depth + 1) for p in node.parts)
        elif isinstance(node, A.Not):
            stack.append((node.part, depth + 1))
        elif isinstance(node, A.Group):
            stack.append((node.inner, depth + 1))
        elif isinstance(node, (A.Compare, A.OneOf, A.Empty, A.Within, A.Ago)):
            for value in _values_of(node):
                d = depth
                while isinstance(value, A.Shifted):
                    d += 1
                    value = value.base
                if d > MAX_DEPTH:
                    raise RuleSyntaxError(Words(N_("this value has too many durations added to it")),
                                          node.span, Words(N_("add them up into one duration")))


def _values_of(node):
    if isinstance(node, A.Compare):
        return (node.left, node.right)
    if isinstance(node, A.OneOf):
        return (node.left,) + tuple(node.values)
    return (node.subject,)


def _raise_first(err: RuleSyntaxError, comma, text: str):
    if comma is not None and (comma[1].line, comma[1].column) <= (err.span.line, err.span.column):
        raise _comma_error(comma[1], comma[2]) from None
    raise err from None


# ------------------------------------------------------------------ error wording

_VALUE_STARTS = {"FIELD", "STRING", "NUMBER", "DATE", "TODAY", "NOW", "YES", "NO"}
_COMPARISONS = {
    "IS", "EQ", "NE", "LT", "LE", "GT", "GE", "CONTAINS", "DOES", "STARTS", "BEFORE", "AFTER",
}
_UNITS = {"MINUTE", "HOUR", "DAY", "BUSINESS", "WEEK", "MONTH", "YEAR"}
_EVENT_STARTS = {"JOB", "STAGE", "ORGANIZER", "PROPOSAL", "INVOICE", "DOCUMENT", "SIGNATURE",
                 "CLIENT", "MESSAGE", "TAG"}
_PERIODS = {"DAY", "WEEKDAY", "DAYNAME", "WEEK", "NUMBER", "MONTH", "QUARTER", "YEAR"}
_ENTITIES = {"ACCOUNT", "JOB", "CONTACT"}

_WORDS = {
    "NUMBER": Words(N_("a number")),
    "DATE": Words(N_("a date like 2027-04-15")),
    "TIME": Words(N_("a time like 07:30")),
    "FIELD": Words(N_("a field like job.due_date")),
    "DAYNAME": Words(N_("a day name like monday")),
    "MONTHNAME": Words(N_("a month name like april")),
    "WEEKDAY": '"weekday"',
    "MINUTE": '"minutes"', "HOUR": '"hours"', "DAY": '"day"', "WEEK": '"week"',
    "MONTH": '"month"', "YEAR": '"year"',
    "EQ": '"="', "NE": '"!="', "LT": '"<"', "LE": '"<="', "GT": '">"', "GE": '">="',
    "PLUS": '"+"', "MINUS": '"-"', "LPAR": '"("', "RPAR": '")"', "COMMA": '","',
}

# What a quoted text is, from the word written just before it.
_STRING_AFTER = {
    "RULE": Words(N_("the rule's name in quotes")),
    "STAGE": Words(N_("a stage name in quotes")),
    "PIPELINE": Words(N_("a pipeline name in quotes")),
    "TAG": Words(N_("a tag name in quotes")),
    "COMMA": Words(N_("a tag name in quotes")),
    "EMAIL": Words(N_("an email template's name in quotes")),
    "MESSAGE": Words(N_("a message template's name in quotes")),
    "ORGANIZER": Words(N_("an organizer template's name in quotes")),
    "PROPOSAL": Words(N_("a proposal template's name in quotes")),
    "INVOICE": Words(N_("an invoice template's name in quotes")),
    "ON": Words(N_("a document template's name in quotes")),
    "FOLDER": Words(N_("a folder name in quotes")),
    "TEMPLATE": Words(N_("a folder template's name in quotes")),
    "TASK": Words(N_("the task's title in quotes")),
    "JOB": Words(N_("the job's name in quotes")),
    "NOTIFY": Words(N_("a team member's name in quotes, or job.assignee")),
    "FIELD": Words(N_("the notification's text in quotes")),
    "WEBHOOK": Words(N_('the address in quotes, like "https://example.com/hooks"')),
}


def _keywords() -> dict:
    """Terminal name -> the plain word, for every keyword of the grammar (``THEN`` -> ``then``)."""
    words = {}
    for term in _PARSER.terminals:
        m = re.fullmatch(r"\(\?a:([a-z]+)\)\\b", term.pattern.value)
        if m:
            words[term.name] = m.group(1)
    return words


KEYWORDS = _keywords()


def _keyword_word(name: str) -> str:
    return f'"{KEYWORDS.get(name, name.lower())}"'


def _expected_order(name: str):
    # Conjunctions read best last: "then", "and" or "or".
    return (name in ("AND", "OR"), name)


def describe_expected(expected, previous: Optional[str]) -> str:
    """What was expected, in words: ``"then", "and" or "or"``, ``a stage name in quotes``."""
    exp = {e for e in expected if e not in ("WS", "COMMENT", "$END")}
    phrases = []
    for first in ("THEN", "END"):
        if first in exp:
            phrases.append(f'"{first.lower()}"')
            exp.discard(first)
    if exp >= {"WHEN", "EVERY"}:
        phrases.append(Words(N_('"when" (like: when job enters stage "Review") or "every" (like: every day)')))
        exp -= {"WHEN", "EVERY"}
    if len(exp & _ACTION_VERBS) >= 5:
        phrases.append(Words(N_("an action such as send email, create task, add tag, move job or notify")))
        exp -= _ACTION_VERBS | {"AFTER"}
    if len(exp & _EVENT_STARTS) >= 5:
        phrases.append(Words(N_('what starts the rule, such as job enters stage "...", job is created, '
                                'invoice is paid or tag "..." is added to account')))
        exp -= _EVENT_STARTS
    if previous == "EVERY" and len(exp & _PERIODS) >= 5:
        phrases.append(Words(N_("how often, such as day, weekday, monday, week on friday, month on day 15, "
                                "quarter on day 1 or year on april 15")))
        exp -= _PERIODS
    if {"FIELD", "ACCOUNT", "LPAR"} <= exp:
        phrases.append(Words(N_('a test such as account.balance > 0, job.stage is "Review" or '
                                'account has tag "VIP"')))
        exp -= _VALUE_STARTS | _ENTITIES | {"NOT", "LPAR"}
    if {"FIELD", "NUMBER", "STRING"} <= exp:
        phrases.append(Words(N_("a value: a field like account.balance, a text in quotes, a number or a date")))
        exp -= _VALUE_STARTS
    if {"IS", "LT"} <= exp:
        phrases.append(Words(N_("a comparison such as is, is not, >, contains or is before")))
        exp -= _COMPARISONS | {"PLUS", "MINUS"}
    if len(exp & _UNITS) >= 4:
        phrases.append(Words(N_("a unit such as days, business days, weeks or months")))
        exp -= _UNITS
    if exp >= _ENTITIES:
        phrases.append(Words(N_("account, job or contact")))
        exp -= _ENTITIES
    if exp - {"PLUS", "MINUS"} or phrases:
        exp -= {"PLUS", "MINUS"}
    phrases.extend(_expected_word(name, previous) for name in sorted(exp, key=_expected_order))
    return either(phrases) if phrases else Words(N_("something else"))


def _expected_word(name: str, previous: Optional[str]) -> str:
    """One expected terminal in words; a quoted text is named after the word before it."""
    if name == "STRING":
        return _STRING_AFTER.get(previous or "", Words(N_("a text in quotes")))
    if name in _WORDS:
        return _WORDS[name]
    return _keyword_word(name)


def _describe_found(tok: Optional[Token], word: str) -> str:
    if tok is None:
        return f'"{_cut(word)}"'
    if tok.type == "$END":
        return Words(N_("the end of the file"))
    if tok.type == "STRING":
        return Words(N_("the text {text}"), text=_short(str(tok)))
    if tok.type == "NUMBER":
        return Words(N_("the number {number}"), number=short_number(str(tok)))
    if tok.type == "DATE":
        return Words(N_("the date {date}"), date=_cut(str(tok)))
    if tok.type == "FIELD":
        return Words(N_("the field {field}"), field=_cut(str(tok).lower()))
    return f'"{_cut(str(tok))}"'


def _cut(word: str) -> str:
    return word if len(word) <= 40 else word[:37] + "..."


def _short(raw: str) -> str:
    return raw if len(raw) <= 40 else raw[:37] + '..."'


def _previous_type(stack) -> Optional[str]:
    for item in reversed(stack):
        if isinstance(item, Token):
            return item.type
        return None
    return None


def _open_rule(stack):
    """The ``rule`` word and name of the rule being read when the error came, if any."""
    for i in range(len(stack) - 1, -1, -1):
        item = stack[i]
        if isinstance(item, Token) and item.type == "RULE":
            name = stack[i + 1] if i + 1 < len(stack) else None
            return item, (name if isinstance(name, Token) and name.type == "STRING" else None)
    return None, None


_ACTION_TYPES = (
    A.Send, A.RequestSignature, A.RequestApproval, A.CreateTask, A.CreateJob, A.ChangeTags,
    A.ApplyFolderTemplate, A.MoveJob, A.AssignJob, A.ArchiveJob, A.Notify, A.SendWebhook,
)


def _after_error(text: str, span: A.Span, action_span: Optional[A.Span]) -> RuleSyntaxError:
    words = " ".join((_source_of(text, span) or "after ...").split())
    previous_source = " ".join(_source_of(text, action_span).split()) if action_span else ""
    example = f"{words} {previous_source}" if previous_source else f"{words} send email ..."
    return RuleSyntaxError(
        Words(N_('"{words}" belongs at the start of the action it delays, not at its end'), words=words),
        span,
        Words(N_("write it first, like: {example}"), example=example),
    )


def _source_of(text: str, span: A.Span) -> str:
    lines = text.split("\n")
    if span.line != span.end_line or span.line > len(lines):
        return ""
    return lines[span.line - 1][span.column - 1 : span.end_column - 1]


def _word_at(text: str, pos: int) -> str:
    m = re.compile(r"[\w.]+|\S").match(text, pos)
    return m.group() if m else ""


def _translate(e: UnexpectedInput, text: str) -> RuleSyntaxError:
    ip = getattr(e, "interactive_parser", None)
    stack = list(ip.parser_state.value_stack) if ip is not None else []
    previous = _previous_type(stack)
    tok: Optional[Token] = None
    pos = None
    if isinstance(e, UnexpectedToken):
        tok = e.token
        expected = set(e.expected)
        if tok.type == "$END":
            return _eof_error(stack, expected)
        span = token_span(tok)
        word = str(tok)
    elif isinstance(e, UnexpectedCharacters):
        expected = set(e.allowed or ())
        if ip is not None:
            expected = set(ip.accepts()) or expected
        pos = e.pos_in_stream
        word = _word_at(text, pos)
        span = A.Span(e.line, e.column, e.line, e.column + max(len(word), 1))
        if word.startswith('"'):
            return _quote_error(text, e.pos_in_stream, e.line, e.column)
    else:  # pragma: no cover - Lark's LALR raises only the two above
        return RuleSyntaxError(Words(N_("this rule could not be read")), A.Span(1, 1, 1, 2))
    expected.discard("$END")
    found_type = tok.type if tok is not None else None
    known = known_slip(Stop(text, stack, expected, found_type, word, span, previous, pos))
    if known is None:
        known = _misplaced_delay(text, stack, found_type, span)
    if known is None:
        known = _known_mistake(text, stack, expected, found_type, span, word)
    if known is not None:
        return known
    message = Words(N_("expected {expected}, found {found}"), expected=describe_expected(expected, previous),
                    found=_describe_found(tok, word))
    return RuleSyntaxError(message, span, _spelling_hint(word, expected))


def _misplaced_delay(text: str, stack, found_type: Optional[str], span: A.Span) -> Optional[RuleSyntaxError]:
    """``after 2 days`` written after an action: the parser is inside a delay when it fails."""
    after = _pending_delay(stack)
    if after is None or found_type in _ACTION_VERBS:
        return None
    after_item, span_after = after
    if span.line == span_after.end_line and found_type not in ("END", "RULE"):
        return None  # the word right after the delay is its action, misspelt: say what an action is
    prev_action = next((x for x in reversed(_flatten(stack[: stack.index(after_item)]))
                        if isinstance(x, _ACTION_TYPES)), None)
    return _after_error(text, span_after, prev_action.span if prev_action else None)


def _known_mistake(text: str, stack, expected: set, found_type: Optional[str], span: A.Span,
                   word: str) -> Optional[RuleSyntaxError]:
    """A mistake people often make, said in its own words (None: describe what was expected)."""
    if "THEN" in expected and found_type in _ACTION_VERBS | {"AFTER"}:
        return RuleSyntaxError(
            Words(N_('"then" is missing before the actions')), span,
            Words(N_('write "then" on its own line before the first action')),
        )
    if "END" in expected and found_type == "RULE":
        _, name = _open_rule(stack)
        named = _short(str(name)) if name is not None else ""
        if name is None:
            return RuleSyntaxError(Words(N_('"end" is missing: the rule must be closed before the next rule starts')),
                                   span, Words(N_('write "end" after the last action of the rule')))
        return RuleSyntaxError(
            Words(N_('"end" is missing: the rule {name} must be closed before the next rule starts'), name=named),
            span, Words(N_('write "end" after the last action of the rule {name}'), name=named),
        )
    loose_date = _loose_date_at(text, span)
    if loose_date is not None:
        return loose_date
    if found_type in _UNITS and expected == {"WEEK"}:
        return RuleSyntaxError(
            Words(N_("a schedule cannot repeat every few {units}"), units=word.lower().rstrip("s") + "s"), span,
            Words(N_("schedules repeat every day, weekday, week, 2 (or more) weeks, month, quarter or year")),
        )
    if found_type == "NUMBER" and "TIME" in expected:
        return RuleSyntaxError(
            Words(N_("expected a time like 07:30, found the number {number}"), number=short_number(word)), span,
            Words(N_("write the time with minutes, like {time}"), time=f"{int(word):02d}:00")
            if word.isdigit() and len(word) <= 2 else None,
        )
    return None


_LOOSE_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}\b")


def _loose_date_at(text: str, span: A.Span) -> Optional[RuleSyntaxError]:
    """``2027-4-1``: a date without two-digit month and day."""
    lines = text.split("\n")
    if span.line > len(lines):
        return None
    line = lines[span.line - 1]
    for m in _LOOSE_DATE.finditer(line):
        if len(m.group()) == 10:
            continue  # a well-written date: the mistake is elsewhere
        if m.start() < span.column <= m.end() + 1:
            try:
                y, mo, d = (int(x) for x in m.group().split("-"))
                fixed = date(y, mo, d).isoformat()
            except ValueError:
                fixed = "2027-04-15"
            return RuleSyntaxError(
                Words(N_("write dates as year-month-day with two digits for the month and the day")),
                A.Span(span.line, m.start() + 1, span.line, m.end() + 1), Words(N_("like {date}"), date=fixed))
    return None


def _spelling_hint(word: str, expected) -> Optional[str]:
    if not word or not word[0].isalpha():
        return None
    words = [KEYWORDS[name] for name in expected if name in KEYWORDS]
    for keyword in sorted(words, key=len, reverse=True):
        rest = word[len(keyword):]
        if word.lower().startswith(keyword) and rest[:1].isalpha():
            return Words(N_('put a space after "{keyword}": {keyword} {rest}'), keyword=keyword, rest=rest)
    words = list(words)
    if "DAYNAME" in expected:
        words.extend(A.DAY_NAMES)
    if "MONTHNAME" in expected:
        words.extend(A.MONTH_NAMES)
    if {"DAY", "WEEK"} & set(expected):
        words.extend(["days", "weeks", "months", "years", "hours", "minutes", "day", "week"])
    close = difflib.get_close_matches(word.lower(), words, n=1, cutoff=0.7)
    if not close or close[0] == word.lower():
        return None
    return Words(N_('did you mean "{name}"?'), name=close[0])


def _flatten(items):
    """Lark keeps repeated items (``action+``) in helper trees on its stack: open them."""
    out = []
    for item in items:
        if isinstance(item, Tree):
            out.extend(_flatten(item.children))
        else:
            out.append(item)
    return out


def _pending_delay(stack):
    """If the parser stopped inside ``after DURATION``: the span from ``after`` to the stop."""
    if not any(isinstance(x, Token) and x.type == "THEN" for x in stack):
        return None
    top = stack[-3:]
    for i in range(len(top) - 1, -1, -1):
        item = top[i]
        if isinstance(item, Token) and item.type == "AFTER":
            span = token_span(item)
            for rest in top[i + 1 :]:
                rest_span = rest[1] if isinstance(rest, tuple) else _span_of(rest)
                if rest_span is not None:
                    span = span.merge(rest_span)
            return item, span
        if isinstance(item, _Wrap) and isinstance(item.value, A.Duration):
            return item, item.span  # a reduced ``delay``
    return None


def _eof_error(stack, expected) -> RuleSyntaxError:
    rule_tok, name = _open_rule(stack)
    if rule_tok is None:  # pragma: no cover - the file can only end early inside a rule
        return RuleSyntaxError(Words(N_("the file ends too early")), A.Span(1, 1, 1, 2))
    span = token_span(rule_tok)
    if name is not None:
        span = span.merge(token_span(name))
    if "END" in expected:
        hint = Words(N_('write "end" after its last action'))
    else:
        hint = Words(N_('a rule needs a trigger ("when ..." or "every ..."), "then", at least one action and "end"'))
    if name is None:
        return RuleSyntaxError(Words(N_('the rule is not closed: the file ends before its "end"')), span, hint)
    return RuleSyntaxError(Words(N_('the rule {name} is not closed: the file ends before its "end"'),
                                 name=_short(str(name))), span, hint)


def _quote_error(text: str, pos: int, line: int, column: int) -> RuleSyntaxError:
    i = pos + 1
    while i < len(text) and text[i] not in '"\n':
        if text[i] == "\\":
            if i + 1 < len(text) and text[i + 1] in '"\\':
                i += 2
                continue
            bl, bc = _line_col(text, i)
            return RuleSyntaxError(
                Words(N_("inside quotes, a backslash must be followed by a quote or another backslash")),
                A.Span(bl, bc, bl, bc + 2), Words(N_('write \\" for a quote and \\\\ for a backslash')),
            )
        i += 1
    end_col = column + (i - pos)
    if i < len(text) and text[i] == '"':
        # A well-formed text the grammar did not expect here.
        return RuleSyntaxError(Words(N_("a text in quotes cannot be written here")),
                               A.Span(line, column, line, end_col + 1))
    return RuleSyntaxError(
        Words(N_("this text in quotes is not closed")), A.Span(line, column, line, max(end_col, column + 1)),
        Words(N_('end it with " on the same line (quoted names and texts stay on one line)')),
    )

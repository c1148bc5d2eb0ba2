"""Errors of the rules language, in words a non-programmer understands.

Every error carries where it was found (line, column, span) and an optional hint. Syntax
errors stop at the first; the checker collects every name and type error and raises them
together as ``RulesErrors``.
"""

from __future__ import annotations

import copy
from typing import Callable, Iterable, Optional

from .ast import Span
from .language import told


class RulesError(Exception):
    """Base of the package's errors: a plain-language message at a place in the rules text."""

    kind = "error"

    def __init__(self, message: str, span: Optional[Span] = None, hint: Optional[str] = None):
        super().__init__(message)
        self.message = message
        self.span = span or Span(1, 1, 1, 2)
        self.hint = hint

    def told(self, tr: Callable[[str], str]) -> "RulesError":
        """This error with its message and hint in the reader's language (those made of ``Words``)."""
        said = copy.copy(self)
        said.message, said.hint = told(self.message, tr), told(self.hint, tr)
        said.args = (said.message,)
        return said

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.column

    def as_dict(self) -> dict:
        """Plain data for the app's editor (line/column 1-based, end column exclusive)."""
        return {
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "message": self.message,
            "hint": self.hint,
            "kind": type(self).__name__,
        }

    def __str__(self) -> str:
        text = f"{self.span.line}:{self.span.column}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, line={self.line}, column={self.column})"


class RuleSyntaxError(RulesError):
    """The text does not follow the language's shape (a word missing or out of place)."""


class UnknownNameError(RulesError):
    """A stage, pipeline, template, tag, team member, field or placeholder that does not exist."""


class RuleTypeError(RulesError):
    """Two things that cannot be compared or combined, like a number and a text."""


class RuleMeaningError(RulesError):
    """Well-formed and well-typed, but not allowed (a duplicate rule name, a schedule action
    that needs a job, a field this trigger does not carry...)."""


class EvaluationError(RulesError):
    """A rule could not be evaluated on the facts given (reported in the run log)."""


class InternalError(RulesError):
    """Something went wrong inside the checker itself, not in the rules: still told as a sentence at
    a place, so the editor shows it, and the command line exits 2 instead of 1."""


def internal_error(exc: BaseException, span: Optional[Span] = None) -> InternalError:
    """The sentence for an unexpected failure while reading or checking the rules near ``span``."""
    return InternalError(
        f"the checker failed while reading this part ({type(exc).__name__}); this is a bug in the checker, "
        "not in your rules", span,
        "save a copy of the text and report it; meanwhile, try writing this part another way")


class RulesErrors(RulesError):
    """Several errors found at once; ``errors`` lists them in the order of the text."""

    def __init__(self, errors: Iterable[RulesError]):
        self.errors = sorted(errors, key=lambda e: (e.span.line, e.span.column))
        if not self.errors:
            raise ValueError("RulesErrors needs at least one error")
        first = self.errors[0]
        super().__init__(first.message, first.span, first.hint)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


MAX_SHOWN = 100  # errors laid out one by one; past these, a count
LINE_SHOWN = 120  # characters of a long line shown around the caret


def format_error(source: str, filename: str, err: RulesError) -> str:
    """Lay an error out like the contract: ``FILE:LINE:COL: error: ...``, the line, carets, hint."""
    return _layout(_lines(source), filename, err)


def format_errors(source: str, filename: str, errors: Iterable[RulesError], limit: int = MAX_SHOWN) -> str:
    """Every error laid out like ``format_error``, the first ``limit`` of them, then how many more."""
    items = errors.errors if isinstance(errors, RulesErrors) else list(errors)
    out = formatted_each(source, filename, items, limit)
    if len(items) > limit:
        out.append(f"{filename}: and {len(items) - limit} more errors (fix these first, then check again)")
    return "\n".join(out)


def formatted_each(source: str, filename: str, errors: list, limit: int = MAX_SHOWN) -> list:
    """The first ``limit`` errors, each laid out like ``format_error`` (the text is split once)."""
    lines = _lines(source)
    return [_layout(lines, filename, e) for e in errors[:limit]]


def _lines(source: str) -> list:
    # Lines end at "\n" only, as the parser counts them.
    return [line.rstrip("\r").replace("\r", " ") for line in source.split("\n")]


def _layout(lines: list, filename: str, err: RulesError) -> str:
    span = err.span
    line_no = min(max(span.line, 1), len(lines))
    text = lines[line_no - 1] if lines else ""
    column = max(span.column, 1)
    if span.end_line == span.line:
        end = max(span.end_column, column + 1)
    else:
        end = max(len(text) + 1, column + 1)
    end = min(end, max(len(text) + 1, column + 1))
    text, column, end = _window(text, column, end)
    number = str(line_no)
    # Keep tabs in the caret line so the carets stay under the right characters.
    lead = "".join("\t" if ch == "\t" else " " for ch in text[: column - 1])
    lead += " " * max(0, column - 1 - len(text))
    out = [
        f"{filename}:{line_no}:{max(span.column, 1)}: error: {err.message}",
        f"  {number} | {text}".rstrip(),
        f"  {' ' * len(number)} | {lead}{'^' * (end - column)}",
    ]
    if err.hint:
        out.append(f"  hint: {err.hint}")
    return "\n".join(out)


def _window(text: str, column: int, end: int):
    """A very long line is shown around the error only (with "..." where it is cut)."""
    if len(text) <= LINE_SHOWN:
        return text, column, end
    start = max(0, column - 1 - LINE_SHOWN // 3)
    stop = min(len(text), max(start + LINE_SHOWN, column))
    end = min(end, stop + 1)
    shown = ("..." if start else "") + text[start:stop] + ("..." if stop < len(text) else "")
    shift = start - (3 if start else 0)
    return shown, column - shift, end - shift


def short_number(digits: str) -> str:
    """A number as echoed in a message: long ones are summarised, never printed whole."""
    return digits if len(digits) <= 12 else f"{digits[:6]}... ({len(digits):,} digits)"

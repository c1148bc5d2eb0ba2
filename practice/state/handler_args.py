"""What a browser sent to an event handler, checked against the handler's signature before the handler runs.

Any browser can call any public handler with any arguments (Reflex converts a numeric string for an `int`
parameter and passes everything else through as it came), so `allow` refuses, with one sentence, a call whose
arguments do not bind to the handler's parameters or whose values have the wrong shape for their annotations:
text that is not a number, or a number beyond what a database id holds, for an `int`; a list or an object where
text is expected; anything but an object for a `dict`; anything but a list for a `list[...]`.
"""
from __future__ import annotations

import functools
import inspect
import math
import re
import types
import typing
from typing import Any, Callable

from practice.i18n import lazy
from practice.models import MAX_ROW_ID

NOT_UNDERSTOOD = lazy("That request was not understood. Reload the page and try again.")
_INTEGER = re.compile(r"\s*[-+]?\d{1,19}\s*")
_NUMBER = re.compile(r"\s*[-+]?(\d{1,30}(\.\d{0,30})?|\.\d{1,30})\s*")
_SCALARS = (str, int, float, bool)


@functools.lru_cache(maxsize=None)
def _shape(fn: Callable) -> tuple[inspect.Signature, dict[str, Any]]:
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # noqa: BLE001 - an annotation that cannot be resolved checks nothing
        hints = {}
    return inspect.signature(fn), hints


def _optional(hint: Any) -> tuple[Any, bool]:
    """(the annotation inside `X | None`, whether None is allowed)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        rest = tuple(a for a in args if a is not type(None))
        if len(rest) < len(args):
            return (rest[0] if len(rest) == 1 else typing.Union[rest]), True
    return hint, False


def _int_fits(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) <= MAX_ROW_ID
    return isinstance(value, str) and bool(_INTEGER.fullmatch(value)) and abs(int(value)) <= MAX_ROW_ID


def _float_fits(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return math.isfinite(value)
    return isinstance(value, str) and bool(_NUMBER.fullmatch(value))


def fits(value: Any, hint: Any) -> bool:
    """Whether `value` has the shape `hint` asks for (None only where the annotation allows it)."""
    hint, may_be_none = _optional(hint)
    if hint is Any:
        return True
    if value is None:
        return may_be_none or hint in (Any, str, bool, None) or isinstance(hint, typing.TypeVar)
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(fits(value, a) for a in typing.get_args(hint))
    if hint is int:
        return _int_fits(value)
    if hint is float:
        return _float_fits(value)
    if hint in (str, bool):
        return isinstance(value, _SCALARS)
    if hint is dict or origin is dict:
        return isinstance(value, dict)
    if hint in (list, tuple, set) or origin in (list, tuple, set):
        if not isinstance(value, (list, tuple)):
            return False
        inner = typing.get_args(hint)
        return not inner or origin is tuple or all(fits(v, inner[0]) and v is not None for v in value)
    if isinstance(hint, type) and hint not in (object,):
        return isinstance(value, hint)
    return True


def malformed(fn: Callable, args: tuple, kwargs: dict) -> bool:
    """Whether a call of handler `fn` (its state first) with these arguments is not one the handler declares."""
    signature, hints = _shape(fn)
    try:
        bound = signature.bind(None, *args, **kwargs)
    except TypeError:
        return True
    params = list(signature.parameters.values())
    for param in params[1:]:
        if param.name not in bound.arguments or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        value = bound.arguments[param.name]
        if value is param.default:
            continue
        if not fits(value, hints.get(param.name, Any)):
            return True
    return False

"""Rendering templates a firm writes: Jinja2's immutable sandbox, with a time and a size limit.

The sandbox stops templates from reaching Python internals; the limits stop a template (a
typo'd loop, a nested range) from hanging the worker or filling memory. Time is enforced by a
tracer that only watches the template's own frames, so the cost falls on templates alone.
"""
from __future__ import annotations

import sys
import time
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from practice.services.errors import InvalidInput

MAX_SECONDS = 0.5
MAX_CHARS = 200_000


class TemplateTooSlow(Exception):
    pass


_env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True,
                                     lstrip_blocks=True)
_html_env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


def _deadline_tracer(deadline: float):
    def local(frame, event, arg):
        if time.monotonic() > deadline:
            raise TemplateTooSlow()
        return local

    def tracer(frame, event, arg):
        # Template code is compiled from "<template>" sources; other frames run untraced.
        if frame.f_code.co_filename == "<template>":
            if time.monotonic() > deadline:
                raise TemplateTooSlow()
            return local
        return None

    return tracer


def check_template(source: str, what: str = "template") -> None:
    """Raise InvalidInput with a sentence when the template does not parse."""
    try:
        _env.parse(source)
    except TemplateSyntaxError as err:
        raise InvalidInput(f"The {what} has a mistake on line {err.lineno}: {err.message}.") from None


def render(source: str, context: dict[str, Any], *, html: bool = False, what: str = "template",
           max_seconds: float = MAX_SECONDS, max_chars: int = MAX_CHARS) -> str:
    """Render a firm-written template; every failure becomes InvalidInput with a plain sentence."""
    env = _html_env if html else _env
    try:
        template = env.from_string(source)
    except TemplateSyntaxError as err:
        raise InvalidInput(f"The {what} has a mistake on line {err.lineno}: {err.message}.") from None
    deadline = time.monotonic() + max_seconds
    previous = sys.gettrace()
    sys.settrace(_deadline_tracer(deadline))
    out: list[str] = []
    size = 0
    try:
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > max_chars:
                raise InvalidInput(f"The {what} produces more than {max_chars:,} characters; shorten it.")
            out.append(chunk)
    except TemplateTooSlow:
        raise InvalidInput(f"The {what} takes too long to fill in (over {max_seconds:g} s); "
                           "check its loops.") from None
    except UndefinedError as err:
        raise InvalidInput(f"The {what} uses something that is not available here: {err.message}.") from None
    except SecurityError:
        raise InvalidInput(f"The {what} tries to do something templates may not do.") from None
    except (TemplateError, TypeError, ValueError, ArithmeticError) as err:
        raise InvalidInput(f"The {what} could not be filled in: {err}.") from None
    finally:
        sys.settrace(previous)
    return "".join(out)

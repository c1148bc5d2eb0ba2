"""Rendering templates a firm writes: Jinja2's immutable sandbox, in a limited child, with time and size limits.

The sandbox stops templates from reaching Python internals. Compiling and filling in run in a child forked
from the warm helper (`practice.warm_sandbox`) under CPU, memory and wall-clock limits, so one big power, a
string repeated a billion times or a constant Jinja folds while compiling stops there, with a sentence,
never in the app or the worker. Inside the child a tracer watching only the template's own frames stops a
long loop early, with a sentence that says so.
"""
from __future__ import annotations

import contextlib
import contextvars
import difflib
import sys
import time
from typing import Any, Iterator

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from practice import i18n
from practice.sandbox import SandboxError, SandboxFailed, SandboxTimeout
from practice.services.errors import InvalidInput
from practice.services.formatting import letter_value
from practice.warm_sandbox import ask_ahead, run_warm
from practice.i18n import N_

MAX_SECONDS = 0.5
MAX_CHARS = 200_000
# The limited child that compiles and fills in a template: a template that needs more is stopped with a sentence.
CHILD_SECONDS = 3.0
CHILD_CPU_SECONDS = 2
CHILD_MEMORY = 256 * 1024 * 1024


class TemplateTooSlow(Exception):
    pass


# The language of the person writing or previewing a template: its sentences are in theirs, while the text itself is
# filled in for its reader (`i18n.using_locale`, dates in the reader's language). Empty: the language of the moment.
_speaker: contextvars.ContextVar[str] = contextvars.ContextVar("template_speaker", default="")


@contextlib.contextmanager
def speaking(code: str) -> Iterator[None]:
    """Within the block, sentences about templates are in `code` whatever language the texts are filled in for."""
    token = _speaker.set(code)
    try:
        yield
    finally:
        _speaker.reset(token)


def _(message: str) -> str:
    """`message` in the language of the person told about the template (see `speaking`)."""
    return i18n.translations(i18n.supported(_speaker.get()) or i18n.current_locale()).gettext(message)


class EmptyPlaceholder(InvalidInput):
    """A template reads a part of the context that is empty here: a job's placeholder in a mail that is about
    no job, a contact's when the account has none. `root` names the part ("job"), `path` the placeholder."""

    def __init__(self, message: str, *, root: str, path: str):
        super().__init__(message)
        self.root, self.path = root, path


# `finalize`: a date a placeholder shows reads "Apr 15, 2025", never 2025-04-15 (templates still compare real dates).
_env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True,
                                     lstrip_blocks=True, finalize=letter_value)
_html_env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=True, finalize=letter_value)


def _deadline_tracer(deadline: float):
    # Computing time (`process_time`), not the clock: a child waiting for a busy machine's processor is not slow.
    def local(frame, event, arg):
        if time.process_time() > deadline:
            raise TemplateTooSlow()
        return local

    def tracer(frame, event, arg):
        # Template code is compiled from "<template>" sources; other frames run untraced.
        if frame.f_code.co_filename == "<template>":
            if time.process_time() > deadline:
                raise TemplateTooSlow()
            return local
        return None

    return tracer


def check_template(source: str, what: str = N_("template")) -> None:
    """Raise InvalidInput with a sentence when the template does not parse (parsed in a limited child: a
    thousand nested brackets cannot take the app's stack)."""
    _raise_problem(_in_child(check_here, {"source": source, "what": what, "locale": i18n.current_locale(),
                                            "says": _speaker.get()}, what), what)


def render(source: str, context: dict[str, Any], *, html: bool = False, what: str = N_("template"),
           max_seconds: float = MAX_SECONDS, max_chars: int = MAX_CHARS) -> str:
    """Render a firm-written template; every failure becomes InvalidInput with a plain sentence."""
    return render_all([(source, what, max_chars)], context, html=html, max_seconds=max_seconds)[0]


def render_all(texts: list[tuple[str, str, int]], context: dict[str, Any], *, html: bool = False,
               max_seconds: float = MAX_SECONDS) -> list[str]:
    """Several templates — (source, what, max_chars) — filled in with one context (a mail's subject and body):
    compiling (Jinja folds constants then) and filling in both run in limited children, under CPU, memory and
    wall-clock limits, so no template can stall the app or the worker. The first failure is raised as
    InvalidInput (EmptyPlaceholder for an empty part of the context) with a sentence naming that text.

    One child per text, in turn, sharing one wall-clock limit: a child stopped by its limits cannot say which text
    it was on, and trying the texts again one by one to find out answered after twice the limit."""
    ends = time.monotonic() + CHILD_SECONDS
    # The child writes dates in the language of the moment (the reader's: `letter_value`), as the caller would.
    payloads = [{"texts": [[source, what, max_chars]], "context": context, "html": html, "max_seconds": max_seconds,
                 "locale": i18n.current_locale(), "says": _speaker.get()} for source, what, max_chars in texts]
    # In the worker's write transaction: every text is filled in outside it, all asked for at once.
    ask_ahead(render_here, payloads, cpu_s=CHILD_CPU_SECONDS, memory_bytes=CHILD_MEMORY, wall_s=CHILD_SECONDS)
    out = []
    for (_source, what, _limit), payload in zip(texts, payloads):
        answer = _in_child(render_here, payload, what, wall_s=ends - time.monotonic())
        _raise_problem(answer, what)
        out.append(str(answer["texts"][0]))
    return out


def _in_child(target, payload: dict, what: str, wall_s: float = CHILD_SECONDS) -> dict:
    too_long = InvalidInput(_("The {what} takes too long to fill in (it took longer than {seconds:g} "
                              "seconds); check its loops and arithmetic.").format(what=_(what), seconds=CHILD_SECONDS))
    if wall_s <= 0:
        raise too_long
    try:
        answer = run_warm(target, payload, cpu_s=CHILD_CPU_SECONDS, memory_bytes=CHILD_MEMORY, wall_s=wall_s)
    except SandboxTimeout:
        raise too_long from None
    except SandboxFailed:
        raise InvalidInput(_("The {what} needs more computing time or memory than a template may use; check its "
                             "arithmetic and loops.").format(what=_(what))) from None
    except SandboxError as err:
        raise InvalidInput(_("The {what} could not be filled in: {err}.").format(what=_(what), err=err)) from None
    if not isinstance(answer, dict):
        raise InvalidInput(_("The {what} could not be filled in.").format(what=_(what)))
    return answer


def _raise_problem(answer: dict, what: str) -> None:
    if answer.get("error"):
        message = str(answer["error"])
        if answer.get("empty"):
            root, path = answer["empty"]
            raise EmptyPlaceholder(message, root=str(root), path=str(path))
        raise InvalidInput(message, field=answer.get("field"))


# --- in the limited child -------------------------------------------------------------------------------


def check_here(payload: dict) -> dict:
    """The child's side of `check_template`."""
    with i18n.using_locale(payload.get("locale")), speaking(payload.get("says") or ""):
        return _check_here(payload)


def _check_here(payload: dict) -> dict:
    what = payload["what"]
    try:
        _env.parse(payload["source"])
    except TemplateSyntaxError as err:
        return {"error": _("The {what} has a mistake on line {lineno}: {message}.").format(
            what=_(what), lineno=err.lineno, message=err.message)}
    except Exception as err:  # noqa: BLE001 - every failure becomes the person's sentence
        return {"error": _failure_sentence(err, what)}
    return {}


def render_here(payload: dict) -> dict:
    """The child's side of `render_all`: each text filled in, or the first failure as a sentence."""
    out = []
    with i18n.using_locale(payload.get("locale")), speaking(payload.get("says") or ""):
        return _render_each(payload, out)


def _render_each(payload: dict, out: list) -> dict:
    for source, what, max_chars in payload["texts"]:
        try:
            out.append(_render_one(source, payload["context"], html=payload["html"], what=what,
                                   max_seconds=payload["max_seconds"], max_chars=max_chars))
        except EmptyPlaceholder as err:
            return {"error": str(err), "empty": [err.root, err.path]}
        except InvalidInput as err:
            return {"error": str(err), "field": err.field}
        except Exception as err:  # noqa: BLE001 - every failure becomes the person's sentence
            return {"error": _failure_sentence(err, what)}
    return {"texts": out}


def _failure_sentence(err: BaseException, what: str) -> str:
    """What went wrong, in words, for failures Jinja does not describe itself."""
    if isinstance(err, RecursionError):
        return _("The {what} nests too deeply (a macro or block that calls itself?); simplify it.").format(what=_(what))
    if isinstance(err, MemoryError):
        return _("The {what} needs more memory than a template may use; check for huge repeats or numbers.").format(
            what=_(what))
    if isinstance(err, OverflowError) or isinstance(err, ValueError) and "digits" in str(err):
        return _("The {what} makes a number too large to use; check its arithmetic.").format(what=_(what))
    if isinstance(err, LookupError):
        return _("The {what} reads an item that is not there ({item}); check its [ ] look-ups.").format(
            what=_(what), item=_short(err))
    return _("The {what} could not be filled in: {err}.").format(what=_(what), err=_short(err) or type(err).__name__)


def _short(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return text if len(text) <= 200 else text[:200] + "…"


def _render_one(source: str, context: dict[str, Any], *, html: bool, what: str, max_seconds: float,
                max_chars: int) -> str:
    env = _html_env if html else _env
    try:
        template = env.from_string(source)
    except TemplateSyntaxError as err:
        raise InvalidInput(_("The {what} has a mistake on line {lineno}: {message}.").format(
            what=_(what), lineno=err.lineno, message=err.message)) from None
    deadline = time.process_time() + max_seconds
    previous = sys.gettrace()
    sys.settrace(_deadline_tracer(deadline))
    out: list[str] = []
    size = 0
    try:
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > max_chars:
                raise InvalidInput(_("The {what} produces more than {max_chars:,} characters; shorten it.").format(
                    what=_(what), max_chars=max_chars))
            out.append(chunk)
    except TemplateTooSlow:
        raise InvalidInput(_("The {what} takes too long to fill in (over {max_seconds:g} s); check its loops.").format(
            what=_(what), max_seconds=max_seconds)) from None
    except UndefinedError:
        raise unknown_placeholder(env, source, context, what) from None
    except SecurityError:
        raise InvalidInput(_("The {what} tries to do something templates may not do.").format(what=_(what))) from None
    except OverflowError as err:
        raise InvalidInput(_failure_sentence(err, what)) from None
    except (TemplateError, TypeError, ValueError, ArithmeticError) as err:
        raise InvalidInput(_failure_sentence(err, what)) from None
    finally:
        sys.settrace(previous)
    return "".join(out)


# --- naming the unknown placeholder ------------------------------------------------------------------


def _dotted(node: nodes.Node) -> list[str] | None:
    """["contact", "first_name"] for `contact.first_name` (or `contact["first_name"]`); None for anything else."""
    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            parts.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name):
            return [node.name, *reversed(parts)]
        else:
            return None


def _read_paths(ast: nodes.Template) -> Iterator[list[str]]:
    """Every dotted name the template reads from its context, in the order it appears."""
    roots = meta.find_undeclared_variables(ast)
    for node in ast.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
        path = _dotted(node)
        if path and path[0] in roots:
            yield path


def _known_paths(context: dict) -> list[str]:
    """The placeholders the context offers, two levels deep ("contact.first_name")."""
    out = []
    for key, value in context.items():
        out.append(key)
        if isinstance(value, dict):
            out.extend(f"{key}.{sub}" for sub in value)
    return out


def _sentence(path: list[str], siblings: list[str], context: dict, what: str) -> InvalidInput:
    """"Unknown placeholder {{ contact.firstname }} in the email: did you mean {{ contact.first_name }}?"."""
    name = ".".join(path)
    close = difflib.get_close_matches(path[-1], siblings, n=1, cutoff=0.6)
    guess = ".".join([*path[:-1], close[0]]) if close else None
    if guess is None:  # {{ account.contact_name }}: perhaps {{ contact.name }}, under another name
        others = [k for k in _known_paths(context) if k.split(".")[0] != path[0]]
        spelled = [k for k in others if k.replace(".", "_") == path[-1]]
        nearest = spelled or difflib.get_close_matches(name, others, n=1, cutoff=0.75)
        guess = nearest[0] if nearest else None
    if guess:
        return InvalidInput(_("Unknown placeholder {{{{ {name} }}}} in the {what}: did you mean {{{{ {guess} }}}}?").format(
            name=name, what=_(what), guess=guess))
    owner = (_("{{{{ {path} }}}} has").format(path=".".join(path[:-1])) if len(path) > 1
             else _("the placeholders are"))
    listed = ", ".join(sorted(siblings)[:12]) + (", …" if len(siblings) > 12 else "")
    return InvalidInput(_("Unknown placeholder {{{{ {name} }}}} in the {what}; {owner}: {listed}.").format(
        name=name, what=_(what), owner=owner, listed=listed))


def _first_unknown(paths: Iterator[list[str]], context: dict, what: str) -> InvalidInput | None:
    for path in paths:
        value: Any = context
        for depth, part in enumerate(path):
            if not isinstance(value, dict):
                break  # a date's .year, a list's items: not ours to name
            if depth and not value:
                root = path[0]
                return EmptyPlaceholder(_("The {what} uses {{{{ {path} }}}}, but there is no {root} here.").format(
                    what=_(what), path='.'.join(path), root=root),
                                        root=root, path=".".join(path))
            if part not in value:
                return _sentence(path[:depth + 1], list(value), context, what)
            value = value[part]
    return None


def unknown_placeholder(env: ImmutableSandboxedEnvironment, source: str, context: dict, what: str) -> InvalidInput:
    """The sentence for a template that reads a placeholder the context does not have, naming it and the
    nearest known one (never Jinja's "'dict object' has no attribute ...")."""
    found = _first_unknown(_read_paths(env.parse(source)), context, what)
    return found or InvalidInput(_("The {what} uses something that is not available here; check the names in {{{{ "
                                   "}}}} against the list of placeholders.").format(what=_(what)))

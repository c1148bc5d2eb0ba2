"""The app's own emails (invitations, password resets, signing and approval requests, reminders), written in
templates/emails/ and made in the recipient's language.

Each sentence of those templates is `{{ _("...", name=value) }}` (brace placeholders, as in the code), so it is
in the catalogs like any other text. They are our files, not a firm's: they are filled in here with a plain
Jinja environment (the values are inserted as text, never read as template code), under `using_locale` of the
recipient, so the subject, the body and the dates and amounts in them are in that person's language.
"""
from __future__ import annotations

import functools

from jinja2 import Environment, StrictUndefined, Template

from practice import config, i18n
from practice.services.formatting import letter_value

EMAILS_DIR = config.ROOT / "templates" / "emails"


def _text(message: str, **values) -> str:
    """A sentence of a system email in the recipient's language, its placeholders filled in."""
    translated = i18n._(message)
    return translated.format(**{k: letter_value(v) for k, v in values.items()}) if values else translated


def _plural(singular: str, plural: str, n: int, **values) -> str:
    """The singular or plural sentence for `n` in the recipient's language (`{n}` is the count)."""
    return i18n.ngettext(singular, plural, n).format(n=n, **{k: letter_value(v) for k, v in values.items()})


_env = Environment(undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True,
                   finalize=letter_value, keep_trailing_newline=True)
_env.globals.update(_=_text, ngettext=_plural)


@functools.cache
def _compiled(name: str) -> tuple[Template, Template]:
    """(subject, body) templates of templates/emails/<name>.txt, whose first line is `Subject: ...`."""
    source = (EMAILS_DIR / f"{name}.txt").read_text(encoding="utf-8")
    first, _, rest = source.partition("\n")
    return _env.from_string(first.removeprefix("Subject:").strip()), _env.from_string(rest.lstrip("\n"))


def render_system_email(name: str, context: dict, language: str) -> tuple[str, str]:
    """(subject, body) of the system email `name`, in `language`: the recipient's (their own, or the firm's default
    for one who chose none), never the caller's."""
    subject, body = _compiled(name)
    with i18n.using_locale(language):
        return " ".join(subject.render(context).split()), body.render(context)

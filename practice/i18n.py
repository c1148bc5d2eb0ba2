"""Translations: the gettext catalogs in `practice/locale`, and the language of the person being served.

Server-side texts (service sentences, toasts, emails, PDFs) call `_()` / `ngettext()` when they are made; the
language is the one `using_locale(code)` set for the event being handled (`allow` in state/base.py does it from
the actor, the worker and mailer from the recipient). Module-level constants are marked with `N_` (translated
where used, `_(CONSTANT)`) or made with `lazy` (translated each time they are turned into text).

The catalogs are the `.po` files themselves, compiled in memory on first use: there is no `.mo` to build or to
forget. Page texts are translated in the browser from the same catalogs (components/i18n.py).
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import io
from pathlib import Path
from typing import Iterator

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, NullTranslations, Translations

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "messages"
SOURCE = "en"
# The languages a person may choose, in the language itself (what a menu shows whatever the page's language).
LANGUAGES = {"en": "English", "fr": "Français"}
# Babel's locale for each language: formats dates, numbers and money.
BABEL_LOCALES = {"en": "en_US", "fr": "fr_FR"}

_current: contextvars.ContextVar[str] = contextvars.ContextVar("practice_locale", default=SOURCE)


def supported(code: str | None) -> str:
    """`code` when it names a language the app speaks, else "" (a stored preference may be empty or stale)."""
    code = (code or "").strip().lower()
    return code if code in LANGUAGES else ""


def current_locale() -> str:
    """The language of the person being served now ("en" outside any `using_locale`)."""
    return _current.get()


@contextlib.contextmanager
def using_locale(code: str | None) -> Iterator[str]:
    """Within the block, texts are made in `code` (English when it is not a language the app speaks)."""
    token = _current.set(supported(code) or SOURCE)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def switch_locale(code: str | None) -> None:
    """From here to the end of the enclosing `using_locale` block, texts are made in `code` (a handler that learns
    who is visiting half-way through: the portal's page loads)."""
    _current.set(supported(code) or SOURCE)


def babel_locale() -> str:
    """Babel's locale for the language of the person being served (numbers: "1.5" / "1,5")."""
    return BABEL_LOCALES[_current.get()]


def read_catalog(code: str):
    """The language's catalog as Babel reads it from its `.po` file."""
    with open(LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po", "rb") as po:
        return read_po(po, locale=code)


@functools.cache
def translations(code: str) -> NullTranslations:
    """The gettext translations of a language, compiled once per process from its `.po` (English: the msgids)."""
    if code == SOURCE or not supported(code):
        return NullTranslations()
    compiled = io.BytesIO()
    write_mo(compiled, read_catalog(code))
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def _(message: str) -> str:
    """`message` in the language of the person being served."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural sentence for `n`, in the language of the person being served."""
    return translations(_current.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a text for the catalog without translating it now (a constant, translated where it is shown)."""
    return message


def lazy(message: str) -> LazyProxy:
    """A text translated each time it is used as text, in the language of that moment (module constants)."""
    return LazyProxy(_, message, enable_cache=False)


def browser_catalog(code: str) -> dict:
    """The language's translations for the page's script: {"messages": msgid -> text, "plurals": singular msgid ->
    [forms]}; untranslated and fuzzy entries are left out (the page then shows the English)."""
    out: dict = {"messages": {}, "plurals": {}}
    if code == SOURCE:
        return out
    for message in read_catalog(code):
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, (list, tuple)):
            if all(message.string):
                out["plurals"][message.id[0]] = list(message.string)
        elif message.string:
            out["messages"][message.id] = message.string
    return out

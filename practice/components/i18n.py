"""Page texts in the person's language: `t("Accounts")` in a page is a Var the browser fills from the catalog.

The page is compiled once; `t` writes a call of the catalog module's lookup (practice/page_catalogs.py) with the
language `LangState.lang` carries, so switching language changes one small var and every text re-renders.
Placeholders are `{name}` in the text and keyword arguments here (plain values or Vars):
`t("{count} unread", count=InboxBadgeState.unread)`. `tn` picks the singular or plural by `n` (`{n}` in them).
"""
from __future__ import annotations

import json

import reflex as rx
from reflex.utils.imports import ImportVar
from reflex.vars import VarData
from reflex.vars.base import LiteralVar

from practice.page_catalogs import IMPORT
from practice.state.base import LangState


def as_written() -> dict:
    """Attributes of an element showing what the firm wrote (names of accounts, stages, tags, people; records), in
    the language it was written in: `custom_attrs=as_written()`. Browsers' translators leave it alone, and so does
    the browser tests' check that a French page shows no English text of the catalog (a stage the firm named "Done"
    is not an untranslated button). A new dict each time: Reflex adds a component's other attributes to it."""
    return {"translate": "no"}


def _call(function: str, args: list[str], values: dict) -> rx.Var:
    parts = [str(LangState.lang), *args]
    data = [LangState.lang._get_all_var_data(), VarData(imports={IMPORT: [ImportVar(tag=function)]})]
    if values:
        literal = LiteralVar.create(values)
        parts.append(str(literal))
        data.append(literal._get_all_var_data())
    return rx.Var(_js_expr=f"{function}({', '.join(parts)})", _var_type=str, _var_data=VarData.merge(*data))


def t(msgid: str, **values) -> rx.Var:
    """The page text `msgid` (English, as written in the code) in the language of the person looking."""
    return _call("practiceT", [json.dumps(msgid)], values)


def tn(singular: str, plural: str, n, **values) -> rx.Var:
    """The singular or plural text for `n` (a Var or a number), in the language of the person looking."""
    count = n if isinstance(n, rx.Var) else LiteralVar.create(n)
    literal = {"n": count, **values}
    return _call("practiceN", [json.dumps(singular), json.dumps(plural), str(count)], literal)

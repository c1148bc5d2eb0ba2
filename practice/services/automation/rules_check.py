"""Checking a rules text in words, as the limited child does it: the rules language alone, no database."""
from __future__ import annotations

import rules
from practice import i18n
from practice.i18n import _, ngettext


def check_here(payload: dict) -> list[dict]:
    """The child's side of `rulesets.check_text`: the text's errors against the catalog, as dicts."""
    text = payload["text"]
    with i18n.using_locale(payload.get("language")):  # the reader's language: the child is told it
        return error_dicts(text, rules.check_errors(text, payload["catalog"], tr=_))


def error_dicts(text: str, errors: list) -> list[dict]:
    """The first hundred errors with their caret pictures, then one line saying how many more there are."""
    shown = rules.formatted_each(text, "rules.txt", errors)
    out = [{"line": e.line, "column": e.column, "message": e.message, "hint": e.hint or "", "formatted": f}
           for e, f in zip(errors, shown)]
    if len(errors) > len(shown):
        nxt = errors[len(shown)]
        out.append({"line": nxt.line, "column": nxt.column, "formatted": "",
                    "message": ngettext("and {n} more error from here on", "and {n} more errors from here on",
                                        len(errors) - len(shown)).format(n=len(errors) - len(shown)),
                    "hint": _("fix the errors above first, then check again")})
    return out

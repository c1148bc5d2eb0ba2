"""The page texts' catalogs, written into the frontend at each compile: one small JavaScript module.

Pages are compiled once, in English (components/i18n.py's `t("Accounts")` is a call in the page's script); the
module this plugin writes holds every language's translations, made from the same `.po` files the server reads,
and the function that looks a text up for the language the person's state carries. A language switch is then one
state var in a delta, and the next render is in that language, without a rebuild.
"""
from __future__ import annotations

import json
from pathlib import Path

from reflex_base.plugins import Plugin

from practice import i18n

MODULE = "utils/practice_i18n.js"
IMPORT = "$/utils/practice_i18n"

# Before the first answer from the server, a page renders with an empty language: it uses the one this browser
# last showed (kept in localStorage), so a French person's page does not flash in English on a full page load.
# Except while React hydrates a page the build prerendered (`isSpaMode` false): that HTML was written in English,
# and a text that differs from it is a hydration error (React's #418, which throws the page away and renders it
# again); such a page stays English until the server says the person's language, a moment later.
_FUNCTIONS = """
const plural = { en: (n) => (n === 1 ? 0 : 1), fr: (n) => (n > 1 ? 1 : 0) };
let remembered = null;
let answered = typeof window === "undefined" || !window.__reactRouterContext
  || window.__reactRouterContext.isSpaMode !== false;

function language(lang) {
  if (lang) {
    answered = true;
    if (lang !== remembered) {
      remembered = lang;
      try { window.localStorage.setItem("practice_lang", lang); } catch (e) { /* private mode */ }
    }
    return lang;
  }
  if (!answered) return "";
  if (remembered === null) {
    try { remembered = window.localStorage.getItem("practice_lang") || ""; } catch (e) { remembered = ""; }
  }
  return remembered;
}

function fill(text, values) {
  if (!values) return text;
  return text.replace(/\\{(\\w+)\\}/g, (whole, name) => (name in values ? String(values[name] ?? "") : whole));
}

export function practiceT(lang, msgid, values) {
  const catalog = catalogs[language(lang)];
  return fill((catalog && catalog.messages[msgid]) || msgid, values);
}

export function practiceN(lang, singular, pluralText, n, values) {
  const code = language(lang);
  const forms = catalogs[code] && catalogs[code].plurals[singular];
  const index = (plural[code] || plural.en)(Number(n));
  const text = forms ? forms[Math.min(index, forms.length - 1)] : (index === 0 ? singular : pluralText);
  return fill(text, { n, ...(values || {}) });
}
"""


def module_source() -> str:
    """The JavaScript module: every language's page catalog and the lookup functions."""
    catalogs = {code: i18n.browser_catalog(code) for code in i18n.LANGUAGES if code != i18n.SOURCE}
    return ("// Written by practice/page_catalogs.py from practice/locale/*/LC_MESSAGES/messages.po; do not edit.\n"
            f"const catalogs = {json.dumps(catalogs, ensure_ascii=False, sort_keys=True)};\n{_FUNCTIONS}")


class PageCatalogsPlugin(Plugin):
    """Writes the page catalogs' module into `.web` at each compile."""

    def get_static_assets(self, **context):
        return [(Path(MODULE), module_source())]

"""What of the English catalog a page still shows: for the browser tests that open a page in French (issue 14).

`english_on_screen(page)` reads every visible text node (and the placeholders, labels and alt texts a person
meets) and returns those that are an English text of the catalog whose French differs, or that still carry an
unfilled `{placeholder}`. An empty list means the page is wholly in French. What the firm wrote (a stage named
"Done", an account's name) is shown as written, in an element marked `translate="no"` (components/i18n.py's
as_written): it is not read.
"""
from __future__ import annotations

import functools
import re
import time

from practice import i18n
from practice.db import write_session
from practice.models import TeamMember

# Each visible text node, trimmed; and the attributes a person reads (placeholders, labels, alt texts).
_VISIBLE_TEXTS = """(root) => {
  const out = [];
  const roots = root ? [...document.querySelectorAll(root)] : [document.body];
  const shown = el => { for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden') return false; }
    return el.getClientRects().length > 0; };
  for (const top of roots) {
    const walker = document.createTreeWalker(top, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent.trim();
      if (text && n.parentElement && !['SCRIPT', 'STYLE'].includes(n.parentElement.tagName) && shown(n.parentElement)
          && !n.parentElement.closest('[translate="no"]'))
        out.push(text);
    }
    for (const el of top.querySelectorAll('[placeholder], [aria-label], img[alt]')) {
      if (!shown(el) || el.closest('[translate="no"]')) continue;
      for (const a of ['placeholder', 'aria-label', 'alt']) { const v = el.getAttribute(a); if (v) out.push(v.trim()); }
    }
  }
  return out;
}"""
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


@functools.cache
def _english() -> tuple[frozenset[str], tuple[re.Pattern, ...]]:
    """The catalog's English texts that French writes differently: plain ones, and patterns for those with values."""
    plain, patterns = set(), []
    for message in i18n.read_catalog("fr"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        for english in ids:
            if english in strings:
                continue  # the same word in both languages ("Code", "Total")
            if _PLACEHOLDER.search(english):
                parts = _PLACEHOLDER.split(english)
                if sum(len(p.strip()) for p in parts) < 4:
                    continue  # "{size} MB" would take "3 Mo" for English; the unfilled-placeholder check still holds
                patterns.append(re.compile("[^\\n]+?".join(re.escape(p) for p in parts) + r"\Z"))
            else:
                plain.add(english)
    return frozenset(plain), tuple(patterns)


def english_on_screen(page, within: str = "") -> list[str]:
    """The visible texts of `page` (only those inside the elements matching the CSS selector `within`, if given: an
    open dialog, menu or toast) that are English texts of the catalog, or hold an unfilled placeholder."""
    return [text for text in page.evaluate(_VISIBLE_TEXTS, within) if untranslated(text)]


def english_left(page, within: str = "", timeout: float = 10) -> list[str]:
    """`english_on_screen` once the page has had `timeout` seconds to show none: a page the production build
    prerendered shows its English first and turns French with the server's first answer (docs/architecture.md,
    "Languages"), and an assertion is on what the person then reads."""
    deadline = time.monotonic() + timeout
    while (found := english_on_screen(page, within)) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    return found


def untranslated(text: str) -> bool:
    """Whether `text` is an English text of the catalog (filled or not) and no French one, or holds an unfilled
    placeholder: for a page's text, or its tab's title."""
    plain, patterns = _english()
    return bool(_PLACEHOLDER.search(text)) or (text in plain or any(p.match(text) for p in patterns)) and not _french(text)


def _french(text: str) -> bool:
    """Whether `text` is a French text of the catalog, filled or not: "Modifier Appel au sujet de l'organizer" is
    the French "Modifier {title}" around a title the firm wrote, though its end also fits the English "{year}
    organizer"."""
    plain, patterns = _french_texts()
    return text in plain or any(p.match(text) for p in patterns)


@functools.cache
def _french_texts() -> tuple[frozenset[str], tuple[re.Pattern, ...]]:
    plain, patterns = set(), []
    for message in i18n.read_catalog("fr"):
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        for french in strings:
            if not french:
                continue
            parts = _PLACEHOLDER.split(french)
            if len(parts) == 1:
                plain.add(french)
            elif sum(len(p.strip()) for p in parts) >= 4:
                patterns.append(re.compile("[^\\n]+?".join(re.escape(p) for p in parts) + r"\Z"))
    return frozenset(plain), tuple(patterns)


def set_language(email: str, code: str) -> None:
    """The team member with this email reads the app in `code` ("" for the firm's default) from their next page."""
    with write_session() as s:
        for member in s.query(TeamMember).filter(TeamMember.email == email):
            member.language = code

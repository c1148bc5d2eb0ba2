"""The texts of the English catalog still on screen: what a French page must not show (issue 14).

`english_left(page)` reads every visible text node of the page and returns those that are an English text of
`practice/locale/messages.pot` (placeholders match any value), leaving out the texts whose French is the same
word ("Documents", "PDF"). A page fully in French returns [].
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parents[2] / "practice" / "locale"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")

VISIBLE_TEXTS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || el.closest('script,style,noscript,[hidden],[aria-hidden=true]')) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none' || el.getClientRects().length === 0) continue;
    out.push(text);
  }
  for (const el of document.querySelectorAll('input[placeholder],textarea[placeholder]')) out.push(el.placeholder);
  return out;
}"""


@functools.cache
def _english() -> tuple[frozenset[str], tuple[re.Pattern, ...]]:
    with open(LOCALE / "fr" / "LC_MESSAGES" / "messages.po", "rb") as f:
        french = read_po(f)
    plain, patterns = set(), []
    for message in french:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in ids:
            if english in strings or len(english) < 3:
                continue
            if PLACEHOLDER.search(english):
                parts = PLACEHOLDER.split(english)
                if sum(len(p.strip()) for p in parts) >= 4:  # "{size} MB" would match "3 Mo" too loosely otherwise
                    patterns.append(re.compile(".+".join(re.escape(p) for p in parts)))
            else:
                plain.add(english)
    return frozenset(plain), tuple(patterns)


def english_left(page) -> list[str]:
    """The visible texts of `page` that are English texts of the catalog (empty when the page is all French)."""
    plain, patterns = _english()
    return [text for text in page.evaluate(VISIBLE_TEXTS)
            if text in plain or any(p.fullmatch(text) for p in patterns)]

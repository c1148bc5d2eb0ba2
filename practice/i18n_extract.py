"""The catalogs' extractor for page code (`babel.cfg` names it for practice/pages and practice/components): Babel's
Python extractor with the page helpers `t("...")` and `tn("...", "...", n)` as keywords there only. Elsewhere `t`
is a common loop name (`t["title"]` in a worker's rows), which the extractor would take for a text."""
from __future__ import annotations

from babel.messages.extract import extract_python

# The page helpers, reported as the gettext functions whose arguments they share (Babel applies those specs).
PAGE_KEYWORDS = {"t": "gettext", "tn": "ngettext"}


def extract_pages(fileobj, keywords, comment_tags, options):
    """Babel's `extract_python`, with the page helpers added to the keywords."""
    for lineno, funcname, messages, comments in extract_python(fileobj, [*keywords, *PAGE_KEYWORDS], comment_tags,
                                                                options):
        yield lineno, PAGE_KEYWORDS.get(funcname, funcname), messages, comments

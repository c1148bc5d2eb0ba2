"""HTML → PDF with WeasyPrint, offline: a rendered document may only use data: URLs.

Templates are written by the firm and filled with client data; a stray `<img src="http://...">` must
neither leak who opened what nor hang a render, so every other URL scheme is refused (the element is
left out, as a browser would with a broken image).
"""
from __future__ import annotations

import logging
from typing import Any

# WeasyPrint logs every refused URL and every unsupported CSS property as a warning; keep them quiet.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)

BASE_CSS = """
@page { size: Letter; margin: 20mm 18mm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10.5pt; line-height: 1.45; color: #111; }
h1 { font-size: 18pt; margin: 0 0 8pt; } h2 { font-size: 13pt; margin: 14pt 0 6pt; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4pt 6pt; border-bottom: 0.5pt solid #bbb; vertical-align: top; }
"""


def _fetcher():
    from weasyprint import URLFetcher  # noqa: PLC0415 - lazy: heavy library (WeasyPrint loads Pango)

    return URLFetcher(allowed_protocols={"data"}, timeout=1)


def render_document(html: str, *, css: str = BASE_CSS) -> Any:
    """The laid-out WeasyPrint document (pages, anchors), for callers that need positions."""
    from weasyprint import CSS, HTML  # noqa: PLC0415 - lazy: heavy library

    return HTML(string=html, url_fetcher=_fetcher(), base_url="data:,").render(
        stylesheets=[CSS(string=css, url_fetcher=_fetcher())] if css else None)


def render_pdf(html: str, *, css: str = BASE_CSS) -> bytes:
    """The PDF bytes of `html` (already filled in; this does no templating)."""
    return render_document(html, css=css).write_pdf()

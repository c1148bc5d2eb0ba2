"""HTML → PDF with WeasyPrint, offline: a rendered document may only use data: URLs.

Templates are written by the firm and filled with client data; a stray `<img src="http://...">` must
neither leak who opened what nor hang a render, so every other URL scheme is refused (the element is
left out, as a browser would with a broken image). Every layout runs in a limited child (`layout`).
"""
from __future__ import annotations

import base64
import logging
from dataclasses import dataclass

from practice.sandbox import SandboxError
from practice.services.errors import InvalidInput
from practice.warm_sandbox import run_warm
from practice.i18n import _

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


# The limited child that lays a document out: a legitimate letter or proposal needs a fraction of this.
LAYOUT_SECONDS = 20.0
LAYOUT_CPU_SECONDS = 10
LAYOUT_MEMORY = 192 * 1024 * 1024  # its own: a 300-page letter takes 80 MB, a 70-page table 160 MB
MAX_PAGES = 300


class LayoutFailed(InvalidInput):
    """The HTML could not be laid out as a PDF within the limits; str() is the sentence."""


@dataclass
class Page:
    width: float  # CSS pixels, as WeasyPrint gives them
    height: float
    anchors: dict[str, list[float]]  # id -> [x1, y1, x2, y2]


@dataclass
class Layout:
    pdf: bytes
    pages: list[Page]


def layout(html: str, *, css: str = BASE_CSS) -> Layout:
    """The PDF of `html` and its pages (sizes, anchors), laid out in a limited child (CPU, memory, wall clock):
    a 4,000-page document or a layout WeasyPrint chokes on stops there with a sentence, never in the app."""
    try:
        answer = run_warm(layout_here, {"html": html, "css": css}, cpu_s=LAYOUT_CPU_SECONDS,
                          memory_bytes=LAYOUT_MEMORY, wall_s=LAYOUT_SECONDS)
    except SandboxError as err:
        raise LayoutFailed(_("The document could not be laid out as a PDF: {err}.").format(err=err)) from None
    if answer.get("error"):
        raise LayoutFailed(str(answer["error"]))
    return Layout(base64.b64decode(answer["pdf"]),
                  [Page(float(p["width"]), float(p["height"]), dict(p["anchors"])) for p in answer["pages"]])


def render_pdf(html: str, *, css: str = BASE_CSS) -> bytes:
    """The PDF bytes of `html` (already filled in; this does no templating), laid out in a limited child."""
    return layout(html, css=css).pdf


# --- in the limited child -------------------------------------------------------------------------------


class TooManyPages(Exception):
    pass


def _stop_past_max_pages() -> None:
    """Make WeasyPrint stop laying out as soon as a document passes MAX_PAGES pages, not after the last one: a
    4,000-page document is refused after 301 pages, in a third of the time and memory. (WeasyPrint has no such
    option; its page maker is wrapped in the child only. If a later WeasyPrint renames it, the count after the
    layout still refuses the document, only later.)"""
    import weasyprint.layout as layout_module  # noqa: PLC0415 - lazy: heavy library

    make_all_pages = getattr(layout_module, "make_all_pages", None)
    if make_all_pages is None or getattr(make_all_pages, "stops_past_max_pages", False):
        return

    def counted(*args, **kwargs):
        for number, page in enumerate(make_all_pages(*args, **kwargs), start=1):
            if number > MAX_PAGES:
                raise TooManyPages
            yield page

    counted.stops_past_max_pages = True
    layout_module.make_all_pages = counted


def _fetcher():
    from weasyprint import URLFetcher  # noqa: PLC0415 - lazy: heavy library (WeasyPrint loads Pango)

    return URLFetcher(allowed_protocols={"data"}, timeout=1)


def layout_here(html: str | dict, css: str = BASE_CSS) -> dict:
    """The child's side of `layout`: WeasyPrint's pages and PDF as JSON, or a sentence."""
    if isinstance(html, dict):
        html, css = html["html"], html["css"]
    from weasyprint import CSS, HTML  # noqa: PLC0415 - lazy: heavy library

    _stop_past_max_pages()
    try:
        document = HTML(string=html, url_fetcher=_fetcher(), base_url="data:,").render(
            stylesheets=[CSS(string=css, url_fetcher=_fetcher())] if css else None)
        if len(document.pages) > MAX_PAGES:
            raise TooManyPages
        pdf = document.write_pdf()
    except TooManyPages:
        return {"error": f"The document has more than {MAX_PAGES} pages; a document may have at most {MAX_PAGES}. "
                         "Shorten it."}
    except MemoryError:
        return {"error": "The document could not be laid out as a PDF: it needs more memory than allowed."}
    except RecursionError:
        return {"error": "The document could not be laid out as a PDF: its HTML nests too deeply."}
    except Exception as err:  # noqa: BLE001 - WeasyPrint's failures are many; the person gets one sentence
        return {"error": f"The document could not be laid out as a PDF ({type(err).__name__})."}
    return {"pdf": base64.b64encode(pdf).decode("ascii"),
            "pages": [{"width": float(p.width), "height": float(p.height),
                       "anchors": {k: [float(v) for v in box] for k, box in p.anchors.items()}}
                      for p in document.pages]}

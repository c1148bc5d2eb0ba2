"""PDFs for tests: blank pages of any size (pypdf), pages of text like a real letter (WeasyPrint), a page turned."""
from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter

from practice.services.documents.html_pdf import render_pdf


def blank_pdf(pages: int = 1, *, width: float = 612, height: float = 792) -> bytes:
    """A PDF of `pages` blank pages of this size in points (US Letter unless told)."""
    writer, out = PdfWriter(), io.BytesIO()
    for _ in range(pages):
        writer.add_blank_page(width=width, height=height)
    writer.write(out)
    return out.getvalue()


def sample_pdf(pages: int = 2) -> bytes:
    """A small Letter-size PDF with `pages` pages of text (WeasyPrint)."""
    body = "".join(f"<div style='page-break-after: always'><h1>Engagement letter — page {n + 1}</h1>"
                   f"<p>{'We will prepare your 2026 returns. ' * 30}</p></div>" for n in range(pages))
    return render_pdf(f"<html><body>{body}</body></html>")


def rotated(pdf: bytes, page: int = 0, degrees: int = 90) -> bytes:
    """The same PDF with one page turned by `degrees` (its /Rotate entry)."""
    writer, out = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf))), io.BytesIO()
    writer.pages[page].rotate(degrees)
    writer.write(out)
    return out.getvalue()

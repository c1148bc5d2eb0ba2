"""What page images run in their limited child (`practice.sandbox`): pdfium draws one page of a PDF to PNG.

The PDF may have come from a client: pdfium is a different parser from the pypdf check the upload
passed, so it runs under the same kind of kernel limits as that check, never in the app's process.
"""
from __future__ import annotations


def render(request: dict) -> dict:
    """{"ok": true} once request["out"] holds the PNG of page request["page"], else {"ok": false, "reason": ...}."""
    try:
        return _render(request["pdf"], int(request["page"]), int(request["width"]), request["out"])
    except Exception as err:  # noqa: BLE001 - any failure is an answer, not a crash
        return {"ok": False, "reason": f"the page could not be drawn ({type(err).__name__})"}


def _render(pdf_path: str, page: int, width: int, out_path: str) -> dict:
    import pypdfium2 as pdfium  # noqa: PLC0415 - lazy: heavy library

    pdf = pdfium.PdfDocument(pdf_path)
    try:
        if not 0 <= page < len(pdf):
            return {"ok": False, "reason": "that page does not exist"}
        pg = pdf[page]
        w_pt = pg.get_width() or 612
        pg.render(scale=width / w_pt).to_pil().save(out_path, format="PNG", optimize=False)
    finally:
        pdf.close()
    return {"ok": True}

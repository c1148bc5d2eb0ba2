"""Render one page of a PDF to PNG under hard limits (run by `signatures.render_page_png`).

Usage: python -m practice.services.signing.page_render_worker PDF PAGE WIDTH OUT CPU_SECONDS MEMORY_BYTES

The PDF may have come from a client: pdfium is a different parser from the pypdf check the upload
passed, so it runs here, with the same kind of kernel limits as that check, never in the app's process.
Prints one JSON line: {"ok": true} once OUT is written, or {"ok": false, "reason": ...}.
"""
from __future__ import annotations

import json
import sys

from practice.services.documents.pdf_worker import _limit


def render(pdf_path: str, page: int, width: int, out_path: str) -> dict:
    import pypdfium2 as pdfium  # noqa: PLC0415 - only after the limits are set

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


def main(argv: list[str]) -> int:
    pdf_path, page, width, out_path, cpu, memory = argv
    _limit(int(cpu), int(memory))
    try:
        result = render(pdf_path, int(page), int(width), out_path)
    except Exception as err:  # noqa: BLE001 - any failure is an answer, not a crash
        result = {"ok": False, "reason": f"the page could not be drawn ({type(err).__name__})"}
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

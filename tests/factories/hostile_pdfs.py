"""Builds the hostile PDF corpus at test time (nothing hostile is committed to the repository).

Run `python -m tests.factories.hostile_pdfs DIR` to write the files to DIR; tests call `write_corpus`.
Each file is a small PDF written by hand, so each attack is exactly the one named.
"""
from __future__ import annotations

import io
import struct
import sys
import zlib
from pathlib import Path


def build_pdf(objects: dict[int, bytes], root: int = 1, header: bytes = b"%PDF-1.7\n") -> bytes:
    """A PDF with these numbered objects and a correct cross-reference table."""
    out = io.BytesIO()
    out.write(header + b"%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = out.tell()
        out.write(b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n")
    xref = out.tell()
    size = max(objects) + 1
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for num in range(1, size):
        out.write(b"%010d 00000 n \n" % offsets[num] if num in offsets else b"0000000000 65535 f \n")
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref))
    return out.getvalue()


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] %s >>"


def encrypted_pdf(user_password: str) -> bytes:
    """An honest one-page PDF encrypted by pypdf; an empty user password opens it without asking."""
    from pypdf import PdfReader, PdfWriter  # lazy: only this factory needs pypdf's writer

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(normal_pdf(1))))
    writer.encrypt(user_password=user_password, owner_password="owner-secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def normal_pdf(pages: int = 2) -> bytes:
    """A small, honest PDF with some text on each page."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
               2: b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
                   b" ".join(b"%d 0 R" % (10 + 2 * i) for i in range(pages)), pages),
               3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    for i in range(pages):
        text = b"BT /F1 24 Tf 72 700 Td (Tax return page %d) Tj ET" % (i + 1)
        objects[10 + 2 * i] = PAGE % (b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R" % (11 + 2 * i))
        objects[11 + 2 * i] = _stream(text)
    return build_pdf(objects)


def zlib_of_zeros(expanded: int) -> bytes:
    """A zlib stream that inflates to `expanded` zero bytes, built without compressing them all:
    after a full flush every 16 MiB block of zeros compresses to the same bytes, so one is repeated."""
    block = 16 << 20
    zeros = b"\x00" * block
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    count = expanded // block
    adler = 1
    for _ in range(count):
        adler = zlib.adler32(zeros, adler)
    raw = piece * count + zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    return b"\x78\xda" + raw + struct.pack(">I", adler)


def flate_bomb(expanded: int = 2 << 30) -> bytes:
    """A page whose content stream is about 2 MB compressed and `expanded` bytes (2 GiB) inflated."""
    return build_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>",
                      2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                      3: PAGE % b"/Contents 4 0 R",
                      4: _stream(zlib_of_zeros(expanded), b"/Filter /FlateDecode")})


def double_flate_bomb() -> bytes:
    """A few kilobytes that inflate twice over into 1 GiB: the filter chain multiplies the ratio."""
    outer = zlib.compress(zlib_of_zeros(1 << 30), 9)
    return build_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>",
                      2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                      3: PAGE % b"/Contents 4 0 R",
                      4: _stream(outer, b"/Filter [/FlateDecode /FlateDecode]")})


def reference_loop() -> bytes:
    """The page tree's kids point back up to their parent (2 -> 3 -> 2), and an object names itself."""
    return build_pdf({1: b"<< /Type /Catalog /Pages 2 0 R /Loop 4 0 R >>",
                      2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                      3: b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
                      4: b"<< /Self 4 0 R /Next 4 0 R >>"})


def deep_page_tree(depth: int = 5000) -> bytes:
    """Thousands of Pages nodes, each the only kid of the one above, with one page at the bottom."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
    for level in range(depth):
        num = 2 + level
        parent = b"/Parent %d 0 R " % (num - 1) if level else b""
        objects[num] = b"<< /Type /Pages %s/Kids [%d 0 R] /Count 1 >>" % (parent, num + 1)
    leaf = 2 + depth
    objects[leaf] = b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] >>" % (leaf - 1)
    return build_pdf(objects)


def huge_page_count() -> bytes:
    """One real page, but the page tree says there are two billion."""
    return build_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>",
                      2: b"<< /Type /Pages /Kids [3 0 R] /Count 2000000000 >>",
                      3: PAGE % b""})


def truncated() -> bytes:
    """The first half of a PDF: no page tree, no cross-reference table."""
    whole = normal_pdf(3)
    return whole[: len(whole) // 3]


def garbage_after_header() -> bytes:
    """The PDF header, then noise."""
    import random

    rng = random.Random(5)
    return b"%PDF-1.7\n" + bytes(rng.randrange(256) for _ in range(20_000))


CORPUS = {
    "flate_bomb.pdf": flate_bomb,
    "double_flate_bomb.pdf": double_flate_bomb,
    "reference_loop.pdf": reference_loop,
    "deep_page_tree.pdf": deep_page_tree,
    "huge_page_count.pdf": huge_page_count,
    "truncated.pdf": truncated,
    "garbage_after_header.pdf": garbage_after_header,
}


def write_corpus(folder: Path) -> dict[str, Path]:
    """Write every hostile file into `folder` (once; later calls reuse them)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, build in CORPUS.items():
        path = folder / name
        if not path.exists():
            path.write_bytes(build())
        paths[name] = path
    return paths


if __name__ == "__main__":
    for _name, path in write_corpus(Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data/hostile_pdfs")).items():
        print(f"{path}  {path.stat().st_size:,} bytes")

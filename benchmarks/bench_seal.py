"""Benchmark: sealing a signed 10-page PDF with its audit page (`seal.finish`) takes at most 1 s.

Builds a fresh migrated SQLite file in a temporary data folder (the firm's certificate is made there at
the first run), a 10-page letter rendered with WeasyPrint, and on every page a drawn signature (two
strokes, 300 points), initials and a date for each of two signers. Times `finish()` (stamp the 60
fields, render and append the audit page, embed the audit JSON, PAdES-seal with the firm's EC P-256
certificate, no timestamp server) after one warm-up run, and `verify()` of the result. Prints the first
run, the median and the slowest; exits 1 if the median is over the limit.

    python benchmarks/bench_seal.py [--iterations 7] [--limit-s 1.0] [--pages 10]
"""
from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def letter(pages: int) -> bytes:
    from practice.services.documents.html_pdf import render_pdf

    para = ("The firm will prepare the federal and state income tax returns for the year, from information "
            "the client provides, and will not audit or verify it. ") * 8
    body = "".join(f"<section style='page-break-after: always'><h1>Engagement letter, page {n + 1}</h1>"
                   f"<p>{para}</p><p>{para}</p><p>Signature: ____________ Date: ________</p></section>"
                   for n in range(pages))
    return render_pdf(f"<html><body>{body}</body></html>")


def fields(pages: int):
    from practice.services.signing.stamp import StampField

    def wave(phase: float) -> list[tuple[float, float]]:
        return [(i / 149, 0.5 + 0.4 * math.sin(i / 9 + phase)) for i in range(150)]

    out = []
    for p in range(pages):
        for row, name in enumerate(("June Hartley", "Sam Hartley")):
            y = 0.72 + row * 0.1
            out += [StampField(page=p, x=0.1, y=y, width=0.35, height=0.07, kind="signature",
                               strokes=[wave(0), wave(1.5)]),
                    StampField(page=p, x=0.5, y=y, width=0.08, height=0.05, kind="initials", text=name[0] + "H"),
                    StampField(page=p, x=0.65, y=y, width=0.25, height=0.04, kind="date", text="November 27, 2026")]
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=7)
    parser.add_argument("--limit-s", type=float, default=1.0)
    parser.add_argument("--pages", type=int, default=10)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-seal-")
    os.environ["PRACTICE_DATA_DIR"] = tmp
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.db"
    from practice.db import read_session, write_session
    from practice.migrate import upgrade
    from practice.services.signing import seal, verify
    from tests.factories import sample_trail

    upgrade()
    original = letter(args.pages)
    stamp_fields = fields(args.pages)

    def run_once() -> tuple[float, bytes]:
        trail = sample_trail(completed_at=dt.datetime.now(dt.timezone.utc))
        start = time.perf_counter()
        with write_session() as session:
            done = seal.finish(session, original, stamp_fields, trail)
        return time.perf_counter() - start, done.pdf

    def baseline_once() -> float:
        # Same-run baseline: read the 10 pages with pypdf and write them back, nothing stamped or sealed.
        import io  # noqa: PLC0415

        from pypdf import PdfReader, PdfWriter  # noqa: PLC0415

        start = time.perf_counter()
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(original)))
        writer.write(io.BytesIO())
        return time.perf_counter() - start

    first, pdf = run_once()
    times = [run_once()[0] for _ in range(args.iterations)]
    baseline = statistics.median(baseline_once() for _ in range(args.iterations))
    with read_session() as session:
        start = time.perf_counter()
        report = verify.verify(pdf, session=session)
        verify_s = time.perf_counter() - start
    median = statistics.median(times)
    print(f"original: {args.pages} pages, {len(original) / 1024:.0f} KiB; {len(stamp_fields)} fields; "
          f"sealed file {len(pdf) / 1024:.0f} KiB")
    print(f"finish() first run (makes the firm certificate, loads WeasyPrint and pyHanko): {first * 1000:.0f} ms")
    print(f"finish() over {args.iterations} runs after it: median {median * 1000:.0f} ms, "
          f"fastest {min(times) * 1000:.0f} ms, slowest {max(times) * 1000:.0f} ms (limit {args.limit_s * 1000:.0f} ms)")
    print(f"baseline, pypdf read + write of the same PDF, median of {args.iterations}: {baseline * 1000:.0f} ms")
    print(f"verify() of the sealed file: {verify_s * 1000:.0f} ms — {report.summary}")
    if not (report.intact and report.trusted):
        print("FAIL: the sealed file does not verify")
        return 1
    if median > args.limit_s:
        print(f"FAIL: median {median:.3f} s is over {args.limit_s:.3f} s")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())

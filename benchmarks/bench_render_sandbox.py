"""Benchmark: what filling in a template in a limited child costs (issue 20).

Times one ordinary email template (subject and body, the demo's "Welcome" size) filled in three ways, in the same
run: in this process (the baseline: what render() did before, with no limits on memory or one big operation),
in a child forked from the warm helper (what render() does now), and in a fresh interpreter per render
(`practice.sandbox.run_limited`, as the PDF checks do). Also a one-page PDF laid out in the warm child against
the same layout in this process. Medians of wall-clock milliseconds, and the ratio to the baseline.

Run from the repository root:  .venv/bin/python benchmarks/bench_render_sandbox.py [--repeat N]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from practice.sandbox import run_limited  # noqa: E402
from practice.services import templating  # noqa: E402
from practice.services.documents import html_pdf  # noqa: E402

SUBJECT = "Your {{ year }} tax organizer, {{ account.name }}"
BODY = ("Dear {{ contact.first_name }},\n\nYour job {{ job.name }} is now in {{ job.stage }}.\n"
        "{% if job.due_date %}It is due on {{ job.due_date }}.{% endif %}\n\nThank you,\n{{ firm.name }}\n") * 4
CONTEXT = {"account": {"name": "Hartley Household"}, "contact": {"first_name": "June"},
           "job": {"name": "1040 2026", "stage": "Review", "due_date": None}, "firm": {"name": "Park CPA"},
           "year": 2026}
TEXTS = [(SUBJECT, "subject", 500), (BODY, "email", templating.MAX_CHARS)]
PAYLOAD = {"texts": [list(t) for t in TEXTS], "context": CONTEXT, "html": False, "max_seconds": 0.5}
LETTER = "<h1>Engagement letter</h1>" + "<p>We will prepare your 2026 returns.</p>" * 30


def in_process() -> None:
    for source, what, max_chars in TEXTS:
        templating._render_one(source, CONTEXT, html=False, what=what, max_seconds=0.5, max_chars=max_chars)


def warm_child() -> None:
    templating.render_all(TEXTS, CONTEXT)


def fresh_interpreter() -> None:
    run_limited(templating.render_here, PAYLOAD, cpu_s=2, memory_bytes=512 * 1024 * 1024, wall_s=10)


def layout_in_process() -> None:
    html_pdf.layout_here(LETTER)


def layout_warm_child() -> None:
    html_pdf.layout(LETTER)


def median_ms(fn, repeat: int) -> float:
    fn()  # the first call starts the helper or loads WeasyPrint; not what a person waits for afterwards
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    repeat = parser.parse_args().repeat
    print(f"{platform.node()} · {os.cpu_count()} cores · load average {os.getloadavg()[0]:.1f} · repeat {repeat}")
    rows = [("email (subject + body): in this process (baseline)", in_process, None),
            ("email: a child of the warm helper (now)", warm_child, in_process),
            ("email: a fresh interpreter per render", fresh_interpreter, in_process),
            ("one-page PDF: in this process (baseline)", layout_in_process, None),
            ("one-page PDF: a child of the warm helper (now)", layout_warm_child, layout_in_process)]
    done: dict = {}
    for label, fn, base in rows:
        done[fn] = median_ms(fn, repeat)
        ratio = f"{done[fn] / done[base]:.1f}×" if base else "–"
        print(f"| {label:<52} | {done[fn]:8.1f} | {ratio:>6} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

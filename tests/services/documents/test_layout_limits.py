"""The layout child's limits as the firm meets them: a document too long is refused with a sentence as soon as it
passes the page limit, and a layout that needs more memory than allowed is stopped before it holds much more."""
from __future__ import annotations

import time

import pytest

from practice import warm_sandbox
from practice.services.documents import html_pdf
from practice.services.documents.html_pdf import BASE_CSS, LayoutFailed, layout, layout_here

MB = 1024 * 1024


def test_a_four_thousand_page_document_is_refused_once_it_passes_the_limit():
    html = "<style>p { page-break-after: always }</style>" + "".join(f"<p>Page {i}</p>" for i in range(4000))
    started = time.monotonic()
    with pytest.raises(LayoutFailed, match=f"more than {html_pdf.MAX_PAGES} pages"):
        layout(html)
    # Laying the 4,000 pages out took its whole 10 s of CPU before; stopping at page 301 takes about 2 s.
    assert time.monotonic() - started < html_pdf.LAYOUT_CPU_SECONDS


def test_a_document_at_the_limit_is_laid_out():
    html = "<style>p { page-break-after: always }</style>" + "".join(f"<p>Page {i}</p>" for i in range(300))
    assert len(layout(html).pages) == html_pdf.MAX_PAGES


def test_a_layout_past_its_own_memory_is_stopped_while_it_grows(monkeypatch):
    seen: list[int] = []
    real = warm_sandbox.own_memory

    def watched(pid):
        seen.append(real(pid))
        return seen[-1]

    monkeypatch.setattr(warm_sandbox, "own_memory", watched)
    table = "<table>" + "".join(f"<tr><td>{i}</td><td>Service {i}</td><td>$1,234.00</td></tr>"
                                for i in range(2000)) + "</table>"
    with pytest.raises(warm_sandbox.SandboxOutOfMemory, match="needed more memory than allowed"):
        warm_sandbox.run_warm(layout_here, {"html": table, "css": BASE_CSS}, cpu_s=10, memory_bytes=48 * MB,
                              wall_s=20)
    # Read every 20 ms: stopped within a few megabytes of its allowance, long before its address-space cap.
    assert 48 * MB < max(seen) < 80 * MB
    # The same table with the layout's own allowance is laid out (a long table is a real document).
    assert len(layout(table).pages) > 50


def test_a_layout_well_within_its_allowance_is_watched_without_counting_its_pages(monkeypatch):
    """Counting a child's private pages walks its page tables; the watcher does it only once the child's resident
    and swapped pages (two counters) pass the allowance, not every 20 ms of every render."""
    watched, counted = [], []
    cheap, real = warm_sandbox.holds_more_than, warm_sandbox.own_memory
    monkeypatch.setattr(warm_sandbox, "holds_more_than", lambda pid, limit: watched.append(pid) or cheap(pid, limit))
    monkeypatch.setattr(warm_sandbox, "own_memory", lambda pid: counted.append(pid) or real(pid))
    html = "<style>p { page-break-after: always }</style>" + "".join(f"<p>Page {i}</p>" for i in range(200))

    # The watcher looks whenever 20 ms pass without the answer. At the lowest priority on a busy machine (as `make
    # test` runs this pass) the app's thread can miss a whole layout of the child's (0.4 s calm): lay out again then.
    for _attempt in range(5):
        assert len(layout(html).pages) == 200
        if watched:
            break

    assert watched, "five layouts ended before the watcher looked at one of them once"
    assert not counted

"""A corpus of hostile PDFs: each is refused or handled within its limits, quickly, and the app
(this process) is never the one that reads it."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from practice.services.documents import pdf_check
from tests.factories.hostile_pdfs import CORPUS, normal_pdf, write_corpus

CORPUS_DIR = Path(__file__).resolve().parents[2] / "data" / "hostile_pdfs"


@pytest.fixture(scope="module")
def corpus() -> dict[str, Path]:
    return write_corpus(CORPUS_DIR)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_hostile_pdf_is_refused_or_handled_within_its_limits_quickly(corpus, name):
    started = time.monotonic()
    verdict = pdf_check.check_pdf(corpus[name])
    elapsed = time.monotonic() - started
    assert elapsed < 10, f"{name} took {elapsed:.1f} s"
    if name == "huge_page_count.pdf":
        # pypdf counts the pages it can reach, not the declared two billion.
        assert verdict.ok and verdict.pages == 1
    else:
        assert not verdict.ok, name
        assert verdict.sentence.startswith("This PDF could not be read safely: ")


def test_bombs_are_stopped_by_the_decompression_limit(corpus):
    for name in ("flate_bomb.pdf", "double_flate_bomb.pdf"):
        assert "limits for safe reading" in pdf_check.check_pdf(corpus[name]).reason


def test_an_honest_pdf_gives_its_page_count(tmp_path):
    path = tmp_path / "ok.pdf"
    path.write_bytes(normal_pdf(4))
    assert pdf_check.check_pdf(path) == pdf_check.PdfVerdict(True, pages=4)


def test_the_memory_limit_and_the_wall_clock_stop_the_child_not_the_app(corpus, tmp_path):
    # With a memory ceiling too low to even start pypdf, the child fails and the file is refused.
    starved = pdf_check.check_pdf(corpus["flate_bomb.pdf"], memory_bytes=40 * 1024 * 1024)
    assert not starved.ok
    slow = pdf_check.check_pdf(corpus["deep_page_tree.pdf"], wall_seconds=0.05)
    assert not slow.ok and "took longer than" in slow.reason
    assert os.getpid()  # still here


def test_the_corpus_is_written_by_the_script_not_committed(corpus):
    assert set(p.name for p in corpus.values()) == set(CORPUS)
    assert corpus["flate_bomb.pdf"].stat().st_size < 3_000_000

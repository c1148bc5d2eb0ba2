"""A corpus of hostile PDFs: each is refused or handled within its limits, quickly, and the app
(this process) is never the one that reads it."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from practice.services.documents import pdf_check, storage
from tests.factories.hostile_pdfs import CORPUS, encrypted_pdf, normal_pdf, write_corpus

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


@pytest.mark.parametrize("user_password, reason", [("secret", "it is protected by a password"),
                                                   ("", "it is encrypted (its author restricted it)")])
def test_an_encrypted_pdf_is_refused_with_a_sentence_unless_the_firm_allows_it(tmp_path, monkeypatch,
                                                                                  user_password, reason):
    path = tmp_path / "locked.pdf"
    path.write_bytes(encrypted_pdf(user_password))
    verdict = pdf_check.check_pdf(path)
    assert not verdict.ok and verdict.reason == reason
    assert verdict.sentence.startswith(f"This PDF could not be read safely: {reason}. It was not stored")
    monkeypatch.setenv("PRACTICE_ALLOW_ENCRYPTED_PDFS", "1")
    assert pdf_check.check_pdf(path).ok


@pytest.mark.parametrize("head, is_pdf", [
    (b"%PDF-1.7\n", True), (b"\xef\xbb\xbf%PDF-1.4\n", True), (b"\r\n  %PDF-1.4\n", True),
    (b"<html><body>%PDF-1.4 looks like a PDF</body></html>", False), (b"junk%PDF-1.4\n", False),
])
def test_a_pdf_starts_with_its_header_after_at_most_a_bom_and_whitespace(head, is_pdf):
    assert storage.SNIFFERS["pdf"](head + b"x" * 100) is is_pdf

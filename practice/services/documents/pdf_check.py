"""Check a PDF from outside without letting it hurt the app: pypdf runs in a separate process
with CPU and memory limits set by the kernel, and the parent kills it when a wall-clock timeout
passes. The app only ever learns a page count or a sentence saying why the file was refused.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from practice.config import ROOT
from practice.services.errors import InvalidInput

CPU_SECONDS = 5
MEMORY_BYTES = 512 * 1024 * 1024
WALL_SECONDS = 10
# At most this many checks at once: a burst of hostile uploads cannot take every core.
CONCURRENT = 2
_slots = threading.BoundedSemaphore(CONCURRENT)


@dataclass(frozen=True)
class PdfVerdict:
    ok: bool
    pages: int | None = None
    reason: str = ""

    @property
    def sentence(self) -> str:
        return (f"This PDF could not be read safely: {self.reason}. It was not stored; if the file is genuine, "
                "open it on your computer, print it to a new PDF and upload that.")


class PdfRefused(InvalidInput):
    """A PDF that could not be read safely; str() is the sentence to show."""

    def __init__(self, verdict: PdfVerdict):
        super().__init__(verdict.sentence, field="file")
        self.verdict = verdict


def check_pdf(path: Path | str, *, cpu_seconds: int = CPU_SECONDS, memory_bytes: int = MEMORY_BYTES,
              wall_seconds: float = WALL_SECONDS) -> PdfVerdict:
    """Read the PDF at `path` in a limited child process; never raises for a bad file."""
    if not _slots.acquire(timeout=wall_seconds):
        return PdfVerdict(False, reason="the server is busy checking other PDFs; try again in a minute")
    try:
        return _run(Path(path), cpu_seconds, memory_bytes, wall_seconds)
    finally:
        _slots.release()


def _run(path: Path, cpu_seconds: int, memory_bytes: int, wall_seconds: float) -> PdfVerdict:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(ROOT),
           "PYTHONHASHSEED": "0"}
    cmd = [sys.executable, "-m", "practice.services.documents.pdf_worker", str(path), str(cpu_seconds), str(memory_bytes)]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env=env, cwd=str(ROOT), start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=wall_seconds)
    except subprocess.TimeoutExpired:
        _kill(proc)
        return PdfVerdict(False, reason=f"reading it took longer than {wall_seconds:g} seconds")
    if proc.returncode != 0 or not out.strip():
        if proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
            return PdfVerdict(False, reason=f"reading it needed more than {cpu_seconds} seconds of computing time")
        return PdfVerdict(False, reason="reading it needed more memory or time than allowed")
    try:
        result = json.loads(out.decode("utf-8", "replace").strip().splitlines()[-1])
    except (ValueError, IndexError):
        return PdfVerdict(False, reason="the checker gave no answer")
    if result.get("ok"):
        pages = result.get("pages")
        return PdfVerdict(True, pages=int(pages) if isinstance(pages, int) else None)
    return PdfVerdict(False, reason=str(result.get("reason") or "it could not be read")[:300])


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


def require_readable(path: Path, ext: str) -> int | None:
    """`storage.store`'s inspect hook: a PDF's page count, or PdfRefused; other types pass."""
    if ext != "pdf":
        return None
    verdict = check_pdf(path)
    if not verdict.ok:
        raise PdfRefused(verdict)
    return verdict.pages

"""Check a PDF from outside without letting it hurt the app: pypdf reads it in a limited child process
(`practice.sandbox`), and the app only ever learns a page count or a sentence saying why it was refused.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from practice.config import allow_encrypted_pdfs
from practice.sandbox import SandboxBusy, SandboxError, run_limited
from practice.services.documents import pdf_worker
from practice.i18n import N_, _
from practice.services.errors import InvalidInput

CPU_SECONDS = 5
MEMORY_BYTES = 512 * 1024 * 1024
WALL_SECONDS = 10
# Refused unless the firm allows them (PRACTICE_ALLOW_ENCRYPTED_PDFS): the firm could not check, preview or
# sign what it cannot open, and an encrypted file hides its content from the check.
ENCRYPTED = {"password-protected": N_("it is protected by a password"),
             "encrypted": N_("it is encrypted (its author restricted it)")}


@dataclass(frozen=True)
class PdfVerdict:
    ok: bool
    pages: int | None = None
    reason: str = ""

    @property
    def sentence(self) -> str:
        return _("This PDF could not be read safely: {reason}. It was not stored; if the file is genuine, open it on "
                 "your computer, print it to a new PDF and upload that.").format(reason=_(self.reason))


class PdfRefused(InvalidInput):
    """A PDF that could not be read safely; str() is the sentence to show."""

    def __init__(self, verdict: PdfVerdict):
        super().__init__(verdict.sentence, field="file")
        self.verdict = verdict


def check_pdf(path: Path | str, *, cpu_seconds: int = CPU_SECONDS, memory_bytes: int = MEMORY_BYTES,
              wall_seconds: float = WALL_SECONDS) -> PdfVerdict:
    """Read the PDF at `path` in a limited child process; never raises for a bad file."""
    try:
        result = run_limited(pdf_worker.inspect, str(path), cpu_s=cpu_seconds, memory_bytes=memory_bytes,
                             wall_s=wall_seconds)
    except SandboxBusy:
        return PdfVerdict(False, reason=N_("the server is busy checking other PDFs; try again in a minute"))
    except SandboxError as err:
        return PdfVerdict(False, reason=_reading(err))
    if not isinstance(result, dict):
        return PdfVerdict(False, reason=N_("the checker gave no answer"))
    if result.get("ok") and result.get("note") in ENCRYPTED and not allow_encrypted_pdfs():
        return PdfVerdict(False, reason=ENCRYPTED[result["note"]])
    if result.get("ok"):
        pages = result.get("pages")
        return PdfVerdict(True, pages=int(pages) if isinstance(pages, int) else None)
    return PdfVerdict(False, reason=str(result.get("reason") or N_("it could not be read"))[:300])


def _reading(err: SandboxError) -> str:
    """The sandbox's reason as the check words it: "reading it took longer than 10 seconds"."""
    reason = str(err)
    return f"reading {reason}" if reason.startswith("it ") else reason


def require_readable(path: Path, ext: str) -> int | None:
    """`storage.store`'s inspect hook: a PDF's page count, or PdfRefused; other types pass."""
    if ext != "pdf":
        return None
    verdict = check_pdf(path)
    if not verdict.ok:
        raise PdfRefused(verdict)
    return verdict.pages

"""The public verify page: anyone uploads a PDF and reads whether its seal holds, who sealed it, and its audit trail.

Nothing is stored: the file is checked in memory and forgotten.
"""
from __future__ import annotations

import asyncio
import collections
import dataclasses
import threading
import time

import reflex as rx

from practice.db import read_session
from practice.i18n import N_, _, ngettext
from practice.services.documents import storage
from practice.services.signing import audit_page, certificates, verify
from practice.state.base import ANYONE, AppState, allow, client_address


@dataclasses.dataclass
class Fact:
    label: str = ""
    value: str = ""


@dataclasses.dataclass
class AuditRow:
    kind: str = "row"  # heading | row
    label: str = ""
    value: str = ""


# The page is public and each check runs a child process for up to a few seconds of CPU: a visitor gets
# CHECKS_PER_WINDOW checks per WINDOW_SECONDS, and at most CHECKS_AT_ONCE run at a time on the server.
CHECKS_PER_WINDOW = 20
WINDOW_SECONDS = 600
CHECKS_AT_ONCE = 2
_recent: dict[str, collections.deque] = {}
_recent_lock = threading.Lock()
_running = threading.BoundedSemaphore(CHECKS_AT_ONCE)


def take_turn(visitor: str, now: float | None = None) -> str:
    """Count one check for this visitor (their IP address); a sentence when they have had their share."""
    now = time.monotonic() if now is None else now
    with _recent_lock:
        if len(_recent) > 10_000:  # forget idle visitors rather than grow without end
            for key in [k for k, q in _recent.items() if not q or now - q[-1] > WINDOW_SECONDS]:
                del _recent[key]
        times = _recent.setdefault(visitor, collections.deque())
        while times and now - times[0] > WINDOW_SECONDS:
            times.popleft()
        if len(times) >= CHECKS_PER_WINDOW:
            wait = int(WINDOW_SECONDS - (now - times[0])) // 60 + 1
            return ngettext("You have checked {count} files in the last {window} minutes; please wait {wait} minute "
                            "and try again.",
                            "You have checked {count} files in the last {window} minutes; please wait {wait} minutes "
                            "and try again.", wait).format(count=CHECKS_PER_WINDOW, window=WINDOW_SECONDS // 60,
                                                           wait=wait)
        times.append(now)
    return ""


def max_bytes() -> int:
    return storage.max_upload_bytes()


def _check(data: bytes) -> tuple[verify.VerifyReport, str]:
    with read_session() as session:
        # A stranger's file: checked in a child process with CPU, memory and time limits.
        report = verify.verify_isolated(session, data)
        record = verify.on_record(session, report.sha256) if report.certificate_fingerprint else ""
    return report, record


def _facts(report: verify.VerifyReport, record: str) -> list[Fact]:
    facts = []
    if report.sealed_by:
        facts.append(Fact(_("Sealed by"), report.sealed_by))
    if report.sealed_at:
        at = audit_page.utc_text(report.sealed_at)
        facts.append(Fact(_("Sealed at"), _("{at} (from the timestamp server of {server})").format(
            at=at, server=report.timestamp_by) if report.timestamped
            else _("{at} (the sealing computer's clock)").format(at=at)))
    if report.certificate_fingerprint:
        facts.append(Fact(_("Sealed with the firm's certificate"), _("Yes") if report.firm_certificate else _("No")))
        facts.append(Fact(_("Certificate fingerprint (SHA-256)"), report.certificate_fingerprint))
    if record:
        facts.append(Fact(_("On record at the firm"), record))
    facts.append(Fact(_("SHA-256 of this file"), report.sha256))
    return facts


# The trail's rows as the page names them (the trail itself is the record, written in the firm's words).
_DOCUMENT_ROWS = ((N_("Document"), "title"), (N_("Reference"), "reference"), (N_("Firm"), "firm_name"),
                  (N_("Client"), "account_name"), (N_("Completed"), "completed_at"),
                  (N_("SHA-256 of the original"), "original_sha256"),
                  (N_("SHA-256 of the signed pages"), "stamped_sha256"))
_SIGNER_ROWS = ((N_("Email"), "email"), (N_("Portal login"), "login"), (N_("Status"), "status"),
                (N_("IP address"), "ip_address"), (N_("Browser"), "user_agent"), (N_("Viewed"), "viewed_at"),
                (N_("Consented"), "consented_at"), (N_("Signed"), "signed_at"), (N_("Declined"), "declined_at"),
                (N_("Reason"), "decline_reason"), (N_("Identity check"), "identity_check"),
                (N_("Result"), "identity_result"))


def _audit_rows(audit: dict | None) -> list[AuditRow]:
    if not audit:
        return []
    rows = []
    for label, key in _DOCUMENT_ROWS:
        if audit.get(key):
            value = audit_page.pretty_time(audit[key]) if key.endswith("_at") else str(audit[key])
            rows.append(AuditRow("row", _(label), value[:200]))
    for n, s in enumerate(audit.get("signers") or [], 1):
        if not isinstance(s, dict):
            continue
        rows.append(AuditRow("heading", _("Signer {n}: {name}").format(n=n, name=s.get("name", ""))))
        for label, key in _SIGNER_ROWS:
            if s.get(key):
                value = audit_page.pretty_time(s[key]) if key.endswith("_at") else str(s[key])
                rows.append(AuditRow("row", _(label), value[:500]))
    events = [e for e in audit.get("events") or [] if isinstance(e, dict)]
    if events:
        rows.append(AuditRow("heading", _("Timeline (UTC)")))
        rows += [AuditRow("row", audit_page.pretty_time(e.get("at", ""))[:40], str(e.get("what", ""))[:500])
                 for e in events[:200]]
    return rows[:400]


class VerifyState(AppState):
    checked: bool = False
    file_name: str = ""
    summary: str = ""
    verdict: str = ""  # good | changed | foreign
    facts: list[Fact] = []
    problems: list[str] = []
    audit_rows: list[AuditRow] = []
    error: str = ""

    @allow(ANYONE)
    def load(self):
        """Start with an empty form (a reload forgets the last file), in the tab's language or the firm's."""
        self._show_visitor_language()
        self._clear()

    def _clear(self):
        self.checked, self.file_name, self.summary, self.verdict, self.error = False, "", "", "", ""
        self.facts, self.problems, self.audit_rows = [], [], []

    @allow(ANYONE)
    def file_rejected(self, rejected: list[dict] | None = None):
        self._clear()
        self.error = _("That file cannot be checked: choose one PDF file of at most {size} MB.").format(
            size=max_bytes() // 1024 // 1024)

    @allow(ANYONE)
    async def handle_upload(self, files: list[rx.UploadFile]):
        """Check the uploaded PDF (off the event loop: validation takes a moment)."""
        self._clear()
        if not files:
            self.error = _("Choose a PDF file to check.")
            return
        upload = files[0]
        data = upload.file.read(max_bytes() + 1)
        self.file_name = str(upload.name or upload.filename or "file")[:200]
        self.error = self._refusal(len(data))
        if self.error:
            return
        try:
            report, record = await asyncio.to_thread(_check, data)
        finally:
            _running.release()
        self._show_report(report, record)

    def _refusal(self, size: int) -> str:
        """Why this file is not checked now ("" when it is, and then the one checking slot is taken)."""
        limit = max_bytes()
        if size > limit:
            return _("That file is larger than {size} MB; signed files are far smaller.").format(size=limit // 1024 // 1024)
        refused = take_turn(client_address(self) or "unknown")
        if refused:
            return refused
        if not _running.acquire(blocking=False):
            return _("Several files are being checked right now; please try again in a moment.")
        return ""

    def _show_report(self, report, record) -> None:
        self.checked = True
        self.summary = report.summary
        self.verdict = ("good" if report.intact and report.trusted and report.firm_certificate
                        else "foreign" if report.intact else "changed")
        self.facts = _facts(report, record)
        self.problems = [p for p in report.problems if p != report.summary]
        self.audit_rows = _audit_rows(report.audit)

    @allow(ANYONE)
    def download_certificate(self):
        """The firm's current sealing certificate (public part), for adding to a PDF reader's trusted list."""
        with read_session() as session:
            row = certificates.current(session)
            pem = row.cert_pem if row else ""
        if not pem:
            return rx.toast.error(_("The firm has no sealing certificate yet."))
        return rx.download(data=pem, filename="firm-seal-certificate.pem")

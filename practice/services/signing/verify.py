"""Checking a sealed file: intact, sealed by whom, with which certificate, and its audit trail; `verify`
never raises on bad input (a damaged, changed, foreign or non-PDF file gets a plain sentence), and
`verify_isolated` runs it in a limited child for files from anyone."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import tempfile
from dataclasses import asdict, dataclass, field

from asn1crypto import cms
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from sqlmodel import Session, select

from practice import i18n
from practice.i18n import _
from practice.models import Firm, Proposal, SignatureRequest
from practice.sandbox import SandboxBusy, SandboxCpuExceeded, SandboxError, SandboxFailed, SandboxTimeout, run_limited
from practice.services.signing import certificates
from practice.services.signing.audit_page import AUDIT_ATTACHMENT, iso_utc, pretty_time, sha256_hex, utc_text
from practice.services.signing.seal import run_sync

log = logging.getLogger(__name__)
# A foreign or broken seal is an expected answer on the public verify page, not a server problem.
logging.getLogger("pyhanko.sign.validation").setLevel(logging.ERROR)


@dataclass
class VerifyReport:
    """What `verify` found, in plain words (summary) and as facts."""

    intact: bool
    trusted: bool
    summary: str
    sealed_by: str = ""
    sealed_at: dt.datetime | None = None
    timestamped: bool = False
    certificate_fingerprint: str = ""
    audit: dict | None = None
    problems: list[str] = field(default_factory=list)
    sha256: str = ""
    firm_certificate: bool = False  # sealed with one of the firm's own certificates
    reason: str = ""
    timestamp_by: str = ""  # the timestamp server's certificate holder, when the seal carries a timestamp


def _fingerprint_der(der: bytes) -> str:
    """SHA-256 of a certificate (DER) as colon-separated upper-case hex."""
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def _who(cert) -> str:
    """A certificate subject as a person reads it: organisation or common name."""
    try:
        native = cert.subject.native
        org, cn = native.get("organization_name"), native.get("common_name")
        if isinstance(org, list):
            org = org[0]
        if isinstance(cn, list):
            cn = cn[0]
        # The organisation reads best ("Park & Lee CPAs"); a certificate without one names its holder.
        return org or cn or cert.subject.human_friendly
    except Exception:  # noqa: BLE001
        return "an unnamed certificate"


def _padding_ok(embedded) -> bool:
    """The seal's /Contents holds the signature then only zero bytes (bytes there are not hashed)."""
    raw = embedded.pkcs7_content
    used = len(cms.ContentInfo.load(raw).dump())
    return not raw[used:].strip(b"\x00")


def _load_roots(pems: list[str]) -> list:
    """The certificates to trust, from PEM (one or more) or DER texts."""
    roots = []
    for text in pems:
        data = text.encode() if isinstance(text, str) else text
        if asn1_pem.detect(data):
            for _, _, der in asn1_pem.unarmor(data, multiple=True):
                roots.append(asn1_x509.Certificate.load(der))
        else:
            roots.append(asn1_x509.Certificate.load(data))
    return roots


def _audit_from(pdf: bytes) -> dict | None:
    """The audit trail JSON attached to the file, if any."""
    from pypdf import PdfReader  # noqa: PLC0415 - lazy: heavy library
    try:
        files = PdfReader(io.BytesIO(pdf), strict=False).attachments
        data = files.get(AUDIT_ATTACHMENT)
        if not data:
            return None
        value = json.loads(data[0])
        return value if isinstance(value, dict) else None
    except Exception:  # noqa: BLE001 - a damaged attachment simply means no trail to show
        return None


def _when(value: dt.datetime | None) -> str:
    return utc_text(value) if value else _("an unknown time")


def firm_trust(session: Session) -> tuple[list[str], str]:
    """The PEM of every certificate the firm ever sealed with, and the firm's name (read only)."""
    pems = [row.cert_pem for row in certificates.all_certificates(session)]
    firm = session.exec(select(Firm)).first()  # read only: verify never writes
    return pems, firm.name if firm else _("the firm")


def verify(pdf: bytes, *, trust_roots_pem: list[str] | None = None, session: Session | None = None,
           firm_name: str = "") -> VerifyReport:
    """Check a file's seal; never raises on bad input.

    Trust: the given certificates, else (with a session) every certificate the firm ever sealed with.
    """
    try:
        if trust_roots_pem is None and session is not None:
            trust_roots_pem, firm_name = firm_trust(session)
        return _verify(bytes(pdf or b""), list(trust_roots_pem or []), firm_name)
    except Exception:  # noqa: BLE001 - the promise is a sentence, whatever the file holds
        log.exception("verify failed unexpectedly")
        return VerifyReport(intact=False, trusted=False, sha256=sha256_hex(pdf or b""),
                            summary=_("This file could not be checked: it is damaged or not a sealed PDF."),
                            problems=[_("unexpected error while checking")])


def _verify(pdf: bytes, pems: list[str], firm_name: str) -> VerifyReport:
    from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: PLC0415 - lazy: heavy library

    digest = sha256_hex(pdf)

    def fail(summary: str, *problems: str, **kw) -> VerifyReport:
        return VerifyReport(intact=False, trusted=False, summary=summary, problems=list(problems or [summary]),
                            sha256=digest, **kw)

    if not pdf:
        return fail(_("The file is empty."))
    if b"%PDF-" not in pdf[:1024]:
        return fail(_("This file is not a PDF."))
    try:
        roots = _load_roots(pems)
    except Exception:  # noqa: BLE001
        return fail(_("The certificate given to check against cannot be read; give a PEM or DER certificate file."))
    try:
        sigs = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except Exception:  # noqa: BLE001
        return fail(_("This PDF is damaged and cannot be read: it may have been cut short or changed."))
    if not sigs:
        return fail(_("This PDF carries no seal, so nothing shows who made it or that it is unchanged."))
    embedded = sigs[-1]
    try:
        signer_cert = embedded.signer_cert
        facts = {"sealed_by": _who(signer_cert), "certificate_fingerprint": _fingerprint_der(signer_cert.dump())}
    except Exception:  # noqa: BLE001
        return fail(_("The seal in this file is damaged: it names no readable certificate."))
    firm_prints = {_fingerprint_der(r.dump()) for r in roots}
    earlier = _earlier_firm_seal(sigs[:-1], firm_prints)
    if earlier is not None and facts["certificate_fingerprint"] not in firm_prints:
        # Every seal is looked at: the firm's own seal followed by someone else's change and seal.
        whose = firm_name or _who(earlier.signer_cert)
        return fail(_("This file was changed after {whose} sealed it on {when}: a later change was added and sealed "
                      "by {sealer}, not by the firm. It is not the file {whose} sealed.")
                    .format(whose=whose, when=_when(_reported_time(earlier)), sealer=facts["sealed_by"]),
                    _("The firm's seal was broken by a later change, sealed by {sealer}.")
                    .format(sealer=facts["sealed_by"]),
                    audit=_audit_from(pdf), **facts)
    try:
        status = run_sync(lambda: _validate(embedded, roots))
    except Exception:  # noqa: BLE001 - pyHanko raises many kinds on a broken seal
        return fail(_("The seal in this file does not check out: the file or its seal was changed after {sealer} "
                      "sealed it.").format(sealer=facts["sealed_by"]), **facts)
    return _report(pdf, digest, embedded, status, roots, firm_name, facts)


def _earlier_firm_seal(earlier_sigs, firm_prints: set):
    """The last of the earlier seals made with one of the firm's certificates, if any."""
    for sig in reversed(earlier_sigs):
        try:
            if _fingerprint_der(sig.signer_cert.dump()) in firm_prints:
                return sig
        except Exception:  # noqa: BLE001 - an unreadable earlier seal is simply not the firm's
            continue
    return None


def _reported_time(sig) -> dt.datetime | None:
    try:
        return sig.self_reported_timestamp
    except Exception:  # noqa: BLE001
        return None


def _validate(embedded, roots: list):
    """pyHanko's validation status of the seal against `roots` (offline; revocation not fetched)."""
    from pyhanko.sign.validation import validate_pdf_signature  # noqa: PLC0415 - lazy: heavy library
    from pyhanko_certvalidator import ValidationContext  # noqa: PLC0415 - lazy: heavy library

    context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    return validate_pdf_signature(embedded, context)


def _seal_reason(embedded) -> str:
    try:
        return str(embedded.sig_object.get("/Reason", ""))
    except Exception:  # noqa: BLE001
        return ""


def _problems(embedded, status, timestamped: bool) -> list[str]:
    """What breaks the seal, in plain sentences (none: the file is intact)."""
    from pyhanko.sign.validation.status import SignatureCoverageLevel  # noqa: PLC0415 - lazy: heavy library

    problems: list[str] = []
    if not status.intact:
        problems.append(_("The contents no longer match the seal: the file was changed after it was sealed."))
    elif not status.valid:
        problems.append(_("The seal's signature does not match its certificate: the seal was tampered with."))
    if status.intact and status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        problems.append(_("Something was added to the file after it was sealed."))
        if status.docmdp_ok is False:
            problems.append(_("The seal allows no changes, so the addition breaks it."))
    try:
        if status.intact and not _padding_ok(embedded):
            problems.append(_("The seal's reserved space was altered after sealing."))
    except Exception:  # noqa: BLE001
        problems.append(_("The seal's data cannot be read."))
    if status.timestamp_validity is not None and not timestamped:
        problems.append(_("The timestamp in the seal does not check out."))
    return problems


def _report(pdf: bytes, digest: str, embedded, status, roots: list, firm_name: str, facts: dict) -> VerifyReport:
    """The report of a seal pyHanko could validate: intact or not, trusted or not, in words."""
    ts = status.timestamp_validity
    timestamped = bool(ts is not None and ts.intact and ts.valid)
    sealed_at = ts.timestamp if timestamped else status.signer_reported_dt
    problems = _problems(embedded, status, timestamped)
    intact = not problems
    firm_cert = facts["certificate_fingerprint"] in {_fingerprint_der(r.dump()) for r in roots}
    trusted = intact and (firm_cert or bool(status.trusted))
    sealed_by, when = facts["sealed_by"], _when(sealed_at)
    whose = (_("the certificate of {firm}").format(firm=firm_name) if firm_name
             else _("the certificate you trust"))
    if not intact:
        summary = _("This file was changed after it was sealed: it is not the file {sealer} sealed on {when}. "
                    "{problem}").format(sealer=sealed_by, when=when, problem=problems[0])
    elif trusted:
        summary = (_("This file is intact: it is exactly as {sealer} sealed it on {when}, with {whose}.") if roots
                   else _("This file is intact: it is exactly as {sealer} sealed it on {when}.")
                   ).format(sealer=sealed_by, when=when, whose=whose)
    elif not roots:
        summary = _("This file is unchanged since {sealer} sealed it on {when}, but there is no certificate to "
                    "check the seal against, so who sealed it cannot be confirmed.").format(sealer=sealed_by, when=when)
        problems.append(_("No trusted certificate was given."))
    else:
        summary = _("This file is unchanged since it was sealed on {when}, but it was sealed by {sealer}, not "
                    "with {whose}.").format(when=when, sealer=sealed_by, whose=whose)
        problems.append(_("The seal was made with a certificate that is not trusted here."))
    return VerifyReport(intact=intact, trusted=trusted, summary=summary, sealed_at=sealed_at,
                        timestamped=timestamped, audit=_audit_from(pdf), problems=problems, sha256=digest,
                        firm_certificate=firm_cert, reason=_seal_reason(embedded),
                        timestamp_by=_who(ts.signing_cert) if timestamped else "", **facts)


def describe(report: VerifyReport) -> list[str]:
    """The report as plain lines for a terminal or an email: the verdict first, then the facts."""
    lines = [report.summary, ""]
    if report.sha256:
        lines.append(f"SHA-256 of this file: {report.sha256}")
    if report.sealed_by:
        lines.append(f"Sealed by: {report.sealed_by}")
    if report.sealed_at:
        source = (f"from the timestamp server of {report.timestamp_by}" if report.timestamped
                  else "as the sealing computer's clock said")
        lines.append(f"Sealed at: {utc_text(report.sealed_at)} ({source})")
    if report.certificate_fingerprint:
        lines.append(f"Certificate fingerprint (SHA-256): {report.certificate_fingerprint}")
        lines.append("The firm's own certificate: " + ("yes" if report.firm_certificate else "no"))
    if report.reason:
        lines.append(f"Reason given in the seal: {report.reason}")
    if report.problems and not (len(report.problems) == 1 and report.problems[0] == report.summary):
        lines += ["", "Problems:"] + [f"  - {p}" for p in report.problems]
    audit = report.audit
    if audit:
        lines += ["", "Audit trail (attached to the file" + ("" if report.intact else "; the file was changed, so "
                                                              "do not rely on it") + "):"]
        for label, key in (("Document", "title"), ("Reference", "reference"), ("Firm", "firm_name"),
                           ("Client", "account_name"), ("Completed", "completed_at"),
                           ("SHA-256 of the original", "original_sha256"),
                           ("SHA-256 of the signed pages", "stamped_sha256")):
            if audit.get(key):
                value = pretty_time(audit[key]) if key.endswith("_at") else audit[key]
                lines.append(f"  {label}: {value}")
        for n, s in enumerate(audit.get("signers") or [], 1):
            if not isinstance(s, dict):
                continue
            lines.append(f"  Signer {n}: {s.get('name', '')} <{s.get('email', '')}>, {s.get('status', '')}")
            for label, key in (("viewed", "viewed_at"), ("consented", "consented_at"), ("signed", "signed_at"),
                               ("declined", "declined_at"), ("IP address", "ip_address"),
                               ("browser", "user_agent"), ("identity check", "identity_check"),
                               ("result", "identity_result"), ("reason", "decline_reason")):
                if s.get(key):
                    lines.append(f"    {label}: {pretty_time(s[key]) if key.endswith('_at') else s[key]}")
        events = [e for e in audit.get("events") or [] if isinstance(e, dict)]
        if events:
            lines.append("  Timeline:")
            lines += [f"    {pretty_time(e.get('at', ''))}  {e.get('what', '')}" for e in events]
    return lines


def on_record(session: Session, sha256: str) -> str:
    """Whether the firm keeps this exact file as a finished signature request or signed proposal, in words."""
    sha256 = (sha256 or "").lower()
    if len(sha256) != 64:
        return ""
    request = session.exec(select(SignatureRequest).where(SignatureRequest.final_sha256 == sha256)).first()
    if request is not None:
        return (_("Yes: this exact file is the firm's signed copy of the signature request \"{title}\", completed "
                  "{when}.").format(title=request.title, when=_when(request.completed_at)))
    proposal = session.exec(select(Proposal).where(Proposal.final_sha256 == sha256)).first()
    if proposal is not None:
        return (_("Yes: this exact file is the firm's signed copy of the proposal \"{title}\", signed {when}.")
                .format(title=proposal.name, when=_when(proposal.signed_at)))
    return _("No: the firm has no signed file with exactly these contents on record.")


# --- verifying a stranger's file in a limited process ---------------------------------------------

VERIFY_CPU_SECONDS = 10
VERIFY_MEMORY_BYTES = 1024 * 1024 * 1024
VERIFY_WALL_SECONDS = 20
# pypdf's own ceilings on what one stream may decode to, for files from anyone.
STREAM_LIMITS = dict(zlib_maximum_output_length=50_000_000, lzw_maximum_output_length=50_000_000,
                     run_length_maximum_output_length=50_000_000, maximum_declared_stream_length=50_000_000)


def report_to_json(report: VerifyReport) -> dict:
    """The report as plain JSON values (what the limited child sends back)."""
    data = asdict(report)
    data["sealed_at"] = iso_utc(report.sealed_at)
    return data


def report_from_json(data: dict) -> VerifyReport:
    """The report `report_to_json` made."""
    known = {f for f in VerifyReport.__dataclass_fields__}
    values = {k: v for k, v in data.items() if k in known}
    if values.get("sealed_at"):
        values["sealed_at"] = dt.datetime.fromisoformat(values["sealed_at"])
    return VerifyReport(**values)


def verify_isolated(session: Session, pdf: bytes) -> VerifyReport:
    """`verify` against the firm's certificates, run in a child process with CPU, memory and time limits.

    For files from anyone (the public verify page): a hostile PDF costs at most the limits.
    """
    digest = sha256_hex(pdf)

    def refused(reason: str) -> VerifyReport:
        return VerifyReport(intact=False, trusted=False, sha256=digest, problems=[reason],
                            summary=_("This file could not be checked safely: {reason}.").format(reason=reason))

    roots, firm_name = firm_trust(session)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(pdf)
        tmp.flush()
        try:
            answer = run_limited(verify_file, {"path": tmp.name, "roots": roots, "firm_name": firm_name,
                                                  "language": i18n.current_locale()},
                                 cpu_s=VERIFY_CPU_SECONDS, memory_bytes=VERIFY_MEMORY_BYTES,
                                 wall_s=VERIFY_WALL_SECONDS, pool="public")
        except SandboxBusy:
            return refused(_("the server is busy checking other files; try again in a minute"))
        except (SandboxCpuExceeded, SandboxFailed):
            return refused(_("checking it needed more memory or time than allowed"))
        except SandboxTimeout:
            return refused(_("checking it took too long"))
        except SandboxError:  # no answer
            return refused(_("the checker gave no answer"))
    try:
        return report_from_json(answer)
    except (ValueError, IndexError, TypeError, AttributeError):
        return refused(_("the checker gave no answer"))


def verify_file(request: dict) -> dict:
    """The limited child's side of `verify_isolated`: the report on the file at request["path"], as JSON."""
    from pypdf import apply_configuration  # noqa: PLC0415 - lazy: heavy library
    with open(request["path"], "rb") as fh:
        data = fh.read()
    with apply_configuration(**STREAM_LIMITS), i18n.using_locale(request.get("language")):
        report = verify(data, trust_roots_pem=request.get("roots") or [],
                        firm_name=str(request.get("firm_name") or ""))
    return report_to_json(report)

"""Signature requests: staff ask contacts of an account to sign a PDF; each signs in the portal; the last
signature seals the file.

Staff (an `Actor` who may see the account) create a request from a PDF of the account or from a document
template, place fields, send it, and may cancel it. Signers are contacts of the account with a portal login
and an email; with `in_order`, only the first unsigned signer may sign. In the portal a signer (a contact
actor: `documents.ContactActor` or `actor.ContactActor`) opens the request, consents to sign
electronically (once per disclosure text), optionally proves the email address with a one-time code, and
signs or declines. Every step is a `SigningEvent` (with IP address and browser) for the audit page. When
the last signer signs, the fields are stamped, the audit page added and the whole sealed
(`seal.finish`); the sealed PDF becomes a new document next to the original, which stays unchanged.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from practice import config, routes
from practice.models import (Account, AccountContact, Contact, Document, DocumentStatus, Job, PortalLogin,
                             PortalStatus, Role, SignatureField, SignatureRequest, SignatureRequestStatus, Signer,
                             SignerStatus, SigningEvent, utcnow)
from practice.sandbox import SandboxBusy, SandboxError, run_limited
from practice.services import audit, events, inbox, reminders
from practice.services.mail import outbox
from practice.services.mail.system import render_system_email
from practice.services.documents import pdf_check, storage
from practice.services.signing import consent, page_render_worker, seal
from practice.services.signing.audit_page import AuditSigner, AuditTrail
from practice.services.signing.stamp import StampField, stamp_strokes
from practice.services.work.accounts import get_account
from practice.services.actor import Actor
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from practice.services.firm import get_firm

REMINDER_KIND = "signature"
FIELD_KINDS = ("signature", "initials", "date", "text")
MAX_FIELDS = 200
MAX_SIGNERS = 10
MAX_TITLE = 200
MAX_MESSAGE = 4000
MAX_REASON = 2000
MAX_TEXT_VALUE = 500
MAX_TYPED = 100
MAX_INITIALS = 10
MAX_STROKES = 300
MAX_POINTS = 20_000
CODE_TTL = dt.timedelta(minutes=10)
CODE_TRIES = 5
CODE_RESEND = dt.timedelta(minutes=1)
PAGE_PNG_WIDTH = 1000
OPEN = (SignatureRequestStatus.draft, SignatureRequestStatus.sent)
GONE = "That signature request is not in your portal (it may have been cancelled)."


# --- views --------------------------------------------------------------------------------------------


@dataclass
class RequestView:
    id: int
    account_id: int
    account_name: str
    title: str
    status: str
    document_id: int
    document_name: str
    signed_document_id: int | None
    job_id: int | None
    job_name: str
    in_order: bool
    # Every signer proves the email address with a one-time code; `email_code_names` names those who do.
    require_email_code: bool
    signed_count: int
    signer_count: int
    signer_names: list[str]
    # Whose turn it is (names of pending signers), and whether it is the asking contact's turn.
    waiting_for: list[str]
    my_turn: bool
    requested_by: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    completed_at: dt.datetime | None
    email_code_names: list[str] = field(default_factory=list)


@dataclass
class SignerView:
    id: int
    contact_id: int
    name: str
    email: str
    position: int
    status: str
    viewed_at: dt.datetime | None
    consented_at: dt.datetime | None
    signed_at: dt.datetime | None
    declined_at: dt.datetime | None
    decline_reason: str
    identity_check: str
    identity_result: str
    ip_address: str
    user_agent: str
    require_email_code: bool = False  # asked for a one-time code sent by email before signing


@dataclass
class FieldView:
    id: int
    signer_id: int
    kind: str
    page: int
    x: float
    y: float
    width: float
    height: float
    label: str
    required: bool
    value: str


@dataclass
class EventView:
    at: dt.datetime
    kind: str
    detail: str
    signer_name: str
    ip_address: str
    user_agent: str


@dataclass
class PageSize:
    width: float  # PDF points
    height: float


@dataclass
class RequestDetail:
    request: RequestView
    message: str
    signers: list[SignerView]
    fields: list[FieldView]
    events: list[EventView]
    page_count: int
    pages: list[PageSize]
    original_sha256: str
    stamped_sha256: str
    final_sha256: str
    # Staff may still place fields and send (a draft).
    editable: bool


@dataclass
class SigningView:
    """What the portal's signing page needs for one signer."""

    request_id: int
    title: str
    message: str
    firm_name: str
    account_name: str
    status: str  # the request's: sent | completed | declined | cancelled
    signer_id: int
    my_status: str  # waiting | pending | signed | declined
    my_turn: bool
    whose_turn: list[str]
    needs_consent: bool
    disclosure: str
    needs_code: bool
    code_sent_to: str  # the address a code goes to (empty without the code check)
    code_sent_at: dt.datetime | None
    my_fields: list[FieldView]
    signers: list[SignerView] = field(default_factory=list)
    page_count: int = 0
    pages: list[PageSize] = field(default_factory=list)
    signed_document_id: int | None = None


# --- who is asking ----------------------------------------------------------------------------------


def _staff(actor) -> Actor:
    if not isinstance(actor, Actor):
        raise PermissionDenied("Only the firm's team can ask for signatures.")
    return actor


def _is_contact(who) -> bool:
    return not isinstance(who, Actor) and hasattr(who, "contact_id") and hasattr(who, "account_ids")


def _contact_audit_actor(name: str) -> Actor:
    return Actor(None, f"{name} (client)", Role.employee)


def _request(session: Session, request_id) -> SignatureRequest:
    try:
        request_id = int(request_id)
    except (TypeError, ValueError):
        raise NotFound("That signature request does not exist.") from None
    req = session.get(SignatureRequest, request_id)
    if req is None:
        raise NotFound("That signature request does not exist (it may have been deleted).")
    return req


def _staff_request(session: Session, actor: Actor, request_id) -> SignatureRequest:
    _staff(actor)
    req = _request(session, request_id)
    get_account(session, actor, req.account_id)
    return req


def _signer_of(session: Session, who, request_id) -> tuple[SignatureRequest, Signer]:
    """The request and `who`'s signer row, if `who` is a contact asked to sign it (re-checked against the
    database: a contact unlinked from the account stops seeing it at once)."""
    if not _is_contact(who):
        raise PermissionDenied("Only the client asked to sign can do that.")
    try:
        req = _request(session, request_id)
    except NotFound:
        raise NotFound(GONE) from None
    linked = session.exec(select(AccountContact.account_id).where(
        AccountContact.account_id == req.account_id, AccountContact.contact_id == who.contact_id)).first()
    signer = session.exec(select(Signer).where(Signer.request_id == req.id,
                                               Signer.contact_id == who.contact_id)).first()
    if (req.account_id not in tuple(who.account_ids) or linked is None or signer is None
            or req.status == SignatureRequestStatus.draft):
        # Another client's request is reported as missing: its existence is none of this contact's business.
        raise NotFound(GONE)
    return req, signer


def _viewer(session: Session, who, request_id) -> tuple[SignatureRequest, Signer | None]:
    """Staff who see the account, or a signer contact of the request."""
    if isinstance(who, Actor):
        return _staff_request(session, who, request_id), None
    return _signer_of(session, who, request_id)


# --- small helpers ------------------------------------------------------------------------------------


def _name(contact: Contact) -> str:
    return f"{contact.first_name} {contact.last_name}".strip() or contact.email


def _signers(session: Session, request_id: int) -> list[Signer]:
    return list(session.exec(select(Signer).where(Signer.request_id == request_id)
                             .order_by(Signer.position, Signer.id)))


def _fields(session: Session, request_id: int) -> list[SignatureField]:
    return list(session.exec(select(SignatureField).where(SignatureField.request_id == request_id)
                             .order_by(SignatureField.page, SignatureField.y, SignatureField.x, SignatureField.id)))


def _log(session: Session, req: SignatureRequest, kind: str, detail: str = "", *, signer: Signer | None = None,
         ip_address: str = "", user_agent: str = "") -> SigningEvent:
    row = SigningEvent(request_id=req.id, signer_id=signer.id if signer else None,
                       contact_id=signer.contact_id if signer else None, kind=kind, detail=detail[:1000],
                       ip_address=str(ip_address or "")[:100], user_agent=str(user_agent or "")[:500])
    session.add(row)
    return row


def _clean_text(value, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def sign_link(request_id: int) -> str:
    """The full address of the portal's signing page for a request (for emails)."""
    return f"{config.base_url()}{routes.portal_sign_url(request_id)}"


def _email_signer(session: Session, req: SignatureRequest, signer: Signer, template: str, key: str, **extra) -> bool:
    """Email one signer (system email `template`); False when the signer has no address."""

    if not signer.email:
        return False
    contact = session.get(Contact, signer.contact_id)
    context = {"first_name": (contact.first_name if contact else "") or signer.name,
               "firm_name": get_firm(session).name, "link": sign_link(req.id), "title": req.title,
               "message": req.message, **extra}
    subject, body = render_system_email(template, context)
    outbox.enqueue(session, to_address=signer.email, subject=subject, body=body, key=key, account_id=req.account_id,
                 job_id=req.job_id)
    session.info["practice_mail"] = True
    return True


def _ring_mailer(session: Session, actor: Actor, req: SignatureRequest, kind: str,
                 signer: Signer | None = None) -> None:
    # The event rings the worker, which sends the queued mail at once (the minute sweep is the fallback);
    # no rule starts on it.
    events.emit(session, actor, kind, job_id=req.job_id, account_id=req.account_id,
                payload={"request_id": req.id, "contact_id": signer.contact_id if signer else None})


def _portal_login(session: Session, contact_id: int) -> PortalLogin | None:
    return session.exec(select(PortalLogin).where(PortalLogin.contact_id == contact_id)).first()


def _check_signer_contact(session: Session, account_id: int, contact_id) -> Contact:
    try:
        contact_id = int(contact_id)
    except (TypeError, ValueError):
        raise InvalidInput("Choose the signers among the account's contacts.", field="signers") from None
    contact = session.get(Contact, contact_id)
    linked = session.exec(select(AccountContact.contact_id).where(
        AccountContact.account_id == account_id, AccountContact.contact_id == contact_id)).first()
    if contact is None or linked is None:
        raise InvalidInput("Each signer must be a contact of this account.", field="signers")
    if not (contact.email or "").strip():
        raise InvalidInput(f"{_name(contact)} has no email address; add one before asking for a signature.",
                           field="signers")
    login = _portal_login(session, contact.id)
    if login is None or login.status not in (PortalStatus.invited, PortalStatus.active):
        raise InvalidInput(f"{_name(contact)} has no portal access; invite them to the client portal first "
                           "(they sign there).", field="signers")
    return contact


# --- PDFs: page sizes and images --------------------------------------------------------------------


@lru_cache(maxsize=256)
def _page_sizes_of(stored_key: str) -> tuple[tuple[float, float], ...]:
    import pypdfium2 as pdfium  # noqa: PLC0415 - loaded only when a PDF is looked at

    pdf = pdfium.PdfDocument(str(storage.open_stored(stored_key)))
    try:
        return tuple(tuple(float(v) for v in pdf[i].get_size()) for i in range(len(pdf)))
    finally:
        pdf.close()


def _page_sizes(doc: Document) -> list[PageSize]:
    try:
        return [PageSize(w, h) for w, h in _page_sizes_of(doc.stored_key)]
    except Exception:  # a file missing from disk or unreadable: the page shows no pages, not an error page
        return []



def _cache_dir() -> Path:
    path = config.data_dir() / "cache" / "sign-pages"
    path.mkdir(parents=True, exist_ok=True)
    return path


def render_page_png(stored_key: str, page: int, width: int = PAGE_PNG_WIDTH) -> bytes:
    """One page of a stored PDF as a PNG about `width` pixels wide, cached on disk by content and page.

    The PDF may be a client's upload, so pdfium draws it in a child process with CPU, memory and time
    limits (`practice.sandbox` running `page_render_worker`), never in the app's process.
    """
    target = _cache_dir() / f"{storage.path_for(stored_key).name}-{int(page)}-{int(width)}.png"
    if target.is_file():
        return target.read_bytes()
    tmp = target.with_suffix(f".{secrets.token_hex(4)}.tmp.png")
    request = {"pdf": str(storage.open_stored(stored_key)), "page": int(page), "width": int(width), "out": str(tmp)}
    try:
        answer = run_limited(page_render_worker.render, request, cpu_s=pdf_check.CPU_SECONDS,
                             memory_bytes=pdf_check.MEMORY_BYTES, wall_s=pdf_check.WALL_SECONDS)
    except SandboxBusy:
        raise InvalidInput("The server is busy drawing other pages; reload in a moment.") from None
    except SandboxError:
        answer = {}
    if not isinstance(answer, dict) or not answer.get("ok") or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        reason = answer.get("reason") if isinstance(answer, dict) else None
        if reason == "that page does not exist":
            raise NotFound("That page does not exist.")
        raise InvalidInput("This page could not be drawn safely: " + str(reason or
                           "it needed more time or memory than allowed") + ".")
    tmp.replace(target)
    return target.read_bytes()


def page_png(session: Session, who, request_id: int, page: int) -> bytes:
    """One page (0-based) of the request's PDF as a PNG, for staff who see the account or a signer of it."""
    req, _ = _viewer(session, who, request_id)
    doc = session.get(Document, req.document_id)
    if doc is None or not doc.stored_key:
        raise NotFound("The document of this request is missing.")
    try:
        page = int(page)
    except (TypeError, ValueError):
        raise NotFound("That page does not exist.") from None
    sizes = _page_sizes(doc)
    if not 0 <= page < len(sizes):
        raise NotFound("That page does not exist.")
    return render_page_png(doc.stored_key, page)


def _sha256_of(doc: Document) -> str:
    digest = hashlib.sha256()
    for chunk in storage.read_chunks(doc.stored_key):
        digest.update(chunk)
    return digest.hexdigest()


def _pdf_document(session: Session, actor: Actor, account_id: int, document_id) -> Document:
    try:
        document_id = int(document_id)
    except (TypeError, ValueError):
        raise NotFound("That document does not exist.") from None
    doc = session.get(Document, document_id)
    if doc is None or doc.deleted_at is not None or doc.account_id != account_id:
        raise NotFound("That document does not exist in this account (it may have been deleted).")
    if doc.status != DocumentStatus.ok or not doc.stored_key:
        raise InvalidInput(f'"{doc.name}" was refused at upload, so it cannot be signed.', field="document")
    if doc.content_type != "application/pdf" and not doc.name.lower().endswith(".pdf"):
        raise InvalidInput(f'"{doc.name}" is not a PDF; only PDF documents can be signed.', field="document")
    return doc


def _store_pdf(session: Session, actor: Actor, account_id: int, folder_id: int | None, name: str, pdf: bytes, *,
               job_id: int | None = None) -> Document:
    """Keep a PDF the app made itself (a rendered template, a sealed result) as a document of the account."""
    from practice.services.documents import documents  # noqa: PLC0415 - documents imports services that import us

    stored = storage.store(pdf, name, max_bytes=max(len(pdf), storage.max_upload_bytes()))
    try:
        pages = len(_page_sizes_of(stored.key))
    except Exception:
        pages = None
    received = documents.Received(filename=storage.clean_filename(name), key=stored.key, size=stored.size,
                                  content_type="application/pdf", pages=pages)
    return documents.record_upload(session, actor, account_id, folder_id, received, job_id=job_id)


# --- views builders -------------------------------------------------------------------------------


def _views(session: Session, reqs: list[SignatureRequest], contact_id: int | None = None) -> list[RequestView]:
    if not reqs:
        return []
    ids = [r.id for r in reqs]
    signers: dict[int, list[Signer]] = {}
    for s in session.exec(select(Signer).where(Signer.request_id.in_(ids)).order_by(Signer.position, Signer.id)):
        signers.setdefault(s.request_id, []).append(s)
    docs = dict(session.exec(select(Document.id, Document.name).where(
        Document.id.in_([r.document_id for r in reqs]))).all())
    job_ids = [r.job_id for r in reqs if r.job_id] or [-1]
    jobs = dict(session.exec(select(Job.id, Job.name).where(Job.id.in_(job_ids))).all())
    accounts = dict(session.exec(select(Account.id, Account.name).where(
        Account.id.in_({r.account_id for r in reqs}))).all())
    out = []
    for r in reqs:
        mine = signers.get(r.id, [])
        status = SignatureRequestStatus(r.status)
        pending = [s for s in mine if s.status == SignerStatus.pending] if status == SignatureRequestStatus.sent else []
        out.append(RequestView(
            id=r.id, account_id=r.account_id, account_name=accounts.get(r.account_id, ""), title=r.title,
            status=status.value, document_id=r.document_id, document_name=docs.get(r.document_id, ""),
            signed_document_id=r.signed_document_id, job_id=r.job_id, job_name=jobs.get(r.job_id, ""),
            in_order=r.in_order, require_email_code=bool(mine) and all(s.require_email_code for s in mine),
            signed_count=sum(1 for s in mine if s.status == SignerStatus.signed), signer_count=len(mine),
            signer_names=[s.name for s in mine], waiting_for=[s.name for s in pending],
            my_turn=contact_id is not None and any(s.contact_id == contact_id for s in pending),
            requested_by=r.requested_by_label, created_at=r.created_at, sent_at=r.sent_at,
            completed_at=r.completed_at, email_code_names=[s.name for s in mine if s.require_email_code]))
    return out


def _signer_view(s: Signer) -> SignerView:
    return SignerView(s.id, s.contact_id, s.name, s.email, s.position, SignerStatus(s.status).value, s.viewed_at,
                      s.consented_at, s.signed_at, s.declined_at, s.decline_reason, s.identity_check,
                      s.identity_result, s.ip_address, s.user_agent, s.require_email_code)


def _field_view(f: SignatureField) -> FieldView:
    return FieldView(f.id, f.signer_id, f.kind, f.page, f.x, f.y, f.width, f.height, f.label, f.required, f.value)


# --- staff: making a request ------------------------------------------------------------------------


def create_request(session: Session, actor: Actor, account_id: int, *, title: str, signer_contact_ids: list[int],
                   document_id: int | None = None, template_name: str | None = None, in_order: bool = True,
                   require_email_code: bool = False, email_code_contact_ids: list[int] | None = None,
                   message: str = "", job_id: int | None = None, key: str | None = None) -> SignatureRequest:
    """A draft request for these contacts to sign a PDF of the account, or one made from a document template
    (stored as a new document; the fields it carries are placed). Who must also enter a code sent by email:
    `email_code_contact_ids` when given (exactly those signers), otherwise every signer when
    `require_email_code`. With a `key` (rules), a second call returns the first request."""
    _staff(actor)
    if key:
        existing = session.exec(select(SignatureRequest).where(SignatureRequest.key == key)).first()
        if existing is not None:
            return existing
    account = get_account(session, actor, account_id)
    title = _clean_text(title, MAX_TITLE + 1)
    if not title and template_name:
        title = _clean_text(template_name, MAX_TITLE)
    if not title:
        raise InvalidInput("Give the request a title, like \"Engagement letter 2026\".", field="title")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"Keep the title to {MAX_TITLE} characters.", field="title")
    message = str(message or "").strip()
    if len(message) > MAX_MESSAGE:
        raise InvalidInput(f"Keep the message to {MAX_MESSAGE:,} characters.", field="message")
    ids = list(dict.fromkeys(signer_contact_ids or []))
    if not ids:
        raise InvalidInput("Choose who signs: at least one contact of the account.", field="signers")
    if len(ids) > MAX_SIGNERS:
        raise InvalidInput(f"A request can have at most {MAX_SIGNERS} signers.", field="signers")
    contacts = [_check_signer_contact(session, account.id, c) for c in ids]
    if len({c.id for c in contacts}) != len(contacts):
        raise InvalidInput("Each contact signs once; remove the repeated signer.", field="signers")
    with_code = _code_signers(contacts, require_email_code, email_code_contact_ids)
    if job_id is not None:
        job = session.get(Job, job_id)
        if job is None or job.account_id != account.id:
            raise NotFound("That job does not exist for this account.")
    if (document_id is None) == (not template_name):
        raise InvalidInput("Choose either a PDF of the account or a document template to sign.", field="document")
    template_fields = []
    if document_id is not None:
        doc = _pdf_document(session, actor, account.id, document_id)
    else:
        from practice.services.documents import doc_templates  # noqa: PLC0415

        template = doc_templates.template_by_name(session, template_name)
        if template is None:
            raise NotFound(f'There is no document template "{template_name}".')
        rendered = doc_templates.render_with_fields(session, template, account.id, job_id, signers=len(contacts))
        doc = _store_pdf(session, actor, account.id, None, f"{title}.pdf", rendered.pdf, job_id=job_id)
        template_name = template.name
        template_fields = rendered.fields
    req = SignatureRequest(account_id=account.id, job_id=job_id, title=title, message=message, document_id=doc.id,
                           template_name=template_name or "", in_order=bool(in_order),
                           require_email_code=len(with_code) == len(contacts), status=SignatureRequestStatus.draft,
                           requested_by_member_id=actor.member_id, requested_by_label=actor.name, key=key or None)
    session.add(req)
    session.flush()
    signers = []
    for position, contact in enumerate(contacts):
        signer = Signer(request_id=req.id, contact_id=contact.id, position=position, name=_name(contact),
                        email=contact.email.strip().lower(), require_email_code=contact.id in with_code)
        session.add(signer)
        signers.append(signer)
    session.flush()
    for f in template_fields:
        if f.signer <= len(signers):
            session.add(SignatureField(request_id=req.id, signer_id=signers[f.signer - 1].id, kind=f.kind,
                                       page=f.page, x=f.x, y=f.y, width=f.width, height=f.height,
                                       label=f.label[:100], required=True))
    _log(session, req, "created", f'{actor.name} prepared "{title}" for ' + ", ".join(s.name for s in signers)
         + _code_note(signers))
    audit.record(session, actor, "signature_request_create", "account", account.id,
                 f'Prepared signature request "{title}" (' + ", ".join(s.name for s in signers) + ")"
                 + _code_note(signers),
                 request_id=req.id)
    return req


def _code_signers(contacts: list[Contact], everyone: bool, contact_ids: list[int] | None) -> set[int]:
    """The contact ids of the signers asked for an emailed code: those listed, or everyone when asked."""
    if contact_ids is None:
        return {c.id for c in contacts} if everyone else set()
    chosen = set()
    for raw in contact_ids:
        try:
            chosen.add(int(raw))
        except (TypeError, ValueError):
            raise InvalidInput("Choose who enters an emailed code among the signers.", field="email_code") from None
    strangers = chosen - {c.id for c in contacts}
    if strangers:
        raise InvalidInput("Only the signers of this request can be asked for a code sent by email; ask it "
                           "of chosen signers only.", field="email_code")
    return chosen


def _code_note(signers: list[Signer]) -> str:
    """How the timeline says who enters an emailed code (nothing when nobody does)."""
    names = [s.name for s in signers if s.require_email_code]
    if not names:
        return ""
    if len(names) == len(signers):
        return "; each signer also enters a code sent by email"
    return f"; {', '.join(names)} also enter{'s' if len(names) == 1 else ''} a code sent by email"


def set_fields(session: Session, actor: Actor, request_id: int, fields: list[dict]) -> list[SignatureField]:
    """Replace the request's fields (a draft only). Each dict: signer_id, kind, page, x, y, width, height,
    label="", required=True; positions are fractions of the page from its top-left corner."""
    req = _staff_request(session, actor, request_id)
    if req.status != SignatureRequestStatus.draft:
        raise Conflict("The request was already sent; its fields can no longer change.")
    fields = list(fields or [])
    if len(fields) > MAX_FIELDS:
        raise InvalidInput(f"A request can have at most {MAX_FIELDS} fields.", field="fields")
    signer_ids = {s.id for s in _signers(session, req.id)}
    doc = session.get(Document, req.document_id)
    page_count = len(_page_sizes(doc)) if doc else 0
    clean = []
    for n, raw in enumerate(fields, start=1):
        if not isinstance(raw, dict):
            raise InvalidInput(f"Field {n} is not a field.", field="fields")
        try:
            signer_id = int(raw.get("signer_id"))
            page = int(raw.get("page"))
            x, y = float(raw.get("x")), float(raw.get("y"))
            width, height = float(raw.get("width")), float(raw.get("height"))
        except (TypeError, ValueError):
            raise InvalidInput(f"Field {n} needs a signer, a page and a position.", field="fields") from None
        kind = str(raw.get("kind") or "")
        if kind not in FIELD_KINDS:
            raise InvalidInput(f"Field {n}: choose signature, initials, date or text.", field="fields")
        if signer_id not in signer_ids:
            raise InvalidInput(f"Field {n} belongs to someone who does not sign this request.", field="fields")
        if not 0 <= page < page_count:
            raise InvalidInput(f"Field {n} is on page {page + 1}, but the document has {page_count} "
                               f"page{'s' if page_count != 1 else ''}.", field="fields")
        values = (x, y, width, height)
        if any(v != v or v in (float("inf"), float("-inf")) for v in values):
            raise InvalidInput(f"Field {n} has no valid position.", field="fields")
        eps = 1e-6
        if x < 0 or y < 0 or width <= 0 or height <= 0 or x + width > 1 + eps or y + height > 1 + eps:
            raise InvalidInput(f"Field {n} reaches outside the page; move it onto the page.", field="fields")
        if width < 0.005 or height < 0.005:
            raise InvalidInput(f"Field {n} is too small to fill in; make it larger.", field="fields")
        label = _clean_text(raw.get("label"), 100)
        required = raw.get("required", True)
        required = required if isinstance(required, bool) else str(required).lower() not in ("false", "0", "no", "")
        clean.append(SignatureField(request_id=req.id, signer_id=signer_id, kind=kind, page=page,
                                    x=round(x, 6), y=round(y, 6), width=round(min(width, 1 - x), 6),
                                    height=round(min(height, 1 - y), 6), label=label, required=required))
    for old in _fields(session, req.id):
        session.delete(old)
    session.flush()
    for f in clean:
        session.add(f)
    session.flush()
    audit.record(session, actor, "signature_fields", "account", req.account_id,
                 f'Placed {len(clean)} field{"s" if len(clean) != 1 else ""} on "{req.title}"', request_id=req.id)
    return clean


def send(session: Session, actor: Actor, request_id: int, *, remind_every: dt.timedelta | None = None,
         remind_times: int = 0) -> SignatureRequest:
    """Send a draft: the signers whose turn it is get an email with the portal link (optionally reminders)."""
    req = _staff_request(session, actor, request_id)
    if req.status != SignatureRequestStatus.draft:
        raise Conflict("This request was already sent.")
    signers = _signers(session, req.id)
    if not signers:
        raise InvalidInput("The request has no signer.")
    fields = _fields(session, req.id)
    for signer in signers:
        contact = _check_signer_contact(session, req.account_id, signer.contact_id)
        signer.name, signer.email = _name(contact), contact.email.strip().lower()
        if not any(f.signer_id == signer.id and f.kind == "signature" for f in fields):
            raise InvalidInput(f"Place a signature field for {signer.name} before sending.", field="fields")
    doc = session.get(Document, req.document_id)
    if doc is None or doc.deleted_at is not None:
        raise Conflict("The document to sign was deleted; make a new request.")
    req.original_sha256 = _sha256_of(doc)
    req.status, req.sent_at = SignatureRequestStatus.sent, utcnow()
    for i, signer in enumerate(signers):
        signer.status = SignerStatus.waiting if req.in_order and i > 0 else SignerStatus.pending
    session.flush()
    told = []
    for signer in signers:
        if signer.status == SignerStatus.pending and _email_signer(
                session, req, signer, "signature_request", key=f"signature-request|{req.id}|{signer.id}"):
            told.append(signer.email)
    _log(session, req, "sent", f"{actor.name} sent it for signature" + (" in order" if req.in_order and len(signers) > 1
                                                                         else "")
         + (f"; emailed {', '.join(told)}" if told else ""))
    if remind_every is not None and remind_times > 0:
        reminders.schedule(session, kind=REMINDER_KIND, item_id=req.id, every=remind_every, times=int(remind_times),
                           key=f"{req.key or 'signature'}|{req.id}|reminders", job_id=req.job_id)
    audit.record(session, actor, "signature_request_send", "account", req.account_id,
                 f'Sent "{req.title}" for signature to ' + ", ".join(s.name for s in signers), request_id=req.id)
    audit.record(session, actor, "signature_request_send", "document", req.document_id,
                 f'Sent "{req.title}" for signature', account_id=req.account_id)
    _ring_mailer(session, actor, req, "signature_request_sent")
    return req


def cancel(session: Session, actor: Actor, request_id: int) -> None:
    """Withdraw a request not yet completed (staff); signers can no longer open it, reminders stop."""
    req = _staff_request(session, actor, request_id)
    if req.status not in OPEN:
        raise Conflict(f"This request is already {SignatureRequestStatus(req.status).value}; it cannot be cancelled.")
    req.status = SignatureRequestStatus.cancelled
    _log(session, req, "cancelled", f"{actor.name} cancelled the request")
    audit.record(session, actor, "signature_request_cancel", "account", req.account_id,
                 f'Cancelled signature request "{req.title}"', request_id=req.id)


def list_for_account(session: Session, actor: Actor, account_id: int, *, limit: int = 200) -> list[RequestView]:
    """The account's signature requests, open ones first (staff who may see the account)."""
    _staff(actor)
    get_account(session, actor, account_id)
    reqs = list(session.exec(select(SignatureRequest).where(SignatureRequest.account_id == account_id)
                             .order_by(SignatureRequest.status.not_in(OPEN), SignatureRequest.id.desc())
                             .limit(limit)))
    return _views(session, reqs)


def list_for_job(session: Session, actor: Actor, job_id: int, *, limit: int = 200) -> list[RequestView]:
    """A job's signature requests (staff who may see the job's account)."""
    _staff(actor)
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound("That job does not exist.")
    get_account(session, actor, job.account_id)
    reqs = list(session.exec(select(SignatureRequest).where(SignatureRequest.job_id == job_id)
                             .order_by(SignatureRequest.status.not_in(OPEN), SignatureRequest.id.desc())
                             .limit(limit)))
    return _views(session, reqs)


def _events(session: Session, req: SignatureRequest, signers: list[Signer]) -> list[EventView]:
    names = {s.id: s.name for s in signers}
    return [EventView(e.at, e.kind, e.detail, names.get(e.signer_id, ""), e.ip_address, e.user_agent)
            for e in session.exec(select(SigningEvent).where(SigningEvent.request_id == req.id)
                                  .order_by(SigningEvent.at, SigningEvent.id))]


def request_detail(session: Session, who, request_id: int) -> RequestDetail:
    """Everything about one request: signers, fields, timeline, pages (staff, or a signer contact; a contact
    sees the other signers' names and statuses but not their IP addresses)."""
    req, me = _viewer(session, who, request_id)
    signers = _signers(session, req.id)
    doc = session.get(Document, req.document_id)
    sizes = _page_sizes(doc) if doc else []
    view = _views(session, [req], me.contact_id if me else None)[0]
    signer_views = [_signer_view(s) for s in signers]
    fields = [_field_view(f) for f in _fields(session, req.id)]
    timeline = _events(session, req, signers)
    if me is not None:
        for sv in signer_views:
            if sv.id != me.id:
                sv.ip_address = sv.user_agent = sv.email = ""
        timeline = [e for e in timeline if e.signer_name in ("", me.name)]
        for e in timeline:
            e.ip_address = e.user_agent = ""
    return RequestDetail(request=view, message=req.message, signers=signer_views, fields=fields, events=timeline,
                         page_count=len(sizes), pages=sizes, original_sha256=req.original_sha256,
                         stamped_sha256=req.stamped_sha256, final_sha256=req.final_sha256,
                         editable=me is None and req.status == SignatureRequestStatus.draft)


# --- the client: signing --------------------------------------------------------------------------


def list_for_contact(session: Session, who, account_id: int | None = None) -> list[RequestView]:
    """The requests this contact is asked to sign (sent or finished), those awaiting it first; in one account
    when given (it must be the contact's)."""
    if not _is_contact(who):
        raise PermissionDenied("Only a client's portal shows what the client signs.")
    linked = set(session.exec(select(AccountContact.account_id).where(AccountContact.contact_id == who.contact_id)))
    allowed = linked & set(who.account_ids)
    if account_id is not None:
        if account_id not in allowed:
            raise NotFound("That account is not in your portal.")
        allowed = {account_id}
    if not allowed:
        return []
    reqs = list(session.exec(select(SignatureRequest).join(Signer, Signer.request_id == SignatureRequest.id)
                             .where(Signer.contact_id == who.contact_id, SignatureRequest.account_id.in_(allowed),
                                    SignatureRequest.status != SignatureRequestStatus.draft)
                             .order_by(SignatureRequest.id.desc()).limit(200)))
    views = _views(session, reqs, who.contact_id)
    return sorted(views, key=lambda v: (not v.my_turn, v.status != "sent", -v.id))


def _disclosure(session: Session) -> str:
    return consent.disclosure_text(session, get_firm(session).name)


def _code_ok(signer: Signer) -> bool:
    return bool(signer.code_verified_at and signer.code_sent_at and signer.code_verified_at >= signer.code_sent_at)


def open_for_signing(session: Session, who, request_id: int, *, ip_address: str = "",
                     user_agent: str = "") -> SigningView:
    """The signing page's view for this signer; the first opening is recorded as viewed."""
    req, me = _signer_of(session, who, request_id)
    if me.viewed_at is None:
        me.viewed_at = utcnow()
        _log(session, req, "viewed", f"{me.name} opened the document", signer=me, ip_address=ip_address,
             user_agent=user_agent)
    text = _disclosure(session)
    agreed = consent.current_consent(session, me.contact_id, text)
    if agreed is not None and me.consented_at is None and me.status in (SignerStatus.pending, SignerStatus.waiting):
        me.consented_at = agreed.consented_at
    signers = _signers(session, req.id)
    status = SignatureRequestStatus(req.status)
    pending = ([s.name for s in signers if s.status == SignerStatus.pending]
               if status == SignatureRequestStatus.sent else [])
    doc = session.get(Document, req.document_id)
    sizes = _page_sizes(doc) if doc else []
    account = session.get(Account, req.account_id)
    session.flush()
    signer_views = [_signer_view(s) for s in signers]
    for sv in signer_views:
        if sv.id != me.id:
            sv.ip_address = sv.user_agent = sv.email = ""
    return SigningView(
        request_id=req.id, title=req.title, message=req.message, firm_name=get_firm(session).name,
        account_name=account.name if account else "", status=status.value, signer_id=me.id,
        my_status=SignerStatus(me.status).value,
        my_turn=status == SignatureRequestStatus.sent and me.status == SignerStatus.pending, whose_turn=pending,
        needs_consent=agreed is None, disclosure=text,
        needs_code=me.require_email_code and not _code_ok(me) and me.status == SignerStatus.pending,
        code_sent_to=me.email if me.require_email_code else "", code_sent_at=me.code_sent_at,
        my_fields=[_field_view(f) for f in _fields(session, req.id) if f.signer_id == me.id],
        signers=signer_views, page_count=len(sizes), pages=sizes, signed_document_id=req.signed_document_id)


def _require_turn(req: SignatureRequest, me: Signer, signers: list[Signer] | None = None) -> None:
    status = SignatureRequestStatus(req.status)
    if status != SignatureRequestStatus.sent:
        raise Conflict({SignatureRequestStatus.completed: "Everyone has already signed this document.",
                        SignatureRequestStatus.declined: "This request was declined, so it can no longer be signed.",
                        SignatureRequestStatus.cancelled: "The firm cancelled this request; there is nothing to sign."}
                       .get(status, "This request cannot be signed now."))
    if me.status == SignerStatus.signed:
        raise Conflict("You have already signed this document.")
    if me.status == SignerStatus.declined:
        raise Conflict("You declined to sign this document.")
    if me.status == SignerStatus.waiting:
        ahead = [s.name for s in (signers or []) if s.status == SignerStatus.pending]
        raise Conflict("It is not your turn yet: " + (" and ".join(ahead) if ahead else "an earlier signer")
                       + " signs first. You will get an email when it is your turn.")


def give_consent(session: Session, who, request_id: int, *, ip_address: str = "", user_agent: str = "") -> None:
    """Record the signer's consent to sign and receive records electronically (the firm's current text)."""
    req, me = _signer_of(session, who, request_id)
    if req.status != SignatureRequestStatus.sent:
        _require_turn(req, me)
    text = _disclosure(session)
    existing = consent.current_consent(session, me.contact_id, text)
    row = consent.give_consent(session, me.contact_id, text, ip_address=str(ip_address or ""),
                               user_agent=str(user_agent or ""))
    me.consented_at = row.consented_at
    if existing is None:
        _log(session, req, "consented", f"{me.name} agreed to sign and receive records electronically "
                                        f"(disclosure {row.disclosure_sha256[:12]})", signer=me,
             ip_address=ip_address, user_agent=user_agent)
        audit.record(session, _contact_audit_actor(me.name), "signing_consent", "contact", me.contact_id,
                     f"{me.name} consented to sign electronically", request_id=req.id)


def _hash_code(signer_id: int, salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}|{signer_id}|{code}".encode()).hexdigest()


def send_code(session: Session, who, request_id: int, *, ip_address: str = "", user_agent: str = "") -> None:
    """Email the signer a new 6-digit code (at most one a minute); it works for 10 minutes."""
    req, me = _signer_of(session, who, request_id)
    _require_turn(req, me, _signers(session, req.id))
    if not me.require_email_code:
        raise Conflict("You need no email code to sign this document.")
    now = utcnow()
    if me.code_sent_at is not None and now - me.code_sent_at < CODE_RESEND:
        wait = int((CODE_RESEND - (now - me.code_sent_at)).total_seconds()) + 1
        raise Conflict(f"A code was just sent to {me.email}. Check your inbox (and spam folder), or ask for a "
                       f"new one in {wait} seconds.")
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(8)
    me.code_hash = f"{salt}${_hash_code(me.id, salt, code)}"
    me.code_sent_at, me.code_expires_at, me.code_attempts, me.code_verified_at = now, now + CODE_TTL, 0, None
    _email_signer(session, req, me, "signature_code", key=f"signature-code|{me.id}|{salt}", code=code,
                  minutes=int(CODE_TTL.total_seconds() // 60))
    _log(session, req, "code_sent", f"A one-time code was emailed to {me.email}", signer=me, ip_address=ip_address,
         user_agent=user_agent)
    _ring_mailer(session, _contact_audit_actor(me.name), req, "signature_code_sent", me)


def check_code(session: Session, who, request_id: int, code: str, *, ip_address: str = "",
               user_agent: str = "") -> None:
    """Check the emailed code; a wrong one counts (5 wrong tries: ask for a new code). A wrong try is kept
    even though the error rolls the caller's other changes back."""
    req, me = _signer_of(session, who, request_id)
    _require_turn(req, me, _signers(session, req.id))
    if not me.require_email_code:
        raise Conflict("You need no email code to sign this document.")
    if not me.code_hash:
        raise InvalidInput("Ask for a code first: it is emailed to you.", field="code")
    if me.code_attempts >= CODE_TRIES:
        raise InvalidInput("Too many wrong codes. Ask for a new code.", field="code")
    if me.code_expires_at is None or utcnow() > me.code_expires_at:
        raise InvalidInput("This code has expired (codes work for 10 minutes). Ask for a new one.", field="code")
    typed = "".join(ch for ch in str(code or "") if ch.isdigit())
    salt, _, digest = me.code_hash.partition("$")
    if len(typed) != 6 or not hmac.compare_digest(_hash_code(me.id, salt, typed), digest):
        me.code_attempts += 1
        left = CODE_TRIES - me.code_attempts
        _log(session, req, "code_failed", f"A wrong code was entered (try {me.code_attempts} of {CODE_TRIES})",
             signer=me, ip_address=ip_address, user_agent=user_agent)
        session.commit()  # keep the count although the caller rolls back on the error
        if left <= 0:
            raise InvalidInput("That code is not right, and that was the last try. Ask for a new code.", field="code")
        raise InvalidInput(f"That code is not right. Check the email and try again ({left} "
                           f"{'tries' if left != 1 else 'try'} left).", field="code")
    me.code_verified_at = utcnow()
    _log(session, req, "code_ok", f"The one-time code sent to {me.email} was entered correctly", signer=me,
         ip_address=ip_address, user_agent=user_agent)


def _clean_signature(kind: str, signature) -> dict:
    if kind == "typed":
        text = _clean_text((signature or {}).get("text") if isinstance(signature, dict) else "", MAX_TYPED + 1)
        if not text:
            raise InvalidInput("Type your name to sign.", field="signature")
        if len(text) > MAX_TYPED:
            raise InvalidInput(f"Keep the typed signature to {MAX_TYPED} characters.", field="signature")
        return {"text": text}
    if kind == "drawn":
        strokes = (signature or {}).get("strokes") if isinstance(signature, dict) else None
        if not isinstance(strokes, list) or not strokes:
            raise InvalidInput("Draw your signature in the box (or type it instead).", field="signature")
        if len(strokes) > MAX_STROKES:
            raise InvalidInput("The drawing has too many strokes; clear it and sign again.", field="signature")
        clean, points = [], 0
        for stroke in strokes:
            if not isinstance(stroke, list):
                raise InvalidInput("The drawing could not be read; clear it and sign again.", field="signature")
            line = []
            for point in stroke:
                try:
                    x, y = float(point[0]), float(point[1])
                except (TypeError, ValueError, IndexError, KeyError):
                    raise InvalidInput("The drawing could not be read; clear it and sign again.",
                                       field="signature") from None
                if x != x or y != y:
                    raise InvalidInput("The drawing could not be read; clear it and sign again.", field="signature")
                line.append([round(min(1.0, max(0.0, x)), 4), round(min(1.0, max(0.0, y)), 4)])
            points += len(line)
            if line:
                clean.append(line)
        if points > MAX_POINTS:
            raise InvalidInput("The drawing is too detailed; clear it and sign again.", field="signature")
        if not clean or points < 2:
            raise InvalidInput("Draw your signature in the box (or type it instead).", field="signature")
        return {"strokes": clean}
    raise InvalidInput("Draw or type your signature.", field="signature")


def _today_text(session: Session, now: dt.datetime) -> str:
    try:
        local = now.astimezone(ZoneInfo(get_firm(session).timezone))
    except Exception:
        local = now
    return f"{local:%B} {local.day}, {local.year}"


def sign(session: Session, who, request_id: int, *, signature_kind: str, signature: dict, initials: str = "",
         values: dict[int, str] | None = None, ip_address: str = "", user_agent: str = "") -> SignatureRequest:
    """Sign: checks the turn, the consent and (when asked for) the email code, fills this signer's fields and
    records how the signer was identified. The last signature seals the document."""
    req, me = _signer_of(session, who, request_id)
    signers = _signers(session, req.id)
    _require_turn(req, me, signers)
    text = _disclosure(session)
    agreed = consent.current_consent(session, me.contact_id, text)
    if agreed is None:
        raise InvalidInput("Agree to sign and receive records electronically first.", field="consent")
    if me.require_email_code and not _code_ok(me):
        raise InvalidInput("Enter the code we emailed you first.", field="code")
    kind = str(signature_kind or "")
    clean = _clean_signature(kind, signature)
    mine = [f for f in _fields(session, req.id) if f.signer_id == me.id]
    initials = _clean_text(initials, MAX_INITIALS + 1)
    if any(f.kind == "initials" for f in mine):
        if not initials:
            raise InvalidInput("Type your initials.", field="initials")
        if len(initials) > MAX_INITIALS:
            raise InvalidInput(f"Keep your initials to {MAX_INITIALS} characters.", field="initials")
    given: dict[int, str] = {}
    for k, v in (values or {}).items():
        try:
            given[int(k)] = str(v if v is not None else "")
        except (TypeError, ValueError):
            continue
    now = utcnow()
    today = _today_text(session, now)
    for f in mine:
        if f.kind == "text":
            value = " ".join(given.get(f.id, "").split())
            if len(value) > MAX_TEXT_VALUE:
                raise InvalidInput(f'Keep "{f.label or "the text"}" to {MAX_TEXT_VALUE} characters.', field="values")
            if f.required and not value:
                raise InvalidInput(f'Fill in "{f.label or "the text field"}" on page {f.page + 1}.', field="values")
            f.value = value
        elif f.kind == "date":
            f.value = today
        elif f.kind == "initials":
            f.value = initials
        else:
            f.value = clean.get("text", "")
    login = _portal_login(session, me.contact_id)
    me.status, me.signed_at = SignerStatus.signed, now
    me.ip_address, me.user_agent = str(ip_address or "")[:100], str(user_agent or "")[:500]
    me.login = login.email if login else ""
    me.consented_at = me.consented_at or agreed.consented_at
    me.signature_kind, me.signature, me.initials = kind, clean, initials
    me.code_hash = ""  # the code did its job; nothing to guess at any more
    if me.require_email_code:
        me.identity_check = f"portal password + one-time code sent to {me.email}"
        me.identity_result = (f"passed: logged in to the portal as {me.login}; code confirmed "
                              f"{me.code_verified_at.isoformat(timespec='seconds')}"
                              + (f" after {me.code_attempts} wrong tr{'ies' if me.code_attempts != 1 else 'y'}"
                                 if me.code_attempts else ""))
    else:
        me.identity_check = "portal password"
        me.identity_result = f"passed: logged in to the portal as {me.login}"
    _log(session, req, "signed", f"{me.name} signed ({'drawn' if kind == 'drawn' else 'typed'} signature)",
         signer=me, ip_address=ip_address, user_agent=user_agent)
    actor = _contact_audit_actor(me.name)
    account = session.get(Account, req.account_id)
    audit.record(session, actor, "signature_signed", "account", req.account_id, f'{me.name} signed "{req.title}"',
                 request_id=req.id)
    session.flush()
    events.emit(session, actor, "signature_signed", job_id=req.job_id, account_id=req.account_id,
                payload={"document_id": req.document_id, "contact_id": me.contact_id, "job_id": req.job_id,
                         "request_id": req.id})
    inbox.notify_client_activity(session, account_id=req.account_id, job_id=req.job_id,
                                 text=f'{me.name} ({account.name}) signed "{req.title}"')
    left = [s for s in signers if s.status != SignerStatus.signed]
    if not left:
        _complete(session, req, signers, me, account, now)
        return req
    if req.in_order and not any(s.status == SignerStatus.pending for s in left):
        nxt = left[0]
        nxt.status = SignerStatus.pending
        if _email_signer(session, req, nxt, "signature_request", key=f"signature-request|{req.id}|{nxt.id}"):
            _log(session, req, "turn", f"It is {nxt.name}'s turn; emailed {nxt.email}", signer=nxt)
            _ring_mailer(session, actor, req, "signature_request_sent", nxt)
    return req


def _seal(session: Session, req: SignatureRequest, signers: list[Signer], account: Account, original: bytes,
          now: dt.datetime):
    stamps = []
    by_signer = {s.id: s for s in signers}
    for f in _fields(session, req.id):
        s = by_signer.get(f.signer_id)
        if s is None:
            continue
        if f.kind == "signature":
            strokes = s.signature.get("strokes") if s.signature_kind == "drawn" else None
            text = "" if strokes else (s.signature.get("text") or s.name)
            stamps.append(StampField(page=f.page, x=f.x, y=f.y, width=f.width, height=f.height,
                                             kind="signature", text=text,
                                             strokes=stamp_strokes(strokes) if strokes else None))
        elif f.value:
            stamps.append(StampField(page=f.page, x=f.x, y=f.y, width=f.width, height=f.height,
                                             kind=f.kind, text=f.value))
    timeline = [(e.at, (f"{e.signer_name}: " if e.signer_name and e.signer_name not in e.detail else "")
                 + (e.detail or e.kind) + (f" (IP {e.ip_address})" if e.ip_address else ""))
                for e in _events(session, req, signers)]
    trail = AuditTrail(
        title=req.title, reference=f"Signature request #{req.id}", firm_name=get_firm(session).name,
        account_name=account.name, original_sha256=req.original_sha256,
        signers=[AuditSigner(name=s.name, email=s.email, login=s.login, ip_address=s.ip_address,
                                     user_agent=s.user_agent, viewed_at=s.viewed_at, consented_at=s.consented_at,
                                     signed_at=s.signed_at, identity_check=s.identity_check,
                                     identity_result=s.identity_result, status=SignerStatus(s.status).value,
                                     declined_at=s.declined_at, decline_reason=s.decline_reason)
                 for s in signers],
        events=timeline, completed_at=now)
    return seal.finish(session, original, stamps, trail)


def _signed_name(title: str) -> str:
    base = title[:-4] if title.lower().endswith(".pdf") else title
    return f"{base} – signed.pdf"


def _complete(session: Session, req: SignatureRequest, signers: list[Signer], last: Signer, account: Account,
              now: dt.datetime) -> None:
    """Everyone signed: stamp, add the audit page, seal; keep the result next to the original."""
    original_doc = session.get(Document, req.document_id)
    original = storage.open_stored(original_doc.stored_key).read_bytes()
    if req.original_sha256 and hashlib.sha256(original).hexdigest() != req.original_sha256:
        raise Conflict("The stored document changed since it was sent for signature, so it was not sealed. "
                       "Ask an admin to restore it from a backup.")
    finished = _seal(session, req, signers, account, original, now)
    system = Actor(None, "E-signature", Role.owner)
    signed = _store_pdf(session, system, req.account_id, original_doc.folder_id, _signed_name(req.title),
                        finished.pdf, job_id=req.job_id)
    # Shown to the client as shared by the firm (it lands in "to look at" in the portal).
    signed.uploaded_by_member_id = req.requested_by_member_id
    signed.uploaded_by_label = "Signed electronically"
    req.signed_document_id = signed.id
    req.stamped_sha256, req.final_sha256 = finished.stamped_sha256, finished.final_sha256
    req.status, req.completed_at = SignatureRequestStatus.completed, now
    _log(session, req, "sealed", f'Everyone signed; sealed as "{signed.name}" (SHA-256 {finished.final_sha256})')
    audit.record(session, system, "signature_completed", "account", req.account_id,
                 f'Everyone signed "{req.title}"; the sealed copy is "{signed.name}"', request_id=req.id,
                 document_id=signed.id)
    session.flush()
    events.emit(session, _contact_audit_actor(last.name), "signature_completed", job_id=req.job_id,
                account_id=req.account_id,
                payload={"document_id": signed.id, "contact_id": last.contact_id, "job_id": req.job_id,
                         "request_id": req.id, "original_document_id": req.document_id})
    inbox.notify_client_activity(session, account_id=req.account_id, job_id=req.job_id,
                                 text=f'Everyone signed "{req.title}" ({account.name}); the sealed copy '
                                      f'"{signed.name}" is in the documents')


def decline(session: Session, who, request_id: int, *, reason: str, ip_address: str = "",
            user_agent: str = "") -> None:
    """Decline to sign, with a reason: the request stops and the firm is told."""
    req, me = _signer_of(session, who, request_id)
    if req.status != SignatureRequestStatus.sent or me.status in (SignerStatus.signed, SignerStatus.declined):
        _require_turn(req, me)
    reason = _clean_text(reason, MAX_REASON)
    if not reason:
        raise InvalidInput("Say why you decline, so the firm knows what to change.", field="reason")
    now = utcnow()
    me.status, me.declined_at, me.decline_reason = SignerStatus.declined, now, reason
    me.ip_address, me.user_agent = str(ip_address or "")[:100], str(user_agent or "")[:500]
    req.status = SignatureRequestStatus.declined
    _log(session, req, "declined", f"{me.name} declined to sign: {reason}", signer=me, ip_address=ip_address,
         user_agent=user_agent)
    actor = _contact_audit_actor(me.name)
    account = session.get(Account, req.account_id)
    audit.record(session, actor, "signature_declined", "account", req.account_id,
                 f'{me.name} declined to sign "{req.title}": {reason}', request_id=req.id)
    session.flush()
    events.emit(session, actor, "signature_declined", job_id=req.job_id, account_id=req.account_id,
                payload={"document_id": req.document_id, "contact_id": me.contact_id, "job_id": req.job_id,
                         "request_id": req.id, "reason": reason})
    inbox.notify_client_activity(session, account_id=req.account_id, job_id=req.job_id,
                                 text=f'{me.name} ({account.name}) declined to sign "{req.title}": {reason}')


# --- rules: `request signature on "TEMPLATE" from account` -------------------------------------------


def portal_signers(session: Session, account_id: int) -> list[int]:
    """The account's contacts who can sign: a portal login (invited or active) and an email, oldest first."""
    return list(session.exec(
        select(Contact.id).join(AccountContact, AccountContact.contact_id == Contact.id)
        .join(PortalLogin, PortalLogin.contact_id == Contact.id)
        .where(AccountContact.account_id == account_id, func.trim(Contact.email) != "",
               PortalLogin.status.in_([PortalStatus.invited, PortalStatus.active]))
        .order_by(Contact.id)))


def request_from_template(session: Session, actor: Actor, account_id: int, template_name: str, *,
                          job_id: int | None = None, remind_every: dt.timedelta | None = None,
                          remind_times: int = 0, key: str | None = None) -> SignatureRequest:
    """Make a document from a template and send it at once to the account's portal contacts, in order."""
    if key:
        existing = session.exec(select(SignatureRequest).where(SignatureRequest.key == key)).first()
        if existing is not None:
            return existing
    account = get_account(session, _staff(actor), account_id)
    signers = portal_signers(session, account.id)
    if not signers:
        raise InvalidInput(f'No contact of "{account.name}" has portal access and an email address, so nobody '
                           "could be asked to sign. Invite a contact to the portal first.")
    req = create_request(session, actor, account.id, title=str(template_name), signer_contact_ids=signers,
                         template_name=template_name, in_order=True, job_id=job_id, key=key)
    return send(session, actor, req.id, remind_every=remind_every, remind_times=remind_times)


# --- reminders ------------------------------------------------------------------------------------


def _is_complete(session: Session, request_id: int) -> bool:
    req = session.get(SignatureRequest, request_id)
    return req is None or req.status != SignatureRequestStatus.sent


def _remind(session: Session, request_id: int, n: int) -> str:
    req = session.get(SignatureRequest, request_id)
    told = []
    for signer in _signers(session, req.id):
        if signer.status == SignerStatus.pending and _email_signer(
                session, req, signer, "signature_reminder", key=f"signature-reminder|{req.id}|{signer.id}|{n}"):
            told.append(signer.email)
    if not told:
        return "Nobody whose turn it is has an email address, so no reminder was sent."
    _log(session, req, "reminded", f"Reminder {n} emailed to {', '.join(told)}")
    return f'Reminded {", ".join(told)} to sign "{req.title}"'


# How the sweep reminds about signature requests (listed in services/automation/reminder_kinds.py).
REMINDER = reminders.Remindable(is_complete=_is_complete, remind=_remind)

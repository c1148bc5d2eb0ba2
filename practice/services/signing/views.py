"""What pages show of signature requests: plain views of a request, its signers, fields and timeline."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session, select

from practice.models import (Account, Document, Job, SignatureField, SignatureRequest, SignatureRequestStatus, Signer,
                             SignerStatus, SigningEvent)
from practice.i18n import N_
from practice.services.signing.pages import PageSize


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


def request_views(session: Session, reqs: list[SignatureRequest], contact_id: int | None = None) -> list[RequestView]:
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


def signer_view(s: Signer) -> SignerView:
    return SignerView(s.id, s.contact_id, s.name, s.email, s.position, SignerStatus(s.status).value, s.viewed_at,
                      s.consented_at, s.signed_at, s.declined_at, s.decline_reason, s.identity_check,
                      s.identity_result, s.ip_address, s.user_agent, s.require_email_code)


def field_view(f: SignatureField) -> FieldView:
    return FieldView(f.id, f.signer_id, f.kind, f.page, f.x, f.y, f.width, f.height, f.label, f.required, f.value)


def events_of(session: Session, req: SignatureRequest, signers: list[Signer]) -> list[EventView]:
    names = {s.id: s.name for s in signers}
    return [EventView(e.at, e.kind, e.detail, names.get(e.signer_id, ""), e.ip_address, e.user_agent)
            for e in session.exec(select(SigningEvent).where(SigningEvent.request_id == req.id)
                                  .order_by(SigningEvent.at, SigningEvent.id))]


@dataclass
class SignerCandidate:
    """A contact of the account as the new-request form offers it: may they sign, and if not, why not."""

    contact_id: int
    name: str
    email: str
    can_sign: bool
    # For one who can: a remark such as "(invited to the portal, not logged in yet)"; else why they cannot.
    note: str = ""


def signer_progress(signer_status: str, viewed: bool, request_status: str) -> str:
    """What a signer's part looks like to staff: not asked yet, waiting, may sign now, viewed, signed, declined (in
    English, marked for the catalog: the page says it with `_`)."""
    if request_status == "draft":
        return N_("not asked yet")
    if signer_status in ("signed", "declined"):
        return N_("signed") if signer_status == "signed" else N_("declined")
    if request_status != "sent":
        # Cancelled (or declined by another signer) before this one signed.
        return {"cancelled": N_("cancelled"), "declined": N_("declined"), "completed": N_("completed")}.get(
            request_status, request_status)
    if signer_status == "waiting":
        return N_("waiting for an earlier signer")
    return N_("viewed, not signed yet") if viewed else N_("may sign now")

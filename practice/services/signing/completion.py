"""Everyone signed: the fields are stamped, the audit page added and the whole sealed (`seal.finish`); the
sealed PDF becomes a new document next to the original, which stays unchanged."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlmodel import Session

from practice import i18n
from practice.i18n import N_, _
from practice.models import (Account, Contact, Document, Folder, Role, SignatureRequest, SignatureRequestStatus, Signer,
                             SignerStatus)
from practice.services import audit, events, inbox
from practice.services.actor import Actor
from practice.services.documents import sharing, storage
from practice.services.errors import Conflict
from practice.services.firm import default_language, get_firm, language_for
from practice.services.signing import certificates, consent, seal
from practice.services.signing.audit_page import AuditSigner, AuditTrail
from practice.services.signing.audit_words import timeline_sentence
from practice.services.signing.lookup import client_actor, fields_of, log_event
from practice.services.signing.pages import store_pdf
from practice.services.signing.stamp import StampField, stamp_strokes
from practice.services.signing.views import EventView, events_of


@dataclass
class PreparedSeal:
    """A sealed file made before the write transaction (`signer_flow.prepare_seal`), and a fingerprint of everything
    it was made from: `complete` keeps it only when what it would seal now is the same."""

    inputs: str
    finished: seal.Finished


@dataclass
class _Plan:
    stamps: list[StampField]
    trail: AuditTrail
    language: str


def _plan(session: Session, req: SignatureRequest, signers: list[Signer], account: Account, now: dt.datetime,
          extra_events: tuple[EventView, ...] = ()) -> _Plan:
    """What the seal stamps and the audit page says: each signer's fields and the request's timeline (with
    `extra_events`, events not written yet)."""
    stamps = []
    by_signer = {s.id: s for s in signers}
    for f in fields_of(session, req.id):
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
    language = audit_language(session, signers)
    with i18n.using_locale(language):  # the audit page is the signers'
        timeline = [(e.at, (f"{e.signer_name}: " if e.signer_name and e.signer_name not in e.detail else "")
                     + (timeline_sentence(e.kind, e.detail) if e.detail else e.kind)
                     + (f" (IP {e.ip_address})" if e.ip_address else ""))
                    for e in [*events_of(session, req, signers), *extra_events]]
        return _Plan(stamps, _trail(session, req, signers, account, timeline, now), language)


def _fingerprint(session: Session, original: bytes, plan: _Plan) -> str:
    """Everything a seal is made from: the original, the stamps, the audit trail, the firm's certificate and
    timestamp server."""
    cert = certificates.current(session)
    made_from = (hashlib.sha256(original).hexdigest(), plan, cert.id if cert else None,
                 consent.timestamp_server(session), get_firm(session).name)
    return hashlib.sha256(repr(made_from).encode()).hexdigest()


def _seal(session: Session, original: bytes, plan: _Plan) -> seal.Finished:
    with i18n.using_locale(plan.language):
        return seal.finish(session, original, plan.stamps, plan.trail)


def prepare(session: Session, req: SignatureRequest, signers: list[Signer], account: Account, now: dt.datetime,
            extra_events: tuple[EventView, ...]) -> PreparedSeal | None:
    """The sealed file as `complete` would make it at `now` (in a read session: the seconds of layout and sealing hold
    nobody's writes). None when it cannot be made without writing (the firm's first certificate)."""
    if certificates.current(session) is None:
        return None
    original = _original(session, req)
    plan = _plan(session, req, signers, account, now, extra_events)
    inputs = _fingerprint(session, original, plan)
    return PreparedSeal(inputs=inputs, finished=_seal(session, original, plan))


def _original(session: Session, req: SignatureRequest) -> bytes:
    original = storage.open_stored(session.get(Document, req.document_id).stored_key).read_bytes()
    if req.original_sha256 and hashlib.sha256(original).hexdigest() != req.original_sha256:
        raise Conflict(_("The stored document changed since it was sent for signature, so it was not sealed. Ask an "
                         "admin to restore it from a backup."))
    return original


def audit_language(session: Session, signers: list[Signer]) -> str:
    """The language of a sealed file's audit page: the signers' when they share one, else the firm's default."""
    contacts = [session.get(Contact, s.contact_id) if s.contact_id else None for s in signers]
    languages = {language_for(session, c.language if c else "") for c in contacts}
    return languages.pop() if len(languages) == 1 else default_language(session)


def _trail(session: Session, req: SignatureRequest, signers: list[Signer], account: Account,
           timeline: list, now: dt.datetime) -> AuditTrail:
    return AuditTrail(
        title=req.title, reference=_("Signature request #{id}").format(id=req.id), firm_name=get_firm(session).name,
        account_name=account.name, original_sha256=req.original_sha256,
        signers=[AuditSigner(name=s.name, email=s.email, login=s.login, ip_address=s.ip_address,
                                     user_agent=s.user_agent, viewed_at=s.viewed_at, consented_at=s.consented_at,
                                     signed_at=s.signed_at, identity_check=s.identity_check,
                                     identity_result=s.identity_result, status=SignerStatus(s.status).value,
                                     declined_at=s.declined_at, decline_reason=s.decline_reason)
                 for s in signers],
        events=timeline, completed_at=now)


def _signed_name(title: str) -> str:
    base = title[:-4] if title.lower().endswith(".pdf") else title
    return f"{base} – signed.pdf"


def complete(session: Session, req: SignatureRequest, signers: list[Signer], last: Signer, account: Account,
             now: dt.datetime, sealed: PreparedSeal | None = None) -> None:
    """Everyone signed: stamp, add the audit page, seal (or keep `sealed`, made before the transaction from the same
    things); keep the result next to the original."""
    original_doc = session.get(Document, req.document_id)
    original = _original(session, req)
    plan = _plan(session, req, signers, account, now)
    # A seal made before the transaction is kept only when it was made from exactly what is true now.
    if sealed is not None and sealed.inputs == _fingerprint(session, original, plan):
        finished = sealed.finished
    else:
        finished = _seal(session, original, plan)
    system = Actor(None, "E-signature", Role.owner)
    # The sealed copy is the client's: shared, beside the original unless that folder is internal.
    folder = session.get(Folder, original_doc.folder_id) if original_doc.folder_id else None
    folder_id = folder.id if folder is not None and sharing.folder_shown(session, folder) else None
    signed = store_pdf(session, system, req.account_id, folder_id, _signed_name(req.title), finished.pdf,
                       job_id=req.job_id, shared=True)
    # Shown to the client as shared by the firm (it lands in "to look at" in the portal).
    signed.uploaded_by_member_id = req.requested_by_member_id
    signed.uploaded_by_label = "Signed electronically"
    req.signed_document_id = signed.id
    req.stamped_sha256, req.final_sha256 = finished.stamped_sha256, finished.final_sha256
    req.status, req.completed_at = SignatureRequestStatus.completed, now
    log_event(session, req, "sealed", f'Everyone signed; sealed as "{signed.name}" (SHA-256 {finished.final_sha256})')
    audit.record(session, system, "signature_completed", "account", req.account_id,
                 f'Everyone signed "{req.title}"; the sealed copy is "{signed.name}"', request_id=req.id,
                 document_id=signed.id)
    session.flush()
    events.emit(session, client_actor(last.name), "signature_completed", job_id=req.job_id,
                account_id=req.account_id,
                payload={"document_id": signed.id, "contact_id": last.contact_id, "job_id": req.job_id,
                         "request_id": req.id, "original_document_id": req.document_id})
    inbox.notify_client_activity(session, account_id=req.account_id, job_id=req.job_id,
                                 text=inbox.said(N_('Everyone signed "{title}" ({account}); the sealed copy "{name}" is '
                                                    'in the documents'), title=req.title, account=account.name,
                                                 name=signed.name))

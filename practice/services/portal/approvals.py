"""Approvals: staff ask the client to approve documents; a contact approves, or rejects with a reason.

One `ApprovalRequest` per document. Asking emails the account's contacts (and can plan reminders,
which stop once the request is decided); a decision emits `document_approved` / `document_rejected`
for the automations and tells the staff who care in Inbox+.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from practice.i18n import N_, _
from rules import Words
from practice import config, routes
from practice.models import (Account, AccountContact, ApprovalRequest, ApprovalStatus, Contact, Document,
                             DocumentStatus, Folder, Job, utcnow)
from practice.services import audit, events, inbox, reminders
from practice.services.mail import outbox
from practice.services.mail.system import render_system_email
from practice.services.work.accounts import get_account
from practice.services.actor import Actor, ContactActor, client_actor
from practice.services.documents.folders import split_path
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from practice.services.work.facts import account_recipients
from practice.services.firm import get_firm, language_for

MAX_REASON = 2000
REMINDER_KIND = "approval"
# What the staff read in Inbox+ when a client decides: by (approved, with a reason).
APPROVAL_NOTICES = {(True, False): N_('{who} approved "{name}"'), (True, True): N_('{who} approved "{name}": {reason}'),
                    (False, False): N_('{who} rejected "{name}"'),
                    (False, True): N_('{who} rejected "{name}": {reason}')}


@dataclass
class ApprovalView:
    id: int
    account_id: int
    document_id: int
    document_name: str
    job_id: int | None
    job_name: str
    status: str
    reason: str
    requested_by: str
    requested_at: dt.datetime
    decided_by: str
    decided_at: dt.datetime | None


def _staff(actor) -> Actor:
    if not isinstance(actor, Actor):
        raise PermissionDenied(_("Only the firm's team can ask for approvals."))
    return actor


def _contact_scope(session: Session, who, account_id: int) -> None:
    """Raise unless `who` (a portal contact) belongs to this account, checked against the database too."""
    if not isinstance(who, ContactActor):
        raise PermissionDenied(_("Only the client decides on an approval."))
    linked = session.exec(select(AccountContact.account_id).where(
        AccountContact.account_id == account_id, AccountContact.contact_id == who.contact_id)).first()
    if account_id not in tuple(who.account_ids) or linked is None:
        # Another client's request is reported as missing: its existence is none of this contact's business.
        raise NotFound(_("That approval request is not in your portal (it may have been withdrawn)."))


def _portal_link() -> str:
    return f"{config.base_url()}{routes.PORTAL}"


def _email_contacts(session: Session, account_id: int, template: str, key: str, **extra) -> list[str]:
    """Email every contact of the account who has an address; returns the addresses."""
    firm = get_firm(session).name
    sent = []
    for contact in account_recipients(session, account_id):
        context = {"first_name": contact["first_name"] or contact["name"], "firm_name": firm,
                   "link": _portal_link(), **extra}
        language = language_for(session, session.get(Contact, contact["id"]).language)
        subject, body = render_system_email(template, context, language)
        outbox.enqueue(session, to_address=contact["email"], subject=subject, body=body,
                     key=f"{key}|{contact['email'].lower()}", account_id=account_id)
        sent.append(contact["email"])
    if sent:
        session.info["practice_mail"] = True
    return sent


# --- staff: asking --------------------------------------------------------------------------------


def _documents_to_approve(session: Session, actor: Actor, document_ids: list[int] | None,
                          folder_id: int | None) -> tuple[list[Document], int]:
    """The documents asked about (those given and every document of the folder), each checked, and
    the one account they all belong to."""
    ids = [int(i) for i in (document_ids or [])]
    if folder_id is not None:
        folder = session.get(Folder, folder_id)
        if folder is None:
            raise NotFound(_("That folder does not exist (it may have been deleted)."))
        get_account(session, actor, folder.account_id)
        ids += list(session.exec(select(Document.id).where(
            Document.folder_id == folder.id, Document.deleted_at.is_(None), Document.status == DocumentStatus.ok)
            .order_by(Document.id)))
    if not ids:
        raise InvalidInput(_("Choose at least one document for the client to approve."), field="document_ids")
    docs = []
    for doc_id in dict.fromkeys(ids):
        doc = session.get(Document, doc_id)
        if doc is None or doc.deleted_at is not None:
            raise NotFound(_("That document does not exist (it may have been deleted)."))
        get_account(session, actor, doc.account_id)
        if doc.status != DocumentStatus.ok:
            raise InvalidInput(_('"{name}" was refused at upload, so there is nothing to approve.').format(
                name=doc.name))
        docs.append(doc)
    accounts = {d.account_id for d in docs}
    if len(accounts) > 1:
        raise InvalidInput(_("Ask for approval of one account's documents at a time."))
    return docs, accounts.pop()


def _new_request(session: Session, actor: Actor, doc: Document, account_id: int,
                 job_id: int | None) -> ApprovalRequest:
    req = ApprovalRequest(account_id=account_id, job_id=job_id if job_id is not None else doc.job_id,
                          document_id=doc.id, requested_by_member_id=actor.member_id, requested_by_label=actor.name)
    session.add(req)
    session.flush()
    audit.record(session, actor, "approval_request", "document", doc.id,
                 f'Asked the client to approve "{doc.name}"', account_id=account_id)
    return req


def request_approval(session: Session, actor: Actor, *, document_ids: list[int] | None = None,
                     folder_id: int | None = None, job_id: int | None = None,
                     remind_every: dt.timedelta | None = None, remind_times: int = 0,
                     key: str | None = None) -> list[ApprovalRequest]:
    """Ask the client to approve these documents (or every document in `folder_id`), one request each.
    A document already waiting for a decision keeps its open request. The account's contacts are emailed."""
    _staff(actor)
    docs, account_id = _documents_to_approve(session, actor, document_ids, folder_id)
    if job_id is not None:
        job = session.get(Job, job_id)
        if job is None or job.account_id != account_id:
            raise NotFound(_("That job does not exist for this account."))
    out, new = [], []
    for doc in docs:
        existing = session.exec(select(ApprovalRequest).where(ApprovalRequest.document_id == doc.id,
                                                              ApprovalRequest.status == ApprovalStatus.pending)).first()
        if existing is not None:
            out.append(existing)
            continue
        req = _new_request(session, actor, doc, account_id, job_id)
        if remind_every is not None and remind_times > 0:
            reminders.schedule(session, kind=REMINDER_KIND, item_id=req.id, every=remind_every,
                               times=remind_times, key=f"{key or 'approval'}|{req.id}|reminders", job_id=req.job_id)
        out.append(req)
        new.append(doc.name)
    if new:
        _email_contacts(session, account_id, "approval_request",
                        key=f"{key or 'approval-request'}|{min(r.id for r in out)}|{len(new)}",
                        documents="\n".join(f"- {n}" for n in new), count=len(new))
    return out


def _folder_by_name(session: Session, account_id: int, name: str) -> Folder | None:
    """The account's folder called `name` (any depth; a path like "2026/Tax returns" also works)."""
    parts = split_path(name)
    if not parts:
        return None
    parent = None
    if len(parts) > 1:
        for part in parts:
            cond = Folder.parent_id.is_(None) if parent is None else Folder.parent_id == parent.id
            parent = session.exec(select(Folder).where(Folder.account_id == account_id, cond,
                                                       func.lower(Folder.name) == part.lower())).first()
            if parent is None:
                return None
        return parent
    return session.exec(select(Folder).where(Folder.account_id == account_id,
                                             func.lower(Folder.name) == parts[0].lower())
                        .order_by(Folder.parent_id.is_not(None), Folder.id)).first()


def request_folder_approval(session: Session, actor: Actor, account_id: int, folder_name: str, *,
                            job_id: int | None = None, remind_every: dt.timedelta | None = None,
                            remind_times: int = 0, key: str | None = None) -> list[ApprovalRequest]:
    """`request approval of folder "NAME" from account`: every document in that folder of the account."""
    _staff(actor)
    account = get_account(session, actor, account_id)
    folder = _folder_by_name(session, account.id, folder_name)
    if folder is None:
        raise InvalidInput(_('The account "{name}" has no folder "{folder_name}", so no approval was asked.').format(
            name=account.name, folder_name=folder_name))
    has_docs = session.exec(select(Document.id).where(Document.folder_id == folder.id, Document.deleted_at.is_(None),
                                                      Document.status == DocumentStatus.ok)).first()
    if has_docs is None:
        raise InvalidInput(_('The folder "{name}" of "{account}" has no documents to approve yet.').format(
            name=folder.name, account=account.name))
    return request_approval(session, actor, folder_id=folder.id, job_id=job_id, remind_every=remind_every,
                            remind_times=remind_times, key=key)


def withdraw(session: Session, actor: Actor, approval_id: int) -> None:
    """Take back a request still waiting for the client (staff)."""
    _staff(actor)
    req = session.get(ApprovalRequest, approval_id)
    if req is None:
        raise NotFound(_("That approval request no longer exists."))
    get_account(session, actor, req.account_id)
    if req.status != ApprovalStatus.pending:
        raise Conflict(_("The client already decided on this request."))
    doc = session.get(Document, req.document_id)
    audit.record(session, actor, "approval_withdraw", "document", req.document_id,
                 f'Withdrew the approval request for "{doc.name if doc else ""}"', account_id=req.account_id)
    session.delete(req)


# --- the client: deciding -------------------------------------------------------------------------


def decide(session: Session, who, approval_id: int, *, approve: bool, reason: str = "") -> ApprovalRequest:
    """Approve or reject (a rejection needs a reason) a pending request of one's own account (contacts)."""
    if not isinstance(who, ContactActor):
        raise PermissionDenied(_("Only the client decides on an approval."))
    try:
        approval_id = int(approval_id)
    except (TypeError, ValueError):
        raise NotFound(_("That approval request is not in your portal (it may have been withdrawn).")) from None
    req = session.get(ApprovalRequest, approval_id)
    if req is None:
        raise NotFound(_("That approval request is not in your portal (it may have been withdrawn)."))
    _contact_scope(session, who, req.account_id)
    if req.status != ApprovalStatus.pending:
        raise Conflict(_("This document was already approved.") if req.status == ApprovalStatus.approved
                       else _("This document was already rejected."))
    reason = " ".join(str(reason or "").split())[:MAX_REASON] if not approve else str(reason or "").strip()[:MAX_REASON]
    if not approve and not reason:
        raise InvalidInput(_("Say why you reject the document, so the firm knows what to change."), field="reason")
    doc = session.get(Document, req.document_id)
    if doc is None or doc.deleted_at is not None:
        raise NotFound(_("That document was removed by the firm, so there is nothing to approve."))
    req.status = ApprovalStatus.approved if approve else ApprovalStatus.rejected
    req.reason, req.decided_by_contact_id, req.decided_at = reason, who.contact_id, utcnow()
    session.flush()
    actor = client_actor(who.name)
    verb = "approved" if approve else "rejected"
    audit.record(session, actor, f"approval_{verb}", "document", req.document_id,
                 f'{who.name} {verb} "{doc.name}"' + (f": {reason}" if reason else ""), account_id=req.account_id)
    events.emit(session, actor, f"document_{verb}", job_id=req.job_id, account_id=req.account_id,
                payload={"document_id": req.document_id, "contact_id": who.contact_id, "job_id": req.job_id,
                         "approval_id": req.id})
    account = session.get(Account, req.account_id)
    inbox.notify_client_activity(session, account_id=req.account_id, job_id=req.job_id,
                                 text=inbox.said(APPROVAL_NOTICES[(approve, bool(reason))],
                                                 who=inbox.client_label(who.name, account.name), name=doc.name,
                                                 reason=reason))
    return req


# --- lists ----------------------------------------------------------------------------------------


def _views(session: Session, *conditions) -> list[ApprovalView]:
    rows = session.execute(select(ApprovalRequest, Document.name).join(Document, Document.id == ApprovalRequest.document_id)
                           .where(*conditions)
                           .order_by(ApprovalRequest.status != ApprovalStatus.pending, ApprovalRequest.id.desc())).all()
    job_ids = {r.job_id for r, _ in rows if r.job_id}
    jobs = dict(session.exec(select(Job.id, Job.name).where(Job.id.in_(job_ids or [-1]))).all())
    contact_ids = {r.decided_by_contact_id for r, _ in rows if r.decided_by_contact_id}
    names = {c.id: (f"{c.first_name} {c.last_name}".strip() or c.email)
             for c in session.exec(select(Contact).where(Contact.id.in_(contact_ids or [-1])))}
    return [ApprovalView(r.id, r.account_id, r.document_id, name, r.job_id, jobs.get(r.job_id, ""),
                         ApprovalStatus(r.status).value, r.reason, r.requested_by_label, r.created_at,
                         names.get(r.decided_by_contact_id, ""), r.decided_at) for r, name in rows]


def list_for_account(session: Session, actor: Actor, account_id: int, *, limit: int = 200) -> list[ApprovalView]:
    """The account's approval requests, waiting ones first (staff who may see the account)."""
    _staff(actor)
    get_account(session, actor, account_id)
    return _views(session, ApprovalRequest.account_id == account_id)[:limit]


def list_for_contact(session: Session, who, account_id: int | None = None, *,
                     pending_only: bool = True) -> list[ApprovalView]:
    """A contact's approval requests in its current (or given, if linked) account."""
    if not isinstance(who, ContactActor):
        raise PermissionDenied()
    account_id = getattr(who, "current_account_id", None) if account_id is None else account_id
    if account_id is None:
        return []
    _contact_scope(session, who, account_id)
    conditions = [ApprovalRequest.account_id == account_id, Document.deleted_at.is_(None)]
    if pending_only:
        conditions.append(ApprovalRequest.status == ApprovalStatus.pending)
    return _views(session, *conditions)


# --- reminders ------------------------------------------------------------------------------------


def _is_complete(session: Session, approval_id: int) -> bool:
    req = session.get(ApprovalRequest, approval_id)
    if req is None or req.status != ApprovalStatus.pending:
        return True
    doc = session.get(Document, req.document_id)
    return doc is None or doc.deleted_at is not None


def _remind(session: Session, approval_id: int, n: int) -> str:
    req = session.get(ApprovalRequest, approval_id)
    doc = session.get(Document, req.document_id)
    sent = _email_contacts(session, req.account_id, "approval_reminder", key=f"approval-reminder|{req.id}|{n}",
                           document=doc.name, n=n)
    if not sent:
        return Words(N_("No contact of the account has an email address, so no reminder was sent."))
    return Words(N_('Reminded {emails} to approve "{name}"'), emails=", ".join(sent), name=doc.name)


# How the sweep reminds about approval requests (listed in services/automation/reminder_kinds.py).
REMINDER = reminders.Remindable(is_complete=_is_complete, remind=_remind)


def interval_of(duration) -> dt.timedelta:
    """A rule's `every N unit` as a timedelta (business days, months and years approximated in days)."""
    fixed = getattr(duration, "timedelta", None)
    if fixed is not None:
        return fixed
    days = {"business day": 7 / 5, "month": 30, "year": 365}.get(str(getattr(duration, "unit", "")), 1)
    return dt.timedelta(days=days * int(getattr(duration, "amount", 1)))

"""A client request, the recipient's side (no login: the link's token is the key, see `links`): open it (a new
browser first proves the address with an emailed code), answer each item as it comes (a short answer, a yes/no,
files through the documents' checked upload), and send it to the firm once every item is answered: the request is
then complete, the team is told and `client request is completed` fires. Every call reaches only the items of the
link's own request."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO, Iterable

from sqlmodel import Session, select

from practice.db import read_session, write_session
from practice.i18n import N_, _
from practice.models import (Account, ClientRequest, ClientRequestItem, ClientRequestStatus, Contact, Document,
                             DocumentStatus, Role, utcnow)
from practice.services import audit, events, inbox
from practice.services.actor import Actor
from practice.services.client_requests import links
from practice.services.client_requests.sending import (_email, contact_name, is_answered, items_of, missing_items,
                                                       shown_answer)
from practice.services.documents.files import receive_file
from practice.services.errors import InvalidInput, NotFound
from practice.services.firm import get_firm

MAX_ANSWER = 2000
MAX_FILES = 20


def recipient_actor(session: Session, request: ClientRequest) -> Actor:
    """Who answers, as the audit log and the events name them: the contact (client), or the address."""
    contact = session.get(Contact, request.contact_id) if request.contact_id else None
    name = f"{contact_name(contact)} (client)" if contact else f"{request.recipient_email} (request link)"
    return Actor(None, name, Role.employee)


@dataclass
class ItemView:
    id: int
    kind: str
    label: str
    note: str
    answered: bool
    answer_text: str
    answer_yes: bool | None
    files: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class RequestView:
    """What the link shows: with no items until the browser proved the address (`needs_code`)."""
    title: str
    message: str
    firm_name: str
    recipient_email: str
    needs_code: bool
    answered: int = 0
    total: int = 0
    items: list[ItemView] = field(default_factory=list)
    code_sent: bool = False


def _view(session: Session, request: ClientRequest, needs_code: bool) -> RequestView:
    firm = get_firm(session).name
    if needs_code:
        return RequestView(request.title, "", firm, links.masked(request.recipient_email), True,
                           code_sent=request.code_hash != "")
    items = items_of(session, request.id)
    ids = [d for i in items for d in i.document_ids]
    names = {d.id: d.name for d in session.exec(select(Document).where(Document.id.in_(ids)))} if ids else {}
    views = [ItemView(i.id, i.kind, i.label, i.note, is_answered(i), i.answer_text, i.answer_yes,
                      [(d, names.get(d, "")) for d in i.document_ids if d in names]) for i in items]
    return RequestView(request.title, request.message, firm, request.recipient_email, False,
                       sum(v.answered for v in views), len(views), views)


def open_request(session: Session, token: str, *, device: str = "", ip: str | None = None) -> RequestView:
    """The request as its link shows it to this browser; the first opening is recorded."""
    request = links.find(session, token, ip=ip)
    known = links.device_known(session, request, device)
    if known and request.last_opened_at is None:
        audit.record(session, recipient_actor(session, request), "client_request_open", "account",
                     request.account_id, f'Opened request "{request.title}"', request_id=request.id)
    if known:
        request.last_opened_at = utcnow()
        session.add(request)
    return _view(session, request, not known)


def send_code(session: Session, token: str, *, device: str = "", ip: str | None = None) -> str:
    """Email the recipient a code for this browser; returns the masked address it went to."""
    request = links.find(session, token, ip=ip)
    code = links.new_code(request)
    session.add(request)
    _email(session, request, "client_request_code", key=f"client-request-code|{request.id}|{request.code_hash[:16]}",
           code=code, minutes=int(links.CODE_TTL.total_seconds() // 60))
    return links.masked(request.recipient_email)


def enter_code(session: Session, token: str, code, *, device: str = "", ip: str | None = None) -> RequestView:
    """Check the emailed code; when right this browser opens the request from now on."""
    request = links.find(session, token, ip=ip)
    links.check_code(session, request, code, device)
    audit.record(session, recipient_actor(session, request), "client_request_device", "account", request.account_id,
                 f'Proved the address {request.recipient_email} to open request "{request.title}" on a new device',
                 request_id=request.id, ip=str(ip or "")[:100])
    return open_request(session, token, device=device, ip=ip)


def _item(session: Session, request: ClientRequest, item_id, kind: str | None = None) -> ClientRequestItem:
    """One of this request's items (any other id, another request's included, is reported missing)."""
    item = session.get(ClientRequestItem, item_id) if isinstance(item_id, int) else None
    if item is None or item.request_id != request.id:
        raise NotFound(_("That item is not part of this request."))
    if kind is not None and item.kind != kind:
        raise InvalidInput(_("“{label}” is answered another way.").format(label=item.label), field=str(item.id))
    return item


def _saved(session: Session, request: ClientRequest, item: ClientRequestItem, what: str) -> ClientRequestItem:
    item.answered_at = utcnow() if is_answered(item) else None
    session.add(item)
    audit.record(session, recipient_actor(session, request), "client_request_answer", "account", request.account_id,
                 f'{what} for “{item.label}” in request "{request.title}"', request_id=request.id, item_id=item.id)
    return item


def answer_text(session: Session, token: str, item_id, text, *, device: str = "",
                ip: str | None = None) -> ClientRequestItem:
    """Save a short answer (blank clears it); a too long one is refused and the kept answer stays."""
    request = links.verified(session, token, device=device, ip=ip)
    item = _item(session, request, item_id, "text")
    text = str(text if text is not None else "").strip()
    if len(text) > MAX_ANSWER:
        raise InvalidInput(_("“{label}” is too long: keep it under {n} characters.")
                           .format(label=item.label, n=f"{MAX_ANSWER:,}"), field=str(item.id))
    item.answer_text = text
    return _saved(session, request, item, "Answered" if text else "Cleared the answer")


def answer_yes_no(session: Session, token: str, item_id, value, *, device: str = "",
                  ip: str | None = None) -> ClientRequestItem:
    """Save a yes/no answer (True, False, "yes", "no"; None or "" clears it)."""
    request = links.verified(session, token, device=device, ip=ip)
    item = _item(session, request, item_id, "yes_no")
    if isinstance(value, str):
        value = {"yes": True, "no": False, "": None}.get(value.strip().lower(), "bad")
    if value not in (True, False, None):
        raise InvalidInput(_("Answer “{label}” with yes or no.").format(label=item.label), field=str(item.id))
    item.answer_yes = value
    return _saved(session, request, item, "Answered" if value is not None else "Cleared the answer")


def check_upload(token: str, item_id, *, device: str = "", ip: str | None = None) -> None:
    """Refuse before any byte is taken when the file could not be kept (the link, the item, the number of files)."""
    with read_session() as session:
        request = links.verified(session, token, device=device, ip=ip)
        item = _item(session, request, item_id, "file")
        if len(item.document_ids) >= MAX_FILES:
            raise InvalidInput(_("“{label}” takes at most {n} files.").format(label=item.label, n=MAX_FILES),
                               field=str(item.id))


def upload_file(token: str, item_id, filename: str, source: bytes | BinaryIO | Iterable[bytes], *,
                device: str = "", ip: str | None = None, max_bytes: int | None = None) -> Document:
    """Take a file for a file item through the documents' checked upload (size, type, a PDF read in a limited
    process): it goes into the account's documents, tied to the request's job, and onto the item. A refused file is
    recorded as refused and the sentence says why."""
    check_upload(token, item_id, device=device, ip=ip)
    received = receive_file(filename, source, max_bytes=max_bytes)
    with write_session() as session:
        request = links.verified(session, token, device=device, ip=ip)
        item = _item(session, request, item_id, "file")
        actor = recipient_actor(session, request)
        doc = Document(account_id=request.account_id, folder_id=None, job_id=request.job_id, name=received.filename,
                       shared=request.contact_id is not None, stored_key=received.key, size=received.size,
                       content_type=received.content_type, pages=received.pages,
                       status=DocumentStatus.refused if received.refusal else DocumentStatus.ok,
                       refusal=received.refusal, uploaded_by_label=actor.name)
        session.add(doc)
        session.flush()
        if received.refusal:
            audit.record(session, actor, "upload_refused", "document", doc.id, f'Refused upload "{doc.name}"',
                         account_id=request.account_id, reason=received.refusal[:300], request_id=request.id)
        else:
            audit.record(session, actor, "upload", "document", doc.id,
                         f'Uploaded "{doc.name}" for “{item.label}” in request "{request.title}"',
                         account_id=request.account_id, size=doc.size, request_id=request.id)
            item.document_ids = [*item.document_ids, doc.id]
            _saved(session, request, item, f'Uploaded "{doc.name}"')
    if received.refusal:
        raise InvalidInput(_("“{name}” was not kept: {why}").format(name=received.filename, why=received.refusal),
                           field=str(item_id))
    return doc


def remove_file(session: Session, token: str, item_id, document_id, *, device: str = "",
                ip: str | None = None) -> ClientRequestItem:
    """Take a file off an item (the firm keeps the document in the account's files)."""
    request = links.verified(session, token, device=device, ip=ip)
    item = _item(session, request, item_id, "file")
    if document_id not in item.document_ids:
        raise NotFound(_("That file is not one of this item's."))
    item.document_ids = [d for d in item.document_ids if d != document_id]
    return _saved(session, request, item, "Removed a file")


def complete(session: Session, token: str, *, device: str = "", ip: str | None = None) -> ClientRequest:
    """Send the answers to the firm: refused with what is still missing; else the request is complete (its link
    closes), the team is told and `client request is completed` fires."""
    request = links.verified(session, token, device=device, ip=ip)
    missing = missing_items(session, request.id)
    if missing:
        raise InvalidInput(_("Still missing: {items}.").format(items=", ".join(f"“{i.label}”" for i in missing)),
                           field="complete")
    actor = recipient_actor(session, request)
    request.status, request.completed_at, request.code_hash = ClientRequestStatus.completed, utcnow(), ""
    session.add(request)
    audit.record(session, actor, "client_request_complete", "account", request.account_id,
                 f'Completed request "{request.title}"', request_id=request.id)
    account = session.get(Account, request.account_id)
    who = actor.name.rsplit(" (", 1)[0]
    inbox.notify_client_activity(session, account_id=request.account_id, job_id=request.job_id,
                                 text=inbox.said(N_('{who} completed the request "{title}"'),
                                                 who=inbox.client_label(who, account.name if account else ""),
                                                 title=request.title))
    events.emit(session, actor, "client_request_completed", job_id=request.job_id, account_id=request.account_id,
                payload={"request_id": request.id, "contact_id": request.contact_id, "title": request.title})
    return request


__all__ = ["RequestView", "ItemView", "open_request", "send_code", "enter_code", "answer_text", "answer_yes_no",
           "upload_file", "remove_file", "complete", "shown_answer"]

"""Client requests, the firm's side: request templates, sending a request (from a template or typed) to a contact
of the account or to any email address, following its progress, revoking it, and reminding the recipient of only
the items still missing (the `Remindable` adapter, stopped by the sweep once the request is complete)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, select

from practice.i18n import N_, _
from rules import Words
from practice.models import (AccountContact, ClientRequest, ClientRequestItem, ClientRequestStatus,
                             ClientRequestTemplate, Contact, Document, Job, utcnow)
from practice.services import audit, events, reminders
from practice.services.access.team import check_email
from practice.services.actor import SYSTEM, Actor, require_admin, require_staff
from practice.services.client_requests import links
from practice.services.errors import Conflict, InvalidInput, NotFound
from practice.services.firm import default_language, get_firm, language_for
from practice.services.mail import outbox
from practice.services.mail.system import render_system_email
from practice.services.proposals.sending import portal_recipients
from practice.services.work.accounts import get_account

REMINDER_KIND = "client_request"
KINDS = {"file": N_("File upload"), "text": N_("Short answer"), "yes_no": N_("Yes or no")}
MAX_ITEMS = 30
MAX_LABEL = 200
MAX_NOTE = 1000
MAX_TITLE = 200
MAX_MESSAGE = 5000
STATUS_WORDS = {"open": N_("Waiting for answers"), "completed": N_("Completed"), "revoked": N_("Revoked")}


# --- items and templates ----------------------------------------------------------------------------


def clean_items(raw) -> list[dict]:
    """The items as kept: each a kind (file, text, yes_no), a label and a note; blank rows are dropped. Refused with
    one sentence naming the row when something is wrong."""
    if not isinstance(raw, (list, tuple)):
        raise InvalidInput(_("Add at least one item to ask for."), field="items")
    out = []
    for n, item in enumerate(raw, start=1):
        item = item if isinstance(item, dict) else {}
        label = " ".join(str(item.get("label") or "").split())
        note = str(item.get("note") or "").strip()
        kind = str(item.get("kind") or "file").strip()
        if not label and not note:
            continue
        if not label:
            raise InvalidInput(_("Item {n} needs a name (what you ask for).").format(n=n), field="items")
        if kind not in KINDS:
            raise InvalidInput(_("Item {n}: choose a file upload, a short answer or a yes/no.").format(n=n),
                               field="items")
        if len(label) > MAX_LABEL:
            raise InvalidInput(_("Item {n}: keep the name under {count} characters.").format(n=n, count=MAX_LABEL),
                               field="items")
        if len(note) > MAX_NOTE:
            raise InvalidInput(_("Item {n}: keep the note under {count} characters.").format(n=n, count=MAX_NOTE),
                               field="items")
        out.append({"kind": kind, "label": label, "note": note})
    if not out:
        raise InvalidInput(_("Add at least one item to ask for."), field="items")
    if len(out) > MAX_ITEMS:
        raise InvalidInput(_("A request holds at most {count} items; send two requests instead.")
                           .format(count=MAX_ITEMS), field="items")
    return out


def _clean_title(title) -> str:
    title = " ".join(str(title or "").split())
    if not title:
        raise InvalidInput(_("Give the request a title (the recipient reads it first)."), field="title")
    if len(title) > MAX_TITLE:
        raise InvalidInput(_("Keep the title under {count} characters.").format(count=MAX_TITLE), field="title")
    return title


def _clean_message(message) -> str:
    message = str(message or "").strip()
    if len(message) > MAX_MESSAGE:
        raise InvalidInput(_("Keep the message under {count} characters.").format(count=MAX_MESSAGE),
                           field="message")
    return message


def list_templates(session: Session, actor: Actor) -> list[ClientRequestTemplate]:
    require_staff(actor)
    return list(session.exec(select(ClientRequestTemplate).order_by(func.lower(ClientRequestTemplate.name))))


def template_names(session: Session) -> list[str]:
    """The names rules may send (`send client request "NAME" to account`)."""
    return list(session.exec(select(ClientRequestTemplate.name).order_by(ClientRequestTemplate.name)))


def template_by_name(session: Session, name: str) -> ClientRequestTemplate | None:
    wanted = " ".join(str(name or "").split()).lower()
    return session.exec(select(ClientRequestTemplate).where(func.lower(ClientRequestTemplate.name) == wanted)).first()


def save_template(session: Session, actor: Actor, *, template_id: int | None = None, name, title, message="",
                  items) -> ClientRequestTemplate:
    """Add or change a request template (owner and admins: rules send them)."""
    require_admin(actor)
    name = " ".join(str(name or "").split())
    if not name:
        raise InvalidInput(_("Give the template a name."), field="name")
    if len(name) > MAX_TITLE:
        raise InvalidInput(_("Keep the name under {count} characters.").format(count=MAX_TITLE), field="name")
    title, message, items = _clean_title(title), _clean_message(message), clean_items(items)
    same = template_by_name(session, name)
    if template_id is None:
        row = ClientRequestTemplate(name=name, title=title)
    else:
        row = session.get(ClientRequestTemplate, template_id)
        if row is None:
            raise NotFound(_("That request template no longer exists."))
    if same is not None and same.id != row.id:
        raise Conflict(_('There is already a request template named "{name}".').format(name=name))
    was_new = row.id is None
    row.name, row.title, row.message, row.items, row.updated_at = name, title, message, items, utcnow()
    session.add(row)
    session.flush()
    audit.record(session, actor, "request_template_add" if was_new else "request_template_change", "firm", None,
                 f'{"Added" if was_new else "Changed"} request template "{name}"', template_id=row.id)
    return row


def delete_template(session: Session, actor: Actor, template_id: int) -> None:
    """Delete a template; requests sent from it keep their items."""
    require_admin(actor)
    row = session.get(ClientRequestTemplate, template_id)
    if row is None:
        raise NotFound(_("That request template no longer exists."))
    for request in session.exec(select(ClientRequest).where(ClientRequest.template_id == row.id)):
        request.template_id = None
        session.add(request)
    session.delete(row)
    audit.record(session, actor, "request_template_delete", "firm", None, f'Deleted request template "{row.name}"')


# --- sending -------------------------------------------------------------------------------------------------


def _recipient(session: Session, account_id: int, contact_id, email) -> tuple[Contact | None, str, str]:
    """(the contact or None, the name, the address) of whom the request goes to."""
    if contact_id not in (None, ""):
        try:
            contact = session.get(Contact, int(contact_id))
        except (TypeError, ValueError):
            contact = None
        linked = contact is not None and session.exec(select(AccountContact.contact_id).where(
            AccountContact.account_id == account_id, AccountContact.contact_id == contact.id)).first() is not None
        if not linked:
            raise InvalidInput(_("Choose one of the account's contacts, or type an email address."), field="recipient")
        if not (contact.email or "").strip():
            raise InvalidInput(_("{name} has no email address; add one, or type another address.")
                               .format(name=contact_name(contact)), field="recipient")
        return contact, contact_name(contact), contact.email.strip().lower()
    if not str(email or "").strip():
        raise InvalidInput(_("Choose a contact, or type the email address of whoever should answer."),
                           field="recipient")
    return None, "", check_email(email, field="recipient")


def contact_name(contact: Contact) -> str:
    return f"{contact.first_name} {contact.last_name}".strip() or contact.email


def _email(session: Session, request: ClientRequest, template: str, key: str, **extra) -> None:
    contact = session.get(Contact, request.contact_id) if request.contact_id else None
    language = language_for(session, contact.language) if contact else default_language(session)
    context = {"first_name": (contact.first_name if contact else "") or request.recipient_name
               or request.recipient_email, "firm_name": get_firm(session).name, "title": request.title,
               "link": links.link_for(request), "message": request.message, **extra}
    subject, body = render_system_email(template, context, language)
    outbox.enqueue(session, to_address=request.recipient_email, subject=subject, body=body, key=key,
                   account_id=request.account_id, job_id=request.job_id, sender_id=request.sent_by_member_id)
    session.info["practice_mail"] = True
    # The event rings the worker, which sends the queued mail at once (the minute sweep is the fallback); no rule
    # starts on it.
    events.emit(session, SYSTEM, f"{template}_mail", job_id=request.job_id, account_id=request.account_id,
                payload={"request_id": request.id})


def items_of(session: Session, request_id: int) -> list[ClientRequestItem]:
    return list(session.exec(select(ClientRequestItem).where(ClientRequestItem.request_id == request_id)
                             .order_by(ClientRequestItem.position, ClientRequestItem.id)))


def is_answered(item: ClientRequestItem) -> bool:
    if item.kind == "file":
        return bool(item.document_ids)
    if item.kind == "yes_no":
        return item.answer_yes is not None
    return bool(item.answer_text.strip())


def default_recipient(session: Session, account_id: int) -> Contact:
    """Whom a rule's request goes to: the account's first contact who can log in to the portal."""
    found = portal_recipients(session, account_id)
    if not found:
        raise InvalidInput(_("No contact of this account can log in to the client portal, so the request has nobody "
                             "to go to."))
    return found[0]


def send_request(session: Session, actor: Actor, account_id: int, *, job_id: int | None = None,
                 template: int | str | None = None, title=None, message=None, items=None, contact_id=None,
                 email=None, key: str | None = None, remind_every: dt.timedelta | None = None,
                 remind_times: int = 0) -> ClientRequest:
    """Send a request: from a template (by id or name; a title, message or items given replace the template's) or
    typed, to a contact of the account or any address. The recipient is emailed the link. With a key (a rule's
    action), a second call returns the first request."""
    require_staff(actor)
    if key:
        existing = session.exec(select(ClientRequest).where(ClientRequest.key == key)).first()
        if existing is not None:
            return existing
    account = get_account(session, actor, account_id)
    if job_id is not None:
        job = session.get(Job, job_id)
        if job is None or job.account_id != account.id:
            raise NotFound(_("That job does not exist for this account."))
    found = None
    if template not in (None, ""):
        found = session.get(ClientRequestTemplate, template) if isinstance(template, int) \
            else template_by_name(session, template)
        if found is None:
            raise NotFound(_('There is no request template "{name}".').format(name=template)
                           if isinstance(template, str) else _("That request template no longer exists."))
    title = _clean_title(title if title not in (None, "") or found is None else found.title)
    message = _clean_message(message if message is not None or found is None else found.message)
    items = clean_items(items if items is not None or found is None else found.items)
    contact, name, address = _recipient(session, account.id, contact_id, email)
    nonce = links.new_nonce()
    request = ClientRequest(account_id=account.id, job_id=job_id, template_id=found.id if found else None,
                            title=title, message=message, contact_id=contact.id if contact else None,
                            recipient_name=name, recipient_email=address,
                            token_hash=links.digest(links.token_for(nonce)), link_nonce=nonce,
                            sent_by_member_id=actor.member_id, sent_by_label=actor.name, key=key)
    session.add(request)
    session.flush()
    for position, item in enumerate(items):
        session.add(ClientRequestItem(request_id=request.id, position=position, **item))
    audit.record(session, actor, "client_request_send", "account", account.id,
                 f'Sent request "{title}" ({len(items)} items) to {name or address}', request_id=request.id,
                 recipient=address)
    _email(session, request, "client_request_sent", key=f"{key or 'client-request'}|{request.id}|sent",
           count=len(items), items=[i["label"] for i in items])
    if remind_every is not None and remind_times > 0:
        reminders.schedule(session, kind=REMINDER_KIND, item_id=request.id, every=remind_every, times=remind_times,
                           key=f"{key or 'client-request'}|{request.id}|reminders", job_id=job_id)
    return request


def request_for_staff(session: Session, actor: Actor, request_id) -> ClientRequest:
    """The request, for staff who may see its account (another's is reported missing)."""
    require_staff(actor)
    request = session.get(ClientRequest, request_id) if isinstance(request_id, int) else None
    if request is None:
        raise NotFound(_("That request no longer exists."))
    get_account(session, actor, request.account_id)
    return request


def revoke(session: Session, actor: Actor, request_id: int) -> ClientRequest:
    """Withdraw an open request: its link opens nothing any more, its reminders stop, and it no longer holds up the
    job's stage. What was given stays."""
    request = request_for_staff(session, actor, request_id)
    if request.status != ClientRequestStatus.open:
        raise Conflict(_("Only a request still waiting for answers can be revoked; this one is {status}.")
                       .format(status=_(STATUS_WORDS[ClientRequestStatus(request.status).value]).lower()))
    request.status, request.revoked_at, request.revoked_by_label = ClientRequestStatus.revoked, utcnow(), actor.name
    request.code_hash = ""
    session.add(request)
    audit.record(session, actor, "client_request_revoke", "account", request.account_id,
                 f'Revoked request "{request.title}" sent to {request.recipient_name or request.recipient_email}',
                 request_id=request.id)
    events.check_stage_items(session, actor, request.job_id)
    return request


# --- what staff see ------------------------------------------------------------------------------------------


@dataclass
class ItemRow:
    id: int
    kind: str
    label: str
    note: str
    answered: bool
    answer: str
    documents: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class RequestRow:
    id: int
    title: str
    recipient: str
    status: str
    status_text: str
    answered: int
    total: int
    created_at: dt.datetime
    sent_by: str
    job_id: int | None
    items: list[ItemRow] = field(default_factory=list)
    job_name: str = ""  # filled where requests of several jobs are listed (the account page)


def shown_answer(item: ClientRequestItem) -> str:
    if item.kind == "yes_no":
        return "" if item.answer_yes is None else (_("Yes") if item.answer_yes else _("No"))
    return item.answer_text


def _row(session: Session, request: ClientRequest, with_items: bool) -> RequestRow:
    items = items_of(session, request.id)
    status = ClientRequestStatus(request.status).value
    recipient = (f"{request.recipient_name} <{request.recipient_email}>" if request.recipient_name
                 else request.recipient_email)
    row = RequestRow(request.id, request.title, recipient, status, _(STATUS_WORDS[status]),
                     sum(is_answered(i) for i in items), len(items), request.created_at, request.sent_by_label,
                     request.job_id)
    if with_items:
        ids = [d for i in items for d in i.document_ids]
        names = {d.id: d.name for d in session.exec(select(Document).where(Document.id.in_(ids)))} if ids else {}
        row.items = [ItemRow(i.id, i.kind, i.label, i.note, is_answered(i), shown_answer(i),
                             [(d, names.get(d, "")) for d in i.document_ids if d in names]) for i in items]
    return row


def list_for_account(session: Session, actor: Actor, account_id: int, *, with_items: bool = False,
                     limit: int = 200) -> list[RequestRow]:
    """The account's requests, newest first, each with its job's name (staff who may see the account)."""
    get_account(session, actor, account_id)
    rows = [_row(session, r, with_items) for r in session.exec(
        select(ClientRequest).where(ClientRequest.account_id == account_id)
        .order_by(ClientRequest.created_at.desc(), ClientRequest.id.desc()).limit(limit))]
    job_ids = {r.job_id for r in rows if r.job_id}
    names = dict(session.exec(select(Job.id, Job.name).where(Job.id.in_(job_ids))).all()) if job_ids else {}
    for row in rows:
        row.job_name = names.get(row.job_id, "")
    return rows


def list_for_job(session: Session, actor: Actor, job_id: int, *, with_items: bool = False) -> list[RequestRow]:
    require_staff(actor)
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(_("That job no longer exists."))
    get_account(session, actor, job.account_id)
    rows = session.exec(select(ClientRequest).where(ClientRequest.job_id == job_id)
                        .order_by(ClientRequest.created_at.desc(), ClientRequest.id.desc()).limit(200))
    return [_row(session, r, with_items) for r in rows]


def request_detail(session: Session, actor: Actor, request_id: int) -> RequestRow:
    return _row(session, request_for_staff(session, actor, request_id), True)


# --- reminders -----------------------------------------------------------------------------------------------


def missing_items(session: Session, request_id: int) -> list[ClientRequestItem]:
    return [i for i in items_of(session, request_id) if not is_answered(i)]


def _is_complete(session: Session, request_id: int) -> bool:
    request = session.get(ClientRequest, request_id)
    return request is None or request.status != ClientRequestStatus.open


def _remind(session: Session, request_id: int, n: int) -> str:
    request = session.get(ClientRequest, request_id)
    missing = missing_items(session, request_id)
    _email(session, request, "client_request_reminder", key=f"client-request-reminder|{request.id}|{n}",
           count=len(missing), items=[i.label for i in missing])
    return Words(N_('Reminded {email} of "{title}": still missing {items}'), email=request.recipient_email,
                 title=request.title, items=", ".join(i.label for i in missing))


REMINDER = reminders.Remindable(is_complete=_is_complete, remind=_remind)

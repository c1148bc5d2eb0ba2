"""The client's email notice of a new message: sent only once the firm's delay has passed (staff may correct the
message meanwhile) and only to contacts who have not read it by then. Holds no message text: the portal does."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlmodel import Session, select

from practice import config, routes
from practice.models import (AccountContact, ChatMessage, ChatRead, ChatThread, Contact, PortalLogin, PortalStatus,
                             utcnow)
from practice.i18n import N_, _
from rules import Words
from practice.services import audit, reminders
from practice.services.actor import Actor, require_admin
from practice.services.errors import InvalidInput
from practice.services.firm import get_firm, language_for
from practice.services.mail import outbox
from practice.services.mail.system import render_system_email

BATCH = 500
MAX_DELAY = 1440
# `send message ... with reminders`: reminded by email until one of the account's portal contacts reads it.
REMINDER_KIND = "chat_message"


def _readers(session: Session, account_id: int) -> list[Contact]:
    """The account's contacts who can open the portal and have an address."""
    return list(session.exec(select(Contact).join(AccountContact, AccountContact.contact_id == Contact.id)
                             .join(PortalLogin, PortalLogin.contact_id == Contact.id)
                             .where(AccountContact.account_id == account_id, PortalLogin.status == PortalStatus.active,
                                    Contact.email != "").order_by(Contact.id)))


def _last_read(session: Session, thread_id: int, contact_id: int) -> int:
    return session.exec(select(func.coalesce(func.max(ChatRead.last_read_message_id), 0)).where(
        ChatRead.thread_id == thread_id, ChatRead.contact_id == contact_id)).one()


def _tell(session: Session, thread: ChatThread, due: list[ChatMessage], firm_name: str) -> int:
    told = 0
    for contact in _readers(session, thread.account_id):
        unread = [m for m in due if m.id > _last_read(session, thread.id, contact.id)]
        if not unread:
            continue  # read within the delay: no email
        context = {"first_name": contact.first_name or contact.email, "firm_name": firm_name, "count": len(unread),
                   "subject": thread.subject,
                   "link": f"{config.base_url()}{routes.PORTAL_MESSAGES}?thread={thread.id}"}
        subject, body = render_system_email("chat_message", context, language_for(session, contact.language))
        outbox.enqueue(session, to_address=contact.email, subject=subject, body=body,
                       key=f"chat-notice|{unread[-1].id}|{contact.id}", account_id=thread.account_id,
                       job_id=thread.job_id)
        told += 1
    return told


def send_due_notices(session: Session, now: dt.datetime | None = None) -> int:
    """Email the clients about messages whose delay has passed and that they have not read (the worker's minute
    sweep); each message is decided once. Returns how many emails were queued."""
    now = now or utcnow()
    due = list(session.exec(select(ChatMessage).where(ChatMessage.notice_due_at <= now,
                                                      ChatMessage.notice_done_at.is_(None))
                            .order_by(ChatMessage.thread_id, ChatMessage.id).limit(BATCH)))
    if not due:
        return 0
    firm_name, told = get_firm(session).name, 0
    by_thread: dict[int, list[ChatMessage]] = {}
    for message in due:
        by_thread.setdefault(message.thread_id, []).append(message)
        message.notice_done_at = now
    for thread_id, messages in by_thread.items():
        thread = session.get(ChatThread, thread_id)
        if thread is not None:
            told += _tell(session, thread, [m for m in messages if not m.internal], firm_name)
    session.flush()
    if told:
        session.info["practice_mail"] = True
    return told


def set_notice_delay(session: Session, actor: Actor, minutes: int) -> int:
    """How many minutes a message to the client waits before its email notice (owners and admins; 0 to 1440)."""
    require_admin(actor)
    try:
        minutes = int(str(minutes).strip())
    except ValueError:
        raise InvalidInput(_("Give the delay in whole minutes, like 5."), field="chat_notice_delay") from None
    if not 0 <= minutes <= MAX_DELAY:
        raise InvalidInput(_("Give a delay between 0 and {max} minutes (a day).").format(max=MAX_DELAY),
                           field="chat_notice_delay")
    firm = get_firm(session)
    if firm.chat_notice_delay_minutes != minutes:
        before, firm.chat_notice_delay_minutes = firm.chat_notice_delay_minutes, minutes
        audit.record(session, actor, "update", "firm", firm.id,
                     f"Chat email notices wait {minutes} minutes (before: {before})")
    return minutes


def remind_later(session: Session, message: ChatMessage, *, every: dt.timedelta, times: int, key: str) -> None:
    """Plan the reminders of a rule's message (`with reminders every N days up to M times`): each one emails the
    contacts who have not read it; they stop once one of them has, or the thread is archived, or its job is."""
    thread = session.get(ChatThread, message.thread_id)
    reminders.schedule(session, kind=REMINDER_KIND, item_id=message.id, every=every, times=times,
                       key=f"{key}|{message.id}|reminders", job_id=thread.job_id if thread else None)


def _message_and_thread(session: Session, message_id: int) -> tuple[ChatMessage | None, ChatThread | None]:
    message = session.get(ChatMessage, message_id)
    return message, session.get(ChatThread, message.thread_id) if message else None


def _is_read(session: Session, message_id: int) -> bool:
    message, thread = _message_and_thread(session, message_id)
    if message is None or thread is None or thread.archived_at is not None:
        return True  # nothing left to remind of
    return any(_last_read(session, thread.id, c.id) >= message.id for c in _readers(session, thread.account_id))


def _remind(session: Session, message_id: int, n: int) -> str:
    message, thread = _message_and_thread(session, message_id)
    readers = _readers(session, thread.account_id)
    if not readers:
        return Words(N_("No contact of the account can log in to the portal, so no reminder was sent."))
    firm_name = get_firm(session).name
    for contact in readers:
        context = {"first_name": contact.first_name or contact.email, "firm_name": firm_name,
                   "subject": thread.subject,
                   "link": f"{config.base_url()}{routes.PORTAL_MESSAGES}?thread={thread.id}"}
        subject, body = render_system_email("chat_message_reminder", context, language_for(session, contact.language))
        outbox.enqueue(session, to_address=contact.email, subject=subject, body=body,
                       key=f"chat-reminder|{message.id}|{n}|{contact.id}", account_id=thread.account_id,
                       job_id=thread.job_id)
    session.info["practice_mail"] = True
    return Words(N_('Reminded {emails} to read "{subject}"'), emails=", ".join(c.email for c in readers),
                 subject=thread.subject)


REMINDER = reminders.Remindable(is_complete=_is_read, remind=_remind)

"""Messages in a thread: written by staff (to the client, or an internal note with @mentions), by a contact,
or by a rule; client tasks asked inside a message; what each person reads of a thread."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, select

from practice import routes
from practice.i18n import N_, _
from practice.models import (Account, ChatMessage, ChatRead, ChatThread, ClientTask, Contact, Firm, TeamMember,
                             utcnow)
from practice.services import audit, events, inbox
from practice.services.actor import Actor, ContactActor, account_visible, contact_name, recorded_actor
from practice.services.chats.attachments import AttachmentView, attach, attachments_by_message
from practice.services.chats.scope import MAX_TEXT, shown_to, thread_for
from practice.services.documents.files import Received
from practice.services.chats.threads import start_thread
from practice.services.errors import InvalidInput, PermissionDenied

MAX_TASKS = 20


@dataclass
class TaskRequest:
    """A client task to ask inside a message: what to do, and by when (optional)."""

    title: str
    due_date: dt.date | None = None


@dataclass
class TaskInMessage:
    id: int
    title: str
    due_date: dt.date | None
    done_at: dt.datetime | None
    done_by: str


@dataclass
class MessageView:
    id: int
    author_name: str
    from_client: bool
    mine: bool
    text: str
    internal: bool
    created_at: dt.datetime
    edited_at: dt.datetime | None
    tasks: list[TaskInMessage] = field(default_factory=list)
    # Staff only: who of the client's side has read it, and when ("Dana Whitfield", moment).
    read_by: list[tuple[str, dt.datetime]] = field(default_factory=list)
    attachments: list[AttachmentView] = field(default_factory=list)


def _clean(text: str, files: list[Received] | None = None) -> str:
    """The message's text; it may be empty when files go with it."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text and not [f for f in files or () if f.key and not f.refusal]:
        raise InvalidInput(_("Write a message first."), field="text")
    if len(text) > MAX_TEXT:
        raise InvalidInput(_("Keep a message under {n} characters; split a longer one in two.").format(
            n=f"{MAX_TEXT:,}"), field="text")
    return text


def _mentioned(session: Session, text: str) -> list[TeamMember]:
    """Active members named after an @ in the text ("@Bob", "@Ann Lee"), by full or first name."""
    found = []
    for member in session.exec(select(TeamMember).where(TeamMember.active == True)):  # noqa: E712
        names = {member.name.strip(), member.name.strip().split(" ")[0]} - {""}
        if any(re.search(r"(?<![\w@])@" + re.escape(n) + r"(?!\w)", text, re.IGNORECASE) for n in names):
            found.append(member)
    return found


def _tell_mentioned(session: Session, actor: Actor, thread: ChatThread, members: list[TeamMember]) -> None:
    for member in members:
        if member.id == actor.member_id:
            continue
        cond = account_visible(Actor.of(member), Account.id)
        if cond is not None and session.exec(select(Account.id).where(Account.id == thread.account_id, cond)).first() is None:
            continue  # a colleague who may not see the account is not told what is in it
        inbox.notify(session, member_id=member.id, kind="chat_mention", link=routes.chat_url(thread.id),
                     text=inbox.said(N_('{who} mentioned you in "{subject}"'), who=actor.name, subject=thread.subject))


def _add(session: Session, thread: ChatThread, message: ChatMessage) -> ChatMessage:
    session.add(message)
    thread.last_message_at = message.created_at
    thread.archived_at = None  # a new message brings an archived conversation back
    session.flush()
    return message


def _ask_tasks(session: Session, actor: Actor, thread: ChatThread, message: ChatMessage,
               tasks: list[TaskRequest]) -> None:
    last = session.exec(select(func.max(ClientTask.position)).where(ClientTask.account_id == thread.account_id)).one()
    for n, task in enumerate(tasks, start=1):
        session.add(ClientTask(account_id=thread.account_id, job_id=thread.job_id, message_id=message.id,
                               title=task.title, due_date=task.due_date, created_by_member_id=actor.member_id,
                               position=(last or 0) + n))
    session.flush()


def _checked_tasks(tasks) -> list[TaskRequest]:
    out = []
    for task in tasks or ():
        title = " ".join((task.title or "").split())[:300]
        if title:
            out.append(TaskRequest(title, task.due_date))
    if len(out) > MAX_TASKS:
        raise InvalidInput(_("Ask at most {n} client tasks in one message.").format(n=MAX_TASKS), field="tasks")
    return out


def _notice_due(session: Session) -> dt.datetime:
    minutes = session.exec(select(Firm.chat_notice_delay_minutes).order_by(Firm.id)).first()
    return utcnow() + dt.timedelta(minutes=5 if minutes is None else minutes)


def write_as_staff(session: Session, actor: Actor, thread_id: int, text: str, *, internal: bool = False,
                   tasks: list[TaskRequest] | None = None, files: list[Received] | None = None) -> ChatMessage:
    """A team member's message to the client, or an internal note (staff only; @mentions tell colleagues); the
    files become the account's documents, shared with the client, or internal with a note."""
    if not isinstance(actor, Actor):
        raise PermissionDenied()
    thread = thread_for(session, actor, thread_id)
    text, asked = _clean(text, files), _checked_tasks(tasks)
    mentioned = _mentioned(session, text)
    if not internal and mentioned:
        raise InvalidInput(_("Mentions of colleagues (@{name}) belong in an internal note, which the client never "
                             "sees: turn on \"Internal note\", or remove the mention.").format(name=mentioned[0].name),
                           field="text")
    if internal and asked:
        raise InvalidInput(_("Client tasks go in a message to the client, not in an internal note."), field="tasks")
    message = _add(session, thread, ChatMessage(
        thread_id=thread.id, account_id=thread.account_id, author_member_id=actor.member_id, author_name=actor.name,
        text=text, internal=internal, notice_due_at=None if internal else _notice_due(session)))
    _ask_tasks(session, actor, thread, message, asked)
    sent = attach(session, actor, thread, message, list(files or ()))
    if internal:
        _tell_mentioned(session, actor, thread, mentioned)
    audit.record(session, actor, "chat_note" if internal else "chat_message", "chat_thread", thread.id,
                 f'{"Internal note" if internal else "Message"} in "{thread.subject}"'
                 + (f" asking {len(asked)} client task{'s' if len(asked) != 1 else ''}" if asked else "")
                 + (f" with {len(sent)} file{'s' if len(sent) != 1 else ''}" if sent else ""),
                 account_id=thread.account_id, entity_label=thread.subject, message_id=message.id)
    return message


def write_as_rule(session: Session, actor: Actor, thread: ChatThread, text: str) -> ChatMessage:
    """A rule's message to the client (the rule's robot actor; the caller found or started the thread)."""
    return _add(session, thread, ChatMessage(
        thread_id=thread.id, account_id=thread.account_id, author_name=actor.name, text=_clean(text),
        notice_due_at=_notice_due(session)))


def write_as_client(session: Session, actor: ContactActor, thread_id: int, text: str, *,
                    files: list[Received] | None = None) -> ChatMessage:
    """A contact's message; staff who follow the account are told, and `message_received` fires for rules. Its
    files become the account's documents (each also fires `document_uploaded`)."""
    if not isinstance(actor, ContactActor):
        raise PermissionDenied()
    thread = thread_for(session, actor, thread_id)
    message = _add(session, thread, ChatMessage(
        thread_id=thread.id, account_id=thread.account_id, author_contact_id=actor.contact_id,
        author_name=actor.name, text=_clean(text, files)))
    sent = attach(session, actor, thread, message, list(files or ()))
    account = session.get(Account, thread.account_id)
    label = inbox.client_label(actor.name, account.name if account else "")
    said = " ".join(message.text.split())[:200] or inbox.said(N_("{n} file") if len(sent) == 1 else N_("{n} files"),
                                                              n=len(sent))
    for member_id in inbox.staff_for(session, account_id=thread.account_id, job_id=thread.job_id):
        inbox.notify(session, member_id=member_id, kind="chat_message", link=routes.chat_url(thread.id),
                     text=inbox.said(N_('{who} wrote in "{subject}": {text}'), who=label, subject=thread.subject,
                                     text=said))
    audit.record(session, recorded_actor(actor), "chat_message", "chat_thread", thread.id,
                 f'{actor.name} wrote in "{thread.subject}"', account_id=thread.account_id,
                 entity_label=thread.subject, message_id=message.id)
    events.emit(session, recorded_actor(actor), "message_received", job_id=thread.job_id, account_id=thread.account_id,
                payload={"contact_id": actor.contact_id, "message_id": message.id, "thread_id": thread.id})
    return message


def start_as_client(session: Session, actor: ContactActor, *, subject: str, text: str) -> ChatMessage:
    """A contact writes to the firm about something new: a thread on the account it is looking at, and its first
    message (which tells the staff and fires `message_received` like any other)."""
    if not isinstance(actor, ContactActor):
        raise PermissionDenied()
    _clean(text)  # refused before a thread is made
    thread = start_thread(session, actor, account_id=actor.current_account_id, subject=subject)
    return write_as_client(session, actor, thread.id, text)


def edit_message(session: Session, actor, message_id: int, text: str) -> ChatMessage:
    """Correct one's own message; the text before is kept in the audit log, and the message says "edited"."""
    message = session.get(ChatMessage, message_id) if isinstance(message_id, int) else None
    if message is None:
        raise InvalidInput(_("That message no longer exists."))
    thread = thread_for(session, actor, message.thread_id)
    mine = (message.author_contact_id == actor.contact_id) if isinstance(actor, ContactActor) else (
        actor.member_id is not None and message.author_member_id == actor.member_id)
    if not mine or (isinstance(actor, ContactActor) and message.internal):
        raise PermissionDenied(_("Only the person who wrote a message can change it."))
    text = _clean(text)
    if text == message.text:
        return message
    before, message.text, message.edited_at = message.text, text, utcnow()
    session.flush()
    audit.record(session, recorded_actor(actor), "chat_edit", "chat_thread", thread.id,
                 f'Edited a message in "{thread.subject}"', account_id=thread.account_id,
                 entity_label=thread.subject, message_id=message.id, before=before)
    return message


def newest_id(session: Session, actor, thread_id: int) -> int:
    """The newest message of the thread the person may read (0: none)."""
    thread = thread_for(session, actor, thread_id)
    return session.exec(select(func.max(ChatMessage.id)).where(ChatMessage.thread_id == thread.id,
                                                               *shown_to(actor))).one() or 0


def message_facts(session: Session, message_id: int) -> dict | None:
    """What rules read about a message: `message.text`."""
    message = session.get(ChatMessage, message_id)
    return None if message is None else {"id": message.id, "text": message.text}


def _tasks_by_message(session: Session, message_ids: list[int]) -> dict[int, list[TaskInMessage]]:
    rows = session.exec(select(ClientTask, Contact).outerjoin(Contact, Contact.id == ClientTask.done_by_contact_id)
                        .where(ClientTask.message_id.in_(message_ids or [-1]))
                        .order_by(ClientTask.position, ClientTask.id)).all()
    out: dict[int, list[TaskInMessage]] = {}
    for task, contact in rows:
        out.setdefault(task.message_id, []).append(TaskInMessage(task.id, task.title, task.due_date, task.done_at,
                                                                 contact_name(contact) if contact else ""))
    return out


def _client_reads(session: Session, thread_id: int) -> list[tuple[str, int, dt.datetime]]:
    rows = session.exec(select(Contact, ChatRead.last_read_message_id, ChatRead.read_at)
                        .join(ChatRead, ChatRead.contact_id == Contact.id).where(ChatRead.thread_id == thread_id)).all()
    return [(contact_name(c), upto, at) for c, upto, at in rows]


def messages_of(session: Session, actor, thread_id: int, *, limit: int = 500) -> list[MessageView]:
    """The thread's messages the person may read, oldest first (the newest `limit`)."""
    thread = thread_for(session, actor, thread_id)
    rows = list(session.exec(select(ChatMessage).where(ChatMessage.thread_id == thread.id, *shown_to(actor))
                             .order_by(ChatMessage.id.desc()).limit(limit)).all())[::-1]
    tasks = _tasks_by_message(session, [m.id for m in rows])
    files = attachments_by_message(session, actor, [m.id for m in rows])
    staff = isinstance(actor, Actor)
    reads = _client_reads(session, thread.id) if staff else []
    views = []
    for m in rows:
        mine = (m.author_contact_id == actor.contact_id) if not staff else (
            actor.member_id is not None and m.author_member_id == actor.member_id)
        read_by = [(name, at) for name, upto, at in reads if upto >= m.id and not m.internal]
        views.append(MessageView(m.id, m.author_name, m.author_contact_id is not None, mine, m.text, m.internal,
                                 m.created_at, m.edited_at, tasks.get(m.id, []), read_by if staff else [],
                                 files.get(m.id, [])))
    return views

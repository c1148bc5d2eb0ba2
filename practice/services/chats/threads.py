"""Threads: start one on an account (or one of its jobs), list them with unread counts, archive, search, and
the read marks each person leaves."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, tuple_
from sqlmodel import Session, select

from practice.i18n import _
from practice.models import Account, AccountContact, ChatMessage, ChatRead, ChatThread, Job, utcnow
from practice.services import audit
from practice.services.actor import Actor, ContactActor, recorded_actor, require_staff
from practice.services.chats import attachments
from practice.services.chats.scope import (MAX_SUBJECT, contact_may_use, counts_as_unread, shown_to, thread_for,
                                           visible_threads)
from practice.services.errors import InvalidInput, NotFound, PermissionDenied
from practice.services.work.accounts import get_account


@dataclass
class ThreadView:
    id: int
    account_id: int
    account_name: str
    job_id: int | None
    job_name: str
    subject: str
    last_message_at: dt.datetime
    archived: bool
    unread: int
    last_text: str


def _thread_account(session: Session, actor, account_id: int, job_id: int | None) -> int:
    """The account a new thread may go on: one the staff member may see, or one of the contact's (no job)."""
    if isinstance(actor, ContactActor):
        if not isinstance(account_id, int) or not contact_may_use(session, actor, account_id):
            raise NotFound(_("That account is not one of yours."))
        if job_id is not None:
            raise PermissionDenied(_("Only the firm ties a conversation to a job."))
        return account_id
    account = get_account(session, require_staff(actor), account_id)
    if job_id is not None:
        job = session.get(Job, job_id)
        if job is None or job.account_id != account.id:
            raise InvalidInput(_("That job is not one of this account's."), field="job_id")
    return account.id


def start_thread(session: Session, actor, *, account_id: int, subject: str, job_id: int | None = None) -> ChatThread:
    """A new thread between the firm and an account's contacts: started by staff who may see the account (optionally
    about one of its jobs), or by a contact on one of its accounts."""
    account_id = _thread_account(session, actor, account_id, job_id)
    subject = " ".join((subject or "").split())[:MAX_SUBJECT]
    if not subject:
        raise InvalidInput(_('Give the conversation a subject, like "2026 tax return".'), field="subject")
    thread = ChatThread(account_id=account_id, job_id=job_id, subject=subject, created_by_member_id=actor.member_id)
    session.add(thread)
    session.flush()
    audit.record(session, recorded_actor(actor), "chat_start", "chat_thread", thread.id,
                 f'Started the conversation "{subject}"', account_id=account_id, entity_label=subject)
    return thread


def _read_mark(session: Session, actor, thread_id: int) -> ChatRead | None:
    person = (ChatRead.contact_id == actor.contact_id) if isinstance(actor, ContactActor) else (
        ChatRead.member_id == actor.member_id)
    return session.exec(select(ChatRead).where(ChatRead.thread_id == thread_id, person)).first()


def mark_read(session: Session, actor, thread_id: int) -> int:
    """Record that the person has read the thread up to its newest message they may see; returns that id."""
    thread = thread_for(session, actor, thread_id)
    newest = session.exec(select(func.max(ChatMessage.id)).where(ChatMessage.thread_id == thread.id,
                                                                 *shown_to(actor))).one() or 0
    if actor.member_id is None and not isinstance(actor, ContactActor):
        return newest  # the system reads nothing
    mark = _read_mark(session, actor, thread.id)
    if mark is None:
        mark = ChatRead(thread_id=thread.id, last_read_message_id=0,
                        **({"contact_id": actor.contact_id} if isinstance(actor, ContactActor)
                           else {"member_id": actor.member_id}))
        session.add(mark)
    if newest > mark.last_read_message_id:
        mark.last_read_message_id, mark.read_at = newest, utcnow()
    session.flush()
    return newest


def _unread_join(actor):
    person = (ChatRead.contact_id == actor.contact_id) if isinstance(actor, ContactActor) else (
        ChatRead.member_id == actor.member_id)
    return and_(ChatRead.thread_id == ChatMessage.thread_id, person)


def _unread_query(actor):
    return (select(ChatMessage.thread_id, func.count()).select_from(ChatMessage)
            .outerjoin(ChatRead, _unread_join(actor))
            .where(ChatMessage.id > func.coalesce(ChatRead.last_read_message_id, 0), *counts_as_unread(actor)))


def _contact_accounts(session: Session, actor: ContactActor, account_id: int | None) -> list[int]:
    ids = [account_id] if account_id is not None else list(actor.account_ids)
    return [a for a in ids if contact_may_use(session, actor, a)]


def unread_total(session: Session, actor) -> int:
    """How many messages wait unread for this person across the threads it may reach (the badge)."""
    stmt = _unread_query(actor).join(ChatThread, ChatThread.id == ChatMessage.thread_id).where(*visible_threads(actor))
    if isinstance(actor, ContactActor):
        stmt = stmt.where(ChatThread.account_id.in_(_contact_accounts(session, actor, None) or [-1]))
    return sum(n for _thread, n in session.exec(stmt.group_by(ChatMessage.thread_id)).all())


def changes_since(session: Session, after_id: int, limit: int = 500) -> tuple[int, set[int] | None]:
    """(the newest chat message's id, the accounts of the messages written after `after_id`): what the live pages
    poll to learn, in one cheap statement, that a message arrived and on which accounts, whoever wrote it (a page of
    this process, another web process, the worker's rules). The accounts are None when more than `limit` came."""
    rows = session.exec(select(ChatMessage.id, ChatMessage.account_id)
                        .where(ChatMessage.id > after_id).order_by(ChatMessage.id).limit(limit + 1)).all()
    if not rows:
        return after_id, set()
    if len(rows) > limit:
        return int(session.exec(select(func.max(ChatMessage.id))).one()), None
    return int(rows[-1][0]), {int(account_id) for _id, account_id in rows}


def unread_on_current_accounts(session: Session, actors: list[ContactActor]) -> dict[int, int]:
    """The portal badges of many contacts in one statement: for each contact (by id), the firm's messages it has
    not read on the account it is looking at. The actors must come from `pages.visit` in this same transaction,
    which has just checked what `contact_may_use` checks (the link to the account, the account open, the login
    active)."""
    pairs = {(a.contact_id, a.current_account_id) for a in actors if a.current_account_id in a.account_ids}
    counts = {a.contact_id: 0 for a in actors}
    if not pairs:
        return counts
    looking = AccountContact  # the contact's link to the account it looks at, one row per pair asked
    rows = session.exec(
        select(looking.contact_id, func.count()).select_from(ChatMessage)
        .join(ChatThread, ChatThread.id == ChatMessage.thread_id)
        .join(looking, looking.account_id == ChatThread.account_id)
        .outerjoin(ChatRead, and_(ChatRead.thread_id == ChatMessage.thread_id, ChatRead.contact_id == looking.contact_id))
        .where(tuple_(looking.contact_id, looking.account_id).in_(sorted(pairs)),
               ChatMessage.id > func.coalesce(ChatRead.last_read_message_id, 0), ChatMessage.internal == False,  # noqa: E712
               or_(ChatMessage.author_contact_id.is_(None), ChatMessage.author_contact_id != looking.contact_id))
        .group_by(looking.contact_id)).all()
    counts.update(dict(rows))
    return counts


def list_threads(session: Session, actor, *, account_id: int | None = None, archived: bool = False,
                 search: str = "", limit: int = 200) -> list[ThreadView]:
    """The threads the person may reach, newest first, with unread counts; `search` matches the subject or the
    text of a message the person may read."""
    conditions = list(visible_threads(actor))
    if isinstance(actor, ContactActor):
        conditions.append(ChatThread.account_id.in_(_contact_accounts(session, actor, account_id) or [-1]))
    elif account_id is not None:
        get_account(session, actor, account_id)
        conditions.append(ChatThread.account_id == account_id)
    conditions.append(ChatThread.archived_at.is_not(None) if archived else ChatThread.archived_at.is_(None))
    words = " ".join((search or "").split())[:200]
    if words:
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        in_text = select(ChatMessage.thread_id).where(ChatMessage.text.ilike(pattern, escape="\\"), *shown_to(actor))
        conditions.append(or_(ChatThread.subject.ilike(pattern, escape="\\"), ChatThread.id.in_(in_text)))
    rows = session.exec(select(ChatThread, Account.name, Job.name).join(Account, Account.id == ChatThread.account_id)
                        .outerjoin(Job, Job.id == ChatThread.job_id).where(*conditions)
                        .order_by(ChatThread.last_message_at.desc(), ChatThread.id.desc()).limit(limit)).all()
    ids = [t.id for t, *_ in rows]
    unread = dict(session.exec(_unread_query(actor).where(ChatMessage.thread_id.in_(ids or [-1]))
                               .group_by(ChatMessage.thread_id)).all())
    return [ThreadView(t.id, t.account_id, account_name, t.job_id, job_name or "", t.subject, t.last_message_at,
                       t.archived_at is not None, unread.get(t.id, 0), _last_text(session, actor, t.id))
            for t, account_name, job_name in rows]


def _last_text(session: Session, actor, thread_id: int) -> str:
    row = session.exec(select(ChatMessage.id, ChatMessage.text).where(ChatMessage.thread_id == thread_id,
                                                                      *shown_to(actor))
                       .order_by(ChatMessage.id.desc()).limit(1)).first()
    if row is None:
        return ""
    text = " ".join((row[1] or "").split())[:140]
    if text:
        return text
    files = attachments.attachments_by_message(session, actor, [row[0]]).get(row[0], [])
    return "📎 " + files[0].name if files else ""


def get_thread(session: Session, actor, thread_id: int) -> ThreadView:
    """One thread as the person sees it in a list."""
    thread = thread_for(session, actor, thread_id)
    account = session.get(Account, thread.account_id)
    job = session.get(Job, thread.job_id) if thread.job_id else None
    unread = dict(session.exec(_unread_query(actor).where(ChatMessage.thread_id == thread.id)
                               .group_by(ChatMessage.thread_id)).all())
    return ThreadView(thread.id, thread.account_id, account.name if account else "", thread.job_id,
                      job.name if job else "", thread.subject, thread.last_message_at, thread.archived_at is not None,
                      unread.get(thread.id, 0), _last_text(session, actor, thread.id))


def set_archived(session: Session, actor: Actor, thread_id: int, archived: bool = True) -> ChatThread:
    """Archive a thread (out of the lists; a new message brings it back) or bring it back (staff)."""
    if not isinstance(actor, Actor):
        raise PermissionDenied(_("Only the firm's team can archive a conversation."))
    thread = thread_for(session, actor, thread_id)
    if (thread.archived_at is not None) == archived:
        return thread
    thread.archived_at = utcnow() if archived else None
    session.flush()
    audit.record(session, actor, "chat_archive" if archived else "chat_unarchive", "chat_thread", thread.id,
                 f'{"Archived" if archived else "Brought back"} the conversation "{thread.subject}"',
                 account_id=thread.account_id, entity_label=thread.subject)
    return thread


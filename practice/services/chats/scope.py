"""Who may reach which thread: staff who may see its account; a contact linked to its account, never its
internal notes. Every chat service goes through these checks."""
from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, select

from practice.i18n import _
from practice.models import Account, AccountContact, ChatMessage, ChatThread, PortalLogin, PortalStatus
from practice.services.actor import Actor, ContactActor, account_visible, visible_account_ids
from practice.services.errors import NotFound, PermissionDenied

MAX_TEXT = 20_000
MAX_SUBJECT = 200


def is_staff(actor) -> bool:
    return isinstance(actor, Actor)


def require_person(actor) -> Actor | ContactActor:
    """The actor, if it is a team member or a portal contact."""
    if not isinstance(actor, (Actor, ContactActor)):
        raise PermissionDenied()
    return actor


def contact_may_use(session: Session, actor: ContactActor, account_id: int) -> bool:
    """A contact reaches an account's threads while linked to it (checked again now), the account is open and
    its portal login is active."""
    if account_id not in actor.account_ids:
        return False
    linked = session.exec(select(AccountContact.account_id).join(Account, Account.id == AccountContact.account_id)
                          .where(AccountContact.account_id == account_id, AccountContact.contact_id == actor.contact_id,
                                 Account.archived == False)).first()  # noqa: E712
    active = session.exec(select(PortalLogin.id).where(PortalLogin.contact_id == actor.contact_id,
                                                        PortalLogin.status == PortalStatus.active)).first()
    return linked is not None and active is not None


def thread_for(session: Session, actor, thread_id: int) -> ChatThread:
    """The thread, if the actor may reach it; another account's thread is reported missing to a contact."""
    require_person(actor)
    thread = session.get(ChatThread, thread_id) if isinstance(thread_id, int) else None
    if isinstance(actor, ContactActor):
        if thread is None or not contact_may_use(session, actor, thread.account_id):
            raise NotFound(_("That conversation is not in your portal (it may have been removed)."))
        return thread
    if thread is None:
        raise NotFound(_("That conversation no longer exists."))
    cond = account_visible(actor, ChatThread.account_id)
    if cond is not None and not session.exec(select(ChatThread.id).where(ChatThread.id == thread.id, cond)).first():
        raise PermissionDenied(_("You do not have access to this account. Ask an admin to add you to its team."))
    return thread


def visible_threads(actor):
    """Conditions limiting ChatThread rows to those the actor may reach (a contact: its linked accounts; the
    caller also checks `contact_may_use` on the account it lists)."""
    if isinstance(actor, ContactActor):
        return [ChatThread.account_id.in_(actor.account_ids or (-1,))]
    cond = visible_account_ids(actor, ChatThread.account_id)
    return [] if cond is None else [cond]


def shown_to(actor):
    """Conditions limiting ChatMessage rows to what the actor may read: a contact never reads internal notes."""
    return [ChatMessage.internal == False] if isinstance(actor, ContactActor) else []  # noqa: E712


def not_written_by(actor):
    """Messages someone else wrote (what can be unread for this person)."""
    if isinstance(actor, ContactActor):
        return or_(ChatMessage.author_contact_id.is_(None), ChatMessage.author_contact_id != actor.contact_id)
    return or_(ChatMessage.author_member_id.is_(None), ChatMessage.author_member_id != actor.member_id)


def counts_as_unread(actor):
    """What a person's unread counts hold: for a contact, every message of the firm it has not read; for staff,
    what the account's contacts wrote (colleagues' messages and notes do not pile up in everyone's count)."""
    if isinstance(actor, ContactActor):
        return [not_written_by(actor), ChatMessage.internal == False]  # noqa: E712
    return [ChatMessage.author_contact_id.is_not(None)]


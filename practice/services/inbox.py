"""Inbox+: each team member's notifications, and which kinds each member wants."""
from __future__ import annotations

from sqlalchemy import func, update
from sqlmodel import Session, select

import rules
from practice import routes
from practice.models import AccountTeam, JobAssignee, Notification, NotificationPreference, Role, TeamMember, utcnow
from practice.services.actor import Actor
from practice.i18n import N_, _
from practice.services.errors import NotFound, PermissionDenied

# Kinds a member can turn off; later features (portal, signatures) add theirs here.
KINDS = {  # shown translated: _(KINDS[kind])
    "notify": N_("Messages from automations"),
    "job_created_by_recurrence": N_("Jobs created by a recurrence"),
    "task_assigned": N_("Tasks assigned to me"),
    "automation_failed": N_("Automations that failed"),
    "client_activity": N_("What clients do in the portal (uploads, tasks, approvals, signatures, proposals)"),
    "chat_message": N_("Messages from clients in chats"),
    "invoice_paid": N_("Invoices paid in full"),
    "chat_mention": N_("Colleagues mentioning me in a chat's internal note"),
}


def wants(session: Session, member_id: int, kind: str) -> bool:
    pref = session.get(NotificationPreference, (member_id, kind))
    return True if pref is None else pref.enabled


def notify(session: Session, *, member_id: int, text: str, kind: str = "notify", link: str = "",
           key: str | None = None) -> Notification | None:
    """Add a notification in the caller's transaction (None when the member turned the kind off).
    With a key, a second call with the same key adds nothing. A sentence of the app is given as words
    (`said(...)`), so that the member reads it in their language whenever they read it (`told`)."""
    if not wants(session, member_id, kind):
        return None
    if key:
        existing = session.exec(select(Notification).where(Notification.key == key)).first()
        if existing:
            return existing
    note = Notification(member_id=member_id, kind=kind, text=str(text)[:2000], text_words=rules.kept(text), link=link,
                        key=key)
    session.add(note)
    session.flush()
    return note


def staff_for(session: Session, *, account_id: int | None, job_id: int | None = None) -> list[int]:
    """Who hears about a client's activity: the job's assignees, else the account's team, else owners and admins."""
    active = select(TeamMember.id).where(TeamMember.active == True)  # noqa: E712
    if job_id is not None:
        ids = list(session.exec(active.join(JobAssignee, JobAssignee.member_id == TeamMember.id)
                                .where(JobAssignee.job_id == job_id).order_by(TeamMember.id)))
        if ids:
            return ids
    if account_id is not None:
        ids = list(session.exec(active.join(AccountTeam, AccountTeam.member_id == TeamMember.id)
                                .where(AccountTeam.account_id == account_id).order_by(TeamMember.id)))
        if ids:
            return ids
    return list(session.exec(active.where(TeamMember.role.in_([Role.owner, Role.admin])).order_by(TeamMember.id)))


def said(template: str, **values) -> str:
    """A notification's sentence: English `template` (marked N_) and its values, told in each reader's language."""
    return rules.Words(template, **values)


def told(note: Notification) -> str:
    """The notification's text in the reader's language."""
    return rules.said(note.text, note.text_words, _)


def client_label(person: str, account: str | None) -> str:
    """Who did it, with their account when that says more: "Dana Whitfield (Whitfield LLC)", but a person whose
    account bears their own name is named once ("Dana Whitfield", never "Dana Whitfield (Dana Whitfield)")."""
    person, account = (person or "").strip(), (account or "").strip()
    if not account or " ".join(account.casefold().split()) == " ".join(person.casefold().split()):
        return person or account or said(N_("A client"))
    return f"{person} ({account})" if person else account


def notify_client_activity(session: Session, *, account_id: int | None, job_id: int | None = None,
                           text: str) -> int:
    """Tell the staff who care (see `staff_for`) about something a client did; returns how many were told."""
    link = routes.job_url(job_id) if job_id else (routes.account_url(account_id) if account_id else "")
    told = 0
    for member_id in staff_for(session, account_id=account_id, job_id=job_id):
        if notify(session, member_id=member_id, text=text, kind="client_activity", link=link) is not None:
            told += 1
    return told


def _mine(session: Session, actor: Actor, notification_id: int) -> Notification:
    note = session.get(Notification, notification_id)
    if not note:
        raise NotFound(_("That notification no longer exists."))
    if note.member_id != actor.member_id:
        raise PermissionDenied(_("That notification is someone else's."))
    return note


def list_notifications(session: Session, actor: Actor, *, archived: bool = False, limit: int = 100) -> list[Notification]:
    return list(session.exec(select(Notification).where(Notification.member_id == actor.member_id,
                                                        Notification.archived == archived)
                             .order_by(Notification.id.desc()).limit(limit)))


def fingerprint(session: Session, member_id: int) -> tuple[int, int]:
    """(unread count, newest id): cheap to poll, changes whenever the badge should."""
    row = session.execute(select(func.count(), func.max(Notification.id)).where(
        Notification.member_id == member_id, Notification.archived == False,  # noqa: E712
        Notification.read_at.is_(None))).one()
    return int(row[0]), int(row[1] or 0)


def newest_id(session: Session) -> int:
    """The newest notification's id, anyone's (the live badges poll it to learn that something arrived)."""
    return int(session.exec(select(func.max(Notification.id))).one() or 0)


def mark_read(session: Session, actor: Actor, notification_id: int, read: bool = True) -> None:
    note = _mine(session, actor, notification_id)
    note.read_at = utcnow() if read else None


def mark_all_read(session: Session, actor: Actor) -> int:
    res = session.execute(update(Notification).where(Notification.member_id == actor.member_id,
                                                     Notification.read_at.is_(None)).values(read_at=utcnow()))
    return res.rowcount


def archive(session: Session, actor: Actor, notification_id: int, archived: bool = True) -> None:
    note = _mine(session, actor, notification_id)
    note.archived = archived
    if archived and note.read_at is None:
        note.read_at = utcnow()


def preferences(session: Session, actor: Actor) -> dict[str, bool]:
    return {kind: wants(session, actor.member_id, kind) for kind in KINDS}


def set_preference(session: Session, actor: Actor, kind: str, enabled: bool) -> None:
    if kind not in KINDS:
        raise NotFound(_("There is no such kind of notification."))
    pref = session.get(NotificationPreference, (actor.member_id, kind))
    if pref is None:
        session.add(NotificationPreference(member_id=actor.member_id, kind=kind, enabled=enabled))
    else:
        pref.enabled = enabled

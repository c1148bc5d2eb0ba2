"""The drive's domain side: who a WebDAV login is, and how accounts, folders and documents are named
as paths. The WebDAV wiring lives in `practice.drive_app`; every change goes through `documents`.

A drive login is the staff member's or the client contact's own email and password, checked and
throttled like the app's logins. A WebDAV client cannot ask for a two-factor code, so a staff member
with two-factor sign-in on (or required by the firm and not yet set up) cannot use the drive with a
password alone; the refusal is audited. When an email belongs to a staff member and to a portal
login, the staff login is the one checked.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, true
from sqlmodel import Session, select

from practice.i18n import N_, _
from practice.models import (Account, Contact, Document, DocumentStatus, Folder, PortalLogin,
                             PortalStatus, Role, TeamMember)
from practice.services import audit, firm
from practice.services.access import login_safety, two_factor
from practice.services.actor import Actor, ContactActor, contact_name, linked_account_ids, visible_account_ids
from practice.services.access.auth import verify_password
from practice.services.documents.permissions import Uploader, check_account
from practice.services.documents.sharing import hidden_folder_ids, shown_condition
from practice.services.errors import PermissionDenied, PracticeError

BAD_LOGIN = N_("That email and password do not match. Check them and try again.")
TWO_FACTOR_REFUSED = N_("Your login uses two-factor sign-in, which a network drive cannot ask for, "
                        "so the drive is not available to it. Use the app in the browser.")


@dataclass(frozen=True)
class DriveUser:
    """Who passed the password check: a staff member or a client contact, by id."""

    kind: str  # "staff" or "contact"
    id: int
    email: str


def _needs_second_factor(session: Session, member: TeamMember) -> bool:
    return two_factor.is_enabled(session, member.id) or two_factor.must_set_up(session, member.id)


def sign_in(session: Session, email: str, password: str, *, ip: str | None = None,
            now: dt.datetime | None = None) -> DriveUser:
    """Check a drive login (throttled like the app's); PermissionDenied with a sentence otherwise.

    Failures are committed here because the caller's write_session rolls back on the exception."""
    email = (email or "").strip().lower()[:320]
    member = session.exec(select(TeamMember).where(TeamMember.email == email)).first() if email else None
    kind = "staff" if member is not None else "contact"
    principal = login_safety.principal_key(kind, email)
    keys = login_safety.keys_for(principal, ip, now=now)  # a WebDAV client keeps no device cookie
    login_safety.check(session, keys, now=now)
    login = None
    if member is not None:
        ok = verify_password(member.password_hash, password or "") and member.active
        user_id = member.id
    else:
        login = session.exec(select(PortalLogin).where(PortalLogin.email == email)).first() if email else None
        ok = verify_password(login.password_hash if login else "", password or "") and \
            login is not None and login.status == PortalStatus.active
        user_id = login.contact_id if login else None
    who = Actor(None, email or "unknown", Role.employee)
    if not ok:
        audit.record(session, who, "drive_login_failed", "team_member" if kind == "staff" else "contact",
                     user_id, f"Failed drive login for {email or 'an empty email'}")
        login_safety.record_failure(session, keys, now=now)
        session.commit()
        raise PermissionDenied(_(BAD_LOGIN))
    if member is not None and _needs_second_factor(session, member):
        audit.record(session, Actor.of(member), "drive_login_refused", "team_member", member.id,
                     f"Drive login refused for {member.name}: two-factor sign-in is on")
        session.commit()
        raise PermissionDenied(_(TWO_FACTOR_REFUSED))
    login_safety.record_success(session, *keys)
    return DriveUser(kind, user_id, email)


def actor_for(session: Session, user: DriveUser) -> Uploader | None:
    """The actor for a signed-in drive user, re-read on every request (None once the login stopped working)."""
    if user.kind == "staff":
        member = session.get(TeamMember, user.id)
        if member is None or not member.active or member.email != user.email or _needs_second_factor(session, member):
            return None
        return Actor.of(member, firm.language_for(session, member.language))
    login = session.exec(select(PortalLogin).where(PortalLogin.contact_id == user.id)).first()
    contact = session.get(Contact, user.id)
    if login is None or contact is None or login.status != PortalStatus.active or login.email != user.email:
        return None
    return ContactActor(contact_id=contact.id, name=contact_name(contact),
                        account_ids=tuple(linked_account_ids(session, contact.id)),
                        language=firm.language_for(session, contact.language))


# --- names as paths -----------------------------------------------------------------------------

_LABEL_ID = re.compile(r"\((\d{1,12})\)$")


def safe_segment(name: str) -> str:
    """A name usable as one path segment: no slashes, no control characters, never "." or ".."."""
    text = "".join(ch for ch in str(name or "") if ch.isprintable()).replace("/", "-").replace("\\", "-").strip()
    return text if text.strip(".") else "_"


def account_label(account_id: int, name: str) -> str:
    """How an account appears at the drive's top level: "Account Name (id)"."""
    return f"{safe_segment(name)} ({account_id})"


def visible_accounts(session: Session, who: Uploader) -> list[tuple[int, str]]:
    """The (id, label) of each open account whose documents `who` may see, by name."""
    stmt = select(Account.id, Account.name).where(Account.archived == False)  # noqa: E712
    if isinstance(who, ContactActor):
        if not who.account_ids:
            return []
        stmt = stmt.where(Account.id.in_(who.account_ids))
    else:
        cond = visible_account_ids(who, Account.id)
        if cond is not None:
            stmt = stmt.where(cond)
    rows = session.exec(stmt.order_by(func.lower(Account.name), Account.id)).all()
    return [(i, account_label(i, n)) for i, n in rows]


def account_for_label(session: Session, who: Uploader, label: str) -> int | None:
    """The account behind a top-level name, if `who` may see it and the name matches exactly."""
    match = _LABEL_ID.search(label or "")
    if not match:
        return None
    account_id = int(match.group(1))
    try:
        account = check_account(session, who, account_id)
    except PracticeError:  # an unknown id looks like a forbidden one
        return None
    if account.archived or account_label(account.id, account.name) != label:
        return None
    return account.id


@dataclass
class Listing:
    """One folder's contents as the drive shows them: unique names to folders and documents."""

    folders: dict[str, Folder]
    documents: dict[str, Document]

    def names(self) -> list[str]:
        return list(self.folders) + list(self.documents)


def _unique(name: str, taken: set[str], doc_id: int) -> str:
    if name.lower() not in taken:
        return name
    stem, dot, ext = name.rpartition(".")
    return f"{stem} ({doc_id}).{ext}" if dot and stem else f"{name} ({doc_id})"


def listing(session: Session, who: Uploader, account_id: int, folder_id: int | None) -> Listing:
    """The subfolders and documents directly in one folder (None: the account's top level).

    Documents sharing a name (the app allows it) keep it for the oldest; the others get their id
    added, so each path names one document. A client's login lists only what the firm shared."""
    check_account(session, who, account_id)
    client = isinstance(who, ContactActor)
    hidden = hidden_folder_ids(session, account_id) if client else set()
    if folder_id in hidden:
        return Listing({}, {})
    parent_cond = Folder.parent_id.is_(None) if folder_id is None else Folder.parent_id == folder_id
    folders = {}
    for f in session.exec(select(Folder).where(Folder.account_id == account_id, parent_cond)
                          .order_by(func.lower(Folder.name), Folder.id)):
        if f.id not in hidden:
            folders[safe_segment(f.name)] = f
    taken = {n.lower() for n in folders}
    doc_cond = Document.folder_id.is_(None) if folder_id is None else Document.folder_id == folder_id
    documents = {}
    shown = shown_condition(session, account_id) if client else true()
    for d in session.exec(select(Document).where(Document.account_id == account_id, doc_cond, shown,
                                                 Document.deleted_at.is_(None),
                                                 Document.status == DocumentStatus.ok).order_by(Document.id)):
        name = _unique(safe_segment(d.name), taken, d.id)
        taken.add(name.lower())
        documents[name] = d
    return Listing(folders, documents)

"""A team member's forgotten password: a one-time link by email (the same rules as the portal's: one hour, single
use, a newer link replaces the older, only its hash kept), the same answer whether or not the email is the team's,
and, once the new password is set, every session of that member ends.

Throttling stays in force: an address locked for failed logins can neither ask for links nor use one, a link that
does not work counts as a failure of that address, and a reset does not lift a lock on the login itself (nor skip
two-factor sign-in: the next login still asks for the code). The email itself is queued by
`services/mail/password_reset.py` (mail sits above this package).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlmodel import Session, select

from practice.i18n import N_, _
from practice.models import LoginSession, PendingLogin, StaffToken, TeamMember, utcnow
from practice.services import audit, one_time_links
from practice.services.access import login_safety
from practice.services.access.auth import hash_password
from practice.services.access.passwords import check_password
from practice.services.actor import Actor
from practice.services.errors import PermissionDenied, PracticeError

RESET = "reset"
RESET_TTL = dt.timedelta(hours=1)
RESETS_PER_HOUR = 3  # more would only fill the member's mailbox
FORGOT_SENTENCE = N_("If that email belongs to a member of the team, a link to choose a new password is on its way. "
                     "It works for one hour.")
LINK_SENTENCES = one_time_links.Sentences(
    unknown=N_("This password reset link is not valid. Check that you opened the whole link from the email."),
    used=N_("This password reset link was already used or replaced by a newer one. Ask for a new one."),
    expired=N_("This password reset link has expired (links work for one hour). Ask for a new one."))
GONE = N_("This team member can no longer log in. Ask the firm's owner.")


def issue_link(session: Session, email: str, *, ip: str | None = None) -> tuple[TeamMember, str] | None:
    """A reset token for the active member with this email; None when there is none or they asked too often
    (the caller answers the same either way)."""
    login_safety.check(session, [login_safety.ip_key(ip)])
    email = (email or "").strip().lower()[:320]
    member = session.exec(select(TeamMember).where(TeamMember.email == email)).first() if email else None
    if member is None or not member.active:
        return None
    owner = ("member_id", member.id)
    if one_time_links.issued_since(session, StaffToken, owner, RESET, utcnow() - dt.timedelta(hours=1)) \
            >= RESETS_PER_HOUR:
        return None
    token = one_time_links.issue(session, StaffToken, owner, RESET, RESET_TTL)
    audit.record(session, Actor.of(member), "password_reset_requested", "team_member", member.id,
                 f"{member.name} asked for a password reset link")
    return member, token


def _row_and_member(session: Session, token: str, keys: list[str | None]) -> tuple[StaffToken, TeamMember]:
    login_safety.check(session, keys)
    try:
        row = one_time_links.valid(session, StaffToken, RESET, token, LINK_SENTENCES)
    except PracticeError:
        login_safety.record_failure(session, keys)
        session.commit()  # keep the count although the caller rolls back on the error
        raise
    member = session.get(TeamMember, row.member_id)
    if member is None or not member.active:
        raise PermissionDenied(_(GONE))
    return row, member


def email_for_link(session: Session, token: str, *, ip: str | None = None) -> str:
    """The email a working reset link is for (shown on the page); raises a sentence otherwise."""
    return _row_and_member(session, token, [login_safety.ip_key(ip)])[1].email


def reset_password(session: Session, token: str, password: str, *, ip: str | None = None) -> str:
    """Set a new password with a reset link (used once); every session of the member ends. Returns the email."""
    row, member = _row_and_member(session, token, [login_safety.ip_key(ip)])
    check_password(password or "", member.email)
    now = utcnow()
    member.password_hash = hash_password(password)
    row.used_at = now
    ended = session.execute(update(LoginSession).where(LoginSession.member_id == member.id,
                                                       LoginSession.ended_at.is_(None)).values(ended_at=now)).rowcount
    # A login half-way through its two-factor step was started with the old password: it cannot finish.
    session.execute(update(PendingLogin).where(PendingLogin.member_id == member.id,
                                               PendingLogin.used_at.is_(None)).values(used_at=now))
    audit.record(session, Actor.of(member), "password_reset", "team_member", member.id,
                 f"{member.name} chose a new password with an emailed link"
                 + (f"; {ended} open session{'s' if ended != 1 else ''} ended" if ended else ""))
    return member.email

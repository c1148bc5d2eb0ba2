"""Staff login: argon2id passwords, an optional two-factor code step, and server-side sessions keyed by
the hash of a random id; repeated failures are slowed down and locked by `login_safety`."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import update
from sqlmodel import Session, select

from practice.i18n import N_, _
from practice.models import LoginSession, PendingLogin, TeamMember, utcnow
from practice.services import audit, firm
from practice.services.access import login_safety, two_factor
from practice.services.actor import Actor
from practice.services.errors import InvalidInput, PermissionDenied

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
IDLE_TIMEOUT = dt.timedelta(hours=8)
ABSOLUTE_TIMEOUT = dt.timedelta(days=7)
MIN_PASSWORD = 8


@functools.cache
def _dummy_hash() -> str:
    """Verifying against this keeps a wrong email as slow as a wrong password. Made on first use, not on import:
    a hash takes a good part of a second of processor, which every worker, mailer and command would pay at start."""
    return _hasher.hash("not a real password")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(_("Choose a password of at least {count} characters.").format(count=MIN_PASSWORD), field="password")
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass
class LoginStep:
    """What the password step led to: a session (`sid`), or a code still to enter (`pending_id`)."""

    member: TeamMember
    sid: str | None = None
    pending_id: str | None = None


PENDING_LIFETIME = dt.timedelta(minutes=5)
PENDING_ATTEMPTS = 5
NO_MATCH = N_("That email and password do not match. Check them and try again.")
PENDING_GONE = N_("That sign-in has expired. Start again with your email and password.")


def _refuse(session: Session, keys: list[str | None], email: str, member: TeamMember | None,
            now: dt.datetime, sentence: str, what: str = "login") -> None:
    """Count a failure, audit it (and any lock it caused), commit, and raise the sentence.

    Committed here because the caller's write_session rolls back on the exception, which would
    otherwise erase the record of the failed attempt."""
    who = Actor(None, email or "unknown", "employee")
    entity_id = member.id if member else None
    audit.record(session, who, "login_failed", "team_member", entity_id,
                 f"Failed {what} for {email or 'an empty email'}")
    for key in login_safety.record_failure(session, keys, now=now):
        audit.record(session, who, "login_locked", "team_member", entity_id,
                     f"Logins for {key} locked after repeated failures", key=key)
    session.commit()
    raise PermissionDenied(sentence)


def _start_session(session: Session, member: TeamMember, keys: list[str | None], now: dt.datetime,
                   old_sid: str | None, how: str = "") -> str:
    """A brand-new session for the member (any session the browser had is ended first)."""
    _end(session, old_sid, now)
    login_safety.record_success(session, *keys)
    sid = secrets.token_urlsafe(32)
    session.add(LoginSession(id_hash=_digest(sid), member_id=member.id, created_at=now, last_seen_at=now))
    audit.record(session, Actor.of(member), "login", "team_member", member.id,
                 f"{member.name} logged in{how}")
    return sid


def start_login(session: Session, email: str, password: str, *, ip: str | None = None, device: str | None = None,
                old_sid: str | None = None, now: dt.datetime | None = None) -> LoginStep:
    """The password step: a new session, or (two-factor on) a pending login that needs a code. `device` is the
    browser's device cookie (see `device_cookies`): a browser that logged in before as this member has its own count."""
    now = now or utcnow()
    email = (email or "").strip().lower()[:320]
    principal = login_safety.principal_key("staff", email)
    keys = login_safety.keys_for(principal, ip, device, now=now)
    login_safety.check(session, keys, now=now)
    member = session.exec(select(TeamMember).where(TeamMember.email == email)).first()
    ok = verify_password(member.password_hash if member else "", password or "")
    if not member or not ok or not member.active:
        _refuse(session, keys, email, member, now, _(NO_MATCH))
    if two_factor.is_enabled(session, member.id):
        pending_id = secrets.token_urlsafe(32)
        session.add(PendingLogin(id_hash=_digest(pending_id), member_id=member.id, principal=principal,
                                 created_at=now, expires_at=now + PENDING_LIFETIME))
        return LoginStep(member=member, pending_id=pending_id)
    return LoginStep(member=member, sid=_start_session(session, member, keys, now, old_sid))


def finish_login(session: Session, pending_id: str | None, code: str, *, ip: str | None = None,
                 device: str | None = None, old_sid: str | None = None,
                 now: dt.datetime | None = None) -> tuple[str, TeamMember]:
    """The code step: an authenticator or recovery code turns the pending login into a session."""
    now = now or utcnow()
    row = session.exec(select(PendingLogin).where(PendingLogin.id_hash == _digest(pending_id or ""))).first() \
        if pending_id else None
    if not row or row.used_at or now >= row.expires_at or row.attempts >= PENDING_ATTEMPTS:
        raise PermissionDenied(_(PENDING_GONE))
    keys = login_safety.keys_for(row.principal, ip, device, now=now)
    keys += login_safety.code_keys(keys)  # a daily cap on wrong codes, besides the throttle
    login_safety.check(session, keys, now=now)
    member = session.get(TeamMember, row.member_id)
    how = two_factor.check_code(session, member, code, now=now) if member and member.active else None
    if how is None:
        row.attempts += 1
        last = row.attempts >= PENDING_ATTEMPTS
        _refuse(session, keys, member.email if member else "", member, now,
                _(PENDING_GONE) if last else _(two_factor.WRONG_CODE) + " " + _("Or use a recovery code."), what="two-factor code")
    row.used_at = now
    sid = _start_session(session, member, keys, now, old_sid,
                         " with a recovery code" if how == "recovery" else " with two-factor")
    return sid, member


def log_in(session: Session, email: str, password: str, **kwargs) -> tuple[str, TeamMember]:
    """Password-only login (members without two-factor sign-in): a new session id and the member."""
    step = start_login(session, email, password, **kwargs)
    if step.sid is None:
        raise PermissionDenied(_("This login needs a two-factor code."))
    return step.sid, step.member


def actor_for_session(session: Session, sid: str | None, *, now: dt.datetime | None = None) -> Actor | None:
    """The actor behind a browser's session id, or None when it is unknown, ended or timed out."""
    if not sid:
        return None
    row = session.exec(select(LoginSession).where(LoginSession.id_hash == _digest(sid))).first()
    now = now or utcnow()
    if not row or row.ended_at or now - row.created_at > ABSOLUTE_TIMEOUT or now - row.last_seen_at > IDLE_TIMEOUT:
        return None
    member = session.get(TeamMember, row.member_id)
    if not member or not member.active:
        return None
    return Actor.of(member, firm.language_for(session, member.language))


# How stale a session's recorded activity may get before a page view writes it again (the idle timeout is hours).
TOUCH_EVERY = dt.timedelta(minutes=1)


def touch_session(session: Session, sid: str, *, now: dt.datetime | None = None) -> None:
    """Note activity on the session (the idle timeout counts from the last one), unless it was noted under a
    minute ago: one conditional UPDATE, so a page view within the minute changes nothing."""
    now = now or utcnow()
    session.execute(update(LoginSession).where(LoginSession.id_hash == _digest(sid), LoginSession.ended_at.is_(None),
                                               LoginSession.last_seen_at <= now - TOUCH_EVERY)
                    .values(last_seen_at=now))


def _end(session: Session, sid: str | None, now: dt.datetime) -> LoginSession | None:
    """End a session quietly (a new login replaces it); return it when it was still open."""
    if not sid:
        return None
    row = session.exec(select(LoginSession).where(LoginSession.id_hash == _digest(sid))).first()
    if row and not row.ended_at:
        row.ended_at = now
        return row
    return None


def log_out(session: Session, sid: str | None, *, now: dt.datetime | None = None) -> None:
    row = _end(session, sid, now or utcnow())
    if row:
        member = session.get(TeamMember, row.member_id)
        if member:
            audit.record(session, Actor.of(member), "logout", "team_member", member.id, f"{member.name} logged out")

"""Staff login: argon2id passwords and server-side sessions keyed by the hash of a random id."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from practice.models import LoginSession, TeamMember, utcnow
from practice.services import audit
from practice.services.actor import Actor
from practice.services.errors import InvalidInput, PermissionDenied

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
IDLE_TIMEOUT = dt.timedelta(hours=8)
ABSOLUTE_TIMEOUT = dt.timedelta(days=7)
MIN_PASSWORD = 8
# Verifying against this keeps a wrong email as slow as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"Choose a password of at least {MIN_PASSWORD} characters.", field="password")
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def log_in(session: Session, email: str, password: str) -> tuple[str, TeamMember]:
    """Check the credentials; return a new session id for the browser and the member."""
    email = (email or "").strip().lower()
    member = session.exec(select(TeamMember).where(TeamMember.email == email)).first()
    ok = verify_password(member.password_hash if member else "", password or "")
    if not member or not ok or not member.active:
        audit.record(session, Actor(None, email or "unknown", "employee"), "login_failed", "team_member",
                     member.id if member else None, f"Failed login for {email or 'an empty email'}")
        # Commit now: the caller's write_session rolls back on the exception below, which
        # would otherwise erase the record of the failed attempt.
        session.commit()
        raise PermissionDenied("That email and password do not match. Check them and try again.")
    sid = secrets.token_urlsafe(32)
    session.add(LoginSession(id_hash=_digest(sid), member_id=member.id))
    audit.record(session, Actor.of(member), "login", "team_member", member.id, f"{member.name} logged in")
    return sid, member


def actor_for_session(session: Session, sid: str | None) -> Actor | None:
    """The actor behind a browser's session id, or None when it is unknown, ended or timed out."""
    if not sid:
        return None
    row = session.exec(select(LoginSession).where(LoginSession.id_hash == _digest(sid))).first()
    now = utcnow()
    if not row or row.ended_at or now - row.created_at > ABSOLUTE_TIMEOUT or now - row.last_seen_at > IDLE_TIMEOUT:
        return None
    member = session.get(TeamMember, row.member_id)
    if not member or not member.active:
        return None
    return Actor.of(member)


def touch_session(session: Session, sid: str) -> None:
    row = session.exec(select(LoginSession).where(LoginSession.id_hash == _digest(sid))).first()
    if row:
        row.last_seen_at = utcnow()


def log_out(session: Session, sid: str | None) -> None:
    if not sid:
        return
    row = session.exec(select(LoginSession).where(LoginSession.id_hash == _digest(sid))).first()
    if row and not row.ended_at:
        row.ended_at = utcnow()
        member = session.get(TeamMember, row.member_id)
        if member:
            audit.record(session, Actor.of(member), "logout", "team_member", member.id, f"{member.name} logged out")

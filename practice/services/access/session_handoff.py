"""From a login to the browser's session cookie, without the page's script ever holding the session id.

A login (staff or portal) happens over the websocket, where no HttpOnly cookie can be set. So the login step
asks for a one-time token here (`hand_off`) and sends the browser to the backend's /session/start with it; that
endpoint trades the token (`redeem`) for the session id and sets it as an HttpOnly cookie. Redeeming gives the
session a new id: the one the login step saw in the server's memory stops working, and only the cookie holds the
live one. A token works once, for a minute, and only its SHA-256 is stored.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import Session, select

from practice.models import LoginSession, PortalSession, SessionHandoff, utcnow
from practice.services.errors import InvalidInput, PermissionDenied
from practice.services.one_time_links import digest
from practice.i18n import N_, _

STAFF, PORTAL = "staff", "portal"
_SESSIONS = {STAFF: LoginSession, PORTAL: PortalSession}
LIFETIME = dt.timedelta(minutes=1)
GONE = N_("That sign-in has expired or was already used. Log in again.")


@dataclass(frozen=True)
class Handoff:
    """What /session/start sets: the cookie of this kind with this session id, then where the browser goes."""

    kind: str
    sid: str
    next_path: str


def _safe_path(path: str) -> str:
    """Only a path of this site (never `//other.example` or a full address) is a place to send the browser on to."""
    path = str(path or "/")
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else "/"


def hand_off(session: Session, kind: str, sid: str, next_path: str = "/", *, now: dt.datetime | None = None) -> str:
    """A one-time token that /session/start turns into the browser's cookie for the open session `sid`."""
    table = _SESSIONS.get(kind)
    if table is None:
        raise InvalidInput(_("Unknown kind of session {kind}.").format(kind=repr(kind)))
    now = now or utcnow()
    row = session.exec(select(table).where(table.id_hash == digest(sid or ""))).first() if sid else None
    if row is None or row.ended_at is not None:
        raise PermissionDenied(_(GONE))
    # Tokens past their minute are of no use to anyone: keep the table small.
    session.execute(delete(SessionHandoff).where(SessionHandoff.expires_at < now))
    token = secrets.token_urlsafe(32)
    session.add(SessionHandoff(token_hash=digest(token), kind=kind, session_row_id=row.id,
                               next_path=_safe_path(next_path), created_at=now, expires_at=now + LIFETIME))
    return token


def redeem(session: Session, token: str, *, now: dt.datetime | None = None) -> Handoff:
    """Use a token once: the session it names gets a new id, returned for the cookie."""
    now = now or utcnow()
    handoff = session.exec(select(SessionHandoff).where(SessionHandoff.token_hash == digest(token))).first() \
        if token else None
    if handoff is None or handoff.used_at is not None or now >= handoff.expires_at:
        raise PermissionDenied(_(GONE))
    handoff.used_at = now
    table = _SESSIONS.get(handoff.kind)
    row = session.get(table, handoff.session_row_id) if table else None
    if row is None or row.ended_at is not None:
        raise PermissionDenied(_(GONE))
    sid = secrets.token_urlsafe(32)
    row.id_hash = digest(sid)
    return Handoff(kind=handoff.kind, sid=sid, next_path=_safe_path(handoff.next_path))

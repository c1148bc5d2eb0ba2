"""One-time links sent by email (a portal activation, a client's or a team member's password reset): a random token
in the link, only its SHA-256 at rest; each works once, until it expires, and a newer link of the same kind replaces
the ones not yet used. The token tables differ only in whose link it is (`contact_id`, `member_id`)."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import Session, select

from practice.i18n import _
from practice.models import utcnow
from practice.services.errors import Conflict, InvalidInput


def digest(value: str) -> str:
    """What the database keeps of a secret sent to a browser (a link token, a session id)."""
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class Sentences:
    """What the person reads when a link does not work: unknown, already used (or replaced), expired."""

    unknown: str
    used: str
    expired: str


def issue(session: Session, table, owner: tuple[str, int], kind: str, ttl: dt.timedelta) -> str:
    """A fresh token for `owner` (column name, id); earlier unused ones of the same kind stop working."""
    column, owner_id = owner
    now = utcnow()
    session.execute(update(table).where(getattr(table, column) == owner_id, table.kind == kind,
                                        table.used_at.is_(None)).values(used_at=now))
    token = secrets.token_urlsafe(32)
    session.add(table(kind=kind, token_hash=digest(token), created_at=now, expires_at=now + ttl, **{column: owner_id}))
    return token


def valid(session: Session, table, kind: str, token: str, sentences: Sentences):
    """The unused, unexpired row of this token (the caller marks it used); raises the fitting sentence otherwise."""
    row = session.exec(select(table).where(table.token_hash == digest(token), table.kind == kind)).first() \
        if token else None
    if row is None:
        raise InvalidInput(_(sentences.unknown))
    if row.used_at is not None:
        raise Conflict(_(sentences.used))
    if utcnow() > row.expires_at:
        raise InvalidInput(_(sentences.expired))
    return row


def issued_since(session: Session, table, owner: tuple[str, int], kind: str, since: dt.datetime) -> int:
    """How many links of this kind `owner` was sent since then (a brake on filling someone's mailbox)."""
    column, owner_id = owner
    return session.exec(select(func.count()).select_from(table).where(
        getattr(table, column) == owner_id, table.kind == kind, table.created_at > since)).one()

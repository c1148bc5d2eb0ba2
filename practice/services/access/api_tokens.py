"""Personal access tokens for the REST API (`/api/v1`, `practice/api_routes.py`): a team member makes one in
Settings → API tokens, reads its secret once, and gives it to another program, which then acts as that member: it
sees exactly the accounts the member sees in the app, and its writes are audited under the member's name.

Only the SHA-256 of the secret is kept (like the sessions' ids and the one-time links); the first characters are kept
too, for telling tokens apart. A token is scoped ("read", or "write", which reads as well), stops working when it is
revoked or its member is deactivated, and notes when it was last used (at most once a minute). Creating and revoking
a token writes an audit row.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import Session, select

from practice.i18n import N_, _
from practice.models import ApiToken, TeamMember, utcnow
from practice.services import audit, firm
from practice.services.actor import Actor, require_staff
from practice.services.errors import InvalidInput, NotFound, PermissionDenied
from practice.services.formatting import format_datetime
from practice.services.one_time_links import digest

READ, WRITE = "read", "write"
SCOPES = (READ, WRITE)
SCOPE_NAMES = {READ: N_("Read only"), WRITE: N_("Read and write")}
# Every secret starts with this, so a token pasted somewhere it should not be is easy to recognize and search for.
SECRET_START = "prt_"
PREFIX_LENGTH = len(SECRET_START) + 6
MAX_NAME = 100
# Tokens a member may have working at once (a brake on a script that makes one per run).
MAX_ACTIVE = 20
TOUCH_EVERY = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class TokenUse:
    """Who a request's token acts as, and what it may do."""

    actor: Actor
    token_id: int
    scope: str

    @property
    def may_write(self) -> bool:
        return self.scope == WRITE


def scope_name(scope: str) -> str:
    return _(SCOPE_NAMES.get(scope, SCOPE_NAMES[READ]))


def create_token(session: Session, actor: Actor, name: str, scope: str) -> tuple[ApiToken, str]:
    """A new token of the actor's, and its secret (shown once: only its digest is kept)."""
    require_staff(actor)
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(_("Give the token a name, such as the program that will use it."), field="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(_("Keep the token's name under {count} characters.").format(count=MAX_NAME), field="name")
    if scope not in SCOPES:
        raise InvalidInput(_("Choose what the token may do: read only, or read and write."), field="scope")
    working = session.exec(select(func.count()).select_from(ApiToken).where(
        ApiToken.member_id == actor.member_id, ApiToken.revoked_at.is_(None))).one()
    if working >= MAX_ACTIVE:
        raise InvalidInput(_("You have {count} working tokens already. Revoke one you no longer use first.")
                           .format(count=MAX_ACTIVE), field="name")
    secret = SECRET_START + secrets.token_urlsafe(32)
    token = ApiToken(member_id=actor.member_id, name=name, scope=scope, token_hash=digest(secret),
                     prefix=secret[:PREFIX_LENGTH], created_at=utcnow())
    session.add(token)
    session.flush()
    audit.record(session, actor, "api_token_create", "team_member", actor.member_id,
                 f'Created the API token "{name}" ({scope})', token_id=token.id, scope=scope)
    return token, secret


def tokens_of(session: Session, actor: Actor) -> list[ApiToken]:
    """The actor's own tokens, working ones first, newest first."""
    require_staff(actor)
    return list(session.exec(select(ApiToken).where(ApiToken.member_id == actor.member_id)
                             .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())))


@dataclass(frozen=True)
class TokenRow:
    """One token as Settings → API tokens lists it, its moments on the firm's clock."""

    id: int
    name: str
    scope: str
    prefix: str
    created: str
    last_used: str
    revoked: str


def token_rows(session: Session, actor: Actor) -> list[TokenRow]:
    timezone = firm.get_firm(session).timezone
    return [TokenRow(t.id, t.name, scope_name(t.scope), t.prefix + "…", format_datetime(t.created_at, timezone),
                     format_datetime(t.last_used_at, timezone) or _("Never"),
                     format_datetime(t.revoked_at, timezone)) for t in tokens_of(session, actor)]


def revoke_token(session: Session, actor: Actor, token_id: int) -> ApiToken:
    """Stop a token from working (at once, for every request after this one). A member revokes their own; the owner
    and admins may revoke anyone's (someone leaving, a leaked secret)."""
    require_staff(actor)
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(_("That token does not exist."))
    if token.member_id != actor.member_id and not actor.is_admin:
        raise PermissionDenied(_("Only the token's owner, the firm's owner or an admin can revoke it."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, actor, "api_token_revoke", "team_member", token.member_id,
                     f'Revoked the API token "{token.name}"', token_id=token.id)
    return token


def use_token(session: Session, secret: str | None) -> TokenUse | None:
    """Who the secret acts as, or None when it is unknown, revoked or its member no longer active."""
    if not secret or not secret.startswith(SECRET_START) or len(secret) > 200:
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == digest(secret))).first()
    if token is None or token.revoked_at is not None:
        return None
    member = session.get(TeamMember, token.member_id)
    if member is None or not member.active:
        return None
    actor = dataclasses.replace(Actor.of(member, firm.language_for(session, member.language)),
                                api_token_id=token.id, api_token_label=token_label(token))
    return TokenUse(actor, token.id, token.scope if token.scope in SCOPES else READ)


def token_label(token: ApiToken) -> str:
    """How the audit log names a token: its name and the start of its secret (never the secret), as Settings → API
    tokens lists it."""
    return f"{token.name} ({token.prefix}…)"


def touch_token(session: Session, token_id: int, *, now: dt.datetime | None = None) -> None:
    """Note that the token was used, unless that was noted under a minute ago (one conditional UPDATE)."""
    now = now or utcnow()
    session.execute(update(ApiToken).where(
        ApiToken.id == token_id, (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at <= now - TOUCH_EVERY))
        .values(last_used_at=now))

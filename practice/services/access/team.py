"""Team members and their roles."""
from __future__ import annotations

import re

from sqlmodel import Session, select

from practice.models import Role, TeamMember
from practice import i18n
from practice.i18n import _
from practice.services import audit
from practice.services.firm import checked_language
from practice.services.actor import Actor, require_owner
from practice.services.access.auth import hash_password
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_email(email: str, field: str = "email") -> str:
    email = (email or "").strip().lower()
    if not EMAIL_RE.match(email):
        raise InvalidInput(_('"{email}" is not an email address.').format(email=email), field=field)
    return email


def _role(value) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput(_('"{value}" is not a role; choose owner, admin or employee.').format(value=value),
                           field="role") from None


def list_members(session: Session, actor: Actor, *, include_inactive: bool = False) -> list[TeamMember]:
    stmt = select(TeamMember).order_by(TeamMember.name)
    if not include_inactive:
        stmt = stmt.where(TeamMember.active == True)  # noqa: E712
    return list(session.exec(stmt))


def add_member(session: Session, actor: Actor, *, name: str, email: str, password: str,
               role: Role = Role.employee, can_view_all_accounts: bool = False, can_manage_billing: bool = False,
               can_see_billing: bool = False, can_track_time: bool = False,
               can_edit_others_time: bool = False) -> TeamMember:
    """Add a team member (owner only)."""
    require_owner(actor)
    role = _role(role)
    name = name.strip()
    if not name:
        raise InvalidInput(_("Give the team member a name."), field="name")
    email = check_email(email)
    if session.exec(select(TeamMember).where(TeamMember.email == email)).first():
        raise Conflict(_("{email} is already on the team.").format(email=email))
    member = TeamMember(name=name, email=email, role=Role(role), password_hash=hash_password(password),
                        can_view_all_accounts=can_view_all_accounts, can_manage_billing=bool(can_manage_billing),
                        can_see_billing=bool(can_see_billing), can_track_time=bool(can_track_time),
                        can_edit_others_time=bool(can_edit_others_time))
    session.add(member)
    session.flush()
    audit.record(session, actor, "create", "team_member", member.id, f"Added {name} as {Role(role).value}")
    return member


def set_role(session: Session, actor: Actor, member_id: int, role: Role,
             can_view_all_accounts: bool | None = None, *, can_manage_billing: bool | None = None,
             can_see_billing: bool | None = None, can_track_time: bool | None = None,
             can_edit_others_time: bool | None = None) -> TeamMember:
    """Change a member's role and access rights (owner only; the last owner stays owner). Owners and admins have
    the billing and time rights whatever their flags say; managing billing includes seeing it."""
    require_owner(actor)
    member = session.get(TeamMember, member_id)
    if not member:
        raise NotFound(_("That team member no longer exists."))
    role = _role(role)
    billing = {}
    if member.role == Role.owner and role != Role.owner:
        owners = session.exec(select(TeamMember).where(TeamMember.role == Role.owner, TeamMember.active == True)).all()  # noqa: E712
        if len(owners) <= 1:
            raise PermissionDenied(_("The firm needs at least one owner. Make someone else owner first."))
    before = member.role
    member.role = role
    if can_view_all_accounts is not None:
        member.can_view_all_accounts = can_view_all_accounts
    if can_manage_billing is not None:
        member.can_manage_billing = billing["manage_billing"] = bool(can_manage_billing)
    if can_see_billing is not None:
        member.can_see_billing = billing["see_billing"] = bool(can_see_billing)
    if can_track_time is not None:
        member.can_track_time = billing["track_time"] = bool(can_track_time)
    if can_edit_others_time is not None:
        member.can_edit_others_time = billing["edit_others_time"] = bool(can_edit_others_time)
    audit.record(session, actor, "update", "team_member", member.id,
                 f"{member.name}: role {Role(before).value} → {role.value}", view_all=member.can_view_all_accounts,
                 **billing)
    return member


def member_by_name(session: Session, name: str) -> TeamMember | None:
    target = name.strip().lower()
    for m in session.exec(select(TeamMember)):
        if m.name.strip().lower() == target:
            return m
    return None


def set_my_language(session: Session, actor: Actor, language: str) -> str:
    """A member chooses the language they read the app in (for themselves only); returns the code."""
    if not isinstance(actor, Actor) or not actor.member_id:
        raise PermissionDenied()
    member = session.get(TeamMember, actor.member_id)
    if member is None:
        raise NotFound(_("That member is no longer on the team."))
    member.language = checked_language(language)
    audit.record(session, actor, "update", "team_member", member.id,
                 f"{member.name} chose {i18n.LANGUAGES[member.language]} for the app")
    return member.language

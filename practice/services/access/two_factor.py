"""Two-factor sign-in for staff: authenticator-app codes (TOTP) and one-time recovery codes.

The secret stays on the server; the member sees it (as text and as a QR code) only while setting
it up, and it is turned on only after a first correct code. Codes are accepted one 30-second step
either side of now, and never twice (the newest accepted step is remembered).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import pyotp
from sqlmodel import Session, select

from practice.i18n import N_, _
from practice.models import SecuritySettings, StaffTwoFactor, TeamMember, utcnow
from practice.services import audit
from practice.services.access import login_safety
from practice.services.actor import Actor, require_admin
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied

ISSUER = "practice"
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to copy from paper
WRONG_CODE = N_("That code is not right. Enter the current 6-digit code from your authenticator app.")


@dataclass
class Enrollment:
    key: str        # the secret as text, for typing into an app
    uri: str        # otpauth:// link
    qr_svg: str     # data: URI of the QR code


@dataclass
class Status:
    enabled: bool
    setting_up: bool
    recovery_left: int
    required_by_firm: bool


# --- firm setting -------------------------------------------------------------------------------

def security_settings(session: Session) -> SecuritySettings:
    """The firm's login rules (created with defaults on first use)."""
    row = session.exec(select(SecuritySettings)).first()
    if row is None:
        row = SecuritySettings()
        session.add(row)
        session.flush()
    return row


def firm_requires(session: Session) -> bool:
    row = session.exec(select(SecuritySettings)).first()
    return bool(row and row.require_two_factor)


def set_required(session: Session, actor: Actor, required: bool) -> SecuritySettings:
    """Require two-factor sign-in of every staff member, or stop requiring it (admins)."""
    require_admin(actor)
    row = security_settings(session)
    row.require_two_factor = bool(required)
    audit.record(session, actor, "update", "firm", None,
                 "Two-factor sign-in is now required for all staff" if required
                 else "Two-factor sign-in is no longer required for all staff",
                 require_two_factor=bool(required))
    return row


# --- state of one member ------------------------------------------------------------------------

def _row(session: Session, member_id: int | None) -> StaffTwoFactor | None:
    return session.get(StaffTwoFactor, member_id) if member_id else None


def is_enabled(session: Session, member_id: int | None) -> bool:
    row = _row(session, member_id)
    return bool(row and row.enabled_at)


def must_set_up(session: Session, member_id: int | None) -> bool:
    """True when the firm requires two-factor sign-in and this member has not turned it on."""
    return bool(member_id) and firm_requires(session) and not is_enabled(session, member_id)


def status(session: Session, actor: Actor) -> Status:
    row = _row(session, actor.member_id)
    return Status(enabled=bool(row and row.enabled_at), setting_up=bool(row and not row.enabled_at),
                  recovery_left=len(row.recovery_hashes) if row and row.enabled_at else 0,
                  required_by_firm=firm_requires(session))


# --- codes --------------------------------------------------------------------------------------

def _step(at: dt.datetime) -> int:
    return int(at.timestamp()) // 30


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    """The time step (now ±1) whose code is `code`, or None."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    found = None
    for offset in (-1, 0, 1):
        step = _step(now) + offset
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _digest(code: str) -> str:
    return hashlib.sha256(_normalise_recovery(code).encode()).hexdigest()


def _new_recovery_codes(row: StaffTwoFactor) -> list[str]:
    codes = []
    for _n in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _c in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    row.recovery_hashes = [_digest(c) for c in codes]
    return codes


def _use_totp(row: StaffTwoFactor, code: str, now: dt.datetime) -> bool:
    step = _matching_step(row.secret, code, now)
    if step is None or step <= row.last_step:
        return False  # wrong, or already used (replay)
    row.last_step = step
    return True


def _use_recovery(row: StaffTwoFactor, code: str) -> bool:
    digest = _digest(code)
    if len(_normalise_recovery(code)) != 10 or digest not in row.recovery_hashes:
        return False
    row.recovery_hashes = [h for h in row.recovery_hashes if h != digest]  # a new list: JSON columns see it
    return True


def check_code(session: Session, member: TeamMember, code: str, *, now: dt.datetime | None = None) -> str | None:
    """Accept an authenticator code or a recovery code for this member (using it up); return
    "totp", "recovery" or None when it is wrong."""
    now = now or utcnow()
    row = _row(session, member.id)
    if not row or not row.enabled_at:
        return None
    code = (code or "").strip()[:40]
    if _use_totp(row, code, now):
        return "totp"
    if _use_recovery(row, code):
        left = len(row.recovery_hashes)
        audit.record(session, Actor.of(member), "recovery_code_used", "team_member", member.id,
                     f"{member.name} signed in with a recovery code ({left} left)", left=left)
        return "recovery"
    return None


# --- setting up, turning off --------------------------------------------------------------------

def _member(session: Session, actor: Actor) -> TeamMember:
    member = session.get(TeamMember, actor.member_id) if actor.member_id else None
    if member is None:
        raise NotFound(_("That team member no longer exists."))
    return member


def _qr_data_uri(uri: str) -> str:
    try:
        import segno  # noqa: PLC0415 - optional: the key as text works without it
    except ImportError:  # pragma: no cover
        return ""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def enrollment_for(member: TeamMember, secret: str) -> Enrollment:
    uri = pyotp.TOTP(secret).provisioning_uri(name=member.email, issuer_name=ISSUER)
    spaced = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return Enrollment(key=spaced, uri=uri, qr_svg=_qr_data_uri(uri))


def start_setup(session: Session, actor: Actor) -> Enrollment:
    """Make a new secret for the actor (not yet on): the app scans it, then `confirm_setup` turns it on."""
    member = _member(session, actor)
    row = _row(session, member.id)
    if row and row.enabled_at:
        raise Conflict(_("Two-factor sign-in is already on. Turn it off first to set up a new app."))
    secret = pyotp.random_base32()  # 160 bits
    if row is None:
        row = StaffTwoFactor(member_id=member.id, secret=secret)
        session.add(row)
    else:
        row.secret, row.last_step, row.recovery_hashes = secret, 0, []
    session.flush()
    return enrollment_for(member, secret)


def current_setup(session: Session, actor: Actor) -> Enrollment | None:
    """The setup in progress (to show its QR code again), or None."""
    member = _member(session, actor)
    row = _row(session, member.id)
    return enrollment_for(member, row.secret) if row and not row.enabled_at else None


def cancel_setup(session: Session, actor: Actor) -> None:
    row = _row(session, actor.member_id)
    if row and not row.enabled_at:
        session.delete(row)


def confirm_setup(session: Session, actor: Actor, code: str, *, now: dt.datetime | None = None) -> list[str]:
    """Turn two-factor sign-in on with a first correct code; return the recovery codes (shown once)."""
    now = now or utcnow()
    member = _member(session, actor)
    row = _row(session, member.id)
    if row is None:
        raise Conflict(_("Start the setup first: choose “Set up two-factor sign-in”."))
    if row.enabled_at:
        raise Conflict(_("Two-factor sign-in is already on."))
    if not _use_totp(row, (code or "").strip()[:40], now):
        raise InvalidInput(_(WRONG_CODE), field="code")
    row.enabled_at = now
    codes = _new_recovery_codes(row)
    audit.record(session, actor, "two_factor_enabled", "team_member", member.id,
                 f"{member.name} turned on two-factor sign-in")
    return codes


def _require_code(session: Session, member: TeamMember, code: str, now: dt.datetime | None) -> StaffTwoFactor:
    row = _row(session, member.id)
    if not row or not row.enabled_at:
        raise Conflict(_("Two-factor sign-in is not on."))
    # Wrong codes count against the member's login like wrong passwords: slowed down, then locked.
    keys = [login_safety.principal_key("staff", member.email)]
    keys += login_safety.code_keys(keys)  # and against the day's cap on wrong codes
    login_safety.check(session, keys, now=now)
    if check_code(session, member, code, now=now) is None:
        login_safety.record_failure(session, keys, now=now)
        session.commit()  # keep the count although the caller rolls back on the error
        raise InvalidInput(_("That code is not right. Enter the current code from your authenticator app "
                             "or one of your recovery codes."), field="code")
    return row


def turn_off(session: Session, actor: Actor, code: str, *, now: dt.datetime | None = None) -> None:
    """Turn the actor's two-factor sign-in off; needs a current code or a recovery code."""
    member = _member(session, actor)
    if firm_requires(session):
        raise PermissionDenied(_("The firm requires two-factor sign-in for all staff, so it cannot be turned off."))
    row = _require_code(session, member, code, now)
    session.delete(row)
    audit.record(session, actor, "two_factor_disabled", "team_member", member.id,
                 f"{member.name} turned off two-factor sign-in")


def regenerate_recovery_codes(session: Session, actor: Actor, code: str, *,
                              now: dt.datetime | None = None) -> list[str]:
    """Replace every recovery code with ten new ones (the old ones stop working); needs a current code."""
    member = _member(session, actor)
    row = _require_code(session, member, code, now)
    codes = _new_recovery_codes(row)
    audit.record(session, actor, "recovery_codes_regenerated", "team_member", member.id,
                 f"{member.name} made new recovery codes")
    return codes


def reset_for_member(session: Session, actor: Actor, member_id: int) -> None:
    """Remove a member's two-factor sign-in (an admin helping someone who lost their phone)."""
    require_admin(actor)
    member = session.get(TeamMember, member_id)
    if member is None:
        raise NotFound(_("That team member no longer exists."))
    row = _row(session, member_id)
    if row:
        session.delete(row)
        audit.record(session, actor, "two_factor_reset", "team_member", member.id,
                     f"Two-factor sign-in of {member.name} was reset by {actor.name}")


"""Slowing down and locking repeated failed logins, for staff and clients alike, without locking out the people
who know their password (OWASP's "device cookies", see `device_cookies`).

Failures are counted per key: the principal ("staff:<email>", "contact:<email>", whether or not that email exists,
so the answers never tell) and the visitor's address. A browser that logged in before as that principal is counted
apart, by its device id alone ("device:<id>"): an attacker guessing that login, or sharing its address (an office,
a reverse proxy), never slows or locks it. After a few failures the next attempt is refused until a time that grows
with each failure; a principal (from browsers it never used) or a device is then locked for a while. An address is
only ever slowed, by a few seconds, never locked: many people share one. A success clears the principal's (or the
device's) count, not the address's: one good password must not buy an attacker more guesses at other accounts.

When an address starts being slowed or a login gets locked, the owners and admins are told in Inbox+, once per
attack (an attack ends after a quiet `ATTACK_QUIET`).
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import math
from dataclasses import dataclass

from sqlmodel import Session

from practice.i18n import N_, _, ngettext
from practice import routes
from practice.models import LoginAttempt, utcnow
from practice.services import inbox
from practice.services.access import device_cookies
from practice.services.errors import PermissionDenied


@dataclass(frozen=True)
class Policy:
    slow_after: int          # failures allowed before attempts are spaced out
    first_delay: dt.timedelta  # the wait after failure number `slow_after`; doubles per failure
    max_delay: dt.timedelta
    lock_after: int          # failures that lock the key
    lock_for: dt.timedelta
    forget_after: dt.timedelta  # a quiet spell this long clears the count


PRINCIPAL_POLICY = Policy(slow_after=3, first_delay=dt.timedelta(seconds=5), max_delay=dt.timedelta(minutes=2),
                          lock_after=10, lock_for=dt.timedelta(minutes=15), forget_after=dt.timedelta(hours=1))
# A browser that logged in before as the principal: the principal's rule, for that browser alone.
DEVICE_POLICY = PRINCIPAL_POLICY
# An office (or a reverse proxy) shares one address: allow many failures from it before it is slowed, and never
# lock it; its waits stay short, so a person there who knows their password waits seconds at worst.
NEVER = 10**9
IP_POLICY = Policy(slow_after=30, first_delay=dt.timedelta(seconds=2), max_delay=dt.timedelta(seconds=30),
                   lock_after=NEVER, lock_for=dt.timedelta(0), forget_after=dt.timedelta(hours=1))
# Wrong two-factor codes a login may enter before it is paused for a day, however slowly they come: with the
# password known, the throttle alone (it forgets after an hour) would allow about a thousand guesses a day. Counted
# per login, or per browser that logged in before (`code_keys`), so a stranger's guesses never pause that browser.
DAILY_WRONG_CODES = 20
DAILY_CODE_POLICY = Policy(slow_after=NEVER, first_delay=dt.timedelta(0), max_delay=dt.timedelta(0),
                           lock_after=DAILY_WRONG_CODES, lock_for=dt.timedelta(hours=24),
                           forget_after=dt.timedelta(hours=24))
# Request links (client requests answered without a login) tried from one address: a wrong link counts against it
# ("link:ip:<address>"); someone guessing links is slowed down after a few and paused for an hour after many, while a
# person mistyping a link waits seconds at worst.
LINK_POLICY = Policy(slow_after=5, first_delay=dt.timedelta(seconds=2), max_delay=dt.timedelta(minutes=1),
                     lock_after=30, lock_for=dt.timedelta(hours=1), forget_after=dt.timedelta(hours=1))
ATTACK_QUIET = dt.timedelta(hours=1)
ATTACK_KEY = "attack:logins"  # the current attack's row: failures = warning signs, last_failed_at = the latest


class TooManyAttempts(PermissionDenied):
    """Refused without checking the password: this principal or address failed too often lately."""

    def __init__(self, wait: dt.timedelta, locked: bool = False):
        self.wait, self.locked = wait, locked
        super().__init__(_("Too many attempts. Try again in {wait}.").format(wait=describe_wait(wait)))


def describe_wait(wait: dt.timedelta) -> str:
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 120:
        return ngettext("{n} second", "{n} seconds", seconds).format(n=seconds)
    minutes = math.ceil(seconds / 60)
    return ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)


def principal_key(kind: str, email: str) -> str:
    """The throttling key of a login name: kind is "staff" or "contact"."""
    return f"{kind}:{(email or '').strip().lower()}"


def ip_key(ip: str | None) -> str | None:
    """The throttling key of an address (an IPv6 visitor holds a whole /64, so that is what counts)."""
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return f"ip:{ip}"
    if address.version == 6:
        return f"ip:{ipaddress.ip_network(f'{address}/64', strict=False)}"
    return f"ip:{address}"


def keys_for(principal: str, ip: str | None, device_cookie: str | None = None, *,
             now: dt.datetime | None = None) -> list[str | None]:
    """What an attempt counts against: its own device id when this browser logged in before as `principal`,
    else the principal and the address."""
    device = device_cookies.device_for(device_cookie, principal, now=now)
    return [f"device:{device}"] if device else [principal, ip_key(ip)]


def code_keys(keys: list[str | None]) -> list[str]:
    """The daily counts of wrong two-factor codes for an attempt's keys (a login's or a browser's, not an address's)."""
    return [f"codes:{key}" for key in keys if key and not key.startswith("ip:")]


def _policy(key: str) -> Policy:
    if key.startswith("codes:"):
        return DAILY_CODE_POLICY
    if key.startswith("link:"):
        return LINK_POLICY
    if key.startswith("ip:"):
        return IP_POLICY
    return DEVICE_POLICY if key.startswith("device:") else PRINCIPAL_POLICY


def _delay(policy: Policy, failures: int) -> dt.timedelta | None:
    if failures < policy.slow_after:
        return None
    doublings = min(failures - policy.slow_after, 30)  # past the longest wait anyway; a larger power overflows
    return min(policy.first_delay * (2 ** doublings), policy.max_delay)


def _fresh(row: LoginAttempt | None, policy: Policy, now: dt.datetime) -> LoginAttempt | None:
    """The row, or None when its count has lapsed (lock over, or quiet long enough)."""
    if row is None:
        return None
    if row.locked:
        return row if row.blocked_until and now < row.blocked_until else None
    if row.last_failed_at and now - row.last_failed_at > policy.forget_after:
        return None
    return row


def check(session: Session, keys: list[str | None], *, now: dt.datetime | None = None) -> None:
    """Raise TooManyAttempts when any key must still wait; call before checking a password."""
    now = now or utcnow()
    for key in filter(None, keys):
        row = _fresh(session.get(LoginAttempt, key), _policy(key), now)
        if row and row.blocked_until and now < row.blocked_until:
            raise TooManyAttempts(row.blocked_until - now, locked=row.locked)


def record_failure(session: Session, keys: list[str | None], *, now: dt.datetime | None = None) -> list[str]:
    """Count a failed attempt against each key; return the keys this failure locked."""
    now = now or utcnow()
    newly_locked, warning = [], None
    for key in filter(None, keys):
        policy = _policy(key)
        row = session.get(LoginAttempt, key)
        if row is None:
            row = LoginAttempt(key=key)
            session.add(row)
        if _fresh(row, policy, now) is None:
            row.failures, row.locked, row.blocked_until = 0, False, None
        row.failures += 1
        row.last_failed_at = now
        if row.failures >= policy.lock_after:
            row.locked, row.blocked_until = True, now + policy.lock_for
            newly_locked.append(key)
            warning = warning or _lock_warning(key, row.failures)
        else:
            delay = _delay(policy, row.failures)
            row.blocked_until = now + delay if delay else None
            if delay and key.startswith("ip:"):
                warning = warning or inbox.said(N_("{n} failed logins came from the address {address} within the hour"),
                                                n=row.failures, address=key[3:])
    if warning:
        _attack_seen(session, warning, now)
    session.flush()
    return newly_locked


def _lock_warning(key: str, failures: int) -> str:
    if key.startswith("codes:"):
        return inbox.said(N_("two-factor sign-in for {who} was paused for a day after {n} wrong codes"),
                          who=key.rsplit(':', 1)[-1], n=failures)
    if key.startswith("link:"):
        return inbox.said(N_("request links were guessed from the address {address}: it was paused after {n} wrong "
                             "links"), address=key.split(':', 2)[-1], n=failures)
    if key.startswith("device:"):
        return inbox.said(N_("a browser that had logged in before was locked after {n} wrong passwords"), n=failures)
    return inbox.said(N_("the login {login} was locked after {n} failures"), login=key.split(':', 1)[1], n=failures)


ATTACK_NOTICE = N_("Someone may be guessing passwords: {what}. People who logged in before from their own browser "
                   "still get in; other attempts are slowed down. The audit log lists every failed login.")


def _attack_seen(session: Session, what: str, now: dt.datetime) -> None:
    """Note a sign of attack; the first one after a quiet spell tells the owners and admins in Inbox+."""
    row = session.get(LoginAttempt, ATTACK_KEY)
    if row is None:
        row = LoginAttempt(key=ATTACK_KEY)
        session.add(row)
    if row.last_failed_at is None or now - row.last_failed_at > ATTACK_QUIET:
        row.failures = 0
        started = now.strftime("%Y%m%dT%H%M%S.%f")
        # A kind outside inbox.KINDS: nobody can turn these notices off.
        for member_id in inbox.staff_for(session, account_id=None):
            inbox.notify(session, member_id=member_id, kind="login_attack", link=routes.AUDIT,
                         text=inbox.said(ATTACK_NOTICE, what=what), key=f"login-attack:{started}:{member_id}")
    row.failures += 1
    row.last_failed_at = now


def record_success(session: Session, *keys: str | None) -> None:
    """A correct login clears the failures of its principal or device (never its address's)."""
    for key in filter(None, keys):
        row = session.get(LoginAttempt, key) if not key.startswith("ip:") else None
        if row is not None:
            session.delete(row)


def clear(session: Session, key: str) -> None:
    """Lift a slow-down or lock by hand (an admin helping someone locked out)."""
    row = session.get(LoginAttempt, key)
    if row is not None:
        session.delete(row)

"""Slowing down and locking repeated failed logins, for staff and clients alike.

Failures are counted per key: the principal ("staff:<email>", "contact:<email>", whether or not
that email exists, so the answers never tell) and the client's IP address. After a few failures
the next attempt is refused until a time that grows with each failure; after many, the key is
locked for a while. A success clears the principal's count (not the IP's: one good password must
not buy an attacker more guesses at other accounts).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlmodel import Session

from practice.models import LoginAttempt, utcnow
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
# An office shares one address: allow many more failures from an IP before it is slowed or locked.
IP_POLICY = Policy(slow_after=30, first_delay=dt.timedelta(seconds=2), max_delay=dt.timedelta(minutes=1),
                   lock_after=100, lock_for=dt.timedelta(minutes=15), forget_after=dt.timedelta(hours=1))


class TooManyAttempts(PermissionDenied):
    """Refused without checking the password: this principal or address failed too often lately."""

    def __init__(self, wait: dt.timedelta, locked: bool = False):
        self.wait, self.locked = wait, locked
        super().__init__(f"Too many attempts. Try again in {describe_wait(wait)}.")


def describe_wait(wait: dt.timedelta) -> str:
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


def principal_key(kind: str, email: str) -> str:
    """The throttling key of a login name: kind is "staff" or "contact"."""
    return f"{kind}:{(email or '').strip().lower()}"


def ip_key(ip: str | None) -> str | None:
    return f"ip:{ip}" if ip else None


def _policy(key: str) -> Policy:
    return IP_POLICY if key.startswith("ip:") else PRINCIPAL_POLICY


def _delay(policy: Policy, failures: int) -> dt.timedelta | None:
    if failures < policy.slow_after:
        return None
    return min(policy.first_delay * (2 ** (failures - policy.slow_after)), policy.max_delay)


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
    newly_locked = []
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
        else:
            delay = _delay(policy, row.failures)
            row.blocked_until = now + delay if delay else None
    session.flush()
    return newly_locked


def record_success(session: Session, principal: str) -> None:
    """A correct login clears the principal's failures."""
    row = session.get(LoginAttempt, principal)
    if row is not None:
        session.delete(row)


def clear(session: Session, key: str) -> None:
    """Lift a slow-down or lock by hand (an admin helping someone locked out)."""
    record_success(session, key)

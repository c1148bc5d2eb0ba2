"""A password-guessing attack from one address through the real staff, portal and drive logins, fast: the attempts'
times are given to the services (one every `every`, ending at `end`), and the password check of unknown emails uses
a cheap Argon2 hash (the same code path; real members' hashes are untouched), so 1,000 attempts take seconds."""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher

from practice.db import write_session
from practice.services.access import auth, login_safety
from practice.services.documents import drive
from practice.services.errors import PermissionDenied
from practice.services.portal import logins

CHEAP_DUMMY_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("not a real password")


@dataclass
class AttackReport:
    attempts: int
    checked: int  # attempts whose password was checked (and failed)
    told_to_wait: list  # the waits the others were told (timedelta)


def _attempt(kind: str, email: str, ip: str, when: dt.datetime) -> None:
    with write_session() as s:
        if kind == "staff":
            auth.start_login(s, email, "Winter2026!", ip=ip, now=when)
        elif kind == "portal":
            logins.log_in(s, email, "Winter2026!", client_ip=ip, now=when)
        else:
            drive.sign_in(s, email, "Winter2026!", ip=ip, now=when)


def guess_passwords(monkeypatch, *, ip: str, end: dt.datetime, attempts: int = 1000,
                    every: dt.timedelta = dt.timedelta(seconds=30), also_guess: tuple[str, ...] = ()) -> AttackReport:
    """`attempts` failed logins from `ip`, one every `every`, the last at `end`, spread over the staff login, the
    portal and the drive: random emails, and every 25th at one of `also_guess` (real people's logins)."""
    monkeypatch.setattr(auth, "_dummy_hash", lambda: CHEAP_DUMMY_HASH)
    report = AttackReport(attempts=attempts, checked=0, told_to_wait=[])
    for i in range(attempts):
        when = end - every * (attempts - 1 - i)
        email = also_guess[(i // 25) % len(also_guess)] if also_guess and i % 25 == 0 \
            else f"{secrets.token_hex(5)}@example.net"
        try:
            _attempt(("staff", "portal", "drive")[i % 3], email, ip, when)
        except login_safety.TooManyAttempts as err:
            report.told_to_wait.append(err.wait)
        except PermissionDenied:
            report.checked += 1
    return report

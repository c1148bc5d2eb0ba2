"""Device cookies (OWASP's "Slow Down Online Guessing Attacks with Device Cookies"): a browser that logged in before
as someone is recognised when it logs in as them again, so an attacker's failures elsewhere never lock it out.

After a correct login the page gets a short-lived signed *grant* for that login name; the browser exchanges it at
`/remember-device` for the HttpOnly cookie (scripts never see it). The cookie holds up to `MAX_ENTRIES` signed
entries, one per login name (named by a keyed hash, so the cookie does not show the email), each with its own random
device id: `login_safety` counts that browser's failures
against the device id alone (its own slow-down and lockout) instead of against the login name and the address.
Everything is signed with a secret kept in the data folder; nothing is stored per device.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets

from practice.config import data_secret
from practice.models import utcnow
from practice.services.errors import InvalidInput
from practice.i18n import N_, _

COOKIE = "practice_device"
LIFETIME = dt.timedelta(days=90)
GRANT_LIFETIME = dt.timedelta(minutes=2)
MAX_ENTRIES = 5
SECRET_FILE = "device-cookie.key"
BAD_GRANT = N_("This browser could not be remembered: log in again to try once more.")


def _mac(text: str) -> str:
    """HMAC-SHA-256 with the data folder's secret, its first 128 bits in base64url (22 characters)."""
    digest = hmac.new(data_secret(SECRET_FILE), text.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _login_tag(principal: str) -> str:
    """How a cookie names a login without showing it."""
    return _mac("login|" + principal)


def _sign(*parts: str) -> str:
    body = ".".join(parts)
    return f"{body}.{_mac(body)}"


def _open(token: str, kind: str, fields: int, now: dt.datetime) -> list[str] | None:
    """The fields of a signed token of this kind, or None when it is forged, of another kind or expired."""
    parts = (token or "").strip().split(".")
    if len(parts) != fields + 3 or parts[0] != kind or not parts[-2].isdigit():
        return None
    if not hmac.compare_digest(_sign(*parts[:-1]), token.strip()):
        return None
    if int(parts[-2]) < now.timestamp():
        return None
    return parts[1:-2]


def grant(principal: str, *, now: dt.datetime | None = None) -> str:
    """A grant the browser of someone who just logged in as `principal` exchanges for its device cookie."""
    expires = int(((now or utcnow()) + GRANT_LIFETIME).timestamp())
    return _sign("g1", _login_tag(principal), secrets.token_urlsafe(9), str(expires))


def _entries(cookie: str | None, now: dt.datetime) -> list[tuple[str, str, str]]:
    """The valid entries of a device cookie: (login tag, device id, the entry as written), newest first."""
    found = []
    for entry in (cookie or "").split("~")[:MAX_ENTRIES * 2]:
        fields = _open(entry, "d1", 2, now)
        if fields:
            found.append((fields[0], fields[1], entry))
    return found


def exchange(grant_token: str, cookie: str | None, *, now: dt.datetime | None = None) -> str:
    """The device cookie's new value: a fresh entry for the grant's login name, before the browser's other ones."""
    now = now or utcnow()
    fields = _open(grant_token, "g1", 2, now)
    if not fields:
        raise InvalidInput(_(BAD_GRANT))
    tag = fields[0]
    entry = _sign("d1", tag, secrets.token_urlsafe(12), str(int((now + LIFETIME).timestamp())))
    others = [written for who, _device, written in _entries(cookie, now) if who != tag]
    return "~".join([entry, *others][:MAX_ENTRIES])


def device_for(cookie: str | None, principal: str, *, now: dt.datetime | None = None) -> str | None:
    """The device id this browser's cookie holds for `principal` (it logged in as them before), else None."""
    tag = _login_tag(principal)
    for who, device, _written in _entries(cookie, now or utcnow()):
        if hmac.compare_digest(who, tag):
            return device
    return None

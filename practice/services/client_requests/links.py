"""A client request's link and who may use it. The token is an HMAC of the request's random nonce with the data
folder's secret: the database keeps only its SHA-256 (a copy of the database opens nothing), and a reminder can
send the same link again. A wrong link counts against the address it came from (`login_safety`, "link:" keys), so
guessing is slowed down and then paused. A browser opening the request for the first time proves the recipient's
email address with a 6-digit code; the browser's device id (kept by the page) is then remembered, hashed."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets

from sqlmodel import Session, select

from practice import config, routes
from practice.i18n import N_, _, ngettext
from practice.models import ClientRequest, ClientRequestDevice, ClientRequestStatus, utcnow
from practice.services.access import login_safety
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from practice.services.one_time_links import digest

SECRET_FILE = "client-request-links.key"
CODE_TTL = dt.timedelta(minutes=10)
CODE_TRIES = 5
CODE_RESEND = dt.timedelta(minutes=1)
MAX_DEVICE = 200

UNKNOWN = N_("This link does not open anything: check that you copied all of it, or ask the firm to send it again.")
REVOKED = N_("The firm withdrew this request, so its link no longer opens anything. Ask the firm if you still need "
             "to send something.")
COMPLETED = N_("This request is complete: thank you. Its link no longer opens it; the firm has what you gave.")


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def token_for(nonce: str) -> str:
    """The link's token for a request's nonce (the same every time: reminders send the same link)."""
    mac = hmac.new(config.data_secret(SECRET_FILE), f"client-request|{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def link_for(request: ClientRequest) -> str:
    """The full address the recipient opens (for emails)."""
    return f"{config.base_url()}{routes.client_request_url(token_for(request.link_nonce))}"


def _guess_keys(ip: str | None) -> list[str]:
    key = login_safety.ip_key(ip)
    return [f"link:{key}"] if key else []


def find(session: Session, token: str, *, ip: str | None = None) -> ClientRequest:
    """The open request of this token. A wrong token counts against the address (kept even though the caller rolls
    back on the error); a revoked or completed request opens nothing."""
    keys = _guess_keys(ip)
    login_safety.check(session, keys)
    token = str(token or "").strip()
    row = session.exec(select(ClientRequest).where(ClientRequest.token_hash == digest(token))).first() \
        if 20 <= len(token) <= 100 else None
    if row is None:
        login_safety.record_failure(session, keys)
        session.commit()
        raise NotFound(_(UNKNOWN))
    if row.status == ClientRequestStatus.revoked:
        raise NotFound(_(REVOKED))
    if row.status == ClientRequestStatus.completed:
        raise Conflict(_(COMPLETED))
    return row


def _device_hash(request_id: int, device: str) -> str:
    return digest(f"{request_id}|{device}")


def _clean_device(device) -> str:
    device = str(device or "").strip()
    return device if 16 <= len(device) <= MAX_DEVICE else ""


def device_known(session: Session, request: ClientRequest, device) -> bool:
    """Whether this browser proved the recipient's address for this request before."""
    device = _clean_device(device)
    if not device:
        return False
    return session.exec(select(ClientRequestDevice.id).where(
        ClientRequestDevice.request_id == request.id,
        ClientRequestDevice.device_hash == _device_hash(request.id, device))).first() is not None


def verified(session: Session, token: str, *, device, ip: str | None = None) -> ClientRequest:
    """The open request, if this browser proved the address; else refused with what to do."""
    request = find(session, token, ip=ip)
    if not device_known(session, request, device):
        raise PermissionDenied(_("Enter the code we email you first: this device has not opened the request before."))
    return request


def _hash_code(request_id: int, salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}|{request_id}|{code}".encode()).hexdigest()


def masked(email: str) -> str:
    """j***@broker.example: enough to recognise one's own address, not to learn someone's (whoever holds the link
    sees it before proving the address)."""
    name, _at, domain = email.partition("@")
    return f"{name[:1]}***@{domain}" if domain else "***"


def new_code(request: ClientRequest) -> str:
    """A fresh 6-digit code for the request (at most one a minute); the caller emails it."""
    now = utcnow()
    if request.code_sent_at is not None and now - request.code_sent_at < CODE_RESEND:
        wait = int((CODE_RESEND - (now - request.code_sent_at)).total_seconds()) + 1
        raise Conflict(_("A code was just sent to {email}. Check your inbox (and spam folder), or ask for a new one "
                         "in {wait} seconds.").format(email=masked(request.recipient_email), wait=wait))
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(8)
    request.code_hash = f"{salt}${_hash_code(request.id, salt, code)}"
    request.code_sent_at, request.code_expires_at, request.code_attempts = now, now + CODE_TTL, 0
    return code


def _code_keys(request: ClientRequest) -> list[str]:
    return [f"codes:client-request:{request.id}"]


def check_code(session: Session, request: ClientRequest, code, device) -> None:
    """Check the emailed code; when right, this browser is remembered for the request. Wrong codes count (5 a code,
    20 a day whatever the number of codes asked for), kept although the caller rolls back."""
    device = _clean_device(device)
    if not device:
        raise InvalidInput(_("This browser keeps no data, so it cannot be remembered: allow this site to store data, "
                             "then reload the page."), field="code")
    login_safety.check(session, _code_keys(request))
    if not request.code_hash:
        raise InvalidInput(_("Ask for a code first: it is emailed to you."), field="code")
    if request.code_attempts >= CODE_TRIES:
        raise InvalidInput(_("Too many wrong codes. Ask for a new code."), field="code")
    if request.code_expires_at is None or utcnow() > request.code_expires_at:
        raise InvalidInput(_("This code has expired (codes work for 10 minutes). Ask for a new one."), field="code")
    typed = "".join(ch for ch in str(code or "") if ch.isdigit())
    salt, _sep, expected = request.code_hash.partition("$")
    if len(typed) != 6 or not hmac.compare_digest(_hash_code(request.id, salt, typed), expected):
        request.code_attempts += 1
        session.add(request)
        login_safety.record_failure(session, _code_keys(request))
        session.commit()
        left = CODE_TRIES - request.code_attempts
        if left <= 0:
            raise InvalidInput(_("That code is not right, and that was the last try. Ask for a new code."), field="code")
        raise InvalidInput(ngettext("That code is not right. Check the email and try again ({left} try left).",
                                    "That code is not right. Check the email and try again ({left} tries left).",
                                    left).format(left=left), field="code")
    request.code_hash, request.code_attempts = "", 0
    session.add(request)
    if not device_known(session, request, device):
        session.add(ClientRequestDevice(request_id=request.id, device_hash=_device_hash(request.id, device)))
    session.flush()

"""Settings read from the environment, with defaults that run on one machine with no services."""
from __future__ import annotations

import functools
import ipaddress
import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """Folder for the SQLite database, the worker queue and uploaded files."""
    path = Path(os.environ.get("PRACTICE_DATA_DIR", ROOT / "data"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """`DATABASE_URL`, or a SQLite file in the data folder."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir() / 'practice.db'}"


def huey_path() -> Path:
    return Path(os.environ.get("PRACTICE_HUEY_DB", data_dir() / "huey.db"))


PORT = int(os.environ.get("PRACTICE_PORT", "3000"))
BACKEND_PORT = int(os.environ.get("PRACTICE_BACKEND_PORT", "8000"))


def base_url() -> str:
    """The address people reach the app at, for the few links that must be absolute (those sent by email, the
    activation link staff hand over): `PRACTICE_BASE_URL`. Links inside the app are relative and need no setting."""
    return os.environ.get("PRACTICE_BASE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")


def allow_encrypted_pdfs() -> bool:
    """`PRACTICE_ALLOW_ENCRYPTED_PDFS=1`: accept password-protected PDFs (refused by default: the app can
    neither check, preview nor sign what it cannot open)."""
    return os.environ.get("PRACTICE_ALLOW_ENCRYPTED_PDFS", "").strip().lower() in ("1", "true", "yes")


def data_secret(name: str) -> bytes:
    """A random secret kept in the data folder in file `name` (readable by its owner only), made on first use."""
    path = data_dir() / name
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    value = secrets.token_urlsafe(32).encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as fh:
        fh.write(value + b"\n")
    return value


@functools.lru_cache(maxsize=8)
def _parse_trusted_proxies(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for item in text.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"PRACTICE_TRUSTED_PROXIES: {item!r} is not an address or a network "
                             "(write e.g. 127.0.0.1, 10.0.0.0/8 or ::1).") from None
    return tuple(networks)


def trusted_proxies() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """`PRACTICE_TRUSTED_PROXIES`: the reverse proxies (addresses or networks) whose X-Forwarded-For is believed.
    Empty by default: the address a visitor connects from is their address."""
    return _parse_trusted_proxies(os.environ.get("PRACTICE_TRUSTED_PROXIES", ""))


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address written in a header or by a server: `1.2.3.4`, `1.2.3.4:5678`, `::1`, `[::1]:5678`."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return address.ipv4_mapped or address if isinstance(address, ipaddress.IPv6Address) else address


def _trusted(address, proxies) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(peer: str | None, forwarded_for: str | None = None) -> str:
    """The visitor's address. `peer` is who connected; when it is a trusted proxy, X-Forwarded-For is read from the
    right, skipping trusted proxies, to the first address a trusted proxy saw (the left part, which the visitor may
    have written, is ignored). Without trusted proxies the header is never read: anyone can send it."""
    peer_address = _address(peer or "")
    proxies = trusted_proxies()
    if peer_address is None or not forwarded_for or not _trusted(peer_address, proxies):
        return str(peer_address) if peer_address is not None else (peer or "")
    seen = peer_address
    for hop in reversed(forwarded_for.split(",")):
        address = _address(hop)
        if address is None:  # not an address: nothing left of it can be believed
            break
        seen = address
        if not _trusted(address, proxies):
            break
    return str(seen)


def visitor_state_seconds() -> float:
    """`PRACTICE_VISITOR_STATE_SECONDS`: how long the server keeps the page state of a browser tab nobody is logged
    in on after its last action (600 s). Logged-in tabs keep theirs for Reflex's hour."""
    return float(os.environ.get("PRACTICE_VISITOR_STATE_SECONDS", "600"))


def max_visitor_states() -> int:
    """`PRACTICE_MAX_VISITOR_STATES`: how many such tabs' states the server keeps at most (500, about 30 MB); past
    that, the least recently used go first."""
    return int(os.environ.get("PRACTICE_MAX_VISITOR_STATES", "500"))


def mail_attempt_limit() -> float:
    """`PRACTICE_MAIL_ATTEMPT_LIMIT`: how long one attempt to send a mail may take up to the end of the message
    (connecting, greeting, login, envelope, the message itself), in all: 300 s, RFC 5321's wait for a reply."""
    return float(os.environ.get("PRACTICE_MAIL_ATTEMPT_LIMIT", "300"))


def mail_final_reply_wait() -> float:
    """`PRACTICE_MAIL_FINAL_REPLY_WAIT`: how long the mailer waits for the server's verdict once the whole message
    is sent (600 s: RFC 5321 asks for 10 minutes, as a server may check the message before it answers)."""
    return float(os.environ.get("PRACTICE_MAIL_FINAL_REPLY_WAIT", "600"))


def mail_workers() -> int:
    """`PRACTICE_MAIL_WORKERS`: how many mails the mailer sends at the same time (4), so a slow one delays no other."""
    return max(1, int(os.environ.get("PRACTICE_MAIL_WORKERS", "4")))


def mail_lease() -> float:
    """`PRACTICE_MAIL_LEASE`: seconds a mail being sent stays leased to its mailer between renewals (30); a mail whose
    mailer died is tried again this long after its last renewal."""
    return float(os.environ.get("PRACTICE_MAIL_LEASE", "30"))


def stripe_api_base() -> str:
    """`PRACTICE_STRIPE_API_BASE`: where the Stripe SDK sends its calls ("" for Stripe itself); the tests point it at
    a localstripe of their own (docs/payments.md)."""
    return os.environ.get("PRACTICE_STRIPE_API_BASE", "").strip().rstrip("/")


def stripe_js_url() -> str:
    """`PRACTICE_STRIPE_JS_URL`: where the portal loads Stripe.js from (Stripe's; localstripe's fake in the tests)."""
    return os.environ.get("PRACTICE_STRIPE_JS_URL", "").strip() or "https://js.stripe.com/v3/"

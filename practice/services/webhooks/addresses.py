"""Which addresses a webhook may be sent to, and a connection that goes only to the address that was checked.

A webhook is a request the server makes on the firm's behalf to an address typed into a form: left open, it could
reach the firm's own network (a router's page, a database's port, the cloud's metadata service at 169.254.169.254).
So, by default, only https:// addresses whose every name resolves to public addresses are taken, checked again at
each delivery (a name may change what it points to), and the request is sent to the very address that was checked
(no second look-up between the check and the connection). An owner or admin may allow private addresses (this
machine, the office's network) and plain http:// in the webhook settings: for a receiver on the same machine or
network, as the tests use on 127.0.0.1.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from practice.i18n import _
from practice.services.errors import InvalidInput

MAX_URL = 2000


def check_url(url: str, *, allow_private: bool) -> str:
    """The address as it will be kept, or InvalidInput with a sentence. Names are looked up at delivery."""
    url = (url or "").strip()
    if not url:
        raise InvalidInput(_("Enter the address the webhooks go to."), field="url")
    if len(url) > MAX_URL or any(c.isspace() for c in url):
        raise InvalidInput(_("That address is not valid: enter one like https://example.com/hooks."), field="url")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidInput(_("That address is not valid: enter one like https://example.com/hooks."), field="url")
    if parts.username or parts.password:
        raise InvalidInput(_("Leave the user name and password out of the address; each webhook is signed instead."),
                           field="url")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise InvalidInput(_("That address's port is not a number."), field="url") from None
    if parts.scheme == "http" and not allow_private:
        raise InvalidInput(_("Use an https:// address: webhooks carry the firm's data. (Plain http:// is for an "
                             "address on your own network, once private addresses are allowed in the webhook "
                             "settings.)"), field="url")
    literal = _literal(parts.hostname)
    if literal is not None and not allow_private and not literal.is_global:
        raise InvalidInput(_("That address is on a private network. An owner or admin can allow private addresses "
                             "in the webhook settings."), field="url")
    return url


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


class Refused(Exception):
    """The address may not be reached (a sentence)."""


def resolve(host: str, port: int, *, allow_private: bool) -> str:
    """The address to connect to: the first the name resolves to, after checking them all."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise Refused(_("The name {host} was not found.").format(host=host)) from None
    addresses = [info[4][0] for info in infos]
    if not allow_private:
        for address in addresses:
            if not ipaddress.ip_address(address.split("%")[0]).is_global:
                raise Refused(_("{host} leads to a private address ({address}); it was not called. An owner or admin "
                                "can allow private addresses in the webhook settings.").format(host=host,
                                                                                              address=address))
    return addresses[0]


class _Pinned:
    """Connects to the checked address; TLS still checks the certificate against the host's name."""

    def __init__(self, *args, address: str, **kwargs):
        self._address = address
        super().__init__(*args, **kwargs)

    def _socket(self):
        return socket.create_connection((self._address, self.port), self.timeout)


class PinnedHTTP(_Pinned, http.client.HTTPConnection):
    def connect(self):
        self.sock = self._socket()


class PinnedHTTPS(_Pinned, http.client.HTTPSConnection):
    def connect(self):
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self._socket(), server_hostname=self.host)


def connection(url: str, *, allow_private: bool, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    """An unopened connection to the checked address of `url`, and the path to ask for."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    if parts.scheme == "http" and not allow_private:
        raise Refused(_("Plain http:// addresses are allowed only with private addresses; use https://."))
    address = resolve(parts.hostname, port, allow_private=allow_private)
    kind = PinnedHTTPS if https else PinnedHTTP
    conn = kind(parts.hostname, port, timeout=timeout, address=address)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return conn, path

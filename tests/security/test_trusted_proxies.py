"""The visitor's address behind a reverse proxy: X-Forwarded-For is believed only when the connection comes from a
proxy named in PRACTICE_TRUSTED_PROXIES, read from the right (what the trusted proxies saw), never the part a
visitor could write. In the app's states (logins, signing records, /verify) and in the drive."""
from __future__ import annotations

import base64
import io
import types
from wsgiref.util import setup_testing_defaults

import pytest
from reflex import constants
from reflex.istate.data import RouterData

from practice import config
from practice.__main__ import main as practice_command
from practice.db import read_session, write_session
from practice.drive_app import make_app
from practice.models import LoginAttempt
from practice.services.access import auth
from practice.services.errors import PermissionDenied
from practice.state.base import client_address, request_cookie
from tests.factories import make_firm

pytestmark = [pytest.mark.security]

PROXY = "10.0.0.5"
VISITOR = "198.51.100.23"


@pytest.mark.parametrize("trusted, peer, forwarded, expected", [
    ("", "127.0.0.1", VISITOR, "127.0.0.1"),                       # no setting: the header is never read
    (PROXY, "203.0.113.9", VISITOR, "203.0.113.9"),                # a visitor sending the header itself
    (PROXY, PROXY, VISITOR, VISITOR),                              # through the proxy
    (PROXY, PROXY, f"6.6.6.6, {VISITOR}", VISITOR),                # the part left of what the proxy saw is ignored
    ("10.0.0.0/8", PROXY, f"6.6.6.6, {VISITOR}, 10.0.0.9", VISITOR),  # two trusted hops
    (PROXY, PROXY, "", PROXY),                                     # the proxy itself (a health check)
    (PROXY, PROXY, "unknown", PROXY),                              # not an address: keep the proxy's own
    (PROXY, PROXY, f"{VISITOR}:4711", VISITOR),                    # with a port
    ("::1", "::1", "[2001:db8::7]:443", "2001:db8::7"),            # IPv6
    ("127.0.0.1", "::ffff:127.0.0.1", VISITOR, VISITOR),           # an IPv4 peer written as IPv6
])
def test_the_forwarded_address_is_believed_only_from_a_trusted_proxy(monkeypatch, trusted, peer, forwarded,
                                                                     expected):
    monkeypatch.setenv("PRACTICE_TRUSTED_PROXIES", trusted)
    assert config.client_address(peer, forwarded) == expected


def test_a_wrong_setting_says_what_to_write_and_stops_the_start(monkeypatch, capsys):
    monkeypatch.setenv("PRACTICE_TRUSTED_PROXIES", "10.0.0.5, proxy.local")
    with pytest.raises(ValueError, match="'proxy.local' is not an address or a network"):
        config.trusted_proxies()
    assert practice_command(["drive"]) == 2
    assert "'proxy.local' is not an address or a network" in capsys.readouterr().err


def _state(peer: str, headers: dict) -> types.SimpleNamespace:
    """What a state's handler sees of its connection (Reflex's own RouterData, built from a connection's data)."""
    return types.SimpleNamespace(router=RouterData.from_router_data(
        {constants.RouteVar.HEADERS: headers, constants.RouteVar.CLIENT_IP: peer}))


def test_states_read_the_address_and_cookies_of_their_connection(monkeypatch):
    state = _state(PROXY, {"x-forwarded-for": f"6.6.6.6, {VISITOR}", "cookie": "a=b; practice_device=d1.x.y"})
    assert client_address(state) == PROXY
    monkeypatch.setenv("PRACTICE_TRUSTED_PROXIES", PROXY)
    assert client_address(state) == VISITOR
    assert request_cookie(state, "practice_device") == "d1.x.y" and request_cookie(state, "other") == ""


def an_owner(monkeypatch):
    with write_session() as s:
        make_firm(s, owner={"name": "Olivia Park", "email": "olivia@firm.example"})


def failures_by_address() -> dict[str, int]:
    with read_session() as s:
        return {row.key: row.failures for row in s.query(LoginAttempt).all() if row.key.startswith("ip:")}


@pytest.mark.firm(build=an_owner)
def test_the_login_state_counts_failures_against_the_forwarded_address_only_behind_a_trusted_proxy(firm, monkeypatch):
    state = _state(PROXY, {"x-forwarded-for": VISITOR})
    with pytest.raises(PermissionDenied), write_session() as s:
        auth.start_login(s, "olivia@firm.example", "wrong", ip=client_address(state))
    monkeypatch.setenv("PRACTICE_TRUSTED_PROXIES", PROXY)
    with pytest.raises(PermissionDenied), write_session() as s:
        auth.start_login(s, "olivia@firm.example", "wrong", ip=client_address(state))
    assert failures_by_address() == {f"ip:{PROXY}": 1, f"ip:{VISITOR}": 1}


def _drive_request(peer: str, forwarded: str) -> str:
    app = make_app()
    environ = {"REQUEST_METHOD": "PROPFIND", "SCRIPT_NAME": "", "PATH_INFO": "/", "REMOTE_ADDR": peer, "HTTP_DEPTH": "0",
               "HTTP_X_FORWARDED_FOR": forwarded, "wsgi.input": io.BytesIO(b""),
               "HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"olivia@firm.example:wrong").decode()}
    setup_testing_defaults(environ)
    status = []
    b"".join(app(environ, lambda s, h, exc=None: status.append(s)))
    return status[0]


@pytest.mark.firm(build=an_owner)
def test_the_drive_counts_failures_against_the_forwarded_address_only_behind_a_trusted_proxy(firm, monkeypatch):
    assert _drive_request(PROXY, VISITOR).startswith("401")
    assert failures_by_address() == {f"ip:{PROXY}": 1}
    monkeypatch.setenv("PRACTICE_TRUSTED_PROXIES", PROXY)
    assert _drive_request(PROXY, f"6.6.6.6, {VISITOR}").startswith("401")
    assert _drive_request("203.0.113.9", VISITOR).startswith("401")  # not the proxy: its header is not believed
    assert failures_by_address() == {f"ip:{PROXY}": 1, f"ip:{VISITOR}": 1, "ip:203.0.113.9": 1}

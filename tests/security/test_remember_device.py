"""POST /remember-device: a login's one-time grant becomes the HttpOnly device cookie (scripts never read it); a
forged, expired or oversized grant gets a sentence and no cookie."""
from __future__ import annotations

import datetime as dt

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from practice import routes
from practice.http_routes import HTTP_ROUTES
from practice.services.access import device_cookies, login_safety

pytestmark = pytest.mark.security

OWNER = login_safety.principal_key("staff", "olivia@firm.example")
CLIENT = login_safety.principal_key("contact", "june@hartley.example")


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PRACTICE_BASE_URL", raising=False)
    return TestClient(Starlette(routes=HTTP_ROUTES), base_url="http://127.0.0.1")


def test_a_grant_becomes_an_httponly_cookie_for_that_login(client):
    answer = client.post(routes.REMEMBER_DEVICE, content=device_cookies.grant(OWNER))
    assert answer.status_code == 204
    set_cookie = answer.headers["set-cookie"]
    assert set_cookie.startswith(f"{device_cookies.COOKIE}=")
    for flag in ("HttpOnly", "SameSite=strict", "Path=/", "Max-Age=7776000"):
        assert flag in set_cookie
    assert "Secure" not in set_cookie  # plain http on one machine: a Secure cookie would never come back
    cookie = client.cookies[device_cookies.COOKIE]
    assert device_cookies.device_for(cookie, OWNER) and device_cookies.device_for(cookie, CLIENT) is None
    # A second login in that browser (the client's) keeps the first one's entry.
    client.post(routes.REMEMBER_DEVICE, content=device_cookies.grant(CLIENT))
    both = client.cookies[device_cookies.COOKIE]
    assert device_cookies.device_for(both, OWNER) == device_cookies.device_for(cookie, OWNER)
    assert device_cookies.device_for(both, CLIENT)


def test_served_over_https_the_cookie_is_secure(client, monkeypatch):
    monkeypatch.setenv("PRACTICE_BASE_URL", "https://portal.firm.example")
    answer = client.post(routes.REMEMBER_DEVICE, content=device_cookies.grant(OWNER))
    assert "Secure" in answer.headers["set-cookie"]


EXPIRED = "expired"


@pytest.mark.parametrize("body", [b"", b"not a grant", EXPIRED, b"x" * 5_000_000])
def test_anything_but_a_fresh_grant_is_refused_with_a_sentence(client, body):
    if body == EXPIRED:  # signed with this data folder's secret, five minutes ago
        body = device_cookies.grant(OWNER, now=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5))
    answer = client.post(routes.REMEMBER_DEVICE, content=body)
    assert answer.status_code == 400 and answer.text == device_cookies.BAD_GRANT
    assert "set-cookie" not in answer.headers


def test_a_device_cookie_is_not_a_grant(client):
    client.post(routes.REMEMBER_DEVICE, content=device_cookies.grant(OWNER))
    cookie = client.cookies[device_cookies.COOKIE]
    assert client.post(routes.REMEMBER_DEVICE, content=cookie).status_code == 400

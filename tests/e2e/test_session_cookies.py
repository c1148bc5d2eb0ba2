"""In a real browser: after a staff login and after a portal login the session cookie is HttpOnly (the page's script
cannot read it: `document.cookie` does not show it), SameSite=Lax, and no websocket message ever carries its value;
logging out clears it. Every page and the backend answer with the frame policy."""
from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect
from reflex_base.config import get_config

from practice import routes
from tests.e2e.conftest import log_in
from tests.factories import portal_client

pytestmark = [pytest.mark.e2e, pytest.mark.security]

CLIENT_PASS = "copper-meadow-kettle-8"
CLIENT_EMAIL = "iris@cookie-test.example"


@pytest.fixture(scope="module")
def client_login(harness):
    """A contact with an active portal login."""
    portal_client(account="Cookie Household", first_name="Iris", last_name="Cookie", email=CLIENT_EMAIL,
                  password=CLIENT_PASS)
    return CLIENT_EMAIL


def websocket_messages(page) -> list[str]:
    """Every websocket message the page sends or receives from now on (state updates included)."""
    seen: list[str] = []

    def watch(ws):
        ws.on("framereceived", lambda payload: seen.append(str(payload)))
        ws.on("framesent", lambda payload: seen.append(str(payload)))

    page.on("websocket", watch)
    return seen


def the_cookie(page, name: str) -> dict:
    found = [c for c in page.context.cookies() if c["name"] == name]
    assert len(found) == 1, f"expected one {name} cookie, found {found}"
    return found[0]


def test_a_staff_session_is_an_httponly_cookie_the_page_never_sees(page, base_url):
    messages = websocket_messages(page)
    page.goto(base_url + routes.LOGIN, timeout=120_000)  # the dev server's first page compiles on demand
    log_in(page, base_url)
    expect(page.get_by_text("Welcome back, Olivia Park")).to_be_visible()
    cookie = the_cookie(page, routes.STAFF_SESSION_COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]  # plain http here
    assert routes.STAFF_SESSION_COOKIE not in page.evaluate("document.cookie")
    page.get_by_role("link", name="Accounts").first.click()
    expect(page).to_have_url(re.compile(r"/accounts$"))
    expect(page.get_by_text("Cookie Household").or_(page.locator("body")).first).to_be_visible()
    assert messages, "no websocket traffic was seen"
    assert not [m for m in messages if cookie["value"] in m], "the session id travelled over the websocket"
    page.click("#logout")
    expect(page).to_have_url(re.compile(r"/login$"))
    assert not [c for c in page.context.cookies() if c["name"] == routes.STAFF_SESSION_COOKIE]
    page.goto(base_url + routes.ACCOUNTS)
    expect(page).to_have_url(re.compile(r"/login$"))


def test_a_portal_session_is_an_httponly_cookie_the_page_never_sees(page, base_url, client_login):
    messages = websocket_messages(page)
    page.goto(base_url + routes.PORTAL_LOGIN)
    page.fill("#portal-email", client_login)
    page.fill("#portal-password", CLIENT_PASS)
    page.click("#portal-login-submit")
    expect(page).to_have_url(re.compile(r"/portal$"))
    cookie = the_cookie(page, routes.PORTAL_SESSION_COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert routes.PORTAL_SESSION_COOKIE not in page.evaluate("document.cookie")
    expect(page.locator("#portal-logout")).to_be_visible()
    assert messages and not [m for m in messages if cookie["value"] in m]
    page.click("#portal-logout")
    expect(page).to_have_url(re.compile(r"/portal/login$"))
    assert not [c for c in page.context.cookies() if c["name"] == routes.PORTAL_SESSION_COOKIE]


def test_every_page_and_the_backend_forbid_other_sites_to_frame_them(page, base_url):
    for path in (routes.LOGIN, routes.PORTAL_LOGIN, routes.VERIFY, routes.HOME):
        answer = page.goto(base_url + path)
        headers = answer.all_headers()
        assert "frame-ancestors 'self'" in headers.get("content-security-policy", ""), path
        assert headers.get("x-frame-options") == "SAMEORIGIN", path
    backend = get_config().api_url.rstrip("/")
    for url in (base_url + routes.file_url(1), backend + "/ping", backend + routes.file_url(1),
                backend + routes.SESSION_START):
        answer = httpx.get(url)
        assert "frame-ancestors 'self'" in answer.headers.get("content-security-policy", ""), url
        assert answer.headers.get("x-frame-options") == "SAMEORIGIN", url

"""The login cookies are out of the page script's reach: the backend sets them HttpOnly, SameSite=Lax, Secure over
HTTPS, after a login hands it a one-time token; no state var holds a session id, so none travels in state updates.
(The browser journey, tests/e2e/test_session_cookies.py, checks the same from Chromium.)"""
from __future__ import annotations

import asyncio
import time

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

import practice.practice  # noqa: F401 - loads every page and state
from practice import routes
from practice.db import read_session, write_session
from practice.models import LoginSession
from practice.services.access import auth, session_handoff
from practice.services.portal import logins
from practice.session_routes import SESSION_ROUTES
from practice.state.base import AppState
from practice.state.login import LoginState
from practice.state.portal import PortalLoginState, PortalState
from tests.factories import PASSWORD, give_portal_login, handoff_token, make_account, make_contact, make_firm
from tests.security.event_loop import longest_hold
from tests.security.test_state_surface import app_states

CLIENT_PASS = "copper-meadow-kettle-8"


def build(monkeypatch):
    with write_session() as s:
        staff = make_firm(s, owner={"name": "Olivia Park", "email": "olivia@example.com"})
        account_id = make_account(s, staff["owner"], name="Linden Household").id
        contact_id = make_contact(s, staff["owner"], [account_id], "Rhea", "Linden").id
    give_portal_login(staff["owner"], contact_id, CLIENT_PASS)
    return staff


pytestmark = [pytest.mark.security, pytest.mark.firm(build=build)]


def backend(base_url: str = "http://testserver") -> TestClient:
    return TestClient(Starlette(routes=SESSION_ROUTES), base_url=base_url, follow_redirects=False)


def staff_login() -> str:
    token = handoff_token(asyncio.run(LoginState().log_in({"email": "olivia@example.com", "password": PASSWORD})))
    assert token, "the login did not send the browser to /session/start"
    return token


def portal_login() -> str:
    token = handoff_token(asyncio.run(PortalLoginState().log_in({"email": "rhea@linden.example", "password": CLIENT_PASS})))
    assert token, "the portal login did not send the browser to /session/start"
    return token


def set_cookie(answer) -> dict[str, str | bool]:
    """The Set-Cookie header's name, value and attributes (flags as True), attribute names in lower case."""
    first, *attrs = [part.strip() for part in answer.headers["set-cookie"].split(";")]
    name, value = first.split("=", 1)
    out: dict[str, str | bool] = {"name": name, "value": value}
    for attr in attrs:
        key, _, val = attr.partition("=")
        out[key.lower()] = val or True
    return out


def with_cookie(state, header: str):
    state.router = RouterData.from_router_data({"headers": {"cookie": header}})
    return state


def test_no_state_var_can_hold_a_cookie_or_browser_storage():
    # rx.Cookie / LocalStorage vars are written by the page's script (never HttpOnly) and sent in state updates.
    client_storage = [f"{cls.__name__}.{name}" for cls in app_states()
                      for name, field in cls.get_fields().items()
                      if isinstance(field.default, (rx.Cookie, rx.LocalStorage, rx.SessionStorage))]
    assert client_storage == []


def test_a_staff_login_sets_an_httponly_lax_cookie_from_the_backend(firm):
    with backend() as client:
        answer = client.get(f"{routes.SESSION_START}?token={staff_login()}")
    assert answer.status_code == 303 and answer.headers["location"] == routes.HOME
    cookie = set_cookie(answer)
    assert cookie["name"] == routes.STAFF_SESSION_COOKIE
    assert cookie["httponly"] is True and str(cookie["samesite"]).lower() == "lax" and cookie["path"] == "/"
    assert "secure" not in cookie  # plain http: a Secure cookie would never come back
    with read_session() as s:
        assert auth.actor_for_session(s, str(cookie["value"])).member_id == firm["owner"].member_id


def test_a_portal_login_sets_its_own_httponly_cookie(firm):
    with backend() as client:
        answer = client.get(f"{routes.SESSION_START}?token={portal_login()}")
    cookie = set_cookie(answer)
    assert answer.headers["location"] == routes.PORTAL and cookie["name"] == routes.PORTAL_SESSION_COOKIE
    assert cookie["httponly"] is True and str(cookie["samesite"]).lower() == "lax"
    with read_session() as s:
        assert logins.actor_for_portal_session(s, str(cookie["value"])).name == "Rhea Linden"


def test_the_cookie_is_secure_when_the_app_is_served_over_https(firm, monkeypatch):
    # The request came in over https (the server takes the scheme from a trusted proxy's X-Forwarded-Proto) ...
    with backend("https://firm.example") as client:
        assert set_cookie(client.get(f"{routes.SESSION_START}?token={staff_login()}"))["secure"] is True
    # ... or the firm's address is https, whatever the proxy in front says.
    monkeypatch.setenv("PRACTICE_BASE_URL", "https://firm.example")
    with backend() as client:
        assert set_cookie(client.get(f"{routes.SESSION_START}?token={portal_login()}"))["secure"] is True


def test_a_token_works_once_and_only_from_the_firms_own_page(firm):
    token = staff_login()
    with backend() as client:
        foreign = client.get(f"{routes.SESSION_START}?token={token}", headers={"Sec-Fetch-Site": "cross-site"})
        assert foreign.status_code == 403 and "set-cookie" not in foreign.headers
        assert client.get(f"{routes.SESSION_START}?token={token}").status_code == 303
        again = client.get(f"{routes.SESSION_START}?token={token}")
        assert again.status_code == 400 and "set-cookie" not in again.headers
        assert client.get(f"{routes.SESSION_START}?token=made-up").status_code == 400


def test_the_session_id_the_login_step_saw_stops_working_once_the_cookie_is_set(firm):
    with write_session() as s:
        seen_by_the_login_step = auth.log_in(s, "olivia@example.com", PASSWORD)[0]
        token = session_handoff.hand_off(s, session_handoff.STAFF, seen_by_the_login_step)
    with backend() as client:
        in_the_cookie = str(set_cookie(client.get(f"{routes.SESSION_START}?token={token}"))["value"])
    with read_session() as s:
        assert auth.actor_for_session(s, in_the_cookie) is not None
        assert auth.actor_for_session(s, seen_by_the_login_step) is None


def test_logging_out_ends_the_session_and_clears_the_cookie(firm):
    with backend() as client:
        sid = str(set_cookie(client.get(f"{routes.SESSION_START}?token={staff_login()}"))["value"])
        client.cookies.clear()
        answer = client.get(routes.SESSION_END, cookies={routes.STAFF_SESSION_COOKIE: sid})
    cleared = set_cookie(answer)
    assert answer.headers["location"] == routes.LOGIN
    assert cleared["name"] == routes.STAFF_SESSION_COOKIE and cleared["value"] in ("", '""')
    assert cleared["max-age"] == "0" and cleared["httponly"] is True
    with read_session() as s:
        assert auth.actor_for_session(s, sid) is None
        assert s.exec(select(LoginSession).where(LoginSession.ended_at.is_not(None))).first() is not None


def test_another_site_cannot_log_a_visitor_out(firm):
    with backend() as client:
        sid = str(set_cookie(client.get(f"{routes.SESSION_START}?token={staff_login()}"))["value"])
        client.cookies.clear()
        client.get(routes.SESSION_END, cookies={routes.STAFF_SESSION_COOKIE: sid},
                   headers={"Sec-Fetch-Site": "cross-site"})
    with read_session() as s:
        assert auth.actor_for_session(s, sid) is not None


def test_states_read_the_session_from_the_connections_cookie_and_never_keep_it(firm):
    with backend() as client:
        sid = str(set_cookie(client.get(f"{routes.SESSION_START}?token={staff_login()}"))["value"])
    state = with_cookie(AppState(), f"{routes.STAFF_SESSION_COOKIE}={sid}; other=1")
    assert state._actor().member_id == firm["owner"].member_id
    assert sid not in repr(state.dict())
    assert with_cookie(PortalState(), f"{routes.STAFF_SESSION_COOKIE}={sid}")._actor() is None


class SlowHasher:
    """The real hasher, a second slower: a long password check makes a held event loop plain to see."""

    def __init__(self, real):
        self.real = real

    def verify(self, stored, password):
        time.sleep(1.0)
        return self.real.verify(stored, password)


@pytest.mark.parametrize("login", [
    lambda: LoginState().log_in({"email": "olivia@example.com", "password": "wrong horse battery"}),
    lambda: PortalLoginState().log_in({"email": "rhea@linden.example", "password": "wrong horse battery"})],
    ids=["staff", "portal"])
def test_a_login_leaves_the_event_loop_free_while_its_password_is_checked(login, firm, monkeypatch):
    """Checking a password's hash is slow on purpose; a flood of wrong logins must not hold up anybody's clicks."""
    monkeypatch.setattr(auth, "_hasher", SlowHasher(auth._hasher))

    worst = longest_hold(login)
    assert worst < 0.5, f"the event loop was held for {worst:.2f} s"

"""Issue 20: hashing or checking a password (argon2, slow on purpose: most of a second) never holds the server's event
loop. Logins already awaited it in a worker thread; so do now the owner adding a team member with a password, a
staff member's password reset, a client's portal activation and a client's password change. While each hashes, the
loop answers others within 200 ms; before, each held every user for the whole hash."""
from __future__ import annotations

import inspect
import re
import time

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import TeamMember
from practice.services.access import auth, password_reset
from practice.services.portal import logins
from practice.state.login import ResetPasswordState
from practice.state.portal import PortalActivateState, PortalProfileState
from practice.state.team import TeamState
from tests.factories import PASSWORD, contact_actor, give_portal_login, make_firm, make_household
from tests.security.event_loop import longest_hold

HELD_S = 0.2
# On the loop, a hash would hold it for (nearly) the whole call; off it, for a small part of the call. Argon2 takes
# about 0.12 s on a calm machine and up to a second or two under load, so the hold is judged against the call too.
SHARE_OF_CALL = 0.5
NEW_PASSWORD = "a long and fresh passphrase 42"


def a_firm_with_two_clients(monkeypatch):
    """The owner; June Hartley with portal access, Ray and Sue Hartley invited but not yet active."""
    with write_session() as s:
        owner = make_firm(s)["owner"]
        _account, (june, *others) = make_household(s, owner, "Hartley Household", "Hartley", ("June", "Ray", "Sue"),
                                                   invite=False)
        june_id, june_email, other_ids = june.id, june.email, [c.id for c in others]
    give_portal_login(owner, june_id, PASSWORD)
    with write_session() as s:
        links = [logins.invite(s, owner, contact_id).link for contact_id in other_ids]
    with read_session() as s:
        owner_email = s.get(TeamMember, owner.member_id).email
    return {"owner": owner, "owner_email": owner_email, "june": june_id, "june_email": june_email,
            "activations": [re.search(r"token=([\w-]+)", link).group(1) for link in links]}


pytestmark = [pytest.mark.security, pytest.mark.firm(build=a_firm_with_two_clients)]


def held_and_took(start) -> tuple[float, float]:
    """(the longest the event loop was held, the seconds the whole call took) while the handler ran, as Reflex runs
    it: a plain handler on the loop, an async one awaited there."""
    async def on_the_loop():
        result = start()
        if inspect.isawaitable(result):
            await result

    started = time.monotonic()
    worst = longest_hold(on_the_loop)
    return worst, time.monotonic() - started


def assert_loop_free(start, tries: int = 2) -> int:
    """`start(n)` calls the handler for the n-th time (each a fresh case). A machine shared with other work can
    pause the whole process for a moment whatever it runs: one of `tries` calls must leave the loop free (a hash on
    the loop holds it every time, for the whole hash). Returns the n of that call."""
    seen = []
    for n in range(tries):
        worst, took = held_and_took(lambda n=n: start(n))
        seen.append(f"{worst:.2f} s of {took:.2f} s")
        if worst < HELD_S and worst < took * SHARE_OF_CALL:
            return n
    raise AssertionError("the event loop was held for " + ", ".join(seen))


def test_adding_a_team_member_with_a_password_leaves_others_answered(firm, monkeypatch):
    monkeypatch.setattr(TeamState, "_actor", lambda self: firm["owner"])
    state = TeamState()

    def add(n: int):
        return state.add_member({"name": f"Carl New {n}", "email": f"carl{n}@example.com", "password": NEW_PASSWORD,
                                 "role": "employee"})

    assert_loop_free(add)
    assert state.add_error == ""
    with read_session() as s:
        carl = s.exec(select(TeamMember).where(TeamMember.email == "carl0@example.com")).one()
    assert auth.verify_password(carl.password_hash, NEW_PASSWORD)


def test_a_staff_password_reset_leaves_others_answered(firm):
    state = ResetPasswordState()

    def reset(n: int):
        with write_session() as s:
            state._token = password_reset.issue_link(s, firm["owner_email"])[1]
        return state.set_password({"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})

    assert_loop_free(reset)
    assert state.error == ""
    with read_session() as s:
        owner = s.exec(select(TeamMember).where(TeamMember.email == firm["owner_email"])).one()
    assert auth.verify_password(owner.password_hash, NEW_PASSWORD)


def test_a_portal_activation_leaves_others_answered(firm):
    state = PortalActivateState()

    def activate(n: int):
        state._token = firm["activations"][n]
        return state.set_password({"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})

    assert_loop_free(activate)
    assert state.error == ""


def test_a_clients_password_change_leaves_others_answered(firm, monkeypatch):
    with write_session() as s:
        sid = logins.log_in(s, firm["june_email"], PASSWORD)
    june = contact_actor(firm["june"])
    monkeypatch.setattr(PortalProfileState, "_actor", lambda self: june)
    monkeypatch.setattr(PortalProfileState, "_session_id", lambda self: sid)
    state = PortalProfileState()
    passwords = [PASSWORD, NEW_PASSWORD, NEW_PASSWORD + " again"]

    def change(n: int):
        return state.change_password({"current_password": passwords[n], "new_password": passwords[n + 1],
                                      "confirm_password": passwords[n + 1]})

    n = assert_loop_free(change)
    assert state.error == "" and state.notice
    with write_session() as s:
        assert logins.log_in(s, firm["june_email"], passwords[n + 1])

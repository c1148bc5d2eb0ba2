"""The base of every page state: who is logged in, and the one decorator that says who may call a handler.

Any public method of a Reflex state can be called by any browser with any arguments, so every
public event handler is wrapped by `allow(...)`; `tests/security` fails if one is not.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

import reflex as rx

from practice import routes
from practice.db import read_session, write_session
from practice.services import audit
from practice.services.access import auth, two_factor
from practice.services.actor import Actor
from practice.services.errors import PermissionDenied, PracticeError
from practice.services.actor import ContactActor

# Who may call a handler: anyone (login page), any logged-in staff member, admins (and owner), the owner;
# CONTACT: a client logged in to the portal (portal states' `_actor` gives a ContactActor).
ANYONE, STAFF, ADMIN, OWNER, CONTACT = "anyone", "staff", "admin", "owner", "contact"
LEVELS = (ANYONE, STAFF, ADMIN, OWNER, CONTACT)


def _permits(level: str, actor: Actor | ContactActor | None) -> bool:
    if level == ANYONE:
        return True
    if level == CONTACT:
        return isinstance(actor, ContactActor)
    # Staff levels need a staff member: a portal contact never passes them.
    if not isinstance(actor, Actor):
        return False
    if level == STAFF:
        return True
    if level == ADMIN:
        return actor.is_admin
    return actor.role == "owner"


def login_sentence(state) -> str:
    """Why a visitor is sent to log in: their session ended, or they never logged in in this browser."""
    had_session = bool(getattr(state, "sid", "") or getattr(state, "portal_sid", ""))
    return "Your session has ended. Log in again." if had_session else "Log in to continue."


def allow(level: str, *, during_setup: bool = False) -> Callable:
    """Declare who may call this event handler; others get a plain message and nothing happens.

    While the firm requires two-factor sign-in and the member has not set it up, only handlers
    marked `during_setup` (the setup page's) run for them."""
    if level not in LEVELS:
        raise ValueError(f"unknown access level {level!r}")

    def decorate(fn: Callable) -> Callable:
        def refusal(self):
            """None when the call may go ahead, else what to send back instead."""
            if level == ANYONE:
                return None
            # Portal states have no two-factor setup step; staff states report it with `_access`.
            access = getattr(self, "_access", None)
            actor, needs_setup = access() if access else (self._actor(), False)
            if actor is None:
                # Portal states send their visitors to the portal's login page.
                login_url = getattr(self, "_login_url", lambda: routes.LOGIN)()
                return [rx.toast.error(login_sentence(self)), rx.redirect(login_url)]
            if not _permits(level, actor):
                if isinstance(actor, Actor):
                    _record_denial(actor, f"{type(self).__name__}.{fn.__name__}")
                return rx.toast.error(str(PermissionDenied()))
            if needs_setup and not during_setup:
                return [rx.toast.error(SETUP_FIRST), rx.redirect(routes.ACCOUNT_SECURITY)]
            return None

        if inspect.isasyncgenfunction(fn):
            @functools.wraps(fn)
            async def wrapper(self, *args, **kwargs):
                if (no := refusal(self)) is not None:
                    yield no
                    return
                async for item in fn(self, *args, **kwargs):
                    yield item
        elif inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def wrapper(self, *args, **kwargs):
                if (no := refusal(self)) is not None:
                    yield no
                    return
                yield from fn(self, *args, **kwargs)
        elif inspect.iscoroutinefunction(fn):
            @functools.wraps(fn)
            async def wrapper(self, *args, **kwargs):
                if (no := refusal(self)) is not None:
                    return no
                return await fn(self, *args, **kwargs)
        else:
            @functools.wraps(fn)
            def wrapper(self, *args, **kwargs):
                if (no := refusal(self)) is not None:
                    return no
                return fn(self, *args, **kwargs)
        wrapper.__practice_access__ = level
        return wrapper

    return decorate


SETUP_FIRST = "Your firm requires two-factor sign-in. Set it up to continue."


def _record_denial(actor: Actor, handler: str) -> None:
    """Audit a logged-in member calling a handler above their role (rare: the UI hides such buttons)."""
    try:
        with write_session() as session:
            audit.record(session, actor, "access_denied", "handler", None,
                         f"{actor.name} was refused {handler}", handler=handler)
    except Exception:  # noqa: BLE001 - the refusal itself must still reach the browser
        pass


class AppState(rx.State):
    """Login state shared by every page state (they inherit from it)."""

    # The browser keeps only a random session id; the server keeps its hash.
    sid: str = rx.Cookie("", name="practice_sid", same_site="strict", max_age=7 * 24 * 3600)
    member_name: str = ""
    member_role: str = ""
    flash: str = ""

    def _actor(self) -> Actor | None:
        """The logged-in member, checked against the database on every call (revocation is immediate)."""
        with read_session() as session:
            return auth.actor_for_session(session, self.sid)

    def _access(self) -> tuple[Actor | None, bool]:
        """The logged-in member, and whether they must set up two-factor sign-in before anything else."""
        actor = self._actor()
        if actor is None or not actor.member_id:
            return actor, False
        with read_session() as session:
            return actor, two_factor.must_set_up(session, actor.member_id)

    def _require(self) -> Actor:
        actor = self._actor()
        if actor is None:
            raise PermissionDenied("Your session has ended. Log in again.")
        return actor

    @rx.var
    def is_admin(self) -> bool:
        return self.member_role in ("owner", "admin")

    @rx.var
    def is_owner(self) -> bool:
        return self.member_role == "owner"

    @allow(ANYONE)
    def require_login(self):
        """on_load of every staff page: send strangers to the login page; start this tab's unread-badge watcher."""
        actor, needs_setup = self._access()
        if actor is None:
            self.member_name = self.member_role = ""
            return rx.redirect(routes.LOGIN)
        self.member_name, self.member_role = actor.name, actor.role.value if hasattr(actor.role, "value") else actor.role
        with write_session() as session:
            auth.touch_session(session, self.sid)
        if needs_setup and self.router.url.path.rstrip("/") != routes.ACCOUNT_SECURITY:
            return rx.redirect(routes.ACCOUNT_SECURITY)
        # Chained from on_load so Reflex cancels it when the tab navigates, reloads or disconnects.
        from practice.state.inbox import InboxBadgeState  # noqa: PLC0415 - that state builds on this one
        return InboxBadgeState.watch_unread

    @allow(ANYONE)
    def log_out(self):
        with write_session() as session:
            auth.log_out(session, self.sid)
        self.sid = ""
        self.member_name = self.member_role = ""
        return rx.redirect(routes.LOGIN)


def run(fn: Callable[..., Any], *args, **kwargs):
    """Call a service in a write transaction; a PracticeError becomes (None, sentence)."""
    try:
        with write_session() as session:
            return fn(session, *args, **kwargs), None
    except PracticeError as err:
        return None, str(err)


def read(fn: Callable[..., Any], *args, **kwargs):
    """Call a service in a read session; a PracticeError becomes (None, sentence)."""
    try:
        with read_session() as session:
            return fn(session, *args, **kwargs), None
    except PracticeError as err:
        return None, str(err)

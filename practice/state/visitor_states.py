"""Reflex's in-memory state manager, with a short life and a cap for the states of tabs nobody is logged in on.

Every browser tab that connects gets a whole state tree (about 35 KB, 60 KB once its page has loaded), which Reflex
keeps for an hour after the tab's last event: a stranger opening thousands of websocket connections would fill the
server's memory. So the state of a tab without a live login (no session cookie in its connection, or one the
database does not know) is dropped `config.visitor_state_seconds()` after its last event, and at most
`config.max_visitor_states()` of them are kept (the least recently used go first). Tabs with a live login keep
Reflex's expiry: nobody signed in is affected. A dropped visitor loses nothing stored: their next event starts from
a fresh state (a login still works, it reads the form and the connection's cookies; a half-done two-factor step
says it has expired).
"""
from __future__ import annotations

import asyncio
import dataclasses
import time
from collections import OrderedDict

from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.token import BaseStateToken, StateToken
from starlette.requests import cookie_parser

from practice import config, routes
from practice.db import read_session
from practice.services.access import auth
from practice.services.portal import logins


def has_live_login(cookie_header: str) -> bool:
    """Whether a connection's cookies hold a staff or portal session the database knows and has not ended."""
    cookies = cookie_parser(cookie_header or "")
    staff, portal = cookies.get(routes.STAFF_SESSION_COOKIE), cookies.get(routes.PORTAL_SESSION_COOKIE)
    if not staff and not portal:
        return False
    with read_session() as session:
        return (auth.actor_for_session(session, staff) is not None
                or logins.actor_for_portal_session(session, portal) is not None)


@dataclasses.dataclass
class VisitorBoundStateManager(StateManagerMemory):
    """StateManagerMemory whose anonymous tabs' states expire soon and are capped in number."""

    visitor_expiration: float = dataclasses.field(default_factory=config.visitor_state_seconds)
    max_visitor_states: int = dataclasses.field(default_factory=config.max_visitor_states)
    # The anonymous tabs' states, least recently used first.
    _visitors: OrderedDict = dataclasses.field(default_factory=OrderedDict, init=False)
    # Per state: the connection's cookie header last checked, and whether it held a live login (checked once per
    # connection: the header changes only when the tab reconnects).
    _logins: dict = dataclasses.field(default_factory=dict, init=False)

    def _signed_in(self, token: StateToken) -> bool:
        state = self.states.get(token.cache_key)
        if not isinstance(token, BaseStateToken) or state is None:
            return True  # not a tab's state tree: Reflex's own rules
        header = state.router.headers.cookie or ""
        known = self._logins.get(token.cache_key)
        if known is None or known[0] != header:
            known = self._logins[token.cache_key] = (header, has_live_login(header))
        return known[1]

    def _track_token(self, token: StateToken):
        key = token.cache_key
        if self._signed_in(token):
            self._visitors.pop(key, None)
            super()._track_token(token)
            return
        self._token_expires_at[key] = (time.time() + self.visitor_expiration, token)
        self._visitors[key] = token
        self._visitors.move_to_end(key)
        self._drop_least_recent_visitors()
        self._ensure_expiration_task()

    def _drop_least_recent_visitors(self) -> None:
        excess = len(self._visitors) - self.max_visitor_states
        if excess <= 0:
            return
        victims = []
        for token in self._visitors.values():
            if len(victims) == excess:
                break
            lock = self._states_locks.get(token.lock_key)
            if lock is None or not lock.locked():  # never a state an event is using
                victims.append(token)
        for token in victims:
            self._purge_token(token)

    def _purge_token(self, token: StateToken):
        self._visitors.pop(token.cache_key, None)
        self._logins.pop(token.cache_key, None)
        super()._purge_token(token)

    async def _expire_states(self):
        """Reflex's sweep, waking at least every quarter of the visitors' expiry (it otherwise sleeps until the
        earliest deadline it saw, which may be a logged-in tab's hour)."""
        try:
            while True:
                if (next_expires_at := self._purge_expired_tokens()) is None:
                    return
                wait = min(max(0.0, next_expires_at - time.time()), max(self.visitor_expiration / 4, 0.05))
                await asyncio.sleep(wait)
        finally:
            if self._expiration_task is asyncio.current_task():
                self._expiration_task = None

    def visitor_states(self) -> int:
        """How many anonymous tabs' states are kept now."""
        return len(self._visitors)

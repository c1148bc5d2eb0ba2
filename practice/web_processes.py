"""Several web processes on Redis: a page whose process dies keeps its own state when it reconnects to another.

With `REFLEX_REDIS_URL`, Reflex records in Redis which web process holds each open page's connection (a record under
the page's token, kept an hour) and keeps the page's state there too. When a process is killed, its records stay
behind: a page that reconnects to another process finds its token "connected elsewhere", is taken for a second tab
of the same page, and is given a new token, so it starts again from an empty state (its open dialog, its filters,
the choices made in a form are gone, and a form sent at that moment is sent with the empty state's values).

Each web process therefore says in Redis that it is alive (its host, process id and start time, under a key that
lapses after a few seconds, renewed every second), and a reconnecting page whose record names a process that is not
alive any more takes its token back: the record is removed (only if it is still that record) before Reflex links the
token, so the page carries on with its state. A process on this host is known dead at once (its id is gone or names
another process); one on another host once its key has lapsed. A second tab of a page whose process is alive is
still given a new token, as Reflex intends (tests/e2e/test_scale_out.py, tests/test_web_processes.py).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import socket

from reflex.utils.token_manager import RedisTokenManager

log = logging.getLogger(__name__)

# Reflex's opportunistic lock, with Redis: the process that takes a page's lock keeps it, and the page's state in
# memory, for the hold time, then writes the state back once and lets go (at once when another process asks for the
# page, which Redis tells it). Without it each event took the lock, read the page's states, wrote them back and let
# go: a page view is three events (load, the page's own load, hydrated), twelve Redis round trips, and every lock
# taken or let go was told to every web process. Measured on the portal (docs/benchmarks.md, issue 19): 4 web
# processes spent 11.4 ms of CPU per page view without it, 9.7 with it. The price: a process killed outright loses
# what its pages changed in their last hold time, and such a page waits for the lock to lapse (Reflex's
# redis_lock_expiration, 10 s) before its next event is answered. A second is about one click's events.
STATE_LOCK_SETTINGS = {"REFLEX_OPLOCK_ENABLED": "true", "REFLEX_OPLOCK_HOLD_TIME": "1s"}


def configure_state_locks(environ=os.environ) -> None:
    """With Redis (REFLEX_REDIS_URL), Reflex's opportunistic lock unless the operator set it otherwise (rxconfig.py
    calls this before Reflex reads its settings)."""
    if environ.get("REFLEX_REDIS_URL"):
        for name, value in STATE_LOCK_SETTINGS.items():
            environ.setdefault(name, value)


ALIVE_PREFIX = "practice_web_process_alive_"
BEAT_SECONDS = 1.0
LAPSE_MS = 5000
# Remove a key only if it still holds the value read (another process may have linked the token meanwhile).
_DELETE_IF_SAME = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def process_start(pid: int) -> str | None:
    """When process `pid` started (in clock ticks since boot, from /proc), or None when it is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def identity(pid: int | None = None) -> str:
    """This process as the alive key names it: host, process id and start time."""
    pid = pid or os.getpid()
    return f"{socket.gethostname()} {pid} {process_start(pid)}"


def named_process_is_gone(named: str) -> bool:
    """Whether the process an alive key names is known to be gone: on this host, its id is free or now names
    another process. A process on another host is only known gone once its key lapses."""
    host, _, rest = named.partition(" ")
    pid, _, started = rest.partition(" ")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return process_start(int(pid)) != started


class ReclaimingTokenManager(RedisTokenManager):
    """Reflex's Redis token manager, which gives a page back its token when the process that held it is dead."""

    async def link_token_to_sid(self, token: str, sid: str) -> str | None:
        try:
            await self._release_if_orphaned(token)
        except Exception:  # Redis trouble: Reflex's own handling (a new token) applies
            log.warning("could not check the web process that held a page", exc_info=True)
        return await super().link_token_to_sid(token, sid)

    async def _release_if_orphaned(self, token: str) -> None:
        key = self._get_redis_key(token)
        raw = await self.redis.get(key)
        if not raw:
            return
        record = pickle.loads(raw)
        if record.instance_id == self.instance_id:
            return  # this process's own record: Reflex knows its sockets
        alive = await self.redis.get(ALIVE_PREFIX + record.instance_id)
        if alive is not None and not named_process_is_gone(alive.decode()):
            return  # a second tab of a page that is open elsewhere: Reflex gives it a new token
        if await self.redis.eval(_DELETE_IF_SAME, 1, key, raw):
            self.token_to_socket.pop(token, None)
            log.info("a page of a web process that stopped reconnected here with its own state")


async def keep_alive(app) -> None:
    """While the server runs (a lifespan task of each web process): say in Redis that this process is alive, and
    let reconnecting pages of dead processes take their tokens back. Nothing to do without Redis."""
    namespace = app.event_namespace
    manager = getattr(namespace, "_token_manager", None)
    if not isinstance(manager, RedisTokenManager):
        return
    manager.__class__ = ReclaimingTokenManager
    me = identity()
    key = None
    try:
        while True:
            key = ALIVE_PREFIX + manager.instance_id  # read each time: Reflex gives each forked worker its own
            try:
                await manager.redis.set(key, me, px=LAPSE_MS)
            except Exception:
                log.warning("could not tell Redis this web process is alive", exc_info=True)
            await asyncio.sleep(BEAT_SECONDS)
    finally:
        if key is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(manager.redis.delete(key))

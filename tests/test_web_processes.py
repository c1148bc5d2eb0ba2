"""A page whose web process died takes its token back when it reconnects elsewhere; a second tab of a page that is
open in a live process is still given a new token (practice/web_processes.py). Against a real Redis server."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
import redis.asyncio

from practice import web_processes
from practice.web_processes import ReclaimingTokenManager, identity, named_process_is_gone, process_start
from tests.redis_server import ThrowawayRedis


@pytest.fixture(scope="module")
def redis_url():
    server = ThrowawayRedis().start()
    try:
        yield server.url(0)
    finally:
        server.stop()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_process_is_known_gone_once_its_id_is_free_or_names_another_process():
    me = identity()
    assert process_start(os.getpid()) is not None and not named_process_is_gone(me)
    host = me.split()[0]
    assert named_process_is_gone(f"{host} {_dead_pid()} 12345")
    assert named_process_is_gone(f"{host} {os.getpid()} 1")  # the id was taken by another process since
    assert not named_process_is_gone(f"another-host.example {_dead_pid()} 12345")  # only its key's lapse tells


def _link(url: str, alive: str | None) -> tuple[str | None, str | None]:
    """Page T is linked by process A (whose alive key says `alive`, or has lapsed), then reconnects to process B:
    what B returns (a new token, or None when the page keeps its own) and, with A alive, whether A still holds it."""
    async def run():
        first = ReclaimingTokenManager(redis.asyncio.Redis.from_url(url))
        second = ReclaimingTokenManager(redis.asyncio.Redis.from_url(url))
        token = f"page-{os.urandom(4).hex()}"
        try:
            assert await first.link_token_to_sid(token, "sid-on-a") is None
            key = web_processes.ALIVE_PREFIX + first.instance_id
            if alive is not None:
                await first.redis.set(key, alive, px=web_processes.LAPSE_MS)
            given = await second.link_token_to_sid(token, "sid-on-b")
            owner = await second._get_token_owner(token, refresh=True)
            return given, ("b" if owner == second.instance_id else "a" if owner == first.instance_id else owner)
        finally:
            for manager in (first, second):
                for task in (manager._socket_record_task, manager._lost_and_found_task):
                    if task is not None:
                        task.cancel()
                await manager.redis.aclose()
    return asyncio.run(run())


def test_a_page_of_a_killed_process_keeps_its_token(redis_url):
    host = identity().split()[0]
    assert _link(redis_url, f"{host} {_dead_pid()} 12345") == (None, "b")


def test_a_page_of_a_process_whose_alive_key_lapsed_keeps_its_token(redis_url):
    assert _link(redis_url, None) == (None, "b")


def test_a_second_tab_of_a_page_open_in_a_live_process_gets_a_new_token(redis_url):
    given, owner = _link(redis_url, identity())
    assert given is not None and given != "page" and owner == "a"


def test_with_redis_the_state_lock_is_held_opportunistically_unless_the_operator_chose():
    environ = {"REFLEX_REDIS_URL": "redis://127.0.0.1:6379/0"}
    web_processes.configure_state_locks(environ)
    assert environ["REFLEX_OPLOCK_ENABLED"] == "true" and environ["REFLEX_OPLOCK_HOLD_TIME"] == "1s"
    chosen = {"REFLEX_REDIS_URL": "redis://127.0.0.1:6379/0", "REFLEX_OPLOCK_ENABLED": "false"}
    web_processes.configure_state_locks(chosen)
    assert chosen["REFLEX_OPLOCK_ENABLED"] == "false"
    alone = {}
    web_processes.configure_state_locks(alone)
    assert alone == {}  # one process, its states in memory: nothing to lock


def test_a_page_moved_to_another_process_gets_the_state_the_first_one_holds(redis_url, monkeypatch):
    """Process A answers a page's event and keeps the page's lock and state; the page then reconnects to process B
    (A's death aside, a reconnect may land on any process): B's first event sees what A's event changed, once A,
    told by Redis, has written it back and let go."""
    from reflex.istate.manager.redis import StateManagerRedis
    from reflex.istate.manager.token import BaseStateToken

    from practice.state.portal import PortalBadgeState

    for name, value in web_processes.STATE_LOCK_SETTINGS.items():
        monkeypatch.setenv(name, value)

    async def run():
        first = StateManagerRedis(redis=redis.asyncio.Redis.from_url(redis_url))
        second = StateManagerRedis(redis=redis.asyncio.Redis.from_url(redis_url))
        token = BaseStateToken(ident=f"page-{os.urandom(4).hex()}", cls=PortalBadgeState)
        try:
            for manager in (first, second):  # listening to Redis's lock news, as a process is once it has served
                await manager._ensure_lock_task_subscribed(timeout=30)
            async with first.modify_state(token) as root:
                (await root.get_state(PortalBadgeState)).messages_unread = 3
            assert first._oplock_enabled and token.lock_key in first._local_leases  # A still holds the page
            async with asyncio.timeout(30):
                async with second.modify_state(token) as root:
                    seen = (await root.get_state(PortalBadgeState)).messages_unread
            return seen
        finally:
            for manager in (first, second):
                await manager.close()
    assert asyncio.run(run()) == 3

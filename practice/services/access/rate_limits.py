"""Call limits shared by every web process of the firm: at most `limit` calls per key (an API token, an address) in
any `window` seconds, however many processes serve the calls (`practice/api_routes.py`; docs/api.md, Limits).

The calls of the last window are kept where every process sees them, as the worker's queue is (worker/huey_app.py):
in Redis when REDIS_URL is set (a sorted set per key, checked and added to by one Lua script, so two processes
cannot both take the last call), else in the database (`ApiCall` rows, in a write transaction, which writers take
one at a time on SQLite and PostgreSQL alike). Times are the wall clock's seconds, which the processes share.
"""
from __future__ import annotations

import os
import secrets
import threading
import time

import redis
from sqlalchemy import delete, func
from sqlmodel import Session, select

from practice.models import ApiCall

# Redis: drop the calls older than the window, refuse (answering the seconds to wait) when `limit` remain, else add
# this one; the key expires with its last call.
_SCRIPT = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tostring(tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
return '0'
"""
_REDIS_PREFIX = "practice:calls:"
_clients: dict[str, object] = {}
_clients_lock = threading.Lock()


class Unavailable(Exception):
    """The shared count cannot be read (Redis does not answer): the call is refused rather than let through uncounted."""


def redis_url() -> str:
    return os.environ.get("REDIS_URL", "")


def _redis(url: str):
    with _clients_lock:
        if url not in _clients:
            client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
            _clients[url] = (client, client.register_script(_SCRIPT))
        return _clients[url]


def wait_redis(url: str, key: str, limit: int, window: float, now: float | None = None) -> float:
    """0 when the call may go ahead (and is counted), else the seconds until it may."""
    _client, script = _redis(url)
    now = time.time() if now is None else now
    try:
        answer = script(keys=[_REDIS_PREFIX + key],
                        args=[repr(now), repr(window), limit, f"{now!r}:{secrets.token_hex(4)}"])
    except redis.RedisError as err:
        raise Unavailable(str(err)) from err
    return max(0.0, float(answer))


def wait_db(session: Session, key: str, limit: int, window: float, now: float | None = None) -> float:
    """The same in the database, within the caller's write transaction."""
    now = time.time() if now is None else now
    session.exec(delete(ApiCall).where(ApiCall.at <= now - window))
    count, oldest = session.exec(select(func.count(), func.min(ApiCall.at)).where(ApiCall.key == key)).one()
    if count >= limit:
        return max(0.0, oldest + window - now)
    session.add(ApiCall(key=key, at=now))
    return 0.0


def clear_redis(url: str) -> None:
    client, _script = _redis(url)
    keys = list(client.scan_iter(match=_REDIS_PREFIX + "*"))
    if keys:
        client.delete(*keys)


def clear_db(session: Session) -> None:
    session.exec(delete(ApiCall))

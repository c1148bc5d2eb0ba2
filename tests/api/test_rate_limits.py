"""The API's rate limits hold across web processes: two processes serving one firm (one database, or one Redis when
REDIS_URL is set) give a token its allowance once, not once each, and refuse the rest with 429 and Retry-After."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from starlette.applications import Starlette

from practice import api_routes, db
from practice.services.access import rate_limits
from tests.api.firm import TestClient, auth, build
from tests.smtp import free_port

pytestmark = pytest.mark.firm(build=build)

# One web process of the firm: the API's own routes on the firm's database, its token limit lowered to `limit`; it
# says "ready", waits for the go (so the two run at once), makes `calls` calls and prints what it was answered.
PROCESS = """
import json, sys, warnings
from starlette.applications import Starlette
from practice import api_routes
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient
secret, limit, calls = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
api_routes.TOKEN_LIMIT.limit = limit
c = TestClient(Starlette(routes=api_routes.API_ROUTES))
print("ready", flush=True)
sys.stdin.readline()
answers = []
for _ in range(calls):
    r = c.get("/api/v1/accounts", headers={"Authorization": "Bearer " + secret})
    answers.append([r.status_code, r.headers.get("retry-after"), r.json().get("error", {}).get("message", "")])
print(json.dumps(answers), flush=True)
"""


def _two_processes(secret: str, limit: int, calls: int, redis_url: str = "") -> list[list]:
    env = dict(os.environ, DATABASE_URL=db.get_engine().url.render_as_string(hide_password=False))
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    processes = [subprocess.Popen([sys.executable, "-c", PROCESS, secret, str(limit), str(calls)], env=env,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        for p in processes:
            assert p.stdout.readline().strip() == "ready"
        for p in processes:
            p.stdin.write("go\n")
            p.stdin.flush()
        answers = []
        for p in processes:
            out, _err = p.communicate(timeout=120)
            assert p.returncode == 0
            answers += json.loads(out.strip().splitlines()[-1])
        return answers
    finally:
        for p in processes:
            if p.poll() is None:
                p.kill()


def _holds(answers: list[list], limit: int) -> None:
    statuses = sorted(a[0] for a in answers)
    assert statuses == [200] * limit + [429] * (len(answers) - limit), statuses
    for status, retry_after, message in answers:
        if status == 429:
            assert 1 <= int(retry_after) <= 60 and message.startswith("Too many requests. Try again in")


def test_two_web_processes_on_one_database_share_a_tokens_allowance(firm):
    _holds(_two_processes(firm["tokens"]["owner_read"], limit=8, calls=8), limit=8)


@pytest.mark.skipif(not shutil.which("redis-server"), reason="Redis is not installed (make redis)")
def test_two_web_processes_on_one_redis_share_a_tokens_allowance(firm):
    from tests.redis_server import ThrowawayRedis

    server = ThrowawayRedis().start()
    try:
        _holds(_two_processes(firm["tokens"]["owner_read"], limit=8, calls=8, redis_url=server.url(3)), limit=8)
    finally:
        server.stop()


def test_a_redis_that_does_not_answer_refuses_calls_with_a_sentence_not_a_crash(firm, monkeypatch):
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    answer = TestClient(Starlette(routes=api_routes.API_ROUTES)).get("/api/v1/accounts",
                                                                     headers=auth(firm["tokens"]["owner_read"]))
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "60"
    assert answer.json()["error"]["message"].startswith("The server cannot count calls right now")


def test_a_flood_of_refused_calls_writes_nothing_until_a_call_is_free_again(firm, monkeypatch):
    counted = []
    for shared in ("wait_db", "wait_redis"):  # the shared count is in Redis when REDIS_URL is set (make test-postgres)
        real = getattr(rate_limits, shared)
        monkeypatch.setattr(rate_limits, shared, lambda *args, real=real, **kw: counted.append(1) or real(*args, **kw))
    monkeypatch.setattr(api_routes.FAILED_LIMIT, "limit", 2)
    api_routes.FAILED_LIMIT.clear()
    c = TestClient(Starlette(routes=api_routes.API_ROUTES))
    answers = [c.get("/api/v1/accounts", headers=auth("prt_guess")) for _ in range(12)]
    assert [a.status_code for a in answers] == [401, 401] + [429] * 10
    assert all(1 <= int(a.headers["Retry-After"]) <= 60 for a in answers[2:])
    assert len(counted) == 3  # two counted, one refused by the shared count; the other nine refused at once
    # Once the window has passed, the address is counted (and let through) again.
    later = api_routes.FAILED_LIMIT.wait("testclient", now=time.time() + 61)
    assert later == 0.0 and len(counted) == 4

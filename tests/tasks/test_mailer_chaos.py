"""Chaos for the mailer (issue 18, fault 2): the real mailer process is SIGKILLed at random while it sends 300 mails.

A kill can cost a duplicate only inside one window: between the server's "250" for a mail and the mailer's
"sent" commit for it (the mail is then sent again once its lease runs out, with the same Message-ID). The test
measures that window for every mail (the server notes the time of each 250, the row its `sent_at`, written in
the commit that follows), and checks every duplicate against the kills: each must have a kill between its
first 250 and its second copy. Every mail arrives at least once and every row ends `sent`.
CHAOS_SEED=N replays a run's timings.
"""
from __future__ import annotations

import collections
import os
import random
import statistics
import sys
import time

import pytest
from sqlmodel import select

from practice import db
from practice.db import read_session, write_session
from practice.migrate import upgrade
from practice.models import MailStatus, OutgoingMail
from practice.services.mail import outbox, settings as mail_settings
from tests.factories import actor_of, make_member
from tests.smtp import SMTPServer, unexplained_duplicates
from tests.tasks.conftest import empty_database
from tests.tasks.test_chaos import Child

pytestmark = [pytest.mark.chaos, pytest.mark.slow]

MAILS = 300
MIN_KILLS = 10
LEASE_S = 2  # the child's lease (PRACTICE_MAIL_LEASE): a killed mailer's mails are tried again this soon


@pytest.fixture
def mail_env(request, tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    # The run's engine: a SQLite file in the data folder, or a PostgreSQL database.
    env = {**os.environ, "PRACTICE_DATA_DIR": str(data), "DATABASE_URL": empty_database(request, data),
           "PRACTICE_MAIL_LEASE": str(LEASE_S)}
    for key in ("PRACTICE_DATA_DIR", "DATABASE_URL"):
        monkeypatch.setenv(key, env[key])
    upgrade()
    try:
        yield env
    finally:
        db.get_engine().dispose()


def _queue_mails(port: int) -> None:
    with write_session() as s:
        owner = actor_of(make_member(s, role="owner"))
        mail_settings.update_settings(s, owner, host="127.0.0.1", port=port, security="none", username="",
                                      from_address="office@example.com")
        for i in range(MAILS):
            outbox.enqueue(s, to_address=f"client{i:03d}@example.com", subject=f"Statement {i}", body="Dear client")


def _kill_at_random(mailer: Child, rnd: random.Random) -> list[float]:
    kills: list[float] = []
    while len(kills) < MIN_KILLS:
        up_by = time.monotonic() + 30
        while "sending queued mail" not in mailer.log() and time.monotonic() < up_by:
            time.sleep(0.02)
        time.sleep(rnd.uniform(0.05, 0.6))
        kills.append(mailer.kill() or time.time())  # the moment the signal went out
        mailer.start()
    return kills


def test_a_killed_mailer_duplicates_only_mails_caught_between_the_250_and_the_commit(mail_env, tmp_path):
    seed = int(os.environ.get("CHAOS_SEED") or random.randrange(10**6))
    print(f"\nCHAOS_SEED={seed}")
    rnd = random.Random(seed)
    logs = tmp_path / "logs"
    logs.mkdir()
    with SMTPServer() as server:
        _queue_mails(server.port)
        mailer = Child("mailer", [sys.executable, "-m", "practice", "mailer"], mail_env, logs)
        try:
            mailer.start()
            kills = _kill_at_random(mailer, rnd)
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                with read_session() as s:
                    rows = s.exec(select(OutgoingMail)).all()
                if all(r.status == MailStatus.sent for r in rows) and len(server.messages) >= MAILS:
                    break
                assert mailer.proc.poll() is None, f"the mailer died:\n{mailer.log()[-3000:]}"
                time.sleep(0.2)
            time.sleep(LEASE_S + 1)  # room for a late duplicate to show up
        finally:
            mailer.stop()
        deliveries = server.deliveries
        messages = server.messages

    assert all(r.status == MailStatus.sent for r in rows), collections.Counter(r.status for r in rows)
    copies = collections.defaultdict(list)
    for d in deliveries:
        copies[d["message_id"]].append(d)
    assert set(copies) == {r.message_id for r in rows}, "a mail never arrived, or one arrived that was never queued"
    assert len(messages) == len(deliveries)
    # A mail's window runs from the server's 250 to the "sent" commit; the mailer says QUIT right after that
    # commit, so 250 -> QUIT bounds it from above. A kill inside it leaves that copy without a QUIT.
    windows = sorted((d["quit"] - d["accepted"]) * 1000 for d in deliveries if d["quit"] is not None)
    caught = [k for k in kills if any(d["accepted"] <= k and (d["quit"] is None or k <= d["quit"])
                                      for d in deliveries)]
    duplicated, outside, account = unexplained_duplicates(deliveries, kills)
    print(f"{MAILS} mails, {len(kills)} SIGKILLs of the mailer, {len(caught)} of them inside some mail's window; "
          f"{len(deliveries) - len(copies)} duplicates ({len(duplicated)} mails), {len(outside)} outside a window; "
          f"window from the 250 to the QUIT after the 'sent' commit: median {statistics.median(windows):.1f} ms, "
          f"p95 {windows[int(len(windows) * 0.95)]:.1f} ms, max {windows[-1]:.1f} ms")
    assert len(kills) >= MIN_KILLS
    assert not outside, (f"duplicates not explained by a kill between the 250 and the commit:\n{account}\n"
                         f"the mailer's log:\n{mailer.log()[-6000:]}")

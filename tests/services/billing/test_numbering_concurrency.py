"""Two OS processes issuing 500 invoices each at the same time get 1,000 distinct, consecutive numbers: the number
is taken from the firm's counter row in the same write transaction as the status change (`invoices.issue`), and
write transactions follow one another (BEGIN IMMEDIATE; the advisory write lock on PostgreSQL)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest
from sqlalchemy import text

from practice.config import ROOT
from practice.db import make_engine
from tests.tasks.conftest import empty_database

pytestmark = pytest.mark.slow

PER_PROCESS = 500
PROCESSES = 2

SETUP = textwrap.dedent("""
    import json, sys
    from practice.db import write_session
    from practice.migrate import upgrade
    from practice.services import events
    from practice.services.billing import invoices
    from tests.factories import actor_of, make_account, make_member

    events.set_doorbell(lambda ids: None)
    upgrade()
    with write_session() as s:
        owner = make_member(s, role="owner", name="Owner")
        actor = actor_of(owner)
        accounts = [make_account(s, actor).id for _ in range(5)]
        ids = [invoices.save_draft(s, actor, account_id=accounts[i % 5],
                                   lines=[{"name": "Bookkeeping", "rate": str(100 + i)}]).id
               for i in range(int(sys.argv[1]))]
    print(json.dumps({"owner_id": owner.id, "invoice_ids": ids}))
""")

WORKER = textwrap.dedent("""
    import json, os, sys, time
    from practice.db import write_session
    from practice.models import TeamMember
    from practice.services import events
    from practice.services.actor import Actor
    from practice.services.billing import invoices

    events.set_doorbell(lambda ids: None)
    owner_id, go_file, ready_file = int(sys.argv[1]), sys.argv[2], sys.argv[4]
    invoice_ids = [int(x) for x in sys.argv[3].split(",")]
    with write_session() as s:
        actor = Actor.of(s.get(TeamMember, owner_id))
    open(ready_file, "w").close()  # imported and connected: the test gives the signal once every process is
    while not os.path.exists(go_file):  # both processes start issuing together
        time.sleep(0.001)
    numbers, errors = [], []
    for invoice_id in invoice_ids:
        try:
            with write_session() as s:
                numbers.append(invoices.issue(s, actor, invoice_id).number)
        except Exception as exc:  # counted, never hidden
            errors.append(f"{type(exc).__name__}: {exc}"[:200])
        # A breath between two invoices, as between two people's clicks: SQLite's busy handler is not fair, and a
        # process that never pauses can take every number while the other sleeps in it (1 run in 7 did not race).
        time.sleep(0.002)
    print(json.dumps({"numbers": numbers, "errors": errors}))
""")


def test_two_processes_issuing_500_each_get_1000_consecutive_numbers(request, tmp_path):
    url = empty_database(request, tmp_path)  # the run's engine: a SQLite file, or a PostgreSQL database
    env = {**os.environ, "DATABASE_URL": url, "PRACTICE_DATA_DIR": str(tmp_path / "data"),
           "PRACTICE_HUEY_IMMEDIATE": "1", "PYTHONPATH": str(ROOT)}
    (tmp_path / "setup.py").write_text(SETUP)
    (tmp_path / "worker.py").write_text(WORKER)
    setup = subprocess.run([sys.executable, str(tmp_path / "setup.py"), str(PROCESSES * PER_PROCESS)],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert setup.returncode == 0, setup.stderr
    info = json.loads(setup.stdout.strip().splitlines()[-1])
    ids = info["invoice_ids"]
    go = tmp_path / "go"
    # Interleaved halves: each process issues every other draft, so the two race on every number.
    ready = [tmp_path / f"ready-{k}" for k in range(PROCESSES)]
    procs = [subprocess.Popen([sys.executable, str(tmp_path / "worker.py"), str(info["owner_id"]), str(go),
                               ",".join(map(str, ids[k::PROCESSES])), str(ready[k])],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for k in range(PROCESSES)]
    try:
        # The signal goes when both have imported the app and connected (a fixed 3 s was too short on a loaded
        # machine: one process began after the other had finished, and they did not race).
        deadline = time.monotonic() + 120
        while not all(f.exists() for f in ready) and time.monotonic() < deadline and all(p.poll() is None
                                                                                           for p in procs):
            time.sleep(0.05)
        go.touch()
        outputs = [p.communicate(timeout=600) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    results = []
    for p, (out, err) in zip(procs, outputs):
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert [e for r in results for e in r["errors"]] == []
    numbers = [n for r in results for n in r["numbers"]]
    assert len(numbers) == PROCESSES * PER_PROCESS
    assert sorted(numbers) == list(range(1, PROCESSES * PER_PROCESS + 1))  # distinct, consecutive, from 1
    assert all(r["numbers"] == sorted(r["numbers"]) for r in results)  # each process saw them rise
    first, second = (r["numbers"] for r in results)
    raced = min(first) < max(second) and min(second) < max(first)
    assert raced, "the processes did not race (one finished before the other began)"
    engine = make_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT number FROM invoice WHERE status = 'sent' ORDER BY number")).scalars().all()
        last = conn.execute(text("SELECT last_number FROM invoicecounter")).scalar_one()
    engine.dispose()
    assert stored == list(range(1, 1001)) and last == 1000

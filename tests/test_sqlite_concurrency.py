"""Two OS processes doing read-then-write on the same jobs: no lost update, no "database is locked".

Each child process runs `ITERATIONS` transactions; each reads a job, works out the next stage
(cyclically) from what it read, and moves the job there with `jobs.move_job`, which bumps the
job's version and writes an event row. Every move is therefore a read-modify-write race with the
other process. The house rule (BEGIN IMMEDIATE in `write_session`) must make all of them succeed.
The control runs the same workload in SQLite's default DEFERRED mode to show the rule matters.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from practice.config import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only("BEGIN IMMEDIATE is the SQLite house rule; the test makes its own SQLite file")]

ITERATIONS = 500
N_STAGES = 4
N_JOBS = 3
PROCESSES = 2

SETUP = textwrap.dedent("""
    import json, sys
    from practice.db import write_session
    from practice.migrate import upgrade
    from practice.services import events
    from tests.factories import actor_of, make_job, make_member, make_pipeline

    events.set_doorbell(lambda ids: None)
    upgrade()
    with write_session() as s:
        owner = make_member(s, role="owner", name="Owner")
        actor = actor_of(owner)
        pipeline = make_pipeline(s, actor, stages=[f"S{i}" for i in range(int(sys.argv[1]))])
        job_ids = [make_job(s, actor, pipeline=pipeline).id for _ in range(int(sys.argv[2]))]
    print(json.dumps({"owner_id": owner.id, "job_ids": job_ids}))
""")

WORKER = textwrap.dedent("""
    import json, os, sys, time
    from collections import Counter
    from sqlmodel import Session
    from practice.db import get_engine, write_session
    from practice.models import Job, TeamMember
    from practice.services import events
    from practice.services.work import jobs
    from practice.services.actor import Actor
    from practice.services.work.pipelines import stages_of

    events.set_doorbell(lambda ids: None)  # no consumer in this test
    owner_id, iterations, go_file, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    job_ids = [int(x) for x in sys.argv[5].split(",")]

    def deferred_session():
        # The control: the engine's default transaction, which starts with a plain (DEFERRED) BEGIN.
        from contextlib import contextmanager

        @contextmanager
        def cm():
            with Session(get_engine(), expire_on_commit=False) as session:
                with session.begin():
                    yield session
        return cm()

    open_session = write_session if mode == "immediate" else deferred_session
    with write_session() as s:
        actor = Actor.of(s.get(TeamMember, owner_id))
    moves, errors = Counter(), []
    while not os.path.exists(go_file):  # start both processes' loops together
        time.sleep(0.001)
    for i in range(iterations):
        job_id = job_ids[i % len(job_ids)]
        try:
            with open_session() as s:
                job = s.get(Job, job_id)
                ids = [st.id for st in stages_of(s, job.pipeline_id)]
                target = ids[(ids.index(job.stage_id) + 1) % len(ids)]
                jobs.move_job(s, actor, job_id, target)
            moves[job_id] += 1
        except Exception as exc:  # counted, never hidden
            errors.append(f"{type(exc).__name__}: {exc}"[:200])
    print(json.dumps({"moves": {str(k): v for k, v in moves.items()}, "errors": errors}))
""")


def _run_workload(tmp_path: Path, mode: str) -> tuple[dict, list[dict], float]:
    db_file = tmp_path / f"{mode}.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_file}", "PRACTICE_DATA_DIR": str(tmp_path / "data"),
           "PRACTICE_HUEY_IMMEDIATE": "1", "PYTHONPATH": str(ROOT)}
    (tmp_path / "setup.py").write_text(SETUP)
    (tmp_path / "worker.py").write_text(WORKER)
    setup = subprocess.run([sys.executable, str(tmp_path / "setup.py"), str(N_STAGES), str(N_JOBS)],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert setup.returncode == 0, setup.stderr
    info = json.loads(setup.stdout.strip().splitlines()[-1])
    go = tmp_path / f"go-{mode}"
    procs = [subprocess.Popen([sys.executable, str(tmp_path / "worker.py"), str(info["owner_id"]), str(ITERATIONS),
                               str(go), mode, ",".join(map(str, info["job_ids"]))],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(PROCESSES)]
    try:
        time.sleep(3)  # let both import and reach the starting line
        start = time.perf_counter()
        go.touch()
        outputs = [p.communicate(timeout=300) for p in procs]
        elapsed = time.perf_counter() - start
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    results = []
    for p, (out, err) in zip(procs, outputs):
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    info["db_url"] = env["DATABASE_URL"]
    return info, results, elapsed


def _state(db_url: str, job_ids: list[int]) -> tuple[dict, int]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT job.id, job.version, stage.position FROM job JOIN stage ON stage.id = job.stage_id")).all()
        moved_events = conn.execute(text("SELECT count(*) FROM event WHERE kind = 'job_moved'")).scalar_one()
    engine.dispose()
    return {r[0]: (r[1], r[2]) for r in rows if r[0] in job_ids}, moved_events


def test_two_processes_moving_the_same_jobs_lose_nothing(tmp_path):
    info, results, elapsed = _run_workload(tmp_path, "immediate")
    errors = [e for r in results for e in r["errors"]]
    assert errors == [], errors[:5]
    moves = {job_id: sum(r["moves"].get(str(job_id), 0) for r in results) for job_id in info["job_ids"]}
    assert sum(moves.values()) == PROCESSES * ITERATIONS
    state, moved_events = _state(info["db_url"], info["job_ids"])
    for job_id, n in moves.items():
        version, position = state[job_id]
        assert version == 1 + n, f"job {job_id}: {n} moves but version {version} (a lost update)"
        assert position == n % N_STAGES, f"job {job_id}: {n} moves from stage 0 but now at {position}"
    assert moved_events == PROCESSES * ITERATIONS
    print(f"\n{PROCESSES}x{ITERATIONS} immediate read-then-write moves in {elapsed:.1f} s, 0 errors")


def test_control_deferred_transactions_fail_the_same_workload(tmp_path):
    """Without BEGIN IMMEDIATE the reader-turned-writer cannot wait for the lock: SQLite refuses it."""
    info, results, _ = _run_workload(tmp_path, "deferred")
    errors = [e for r in results for e in r["errors"]]
    assert errors, "the deferred control unexpectedly succeeded: the test no longer shows why IMMEDIATE matters"
    assert any("database is locked" in e for e in errors), errors[:3]
    # SQLite itself never loses the update: what it refuses it rolls back entirely.
    moves = {job_id: sum(r["moves"].get(str(job_id), 0) for r in results) for job_id in info["job_ids"]}
    state, moved_events = _state(info["db_url"], info["job_ids"])
    assert all(state[j][0] == 1 + n for j, n in moves.items())
    assert moved_events == sum(moves.values()) == PROCESSES * ITERATIONS - len(errors)
    print(f"\ndeferred control: {len(errors)} of {PROCESSES * ITERATIONS} moves failed: {errors[0]}")

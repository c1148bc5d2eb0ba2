"""Shared setup of the automation benchmarks: a temporary data folder, a firm, the real consumer.

Import this module before anything from `practice`: it points the data folder, the database and
the Huey queue file at a temporary folder, with the real (non-immediate) doorbell.
"""
from __future__ import annotations

import os
import platform
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = Path(tempfile.mkdtemp(prefix="practice-bench-automation-"))
os.environ.update({"PRACTICE_DATA_DIR": str(DATA), "DATABASE_URL": f"sqlite:///{DATA / 'practice.db'}",
                   "PRACTICE_HUEY_DB": str(DATA / "huey.db"), "PRACTICE_HUEY_IMMEDIATE": "0",
                   "PYTHONPATH": str(ROOT)})

from sqlalchemy import func, insert, select  # noqa: E402

from practice.db import read_session, write_session  # noqa: E402
from practice.migrate import upgrade  # noqa: E402
from practice.models import Account, Event, EventStatus, Job, Pipeline, Stage, utcnow  # noqa: E402
from practice.services.automation import rulesets  # noqa: E402
from practice.services.work import tags  # noqa: E402
from practice.services.actor import Actor  # noqa: E402
from practice.services.work.pipelines import create_pipeline, stages_of  # noqa: E402
from practice.worker.consumer import consumer_command  # noqa: E402
from tests.factories import make_member  # noqa: E402

STAGES = ("Onboarding", "Preparation", "Review", "Filed", "Done")

# 3 rules on entering "Review", 2 actions each (a task and a tag), no email.
THREE_RULES = "\n".join(f'''
rule "Review step {n}"
when job enters stage "Review" in pipeline "1040 Return"
then
  create task "Review part {n}: {{{{ job.name }}}}" for "Ann Lee"
  add tag "Step {n}" to job
end
''' for n in (1, 2, 3))


def machine() -> str:
    load = os.getloadavg()
    return (f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def build_firm(n_jobs: int) -> dict:
    """A migrated database with an owner, "Ann Lee", a 1040 pipeline, three tags and `n_jobs` jobs
    in "Onboarding" (inserted in bulk, so they carry no events)."""
    upgrade()
    with write_session() as s:
        owner = Actor.of(make_member(s, role="owner", name="Olivia Park"))
        make_member(s, role="employee", name="Ann Lee")
        pipeline = create_pipeline(s, owner, name="1040 Return", stages=list(STAGES))
        for n in (1, 2, 3):
            tags.create_tag(s, owner, name=f"Step {n}", color="#335577")
        stage_ids = {st.name: st.id for st in stages_of(s, pipeline.id)}
        now = utcnow()
        first_account = (s.execute(select(func.max(Account.id))).scalar() or 0) + 1
        s.execute(insert(Account), [{"name": f"Client {i}", "type": "Individual", "notes": "", "archived": False,
                                     "created_at": now} for i in range(n_jobs)])
        ids = [row[0] for row in s.execute(insert(Job).returning(Job.id), [
            {"account_id": first_account + i, "pipeline_id": pipeline.id, "stage_id": stage_ids["Onboarding"],
             "name": f"1040 {i}", "priority": "Medium", "archived": False, "created_at": now,
             "entered_stage_at": now, "version": 1} for i in range(n_jobs)])]
    return {"actor": owner, "stages": stage_ids, "job_ids": ids, "pipeline_id": pipeline.id}


def save_rules(actor: Actor, text: str) -> None:
    with write_session() as s:
        rulesets.save_rules(s, actor, text)


def real_doorbell() -> None:
    """Ring the consumer's SQLite queue (the module's Huey is already non-immediate here)."""
    from practice.services import events
    from practice.worker import tasks as worker_tasks
    from practice.worker.huey_app import huey

    assert not huey.immediate
    events.set_doorbell(worker_tasks.ring_doorbell)


class Consumer:
    """The real consumer (the flags `serve` uses) as a child process."""

    def __init__(self, workers: int = 2):
        self.log = open(DATA / "consumer.log", "ab")
        self.proc = subprocess.Popen(consumer_command(workers=workers), cwd=ROOT, env=dict(os.environ),
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 30) -> None:
        """Wait until the consumer takes tasks: ring an empty doorbell and wait for it to leave the queue."""
        from practice.worker.huey_app import huey
        from practice.worker.tasks import handle_events

        handle_events([])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the consumer exited: {(DATA / 'consumer.log').read_text()[-2000:]}")
            if huey.pending_count() == 0:
                time.sleep(0.5)  # let its start-up sweep finish
                return
            time.sleep(0.05)
        raise RuntimeError("the consumer did not start")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().split(")")[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def pending_count() -> int:
    with read_session() as s:
        return s.execute(select(func.count()).select_from(Event).where(Event.status != EventStatus.handled)).scalar()


__all__ = ["ROOT", "DATA", "THREE_RULES", "Consumer", "build_firm", "save_rules", "real_doorbell", "machine",
           "pending_count", "Pipeline", "Stage"]

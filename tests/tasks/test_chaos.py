"""Chaos: 500 board moves with automations while the real consumer is SIGKILLed and restarted at random.

Each entry into "Review" runs one rule that creates a task, tags the job and emails the account.
100 jobs each go Review, Filed, Review, Filed, Review (500 moves, 300 of them into Review), one
round at a time, as `serve` runs it: the consumer's event watcher finds the committed events itself
(PRACTICE_EVENT_WATCH=0 runs it with the doorbell through Huey's SQLite queue file instead). A killer
thread SIGKILLs the consumer at least 10 times, 0.3-1.0 s after each start, and starts it again
(CHAOS_SEED=N replays a run's timings). A
separate mailer process sends the mail to a real SMTP server in this process. After the last
restart every effect must have happened exactly once: 300 tasks (3 per job), 100 tagged jobs, 300
mails received with 300 distinct Message-IDs, every event handled and no failed run.
"""
from __future__ import annotations

import collections
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from practice.config import ROOT
from practice.db import read_session, write_session
from practice.models import (Event, EventStatus, JobTag, MailStatus, OutgoingMail, RuleRun, RunStatus, Tag, Task)
from practice.services import events
from practice.services.mail import settings as mail_settings, templates as mail_templates
from practice.services.automation import rulesets
from practice.services.work import accounts, jobs
from practice.services.work.pipelines import stages_of
from practice.worker import tasks as worker_tasks
from practice.worker.consumer import consumer_command
from practice.worker.huey_app import huey
from tests.factories import actor_of, make_account, make_member, make_pipeline, make_tag
from tests.smtp import SMTPServer

pytestmark = [pytest.mark.chaos, pytest.mark.slow]

JOBS = 100
ROUNDS = ("Review", "Filed", "Review", "Filed", "Review")  # 500 moves, 300 entries into Review
ENTRIES_PER_JOB = ROUNDS.count("Review")
MIN_KILLS = 10
UP_S = 15  # a kill waits at most this long for the consumer to be up (its imports: 1 s calm, 10 s at a load of 20)
SETTLE_S = 150  # the bound, not the expectation: under a load of 15 the mailer had sent 243 of 300 after 60 s

RULES = '''
rule "Chaos review"
when job enters stage "Review" in pipeline "1040 Return"
then
  create task "Review {{ job.name }}" for "Ann Lee"
  add tag "Chaos" to job
  send email "Review started" to account
end
'''


class Child:
    """A child process with its output in a log file; every start gets its own file."""

    def __init__(self, name: str, cmd: list[str], env: dict, logs: Path):
        self.name, self.cmd, self.env, self.logs = name, cmd, env, logs
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    @property
    def log_path(self) -> Path:
        return self.logs / f"{self.name}-{self.starts}.log"

    def start(self) -> None:
        self.starts += 1
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def kill(self, *, wait: bool = True) -> float | None:
        """SIGKILL the process (and wait for it to be gone, unless `wait` is False: then `reap`); returns the moment the
        signal was sent, or None if it was not running."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            sent = time.time()
            if wait:
                self.reap()
            return sent
        return None

    def reap(self) -> None:
        if self.proc:
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def _build_firm(smtp_port: int, jobs_count: int = JOBS) -> dict:
    """Demo-like firm (built in immediate mode: its own events are handled here, before the chaos)."""
    with write_session() as s:
        owner = actor_of(make_member(s, role="owner", name="Olivia Park"))
        make_member(s, role="employee", name="Ann Lee")
        pipeline = make_pipeline(s, owner, name="1040 Return",
                                 stages=("Onboarding", "Preparation", "Review", "Filed", "Done"))
        make_tag(s, owner, "Chaos")
        mail_templates.save_template(s, owner, name="Review started", subject="{{ job.name }} is in review",
                           body="Dear {{ contact.first_name }}, we are reviewing {{ job.name }}.")
        mail_settings.update_settings(s, owner, host="127.0.0.1", port=smtp_port, security="none", username="",
                             from_address="office@example.com")
        stage_ids = {st.name: st.id for st in stages_of(s, pipeline.id)}
        job_ids = []
        for i in range(jobs_count):
            account = make_account(s, owner, name=f"Client {i:03d}")
            accounts.create_contact(s, owner, account_ids=[account.id], first_name=f"Pat{i}", last_name="Client",
                                    email=f"client{i:03d}@example.com")
            job_ids.append(jobs.create_job(s, owner, account_id=account.id, pipeline_id=pipeline.id,
                                           name=f"1040 {i:03d}").id)
        rulesets.save_rules(s, owner, RULES)
    return {"actor": owner, "stages": stage_ids, "job_ids": job_ids}


def _counts() -> dict:
    with read_session() as s:
        def count(stmt):
            return s.exec(stmt).one()

        return {
            "pending": count(select(func.count()).select_from(Event).where(Event.status != EventStatus.handled)),
            "tasks": count(select(func.count()).select_from(Task)),
            "tagged": count(select(func.count()).select_from(JobTag)),
            "runs": count(select(func.count()).select_from(RuleRun).where(RuleRun.rule_name == "Chaos review")),
            "failed": count(select(func.count()).select_from(RuleRun).where(RuleRun.status != RunStatus.done)),
            "sent": count(select(func.count()).select_from(OutgoingMail).where(OutgoingMail.status == MailStatus.sent)),
        }


def test_every_automation_runs_exactly_once_while_the_consumer_is_killed(chaos_env, tmp_path):
    seed = int(os.environ.get("CHAOS_SEED") or random.randrange(10**6))
    print(f"\nCHAOS_SEED={seed}")
    rnd = random.Random(seed)
    expected = JOBS * ENTRIES_PER_JOB
    logs = tmp_path / "logs"
    logs.mkdir()
    with SMTPServer() as server:
        firm = _build_firm(server.port)
        # From here on the doorbell is real: the consumer's watcher (or, with PRACTICE_EVENT_WATCH=0, its queue file).
        huey.immediate = False
        events.set_doorbell(worker_tasks.ring_doorbell)

        consumer = Child("consumer", consumer_command(workers=2, quiet=False), chaos_env, logs)
        mailer = Child("mailer", [sys.executable, "-m", "practice", "mailer"], chaos_env, logs)
        moves_done, halt = threading.Event(), threading.Event()
        kills: list[dict] = []
        killer_error: list[BaseException] = []

        def killer():
            try:
                while not halt.is_set() and not (moves_done.is_set() and len(kills) >= MIN_KILLS):
                    # Count from the moment the consumer is up (imports take about a second), so the
                    # kills land while it works rather than while it starts.
                    up_by = time.monotonic() + UP_S
                    while "Huey consumer started" not in consumer.log() and time.monotonic() < up_by:
                        time.sleep(0.02)
                    time.sleep(rnd.uniform(0.3, 1.0))
                    log = consumer.log()
                    consumer.kill()
                    kills.append({"at_move": moved[0], "tasks_run": log.count("Executing practice.worker"),
                                  "finished": log.count(" executed in ")})
                    time.sleep(rnd.uniform(0.0, 0.2))
                    if not halt.is_set():
                        consumer.start()
            except BaseException as err:  # surfaced by the main thread
                killer_error.append(err)

        moved, chaos = [0], None
        try:
            mailer.start()
            consumer.start()
            chaos = threading.Thread(target=killer, name="chaos-killer", daemon=True)
            chaos.start()
            started = time.monotonic()
            for stage in ROUNDS:
                for job_id in firm["job_ids"]:
                    with write_session() as s:
                        jobs.move_job(s, firm["actor"], job_id, firm["stages"][stage])
                    moved[0] += 1
            moves_done.set()
            # The kills still owed after the last move each wait for a restart: at most UP_S + 1.2 s each.
            chaos.join(timeout=MIN_KILLS * (UP_S + 1.2) + 30)
            assert not chaos.is_alive(), "the killer thread did not finish"
            assert not killer_error, killer_error
            moving_s = time.monotonic() - started

            last_restart = time.monotonic()
            while time.monotonic() - last_restart < SETTLE_S:
                counts = _counts()
                if (counts["pending"] == 0 and counts["tasks"] >= expected and counts["sent"] >= expected
                        and len(server.messages) >= expected):
                    break
                assert consumer.proc.poll() is None, f"the consumer died:\n{consumer.log()[-3000:]}"
                assert mailer.proc.poll() is None, f"the mailer died:\n{mailer.log()[-3000:]}"
                time.sleep(0.2)
            settled_s = time.monotonic() - last_restart
            time.sleep(1.5)  # room for a late duplicate to show up
            counts = _counts()
            messages = server.messages
            mid_work = sum(1 for k in kills if k["tasks_run"] > k["finished"])
            print(f"\n{moved[0]} moves in {moving_s:.1f} s with {len(kills)} SIGKILLs "
                  f"({sum(1 for k in kills if k['tasks_run'])} after the consumer had run tasks, {mid_work} with a "
                  f"task mid-way); all effects done {settled_s:.1f} s after the last restart; {counts}")

            assert len(kills) >= MIN_KILLS
            assert moved[0] == len(ROUNDS) * JOBS
            assert counts["pending"] == 0, f"events left unhandled: {counts}\n{consumer.log()[-3000:]}"
            assert counts["failed"] == 0, counts
            assert counts["runs"] == expected, counts
            assert counts["tasks"] == expected, counts
            assert counts["tagged"] == JOBS, counts
            with read_session() as s:
                per_job = collections.Counter(s.exec(select(Task.job_id)).all())
                assert set(per_job.values()) == {ENTRIES_PER_JOB} and len(per_job) == JOBS, per_job
                chaos_tag = s.exec(select(Tag.id).where(Tag.name == "Chaos")).one()
                tagged = set(s.exec(select(JobTag.job_id).where(JobTag.tag_id == chaos_tag)).all())
                assert tagged == set(firm["job_ids"])
                per_run = collections.Counter(s.exec(select(RuleRun.event_id)).all())
                assert max(per_run.values()) == 1, "an event ran the rule twice"
                queued = s.exec(select(OutgoingMail)).all()
                want_ids = {m.message_id for m in queued}
            assert counts["sent"] == expected and len(queued) == expected, counts
            assert len(messages) == expected, f"{len(messages)} mails arrived, {expected} expected"
            got_ids = collections.Counter(m["Message-ID"] for m in messages)
            assert max(got_ids.values()) == 1, [mid for mid, n in got_ids.items() if n > 1][:5]
            assert set(got_ids) == want_ids
            per_address = collections.Counter(m["X-Envelope-To"] for m in messages)
            assert set(per_address.values()) == {ENTRIES_PER_JOB} and len(per_address) == JOBS
        finally:
            halt.set()
            if chaos is not None:
                chaos.join(timeout=15)
            consumer.stop()
            mailer.stop()
            if consumer.proc:
                assert consumer.proc.poll() is not None

"""The worker's bulk path writes exactly what the per-event path writes, and stays exactly once."""
import pytest
from sqlmodel import SQLModel, select

from practice import db

from practice.db import read_session, write_session
from practice.models import (ActionEffect, AuditLog, Event, EventStatus, JobTag, RuleRun, RunStatus, Tag, Task,
                             TeamMember)
from practice.services.automation import bulk as automation_bulk, engine, rulesets
from practice.services.work import jobs
from practice.services.work.pipelines import stages_of
from tests.factories import actor_of, make_account, make_member, make_pipeline, make_tag

STAGES = ("Onboarding", "Preparation", "Review", "Done")

RULES = '''
rule "Review task"
when job enters stage "Review" in pipeline "1040 Return"
if job.priority is not "Low"
then
  create task "Review {{ job.name }} for {{ account.name }}" for "Ann Lee" due in 2 days
  add tag "Needs review" to job
end

rule "Low priority"
when job enters stage "Review"
if job.priority is "Low"
then
  add tag "VIP", "Needs review" to job
end

rule "Leaving"
when job leaves stage "Preparation"
then
  remove tag "VIP" from job
end

rule "Tagged"
when tag "Needs review" is added to job
then
  create task "Check {{ job.name }}"
end
'''


def _build(n: int):
    with write_session() as s:
        owner = actor_of(make_member(s, role="owner", name="Olivia Park"))
        make_member(s, role="employee", name="Ann Lee")
        pipeline = make_pipeline(s, owner, name="1040 Return", stages=STAGES)
        vip = make_tag(s, owner, "VIP")
        make_tag(s, owner, "Needs review")
        stage_ids = {st.name: st.id for st in stages_of(s, pipeline.id)}
        ids = []
        for i in range(n):
            account = make_account(s, owner, name=f"Client {i}")
            job = jobs.create_job(s, owner, account_id=account.id, pipeline_id=pipeline.id, name=f"1040 {i}",
                                  priority="Low" if i % 3 == 0 else "Medium")
            if i % 2:
                jobs.set_job_tag(s, owner, job.id, vip.id, True)
            ids.append(job.id)
        rulesets.save_rules(s, owner, RULES)
    return owner, stage_ids, ids


def _snapshot() -> dict:
    """What the automations wrote, without ids and times."""
    with read_session() as s:
        # Events are named by what they say, not their ids (the bulk path numbers its new events apart).
        said = {e.id: (e.kind, e.job_id, str(e.payload)) for e in s.exec(select(Event))}
        runs = sorted((said[r.event_id], r.rule_name, r.trigger, r.job_id, r.account_id, r.status, r.reason, r.depth,
                       str(r.conditions), str(r.actions)) for r in s.exec(select(RuleRun)))
        tasks = sorted((t.title, t.job_id, t.account_id, t.assignee_id, str(t.due_date), t.status)
                       for t in s.exec(select(Task)))
        links = sorted((link.job_id, link.tag_id) for link in s.exec(select(JobTag)))
        audit = sorted((a.actor_label, a.action, a.entity, a.summary, str(a.detail),
                        a.entity_id if a.entity != "task" else None)
                       for a in s.exec(select(AuditLog).where(AuditLog.actor_id.is_(None))))
        evs = sorted((e.kind, e.job_id, e.account_id, str(e.payload), e.status, e.attempts)
                     for e in s.exec(select(Event)))
        effects = sorted((e.key.split("|")[0], said[int(e.key.split("|")[1])], e.key.split("|", 2)[2], e.outcome)
                         for e in s.exec(select(ActionEffect)))
    return {"runs": runs, "tasks": tasks, "links": links, "audit": audit, "events": evs, "effects": effects}


def _run_scenario(monkeypatch, bulk: bool) -> dict:
    if not bulk:
        monkeypatch.setattr(engine, "handle_many", None)
    else:  # count the groups the bulk path writes itself
        insert = automation_bulk._insert
        many = automation_bulk.handle_many
        monkeypatch.setattr(automation_bulk, "handle_many", lambda session, evs, slow: many(
            session, evs, lambda ev: (SLOW.append((ev.kind, ev.job_id, ev.payload)), slow(ev))[1]))
        monkeypatch.setattr(automation_bulk, "_insert", lambda *a: (WRITTEN.append(len(a[1])), insert(*a)))
    owner, stages, ids = _build(12)
    with write_session() as s:
        jobs.move_jobs(s, owner, ids, stages["Preparation"])
    with write_session() as s:
        jobs.move_jobs(s, owner, ids, stages["Review"])
    with write_session() as s:  # one job twice in one batch: its second move sees the first's effects
        jobs.move_job(s, owner, ids[1], stages["Preparation"])
        jobs.move_job(s, owner, ids[1], stages["Review"])
    return _snapshot()


WRITTEN: list[int] = []
SLOW: list = []


@pytest.mark.sqlite_only("the bulk path runs plain SQL on the SQLite driver; on PostgreSQL every event takes the other path")
def test_the_bulk_path_writes_what_the_per_event_path_writes(fresh_db, monkeypatch, tmp_path):
    fast = _run_scenario(monkeypatch, bulk=True)
    # Only the two low-priority VIP jobs' moves into Review took the per-event path: one event of theirs
    # removes and adds the same tag, so the order of its writes matters.
    assert [(kind, job) for kind, job, _ in SLOW] == [("job_moved", 4), ("job_moved", 10)], SLOW
    assert sum(WRITTEN) >= 20, WRITTEN
    assert fast["tasks"] and fast["links"] and fast["effects"]
    assert {e[4] for e in fast["events"]} == {EventStatus.handled}
    assert {r[5] for r in fast["runs"]} == {RunStatus.done, RunStatus.not_fired}
    db.get_engine().dispose()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'slow.db'}")
    SQLModel.metadata.create_all(db.get_engine())
    slow = _run_scenario(monkeypatch, bulk=False)
    for part in fast:
        assert fast[part] == slow[part], part


def test_a_replayed_batch_changes_nothing(fresh_db):
    owner, stages, ids = _build(4)
    with write_session() as s:
        jobs.move_jobs(s, owner, ids, stages["Review"])
    before = _snapshot()
    with read_session() as s:
        handled = list(s.exec(select(Event.id).where(Event.kind == "job_moved")))
    assert engine.handle_events(handled) == 0  # already handled: nothing is claimed twice
    with write_session() as s:  # as if the mark were lost: the run's unique key stops a repeat
        for ev in s.exec(select(Event).where(Event.id.in_(handled))):
            ev.status = EventStatus.pending
    assert engine.handle_events(handled) == len(handled)
    after = _snapshot()
    assert after["tasks"] == before["tasks"] and after["links"] == before["links"]
    assert after["effects"] == before["effects"] and len(after["runs"]) == len(before["runs"])


@pytest.mark.parametrize("problem", ["member", "tag"])
def test_a_missing_name_goes_the_per_event_way_and_fails_with_its_sentence(fresh_db, problem):
    owner, stages, ids = _build(3)
    with write_session() as s:
        if problem == "member":
            s.exec(select(TeamMember).where(TeamMember.name == "Ann Lee")).one().active = False
        else:
            s.exec(select(Tag).where(Tag.name == "Needs review")).one().name = "Renamed"
    with write_session() as s:
        jobs.move_jobs(s, owner, ids, stages["Review"])
    with read_session() as s:
        failed = s.exec(select(RuleRun).where(RuleRun.status == RunStatus.failed)).all()
        assert failed  # the saved rules no longer match the names, or the action failed
        assert s.exec(select(Event).where(Event.status != EventStatus.handled)).all() == []

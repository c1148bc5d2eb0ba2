"""Schedule rules (`every month on day 1 ...`): run when due, a missed run caught up once.

A `for each` runs the same rule over thousands of accounts, jobs or contacts. Rules whose actions
only create jobs (recurring jobs, the common case) take a bulk path with SQLAlchemy Core: one
INSERT per table for the whole run. Other rules run per record through the event engine.
"""
from __future__ import annotations

import datetime as dt
import gc
from contextlib import contextmanager

from sqlalchemy import select
from sqlmodel import Session

import rules
from practice.db import insert_many
from practice.models import (ActionEffect, AuditLog, Event, EventStatus, Job, Pipeline, Priority, RuleRun, RunStatus,
                             ScheduleState, Stage, utcnow)
from practice.services import events
from practice.services.automation.actions import ALREADY_DONE, Target, job_created, pipeline_gone
from practice.services.automation.compiled import compiled_rules
from practice.services.automation.engine import run_decision
from practice.services.automation.explain import condition_parts, give_outcome, planned_entry
from practice.services.work.facts import bulk_facts

def run_schedules(session: Session, now: dt.datetime | None = None) -> int:
    """Run every schedule rule that came due (a missed run is caught up once, never twice)."""
    now = now or utcnow()
    version, compiled, problem = compiled_rules(session)
    if compiled is None:
        return 0
    ran = 0
    for rule in compiled.rules:
        if rule.schedule is None:
            continue
        state = session.get(ScheduleState, rule.name)
        if state is None:
            state = ScheduleState(rule_name=rule.name, anchor_at=now)
            session.add(state)
            session.flush()
            continue
        moment = rules.due_run(rule.schedule, state.last_run_at, now, compiled.tz, state.anchor_at)
        if moment is None:
            continue
        state.last_run_at = moment
        _run_schedule(session, compiled, version, rule, moment, now)
        ran += 1
    return ran


def _run_schedule(session: Session, compiled, version, rule, moment: dt.datetime, now: dt.datetime) -> None:
    key = f"{moment.isoformat()}"
    trigger = rules.Event("schedule", rule=rule.name)
    if rule.for_each is None:
        for decision in rules.evaluate(compiled, trigger, {}, now):
            if decision.rule == rule.name:
                run_decision(session, compiled, version, decision, trigger, Target(), {}, now, 0,
                             schedule_key=key)
        return
    with _cycle_collector_paused():
        run_for_each(session, compiled, version, rule, trigger, bulk_facts(session, rule.for_each), key, now)


@contextmanager
def _cycle_collector_paused():
    """A sweep makes a few dicts per record (facts, then a row per table) and no reference cycles:
    meanwhile Python's cycle collector would walk the whole, growing heap again and again (a quarter
    of the run's CPU over 10,000 accounts). Reference counting still frees everything at once."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# Actions a `for each` writes in bulk, one INSERT per table.
BULK_ACTIONS = {"create_job"}


def _target(record: dict):
    kind, item_id = record["target"]
    if kind == "job":
        return Target(job_id=item_id, account_id=record["job"]["account_id"])
    if kind == "contact":
        return Target(account_id=(record.get("account") or {}).get("id"), contact_id=item_id)
    return Target(account_id=item_id)


def run_for_each(session: Session, compiled, version, rule, trigger: rules.Event, records: list[dict], key: str,
                 now: dt.datetime) -> int:
    """Run `rule` for every record its `where` matches; returns how many it ran for."""
    # `bulk_facts` builds the records in the rules' own shape, and records that read alike share a decision.
    decisions = [(record, d) for record, d in rules.decide_each(compiled, rule.name, records, now) if d.rule == rule.name]
    bulk = all(a.action in BULK_ACTIONS and a.run_at is None for _, d in decisions for a in d.actions) and all(
        d.fired and not d.error for _, d in decisions)
    if bulk and decisions:
        _bulk_create_jobs(session, version, rule, decisions, key, now)
        return len(decisions)
    for record, decision in decisions:
        target = _target(record)
        run_decision(session, compiled, version, decision, trigger, target, record, now, 0,
                     schedule_key=f"{key}|{record['target'][0]}:{record['target'][1]}")
    return len(decisions)


class _Shared:
    """JSON values many rows repeat, made once and shared: `insert_many` converts each object once."""

    def __init__(self):
        self.conditions: dict[int, list] = {}
        self.planned: dict[tuple, list] = {}
        self.payloads: dict[tuple, dict] = {}
        self.empty: dict = {}

    def conditions_of(self, decision) -> list:
        found = self.conditions.get(id(decision))  # the decisions stay alive in the caller's list
        if found is None:
            found = self.conditions[id(decision)] = condition_parts(decision)
        return found

    def planned_of(self, decision, outcomes: tuple) -> list:
        """The run log's actions: each planned action with its (status, outcome)."""
        found = self.planned.get((id(decision), outcomes))
        if found is None:
            found = [planned_entry(pa) for pa in decision.actions]
            for entry, (status, outcome) in zip(found, outcomes):
                give_outcome(entry, status, outcome)
            self.planned[(id(decision), outcomes)] = found
        return found

    def payload(self, rule_name: str, pipeline: str, stage: str) -> dict:
        found = self.payloads.get((pipeline, stage))
        if found is None:
            found = self.payloads[(pipeline, stage)] = {"pipeline": pipeline, "stage": stage, "to_stage": stage,
                                                        "depth": 1, "recurrence": rule_name}
        return found


def _first_stages(session: Session) -> dict[str, tuple[int, int, str]]:
    """Pipeline name (lower case) -> (pipeline id, first stage id, first stage name)."""
    first_stage: dict[str, tuple[int, int, str]] = {}
    for pipeline_id, pname, stage_id, sname in session.execute(
            select(Pipeline.id, Pipeline.name, Stage.id, Stage.name).join(Stage, Stage.pipeline_id == Pipeline.id)
            .order_by(Pipeline.id, Stage.position, Stage.id)):
        first_stage.setdefault(pname.lower(), (pipeline_id, stage_id, sname))
    return first_stage


def _bulk_create_jobs(session: Session, version, rule, decisions, key: str, now: dt.datetime) -> None:
    first_stage = _first_stages(session)
    prefix = f"{rule.name}|{key}|"
    done_keys = set(session.execute(select(ActionEffect.key).where(ActionEffect.key.like(f"{prefix}%"))).scalars())
    shared = _Shared()
    runs, jobs_rows, effects = [], [], []
    for record, decision in decisions:
        kind, item_id = record["target"]
        account_id = item_id if kind == "account" else (record.get("account") or {}).get("id")
        run_key = f"{key}|{kind}:{item_id}"
        outcomes = []
        for pa in decision.actions:
            effect_key = f"{prefix}{kind}:{item_id}|{pa.index}"
            pipe = first_stage.get(pa.args["pipeline"].lower())
            if effect_key in done_keys:
                outcomes.append(("done", ALREADY_DONE))
            elif pipe is None or not account_id:
                outcomes.append(("failed", pipeline_gone(pa.args["pipeline"])))
            else:
                due = pa.args.get("due")
                jobs_rows.append({"account_id": account_id, "pipeline_id": pipe[0], "stage_id": pipe[1],
                                  "name": pa.args["name"][:300], "priority": Priority.medium, "archived": False,
                                  "due_date": due.date() if isinstance(due, dt.datetime) else due,
                                  "created_at": now, "entered_stage_at": now, "version": 1,
                                  "_pipeline": pa.args["pipeline"], "_stage": pipe[2]})
                effects.append(effect_key)
                outcomes.append(("done", job_created(pa.args["name"], pa.args["pipeline"])))
        failed = next((outcome for status, outcome in outcomes if status == "failed"), None)
        runs.append({"schedule_key": run_key, "rule_name": rule.name, "ruleset_id": version.id if version else None,
                     "trigger": "schedule", "job_id": None, "account_id": account_id,
                     "status": RunStatus.failed if failed is not None else RunStatus.done, "reason": str(failed or ""),
                     "reason_words": rules.kept(failed),
                     "conditions": shared.conditions_of(decision),
                     "actions": shared.planned_of(decision, tuple(outcomes)), "depth": 0, "created_at": now,
                     "finished_at": now})
    _insert_bulk(session, rule, runs, jobs_rows, effects, shared, now)


def _insert_bulk(session: Session, rule, runs: list, jobs_rows: list, effects: list, shared: _Shared,
                 now: dt.datetime) -> None:
    # One executemany per table on the connection (`insert_many`): the ORM's insert layer costs more than the rows.
    conn = session.connection()
    insert_many(conn, RuleRun.__table__, runs)
    if not jobs_rows:
        return
    extras = [(r.pop("_pipeline"), r.pop("_stage")) for r in jobs_rows]
    ids = insert_many(conn, Job.__table__, jobs_rows, ids=True)
    insert_many(conn, ActionEffect.__table__, [{"key": k, "run_id": None, "outcome": "created job", "created_at": now}
                                               for k in effects])
    actor_label = f'Automation "{rule.name}"'
    insert_many(conn, AuditLog.__table__, [
        {"at": now, "actor_id": None, "actor_label": actor_label, "action": "create", "entity": "job",
         "entity_id": job_id, "entity_label": row["name"], "account_id": row["account_id"],
         "summary": f'Created job "{row["name"]}" ({rule.name})', "detail": shared.empty}
        for job_id, row in zip(ids, jobs_rows)])
    event_ids = insert_many(conn, Event.__table__, ids=True, rows=[
        {"kind": "job_created", "job_id": job_id, "account_id": row["account_id"], "actor_id": None,
         "payload": shared.payload(rule.name, pname, sname), "status": EventStatus.pending, "attempts": 0,
         "created_at": now}
        for job_id, row, (pname, sname) in zip(ids, jobs_rows, extras)])
    events.remember(session, event_ids)

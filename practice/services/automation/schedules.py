"""Schedule rules (`every month on day 1 ...`): run when due, a missed run caught up once.

A `for each` runs the same rule over thousands of accounts, jobs or contacts. Rules whose actions
only create jobs (recurring jobs, the common case) take a bulk path with SQLAlchemy Core: one
INSERT per table for the whole run. Other rules run per record through the event engine.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select
from sqlmodel import Session

import rules
from practice.models import (ActionEffect, AuditLog, Event, EventStatus, Job, Pipeline, Priority, RuleRun, RunStatus,
                             ScheduleState, Stage, utcnow)
from practice.services import events
from practice.services.automation.actions import Target
from practice.services.automation.compiled import compiled_rules
from practice.services.automation.engine import run_decision
from practice.services.automation.explain import condition_parts, planned_entry
from practice.services.work.facts import bulk_facts

# Actions a `for each` writes in bulk, one INSERT per table.
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
    run_for_each(session, compiled, version, rule, trigger, bulk_facts(session, rule.for_each), key, now)


BULK_ACTIONS = {"create_job"}


def _returning_ids(model):
    table = model.__table__
    return insert(table).returning(table.c.id, sort_by_parameter_order=True)


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
    # `bulk_facts` builds the records in the rules' own shape: no per-record preparation.
    matches = rules.matching(compiled, rule.name, records, now, prepared=True)
    decisions = []
    for record in matches:
        for decision in rules.evaluate(compiled, trigger, record, now, prepared=True):
            if decision.rule == rule.name:
                decisions.append((record, decision))
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


def _bulk_create_jobs(session: Session, version, rule, decisions, key: str, now: dt.datetime) -> None:
    first_stage: dict[str, tuple[int, int, str]] = {}
    for pipeline_id, pname, stage_id, sname in session.execute(
            select(Pipeline.id, Pipeline.name, Stage.id, Stage.name).join(Stage, Stage.pipeline_id == Pipeline.id)
            .order_by(Pipeline.id, Stage.position, Stage.id)):
        first_stage.setdefault(pname.lower(), (pipeline_id, stage_id, sname))
    done_keys = set(session.execute(select(ActionEffect.key).where(ActionEffect.key.like(f"{rule.name}|{key}|%"))).scalars())
    actor_label = f'Automation "{rule.name}"'
    runs, jobs_rows, effects = [], [], []
    for record, decision in decisions:
        account_id = record["target"][1] if record["target"][0] == "account" else (record.get("account") or {}).get("id")
        planned = [planned_entry(pa) for pa in decision.actions]
        run_key = f"{key}|{record['target'][0]}:{record['target'][1]}"
        for pa, entry in zip(decision.actions, planned):
            effect_key = f"{rule.name}|{run_key}|{pa.index}"
            pipe = first_stage.get(pa.args["pipeline"].lower())
            if effect_key in done_keys:
                entry["status"], entry["outcome"] = "done", "already done before"
                continue
            if pipe is None or not account_id:
                entry["status"], entry["outcome"] = "failed", f'There is no pipeline "{pa.args["pipeline"]}" any more.'
                continue
            due = pa.args.get("due")
            jobs_rows.append({"account_id": account_id, "pipeline_id": pipe[0], "stage_id": pipe[1],
                              "name": pa.args["name"][:300], "priority": Priority.medium, "archived": False,
                              "due_date": due.date() if isinstance(due, dt.datetime) else due,
                              "created_at": now, "entered_stage_at": now, "version": 1,
                              "_pipeline": pa.args["pipeline"], "_stage": pipe[2]})
            effects.append(effect_key)
            entry["status"], entry["outcome"] = "done", f'Created job "{pa.args["name"]}" in {pa.args["pipeline"]}'
        failed = next((e for e in planned if e["status"] == "failed"), None)
        runs.append({"schedule_key": run_key, "rule_name": rule.name, "ruleset_id": version.id if version else None,
                     "trigger": "schedule", "job_id": None, "account_id": account_id,
                     "status": RunStatus.failed if failed else RunStatus.done, "reason": failed["outcome"] if failed else "",
                     "conditions": condition_parts(decision), "actions": planned, "depth": 0, "created_at": now,
                     "finished_at": now})
    # Core statements on the connection: the ORM's bulk insert layer costs more than the rows here.
    conn = session.connection()
    if runs:
        conn.execute(insert(RuleRun.__table__), runs)
    if not jobs_rows:
        return
    extras = [(r.pop("_pipeline"), r.pop("_stage")) for r in jobs_rows]
    ids = [row[0] for row in conn.execute(_returning_ids(Job), jobs_rows)]
    conn.execute(insert(ActionEffect.__table__), [{"key": k, "run_id": None, "outcome": "created job", "created_at": now}
                                                  for k in effects])
    conn.execute(insert(AuditLog.__table__), [{"at": now, "actor_id": None, "actor_label": actor_label, "action": "create",
                                        "entity": "job", "entity_id": job_id, "entity_label": row["name"],
                                        "account_id": row["account_id"],
                                        "summary": f'Created job "{row["name"]}" ({rule.name})', "detail": {}}
                                       for job_id, row in zip(ids, jobs_rows)])
    event_ids = [row[0] for row in conn.execute(_returning_ids(Event), [
        {"kind": "job_created", "job_id": job_id, "account_id": row["account_id"], "actor_id": None,
         "payload": {"pipeline": pname, "stage": sname, "to_stage": sname, "depth": 1, "recurrence": rule.name},
         "status": EventStatus.pending, "attempts": 0, "created_at": now}
        for job_id, row, (pname, sname) in zip(ids, jobs_rows, extras)])]
    events.remember(session, event_ids)

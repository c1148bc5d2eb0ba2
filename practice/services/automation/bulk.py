"""Automations for many events at once: the worker's batches (a board's bulk move, or one move).

Events no rule starts on are only marked handled: no facts are read for them. Events whose rules
only create tasks and change the job's tags are evaluated in memory and written with one Core
INSERT per table (runs, tasks, tag links, audit rows, effect keys, the tag events they cause),
in one savepoint with their 'handled' marks, so each event's effects and its mark still commit
together. The rows are the ones the per-event path (`engine.handle_event`) writes; anything
else (emails, moves, delayed actions, failures, chains at their limit, a name not found) goes to
that path, one event at a time, in order. The unique keys (a run per event and rule, an effect per
key) still stop any repeat: a conflict rolls the group back and its events take the slow path.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal
from types import SimpleNamespace
from typing import Callable

from sqlalchemy import bindparam, delete, func, insert, select
from sqlmodel import Session

import rules
from rules import ast as A
from rules.evaluate import trigger_matches
from practice.models import (Account, AccountTag, ActionEffect, AuditLog, Event, EventStatus, Job, JobAssignee, JobTag,
                             Pipeline, RuleRun, RunStatus, Stage, Tag, Task, TaskStatus, TeamMember, utcnow)
from practice.services import events
from practice.services.automation.actions import NOT_AVAILABLE, Target, due_date
from practice.services.automation.compiled import cached_names, compiled_rules
from practice.services.automation.explain import condition_parts, planned_entry
from practice.services.automation.triggers import CHAIN_LIMIT, rule_events

log = logging.getLogger(__name__)

# Actions the bulk path writes itself (when they act at once, on the event's job).
_BULK_AST = (A.CreateTask, A.ChangeTags)
_index: dict[int, tuple] = {}


class _Unusual(Exception):
    """This event needs the per-event path."""


def _rules_by_kind(compiled: rules.CompiledRuleSet) -> tuple[dict, dict]:
    """(rules by trigger event kind, whether each rule's actions are all bulk ones), once per compiled set."""
    hit = _index.get(id(compiled))
    if hit is None or hit[0] is not compiled:
        by_kind: dict[str, list] = {}
        bulk: dict[str, bool] = {}
        for rule in compiled.rules:
            by_kind.setdefault(rule.event, []).append(rule)
            bulk[rule.name] = all(isinstance(a.ast, _BULK_AST) and getattr(a.ast, "delay", None) is None
                                  for a in rule.actions)
        if len(_index) > 32:
            _index.clear()
        hit = _index[id(compiled)] = (compiled, by_kind, bulk)
    return hit[1], hit[2]


def handle_many(session: Session, evs: list[Event], slow: Callable[[Event], int]) -> int:
    """Handle claimed pending events in order (see the module); returns how many were handled."""
    version, compiled, problem = compiled_rules(session)
    if compiled is None and problem:
        return sum(slow(ev) for ev in evs)  # each event records the problem in its own run
    names = cached_names(session) if compiled is not None else None
    by_kind, bulk = _rules_by_kind(compiled) if compiled is not None else ({}, {})
    done = 0
    quiet: list[Event] = []
    group: list[tuple[Event, list]] = []
    group_jobs: set[int] = set()
    for ev in evs:
        triggers = rule_events(ev)
        matched = [rule for t in triggers for rule in by_kind.get(t.kind, ()) if trigger_matches(rule, t) is None]
        if not matched:
            quiet.append(ev)
            continue
        # Events in a group read their facts before any of the group's effects: each job at most once,
        # and its actions touch nothing but the job's own tags and new tasks.
        payload = ev.payload or {}
        if (names is not None and ev.job_id and ev.job_id not in group_jobs and not payload.get("contact_id")
                and all(bulk[r.name] for r in matched)):
            group.append((ev, triggers))
            group_jobs.add(ev.job_id)
            continue
        done += _flush(session, version, compiled, names, group, quiet, slow)
        group, quiet, group_jobs = [], [], set()
        done += slow(ev)
    return done + _flush(session, version, compiled, names, group, quiet, slow)


def _flush(session: Session, version, compiled, names, group: list, quiet: list[Event],
           slow: Callable[[Event], int]) -> int:
    if not group and not quiet:
        return 0
    try:
        with session.begin_nested():
            written, leftover = _write_group(session, version, compiled, names, group) if group else ([], [])
            events.mark_handled(session, [ev.id for ev in quiet] + written)
    except Exception:  # a unique key says something was already done, or anything unforeseen
        log.warning("bulk automations for events %s rolled back; handling them one by one",
                    [ev.id for ev, _ in group][:10], exc_info=True)
        ordered = sorted([ev for ev, _ in group] + quiet, key=lambda ev: ev.id)
        return sum(slow(ev) for ev in ordered)
    return len(quiet) + len(written) + sum(slow(ev) for ev in leftover)


# --- facts of many jobs at once ------------------------------------------------------------------


def _ids(name: str = "ids"):
    return bindparam(name, expanding=True)


# The group's facts in a few statements, built once (building costs about as much as running them).
# Each job's assignees, tags (with ids) and its account's tags, as JSON arrays beside the job's row.
_ASSIGNEES_OF_JOB = (select(func.json_group_array(TeamMember.name)).select_from(JobAssignee)
                     .join(TeamMember, TeamMember.id == JobAssignee.member_id)
                     .where(JobAssignee.job_id == Job.id).correlate(Job).scalar_subquery())
_TAGS_OF_JOB = (select(func.json_group_array(func.json_array(JobTag.tag_id, Tag.name))).select_from(JobTag)
                .join(Tag, Tag.id == JobTag.tag_id).where(JobTag.job_id == Job.id).correlate(Job).scalar_subquery())
_TAGS_OF_ACCOUNT = (select(func.json_group_array(Tag.name)).select_from(AccountTag)
                    .join(Tag, Tag.id == AccountTag.tag_id).where(AccountTag.account_id == Job.account_id)
                    .correlate(Job).scalar_subquery())
# The group's facts in one statement (two when an event names another account than its job's), built once.
_JOBS = (select(Job.id, Job.name, Job.priority, Job.start_date, Job.due_date, Job.created_at, Job.entered_stage_at,
                Job.archived, Job.account_id, Pipeline.name, Stage.name, Account.name, Account.type, Account.created_at,
                Account.notes, _ASSIGNEES_OF_JOB, _TAGS_OF_JOB, _TAGS_OF_ACCOUNT)
         .join(Pipeline, Pipeline.id == Job.pipeline_id).join(Stage, Stage.id == Job.stage_id)
         .join(Account, Account.id == Job.account_id, isouter=True).where(Job.id.in_(_ids())))
_ACCOUNTS = select(Account.id, Account.name, Account.type, Account.created_at, Account.notes).where(Account.id.in_(_ids()))
_ACCOUNT_TAGS = (select(AccountTag.account_id, Tag.name).join(Tag, Tag.id == AccountTag.tag_id)
                 .where(AccountTag.account_id.in_(_ids())).order_by(Tag.name))


def _facts(session: Session, group: list) -> tuple[dict[int, dict], set[tuple[int, int]]]:
    """(facts_for(job_id=..., account_id=...) of every event of the group, the jobs' tag links), in one
    statement (names sorted here as `facts_for` sorts them in SQL: by code point)."""
    conn = session.connection()
    jobs: dict[int, dict] = {}
    accounts: dict[int, dict] = {}
    links = set()
    for row in conn.execute(_JOBS, {"ids": sorted({ev.job_id for ev, _ in group})}):
        assignees = sorted(json.loads(row[15]))
        tags = sorted(json.loads(row[16]), key=lambda pair: pair[1])
        links.update((row[0], tag_id) for tag_id, _ in tags)
        jobs[row[0]] = {"id": row[0], "name": row[1], "stage": row[10], "pipeline": row[9],
                        "assignee": assignees[0] if assignees else None, "assignees": assignees,
                        "priority": getattr(row[2], "value", row[2]), "start_date": row[3],
                        "due_date": row[4], "created_at": row[5], "entered_stage_at": row[6], "archived": row[7],
                        "account_id": row[8], "tags": [name for _, name in tags]}
        if row[11] is not None:
            accounts[row[8]] = _account(row[8], *row[11:15])
            accounts[row[8]]["tags"] = sorted(json.loads(row[17]))
    account_of = {ev.id: ev.account_id or (jobs.get(ev.job_id) or {}).get("account_id") for ev, _ in group}
    missing = sorted({a for a in account_of.values() if a and a not in accounts})
    if missing:  # an event naming another account than its job's
        for row in conn.execute(_ACCOUNTS, {"ids": missing}):
            accounts[row[0]] = _account(*row)
        for a_id, name in conn.execute(_ACCOUNT_TAGS, {"ids": missing}):
            accounts[a_id]["tags"].append(name)
    facts = {ev.id: {"job": jobs.get(ev.job_id), "account": accounts.get(account_of[ev.id]), "contact": None}
             for ev, _ in group}
    return facts, links


def _account(account_id, name, kind, created_at, notes) -> dict:
    # Invoices are not built yet: nothing is unpaid (as in facts.account_facts).
    return {"id": account_id, "name": name, "type": getattr(kind, "value", kind), "balance": Decimal(0),
            "created_at": created_at, "notes": notes, "tags": []}


# --- one group: plan in memory, then one INSERT per table -------------------------------------------


class _Rows:
    """Rows of one event, kept apart until the event is known to be plain (else it goes slow)."""

    def __init__(self):
        self.runs: list[dict] = []        # each with "_effects": [(key, outcome)]
        self.tasks: list[dict] = []
        self.audit: list[dict] = []       # "_task" → index into tasks, resolved after their insert
        self.links_add: list[dict] = []
        self.links_remove: list[dict] = []
        self.events: list[dict] = []


def _write_group(session: Session, version, compiled, names, group: list) -> tuple[list[int], list[Event]]:
    """Write the effects of the group's plain events; (their ids, the events left for the slow path)."""
    members, tags = names
    facts_of, links = _facts(session, group)
    now = utcnow()
    plain: list[tuple[Event, _Rows]] = []
    leftover: list[Event] = []
    for ev, triggers in group:
        rows = _Rows()
        try:
            _plan_event(compiled, version, ev, triggers, facts_of[ev.id], members, tags, links, now, rows)
        except _Unusual:
            leftover.append(ev)
            continue
        plain.append((ev, rows))
    if plain:
        by_kind, _ = _rules_by_kind(compiled)
        _insert(session, [rows for _, rows in plain], now, by_kind)
    return [ev.id for ev, _ in plain], leftover


def _plan_event(compiled, version, ev: Event, triggers, facts: dict, members: dict, tags: dict,
                links: set, now: dt.datetime, rows: _Rows) -> None:
    payload = ev.payload or {}
    depth = int(payload.get("depth") or 0)
    target = Target(ev.job_id, ev.account_id, None)
    job = facts["job"]
    planned_links = set(links)  # this event's view; kept only when the event is plain
    touched: dict[tuple[int, int], bool] = {}
    for trigger in triggers:
        for decision in rules.evaluate(compiled, trigger, facts, now):
            run = {"event_id": ev.id, "schedule_key": None, "rule_name": decision.rule,
                   "ruleset_id": version.id if version else None, "trigger": trigger.kind.replace("_", " "),
                   "job_id": target.job_id, "account_id": target.account_id, "depth": depth,
                   "conditions": condition_parts(decision), "actions": [], "reason": "", "created_at": now,
                   "finished_at": now, "_effects": []}
            rows.runs.append(run)
            if not decision.fired:
                run["status"] = (RunStatus.skipped if decision.reason and "did not run" in decision.reason
                                 else RunStatus.not_fired)
                run["reason"] = decision.reason or ""
                continue
            if depth >= CHAIN_LIMIT or decision.error or job is None:
                raise _Unusual()
            robot = f'Automation "{decision.rule}"'
            planned = [planned_entry(pa) for pa in decision.actions]
            base = f"{decision.rule}|{ev.id}|{target.job_id}"
            for pa, entry in zip(decision.actions, planned):
                key = f"{base}|{pa.index}"
                a = pa.args
                if pa.action in NOT_AVAILABLE:
                    entry["status"], entry["outcome"] = "skipped", f"Not available yet: {NOT_AVAILABLE[pa.action]} are not built."
                    continue
                if pa.run_at is not None:
                    raise _Unusual()
                if pa.action == "create_task":
                    outcome = _plan_task(rows, a, job, members, robot, now)
                elif pa.action in ("add_tags", "remove_tags") and a.get("target") == "job":
                    outcome = _plan_tags(rows, a, pa.action == "add_tags", job, tags, planned_links, touched, robot,
                                         depth, now)
                else:
                    raise _Unusual()
                run["_effects"].append((key, outcome))
                entry["status"], entry["outcome"] = "done", outcome
            run["status"], run["actions"] = RunStatus.done, planned
    links.clear()
    links.update(planned_links)


def _plan_task(rows: _Rows, a: dict, job: dict, members: dict, robot: str, now: dt.datetime) -> str:
    title = (a["title"] or "").strip()
    if not title or len(title) > 300:
        raise _Unusual()  # the per-event path refuses it with its sentence
    assignee_id = None
    if a.get("assignee"):
        member = members.get((a["assignee"] or "").strip().lower())
        if member is None:
            raise _Unusual()
        assignee_id = member[0]
    rows.tasks.append({"title": title, "description": "", "assignee_id": assignee_id, "job_id": job["id"],
                       "account_id": job["account_id"], "parent_id": None, "status": TaskStatus.planned,
                       "due_date": due_date(a.get("due")), "created_at": now, "completed_at": None})
    rows.audit.append({"at": now, "actor_id": None, "actor_label": robot, "action": "create", "entity": "task",
                       "_task": len(rows.tasks) - 1, "summary": f'Created task "{title}"', "entity_label": title,
                       "account_id": job["account_id"], "detail": {"job_id": job["id"]}})
    return f'Created task "{title}"' + (f' for {a["assignee"]}' if a.get("assignee") else "")


def _plan_tags(rows: _Rows, a: dict, present: bool, job: dict, tags: dict, links: set, touched: dict, robot: str,
               depth: int, now: dt.datetime) -> str:
    names = []
    for name in a["tags"]:
        tag = tags.get(name.strip().lower())
        if tag is None:
            raise _Unusual()
        tag_id, tag_name = tag
        pair = (job["id"], tag_id)
        if touched.get(pair, present) != present:
            raise _Unusual()  # added and removed by one event: the order of its writes matters
        has = pair in links
        if present != has:
            touched[pair] = present
            (links.add if present else links.discard)(pair)
            (rows.links_add if present else rows.links_remove).append({"job_id": job["id"], "tag_id": tag_id})
            kind = "tag_added" if present else "tag_removed"
            rows.audit.append({"at": now, "actor_id": None, "actor_label": robot, "action": kind, "entity": "job",
                               "entity_id": job["id"], "summary": f'Tag "{tag_name}" {"added" if present else "removed"}',
                               "entity_label": job["name"], "account_id": job["account_id"], "detail": {"tag": tag_name}})
            rows.events.append({"kind": kind, "job_id": job["id"], "account_id": job["account_id"], "actor_id": None,
                                "payload": {"tag": tag_name, "on": "job", "depth": depth + 1},
                                "status": EventStatus.pending, "attempts": 0, "created_at": now})
        names.append(tag_name)
    quoted = ", ".join(f'"{n}"' for n in names)
    return f"{'Added' if present else 'Removed'} tag {quoted} {'to' if present else 'from'} the job"


def _returning_ids(model):
    table = model.__table__
    return insert(table).returning(table.c.id, sort_by_parameter_order=True)


# Core inserts on the tables, built once: the ORM's bulk layer costs more than the statements here.
_INSERT_RUNS, _INSERT_TASKS, _INSERT_EVENTS = (_returning_ids(m) for m in (RuleRun, Task, Event))
_INSERT_EFFECTS, _INSERT_LINKS, _INSERT_AUDIT = (insert(m.__table__) for m in (ActionEffect, JobTag, AuditLog))
_DELETE_LINKS = delete(JobTag.__table__).where(JobTag.__table__.c.job_id == bindparam("j"),
                                               JobTag.__table__.c.tag_id == bindparam("t"))


def _starts_a_rule(by_kind: dict, row: dict) -> bool:
    # What `rule_events` reads of an event (an ORM Event costs more to make than this whole check).
    ev = SimpleNamespace(id=None, kind=row["kind"], payload=row["payload"])
    return any(trigger_matches(rule, t) is None for t in rule_events(ev) for rule in by_kind.get(t.kind, ()))


def _insert(session: Session, plain: list[_Rows], now: dt.datetime, by_kind: dict) -> None:
    conn = session.connection()
    runs = [run for rows in plain for run in rows.runs]
    effects_of = [run.pop("_effects") for run in runs]
    run_ids = [r[0] for r in conn.execute(_INSERT_RUNS, runs)] if runs else []
    effects = [{"key": key, "run_id": run_id, "outcome": outcome, "created_at": now}
               for run_id, pairs in zip(run_ids, effects_of) for key, outcome in pairs]
    if effects:
        conn.execute(_INSERT_EFFECTS, effects)
    tasks = [t for rows in plain for t in rows.tasks]
    task_ids = [r[0] for r in conn.execute(_INSERT_TASKS, tasks)] if tasks else []
    audit, offset = [], 0
    for rows in plain:
        for row in rows.audit:
            n = row.pop("_task", None)
            if n is not None:
                row["entity_id"] = task_ids[offset + n]
            audit.append(row)
        offset += len(rows.tasks)
    removes = [link for rows in plain for link in rows.links_remove]
    if removes:
        conn.execute(_DELETE_LINKS, [{"j": r["job_id"], "t": r["tag_id"]} for r in removes])
    adds = [link for rows in plain for link in rows.links_add]
    if adds:
        conn.execute(_INSERT_LINKS, adds)
    if audit:
        conn.execute(_INSERT_AUDIT, audit)
    new_events = [e for rows in plain for e in rows.events]
    for row in new_events:
        # No rule starts on it (the rules of this transaction, as when it is handled): written handled,
        # as the worker would mark it, which spares a transaction and a disk sync per chain.
        quiet = not _starts_a_rule(by_kind, row)
        row.update(status=EventStatus.handled if quiet else EventStatus.pending, attempts=int(quiet),
                   handled_at=now if quiet else None)
    if new_events:
        ids = [r[0] for r in conn.execute(_INSERT_EVENTS, new_events)]
        events.remember(session, [i for i, row in zip(ids, new_events) if row["status"] == EventStatus.pending])

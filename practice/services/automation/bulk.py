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
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Callable

from sqlmodel import Session

import rules
from rules import ast as A
from rules.evaluate import trigger_matches
from practice.db import driver_connection
from practice.models import (AccountType, Event, EventStatus, Priority, RunStatus, TaskStatus, loaded_moment,
                             stored_moment, utcnow)
from practice.services import events
from practice.services.balances import as_fact
from practice.services.hours import JOB_MINUTES_SQL, as_fact as hours_fact
from practice.services.billing import delivery as invoice_delivery, recurring as recurring_invoices
from practice.services.organizers import review as organizer_review
from practice.services.payments import autopay
from practice.i18n import N_
from practice.services.automation.actions import NOT_AVAILABLE, Target, due_date, tags_changed, task_created
from practice.services.automation.compiled import cached_names, compiled_rules
from practice.services.automation.explain import condition_parts, give_outcome, give_reason, planned_entry
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
        if (ev.kind in invoice_delivery.KINDS or ev.kind in (organizer_review.SUBMITTED, recurring_invoices.DUE)
                or ev.kind in autopay.KINDS):
            # an invoice's PDF and emails, a submitted organizer's answers PDF, a recurring invoice's period or its
            # card payment: their own handler, one by one
            done += _flush(session, version, compiled, names, group, quiet, slow)
            group, quiet, group_jobs = [], [], set()
            done += slow(ev)
            continue
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
        with _savepoint(session):
            written, leftover = _write_group(session, version, compiled, names, group) if group else ([], [])
            events.mark_handled(session, [ev.id for ev in quiet] + written)
    except Exception:  # a unique key says something was already done, or anything unforeseen
        log.warning("bulk automations for events %s rolled back; handling them one by one",
                    [ev.id for ev, _ in group][:10], exc_info=True)
        ordered = sorted([ev for ev, _ in group] + quiet, key=lambda ev: ev.id)
        return sum(slow(ev) for ev in ordered)
    return len(quiet) + len(written) + sum(slow(ev) for ev in leftover)


@contextmanager
def _savepoint(session: Session) -> Iterator[None]:
    """A savepoint around the group's writes: on SQLite three plain statements on the driver's connection (the
    session's savepoint machinery costs more than the group's inserts), elsewhere the session's own."""
    driver = driver_connection(session)
    if driver is None:
        with session.begin_nested():
            yield
        return
    driver.execute("SAVEPOINT practice_bulk")
    try:
        yield
    except BaseException:
        driver.execute("ROLLBACK TO practice_bulk")
        driver.execute("RELEASE practice_bulk")
        raise
    driver.execute("RELEASE practice_bulk")


# --- facts of many jobs at once ------------------------------------------------------------------


# The group's facts in one statement (two more when an event names another account than its job's): each job's
# assignees, tags (with ids) and its account's tags as JSON arrays beside the job's row. Plain SQL on the driver's
# connection (the group path runs on SQLite only), its values converted here as the models read them.
_JOBS_SQL = """
SELECT job.id, job.name, job.priority, job.start_date, job.due_date, job.created_at, job.entered_stage_at, job.archived,
       job.account_id, pipeline.name, stage.name, account.name, account.type, account.created_at, account.notes,
       (SELECT json_group_array(teammember.name) FROM jobassignee JOIN teammember ON teammember.id = jobassignee.member_id
        WHERE jobassignee.job_id = job.id),
       (SELECT json_group_array(json_array(jobtag.tag_id, tag.name)) FROM jobtag JOIN tag ON tag.id = jobtag.tag_id
        WHERE jobtag.job_id = job.id),
       (SELECT json_group_array(tag.name) FROM accounttag JOIN tag ON tag.id = accounttag.tag_id
        WHERE accounttag.account_id = job.account_id),
       ({balance}),
       ({hours})
FROM job JOIN pipeline ON pipeline.id = job.pipeline_id JOIN stage ON stage.id = job.stage_id
LEFT OUTER JOIN account ON account.id = job.account_id WHERE job.id IN ({})"""
_ACCOUNTS_SQL = ("SELECT id, name, type, created_at, notes, ({balance}) "
                 "FROM account WHERE id IN ({{}})")
_ACCOUNT_TAGS_SQL = ("SELECT accounttag.account_id, tag.name FROM accounttag JOIN tag ON tag.id = accounttag.tag_id "
                     "WHERE accounttag.account_id IN ({}) ORDER BY tag.name")
# What the account owes (balances.balances, here per row): the rest due on its sent and partly paid invoices, less
# the credit it has not applied yet.
_BALANCE_SQL = ("SELECT (SELECT COALESCE(SUM(invoice.total_cents - invoice.paid_cents - invoice.credited_cents), 0) "
                "FROM invoice WHERE invoice.status IN ('sent', 'partly_paid') AND invoice.account_id = {account}) - "
                "(SELECT COALESCE(SUM(creditnote.amount_cents - creditnote.applied_cents), 0) FROM creditnote "
                "WHERE creditnote.account_id = {account})")
_JOBS_SQL = (_JOBS_SQL.replace("{balance}", _BALANCE_SQL.format(account="job.account_id"))
             .replace("{hours}", JOB_MINUTES_SQL.format(job="job.id")))
_ACCOUNTS_SQL = _ACCOUNTS_SQL.format(balance=_BALANCE_SQL.format(account="account.id"))
# Enum columns hold the member's name; the facts carry its value.
_PRIORITY = {p.name: p.value for p in Priority}
_ACCOUNT_TYPE = {t.name: t.value for t in AccountType}


def _marks(values) -> str:
    return ", ".join("?" * len(values))


def _day(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _facts(session: Session, group: list) -> tuple[dict[int, dict], set[tuple[int, int]]]:
    """(facts_for(job_id=..., account_id=...) of every event of the group, the jobs' tag links), in one
    statement (names sorted here as `facts_for` sorts them in SQL: by code point)."""
    driver = driver_connection(session)
    jobs: dict[int, dict] = {}
    accounts: dict[int, dict] = {}
    links = set()
    job_ids = sorted({ev.job_id for ev, _ in group})
    for row in driver.execute(_JOBS_SQL.format(_marks(job_ids)), job_ids):
        assignees = sorted(json.loads(row[15]))
        tags = sorted(json.loads(row[16]), key=lambda pair: pair[1])
        links.update((row[0], tag_id) for tag_id, _ in tags)
        jobs[row[0]] = {"id": row[0], "name": row[1], "stage": row[10], "pipeline": row[9],
                        "assignee": assignees[0] if assignees else None, "assignees": assignees,
                        "priority": _PRIORITY.get(row[2], row[2]), "start_date": _day(row[3]),
                        "due_date": _day(row[4]), "created_at": loaded_moment(row[5]),
                        "entered_stage_at": loaded_moment(row[6]), "archived": bool(row[7]),
                        "account_id": row[8], "hours": hours_fact(row[19] or 0), "tags": [name for _, name in tags]}
        if row[11] is not None:
            accounts[row[8]] = _account(row[8], *row[11:15], row[18])
            accounts[row[8]]["tags"] = sorted(json.loads(row[17]))
    account_of = {ev.id: ev.account_id or (jobs.get(ev.job_id) or {}).get("account_id") for ev, _ in group}
    missing = sorted({a for a in account_of.values() if a and a not in accounts})
    if missing:  # an event naming another account than its job's
        for row in driver.execute(_ACCOUNTS_SQL.format(_marks(missing)), missing):
            accounts[row[0]] = _account(*row)
        for a_id, name in driver.execute(_ACCOUNT_TAGS_SQL.format(_marks(missing)), missing):
            accounts[a_id]["tags"].append(name)
    facts = {ev.id: {"job": jobs.get(ev.job_id), "account": accounts.get(account_of[ev.id]), "contact": None}
             for ev, _ in group}
    return facts, links


def _account(account_id, name, kind, created_at, notes, owed_cents) -> dict:
    return {"id": account_id, "name": name, "type": _ACCOUNT_TYPE.get(kind, kind), "balance": as_fact(owed_cents or 0),
            "created_at": loaded_moment(created_at), "notes": notes, "tags": []}


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
    by_kind, _ = _rules_by_kind(compiled)
    plain: list[tuple[Event, _Rows]] = []
    leftover: list[Event] = []
    for ev, triggers in group:
        rows = _Rows()
        try:
            _plan_event(compiled, version, ev, triggers, facts_of[ev.id], members, tags, links, now, rows, by_kind)
        except _Unusual:
            leftover.append(ev)
            continue
        plain.append((ev, rows))
    if plain:
        _insert(session, [rows for _, rows in plain], now, by_kind)
    return [ev.id for ev, _ in plain], leftover


def _plan_event(compiled, version, ev: Event, triggers, facts: dict, members: dict, tags: dict,
                links: set, now: dt.datetime, rows: _Rows, by_kind: dict) -> None:
    payload = ev.payload or {}
    depth = int(payload.get("depth") or 0)
    target = Target(ev.job_id, ev.account_id, None)
    job = facts["job"]
    planned_links = set(links)  # this event's view; kept only when the event is plain
    touched: dict[tuple[int, int], bool] = {}
    prepared = None
    for trigger in triggers:
        if not any(trigger_matches(rule, trigger) is None for rule in by_kind.get(trigger.kind, ())):
            continue  # no rule starts on this one (a move's "left the stage", say): nothing to evaluate
        # Prepared once for the event's triggers (the group's facts carry no item and dates as dates).
        prepared = prepared or rules.prepare_facts(facts)
        for decision in rules.evaluate(compiled, trigger, prepared, now, prepared=True):
            run = {"event_id": ev.id, "schedule_key": None, "rule_name": decision.rule,
                   "ruleset_id": version.id if version else None, "trigger": trigger.kind.replace("_", " "),
                   "job_id": target.job_id, "account_id": target.account_id, "depth": depth,
                   "conditions": condition_parts(decision), "actions": [], "reason": "", "reason_words": None,
                   "created_at": now,
                   "finished_at": now, "_effects": []}
            rows.runs.append(run)
            if not decision.fired:
                run["status"] = (RunStatus.skipped if decision.reason and "did not run" in decision.reason
                                 else RunStatus.not_fired)
                give_reason(run, decision.reason or "")
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
                    give_outcome(entry, "skipped", rules.Words(N_("Not available yet: {feature} are not built."),
                                                               feature=NOT_AVAILABLE[pa.action]))
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
                run["_effects"].append((key, str(outcome)))
                give_outcome(entry, "done", outcome)
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
    return task_created(title, a.get("assignee"))


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
    return tags_changed(present, "job", names)


# The group's writes as plain SQL on the driver's connection, values stored as the models store them (enums by
# name, moments by `stored_moment`, JSON as SQLAlchemy's JSON type writes it): SQLAlchemy's statement execution
# cost more than the inserts themselves. Rows whose id is needed are inserted one by one (lastrowid).
_RUN_SQL = ('INSERT INTO rulerun (event_id, schedule_key, rule_name, ruleset_id, "trigger", job_id, account_id, status, '
            "reason, reason_words, conditions, actions, depth, created_at, finished_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_EFFECT_SQL = 'INSERT INTO actioneffect ("key", run_id, outcome, created_at) VALUES (?, ?, ?, ?)'
_TASK_SQL = ("INSERT INTO task (title, description, assignee_id, job_id, account_id, parent_id, status, due_date, "
             "created_at, completed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_LINK_SQL = "INSERT INTO jobtag (job_id, tag_id) VALUES (?, ?)"
_UNLINK_SQL = "DELETE FROM jobtag WHERE job_id = ? AND tag_id = ?"
_AUDIT_SQL = ("INSERT INTO auditlog (at, actor_id, actor_label, action, entity, entity_id, entity_label, account_id, "
              "summary, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_EVENT_SQL = ("INSERT INTO event (kind, job_id, account_id, actor_id, payload, status, attempts, lease_until, created_at, "
              "handled_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)")


def _json_or_null(value) -> str | None:
    return None if value is None else json.dumps(value)


def _ids_of(driver, sql: str, rows: list[tuple]) -> list[int]:
    cursor = driver.cursor()
    ids = []
    for row in rows:
        cursor.execute(sql, row)
        ids.append(cursor.lastrowid)
    return ids


def _starts_a_rule(by_kind: dict, row: dict) -> bool:
    # What `rule_events` reads of an event (an ORM Event costs more to make than this whole check).
    ev = SimpleNamespace(id=None, kind=row["kind"], payload=row["payload"])
    return any(trigger_matches(rule, t) is None for t in rule_events(ev) for rule in by_kind.get(t.kind, ()))


def _insert(session: Session, plain: list[_Rows], now: dt.datetime, by_kind: dict) -> None:
    driver = driver_connection(session)
    at = stored_moment(now)
    runs = [run for rows in plain for run in rows.runs]
    run_ids = _ids_of(driver, _RUN_SQL, [
        (r["event_id"], r["schedule_key"], r["rule_name"], r["ruleset_id"], r["trigger"], r["job_id"], r["account_id"],
         r["status"].name, r["reason"], _json_or_null(r["reason_words"]), json.dumps(r["conditions"]), json.dumps(r["actions"]), r["depth"], at, at)
        for r in runs])
    effects = [(key, run_id, outcome, at) for run_id, run in zip(run_ids, runs) for key, outcome in run["_effects"]]
    if effects:
        driver.executemany(_EFFECT_SQL, effects)
    task_ids = _ids_of(driver, _TASK_SQL, [
        (t["title"], t["description"], t["assignee_id"], t["job_id"], t["account_id"], t["parent_id"],
         t["status"].name, t["due_date"].isoformat() if t["due_date"] else None, at, None, at)
        for rows in plain for t in rows.tasks])
    audit, offset = [], 0
    for rows in plain:
        for row in rows.audit:
            n = row.get("_task")
            audit.append((at, row["actor_id"], row["actor_label"], row["action"], row["entity"],
                          task_ids[offset + n] if n is not None else row["entity_id"], row["entity_label"],
                          row["account_id"], row["summary"], json.dumps(row["detail"])))
        offset += len(rows.tasks)
    removes = [(link["job_id"], link["tag_id"]) for rows in plain for link in rows.links_remove]
    if removes:
        driver.executemany(_UNLINK_SQL, removes)
    adds = [(link["job_id"], link["tag_id"]) for rows in plain for link in rows.links_add]
    if adds:
        driver.executemany(_LINK_SQL, adds)
    if audit:
        driver.executemany(_AUDIT_SQL, audit)
    new_events = [e for rows in plain for e in rows.events]
    # No rule starts on it (the rules of this transaction, as when it is handled): written handled, as the worker
    # would mark it, which spares a transaction and a disk sync per chain.
    quiet = [not _starts_a_rule(by_kind, row) for row in new_events]
    ids = _ids_of(driver, _EVENT_SQL, [
        (e["kind"], e["job_id"], e["account_id"], e["actor_id"], json.dumps(e["payload"]),
         "handled" if q else "pending", int(q), at, at if q else None) for e, q in zip(new_events, quiet)])
    events.remember(session, [i for i, q in zip(ids, quiet) if not q])

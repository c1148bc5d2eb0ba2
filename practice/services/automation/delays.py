"""Delayed actions (`after 2 days ...`): kept as due rows, run when they come due if the rule still holds."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlmodel import Session

import rules
from practice.i18n import N_
from practice.models import Due, RuleRun, RunStatus, utcnow
from practice.services.automation.actions import Target, apply_once
from practice.services.automation.compiled import compiled_rules
from practice.services.automation.explain import give_outcome, give_reason, kept_outcome
from practice.services.automation.triggers import trigger_from_dict, trigger_to_dict
from practice.services.work.facts import facts_for



def schedule_delayed(session: Session, key: str, pa: rules.PlannedAction, decision, trigger: rules.Event,
                     target: Target, run: RuleRun, depth: int) -> None:
    if session.execute(select(Due.id).where(Due.key == key)).first():
        return
    session.add(Due(kind="delayed_action", key=key, due_at=pa.run_at, run_id=run.id, job_id=target.job_id,
                    payload={"rule": decision.rule, "action_index": pa.index, "event": trigger_to_dict(trigger),
                             "job_id": target.job_id, "account_id": target.account_id,
                             "contact_id": target.contact_id, "depth": depth}))


def run_due_actions(session: Session, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Run delayed actions that came due: their rule's conditions are checked again first."""
    now = now or utcnow()
    due = list(session.execute(select(Due).where(Due.status == "pending", Due.kind == "delayed_action",
                                                 Due.due_at <= now).order_by(Due.due_at, Due.id).limit(limit)).scalars())
    if not due:
        return 0
    version, compiled, problem = compiled_rules(session)
    for item in due:
        p = item.payload
        run = session.get(RuleRun, item.run_id) if item.run_id else None
        item.status = "done"
        if compiled is None or run is None:
            item.status = "dropped"
            continue
        target = Target(p.get("job_id"), p.get("account_id"), p.get("contact_id"))
        facts = facts_for(session, job_id=target.job_id, account_id=target.account_id, contact_id=target.contact_id)
        actions = [dict(a) for a in run.actions]
        entry = next((a for a in actions if a.get("index") == p["action_index"]), None)
        if entry is None:
            entry = {"index": p["action_index"], "action": "", "text": "", "args": {}}
            actions.append(entry)
        job_gone = target.job_id and (facts.get("job") is None or facts["job"].get("archived"))
        if job_gone:
            item.status = "dropped"
            give_outcome(entry, "dropped", rules.Words(N_("Dropped: the job was archived or deleted before it came due.")))
        else:
            try:
                decision = rules.run_delayed(compiled, p["rule"], p["action_index"],
                                             trigger_from_dict(p["event"]), facts, now)
            except (rules.RulesError, KeyError):
                decision = None
            if decision is None or not decision.fired or not decision.actions:
                item.status = "dropped"
                why = decision.reason if decision is not None else rules.Words(N_("the rule was changed or removed"))
                give_outcome(entry, "dropped", rules.Words(N_("Dropped: {why}."), why=why))
            else:
                ok = apply_once(session, item.key, decision.actions[0], target, facts, run, int(p.get("depth") or 0),
                                entry, now)
                if not ok:
                    run.status = RunStatus.failed
                    give_reason(run, kept_outcome(entry))
        run.actions = actions
        if run.status == RunStatus.waiting and not session.execute(select(Due.id).where(
                Due.run_id == run.id, Due.status == "pending", Due.id != item.id)).first():
            run.status = RunStatus.done
        run.finished_at = utcnow()
    return len(due)

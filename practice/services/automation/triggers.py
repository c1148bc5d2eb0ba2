"""The rule triggers a recorded event stands for, and how a trigger is kept in a delayed action's row."""
from __future__ import annotations

import rules
from practice.models import Event

# Events caused by rules' actions carry their depth; a chain deeper than this stops with a sentence.
CHAIN_LIMIT = 10



def rule_events(ev: Event) -> list[rules.Event]:
    """The rule triggers one recorded event stands for (a move is a leave and an enter)."""
    p = ev.payload or {}
    if ev.kind == "job_moved":
        return [rules.Event("job_left_stage", stage=p.get("from_stage"), pipeline=p.get("pipeline"), id=ev.id),
                rules.Event("job_entered_stage", stage=p.get("to_stage"), pipeline=p.get("pipeline"), id=ev.id)]
    if ev.kind == "job_created":
        return [rules.Event("job_created", pipeline=p.get("pipeline"), id=ev.id),
                rules.Event("job_entered_stage", stage=p.get("stage"), pipeline=p.get("pipeline"), id=ev.id)]
    if ev.kind in ("tag_added", "tag_removed"):
        return [rules.Event(ev.kind, tag=p.get("tag"), target=p.get("on"), id=ev.id)]
    if ev.kind in rules.EVENT_NAMES and ev.kind != "schedule":
        return [rules.Event(ev.kind, id=ev.id)]
    return []


def trigger_from_dict(d: dict) -> rules.Event:
    return rules.Event(d["kind"], stage=d.get("stage"), pipeline=d.get("pipeline"), tag=d.get("tag"),
                       target=d.get("target"), rule=d.get("rule"), id=d.get("id"))


def trigger_to_dict(e: rules.Event) -> dict:
    return {"kind": e.kind, "stage": e.stage, "pipeline": e.pipeline, "tag": e.tag, "target": e.target,
            "rule": e.rule, "id": e.id}


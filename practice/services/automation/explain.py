"""How a run explains itself in the run log: the values its conditions read and the actions it planned."""
from __future__ import annotations

import datetime as dt

import rules


def show_value(value) -> str:
    if value is None:
        return "empty"
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, (dt.date, dt.timedelta)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(show_value(v) for v in value) or "none"
    return str(value)


def condition_parts(decision: rules.RuleDecision) -> list[dict]:
    return [{"clause": p.clause, "text": p.text, "values": {k: show_value(v) for k, v in p.values.items()},
             "result": bool(p.result)} for p in decision.parts]


def planned_entry(pa: rules.PlannedAction) -> dict:
    return {"index": pa.index, "action": pa.action, "text": pa.text,
            "args": {k: show_value(v) if not isinstance(v, (str, int, float, bool, type(None))) else v
                     for k, v in pa.args.items() if k != "reminders"},
            "outcome": "", "status": "planned"}

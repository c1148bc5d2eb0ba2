"""How a run explains itself in the run log: the values its conditions read and the actions it planned."""
from __future__ import annotations

import datetime as dt

import rules
from practice.i18n import N_, _


def show_value(value) -> str:
    if value is None:
        return rules.Words(N_("empty"))
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, (dt.date, dt.timedelta)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(show_value(v) for v in value) or rules.Words(N_("none"))
    return str(value)


def condition_parts(decision: rules.RuleDecision) -> list[dict]:
    return [{"clause": p.clause, "text": p.text, "values": {k: _kept_value(v) for k, v in p.values.items()},
             "result": bool(p.result)} for p in decision.parts]


def planned_entry(pa: rules.PlannedAction) -> dict:
    return {"index": pa.index, "action": pa.action, "text": pa.text,
            "args": {k: show_value(v) if not isinstance(v, (str, int, float, bool, type(None))) else v
                     for k, v in pa.args.items() if k != "reminders"},
            "outcome": "", "status": "planned"}


def _kept_value(value):
    shown = show_value(value)
    return rules.kept(shown) or shown


# A run's sentences are kept as English text and, when they are made of words (rules.Words), as those words, so
# that the run log tells them in the reader's language whenever it is read (docs/architecture.md, "Languages").

def give_reason(run, text) -> None:
    """Set the run's reason (`run` is a RuleRun or the row dict the bulk paths insert)."""
    if isinstance(run, dict):
        run["reason"], run["reason_words"] = str(text or ""), rules.kept(text)
    else:
        run.reason, run.reason_words = str(text or ""), rules.kept(text)


def give_outcome(entry: dict, status: str, text) -> None:
    """Set what an action of a run did: its status and its outcome."""
    entry["status"], entry["outcome"] = status, str(text)
    words = rules.kept(text)
    if words is not None:
        entry["outcome_words"] = words
    else:
        entry.pop("outcome_words", None)


def kept_outcome(entry: dict):
    """What the action did, as its words when kept (else its text): to give as a run's reason."""
    words = entry.get("outcome_words")
    return rules.Words.from_data(words) if words else entry.get("outcome") or ""


def told_reason(run) -> str:
    """The run's reason in the reader's language."""
    return rules.said(run.reason or "", getattr(run, "reason_words", None), _)


def told_outcome(entry: dict) -> str:
    """What the action did, in the reader's language."""
    return rules.said(entry.get("outcome") or "", entry.get("outcome_words"), _)


def told_value(value) -> str:
    """A value a condition read, in the reader's language ("empty", "none")."""
    if isinstance(value, dict):
        return rules.said(value.get("template", ""), value, _)
    return str(value)

"""View records of a rule's trace (what each condition read, what each action did): the job page's automation
history and the rules editor's try-on-a-job show them."""
from __future__ import annotations

import dataclasses

from practice.i18n import N_, _
from practice.models import RunStatus
from practice.services.automation.explain import told_outcome, told_reason, told_value
from practice.services.formatting import format_datetime


@dataclasses.dataclass
class PartItem:
    clause: str = ""
    text: str = ""
    reads: str = ""
    result: bool = False


# How the status of a run, and of each of its actions, reads.
RUN_STATUS = {"done": N_("done"), "not_fired": N_("not fired"), "skipped": N_("skipped"), "failed": N_("failed"),
              "waiting": N_("waiting")}
ACTION_STATUS = {"done": N_("done"), "waiting": N_("waiting"), "failed": N_("failed"), "dropped": N_("dropped"),
                 "skipped": N_("skipped"), "planned": N_("not run")}


def _label(table: dict, status: str) -> str:
    return _(table[status]) if status in table else status


@dataclasses.dataclass
class ActionItem:
    text: str = ""
    outcome: str = ""
    status: str = ""
    status_label: str = ""
    is_email: bool = False


@dataclasses.dataclass
class DecisionItem:
    rule: str = ""
    fired: bool = False
    reason: str = ""
    error: str = ""
    parts: list[PartItem] = dataclasses.field(default_factory=list)
    actions: list[ActionItem] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class RunItem:
    id: int = 0
    rule: str = ""
    trigger: str = ""
    at: str = ""
    status: str = ""
    status_label: str = ""
    reason: str = ""
    can_retry: bool = False
    parts: list[PartItem] = dataclasses.field(default_factory=list)
    actions: list[ActionItem] = dataclasses.field(default_factory=list)


def _values_text(values: dict) -> str:
    """What a condition read, as `field = value` pairs (empty when it read nothing)."""
    return "; ".join(f"{k} = {told_value(v)}" for k, v in (values or {}).items())


def part_items(parts: list[dict]) -> list[PartItem]:
    return [PartItem(clause=str(p.get("clause", "")), text=str(p.get("text", "")),
                     reads=_values_text(p.get("values") or {}), result=bool(p.get("result"))) for p in parts or []]


def action_items(actions: list[dict]) -> list[ActionItem]:
    return [ActionItem(text=str(a.get("text", "")), outcome=told_outcome(a), status=str(a.get("status", "")),
                       status_label=_label(ACTION_STATUS, str(a.get("status", ""))),
                       is_email=a.get("action") == "send_email" and str(a.get("outcome", "")).startswith("To: "))
            for a in actions or []]


def decision_items(decisions: list[dict]) -> list[DecisionItem]:
    return [DecisionItem(rule=d["rule"], fired=bool(d["fired"]), reason=d.get("reason", ""), error=d.get("error", ""),
                         parts=part_items(d.get("parts")), actions=action_items(d.get("actions")))
            for d in decisions]


def run_reason(status: str, reason: str, actions: list[dict]) -> str:
    """One sentence on how a run went (the engine leaves the reason empty when all went well)."""
    if reason:
        return reason
    if status == RunStatus.done.value:
        return _("Every action ran.") if actions else _("The rule ran; it had nothing to do.")
    if status == RunStatus.waiting.value:
        return _("Some actions wait for their time; they run then if the conditions still hold.")
    if status == RunStatus.not_fired.value:
        return _("The conditions did not hold, so nothing was done.")
    return _("The rule did not run.")


def run_items(runs, timezone: str, *, can_retry: bool) -> list[RunItem]:
    """A job's rule runs as view records, newest first (times in the firm's time zone)."""
    out = []
    for r in runs:
        status = r.status.value if hasattr(r.status, "value") else str(r.status)
        out.append(RunItem(id=r.id, rule=r.rule_name, trigger=r.trigger, at=format_datetime(r.created_at, timezone),
                           status=status.replace("_", " "), status_label=_label(RUN_STATUS, status), reason=run_reason(status, told_reason(r), r.actions),
                           can_retry=can_retry and status == RunStatus.failed.value,
                           parts=part_items(r.conditions), actions=action_items(r.actions)))
    return out

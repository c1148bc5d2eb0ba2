"""Events set aside: an event whose automations kept failing (`events.record_failure` parks it after a few tries)
waits here for an owner or admin, who reads why, sees what a retry would do, and retries or dismisses it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

import rules
from practice.models import Account, Event, EventStatus, Job, RuleRun, RunStatus, TeamMember, utcnow
from practice.services import audit, events
from practice.services.actor import Actor, require_admin
from practice.services.automation.actions import Target
from practice.services.automation.compiled import compiled_rules, told_problem
from practice.services.automation.engine import event_facts
from practice.services.automation.triggers import rule_events
from practice.services.errors import InvalidInput, NotFound
from practice.i18n import _

# How many events set aside the page lists at once (newest first).
LIST_LIMIT = 200


@dataclass
class ParkedEvent:
    """An event set aside, as the owners and admins read it."""

    id: int
    trigger: str
    reason: str
    tries: int
    parked_at: dt.datetime | None
    job_id: int | None = None
    job_name: str = ""
    account_id: int | None = None
    account_name: str = ""
    dismissed_at: dt.datetime | None = None
    dismissed_by: str = ""


@dataclass
class PlannedRule:
    """A rule a retry would run: its name, and its actions in the rules' words ("" actions: it would not fire)."""

    rule: str
    fires: bool
    why_not: str = ""
    actions: list[str] = field(default_factory=list)
    done_before: bool = False


@dataclass
class RetryPreview:
    """What retrying an event would do: the job, the trigger, and each rule it would run."""

    event_id: int
    trigger: str
    job_name: str
    account_name: str
    rules: list[PlannedRule]
    problem: str = ""


def trigger_words(ev: Event) -> str:
    """What happened, in words: "the job moved from "Onboarding" to "Review"", "tag "VIP" added to the account"."""
    p = ev.payload or {}
    if ev.kind == "job_moved":
        return _('The job moved from "{before}" to "{after}"').format(before=p.get("from_stage") or "?",
                                                                     after=p.get("to_stage") or "?")
    if ev.kind == "job_created":
        return _('A job was created in "{pipeline}"').format(pipeline=p.get("pipeline") or "?")
    if ev.kind == "tag_added":
        return _('Tag "{tag}" added').format(tag=p.get("tag") or "?")
    if ev.kind == "tag_removed":
        return _('Tag "{tag}" removed').format(tag=p.get("tag") or "?")
    return ev.kind.replace("_", " ").capitalize()


def _parked(session: Session, event_id) -> Event:
    try:
        event_id = int(event_id)
    except (TypeError, ValueError):
        raise NotFound(_("That event does not exist.")) from None
    ev = session.get(Event, event_id) if 0 < event_id < 2 ** 63 else None
    if ev is None or ev.status != EventStatus.failed:
        raise NotFound(_("That event is not set aside any more: it was retried, or it does not exist."))
    return ev


def _names(session: Session, model, ids: set) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {row.id: row.name for row in session.execute(select(model).where(model.id.in_(ids))).scalars()}


def list_parked(session: Session, actor: Actor, *, dismissed: bool = False) -> list[ParkedEvent]:
    """The events set aside (newest first): those waiting for a decision, or with `dismissed` those dismissed."""
    require_admin(actor)
    stmt = select(Event).where(Event.status == EventStatus.failed)
    stmt = stmt.where(Event.dismissed_at.is_not(None) if dismissed else Event.dismissed_at.is_(None))
    rows = list(session.execute(stmt.order_by(Event.id.desc()).limit(LIST_LIMIT)).scalars())
    jobs = _names(session, Job, {ev.job_id for ev in rows})
    accounts = _names(session, Account, {ev.account_id for ev in rows})
    members = _names(session, TeamMember, {ev.dismissed_by for ev in rows})
    return [ParkedEvent(id=ev.id, trigger=trigger_words(ev), reason=ev.last_error or _("No reason was kept."),
                        tries=ev.attempts, parked_at=ev.handled_at, job_id=ev.job_id if ev.job_id in jobs else None,
                        job_name=jobs.get(ev.job_id, ""), account_id=ev.account_id if ev.account_id in accounts else None,
                        account_name=accounts.get(ev.account_id, ""), dismissed_at=ev.dismissed_at,
                        dismissed_by=members.get(ev.dismissed_by, "")) for ev in rows]


def _rules_for(session: Session, ev: Event, compiled) -> list[PlannedRule]:
    done = {name for name, status in session.execute(select(RuleRun.rule_name, RuleRun.status).where(
        RuleRun.event_id == ev.id)) if status == RunStatus.done}
    target = Target(ev.job_id, ev.account_id, (ev.payload or {}).get("contact_id"))
    facts = event_facts(session, target, ev.payload or {})
    planned = []
    for trigger in rule_events(ev):
        for decision in rules.evaluate(compiled, trigger, facts, utcnow()):
            planned.append(PlannedRule(rule=decision.rule, fires=decision.fired, why_not=decision.reason or "",
                                       actions=[pa.text for pa in decision.actions] if decision.fired else [],
                                       done_before=decision.rule in done))
    return planned


def preview_retry(session: Session, actor: Actor, event_id: int) -> RetryPreview:
    """What a retry of an event set aside would do with the rules as saved now; changes nothing."""
    require_admin(actor)
    ev = _parked(session, event_id)
    job = session.get(Job, ev.job_id) if ev.job_id else None
    account = session.get(Account, ev.account_id) if ev.account_id else None
    preview = RetryPreview(event_id=ev.id, trigger=trigger_words(ev), job_name=job.name if job else "",
                           account_name=account.name if account else "", rules=[])
    _version, compiled, problem = compiled_rules(session)
    if compiled is None:
        preview.problem = (told_problem(problem) if problem
                           else _("There are no saved rules, so a retry would do nothing."))
        return preview
    try:
        preview.rules = _rules_for(session, ev, compiled)
    except Exception as err:  # noqa: BLE001 - the same failure a retry would meet, said in words
        preview.problem = _("Reading what the rules need failed: {reason}").format(reason=events.failure_reason(err))
    if not preview.problem and not any(r.fires for r in preview.rules):
        preview.problem = _("No rule would run for this event now, so a retry would only mark it handled.")
    return preview


def retry_event(session: Session, actor: Actor, event_id: int) -> Event:
    """Put an event set aside back in the queue now, its tries counted from zero (the worker runs it at once)."""
    require_admin(actor)
    ev = _parked(session, event_id)
    ev.status, ev.attempts, ev.lease_until, ev.handled_at = EventStatus.pending, 0, None, None
    ev.dismissed_at = ev.dismissed_by = None
    audit.record(session, actor, "retry", "event", ev.id, f"Retried the automations of an event set aside "
                 f"({ev.kind.replace('_', ' ')})", entity_label=_label(session, ev), account_id=ev.account_id)
    session.flush()
    events.remember(session, [ev.id])  # the doorbell rings once this commits
    return ev


def dismiss_event(session: Session, actor: Actor, event_id: int) -> Event:
    """Dismiss an event set aside: kept, never run, marked with who dismissed it and when."""
    require_admin(actor)
    ev = _parked(session, event_id)
    if ev.dismissed_at is not None:
        raise InvalidInput(_("That event was already dismissed."))
    ev.dismissed_at, ev.dismissed_by = utcnow(), actor.member_id
    audit.record(session, actor, "dismiss", "event", ev.id, f"Dismissed an event set aside "
                 f"({ev.kind.replace('_', ' ')}); its automations will not run", entity_label=_label(session, ev), account_id=ev.account_id)
    return ev


def _label(session: Session, ev: Event) -> str:
    job = session.get(Job, ev.job_id) if ev.job_id else None
    account = session.get(Account, ev.account_id) if ev.account_id else None
    return job.name if job else (account.name if account else ev.kind.replace("_", " "))

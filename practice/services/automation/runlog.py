"""The run log: each rule run with why it fired or not and what its actions did; a failed run retried."""
from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

import rules
from practice.models import Event, RuleRun, RunStatus, utcnow
from practice.services import audit
from practice.services.actor import Actor, require_admin
from practice.services.automation.actions import Target
from practice.services.automation.compiled import compiled_rules, told_problem
from practice.services.automation.engine import event_facts, run_decision
from practice.services.automation.triggers import rule_events
from practice.services.errors import InvalidInput, NotFound
from practice.services.work.jobs import get_job
from practice.i18n import _



def runs_for_job(session: Session, actor: Actor, job_id: int, limit: int = 100) -> list[RuleRun]:
    """The job's automation history, newest first (who may see the job may see why)."""
    get_job(session, actor, job_id)
    return list(session.execute(select(RuleRun).where(RuleRun.job_id == job_id)
                                .order_by(RuleRun.id.desc()).limit(limit)).scalars())


def recent_runs(session: Session, actor: Actor, *, status: str | None = None, limit: int = 100) -> list[RuleRun]:
    require_admin(actor)
    stmt = select(RuleRun).order_by(RuleRun.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(RuleRun.status == status)
    return list(session.execute(stmt).scalars())


def retry_run(session: Session, actor: Actor, run_id: int) -> RuleRun:
    """Run a failed rule run again: actions already done are not repeated (their keys say so)."""
    require_admin(actor)
    run = session.get(RuleRun, run_id)
    if run is None:
        raise NotFound(_("That automation run does not exist."))
    if run.status != RunStatus.failed:
        raise InvalidInput(_("Only a failed run can be retried."))
    version, compiled, problem = compiled_rules(session)
    if compiled is None:
        raise InvalidInput(told_problem(problem) if problem else _("There are no saved rules."))
    now = utcnow()
    audit.record(session, actor, "retry", "rule_run", run.id, f'Retried automation "{run.rule_name}"')
    if run.event_id is not None:
        ev = session.get(Event, run.event_id)
        target = Target(ev.job_id, ev.account_id, (ev.payload or {}).get("contact_id"))
        facts = event_facts(session, target, ev.payload or {})
        for trigger in rule_events(ev):
            for decision in rules.evaluate(compiled, trigger, facts, now):
                if decision.rule == run.rule_name:
                    return run_decision(session, compiled, version, decision, trigger, target, facts, now,
                                        run.depth, event_id=ev.id)
        raise InvalidInput(_('The rule "{rule_name}" no longer starts on this event, so there is nothing to retry.').format(
            rule_name=run.rule_name))
    raise InvalidInput(_("Scheduled runs are retried by the schedule itself."))

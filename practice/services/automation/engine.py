"""The event engine: the firm's rules run on each recorded event, exactly once, each run logged.

The worker hands event ids to `handle_events`; each event is handled (`handle_event`, or the bulk
path for plain batches) inside the transaction that marks it handled, so a run's log rows, its
effects and the 'handled' mark commit together: a worker killed half-way leaves nothing done and
the event pending. Each effect also carries an idempotency key (rule × trigger × action),
so a retry from the run log (`runlog.retry_run`) never repeats what already happened.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlmodel import Session

import rules
from practice import routes
from practice.i18n import N_
from practice.models import Account, Event, Job, RuleRun, RunStatus, utcnow
from practice.services import events, inbox
from practice.services.automation import bulk
from practice.services.billing import delivery as invoice_delivery, invoices, recurring as recurring_invoices
from practice.services.automation.actions import NOT_AVAILABLE, Target, apply_once
from practice.services.automation.compiled import compiled_rules
from practice.services.automation.rulesets import catalog_from_db
from practice.services.automation.delays import schedule_delayed
from practice.services.automation.explain import (condition_parts, give_outcome, give_reason, kept_outcome,
                                                  planned_entry, show_value)
from practice.services.automation.triggers import CHAIN_LIMIT, rule_events
from practice.services.chats import messages as chat_messages
from practice.services.documents import files as document_files
from practice.services.organizers import review as organizer_review, sent as sent_organizers
from practice.services.payments import autopay
from practice.services.proposals import sending
from practice.services.work.facts import facts_for


def handle_event(session: Session, ev: Event) -> None:
    """Run the firm's rules for one event (inside the worker's transaction); an invoice's event files its PDF and
    emails it instead (no rule reads it); a submitted organizer's answers are filed as a PDF first."""
    if ev.kind in invoice_delivery.KINDS:
        invoice_delivery.handle(session, ev)
        return
    if ev.kind == recurring_invoices.DUE:  # a recurring invoice's period came due: its invoice, once
        recurring_invoices.handle(session, ev)
        return
    if ev.kind in autopay.KINDS:  # a recurring invoice paid by the client's saved card: charged once
        autopay.handle(session, ev)
        return
    if ev.kind == organizer_review.SUBMITTED:  # the answers' PDF is filed, then the rules run as for any event
        organizer_review.file_on_submission(session, ev, firm_catalog=catalog_from_db)
    triggers = rule_events(ev)
    if not triggers:
        return
    version, compiled, problem = compiled_rules(session)
    if compiled is None:
        if problem:
            run = RuleRun(event_id=ev.id, rule_name="(rules)", trigger=ev.kind, job_id=ev.job_id,
                          account_id=ev.account_id, status=RunStatus.failed,
                          ruleset_id=version.id if version else None, finished_at=utcnow())
            give_reason(run, problem)  # told in each reader's language in the run log
            session.add(run)
        return
    depth = int((ev.payload or {}).get("depth") or 0)
    target = Target(ev.job_id, ev.account_id, (ev.payload or {}).get("contact_id"))
    facts = event_facts(session, target, ev.payload or {})
    now = utcnow()
    for trigger in triggers:
        for decision in rules.evaluate(compiled, trigger, facts, now):
            run_decision(session, compiled, version, decision, trigger, target, facts, now, depth, event_id=ev.id)


def event_facts(session: Session, target: Target, payload: dict) -> dict:
    """What an event's rules read: the job, account and contact, and the document, proposal or invoice it is
    about."""
    facts = facts_for(session, job_id=target.job_id, account_id=target.account_id, contact_id=target.contact_id)
    if payload.get("document_id"):
        facts["document"] = document_files.document_facts(session, payload["document_id"])
    if payload.get("proposal_id"):
        facts["proposal"] = sending.proposal_facts(session, payload["proposal_id"])
    if payload.get("message_id"):
        facts["message"] = chat_messages.message_facts(session, payload["message_id"])
    if payload.get("invoice_id"):
        facts["invoice"] = invoices.invoice_facts(session, payload["invoice_id"])
    if payload.get("organizer_id"):
        facts["organizer"] = sent_organizers.organizer_facts(session, payload["organizer_id"])
    return facts


def handle_many(session: Session, evs: list[Event], slow) -> int:
    """Claimed events several at a time: the bulk path writes the plain ones at once and hands the
    others back to `slow`, which runs `handle_event` on each, in order."""
    return bulk.handle_many(session, evs, slow)


def handle_events(event_ids: list[int]) -> int:
    """Run the firm's rules for these events, in order, exactly once each (the worker's entry point);
    returns how many were handled. One failing event stays pending for the sweep."""
    return events.handle_batch(event_ids, handle_event, handle_many, parked=tell_admins_set_aside)


def tell_admins_set_aside(session: Session, ev: Event, reason: str) -> None:
    """Tell the owners and admins in Inbox+, once, that an event's automations kept failing and were set aside."""
    job = session.get(Job, ev.job_id) if ev.job_id else None
    account = session.get(Account, ev.account_id) if ev.account_id else None
    what = ev.kind.replace("_", " ")
    if job:
        text = inbox.said(N_('The automations for "{what}" for the job "{name}" failed {n} times, so they were set '
                             'aside: retry or dismiss them under Automations, Set aside. The last failure: {reason}'),
                          what=what, name=job.name, n=ev.attempts, reason=reason)
    elif account:
        text = inbox.said(N_('The automations for "{what}" for "{name}" failed {n} times, so they were set aside: '
                             'retry or dismiss them under Automations, Set aside. The last failure: {reason}'),
                          what=what, name=account.name, n=ev.attempts, reason=reason)
    else:
        text = inbox.said(N_('The automations for "{what}" failed {n} times, so they were set aside: retry or '
                             'dismiss them under Automations, Set aside. The last failure: {reason}'),
                          what=what, n=ev.attempts, reason=reason)
    link = routes.PARKED
    for member_id in inbox.staff_for(session, account_id=None):
        inbox.notify(session, member_id=member_id, text=text, kind="automation_failed", link=link,
                     key=f"event-set-aside|{ev.id}|{member_id}")


def _existing_run(session: Session, event_id: int | None, schedule_key: str | None, rule: str) -> RuleRun | None:
    stmt = select(RuleRun).where(RuleRun.rule_name == rule)
    stmt = stmt.where(RuleRun.event_id == event_id) if event_id is not None else stmt.where(
        RuleRun.schedule_key == schedule_key)
    return session.execute(stmt).scalars().first()


def run_decision(session: Session, compiled, version, decision: rules.RuleDecision, trigger: rules.Event,
                 target: Target, facts: dict, now: dt.datetime, depth: int, *, event_id: int | None = None,
                 schedule_key: str | None = None) -> RuleRun:
    run = _existing_run(session, event_id, schedule_key, decision.rule)
    # A run and its actions' effects commit together, so without an earlier run no effect of this
    # one can exist yet: its actions skip the look-up of their keys.
    fresh = run is None
    if run is None:
        run = RuleRun(event_id=event_id, schedule_key=schedule_key, rule_name=decision.rule,
                      ruleset_id=version.id if version else None, trigger=trigger.kind.replace("_", " "),
                      job_id=target.job_id, account_id=target.account_id, depth=depth)
        session.add(run)
    run.conditions = condition_parts(decision)
    if not decision.fired:
        run.status = RunStatus.skipped if decision.reason and "did not run" in decision.reason else RunStatus.not_fired
        give_reason(run, decision.reason or "")
        run.finished_at = now
        session.flush()
        return run
    if depth >= CHAIN_LIMIT:
        run.status = RunStatus.failed
        give_reason(run, rules.Words(N_("Stopped: this event comes from a chain of more than {limit} rules firing one "
                                        "another. Check the rules for a loop (for example two rules moving a job back "
                                        "and forth)."), limit=CHAIN_LIMIT))
        run.finished_at = now
        session.flush()
        return run
    session.flush()
    planned = [planned_entry(pa) for pa in decision.actions]
    run.status = RunStatus.done
    give_reason(run, "")
    base = f"{decision.rule}|{event_id if event_id is not None else schedule_key}|{target.job_id or target.account_id or target.contact_id or ''}"
    for pa, entry in zip(decision.actions, planned):
        key = f"{base}|{pa.index}"
        if pa.action in NOT_AVAILABLE:
            give_outcome(entry, "skipped", rules.Words(N_("Not available yet: {feature} are not built."),
                                                       feature=NOT_AVAILABLE[pa.action]))
            continue
        if pa.run_at is not None:
            schedule_delayed(session, key, pa, decision, trigger, target, run, depth)
            give_outcome(entry, "waiting", rules.Words(N_("Will run at {moment} if the conditions still hold."),
                                                       moment=show_value(pa.run_at)))
            run.status = RunStatus.waiting
            continue
        ok = apply_once(session, key, pa, target, facts, run, depth, entry, now, fresh=fresh)
        if not ok:
            run.status = RunStatus.failed
            give_reason(run, kept_outcome(entry))
            break
    if decision.error and run.status != RunStatus.failed:
        run.status = RunStatus.failed
        give_reason(run, rules.Words(N_("Could not plan an action: {error}."), error=decision.error))
        failed = {"index": len(planned), "action": "", "text": str(decision.error), "args": {}}
        give_outcome(failed, "failed", decision.error)
        planned.append(failed)
    run.actions = planned
    run.finished_at = utcnow()
    return run

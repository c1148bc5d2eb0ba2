"""Worker tasks. Huey is only a doorbell: tasks take event ids and read the truth from the database.

A stage move, from drop to effect: the board's drop handler (`BoardState.move_card`) calls `jobs.move_job`, which writes the
move and a `job_moved` event in one transaction (`events.emit`); after the commit the process's
doorbell (`ring_doorbell`, set with `events.set_doorbell` where the process starts) queues
`handle_events`; the consumer runs it and hands the ids to the automations engine
(`engine.handle_events`), which runs each rule whose trigger matches and applies its actions
(`automation/actions.py`, e.g. `create_task`) in the transaction that marks the event handled.
"""
from __future__ import annotations

import logging
import threading

from huey import crontab
from sqlalchemy import select

from practice import warm_sandbox
from practice.db import optimize, read_session, write_session
from practice.models import MailStatus, OutgoingMail
from practice.services import events
from practice.services.automation import delays, engine, reminder_kinds, schedules
from practice.services.backups import schedule as backup_schedule
from practice.services.billing import recurring as recurring_invoices
from practice.services.chats import attachments as chat_attachments
from practice.services.chats import notices as chat_notices
from practice.services.mail import outbox
from practice.services.webhooks import delivery as webhooks
from practice.worker.huey_app import huey
from practice.worker.watcher import EventWatcher, watching

log = logging.getLogger(__name__)
_watcher_lock = threading.Lock()
_watcher: EventWatcher | None = None
# One thread of this process hands events to the automations at a time (the watcher, the doorbell tasks, the
# sweep): they all wait for the same write lock anyway, and two threads on the same pending events (the watcher's
# first look and the start-up sweep take all of them) would each fill in the same templates.
_handling = threading.RLock()


def _handle(event_ids: list[int]) -> int:
    with _handling:
        return engine.handle_events(event_ids)


def _mail_waiting() -> bool:
    with read_session() as session:
        return session.execute(select(OutgoingMail.id).where(OutgoingMail.status == MailStatus.queued).limit(1)).first() is not None


@huey.task()
def handle_events(event_ids: list[int]) -> int:
    """Handle the given events in order; returns how many it handled. Their mail is sent by the mailer."""
    done = _handle(event_ids)  # one bad event does not block the others; the sweep retries it
    if done and huey.immediate and _mail_waiting():
        # Immediate mode only (tests and the in-process browser harness, PRACTICE_HUEY_IMMEDIATE=1):
        # there is no consumer and no mailer process, so the mail the events queued is sent here,
        # in the caller's process. A real consumer never sends mail: the mailer does
        # (practice/worker/mailer.py), so a slow mail server cannot hold up the rules.
        outbox.deliver_due()
    if done and huey.immediate:
        webhooks.deliver_due()  # likewise the webhooks, which the mailer process sends in production
    return done


def ring_doorbell(event_ids: list[int]) -> None:
    """Tell the consumer that these committed events are ready: nothing to do when its watcher sees
    the database's commits itself (practice/worker/watcher.py), else a task in Huey's queue."""
    if huey.immediate or not watching():
        handle_events(list(event_ids))


@huey.on_startup()
def wire_doorbell() -> None:
    """Events this process commits ring the worker (in the consumer: the events rules' actions cause);
    the first worker thread to start also starts the process's event watcher."""
    global _watcher
    events.set_doorbell(ring_doorbell)
    warm_sandbox.start_in_background()  # the automations' templates are filled in there: no wait at the first
    with _watcher_lock:
        if _watcher is None and watching():
            _watcher = EventWatcher(_handle)
            _watcher.start()
            log.info("watching the database for new events")


@huey.on_shutdown()
def stop_watcher() -> None:
    """Each worker thread runs this as it stops; the first stops the watcher after the events in hand."""
    global _watcher
    with _watcher_lock:
        if _watcher is not None:
            _watcher.stop()
            _watcher = None


def sweep_pending_events(max_pages: int = 20) -> int:
    """Re-deliver events whose doorbell was lost (consumer killed, queue down), a page of 500 at a time."""
    done = 0
    for _ in range(max_pages):
        with read_session() as session:
            ids = events.pending_event_ids(session)
        handled = _handle(ids)  # a failing event stays pending; the next sweep retries it
        done += handled
        if len(ids) < 500 or not handled:  # the last page, or only failing events left
            break
    return done


def sweep_once() -> dict:
    """Everything the minute sweep does, in order; returns what it did (for logs and tests)."""
    done = {"events": sweep_pending_events()}
    # Each in one write transaction, with the templates they fill in (mails, reminders) rendered outside it.
    done["delayed"] = events.write_rendering_outside(delays.run_due_actions)
    done["schedules"] = events.write_rendering_outside(schedules.run_schedules)
    with write_session() as session:
        done["recurring_invoices"] = recurring_invoices.plan_due(session)  # each period's invoice: an event
    done["reminders"] = events.write_rendering_outside(reminder_kinds.send_due_reminders)
    done["chat_notices"] = events.write_rendering_outside(chat_notices.send_due_notices)
    with write_session() as session:
        done["unsent_chat_files"] = chat_attachments.sweep_unsent(session)  # chosen a day ago, never sent
    done["events"] += sweep_pending_events()  # what the schedules and delayed actions caused
    return done  # mail is sent by the mailer process, not here


@huey.periodic_task(crontab(minute="*"))
@huey.lock_task("sweep")
def sweep() -> None:
    """Every minute: pending events, delayed actions, schedules, recurring invoices, reminders, chat notices, unsent
    chat files."""
    done = sweep_once()
    if any(done.values()):
        log.info("sweep: %s", done)


@huey.periodic_task(crontab(minute="23", hour="*/3"))
@huey.lock_task("optimize")
def keep_statistics_current() -> None:
    """Every three hours: the query planner's statistics again where the data moved (`PRAGMA optimize`)."""
    optimize()


@huey.periodic_task(crontab(minute="41"))
@huey.lock_task("daily-backup")
def daily_backup() -> None:
    """Every hour: the firm's daily backup, when a day has passed since the last (Settings, owner only)."""
    backup_schedule.run_if_due()

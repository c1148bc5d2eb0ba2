"""Worker tasks. Huey is only a doorbell: tasks take event ids and read the truth from the database."""
from __future__ import annotations

import logging

from huey import crontab

from practice.db import read_session
from practice.services import events
from practice.worker.huey_app import huey

log = logging.getLogger(__name__)


@huey.task()
def handle_events(event_ids: list[int]) -> int:
    """Handle the given events in order; returns how many this call handled."""
    done = 0
    for event_id in event_ids:
        if events.handle_event(event_id):
            done += 1
    return done


def ring_doorbell(event_ids: list[int]) -> None:
    """Tell the consumer that these committed events are ready."""
    handle_events(list(event_ids))


def sweep_pending_events() -> int:
    """Re-deliver events whose doorbell was lost (consumer killed, queue down)."""
    with read_session() as session:
        ids = events.pending_event_ids(session)
    return sum(1 for event_id in ids if events.handle_event(event_id))


@huey.periodic_task(crontab(minute="*"))
@huey.lock_task("sweep")
def sweep() -> None:
    """Every minute: pick up anything pending."""
    n = sweep_pending_events()
    if n:
        log.info("sweep handled %d events", n)

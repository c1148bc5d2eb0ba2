"""Reminders for client-facing items: `... with reminders every N days up to M times`.

Each feature whose items can be reminded (organizers, proposals, invoices, signature and
approval requests, client tasks) plans them with `schedule` and keeps a `Remindable` adapter; the
sweep (`send_due`, given the table of adapters: services/automation/reminder_kinds.py) sends the
reminders that came due and stops them by itself once the item is complete, the job is archived,
or the count is reached. Each reminder is keyed, so a retried sweep never sends one twice.

The log of each item's reminders is kept as words (their English template and values, `rules.Words`) and told in
the reader's language when it is read (`told_log`); entries written before as plain English read as they were.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Mapping

from sqlalchemy import select
from sqlmodel import Session

import rules
from practice.i18n import N_, _
from practice.models import Due, Job, utcnow


@dataclass(frozen=True)
class Remindable:
    """How to ask about and remind one kind of item."""

    is_complete: Callable[[Session, int], bool]
    # Sends reminder number n (1-based); returns a sentence for the log (`rules.Words`, to be told in the reader's
    # language).
    remind: Callable[[Session, int, int], str]


def schedule(session: Session, *, kind: str, item_id: int, every: dt.timedelta, times: int, key: str,
             job_id: int | None = None, start: dt.datetime | None = None) -> Due | None:
    """Plan `times` reminders for an item, the first one `every` after `start` (default now)."""
    if times < 1 or every <= dt.timedelta(0):
        return None
    if session.execute(select(Due.id).where(Due.key == key)).first():
        return None
    due = Due(kind="reminder", key=key, due_at=(start or utcnow()) + every, job_id=job_id,
              payload={"item_kind": kind, "item_id": item_id, "every_seconds": every.total_seconds(),
                       "times": times, "sent": 0, "log": []})
    session.add(due)
    session.flush()
    return due


def _entry(words) -> dict | str:
    """A log entry: the words kept (told later in each reader's language), or plain text."""
    return rules.kept(words) or str(words)


def told_log(due: Due) -> list[str]:
    """The reminders' log of an item, in the reader's language."""
    return [rules.said(str(rules.Words.from_data(entry)) if isinstance(entry, dict) else entry,
                       entry if isinstance(entry, dict) else None, _) for entry in (due.payload or {}).get("log", [])]


def _stop(due: Due, payload: dict, why: rules.Words) -> None:
    payload["log"] = payload["log"] + [_entry(why)]
    due.payload = payload
    due.status = "done"


def send_due(session: Session, kinds: Mapping[str, Remindable], now: dt.datetime | None = None,
             limit: int = 500) -> int:
    """Send the reminders that came due, each through its kind's adapter in `kinds`; returns how many were sent."""
    now = now or utcnow()
    rows = list(session.execute(select(Due).where(Due.kind == "reminder", Due.status == "pending",
                                                  Due.due_at <= now).order_by(Due.due_at).limit(limit)).scalars())
    sent = 0
    for due in rows:
        payload = dict(due.payload)
        adapter = kinds.get(payload["item_kind"])
        if adapter is None:
            continue  # the feature is gone or not loaded in this process: leave it for later
        if due.job_id is not None:
            job = session.get(Job, due.job_id)
            if job is None or job.archived:
                _stop(due, payload, rules.Words(N_("Stopped: the job was archived.")))
                continue
        if adapter.is_complete(session, payload["item_id"]):
            _stop(due, payload, rules.Words(N_("Stopped: the client completed it.")))
            continue
        n = payload["sent"] + 1
        note = adapter.remind(session, payload["item_id"], n)
        payload["sent"] = n
        payload["log"] = payload["log"] + [_entry(rules.Words(N_("Reminder {n} of {times}: {note}"), n=n,
                                                              times=payload["times"], note=note))]
        due.payload = payload
        if n >= payload["times"]:
            due.status = "done"
        else:
            due.due_at = due.due_at + dt.timedelta(seconds=payload["every_seconds"])
        sent += 1
    return sent

"""The outbox: an event row written in the same transaction as the change, then a doorbell.

The worker only learns "event N is ready"; the event itself lives in the database, so a lost
doorbell is picked up by the periodic sweep. Whoever starts a process sets its doorbell
(`set_doorbell`: the web app, the drive, the command line, the worker, the tests); the worker
hands claimed events to a handler (`handle_batch(ids, handler, ...)`: the automations engine).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import time
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Callable, TypeVar

from sqlalchemy import bindparam, event as sa_event, func, insert, or_, update
from sqlmodel import Session, select

from practice.db import driver_connection, rehearsal_session, write_session
from practice.models import Event, EventStatus, stored_moment, utcnow
from practice.services import stage_items
from practice.services.actor import Actor
from practice.services.errors import PracticeError
from practice.warm_sandbox import RenderOutside, answers_kept, render_kept, renders_outside

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=2)
# What handles one claimed event, inside the transaction that marks it handled.
Handler = Callable[[Session, Event], None]
# Handles claimed events (`Claimed`) in order, several at once; gives back to `slow` (one by one) those it does not take.
ManyHandler = Callable[[Session, list, Callable], int]
_doorbell: Callable[[list[int]], None] | None = None


def set_doorbell(ring: Callable[[list[int]], None] | None) -> None:
    """Choose how this process announces committed events (`practice.worker.tasks.ring_doorbell` rings
    the worker); None: no doorbell, the worker's minute sweep finds them."""
    global _doorbell
    _doorbell = ring


def _ring(ids: list[int]) -> None:
    ring = _doorbell
    if ring is None:
        return  # the sweep picks them up
    try:
        ring(ids)
    except Exception:  # the sweep re-delivers; a doorbell failure must never fail the user's save
        log.warning("doorbell failed for events %s; the sweep will pick them up", ids[:5])


def _after_commit(session: Session) -> None:
    # Releasing a savepoint also reports a commit; only the outermost commit makes events visible.
    if session.in_nested_transaction():
        return
    ids = session.info.pop("practice_events", [])
    if ids:
        _ring(ids)


def remember(session: Session, ids: list[int]) -> None:
    pending = session.info.setdefault("practice_events", [])
    if not pending and not sa_event.contains(session, "after_commit", _after_commit):
        sa_event.listen(session, "after_commit", _after_commit)
    pending.extend(ids)


def emit(session: Session, actor: Actor, kind: str, *, job_id: int | None = None,
         account_id: int | None = None, payload: dict | None = None) -> Event:
    """Add an event row to the caller's transaction; the doorbell rings after it commits."""
    payload = dict(payload or {})
    if session.info.get("practice_depth"):
        # Set while automations act: events their actions cause carry how deep the chain is.
        payload["depth"] = session.info["practice_depth"]
    ev = Event(kind=kind, job_id=job_id, account_id=account_id, actor_id=actor.member_id, payload=payload)
    session.add(ev)
    session.flush()
    remember(session, [ev.id])
    if job_id and kind in stage_items.COMPLETION_KINDS:
        check_stage_items(session, actor, job_id, contact_id=payload.get("contact_id"))
    return ev


def check_stage_items(session: Session, actor: Actor, job_id: int | None, *, contact_id: int | None = None) -> bool:
    """Emit `stage_items_completed` for the job if its stage's items are now all complete (once per stay)."""
    job = stage_items.job_to_move_on(session, job_id)
    if job is None:
        return False
    payload = {"contact_id": contact_id} if contact_id else {}
    emit(session, actor, stage_items.EVENT, job_id=job.id, account_id=job.account_id, payload=payload)
    return True


def emit_many(session: Session, actor: Actor, rows: list[dict]) -> list[int]:
    """Bulk form of `emit` (dicts with kind, job_id, account_id, payload) for bulk moves."""
    if not rows:
        return []
    now = utcnow()
    depth = session.info.get("practice_depth")
    values = [{"kind": r["kind"], "job_id": r.get("job_id"), "account_id": r.get("account_id"),
               "actor_id": actor.member_id,
               "payload": dict(r.get("payload", {}), depth=depth) if depth else r.get("payload", {}), "status": EventStatus.pending,
               "attempts": 0, "created_at": now} for r in rows]
    result = session.execute(insert(Event).returning(Event.id), values)
    ids = [row[0] for row in result]
    remember(session, ids)
    return ids


def _handle_in(session: Session, event_id: int, handler: Handler) -> bool:
    ev = session.exec(select(Event).where(Event.id == event_id).with_for_update(skip_locked=True)).first()
    if ev is None or ev.status != EventStatus.pending:
        return False
    ev.attempts += 1
    handler(session, ev)
    ev.status = EventStatus.handled
    ev.handled_at = utcnow()
    ev.lease_until = None
    return True


def handle_event(event_id: int, handler: Handler) -> bool:
    """Process one event in one write transaction: the handler's effects and the 'handled' mark commit
    together, so a worker killed half-way leaves the event pending, with nothing done. True if
    this call handled it."""
    with write_session() as session:
        return _handle_in(session, event_id, handler)


# A batch holds SQLite's write lock, so it is cut short: people's saves wait for at most this long.
BATCH_MAX_EVENTS = 100
BATCH_MAX_SECONDS = 0.2
# Events read and handed to a batch handler at once (the rest of the batch's time limit applies between).
CHUNK_EVENTS = 25


# An event whose handling keeps failing is tried again later, each time after a longer wait (1, 4, 16 minutes),
# and set aside as failed at the MAX_ATTEMPTS-th failure: a template that always fails costs a few tries, never
# one every minute for ever.
MAX_ATTEMPTS = 4
RETRY_AFTER = dt.timedelta(minutes=1)
# Told when an event is set aside (the automations engine tells the admins in Inbox+): (session, event, why).
Parked = Callable[[Session, Event, str], None]


def _handle_one(session: Session, event_id: int, handler: Handler, parked: Parked | None = None) -> int:
    """One event in its own savepoint: its effects and its mark commit together or not at all."""
    try:
        with session.begin_nested():
            return int(_handle_in(session, event_id, handler))
    except Exception as err:  # rolled back alone; tried again later, then set aside
        log.exception("event %s failed", event_id)
        record_failure(session, event_id, failure_reason(err), parked)
        return 0


def failure_reason(err: BaseException) -> str:
    """A failure in words: a service's sentence as it is, anything else named by its kind."""
    if isinstance(err, PracticeError):
        text = " ".join(str(err).split())[:300]
        if text:
            return text
    # A database error says it in its driver's words; the statement and its values that follow are no reason.
    err = getattr(err, "orig", None) or err
    text = " ".join(str(err).split())[:300]
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def record_failure(session: Session, event_id: int, reason: str, parked: Parked | None = None) -> None:
    """Count a failed try of a pending event: wait longer before the next, or set it aside after MAX_ATTEMPTS
    (then `parked` is told, once)."""
    try:
        with session.begin_nested():
            ev = session.get(Event, event_id)
            if ev is None or ev.status != EventStatus.pending:
                return
            ev.attempts += 1
            ev.last_error = reason[:1000]
            if ev.attempts < MAX_ATTEMPTS:
                ev.lease_until = utcnow() + RETRY_AFTER * 4 ** (ev.attempts - 1)
                return
            ev.status, ev.lease_until, ev.handled_at = EventStatus.failed, None, utcnow()
            if parked is not None:
                parked(session, ev, reason)
    except Exception:  # noqa: BLE001 - the next sweep tries again; nothing else to do here
        log.exception("could not record the failure of event %s", event_id)


# The worker's two statements per batch, built once: building a statement costs about as much as running it.
_MARK_HANDLED = update(Event.__table__).where(Event.id.in_(bindparam("ids", expanding=True))).values(
    status=EventStatus.handled, attempts=Event.attempts + 1, handled_at=bindparam("now"), lease_until=None)
# On PostgreSQL the claimed rows are locked, skipping those another worker holds (it is handling them); SQLite has
# no row locks (its one writer at a time is the claim) and SQLAlchemy leaves the clause out there.
_PENDING_IN = select(Event).where(Event.id.in_(bindparam("ids", expanding=True)), Event.status == EventStatus.pending
                                  ).with_for_update(skip_locked=True)
# The same two on SQLite as plain SQL on the driver's connection (the status column holds the enum's name).
_MARK_HANDLED_SQL = ("UPDATE event SET status = 'handled', attempts = attempts + 1, handled_at = ?, lease_until = NULL "
                     "WHERE id IN ({})")
_PENDING_IN_SQL = "SELECT id, kind, job_id, account_id, payload FROM event WHERE status = 'pending' AND id IN ({})"


@dataclass(slots=True)
class Claimed:
    """A pending event as a batch handler reads it (the fields `triggers.rule_events` and the bulk path use)."""

    id: int
    kind: str
    job_id: int | None
    account_id: int | None
    payload: dict


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def mark_handled(session: Session, ids: list[int]) -> None:
    """Mark claimed events handled in one statement (a batch handler's events, with their effects).
    A Core statement: the events' objects in the session are not read again after it."""
    if not ids:
        return
    driver = driver_connection(session)
    if driver is not None:
        driver.execute(_MARK_HANDLED_SQL.format(_marks(len(ids))), (stored_moment(utcnow()), *ids))
    else:
        session.connection().execute(_MARK_HANDLED, {"ids": ids, "now": utcnow()})


def _claim(session: Session, chunk: list[int]) -> list[Claimed]:
    """The chunk's events still pending, in the chunk's order."""
    driver = driver_connection(session)
    if driver is not None:
        rows = [Claimed(i, kind, job, account, json.loads(payload) if payload else {}) for i, kind, job, account, payload
                in driver.execute(_PENDING_IN_SQL.format(_marks(len(chunk))), chunk)]
    else:
        rows = [Claimed(ev.id, ev.kind, ev.job_id, ev.account_id, ev.payload or {})
                for ev in session.exec(_PENDING_IN, params={"ids": chunk})]
    order = {event_id: n for n, event_id in enumerate(chunk)}
    return sorted(rows, key=lambda ev: order[ev.id])


def _handle_chunk(session: Session, chunk: list[int], handler: Handler, handle_many: ManyHandler | None,
                  parked: Parked | None = None, collect: list[RenderOutside] | None = None) -> int:
    def one(event_id: int) -> int:
        if collect is None:
            return _handle_one(session, event_id, handler, parked)
        try:
            return _handle_one(session, event_id, handler, parked)
        except RenderOutside as wanted:  # a rehearsal: note the render, go on with the next event
            collect.append(wanted)
            if len(collect) >= REHEARSED_RENDERS:
                raise _Enough() from None
            return 0

    if handle_many is None:
        return sum(one(event_id) for event_id in chunk)
    evs = _claim(session, chunk)
    # `handle_many` writes the effects of the events it can take together and marks them with
    # `mark_handled` in one savepoint; it hands the others to `_handle_one`, in order.
    try:
        return handle_many(session, evs, lambda ev: one(ev.id))
    except RenderOutside as wanted:  # the events before the one that wants a render are done; they commit
        wanted.handled = session.connection().execute(_HANDLED_OF, {"ids": [ev.id for ev in evs]}).scalar_one()
        raise


_HANDLED_OF = select(func.count()).select_from(Event).where(Event.id.in_(bindparam("ids", expanding=True)),
                                                            Event.status == EventStatus.handled)
# A rehearsal stops once it has found this many renders (two rounds of the sandbox's two children): the events
# before them then commit soon, so a worker stopped or killed often still gets work done.
REHEARSED_RENDERS = 4


class _Enough(BaseException):
    """The rehearsal found enough renders for now."""


# A batch may go this many times through a rehearsal and its renders with no event handled in between; after that
# its next transaction renders inside (a template whose request differs at every try must still end).
MAX_RENDER_ROUNDS = 10


def _transaction(session: Session, ids: list[int], position: int, step: int, handler: Handler,
                 handle_many: ManyHandler | None, parked: Parked | None,
                 collect: list[RenderOutside] | None = None) -> tuple[int, int, RenderOutside | None]:
    """The events from `position` on, within one transaction's limits: (the position reached, how many were
    handled, the render that stopped it or None)."""
    started, taken, done = time.monotonic(), 0, 0
    while position < len(ids) and taken < BATCH_MAX_EVENTS and (
            time.monotonic() - started < BATCH_MAX_SECONDS or not taken):
        chunk = ids[position:position + min(step, BATCH_MAX_EVENTS - taken)]
        try:
            done += _handle_chunk(session, chunk, handler, handle_many, parked, collect)
        except RenderOutside as wanted:  # the chunk is tried again from its start; what it handled commits
            return position, done + wanted.handled, wanted
        position += len(chunk)
        taken += len(chunk)
    return position, done, None


def _render_ahead(ids: list[int], position: int, step: int, handler: Handler, handle_many: ManyHandler | None,
                  parked: Parked | None, first: RenderOutside) -> None:
    """Rehearse the next transaction (rolled back whatever happens), collecting every render its events ask for,
    then fill them all in, outside any transaction: the next transaction finds their answers kept."""
    collect = [first]
    try:
        with rehearsal_session() as session, renders_outside():
            _transaction(session, ids, position, step, handler, handle_many, parked, collect)
    except _Enough:
        pass
    render_kept(collect)


def handle_batch(event_ids: list[int], handler: Handler, handle_many: ManyHandler | None = None,
                 parked: Parked | None = None) -> int:
    """Process events in order, several per write transaction (one commit, one disk sync, for up to
    BATCH_MAX_EVENTS events or BATCH_MAX_SECONDS). Each event's effects and its 'handled' mark
    commit together or not at all (a savepoint per event, or per group a batch handler writes at
    once), so a worker killed half-way leaves the batch's events pending with nothing done, and an
    event whose handler fails is rolled back alone and tried again later by the sweep, after a longer wait
    each time, then set aside as failed after MAX_ATTEMPTS (`parked` is told). `handle_many`,
    when given, takes CHUNK_EVENTS events at a time (else `handler`, one by one). Returns how
    many it handled.

    No template is filled in while the write lock is held (a render waits for a child process: seconds on a
    busy machine, while every save waits): at the first event that needs one, the transaction commits the
    events before it; a rehearsal of the next ones (rolled back) collects the renders they need (up to
    REHEARSED_RENDERS), these run, and the next transaction finds their answers kept
    (`practice.warm_sandbox.RenderOutside`)."""
    ids = list(event_ids)
    done = position = rounds = 0
    step = CHUNK_EVENTS if handle_many is not None else 1
    with answers_kept():
        while position < len(ids):
            with write_session() as session, renders_outside() if rounds < MAX_RENDER_ROUNDS else nullcontext():
                position, handled, wanted = _transaction(session, ids, position, step, handler, handle_many, parked)
            done += handled
            if wanted is not None:
                _render_ahead(ids, position, step, handler, handle_many, parked, wanted)
            rounds = 0 if handled or wanted is None else rounds + 1
    return done


T = TypeVar("T")
# The sweep's other work (delayed actions, schedules, reminders, chat notices) goes this many times through a
# render outside the lock and a new start; what is left after that is rendered inside, so the work always ends.
MAX_WRITE_RENDER_ROUNDS = 30


def write_rendering_outside(work: Callable[[Session], T]) -> T:
    """`work(session)` in one write transaction, with no template filled in while the write lock is held: at the
    first render it needs, the transaction rolls back (nothing of it is kept), the render runs with no transaction
    open (a mail's subject and body together), and the work starts again, finding the answers kept. A round costs
    the work done before that render again; after MAX_WRITE_RENDER_ROUNDS, the rest renders inside."""
    with answers_kept():
        rounds = 0
        while True:
            try:
                with write_session() as session, (
                        renders_outside() if rounds < MAX_WRITE_RENDER_ROUNDS else nullcontext()):
                    return work(session)
            except RenderOutside as wanted:
                wanted.render()
                rounds += 1


def pending_event_ids(session: Session, limit: int = 500) -> list[int]:
    """Events the sweep should (re)deliver: pending and not leased, or whose lease expired."""
    now = utcnow()
    return list(session.exec(select(Event.id).where(
        Event.status == EventStatus.pending, or_(Event.lease_until.is_(None), Event.lease_until < now))
        .order_by(Event.id).limit(limit)))

"""Sending webhooks: the events' outbox read into deliveries, each sent outside any transaction, retried with
backoff, the subscription set aside (and its owner told in Inbox+) after repeated failures.

Exactly once per event and subscription: the fan-out adds one delivery per (subscription, event) (a unique
constraint), with its webhook-id. Sending is at-least-once: a delivery is leased while its request runs; if the
sender dies, or the receiver answers after the timeout, it is sent again with the same webhook-id, so a receiver
that keeps the ids it has seen takes each event once (Standard Webhooks). No request waits while a write transaction
is open: claiming, then the request, then the outcome, each on its own.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import rules
from sqlalchemy import or_, update
from sqlmodel import Session, select
from standardwebhooks import Webhook

from practice import routes
from practice.db import read_session, write_session
from practice.i18n import N_, _
from practice.models import (DeliveryStatus, Event, TeamMember, WebhookDelivery, WebhookSubscription, utcnow)
from practice.services import inbox
from practice.services.webhooks import addresses
from practice.services.webhooks.subscriptions import get_settings

log = logging.getLogger(__name__)

# Waits between the attempts of one delivery; after the last it has failed for good.
BACKOFF = [dt.timedelta(seconds=s) for s in (10, 60, 300, 1800, 7200)]
# Deliveries in a row that failed for good before the subscription is turned off (its owner is told).
DISABLE_AFTER = 5
# The receiver has this long to answer; a delivery is leased for longer, so it is never sent twice at once.
TIMEOUT_S = 10.0
LEASE = dt.timedelta(seconds=60)
# Events read per fan-out, and how far back each fan-out looks again (a transaction that took an id first may
# commit after a later one on PostgreSQL; the unique constraint keeps the second look from adding twice).
FAN_OUT_EVENTS = 500
LOOK_BACK = 200
WORKERS = 4
# Inbox+ notice of a webhook turned off: outside inbox.KINDS, so nobody can turn it off.
DISABLED_KIND = "webhook_disabled"
USER_AGENT = "practice-webhooks/1"


def payload_of(event: Event) -> dict:
    """What the receiver gets (Standard Webhooks' type, timestamp and data)."""
    data = {k: v for k, v in (event.payload or {}).items() if k != "depth"}
    data.update(event_id=event.id, job_id=event.job_id, account_id=event.account_id)
    return {"type": event.kind, "timestamp": event.created_at.isoformat().replace("+00:00", "Z"), "data": data}


def fan_out(limit: int = FAN_OUT_EVENTS) -> int:
    """Add the deliveries of the events committed since the last fan-out; returns how many it added."""
    with write_session() as session:
        settings = get_settings(session)
        subs = list(session.exec(select(WebhookSubscription).where(WebhookSubscription.enabled == True)))  # noqa: E712
        if not subs:
            return 0
        # Events before every subscription's first are of no use: a new subscription skips the old events at once.
        start = max(0, settings.last_event_id - LOOK_BACK, min(sub.after_event_id for sub in subs))
        evs = list(session.exec(select(Event).where(Event.id > start).order_by(Event.id).limit(limit)))
        if not evs:
            return 0
        settings.last_event_id = max(settings.last_event_id, evs[-1].id)
        wanted = [(sub, ev) for ev in evs for sub in subs if ev.kind in (sub.kinds or []) and ev.id > sub.after_event_id]
        if not wanted:
            return 0
        have = set(session.exec(select(WebhookDelivery.subscription_id, WebhookDelivery.event_id).where(
            WebhookDelivery.event_id.in_([ev.id for _, ev in wanted]))).all())
        added = 0
        for sub, ev in wanted:
            if (sub.id, ev.id) in have:
                continue
            session.add(WebhookDelivery(subscription_id=sub.id, event_id=ev.id, key=f"msg_{sub.id}_{ev.id}",
                                        kind=ev.kind, payload=payload_of(ev)))
            added += 1
        return added


def claim_due(limit: int = 50) -> list[int]:
    """Lease the deliveries that are due (of subscriptions that are on); returns their ids."""
    now = utcnow()
    with write_session() as session:
        ids = list(session.exec(
            select(WebhookDelivery.id).join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .where(WebhookSubscription.enabled == True,  # noqa: E712
                   or_(WebhookDelivery.status == DeliveryStatus.queued,
                       (WebhookDelivery.status == DeliveryStatus.sending) & (WebhookDelivery.lease_until < now)),
                   WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.id).limit(limit)))
        if ids:
            session.execute(update(WebhookDelivery).where(WebhookDelivery.id.in_(ids))
                            .values(status=DeliveryStatus.sending, lease_until=now + LEASE))
    return ids


@dataclass
class Answer:
    code: int | None
    sentence: str

    @property
    def ok(self) -> bool:
        return self.code is not None and 200 <= self.code < 300


def send(url: str, secret: str, key: str, body: str, *, allow_private: bool, timeout: float | None = None) -> Answer:
    """POST one signed delivery; the receiver's answer (or why there is none) in a sentence."""
    timeout = TIMEOUT_S if timeout is None else timeout
    moment = dt.datetime.now(dt.timezone.utc)
    headers = {"content-type": "application/json", "user-agent": USER_AGENT, "webhook-id": key,
               "webhook-timestamp": str(int(moment.timestamp())),
               "webhook-signature": Webhook(secret).sign(key, moment, body)}
    try:
        conn, path = addresses.connection(url, allow_private=allow_private, timeout=timeout)
    except addresses.Refused as refused:
        return Answer(None, str(refused))
    try:
        conn.request("POST", path, body=body.encode(), headers=headers)
        response = conn.getresponse()
        response.read(10_000)
        code = response.status
    except TimeoutError:
        return Answer(None, inbox.said(N_("The receiver did not answer within {n} seconds."), n=int(timeout)))
    except OSError as err:
        return Answer(None, inbox.said(N_("The receiver could not be reached ({why})."),
                                       why=err.strerror or type(err).__name__))
    except Exception as err:  # noqa: BLE001 - a broken answer is a failed try like any other
        return Answer(None, inbox.said(N_("The receiver's answer could not be read ({why})."), why=type(err).__name__))
    finally:
        conn.close()
    if 200 <= code < 300:
        return Answer(code, inbox.said(N_("Delivered (HTTP {code})."), code=code))
    return Answer(code, inbox.said(N_("The receiver answered HTTP {code}."), code=code))


def attempt(delivery_id: int) -> bool:
    """Try one leased delivery once, outside any transaction, and record the outcome; True when delivered."""
    with read_session() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        sub = session.get(WebhookSubscription, delivery.subscription_id) if delivery else None
        allow = get_settings(session).allow_private_addresses if sub else False
    if delivery is None or sub is None or delivery.status != DeliveryStatus.sending:
        return False
    answer = send(sub.url, sub.secret, delivery.key, json.dumps(delivery.payload, separators=(",", ":")),
                  allow_private=allow)
    record(delivery_id, answer)
    return answer.ok


def record(delivery_id: int, answer: Answer) -> None:
    """Write an attempt's outcome: delivered, tried again later, or failed for good (then the subscription's
    failures in a row grow, and at DISABLE_AFTER it is turned off and its owner told)."""
    with write_session() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.status != DeliveryStatus.sending:
            return
        sub = session.get(WebhookSubscription, delivery.subscription_id)
        delivery.attempts += 1
        delivery.lease_until, delivery.last_code, delivery.last_answer = (
            None, answer.code, rules.told(answer.sentence, _)[:500])
        if answer.ok:
            delivery.status, delivery.delivered_at = DeliveryStatus.delivered, utcnow()
            sub.failures = 0
            return
        if delivery.attempts <= len(BACKOFF):
            delivery.status = DeliveryStatus.queued
            delivery.next_attempt_at = utcnow() + BACKOFF[delivery.attempts - 1]
            return
        delivery.status = DeliveryStatus.failed
        sub.failures += 1
        if sub.failures >= DISABLE_AFTER and sub.enabled:
            _turn_off(session, sub, answer.sentence)


def _turn_off(session: Session, sub: WebhookSubscription, why) -> None:
    """Turn the webhook off and tell its owner (else the admins), in their language whenever they read it (`why` is
    the last answer's sentence, kept as its template and values)."""
    sub.enabled = False
    sub.disabled_reason = rules.told(why, _)[:500]
    owner = session.get(TeamMember, sub.owner_id)
    told = [owner.id] if owner and owner.active else inbox.staff_for(session, account_id=None)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S.%f")
    text = inbox.said(N_("The webhook to {url} was turned off after {n} deliveries in a row failed: {why}"),
                      url=sub.url, n=sub.failures, why=why)
    for member_id in told:
        inbox.notify(session, member_id=member_id, kind=DISABLED_KIND, text=text, link=routes.WEBHOOKS,
                     key=f"webhook-off:{sub.id}:{stamp}:{member_id}")


def deliver_due(limit: int = 50) -> int:
    """Fan out new events, then send the due deliveries, several at a time, and wait for them; returns how many
    were delivered."""
    with read_session() as session:
        if session.exec(select(WebhookSubscription.id).where(WebhookSubscription.enabled == True)).first() is None:  # noqa: E712
            return 0  # nothing to send, and no write for it
    fan_out()
    ids = claim_due(limit)
    if not ids:
        return 0
    with ThreadPoolExecutor(min(len(ids), WORKERS), thread_name_prefix="webhook") as pool:
        return sum(pool.map(attempt, ids))

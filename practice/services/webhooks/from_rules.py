"""The rules' `send webhook "URL"`: the rule's event, signed, to the address, through the same deliveries as the
subscriptions (retried with backoff, logged, replayable, turned off after repeated failures).

Each address the rules send to has a subscription of its own, made at the first webhook (`from_rules`, hearing no
events by itself): its signing secret, its log, pause and resume are on Settings → Webhooks like any other. The
delivery is added in the rule's own transaction under the action's idempotency key, so a rule run once sends once;
the mailer process sends it after the commit."""
from __future__ import annotations

import hashlib

from sqlmodel import Session, select

from practice.i18n import _
from practice.models import Event, Role, TeamMember, WebhookDelivery, WebhookSubscription, utcnow
from practice.services import audit
from practice.services.actor import Actor
from practice.services.errors import Conflict
from practice.services.webhooks.addresses import check_url
from practice.services.webhooks.delivery import payload_of
from practice.services.webhooks.subscriptions import get_settings, new_secret, newest_event

# session.info key: the ids of the rules' subscriptions made in this transaction (saving the rules tells of them).
MADE = "practice_rule_webhooks_made"


def _owner_id(session: Session) -> int:
    """Who is told if the address keeps failing: the firm's first owner (then its first admin)."""
    for role in (Role.owner, Role.admin):
        member_id = session.exec(select(TeamMember.id).where(TeamMember.role == role, TeamMember.active == True)  # noqa: E712
                                 .order_by(TeamMember.id)).first()
        if member_id is not None:
            return member_id
    raise Conflict(_("The firm has no owner or admin to look after its webhooks."))


def subscription_for(session: Session, actor: Actor, url: str) -> WebhookSubscription:
    """The rules' subscription for `url` (made, with its secret, the first time). The address must be one the firm
    allows (https://, public, unless private addresses are allowed): InvalidInput with a sentence otherwise."""
    url = check_url(url, allow_private=get_settings(session).allow_private_addresses)
    sub = session.exec(select(WebhookSubscription).where(WebhookSubscription.from_rules == True,  # noqa: E712
                                                         WebhookSubscription.url == url)).first()
    if sub is None:
        sub = WebhookSubscription(owner_id=_owner_id(session), url=url, kinds=[], secret=new_secret(),
                                  after_event_id=newest_event(session), from_rules=True)
        session.add(sub)
        session.flush()
        session.info.setdefault(MADE, set()).add(sub.id)
        audit.record(session, actor, "create", "webhook", sub.id, f"Added a webhook to {url} for the rules",
                     entity_label=url)
    return sub


def webhook_id(action_key: str) -> str:
    """The webhook-id of a rule action's delivery: the same for the same rule, event and action, always."""
    return "msg_rule_" + hashlib.sha256(action_key.encode()).hexdigest()[:32]


def send(session: Session, actor: Actor, *, url: str, action_key: str, rule: str, event_id: int | None,
         job_id: int | None, account_id: int | None) -> tuple[bool, str]:
    """Queue the rule's webhook (in the caller's transaction): whether it was queued (not when its address is
    paused), and the address as kept."""
    sub = subscription_for(session, actor, url)
    if not sub.enabled:
        return False, sub.url
    event = session.get(Event, event_id) if event_id else None
    if event is not None:
        payload = payload_of(event)
    else:
        payload = {"type": "schedule", "timestamp": utcnow().isoformat().replace("+00:00", "Z"), "data": {}}
    payload["data"].update(rule=rule, job_id=job_id, account_id=account_id)
    key = webhook_id(action_key)
    if session.exec(select(WebhookDelivery.id).where(WebhookDelivery.key == key)).first() is None:
        session.add(WebhookDelivery(subscription_id=sub.id, event_id=event_id or 0, key=key, kind=payload["type"],
                                    payload=payload))
    return True, sub.url

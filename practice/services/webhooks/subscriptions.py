"""Webhook subscriptions (owners and admins): an address, the kinds of events it hears about, its signing secret,
on or off; the firm's webhook settings; the deliveries' log and replay."""
from __future__ import annotations

import base64
import secrets

from sqlalchemy import func
from sqlmodel import Session, select

from practice.i18n import N_, _
from practice.models import (DeliveryStatus, Event, WebhookDelivery, WebhookSettings, WebhookSubscription, utcnow)
from practice.services import audit
from practice.services.actor import Actor, require_admin
from practice.services.errors import Conflict, InvalidInput, NotFound
from practice.services.webhooks.addresses import check_url

# The kinds of events a subscription may choose, as the firm reads them.
KINDS = {
    "job_created": N_("A job was created"),
    "job_moved": N_("A job moved to another stage"),
    "job_archived": N_("A job was archived"),
    "tag_added": N_("A tag was added"),
    "document_uploaded": N_("A client uploaded a document"),
    "message_received": N_("A client sent a message"),
    "client_tasks_completed": N_("A client completed their tasks"),
    "client_request_completed": N_("A client request was completed"),
    "organizer_submitted": N_("A client submitted an organizer"),
    "proposal_signed": N_("A proposal was signed"),
    "invoice_paid": N_("An invoice was paid in full"),
    "signature_signed": N_("A signer signed a document"),
    "signature_completed": N_("A document was signed by everyone"),
    "signature_declined": N_("A signer declined to sign"),
}
MAX_SUBSCRIPTIONS = 50


def new_secret() -> str:
    """A Standard Webhooks secret: "whsec_" and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def get_settings(session: Session) -> WebhookSettings:
    row = session.exec(select(WebhookSettings)).first()
    if row is None:
        row = WebhookSettings()
        session.add(row)
        session.flush()
    return row


def set_allow_private(session: Session, actor: Actor, allow: bool) -> WebhookSettings:
    """Allow (or not) webhooks to private addresses and plain http:// (this machine, the office's network)."""
    require_admin(actor)
    row = get_settings(session)
    if row.allow_private_addresses != bool(allow):
        row.allow_private_addresses = bool(allow)
        audit.record(session, actor, "update", "webhook_settings", None,
                     "Allowed webhooks to private addresses" if allow else "Refused webhooks to private addresses")
    return row


def _kinds(kinds) -> list[str]:
    chosen = sorted({k for k in (kinds or []) if k})
    unknown = [k for k in chosen if k not in KINDS]
    if unknown:
        raise InvalidInput(_("These events are not known: {kinds}.").format(kinds=", ".join(unknown)), field="kinds")
    if not chosen:
        raise InvalidInput(_("Choose at least one kind of event to send."), field="kinds")
    return chosen


def newest_event(session: Session) -> int:
    return session.exec(select(func.max(Event.id))).one() or 0


def create(session: Session, actor: Actor, *, url: str, kinds) -> WebhookSubscription:
    """A new subscription, on; it hears about events from now on. Its secret is shown on the settings page."""
    require_admin(actor)
    if session.exec(select(func.count()).select_from(WebhookSubscription)).one() >= MAX_SUBSCRIPTIONS:
        raise Conflict(_("The firm has {n} webhooks, the most it can have; delete one first.").format(
            n=MAX_SUBSCRIPTIONS))
    allow = get_settings(session).allow_private_addresses
    sub = WebhookSubscription(owner_id=actor.member_id, url=check_url(url, allow_private=allow), kinds=_kinds(kinds),
                              secret=new_secret(), after_event_id=newest_event(session))
    session.add(sub)
    session.flush()
    audit.record(session, actor, "create", "webhook", sub.id, f"Added a webhook to {sub.url}", entity_label=sub.url)
    return sub


def get(session: Session, actor: Actor, subscription_id: int) -> WebhookSubscription:
    require_admin(actor)
    sub = session.get(WebhookSubscription, subscription_id)
    if sub is None:
        raise NotFound(_("That webhook no longer exists."))
    return sub


def update(session: Session, actor: Actor, subscription_id: int, *, url: str | None = None, kinds=None,
           enabled: bool | None = None) -> WebhookSubscription:
    """Change the address, the events or on/off. Turning it back on forgets its failures; events that happened
    while it was off are not sent."""
    sub = get(session, actor, subscription_id)
    if url is not None and url.strip() != sub.url:
        sub.url = check_url(url, allow_private=get_settings(session).allow_private_addresses)
    if kinds is not None:
        sub.kinds = _kinds(kinds)
    if enabled is not None and bool(enabled) != sub.enabled:
        sub.enabled = bool(enabled)
        if sub.enabled:
            sub.failures, sub.disabled_reason, sub.after_event_id = 0, "", newest_event(session)
    audit.record(session, actor, "update", "webhook", sub.id, f"Changed the webhook to {sub.url}",
                 entity_label=sub.url)
    return sub


def new_secret_for(session: Session, actor: Actor, subscription_id: int) -> WebhookSubscription:
    """A new signing secret (the old one stops at once: the receiver needs the new one)."""
    sub = get(session, actor, subscription_id)
    sub.secret = new_secret()
    audit.record(session, actor, "update", "webhook", sub.id, f"New secret for the webhook to {sub.url}",
                 entity_label=sub.url)
    return sub


def delete(session: Session, actor: Actor, subscription_id: int) -> None:
    """Delete a subscription and its deliveries' log."""
    sub = get(session, actor, subscription_id)
    for delivery in session.exec(select(WebhookDelivery).where(WebhookDelivery.subscription_id == sub.id)):
        session.delete(delivery)
    audit.record(session, actor, "delete", "webhook", sub.id, f"Deleted the webhook to {sub.url}",
                 entity_label=sub.url)
    session.flush()
    session.delete(sub)


def list_subscriptions(session: Session, actor: Actor) -> list[WebhookSubscription]:
    require_admin(actor)
    return list(session.exec(select(WebhookSubscription).order_by(WebhookSubscription.id)))


def list_deliveries(session: Session, actor: Actor, subscription_id: int, *, before_id: int | None = None,
                    limit: int = 50) -> list[WebhookDelivery]:
    """A subscription's deliveries, newest first; page with before_id."""
    get(session, actor, subscription_id)
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    if before_id:
        query = query.where(WebhookDelivery.id < before_id)
    return list(session.exec(query.order_by(WebhookDelivery.id.desc()).limit(max(1, min(limit, 500)))))


def replay(session: Session, actor: Actor, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again, now, with the same webhook-id (the receiver can tell it already has it)."""
    require_admin(actor)
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFound(_("That delivery no longer exists."))
    sub = session.get(WebhookSubscription, delivery.subscription_id)
    if sub is None or not sub.enabled:
        raise Conflict(_("Turn the webhook on before sending it again."))
    if delivery.status in (DeliveryStatus.queued, DeliveryStatus.sending):
        raise Conflict(_("That delivery is already waiting to be sent."))
    delivery.status, delivery.next_attempt_at, delivery.attempts = DeliveryStatus.queued, utcnow(), 0
    delivery.lease_until = None
    audit.record(session, actor, "replay", "webhook", sub.id, f"Sent delivery {delivery.key} again to {sub.url}",
                 entity_label=sub.url)
    return delivery

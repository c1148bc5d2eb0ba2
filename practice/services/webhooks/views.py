"""What Settings → Webhooks shows (owners and admins): each subscription in words, its delivery log, and what
deleting one would stop."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from practice.i18n import _, ngettext
from practice.models import DeliveryStatus, WebhookDelivery
from practice.services import firm
from practice.services.actor import Actor, require_admin
from practice.services.formatting import format_datetime
from practice.services.webhooks import subscriptions
from practice.services.webhooks.subscriptions import KINDS, get_settings

def _status(status: DeliveryStatus) -> str:
    return {DeliveryStatus.queued: _("Waiting"), DeliveryStatus.sending: _("Sending"),
            DeliveryStatus.delivered: _("Delivered"), DeliveryStatus.failed: _("Failed")}[status]


def kind_label(kind: str) -> str:
    if kind == "schedule":
        return _("A rule's schedule")
    return _(KINDS[kind]) if kind in KINDS else kind


def kind_choices() -> list[tuple[str, str]]:
    """(kind, what the firm reads) for the form's checkboxes, in the table's order."""
    return [(kind, _(label)) for kind, label in KINDS.items()]


@dataclass(frozen=True)
class SubscriptionRow:
    id: int
    url: str
    events: str       # the kinds it hears, in words; for the rules' ones, that the rules send to it
    enabled: bool
    state: str        # "On", "Paused", "Turned off after failures: ..."
    from_rules: bool
    delivered: int
    waiting: int
    failed: int
    created: str


def _counts(session: Session) -> dict[tuple[int, DeliveryStatus], int]:
    rows = session.exec(select(WebhookDelivery.subscription_id, WebhookDelivery.status, func.count())
                        .group_by(WebhookDelivery.subscription_id, WebhookDelivery.status)).all()
    return {(sub_id, status): n for sub_id, status, n in rows}


def subscription_rows(session: Session, actor: Actor) -> list[SubscriptionRow]:
    timezone = firm.get_firm(session).timezone
    counts = _counts(session)
    out = []
    for sub in subscriptions.list_subscriptions(session, actor):
        if sub.enabled:
            state = _("Active")
        elif sub.disabled_reason:
            state = _("Turned off after repeated failures: {why}").format(why=sub.disabled_reason)
        else:
            state = _("Paused")
        events = (_("What the rules send (send webhook)") if sub.from_rules
                  else ", ".join(kind_label(k) for k in sub.kinds or []))
        n = {status: counts.get((sub.id, status), 0) for status in DeliveryStatus}
        out.append(SubscriptionRow(sub.id, sub.url, events, sub.enabled, state, sub.from_rules,
                                   n[DeliveryStatus.delivered], n[DeliveryStatus.queued] + n[DeliveryStatus.sending],
                                   n[DeliveryStatus.failed], format_datetime(sub.created_at, timezone)))
    return out


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    webhook_id: str
    event: str
    status: str
    status_key: str   # queued, sending, delivered or failed
    attempts: int
    answer: str
    when: str
    may_replay: bool


def _answer(d: WebhookDelivery) -> str:
    """The receiver's last answer in the reader's language when it answered (the sentence is kept as the sender
    wrote it otherwise: why it could not be reached, in the words of the moment)."""
    if d.last_code is None:
        return d.last_answer
    if 200 <= d.last_code < 300:
        return _("Delivered (HTTP {code}).").format(code=d.last_code)
    return _("The receiver answered HTTP {code}.").format(code=d.last_code)


def delivery_rows(session: Session, actor: Actor, subscription_id: int, *, limit: int = 50) -> list[DeliveryRow]:
    """The subscription's newest deliveries (its log), newest first."""
    timezone = firm.get_firm(session).timezone
    sub = subscriptions.get(session, actor, subscription_id)
    return [DeliveryRow(d.id, d.key, kind_label(d.kind), _status(d.status), d.status.value, d.attempts, _answer(d),
                        format_datetime(d.delivered_at or d.created_at, timezone),
                        sub.enabled and d.status in (DeliveryStatus.delivered, DeliveryStatus.failed))
            for d in subscriptions.list_deliveries(session, actor, subscription_id, limit=limit)]


def delete_preview(session: Session, actor: Actor, subscription_id: int) -> list[str]:
    """What deleting the subscription stops, one sentence each (the dialog shows them before it is confirmed)."""
    sub = subscriptions.get(session, actor, subscription_id)
    counts = _counts(session)
    waiting = counts.get((sub.id, DeliveryStatus.queued), 0) + counts.get((sub.id, DeliveryStatus.sending), 0)
    logged = sum(n for (sub_id, _status), n in counts.items() if sub_id == sub.id)
    out = []
    if sub.from_rules:
        out.append(_("The rules still send to this address: their next webhook makes it again, with a new secret "
                     "that the receiver will need. Remove send webhook from the rules to stop them."))
    else:
        out.append(_("{url} no longer hears about: {events}.").format(
            url=sub.url, events=", ".join(kind_label(k) for k in sub.kinds or [])))
    if waiting:
        out.append(ngettext("{n} delivery still waiting is not sent.", "{n} deliveries still waiting are not sent.",
                            waiting).format(n=waiting))
    out.append(ngettext("Its log of {n} delivery is deleted.", "Its log of {n} deliveries is deleted.",
                        logged).format(n=logged))
    out.append(_("Its signing secret stops working; this cannot be undone."))
    return out


def allow_private(session: Session, actor: Actor) -> bool:
    require_admin(actor)
    return get_settings(session).allow_private_addresses

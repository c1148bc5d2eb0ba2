"""Every kind of client-facing item that can be reminded, in one table, and the sweep that reminds them.

Features keep their own adapter (`REMINDER` beside `REMINDER_KIND` in approvals, signing/requests,
proposals) and plan reminders through the leaf `services/reminders.py`; this table sits above them,
where importing them is allowed. Adding a kind: an adapter in its feature and one line here.
"""
from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from practice.services import reminders
from practice.services.billing import from_rules as rule_invoices
from practice.services.chats import notices as chat_notices
from practice.services.client_requests import sending as client_requests
from practice.services.organizers import sent as sent_organizers
from practice.services.portal import approvals
from practice.services.proposals import sending
from practice.services.signing import requests

REMINDER_KINDS: dict[str, reminders.Remindable] = {
    approvals.REMINDER_KIND: approvals.REMINDER,
    requests.REMINDER_KIND: requests.REMINDER,
    sending.REMINDER_KIND: sending.REMINDER,
    sent_organizers.REMINDER_KIND: sent_organizers.REMINDER,
    client_requests.REMINDER_KIND: client_requests.REMINDER,
    chat_notices.REMINDER_KIND: chat_notices.REMINDER,
    rule_invoices.REMINDER_KIND: rule_invoices.REMINDER,
}


def send_due_reminders(session: Session, now: dt.datetime | None = None) -> int:
    """Send the reminders of every kind that came due; returns how many were sent."""
    return reminders.send_due(session, REMINDER_KINDS, now)

"""The staff's "Forgot password?": queue the reset link the access package issued (services/access/password_reset.py)
through the outbox, with the app's base address; the answer never says whether the email is the team's."""
from __future__ import annotations

from sqlmodel import Session

from practice.i18n import _
from practice import config, routes
from practice.services import events
from practice.services.access import password_reset
from practice.services.actor import Actor
from practice.services.firm import get_firm, language_for
from practice.services.mail import outbox
from practice.services.mail.system import render_system_email


def reset_link(token: str) -> str:
    """The address of the staff reset page for this token."""
    return f"{config.base_url()}{routes.RESET_PASSWORD}?token={token}"


def forgot_password(session: Session, email: str, *, ip: str | None = None) -> str:
    """Email a reset link if the address is an active member's; the same sentence either way."""
    issued = password_reset.issue_link(session, email, ip=ip)
    if issued is not None:
        member, token = issued
        subject, body = render_system_email("staff_reset", {
            "first_name": member.name.split()[0] if member.name.split() else member.name,
            "firm_name": get_firm(session).name, "link": reset_link(token)}, language_for(session, member.language))
        outbox.enqueue(session, to_address=member.email, subject=subject, body=body)
        # The event rings the worker, which sends the queued mail at once (the minute sweep is the fallback).
        events.emit(session, Actor.of(member), "staff_reset_sent", payload={"member_id": member.id})
    return _(password_reset.FORGOT_SENTENCE)

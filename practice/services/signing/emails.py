"""The emails to signers: the link to the portal's signing page, one system email, and the worker's doorbell."""
from __future__ import annotations

from sqlmodel import Session

from practice import config, routes
from practice.models import Contact, SignatureRequest, Signer
from practice.services import events
from practice.services.actor import Actor
from practice.services.firm import get_firm, language_for
from practice.services.mail import outbox
from practice.services.mail.system import render_system_email


def sign_link(request_id: int) -> str:
    """The full address of the portal's signing page for a request (for emails)."""
    return f"{config.base_url()}{routes.portal_sign_url(request_id)}"


def email_signer(session: Session, req: SignatureRequest, signer: Signer, template: str, key: str, **extra) -> bool:
    """Email one signer (system email `template`); False when the signer has no address."""

    if not signer.email:
        return False
    contact = session.get(Contact, signer.contact_id)
    context = {"first_name": (contact.first_name if contact else "") or signer.name,
               "firm_name": get_firm(session).name, "link": sign_link(req.id), "title": req.title,
               "message": req.message, **extra}
    subject, body = render_system_email(template, context, language_for(session, contact.language if contact else ""))
    outbox.enqueue(session, to_address=signer.email, subject=subject, body=body, key=key, account_id=req.account_id,
                   job_id=req.job_id, sender_id=req.requested_by_member_id)
    session.info["practice_mail"] = True
    return True


def ring_mailer(session: Session, actor: Actor, req: SignatureRequest, kind: str,
                signer: Signer | None = None) -> None:
    # The event rings the worker, which sends the queued mail at once (the minute sweep is the fallback);
    # no rule starts on it.
    events.emit(session, actor, kind, job_id=req.job_id, account_id=req.account_id,
                payload={"request_id": req.id, "contact_id": signer.contact_id if signer else None})

"""The outbox: mails queued in the database, delivered by SMTP with retries, failures explained in a sentence."""
from __future__ import annotations

import datetime as dt
import hashlib
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from sqlalchemy import or_, update
from sqlmodel import Session, select

from practice.db import write_session
from practice.models import MailSettings, MailStatus, OutgoingMail, utcnow
from practice.services import audit
from practice.services.access.team import check_email
from practice.services.actor import Actor, require_admin
from practice.services.errors import Conflict, InvalidInput, NotFound
from practice.services.firm import get_firm
from practice.services.mail.settings import get_settings

# Waits between attempts; after the last one the mail is marked failed.
BACKOFF = [dt.timedelta(seconds=s) for s in (30, 120, 600, 1800, 3600)]
# A mail being sent is leased to the mailer for this long. If the mailer dies mid-send, the mail is
# sent again once the lease has run out, so delivery is at-least-once across a mailer crash: a mailer
# killed after the server accepted a mail but before 'sent' was committed sends it a second time.
# The resend carries the same Message-ID (derived from the mail's key), so a receiver can drop it.
# One mailer runs per database (`python -m practice mailer`); it gives back the mails it has not
# started once half the lease has gone, so only a single send outlasting the rest of its lease
# (a server stalling on each step up to SMTP_TIMEOUT) could let a mail be claimed twice.
LEASE = dt.timedelta(seconds=30)
SMTP_TIMEOUT = 20


def enqueue(session: Session, *, to_address: str, subject: str, body: str, key: str | None = None,
            account_id: int | None = None, job_id: int | None = None, run_id: int | None = None) -> OutgoingMail:
    """Queue a mail in the caller's transaction. With a key, a second call returns the first mail."""
    if key:
        existing = session.exec(select(OutgoingMail).where(OutgoingMail.key == key)).first()
        if existing:
            return existing
    mail = OutgoingMail(key=key, to_address=check_email(to_address, field="to"), subject=subject, body=body,
                        account_id=account_id, job_id=job_id, run_id=run_id)
    session.add(mail)
    session.flush()
    return mail


def _message_id(mail: OutgoingMail, domain: str) -> str:
    # The same mail always carries the same Message-ID, so a resend after a crash is recognisable.
    if mail.key:
        return f"<{hashlib.sha256(mail.key.encode()).hexdigest()[:32]}@{domain}>"
    return make_msgid(idstring=str(mail.id), domain=domain)


def explain(err: Exception, settings: MailSettings) -> str:
    """A sentence saying what went wrong with the mail server and what to check."""
    where = f"{settings.host}:{settings.port}"
    if isinstance(err, smtplib.SMTPAuthenticationError):
        return f"The mail server at {where} refused the login. Check the username and password in the email settings."
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return "The mail server refused the recipient address. Check the contact's email address."
    if isinstance(err, smtplib.SMTPSenderRefused):
        return "The mail server refused the sender address. Check the 'from' address in the email settings."
    if isinstance(err, (ConnectionRefusedError, socket.gaierror)):
        return f"Could not reach the mail server at {where}. Check the host and port in the email settings."
    if isinstance(err, (socket.timeout, TimeoutError)):
        return f"The mail server at {where} did not answer in time. It will be tried again."
    if isinstance(err, ssl.SSLError):
        return f"The secure connection to {where} failed. Check the encryption choice (STARTTLS or SSL)."
    if isinstance(err, smtplib.SMTPNotSupportedError):
        return f"The mail server at {where} does not offer STARTTLS. Choose SSL or no encryption."
    if isinstance(err, smtplib.SMTPException):
        return f"The mail server at {where} answered with an error: {err}."
    return f"Sending failed: {err}."


def _send(settings: MailSettings, mail: OutgoingMail) -> None:
    if not settings.host:
        raise InvalidInput("Email is not set up yet: an admin must enter the mail server in Settings.")
    msg = EmailMessage()
    msg["From"] = formataddr((settings.from_name, settings.from_address or settings.username or "practice@localhost"))
    msg["To"] = mail.to_address
    msg["Subject"] = mail.subject
    msg["Message-ID"] = _message_id(mail, (settings.from_address or "practice.local").split("@")[-1])
    msg.set_content(mail.body)
    if settings.security == "ssl":
        client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=SMTP_TIMEOUT,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT)
    with client:
        if settings.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.username:
            client.login(settings.username, settings.password)
        client.send_message(msg)


def deliver_due(limit: int = 50, *, mail_ids: list[int] | None = None) -> int:
    """Send the queued mails that are due (only those of `mail_ids`, if given); returns how many were sent."""
    now = utcnow()
    with write_session() as session:
        query = select(OutgoingMail.id).where(
            or_(OutgoingMail.status == MailStatus.queued,
                (OutgoingMail.status == MailStatus.sending) & (OutgoingMail.lease_until < now)),
            OutgoingMail.next_attempt_at <= now)
        if mail_ids is not None:
            query = query.where(OutgoingMail.id.in_(mail_ids))
        ids = list(session.exec(query.order_by(OutgoingMail.id).limit(limit)))
        if not ids:
            return 0
        session.execute(update(OutgoingMail).where(OutgoingMail.id.in_(ids))
                        .values(status=MailStatus.sending, lease_until=now + LEASE))
        settings = get_settings(session)
        mails = list(session.exec(select(OutgoingMail).where(OutgoingMail.id.in_(ids))))
    sent = 0
    for n, mail in enumerate(mails):
        if utcnow() - now > LEASE / 2:  # a slow server: give the rest back before their lease ends
            with write_session() as session:
                session.execute(update(OutgoingMail).where(OutgoingMail.id.in_([m.id for m in mails[n:]]),
                                                           OutgoingMail.status == MailStatus.sending)
                                .values(status=MailStatus.queued, lease_until=None))
            break
        try:
            _send(settings, mail)
        except Exception as err:  # every failure is recorded as a sentence and retried
            reason = str(err) if isinstance(err, InvalidInput) else explain(err, settings)
            with write_session() as session:
                row = session.get(OutgoingMail, mail.id)
                row.attempts += 1
                row.last_error = reason
                if row.attempts >= len(BACKOFF) + 1:
                    row.status = MailStatus.failed
                else:
                    row.status = MailStatus.queued
                    row.next_attempt_at = utcnow() + BACKOFF[row.attempts - 1]
                row.lease_until = None
            continue
        with write_session() as session:
            row = session.get(OutgoingMail, mail.id)
            row.status, row.sent_at, row.attempts, row.lease_until = MailStatus.sent, utcnow(), row.attempts + 1, None
            row.last_error = ""
        sent += 1
    return sent


def retry(session: Session, actor: Actor, mail_id: int) -> OutgoingMail:
    """Put a failed mail back in the queue now."""
    require_admin(actor)
    mail = session.get(OutgoingMail, mail_id)
    if not mail:
        raise NotFound("That email no longer exists.")
    if mail.status == MailStatus.sent:
        raise Conflict("That email was already sent; it is not sent twice.")
    mail.status, mail.next_attempt_at, mail.attempts = MailStatus.queued, utcnow(), 0
    audit.record(session, actor, "retry", "mail", mail.id, f"Retried email to {mail.to_address}")
    return mail


def send_test_email(session: Session, actor: Actor, *, to: str) -> OutgoingMail:
    """Queue a short test email (admins); the caller delivers it at once with deliver_due(mail_ids=[id])."""
    require_admin(actor)
    if not get_settings(session).host:
        raise InvalidInput("Enter the mail server (host) and save the settings before sending a test email.",
                           field="host")
    firm_name = get_firm(session).name
    mail = enqueue(session, to_address=to, subject=f"Test email from {firm_name}",
                   body=f"This is a test email sent by {actor.name} from {firm_name}'s practice app.\n"
                        "If you can read it, the email settings work.")
    audit.record(session, actor, "test", "mail", mail.id, f"Sent a test email to {mail.to_address}")
    return mail


def list_outgoing(session: Session, actor: Actor, *, status: MailStatus | str | None = None,
                  before_id: int | None = None, limit: int = 50) -> list[OutgoingMail]:
    """The outbox, newest first, optionally one status only; page with before_id (admins)."""
    require_admin(actor)
    query = select(OutgoingMail)
    if status:
        try:
            query = query.where(OutgoingMail.status == MailStatus(status))
        except ValueError:
            raise InvalidInput("Choose queued, sending, sent or failed.", field="status") from None
    if before_id:
        query = query.where(OutgoingMail.id < before_id)
    return list(session.exec(query.order_by(OutgoingMail.id.desc()).limit(max(1, min(limit, 500)))))

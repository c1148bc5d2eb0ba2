"""The outbox: mails queued in the database, delivered by SMTP with retries, failures explained in a sentence
(and told in Inbox+ when a mail fails for good)."""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Collection
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import rules
from sqlalchemy import or_, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from practice import config, routes
from practice.db import read_session, write_session
from practice.models import MailSettings, MailStatus, OutgoingMail, TeamMember, utcnow
from practice.services import audit, inbox
from practice.services.access.team import check_email
from practice.services.actor import Actor, require_admin
from practice.services.errors import Conflict, InvalidInput, NotFound
from practice.services.firm import get_firm
from practice.i18n import N_, _
from practice.services.mail import smtp_client
from practice.services.mail.settings import get_settings

log = logging.getLogger(__name__)
# How long a mail the server accepted is noted as sent again and again while the database refuses the write.
RECORD_SENT_S = 60.0
# Waits between attempts; after the last one the mail is marked failed.
BACKOFF = [dt.timedelta(seconds=s) for s in (30, 120, 600, 1800, 3600)]
# A mail being sent is leased to the sender for lease() (30 s), and the lease is renewed every third of it while its
# attempt runs (an attempt may wait ten minutes for the server's verdict). If the mailer dies mid-send, the
# lease runs out and the mail is sent again, with the same Message-ID: delivery is at-least-once, and a copy
# can arrive twice only when the mailer died between the server's "250" and the "sent" commit, which is
# written right after that "250", before QUIT (tests/tasks/test_mailer_chaos.py measures that window).


def lease() -> dt.timedelta:
    """How long a mail being sent stays leased between renewals (`PRACTICE_MAIL_LEASE`)."""
    return dt.timedelta(seconds=config.mail_lease())

# Inbox+ notice of a mail that failed for good: a kind outside inbox.KINDS, so nobody can turn it off.
FAILED_KIND = "mail_failed"


def enqueue(session: Session, *, to_address: str, subject: str, body: str, key: str | None = None,
            account_id: int | None = None, job_id: int | None = None, run_id: int | None = None,
            sender_id: int | None = None) -> OutgoingMail:
    """Queue a mail in the caller's transaction. With a key, a second call returns the first mail.
    `sender_id`: the team member who sent it by hand, told if it fails for good."""
    if key:
        existing = session.exec(select(OutgoingMail).where(OutgoingMail.key == key)).first()
        if existing:
            return existing
    mail = OutgoingMail(key=key, to_address=check_email(to_address, field="to"), subject=subject, body=body,
                        account_id=account_id, job_id=job_id, run_id=run_id, sender_id=sender_id)
    session.add(mail)
    session.flush()
    return mail


def _build(settings: MailSettings, mail: OutgoingMail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr((settings.from_name, settings.from_address or settings.username or "practice@localhost"))
    msg["To"] = mail.to_address
    msg["Subject"] = mail.subject
    msg["Message-ID"] = mail.message_id
    msg.set_content(mail.body)
    return msg


def claim_due(limit: int = 50, *, mail_ids: list[int] | None = None, sending: Collection[int] = ()) -> list[int]:
    """Lease the mails that are due (only those of `mail_ids`, if given) for sending; returns their ids.
    Each gets its Message-ID now if it has none, so every attempt carries the same one. `sending`: the mails the
    caller is still sending; never claimed again, even when a renewal came late and their lease ran out (the
    copy in flight would otherwise go out twice)."""
    now = utcnow()
    with write_session() as session:
        query = select(OutgoingMail.id).where(
            or_(OutgoingMail.status == MailStatus.queued,
                (OutgoingMail.status == MailStatus.sending) & (OutgoingMail.lease_until < now)),
            OutgoingMail.next_attempt_at <= now)
        if mail_ids is not None:
            query = query.where(OutgoingMail.id.in_(mail_ids))
        if sending:
            query = query.where(OutgoingMail.id.not_in(list(sending)))
        ids = list(session.exec(query.order_by(OutgoingMail.id).limit(limit)))
        if not ids:
            return []
        session.execute(update(OutgoingMail).where(OutgoingMail.id.in_(ids))
                        .values(status=MailStatus.sending, lease_until=now + lease()))
        domain = (get_settings(session).from_address or "practice.local").split("@")[-1]
        for mail in session.exec(select(OutgoingMail).where(OutgoingMail.id.in_(ids), OutgoingMail.message_id == "")):
            mail.message_id = make_msgid(idstring=str(mail.id), domain=domain)
    return ids


def renew_leases(mail_ids: list[int]) -> None:
    """Keep the mails being sent leased to this process for another lease()."""
    if mail_ids:
        with write_session() as session:
            session.execute(update(OutgoingMail).where(OutgoingMail.id.in_(mail_ids),
                                                       OutgoingMail.status == MailStatus.sending)
                            .values(lease_until=utcnow() + lease()))


def attempt(mail_id: int, *, limit: float | None = None) -> bool:
    """Try once to send a leased mail and record the outcome; True when the server accepted it. `limit` shortens
    the time the server has up to the end of the message (smtp_client.send)."""
    with read_session() as session:
        mail = session.get(OutgoingMail, mail_id)
        settings = session.exec(select(MailSettings)).first() or MailSettings()
    if mail is None or mail.status != MailStatus.sending:
        return False
    try:
        client = smtp_client.send(settings, _build(settings, mail), limit=limit)
    except Exception as err:  # every failure is recorded as a sentence; temporary ones are tried again
        _record_failure(mail_id, smtp_client.explain(err, settings))
        return False
    try:
        _record_sent(mail_id)
    finally:
        smtp_client.goodbye(client)
    return True


def _record_sent(mail_id: int) -> None:
    """Note that the server has the mail, first of all (the shorter this takes, the rarer a duplicate), and again
    while the database refuses (busy under load, a full disk for a moment) for up to RECORD_SENT_S: a mail whose
    "sent" is not written goes out again once its lease runs out. Its lease is kept meanwhile by the caller, which
    still counts the attempt as running."""
    pause, deadline = 0.05, time.monotonic() + RECORD_SENT_S
    while True:
        try:
            with write_session() as session:
                session.execute(update(OutgoingMail).where(OutgoingMail.id == mail_id).values(
                    status=MailStatus.sent, sent_at=utcnow(), attempts=OutgoingMail.attempts + 1, lease_until=None,
                    last_error="", last_error_words=None))
            return
        except OperationalError:
            if time.monotonic() + pause > deadline:
                raise
            log.warning("noting that mail %s was sent failed; trying again in %.2f s", mail_id, pause, exc_info=True)
            time.sleep(pause)
            pause = min(pause * 2, 1.0)


def _record_failure(mail_id: int, failure: smtp_client.Failure) -> None:
    with write_session() as session:
        row = session.get(OutgoingMail, mail_id)
        if row is None or row.status != MailStatus.sending:
            return
        row.attempts += 1
        row.lease_until = None
        if failure.permanent or row.attempts > len(BACKOFF):
            row.status = MailStatus.failed
            error = (rules.Words(N_("{why} The email was not sent and will not be tried again."), why=failure.sentence)
                     if failure.permanent else
                     rules.Words(N_("{why} It was tried {n} times; it will not be tried again."), why=failure.sentence,
                                 n=row.attempts))
            row.last_error, row.last_error_words = str(error), rules.kept(error)
            _tell_the_firm(session, row, error)
        else:
            wait = BACKOFF[row.attempts - 1]
            row.status, row.next_attempt_at = MailStatus.queued, utcnow() + wait
            error = rules.Words(N_("{why} It will be tried again in {duration}."), why=failure.sentence,
                                duration=smtp_client.duration_words(wait.total_seconds()))
            row.last_error, row.last_error_words = str(error), rules.kept(error)


def error_of(mail: OutgoingMail) -> str:
    """Why the mail's last attempt failed, in the reader's language ("" when it did not)."""
    return rules.said(mail.last_error, mail.last_error_words, _)


def _tell_the_firm(session: Session, mail: OutgoingMail, error) -> None:
    """Inbox+: the owners, the admins and whoever sent the mail by hand hear once that it failed for good, each in
    their own language whenever they read it (the sentence is kept as its template and values: inbox.said)."""
    admins = inbox.staff_for(session, account_id=None)
    sender = session.get(TeamMember, mail.sender_id) if mail.sender_id else None
    told = admins + ([sender.id] if sender and sender.active and sender.id not in admins else [])
    stamp = utcnow().strftime("%Y%m%dT%H%M%S.%f")
    text = inbox.said(N_('The email "{subject}" to {address} could not be delivered: {error}'), subject=mail.subject,
                      address=mail.to_address, error=error)
    for member_id in told:
        link = routes.EMAIL_OUTBOX if member_id in admins else (
            routes.job_url(mail.job_id) if mail.job_id else routes.account_url(mail.account_id) if mail.account_id
            else "")
        inbox.notify(session, member_id=member_id, kind=FAILED_KIND, text=text, link=link,
                     key=f"mail-failed:{mail.id}:{stamp}:{member_id}")


def deliver_due(limit: int = 50, *, mail_ids: list[int] | None = None, attempt_limit: float | None = None) -> int:
    """Send the queued mails that are due (only those of `mail_ids`, if given), several at a time, and wait for
    them; returns how many were sent. (The mailer process does the same without waiting: worker/mailer.py.)"""
    ids = claim_due(limit, mail_ids=mail_ids)
    if not ids:
        return 0
    with ThreadPoolExecutor(min(len(ids), config.mail_workers()), thread_name_prefix="mail") as pool:
        pending = {pool.submit(attempt, mail_id, limit=attempt_limit): mail_id for mail_id in ids}
        sent = 0
        while pending:
            done, _ = wait(pending, timeout=lease().total_seconds() / 3, return_when=FIRST_COMPLETED)
            for future in done:
                pending.pop(future)
                sent += future.result()
            renew_leases(list(pending.values()))
    return sent


def retry(session: Session, actor: Actor, mail_id: int) -> OutgoingMail:
    """Put a failed mail back in the queue now."""
    require_admin(actor)
    mail = session.get(OutgoingMail, mail_id)
    if not mail:
        raise NotFound(_("That email no longer exists."))
    if mail.status == MailStatus.sent:
        raise Conflict(_("That email was already sent; it is not sent twice."))
    mail.status, mail.next_attempt_at, mail.attempts = MailStatus.queued, utcnow(), 0
    audit.record(session, actor, "retry", "mail", mail.id, f"Retried email to {mail.to_address}")
    return mail


# The test email's attempt from the settings page: the admin waits for its answer, so the server gets this long up to
# the end of the message (name look-up included) instead of the mailer's minutes; a server that needs longer leaves
# the mail queued with that sentence, and the mailer tries it again with the full deadlines.
TEST_ATTEMPT_S = 5.0


def send_test_email(session: Session, actor: Actor, *, to: str) -> OutgoingMail:
    """Queue a short test email (admins); the caller tries it at once with
    deliver_due(mail_ids=[id], attempt_limit=TEST_ATTEMPT_S)."""
    require_admin(actor)
    if not get_settings(session).host:
        raise InvalidInput(_("Enter the mail server (host) and save the settings before sending a test email."),
                           field="host")
    firm_name = get_firm(session).name
    # In the language of the admin who sends it (the event's language): they are the one who reads it.
    mail = enqueue(session, to_address=to, subject=_("Test email from {firm}").format(firm=firm_name),
                   sender_id=actor.member_id,
                   body=_("This is a test email sent by {name} from the practice app of {firm}.").format(
                       name=actor.name, firm=firm_name) + "\n" + _("If you can read it, the email settings work."))
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
            raise InvalidInput(_("Choose queued, sending, sent or failed."), field="status") from None
    if before_id:
        query = query.where(OutgoingMail.id < before_id)
    return list(session.exec(query.order_by(OutgoingMail.id.desc()).limit(max(1, min(limit, 500)))))

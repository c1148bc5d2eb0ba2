"""One SMTP conversation under a deadline, and every way it can fail as a sentence that says what happened.

Timeouts are deadlines for the whole conversation, not for each socket read: a server that sends one line
every few seconds cannot hold a mail (and the mailer's thread) for ever. Up to the end of the message the
attempt has `config.mail_attempt_limit()` in all; once the message is sent, the server's verdict gets
`config.mail_final_reply_wait()` (RFC 5321 §4.5.3.2.6: ten minutes), because a server that is still
checking a mail it has already queued would otherwise receive it again on the next attempt.
"""
from __future__ import annotations

import io
import math
import smtplib
import socket
import ssl
import threading
import time
from dataclasses import dataclass

from practice import config
from practice.models import MailSettings
from practice.services.errors import InvalidInput
from practice.i18n import N_, _
from rules import Words

GOODBYE_S = 5.0  # how long QUIT may take once the mail is accepted (its answer changes nothing)


class Stalled(Exception):
    """The server did not answer within the attempt's deadline."""

    def __init__(self, waited: float, after_message: bool):
        super().__init__(f"no answer within {waited:g} s")
        self.waited, self.after_message = waited, after_message


class NameNotResolved(Exception):
    """The mail server's name did not resolve (DNS) within the attempt's deadline."""

    def __init__(self, host: str, waited: float):
        super().__init__(f"{host} did not resolve within {waited:g} s")
        self.host, self.waited = host, waited


def _resolve(host: str, port: int, wait: float) -> list[tuple]:
    """getaddrinfo under a deadline: the system's resolver has none of its own (a dead DNS server holds it for
    tens of seconds), so it runs in a thread of its own that is left to finish alone when the time is up."""
    found: list = []

    def look_up():
        try:
            found.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as err:
            found.append(err)

    thread = threading.Thread(target=look_up, name="smtp-dns", daemon=True)
    thread.start()
    thread.join(max(wait, 0.001))
    if not found:
        raise NameNotResolved(host, wait)
    if isinstance(found[0], OSError):
        raise found[0]
    return found[0]


class _DeadlineReader(io.RawIOBase):
    """The socket as a file whose every read waits only for what is left of the conversation's deadline."""

    def __init__(self, conversation: "_Deadlined"):
        self.conversation = conversation

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        left = self.conversation.time_left()
        if left <= 0:
            raise TimeoutError("the attempt's deadline passed")
        self.conversation.sock.settimeout(left)
        return self.conversation.sock.recv_into(buffer)


class _Deadlined:
    """Mixed into smtplib's clients: reads and writes stop at the conversation's deadline."""

    def start_clock(self, limit: float, final_wait: float) -> None:
        self.limit, self.final_wait = limit, final_wait
        self.until = time.monotonic() + limit
        self.after_message = False
        self._in_data = False

    def time_left(self) -> float:
        return self.until - time.monotonic()

    def _stalled(self) -> Stalled:
        return Stalled(self.final_wait if self.after_message else self.limit, self.after_message)

    def _get_socket(self, host, port, timeout):
        """Resolve the name and connect, both inside the deadline; each address in turn, as create_connection does
        (TLS still checks the certificate against the name: smtplib takes it from `_host`)."""
        try:
            addresses = _resolve(host, port, self.time_left())
        except NameNotResolved:
            raise NameNotResolved(host, self.limit) from None
        failure: OSError | None = None
        for *_rest, address in addresses:
            try:
                return super()._get_socket(address[0], port, max(self.time_left(), 0.001))
            except TimeoutError:
                raise self._stalled() from None
            except OSError as err:
                failure = err
        raise failure or OSError(f"{host} has no address")

    def getreply(self):
        if self.file is None and self.sock is not None:
            self.file = io.BufferedReader(_DeadlineReader(self))
        try:
            return super().getreply()
        except smtplib.SMTPServerDisconnected as err:
            if isinstance(err.__context__, TimeoutError) or self.time_left() <= 0:
                raise self._stalled() from err
            err.after_message = self.after_message  # dropped before or after it had the whole mail
            raise

    def send(self, s):
        if self.sock is not None:
            if self.time_left() <= 0:
                self.close()
                raise self._stalled()
            self.sock.settimeout(self.time_left())
        try:
            super().send(s)
        except smtplib.SMTPServerDisconnected as err:
            if isinstance(err.__context__, TimeoutError):
                raise self._stalled() from err
            raise
        if self._in_data and isinstance(s, bytes):  # the message itself went out: now the server's verdict
            self.after_message = True
            self.until = time.monotonic() + self.final_wait

    def data(self, msg):
        self._in_data = True
        try:
            return super().data(msg)
        finally:
            self._in_data = False


class _Plain(_Deadlined, smtplib.SMTP):
    pass


class _Secure(_Deadlined, smtplib.SMTP_SSL):
    pass


def send(settings: MailSettings, msg, *, limit: float | None = None) -> smtplib.SMTP:
    """Hand `msg` to the firm's mail server; returns once the server has accepted it, with the connection still
    open: record the mail as sent, then call `goodbye` (the QUIT's answer must not delay that record). `limit`
    shortens the time up to the end of the message (config.mail_attempt_limit() otherwise)."""
    if not settings.host:
        raise NotSetUp(_(NOT_SET_UP))
    if settings.security == "ssl":
        client = _Secure(context=ssl.create_default_context())
    else:
        client = _Plain()
    client.start_clock(limit or config.mail_attempt_limit(), config.mail_final_reply_wait())
    try:
        client._host = settings.host  # smtplib sets it in __init__ only when given a host; TLS checks the name
        code, greeting = client.connect(settings.host, settings.port)
        if code != 220:
            raise smtplib.SMTPConnectError(code, greeting)
        if settings.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.username:
            client.login(settings.username, settings.password)
        client.send_message(msg)
    except BaseException:
        client.close()
        raise
    return client


def goodbye(client: smtplib.SMTP) -> None:
    """Say QUIT and close, ignoring whatever the server does now: the mail is already accepted."""
    client.until = time.monotonic() + GOODBYE_S
    try:
        client.docmd("QUIT")
    except (smtplib.SMTPException, Stalled, OSError):
        pass
    finally:
        client.close()


NOT_SET_UP = N_("Email is not set up yet: an admin must enter the mail server in Settings.")


class NotSetUp(InvalidInput):
    """The firm has not entered its mail server."""


@dataclass(frozen=True)
class Failure:
    """Why an attempt failed, as a sentence, and whether trying again could help. The sentence keeps its English
    template and values (rules.Words), so that whoever reads it later reads it in their own language."""

    sentence: str
    permanent: bool = False


def duration_words(seconds: float) -> Words:
    """10 minutes, 1 hour, 30 seconds (in the reader's language when told). A part of a second counts as a whole one:
    the words carry whole numbers only, which read the same in every language (no "2.5" where French writes "2,5")."""
    for size, one, many in ((3600, N_("1 hour"), N_("{n} hours")), (60, N_("1 minute"), N_("{n} minutes"))):
        if seconds >= size and seconds % size == 0:
            n = int(seconds // size)
            return Words(one) if n == 1 else Words(many, n=n)
    n = max(1, math.ceil(seconds))
    return Words(N_("1 second")) if n == 1 else Words(N_("{n} seconds"), n=n)


def _reply(code: int, text) -> str:
    text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(text.split())}".strip()


def _refusal(err: smtplib.SMTPException, where: str) -> Failure | None:
    """A 4xx or 5xx answer about this mail: 5xx is final (RFC 5321 §4.2.1), 4xx is worth another try."""
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        address, (code, text) = next(iter(err.recipients.items()))
        if code >= 500:
            return Failure(Words(N_("The mail server at {where} refused the recipient {address} ({reply}). Check the "
                                    "contact's email address."), where=where, address=address, reply=_reply(code, text)),
                           permanent=True)
        return Failure(Words(N_("The mail server at {where} could not take the email for now ({reply})."), where=where,
                             reply=_reply(code, text)))
    if isinstance(err, smtplib.SMTPDataError):
        if err.smtp_code >= 500:
            return Failure(Words(N_("The mail server at {where} refused the email ({reply})."), where=where,
                                 reply=_reply(err.smtp_code, err.smtp_error)), permanent=True)
        return Failure(Words(N_("The mail server at {where} could not take the email for now ({reply})."), where=where,
                             reply=_reply(err.smtp_code, err.smtp_error)))
    return None


def _out_of_time(err: NameNotResolved | Stalled, where: str) -> Failure:
    if isinstance(err, NameNotResolved):
        return Failure(Words(N_("Could not find the mail server {host}: its name did not resolve within {duration}. "
                                "Check the host in the email settings."), host=err.host,
                             duration=duration_words(err.waited)))
    if err.after_message:
        return Failure(Words(N_("The mail server at {where} did not confirm the email within {duration} of receiving "
                                "it."), where=where, duration=duration_words(err.waited)))
    return Failure(Words(N_("The mail server at {where} did not answer within {duration}."), where=where,
                         duration=duration_words(err.waited)))


def explain(err: BaseException, settings: MailSettings) -> Failure:
    """What went wrong with the mail server, in a sentence that says what to check.
    Refusals of the firm's own set-up (login, sender address, encryption) are retried: an admin can fix them."""
    where = f"{settings.host}:{settings.port}"
    if isinstance(err, NotSetUp):
        return Failure(Words(NOT_SET_UP))
    if isinstance(err, InvalidInput):
        return Failure(str(err))
    if isinstance(err, (NameNotResolved, Stalled)):
        return _out_of_time(err, where)
    if isinstance(err, smtplib.SMTPServerDisconnected):
        if getattr(err, "after_message", False):
            return Failure(Words(N_("The mail server at {where} closed the connection without confirming the email."),
                                 where=where))
        return Failure(Words(N_("The mail server at {where} closed the connection before the email was sent."),
                             where=where))
    refusal = _refusal(err, where) if isinstance(err, smtplib.SMTPException) else None
    return refusal or _other(err, settings, where)


def _other(err: BaseException, settings: MailSettings, where: str) -> Failure:
    if isinstance(err, smtplib.SMTPAuthenticationError):
        return Failure(Words(N_("The mail server at {where} refused the login. Check the username and password in the "
                                "email settings."), where=where))
    if isinstance(err, smtplib.SMTPSenderRefused):
        return Failure(Words(N_("The mail server at {where} refused the sender address {sender} ({reply}). Check the "
                                "'from' address in the email settings."), where=where, sender=err.sender,
                             reply=_reply(err.smtp_code, err.smtp_error)))
    if isinstance(err, (ConnectionRefusedError, socket.gaierror)):
        return Failure(Words(N_("Could not reach the mail server at {where}. Check the host and port in the email "
                                "settings."), where=where))
    if isinstance(err, ssl.SSLError):
        return Failure(Words(N_("The secure connection to {where} failed. Check the encryption choice (STARTTLS or "
                                "SSL)."), where=where))
    if isinstance(err, smtplib.SMTPNotSupportedError):
        return Failure(Words(N_("The mail server at {where} does not offer STARTTLS. Choose SSL or no encryption."),
                             where=where))
    if isinstance(err, smtplib.SMTPResponseException):
        return Failure(Words(N_("The mail server at {where} answered with an error ({reply})."), where=where,
                             reply=_reply(err.smtp_code, err.smtp_error)))
    if isinstance(err, TimeoutError):  # the connection itself was not made in time
        return Failure(Words(N_("The mail server at {where} did not answer within {duration}."), where=where,
                             duration=duration_words(config.mail_attempt_limit())))
    if isinstance(err, OSError):
        return Failure(Words(N_("Could not talk to the mail server at {where}: {why}."), where=where,
                             why=str(err.strerror or err)))
    return Failure(Words(N_("Sending failed: {why}."), why=str(err)))

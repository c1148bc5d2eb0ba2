"""A real SMTP server (aiosmtpd) on 127.0.0.1 for tests; messages are kept for assertions.

It can misbehave the ways real servers do, per recipient address (the `Misbehaviour` given for it):
answer the end of the message late, trickle its answer one line at a time, refuse (4xx or 5xx) at RCPT
or after the message, or keep the message and drop the connection without answering. `silent_server()`
is a port that takes connections and never says a word.
"""
from __future__ import annotations

import asyncio
import contextlib
import email
import socket
import threading
import time
from dataclasses import dataclass

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Misbehaviour:
    """What the server does to a mail for one recipient (all off: it behaves)."""

    rcpt_reply: str = ""          # e.g. "550 5.1.1 No such user": refused at RCPT
    data_reply: str = ""          # e.g. "451 4.3.0 Try again later": refused after the message
    final_delay: float = 0.0      # seconds before the answer to the end of the message
    trickle_every: float = 0.0    # send "250-" continuation lines this often...
    trickle_for: float = 0.0      # ...for this long before the final "250" (0: until the server stops)
    drop_after_data: bool = False  # keep the message, close the connection without answering
    times: int = 0                # misbehave only for the first N mails to this address (0: always)


class _Collector:
    def __init__(self):
        self.messages: list[email.message.Message] = []
        self.attempts: list[email.message.Message] = []  # every message received, accepted or not
        self.deliveries: list[dict] = []  # each 250 given: Message-ID, its time, and when that client said QUIT
        self.misbehaviours: dict[str, Misbehaviour] = {}
        self.seen: dict[str, int] = {}
        self.lock = threading.Lock()
        self.stopping = False

    def _misbehaviour(self, address: str, *, count: bool = False) -> Misbehaviour | None:
        with self.lock:
            rule = self.misbehaviours.get(address.lower())
            n = self.seen.get(address.lower(), 0)
            if count:
                self.seen[address.lower()] = n + 1
        if rule is None or (rule.times and n >= rule.times):
            return None
        return rule

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        rule = self._misbehaviour(address)
        if rule and rule.rcpt_reply:
            self._misbehaviour(address, count=True)
            return rule.rcpt_reply
        envelope.rcpt_tos.append(address)
        session.rcpt_at = time.time()  # the client sends the message only after this answer: see unexplained_duplicates
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content)
        msg["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        with self.lock:
            self.attempts.append(msg)
        rule = self._misbehaviour(envelope.rcpt_tos[0], count=True)
        if rule:
            if rule.data_reply:
                return rule.data_reply
            # Like a real server, it has queued the message for delivery before it answers: a client that
            # stops waiting (or is dropped) and sends again makes a second copy.
            self._keep(msg)
            if rule.drop_after_data:
                server.transport.close()
                return "250 OK"  # never reaches the client: the connection is gone
            await asyncio.sleep(rule.final_delay)
            started = time.monotonic()
            while rule.trickle_every and not self.stopping and (
                    not rule.trickle_for or time.monotonic() - started < rule.trickle_for):
                await server.push("250-Still checking your message")
                await asyncio.sleep(rule.trickle_every)
        else:
            self._keep(msg)
        with self.lock:
            session.delivery = {"message_id": str(msg["Message-ID"]), "began": getattr(session, "rcpt_at", None),
                                "accepted": time.time(), "quit": None, "peer": session.peer}
            self.deliveries.append(session.delivery)
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):
        delivery = getattr(session, "delivery", None)
        if delivery is not None:
            with self.lock:
                delivery["quit"] = time.time()
        return "221 Bye"

    def _keep(self, msg) -> None:
        with self.lock:
            self.messages.append(msg)


class SMTPServer:
    def __init__(self):
        self.port = free_port()
        self._collector = _Collector()
        self._controller = Controller(self._collector, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self._controller.start()
        return self

    def __exit__(self, *exc):
        self._collector.stopping = True
        self._controller.stop()

    def misbehave(self, address: str, rule: Misbehaviour) -> None:
        """From now on, mail to `address` meets `rule`."""
        with self._collector.lock:
            self._collector.misbehaviours[address.lower()] = rule

    @property
    def messages(self):
        with self._collector.lock:
            return list(self._collector.messages)

    @property
    def attempts(self):
        """Every message the server received, whether or not it accepted it."""
        with self._collector.lock:
            return list(self._collector.attempts)

    @property
    def deliveries(self) -> list[dict]:
        """Each "250" the server gave a message, in order: {"message_id", "began": when the server answered the
        envelope's recipient (the client sends the message only after it), "accepted": the wall-clock time just before
        the 250 went out, "quit": when that connection's client then said QUIT, or None, "peer": the client's
        address and port}."""
        with self._collector.lock:
            return [dict(d) for d in self._collector.deliveries]

    def wait_for(self, count: int, timeout: float = 10.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if len(self.messages) >= count:
                return self.messages
            time.sleep(0.05)
        return self.messages


def unexplained_duplicates(deliveries: list[dict], kills: list[float]) -> tuple[dict, list[str], str]:
    """The mails that arrived more than once; those of them that no kill explains; and an account of each of
    those (every copy's times relative to the first copy's start, its peer, the kills near it).

    A killed client can send a mail twice only if it dies between the server's 250 and its own "sent" commit; it
    says QUIT right after that commit, so a first copy that got its QUIT is never explained. The kill must come
    after the client sent the message, which it does only after the server answered the recipient ("began"): that
    is the window's start, not the 250 itself, because on a loaded machine the server (a thread of the test
    process) may take its 250 decision after the kill of a client that had already sent everything."""
    copies: dict[str, list[dict]] = {}
    for d in deliveries:
        copies.setdefault(d["message_id"], []).append(d)
    duplicated = {mid: ds for mid, ds in copies.items() if len(ds) > 1}

    def explained(ds: list[dict]) -> bool:
        start = ds[0]["began"] if ds[0].get("began") is not None else ds[0]["accepted"]
        return ds[0]["quit"] is None and any(start <= k <= ds[1]["accepted"] for k in kills)

    outside = [mid for mid, ds in duplicated.items() if not explained(ds)]
    lines = []
    for mid in outside:
        ds = duplicated[mid]
        t0 = ds[0]["began"] or ds[0]["accepted"]

        def at(t, t0=t0):
            return "-" if t is None else f"{(t - t0) * 1000:+.0f} ms"
        lines.append(f"{mid}:")
        for n, d in enumerate(ds, 1):
            lines.append(f"  copy {n} from {d.get('peer')}: began {at(d.get('began'))}, 250 {at(d['accepted'])}, "
                         f"QUIT {at(d['quit'])}")
        near = [at(k) for k in kills if ds[0]["accepted"] - 30 <= k <= ds[-1]["accepted"] + 5]
        lines.append(f"  kills near it: {', '.join(near) or 'none'}")
    return duplicated, outside, "\n".join(lines)


@contextlib.contextmanager
def silent_server():
    """A port on 127.0.0.1 whose connections are taken (by the kernel's backlog) and never answered; yields it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        yield s.getsockname()[1]

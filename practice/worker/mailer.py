"""The mailer: a small process that sends the queued mail, apart from the Huey consumer.

SMTP delivery lives here, not in the consumer, for two reasons: a slow or unreachable mail server
must never hold up the automations (rule runs only queue mail, in their own transaction), and a
consumer killed by a crash or a deploy must not be the process that has half-sent a mail.

Run it with `python -m practice mailer` (`serve` starts it). It looks for due mail every second and
sends up to `PRACTICE_MAIL_WORKERS` mails at a time, each in its own thread, so one slow server or one
slow mail holds up no other. SIGINT or SIGTERM stops it after the mails being sent.

It sends the webhooks too, in a thread of its own (`run_webhooks`): the events' deliveries, signed, each request
outside any transaction, a slow receiver holding up neither the rules nor the mail.
"""
from __future__ import annotations

import logging
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from practice import config
from practice.services.mail import outbox
from practice.services.webhooks import delivery as webhooks

log = logging.getLogger(__name__)

INTERVAL_S = 1.0


def _collect(in_flight: dict[Future, int]) -> int:
    """Forget the attempts that finished; returns how many of them sent their mail."""
    sent = 0
    for future in [f for f in in_flight if f.done()]:
        mail_id = in_flight.pop(future)
        try:
            sent += future.result()
        except Exception:  # the database failed while recording: the lease runs out and the mail is tried again
            log.exception("recording the outcome of mail %s failed", mail_id)
    return sent


def _keep_leases(in_flight: dict[Future, int]) -> None:
    try:
        outbox.renew_leases(list(in_flight.values()))
    except Exception:  # busy for a moment: the next renewal comes well before the lease runs out
        log.exception("renewing the leases of the mail being sent failed")


def run(stop: threading.Event | None = None, *, interval: float = INTERVAL_S) -> int:
    """Deliver due mail until `stop` is set, up to `config.mail_workers()` mails at a time, each attempt in its own
    thread: a server slow to answer one mail holds one thread, never the others. Returns how many were sent."""
    stop = stop or threading.Event()
    workers = config.mail_workers()
    in_flight: dict[Future, int] = {}
    sent, renewed = 0, time.monotonic()
    with ThreadPoolExecutor(workers, thread_name_prefix="mail") as pool:
        while not stop.is_set():
            sent += _collect(in_flight)
            free, claimed = workers - len(in_flight), []
            if free:
                try:
                    claimed = outbox.claim_due(free, sending=list(in_flight.values()))
                except Exception:  # the database was busy or gone for a moment: try again next round
                    log.exception("claiming due mail failed; trying again in %.0f s", interval)
            for mail_id in claimed:
                in_flight[pool.submit(outbox.attempt, mail_id)] = mail_id
            if in_flight and time.monotonic() - renewed > outbox.lease().total_seconds() / 3:
                _keep_leases(in_flight)
                renewed = time.monotonic()
            if claimed and len(claimed) == free:
                continue  # a burst: more may be due as soon as a thread is free
            if in_flight:
                wait(in_flight, timeout=interval, return_when=FIRST_COMPLETED)
            else:
                stop.wait(interval)
        if in_flight:
            log.info("stopping after the %d mails being sent", len(in_flight))
        while in_flight:  # their leases are kept until they end (each attempt has its deadline)
            wait(in_flight, timeout=outbox.lease().total_seconds() / 3, return_when=FIRST_COMPLETED)
            sent += _collect(in_flight)
            _keep_leases(in_flight)
    return sent


def run_webhooks(stop: threading.Event, *, interval: float = INTERVAL_S) -> int:
    """Deliver the webhooks that are due until `stop` is set; returns how many were delivered."""
    delivered = 0
    while not stop.is_set():
        try:
            delivered += webhooks.deliver_due()
        except Exception:  # the database was busy or gone for a moment: try again next round
            log.exception("delivering webhooks failed; trying again in %.0f s", interval)
        stop.wait(interval)
    return delivered


def main() -> int:
    """Run until SIGINT/SIGTERM; exit 0."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s mailer %(levelname)s %(message)s")
    stop = threading.Event()

    def request_stop(signum, _frame):
        log.info("stopping (signal %s)", signum)
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    log.info("sending queued mail, up to %d at a time", config.mail_workers())
    hooks = threading.Thread(target=run_webhooks, args=(stop,), name="webhooks", daemon=True)
    hooks.start()
    sent = run(stop)
    hooks.join(timeout=webhooks.TIMEOUT_S * 2)
    log.info("stopped after sending %d mails", sent)
    return 0

"""The mailer: a small process that sends the queued mail, apart from the Huey consumer.

SMTP delivery lives here, not in the consumer, for two reasons: a slow or unreachable mail server
must never hold up the automations (rule runs only queue mail, in their own transaction), and a
consumer killed by a crash or a deploy must not be the process that has half-sent a mail.

Run it with `python -m practice mailer` (`serve` starts it). It sends what is due every second,
and again at once while a full batch came back (a burst of automation mail). SIGINT or SIGTERM
stops it after the mail being sent.
"""
from __future__ import annotations

import logging
import signal
import threading

from practice.services.mail import outbox

log = logging.getLogger(__name__)

INTERVAL_S = 1.0
BATCH = 50


def run(stop: threading.Event | None = None, *, interval: float = INTERVAL_S) -> int:
    """Deliver due mail until `stop` is set; returns how many mails were sent."""
    stop = stop or threading.Event()
    sent = 0
    while not stop.is_set():
        try:
            n = outbox.deliver_due(limit=BATCH)
        except Exception:  # the database was busy or gone for a moment: try again next round
            log.exception("mail delivery round failed; trying again in %.0f s", interval)
            n = 0
        sent += n
        if n < BATCH:
            stop.wait(interval)
    return sent


def main() -> int:
    """Run until SIGINT/SIGTERM; exit 0."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s mailer %(levelname)s %(message)s")
    stop = threading.Event()

    def request_stop(signum, _frame):
        log.info("stopping (signal %s)", signum)
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    log.info("sending queued mail every %.0f s", INTERVAL_S)
    sent = run(stop)
    log.info("stopped after sending %d mails", sent)
    return 0

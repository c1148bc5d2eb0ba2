"""Webhooks as a receiver meets them: a real HTTP server on 127.0.0.1 that checks every signature with the
standardwebhooks package and keeps the webhook-ids it has taken. Down for a while then back, it gets every event
once; a timeout or a replay brings the same id again; a receiver that keeps failing has its webhook turned off and
the owner told in Inbox+. Addresses on private networks are refused unless an admin allows them."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlmodel import select
from standardwebhooks import Webhook

from practice import i18n
from practice.db import read_session, write_session
from practice.models import AuditLog, DeliveryStatus, Notification, WebhookDelivery, WebhookSubscription
from practice.services.errors import InvalidInput, PermissionDenied
from practice.services import inbox
from practice.services.webhooks import delivery, subscriptions, views
from tests.factories import make_firm
from tests.factories.firms import make_account, make_job, make_pipeline


def staff(monkeypatch):
    with write_session() as s:
        return make_firm(s, admins={"ann": "Ann Admin"}, employees={"eli": "Eli Employee"})


pytestmark = pytest.mark.firm(build=staff)


class Receiver:
    """A webhook receiver: answers `answer` (or sleeps `delay` first), verifies each request, keeps them all."""

    def __init__(self, secret: str = ""):
        self.secret, self.answer, self.delay = secret, 204, 0.0
        self.seen: list[tuple[str, dict]] = []  # (webhook-id, payload), every request that verified
        self.bad = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                try:
                    payload = Webhook(receiver.secret).verify(body, dict(self.headers.items()))
                    receiver.seen.append((self.headers["webhook-id"], payload))
                except Exception:  # noqa: BLE001
                    receiver.bad += 1
                time.sleep(receiver.delay)
                self.send_response(receiver.answer)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.server.server_close()  # down until start(): a connection is refused
        self.thread = None

    def start(self):
        if self.thread is None:
            self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self.server.RequestHandlerClass)
            self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
            self.thread.start()

    def stop(self):
        if self.thread is not None:
            self.server.shutdown()
            self.thread = None
        self.server.server_close()

    def ids(self):
        return [i for i, _ in self.seen]


@pytest.fixture
def receiver(firm, monkeypatch):
    monkeypatch.setattr(delivery, "BACKOFF", [delivery.dt.timedelta(0)] * 6)
    r = Receiver()
    with write_session() as s:
        subscriptions.set_allow_private(s, firm["ann"], True)
        sub = subscriptions.create(s, firm["ann"], url=r.url, kinds=["job_created", "job_moved"])
        r.secret, r.sub_id = sub.secret, sub.id
    yield r
    r.stop()


def make_jobs(actor, n):
    with write_session() as s:
        account, pipeline = make_account(s, actor), make_pipeline(s, actor)
    ids = []
    for k in range(n):
        with write_session() as s:  # one commit each: each rings the worker (immediate here) on its own
            ids.append(make_job(s, actor, account=s.merge(account), pipeline=s.merge(pipeline), name=f"Return {k}").id)
    return ids


def deliveries(sub_id):
    with read_session() as s:
        return list(s.exec(select(WebhookDelivery).where(WebhookDelivery.subscription_id == sub_id)
                           .order_by(WebhookDelivery.id)))


def drain(rounds=20):
    for _ in range(rounds):
        delivery.deliver_due()


def test_receiver_down_then_back_gets_every_event_once_signed(firm, receiver):
    job_ids = make_jobs(firm["ann"], 5)  # the receiver is down: every try fails, nothing is lost
    rows = deliveries(receiver.sub_id)
    assert len(rows) == 5 and all(r.status == DeliveryStatus.queued and r.attempts >= 1 for r in rows)
    assert all(r.last_code is None and "could not be reached" in r.last_answer for r in rows)
    receiver.start()
    drain()
    assert receiver.bad == 0
    assert sorted(receiver.ids()) == sorted(r.key for r in rows) and len(set(receiver.ids())) == 5
    assert sorted(p["data"]["job_id"] for _, p in receiver.seen) == sorted(job_ids)
    assert {p["type"] for _, p in receiver.seen} == {"job_created"}
    rows = deliveries(receiver.sub_id)
    assert all(r.status == DeliveryStatus.delivered and r.last_code == 204 for r in rows)
    drain(3)  # nothing more goes out
    assert len(receiver.seen) == 5


def test_only_the_chosen_kinds_and_only_events_after_the_subscription(firm, receiver):
    receiver.start()
    with write_session() as s:
        subscriptions.update(s, firm["ann"], receiver.sub_id, kinds=["job_moved"])
    make_jobs(firm["ann"], 2)
    drain(2)
    assert receiver.seen == [] and deliveries(receiver.sub_id) == []


def test_a_timeout_brings_the_same_id_again_and_a_replay_too(firm, receiver, monkeypatch):
    monkeypatch.setattr(delivery, "TIMEOUT_S", 0.3)
    receiver.start()
    receiver.delay = 1.0
    make_jobs(firm["ann"], 1)
    (row,) = deliveries(receiver.sub_id)
    assert row.status == DeliveryStatus.queued and "did not answer" in row.last_answer
    receiver.delay = 0.0
    drain(2)
    assert receiver.ids() == [row.key, row.key]  # the receiver can tell it is the same event
    (row,) = deliveries(receiver.sub_id)
    assert row.status == DeliveryStatus.delivered
    with write_session() as s:
        subscriptions.replay(s, firm["ann"], row.id)
    drain(1)
    assert receiver.ids() == [row.key] * 3 and receiver.bad == 0
    with write_session() as s:
        with pytest.raises(PermissionDenied):
            subscriptions.replay(s, firm["eli"], row.id)
    with read_session() as s:
        assert s.exec(select(AuditLog).where(AuditLog.action == "replay")).first() is not None


def test_turned_off_after_repeated_failures_and_the_owner_is_told(firm, receiver, monkeypatch):
    monkeypatch.setattr(delivery, "BACKOFF", [delivery.dt.timedelta(0)])
    monkeypatch.setattr(delivery, "DISABLE_AFTER", 3)
    receiver.start()
    receiver.answer = 500
    make_jobs(firm["ann"], 4)
    drain(3)
    rows = deliveries(receiver.sub_id)
    assert [r.status for r in rows[:3]] == [DeliveryStatus.failed] * 3
    assert all(r.last_code == 500 and r.attempts == 2 for r in rows[:3])
    with read_session() as s:
        sub = s.get(WebhookSubscription, receiver.sub_id)
        assert not sub.enabled and "HTTP 500" in sub.disabled_reason
        notes = list(s.exec(select(Notification).where(Notification.kind == delivery.DISABLED_KIND)))
    assert len(notes) == 1 and receiver.url in notes[0].text and "turned off" in notes[0].text
    with i18n.using_locale("fr"):  # told in the reader's language when read, the receiver's answer too
        assert inbox.told(notes[0]) == (f"Le webhook vers {receiver.url} a été désactivé après 3 envois échoués "
                                        "d'affilée : Le destinataire a répondu HTTP 500.")
    assert notes[0].link == "/settings/webhooks"  # the notice opens the page where it is turned back on
    sent = len(receiver.seen)
    receiver.answer = 204
    drain(2)
    assert len(receiver.seen) == sent  # off: nothing more is sent
    with write_session() as s:
        subscriptions.update(s, firm["ann"], receiver.sub_id, enabled=True)
    with write_session() as s:
        with pytest.raises(Exception, match="Turn the webhook on|already waiting"):
            subscriptions.replay(s, firm["ann"], rows[3].id)
    drain(2)
    with read_session() as s:
        assert s.get(WebhookSubscription, receiver.sub_id).failures == 0


def test_addresses_on_private_networks_are_refused_unless_allowed(firm):
    with write_session() as s:
        for url in ("http://127.0.0.1:8080/x", "https://10.0.0.5/x", "https://169.254.169.254/latest",
                    "https://[::1]/x", "ftp://example.com/x", "https://user:pw@example.com/x", "not a url"):
            with pytest.raises(InvalidInput):
                subscriptions.create(s, firm["ann"], url=url, kinds=["job_created"])
        with pytest.raises(PermissionDenied):
            subscriptions.create(s, firm["eli"], url="https://hooks.example.com/x", kinds=["job_created"])
        with pytest.raises(InvalidInput, match="Choose at least one"):
            subscriptions.create(s, firm["ann"], url="https://hooks.example.com/x", kinds=[])
        sub = subscriptions.create(s, firm["ann"], url="https://hooks.example.com/x", kinds=["job_created"])
        assert sub.secret.startswith("whsec_") and len(sub.secret) > 30
    # A public name that leads to a private address is not called (checked at each delivery).
    answer = delivery.send("https://localhost/x", sub.secret, "msg_1", json.dumps({}), allow_private=False)
    assert answer.code is None and "private address" in answer.sentence


def test_no_write_lock_is_held_while_the_receiver_thinks(firm, receiver):
    """A save goes through while a delivery waits for a slow receiver."""
    receiver.start()
    receiver.delay = 1.5
    with write_session() as s:
        subscriptions.update(s, firm["ann"], receiver.sub_id, kinds=["job_created", "job_moved", "tag_added"])
    worker = threading.Thread(target=make_jobs, args=(firm["ann"], 1))
    worker.start()
    time.sleep(0.5)  # the delivery is under way
    started = time.monotonic()
    with write_session() as s:
        make_pipeline(s, firm["ann"])
    assert time.monotonic() - started < 1.0
    worker.join()


def test_the_mailer_process_sends_them_in_its_own_thread(firm, receiver):
    """What `python -m practice mailer` runs beside the mail: the loop that fans out and sends."""
    from practice.worker import mailer

    receiver.start()
    receiver.answer = 500
    make_jobs(firm["ann"], 2)  # immediate mode tried them once; the loop is what sends them in production
    receiver.answer = 204
    stop = threading.Event()
    loop = threading.Thread(target=mailer.run_webhooks, args=(stop,), kwargs={"interval": 0.1})
    loop.start()
    try:
        for _ in range(100):
            if all(r.status == DeliveryStatus.delivered for r in deliveries(receiver.sub_id)):
                break
            time.sleep(0.1)
    finally:
        stop.set()
        loop.join(timeout=15)
    assert [r.status for r in deliveries(receiver.sub_id)] == [DeliveryStatus.delivered] * 2
    assert len({i for i in receiver.ids()}) == 2 and receiver.bad == 0


def test_the_settings_page_shows_each_webhook_its_log_and_what_deleting_stops(firm, receiver):
    receiver.start()
    receiver.answer = 500
    make_jobs(firm["ann"], 2)
    with read_session() as s:
        (row,) = views.subscription_rows(s, firm["ann"])
        log = views.delivery_rows(s, firm["ann"], receiver.sub_id)
        preview = views.delete_preview(s, firm["ann"], receiver.sub_id)
        for refused in (views.subscription_rows, views.allow_private):
            with pytest.raises(PermissionDenied):
                refused(s, firm["eli"])
        for refused in (views.delivery_rows, views.delete_preview):
            with pytest.raises(PermissionDenied):
                refused(s, firm["eli"], receiver.sub_id)
    assert row.url == receiver.url and row.events == "A job was created, A job moved to another stage"
    assert row.enabled and row.state == "Active" and (row.delivered, row.waiting, row.failed) == (0, 2, 0)
    assert [(d.event, d.status, d.may_replay) for d in log] == [("A job was created", "Waiting", False)] * 2
    assert [d.attempts for d in log] == [1, 2]  # newest first; the older one was tried again with the newer
    assert log[0].answer == "The receiver answered HTTP 500."
    with read_session() as s, i18n.using_locale("fr"):
        assert views.delivery_rows(s, firm["ann"], receiver.sub_id)[0].answer == "Le destinataire a répondu HTTP 500."
    assert preview == [f"{receiver.url} no longer hears about: A job was created, A job moved to another stage.",
                       "2 deliveries still waiting are not sent.", "Its log of 2 deliveries is deleted.",
                       "Its signing secret stops working; this cannot be undone."]
    with write_session() as s:
        subscriptions.update(s, firm["ann"], receiver.sub_id, enabled=False)
    with read_session() as s:
        (row,) = views.subscription_rows(s, firm["ann"])
    assert not row.enabled and row.state == "Paused"

"""Webhooks in a browser, at desk size and on a phone: an admin opens Settings → Webhooks from the menu, allows her
office's network, adds a webhook for new jobs pointing at a real receiver on 127.0.0.1, and copies its secret into
the receiver. A job created in the firm arrives once, signed (the receiver checks it with the standardwebhooks
package), and shows in the delivery log as delivered; she sends it again and the receiver gets the same webhook-id,
still signed. Deleting it first lists what stops."""
from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import write_session
from practice.models import Account, Pipeline, TeamMember
from practice.services.actor import Actor
from practice.services.webhooks import subscriptions
from practice.services.work import jobs
from practice.worker import mailer
from tests.e2e.conftest import log_in
from tests.services.webhooks.test_webhooks import Receiver

pytestmark = pytest.mark.e2e
ANN = ("ann@example.com", "demo-staff-pass")


@pytest.fixture
def receiver():
    r = Receiver()
    r.start()
    stop = threading.Event()  # the mailer process's webhook thread, as `practice serve` runs it
    loop = threading.Thread(target=mailer.run_webhooks, args=(stop,), kwargs={"interval": 0.2}, daemon=True)
    loop.start()
    yield r
    stop.set()
    loop.join(timeout=15)
    r.stop()


def open_webhooks(pg, base_url: str, phone: bool) -> None:
    log_in(pg, base_url, *ANN)
    if phone:
        pg.click("#phone-menu")
        pg.get_by_role("menu").get_by_role("menuitem", name="Settings").click()
    else:
        pg.get_by_role("link", name="Settings", exact=True).first.click()
    pg.wait_for_url(re.compile(r"/settings$"))
    pg.click("#settings-nav-webhooks")
    pg.wait_for_url(re.compile(r"/settings/webhooks$"))
    expect(pg.locator("#webhooks-card")).to_be_visible()


def a_job_is_created(name: str) -> int:
    with write_session() as s:
        owner = Actor.of(s.exec(select(TeamMember).where(TeamMember.role == "owner")).first())
        account = s.exec(select(Account).order_by(Account.id)).first()
        pipeline = s.exec(select(Pipeline).order_by(Pipeline.id)).first()
        return jobs.create_job(s, owner, account_id=account.id, pipeline_id=pipeline.id, name=name).id


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_an_admin_adds_a_webhook_sees_a_delivery_and_sends_it_again(request, base_url, receiver, size):
    pg = request.getfixturevalue("phone_page" if size == "phone" else "page")
    # Private addresses refused to start with (the other size's run allowed them): the page may show its box
    # unticked for a moment before its load answers, so a box read as unticked must really be unticked.
    with write_session() as s:
        subscriptions.set_allow_private(s, Actor.of(s.exec(select(TeamMember).where(TeamMember.role == "owner")).first()),
                                        False)
    open_webhooks(pg, base_url, size == "phone")

    allow = pg.locator("#webhooks-allow-private")
    expect(allow).to_have_attribute("data-state", "unchecked")
    allow.click()
    expect(allow).to_have_attribute("data-state", "checked")

    pg.fill("#webhook-url", "127.0.0.1/no-scheme")
    pg.click("#webhook-kind-job-created")
    pg.click("#add-webhook")
    expect(pg.locator("#add-webhook-card")).to_contain_text("That address is not valid")
    pg.fill("#webhook-url", receiver.url)  # what she typed is kept: only the address is fixed
    expect(pg.locator("#webhook-kind-job-created")).to_have_attribute("data-state", "checked")
    pg.click("#add-webhook")
    expect(pg.locator("#new-webhook")).to_contain_text(receiver.url)
    receiver.secret = pg.locator("#new-webhook-secret").inner_text().strip()
    assert receiver.secret.startswith("whsec_")
    pg.click("#webhook-secret-saved")
    expect(pg.locator("#new-webhook")).to_have_count(0)
    card = pg.locator(".webhook-row", has_text=receiver.url)
    expect(card).to_contain_text("A job was created")
    expect(card).to_contain_text("Active")

    job_id = a_job_is_created(f"Webhook journey ({size})")
    card.get_by_role("button", name="Delivery log").click()
    log = pg.locator("#delivery-log")
    row = log.locator(".delivery-row").first
    for _ in range(30):  # the log refreshes when she asks; the mailer's thread sends within a second or so
        if "Delivered" in (row.inner_text() if row.count() else ""):
            break
        pg.click("#delivery-log-refresh")
        pg.wait_for_timeout(500)
    expect(row).to_contain_text("Delivered")
    expect(row.locator(".delivery-attempts")).to_have_text("1")
    expect(row).to_contain_text("A job was created")
    assert receiver.bad == 0 and len(receiver.seen) == 1
    webhook_id, payload = receiver.seen[0]
    assert payload["type"] == "job_created" and payload["data"]["job_id"] == job_id
    expect(row).to_contain_text(webhook_id)

    row.get_by_role("button", name="Send again").click()
    for _ in range(30):
        if len(receiver.seen) == 2:
            break
        pg.wait_for_timeout(300)
    assert receiver.ids() == [webhook_id, webhook_id] and receiver.bad == 0
    pg.click("#delivery-log-refresh")
    expect(row.locator(".delivery-status")).to_have_text("Delivered")
    expect(row.locator(".delivery-attempts")).to_have_text("1")  # a replay starts its count again

    card.get_by_role("button", name="Delete").click()
    preview = pg.locator("#webhook-delete-preview")
    expect(preview).to_contain_text("no longer hears about: A job was created")
    expect(preview).to_contain_text("Its log of 1 delivery is deleted")
    pg.click("#confirm-delete-webhook")
    expect(pg.locator(".webhook-row", has_text=receiver.url)).to_have_count(0)

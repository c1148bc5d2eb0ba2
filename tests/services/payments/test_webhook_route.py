"""The webhook endpoint as Stripe reaches it (`POST /payments/stripe/webhook`, the backend's route): a webhook
localstripe signed is answered 200 and records the payment; the same one posted three times records one payment;
a bad signature is answered 400 and changes nothing."""
from __future__ import annotations

import dataclasses
import warnings

import pytest
from sqlmodel import select
from starlette.applications import Starlette

from practice import routes
from practice.db import read_session
from practice.http_routes import HTTP_ROUTES
from practice.models import Invoice, InvoiceStatus, Payment
from practice.services.payments import online
from tests.factories import contact_actor
from tests.factories.payments import card_paying_firm, pay_in_browser, sent_invoice, set_up_card_payments

with warnings.catch_warnings():  # Starlette would rather have httpx2; the httpx it ships with works the same here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

pytestmark = pytest.mark.firm(build=card_paying_firm)


def test_the_endpoint_records_a_signed_webhook_once_and_refuses_a_bad_signature(firm, localstripe, inbox):
    set_up_card_payments(firm["ann"])
    invoice_id = sent_invoice(firm["owner"], firm["jones"], 600)
    amy = dataclasses.replace(contact_actor(firm["amy"]), current_account_id=firm["jones"])
    with read_session() as s:
        opened = online.start_card_payment(s, amy, invoice_id)
    pay_in_browser(localstripe.url, opened.payment_id)
    body, signature = inbox.wait_for(opened.payment_id.encode())
    client = TestClient(Starlette(routes=HTTP_ROUTES))

    refused = client.post(routes.STRIPE_WEBHOOK, content=body, headers={"Stripe-Signature": "t=1,v1=00"})
    assert refused.status_code == 400 and "signature" in refused.json()["error"]
    with read_session() as s:
        assert s.get(Invoice, invoice_id).status == InvoiceStatus.sent

    answers = [client.post(routes.STRIPE_WEBHOOK, content=body, headers={"Stripe-Signature": signature})
               for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    with read_session() as s:
        assert s.get(Invoice, invoice_id).status == InvoiceStatus.paid
        assert len(s.exec(select(Payment).where(Payment.invoice_id == invoice_id)).all()) == 1


def test_an_oversized_body_is_refused_unread(firm):
    client = TestClient(Starlette(routes=HTTP_ROUTES))
    answer = client.post(routes.STRIPE_WEBHOOK, content=b"x" * (300 * 1024), headers={"Stripe-Signature": "t=1"})
    assert answer.status_code == 413

"""A document locked until an invoice is paid opens when the provider's webhook reports the card payment, even when
the client never came back to the portal after paying (the lock is read from the invoice's status)."""
from __future__ import annotations

import dataclasses
import warnings

import pytest
from starlette.applications import Starlette

from practice import routes
from practice.db import read_session, write_session
from practice.http_routes import HTTP_ROUTES
from practice.services.billing import document_locks
from practice.services.documents import files as document_files
from practice.services.errors import PermissionDenied
from practice.services.payments import online
from tests.factories import contact_actor
from tests.factories.payments import card_paying_firm, pay_in_browser, sent_invoice, set_up_card_payments

with warnings.catch_warnings():  # Starlette would rather have httpx2; the httpx it ships with works the same here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

pytestmark = pytest.mark.firm(build=card_paying_firm)


def test_the_webhook_of_the_card_payment_opens_the_locked_document(firm, localstripe, inbox, tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICE_DATA_DIR", str(tmp_path / "data"))
    set_up_card_payments(firm["ann"])
    invoice_id = sent_invoice(firm["owner"], firm["jones"], 600)
    doc = document_files.upload(firm["owner"], firm["jones"], None, "Return 2025.txt", b"the finished return").id
    with write_session() as s:
        document_locks.lock_document(s, firm["ann"], doc, invoice_id)
    amy = dataclasses.replace(contact_actor(firm["amy"]), current_account_id=firm["jones"])
    with read_session() as s:
        with pytest.raises(PermissionDenied, match="is paid"):
            document_files.document_for_download(s, amy, doc)
        opened = online.start_card_payment(s, amy, invoice_id)
    pay_in_browser(localstripe.url, opened.payment_id)
    body, signature = inbox.wait_for(opened.payment_id.encode())
    answer = TestClient(Starlette(routes=HTTP_ROUTES)).post(routes.STRIPE_WEBHOOK, content=body,
                                                            headers={"Stripe-Signature": signature})
    assert answer.status_code == 200
    with read_session() as s:
        assert document_files.document_for_download(s, amy, doc).filename == "Return 2025.txt"

"""Card payments in the tests: the firm's keys saved through Settings → Payments' services, an issued invoice, and
what Stripe.js does in a client's browser (against localstripe, tests/localstripe_server.py)."""
from __future__ import annotations

import requests
import stripe

from practice.db import read_session, write_session
from practice.services.billing import invoices
from practice.services.payments import settings
from tests.factories.firms import make_firm, make_household

SECRET, PUBLIC, SIGNING = "sk_test_practice0001", "pk_test_practice0001", "whsec_practice0001"


def card_paying_firm(monkeypatch) -> dict:
    """A firm (Ann an admin, Bob an employee) with the Jones Family (Amy, on the portal) and Other Client (Sam)."""
    with write_session() as s:
        staff = make_firm(s, admins={"ann": "Ann Lee"}, employees={"bob": "Bob Stone"})
        jones, (amy,) = make_household(s, staff["owner"], "Jones Family", "Jones", ("Amy",))
        other, _ = make_household(s, staff["owner"], "Other Client", "Other", ("Sam",))
    return {**staff, "jones": jones.id, "other": other.id, "amy": amy.id}


def set_up_card_payments(admin, secret=SECRET, public=PUBLIC, signing=SIGNING) -> None:
    """Save the firm's Stripe keys as an admin would (checked by a test call to the configured API first)."""
    with read_session() as s:
        keys = settings.entered_keys(s, admin, secret_key=secret, publishable_key=public, webhook_secret=signing)
    settings.check_keys(keys)
    with write_session() as s:
        settings.save_keys(s, admin, keys)


def sent_invoice(staff, account_id: int, dollars=1000) -> int:
    """An issued invoice of one typed line of `dollars`."""
    with write_session() as s:
        draft = invoices.save_draft(s, staff, account_id=account_id, lines=[{"name": "Tax return",
                                                                            "rate": str(dollars)}])
        return invoices.issue(s, staff, draft.id).id


def pay_in_browser(localstripe_url: str, payment_id: str, card="pm_card_visa"):
    """What Stripe.js does in the client's browser: the card goes to the provider, never to our server.
    (localstripe's fake Stripe.js cannot send a card itself: docs/payments.md.)"""
    client = stripe.StripeClient("sk_test_browser", base_addresses={"api": localstripe_url})
    client.v1.payment_intents.update(payment_id, params={"payment_method": card})
    return client.v1.payment_intents.confirm(payment_id)


def card_token(localstripe_url: str, number="4242424242424242", publishable_key=PUBLIC) -> str:
    """What Stripe.js's createToken does in the browser: the card goes to the provider with the publishable key,
    and the page gets back only the token's id."""
    answer = requests.post(f"{localstripe_url}/v1/tokens", timeout=10, data={
        "card[number]": number, "card[exp_month]": "12", "card[exp_year]": "2030", "card[cvc]": "123",
        "key": publishable_key})
    answer.raise_for_status()
    return answer.json()["id"]

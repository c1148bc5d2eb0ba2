import pytest

from tests.factories.payments import SIGNING
from tests.localstripe_server import WebhookInbox


@pytest.fixture
def inbox(localstripe, monkeypatch):
    """localstripe for this test: the SDK pointed at it, its webhooks signed with SIGNING and kept here."""
    monkeypatch.setenv("PRACTICE_STRIPE_API_BASE", localstripe.url)
    received = WebhookInbox()
    localstripe.send_webhooks_to(received.url, SIGNING)
    yield received
    received.close()

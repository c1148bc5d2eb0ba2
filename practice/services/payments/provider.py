"""What the payment code asks of a card payment provider, whichever it is: check its keys, open a payment for an
amount, verify and read a webhook, fetch a payment, refund all or part of one. `settings.PROVIDERS` names the implementations (Stripe today);
the rest of the app talks only to this interface."""
from __future__ import annotations

import dataclasses
from typing import Protocol

from practice.services.errors import PracticeError


class ProviderError(PracticeError):
    """The provider refused or could not be reached; the message is a sentence for a person."""


class BadSignature(PracticeError):
    """A webhook whose signature does not verify with the firm's signing secret: refused, nothing changes."""


@dataclasses.dataclass(frozen=True)
class PaymentSession:
    """A payment opened with the provider for one invoice: its id, and what the client's browser needs to pay it
    with the provider's own card fields (the card never passes through this server)."""

    payment_id: str
    client_secret: str
    publishable_key: str
    amount_cents: int
    currency: str


@dataclasses.dataclass(frozen=True)
class ProviderPayment:
    """A payment as the provider tells it: `succeeded` once the money is taken; `invoice_id` and `contact_id` are
    what we gave it when opening it."""

    payment_id: str
    succeeded: bool
    amount_cents: int
    currency: str
    invoice_id: int | None
    contact_id: int | None
    # The card's bank asks the client to confirm (3-D Secure): the browser does it with the provider's script.
    needs_action: bool = False
    client_secret: str = ""


@dataclasses.dataclass(frozen=True)
class ProviderRefund:
    """Money the provider gave back from a payment: its id, and whether it went through (`pending` counts: the
    card's bank has it; a refund that failed raises ProviderError instead, or is told by a webhook as `failed` or
    `canceled`); `payment_id`, the provider's id of the payment it came from; `reason`, the one we gave it, if any."""

    refund_id: str
    amount_cents: int
    status: str
    payment_id: str = ""
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class SavedCard:
    """A card the provider keeps for a client (to charge later with their consent): the provider's customer and
    card ids, and how to name the card to people ("Visa •••• 4242"). The card number stays with the provider."""

    customer_id: str
    method_id: str
    label: str


class PaymentProvider(Protocol):
    name: str
    publishable_key: str

    def check_keys(self) -> None:
        """A harmless call with the secret key; raises ProviderError with a sentence when it fails."""

    def open_payment(self, *, amount_cents: int, currency: str, invoice_id: int, contact_id: int | None,
                     description: str) -> PaymentSession:
        """Open a card payment of `amount_cents` for an invoice."""

    def read_webhook(self, payload: bytes, signature: str) -> ProviderPayment | ProviderRefund | None:
        """The payment or the refund a webhook tells of, after verifying its signature (BadSignature if it does
        not verify): a successful payment, or a refund made or changed (also one made in the provider's own
        dashboard); None for other events."""

    def confirm_with_token(self, payment_id: str, token: str) -> ProviderPayment:
        """Charge an open payment with the card the client's browser gave the provider (`token`: the provider's
        reference to it; the card itself never reaches this server). ProviderError when the card is declined."""

    def fetch_payment(self, payment_id: str) -> ProviderPayment:
        """The payment as the provider has it now."""

    def refund(self, payment_id: str, amount_cents: int, *, reason: str, key: str) -> ProviderRefund:
        """Give back `amount_cents` of a succeeded payment to the card it came from. `key` makes the call
        idempotent: the same key asked again gives the same refund, never a second one."""

    def save_card(self, token: str, *, description: str) -> SavedCard:
        """Keep the card the client's browser gave the provider (`token`) as a customer's card, to charge later."""

    def charge_saved_card(self, card: SavedCard, *, amount_cents: int, currency: str, invoice_id: int,
                          contact_id: int | None, description: str, idempotency_key: str) -> ProviderPayment:
        """Charge a saved card without the client present. The provider answers a second call with the same
        `idempotency_key` with the first call's answer, so a retried charge never takes the money twice.
        ProviderError when the card is declined."""

    def forget_card(self, customer_id: str) -> None:
        """Delete the customer and its card at the provider (ProviderError when it cannot be reached)."""

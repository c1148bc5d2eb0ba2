"""Stripe as the card payment provider, through the `stripe` SDK: a PaymentIntent per payment (what localstripe,
the tests' fake Stripe, can run; it has no Checkout Sessions), webhooks verified with the endpoint's signing secret.
The SDK is pointed at `config.stripe_api_base()` when it is set (localstripe in the tests). It is imported by the
methods that call it: the worker and the mailer reach this module through `settings` and should not load it at start."""
from __future__ import annotations

from typing import TYPE_CHECKING

from practice import config
from practice.i18n import _
from practice.services.payments.provider import (BadSignature, PaymentSession, ProviderError, ProviderPayment,
                                                ProviderRefund, SavedCard)

if TYPE_CHECKING:
    import stripe

TIMEOUT = 20  # seconds for one call to Stripe
SUCCEEDED = "payment_intent.succeeded"
# A refund made (by us, or by someone in Stripe's dashboard) or changed (pending, then succeeded or failed).
REFUNDED = ("refund.created", "refund.updated", "refund.failed", "charge.refund.updated")


def _number(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _said(err: stripe.StripeError) -> ProviderError:
    """The person's sentence for what Stripe answered."""
    import stripe  # noqa: PLC0415 - lazy: heavy library
    if isinstance(err, stripe.AuthenticationError):
        return ProviderError(_("Stripe refused the secret key. Copy the secret key (it starts with sk_) from the "
                               "Developers → API keys page of your Stripe account."))
    if isinstance(err, stripe.APIConnectionError):
        return ProviderError(_("Stripe could not be reached. Check this server's internet connection, then try "
                               "again."))
    if isinstance(err, stripe.CardError):
        return ProviderError(_("The card was declined: {reason}").format(reason=err.user_message or ""))
    return ProviderError(_("Stripe refused the request: {reason}").format(
        reason=getattr(err, "user_message", None) or str(err)[:200]))


class StripeProvider:
    """One firm's Stripe account (its secret key, publishable key and webhook signing secret)."""

    name = "stripe"

    def __init__(self, *, secret_key: str, publishable_key: str = "", webhook_secret: str = "",
                 api_base: str | None = None) -> None:
        import stripe  # noqa: PLC0415 - lazy: heavy library
        self.publishable_key, self.webhook_secret = publishable_key, webhook_secret
        base = config.stripe_api_base() if api_base is None else api_base
        self.client = stripe.StripeClient(secret_key, base_addresses={"api": base} if base else None,
                                          max_network_retries=1, http_client=stripe.RequestsClient(timeout=TIMEOUT))

    def check_keys(self) -> None:
        import stripe  # noqa: PLC0415 - lazy: heavy library
        if not self.publishable_key.startswith("pk_"):
            raise ProviderError(_("The publishable key starts with pk_: copy it from the Developers → API keys page "
                                  "of your Stripe account."))
        if not self.webhook_secret.startswith("whsec_"):
            raise ProviderError(_("The webhook signing secret starts with whsec_: Stripe shows it on the page of "
                                  "the webhook endpoint you add for this app."))
        try:
            self.client.v1.balance.retrieve()
        except stripe.StripeError as err:
            raise _said(err) from None

    def open_payment(self, *, amount_cents: int, currency: str, invoice_id: int, contact_id: int | None,
                     description: str) -> PaymentSession:
        import stripe  # noqa: PLC0415 - lazy: heavy library
        metadata = {"invoice_id": str(invoice_id), "description": description[:400]}
        if contact_id is not None:
            metadata["contact_id"] = str(contact_id)
        try:
            intent = self.client.v1.payment_intents.create(params={
                "amount": amount_cents, "currency": currency, "payment_method_types": ["card"],
                "metadata": metadata})
        except stripe.StripeError as err:
            raise _said(err) from None
        return PaymentSession(intent.id, intent.client_secret, self.publishable_key, amount_cents, currency)

    def read_webhook(self, payload: bytes, signature: str) -> ProviderPayment | None:
        import stripe  # noqa: PLC0415 - lazy: heavy library
        if not self.webhook_secret:
            raise BadSignature(_("Card payments are not set up: there is no webhook signing secret."))
        try:
            event = stripe.Webhook.construct_event(payload, signature or "", self.webhook_secret)
        except (stripe.SignatureVerificationError, ValueError):
            raise BadSignature(_("The webhook's signature does not match the signing secret.")) from None
        if event.type == SUCCEEDED:
            return _payment(event.data.object.to_dict())
        if event.type in REFUNDED:
            refund = event.data.object.to_dict()
            return ProviderRefund(str(refund.get("id") or ""), int(refund.get("amount") or 0),
                                  str(refund.get("status") or ""), payment_id=str(refund.get("payment_intent") or ""),
                                  reason=str((refund.get("metadata") or {}).get("reason") or ""))
        return None

    def confirm_with_token(self, payment_id: str, token: str) -> ProviderPayment:
        # A card token (Stripe.js createToken) becomes a customer's card, which a PaymentIntent can charge: the path
        # both Stripe and localstripe run (localstripe's Stripe.js cannot confirm a PaymentIntent with a card).
        import stripe  # noqa: PLC0415 - lazy: heavy library
        try:
            customer = self.client.v1.customers.create(params={"source": token})
            self.client.v1.payment_intents.update(payment_id, params={"customer": customer.id,
                                                                      "payment_method": customer.default_source})
            intent = self.client.v1.payment_intents.confirm(payment_id)
        except stripe.StripeError as err:
            raise _said(err) from None
        return _payment(intent.to_dict())

    def fetch_payment(self, payment_id: str) -> ProviderPayment:
        import stripe  # noqa: PLC0415 - lazy: heavy library
        try:
            intent = self.client.v1.payment_intents.retrieve(payment_id)
        except stripe.StripeError as err:
            raise _said(err) from None
        return _payment(intent.to_dict())

    def refund(self, payment_id: str, amount_cents: int, *, reason: str, key: str) -> ProviderRefund:
        # Stripe's own `reason` is a short list (duplicate, fraudulent, requested_by_customer): ours goes in metadata.
        import stripe  # noqa: PLC0415 - lazy: heavy library
        try:
            refund = self.client.v1.refunds.create(
                params={"payment_intent": payment_id, "amount": amount_cents, "metadata": {"reason": reason[:400]}},
                options={"idempotency_key": key})
        except stripe.StripeError as err:
            raise _said(err) from None
        if refund.status in ("failed", "canceled"):
            raise ProviderError(_("Stripe could not refund the payment (the refund {status}).").format(
                status=refund.status))
        return ProviderRefund(refund.id, int(refund.amount), str(refund.status), payment_id=payment_id)

    def save_card(self, token: str, *, description: str) -> SavedCard:
        # The token's card (Stripe.js createToken in the client's browser) becomes a customer's default card.
        import stripe  # noqa: PLC0415 - lazy: heavy library
        try:
            card = (self.client.v1.tokens.retrieve(token).to_dict().get("card") or {})
            customer = self.client.v1.customers.create(params={"source": token, "description": description[:300]})
        except stripe.StripeError as err:
            raise _said(err) from None
        label = f"{card.get('brand') or 'Card'} •••• {card.get('last4') or '····'}"
        return SavedCard(customer.id, str(customer.default_source or ""), label)

    def charge_saved_card(self, card: SavedCard, *, amount_cents: int, currency: str, invoice_id: int,
                          contact_id: int | None, description: str, idempotency_key: str) -> ProviderPayment:
        import stripe  # noqa: PLC0415 - lazy: heavy library
        metadata = {"invoice_id": str(invoice_id), "description": description[:400], "key": idempotency_key}
        if contact_id is not None:
            metadata["contact_id"] = str(contact_id)
        try:
            intent = self.client.v1.payment_intents.create(
                params={"amount": amount_cents, "currency": currency, "customer": card.customer_id,
                        "payment_method": card.method_id, "payment_method_types": ["card"], "confirm": True,
                        "off_session": True, "metadata": metadata},
                options={"idempotency_key": idempotency_key})
        except stripe.StripeError as err:
            raise _said(err) from None
        return _payment(intent.to_dict())

    def forget_card(self, customer_id: str) -> None:
        import stripe  # noqa: PLC0415 - lazy: heavy library
        try:
            self.client.v1.customers.delete(customer_id)
        except stripe.InvalidRequestError:
            return  # gone already
        except stripe.StripeError as err:
            raise _said(err) from None


def _payment(intent: dict) -> ProviderPayment:
    metadata = intent.get("metadata") or {}
    succeeded = intent.get("status") == "succeeded"
    # Stripe tells what it took in amount_received; localstripe only has amount (all of it, once succeeded).
    amount = intent.get("amount_received") if "amount_received" in intent else intent.get("amount") if succeeded else 0
    return ProviderPayment(payment_id=str(intent.get("id") or ""), succeeded=succeeded, amount_cents=int(amount or 0),
                           currency=str(intent.get("currency") or ""), invoice_id=_number(metadata.get("invoice_id")),
                           contact_id=_number(metadata.get("contact_id")),
                           needs_action=intent.get("status") == "requires_action",
                           client_secret=str(intent.get("client_secret") or ""))


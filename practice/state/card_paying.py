"""Paying an invoice by card in the portal: open the payment of what is due, show the provider's card fields, charge
the token they give (its 3-D Secure step if the bank asks), record the payment once (services/payments/online; the
card goes from the provider's fields to the provider, never through here). A state mixin of the portal's Invoices
page and of a proposal paid when signing; the page's state says who pays (`_card_actor`) and what follows a payment
(`_card_paid`)."""
from __future__ import annotations

import asyncio

import reflex as rx

from practice import config
from practice.i18n import _
from practice.services.formatting import format_money
from practice.services.payments import online
from practice.services.payments.provider import ProviderPayment
from practice.state import card_fields
from practice.state.base import CONTACT, allow, read, run, shown_in


def said(result: dict, otherwise: str) -> str:
    """What the provider's script said went wrong (its own words, in the client's language), else `otherwise`."""
    return str(result.get("error") or "")[:300] or otherwise


class CardPaying(rx.State, mixin=True):
    # The invoice being paid by card (0: none), what the payment is for, and how it goes.
    card_invoice_id: int = 0
    card_amount: str = ""
    card_error: str = ""
    card_paying: bool = False
    card_notice: str = ""
    _payment_id: str = ""

    def _card_actor(self):
        """The contact paying (the page's state may narrow it to the account of what is paid)."""
        return self._require()

    def _card_paid(self, actor) -> None:
        """What the page shows once a payment is recorded (nothing more by default)."""

    def _card_reset(self) -> None:
        self.card_invoice_id, self.card_error, self.card_notice, self._payment_id = 0, "", "", ""

    def _card_start(self, actor, invoice_id: int):
        """Open a card payment of what is due on the invoice; the event that shows the provider's card fields."""
        opened = read(online.start_card_payment, actor, invoice_id if isinstance(invoice_id, int) else 0)
        self._payment_id, self.card_invoice_id = opened.payment_id, invoice_id
        self.card_amount = format_money(opened.amount_cents)
        return card_fields.mount(opened.publishable_key, config.stripe_js_url())

    @allow(CONTACT)
    def start_card(self, invoice_id: int):
        """Open a card payment of what is due on the invoice and show the provider's card fields."""
        actor = self._card_actor()
        self.error = self.card_error = self.card_notice = ""
        with shown_in(self, "error"):
            return self._card_start(actor, invoice_id)

    @allow(CONTACT)
    def cancel_card(self):
        self.card_invoice_id, self.card_error, self._payment_id = 0, "", ""

    def _finish(self, actor, paid: ProviderPayment) -> None:
        run(online.record_for, actor, paid)
        self.card_notice = _("Thank you: {amount} paid by card.").format(amount=format_money(paid.amount_cents))
        self.card_invoice_id, self._payment_id = 0, ""
        self._card_paid(actor)

    @allow(CONTACT)
    async def card_token(self, result: dict | None = None):
        """The provider's token for the typed card (or what was wrong with it): charge it."""
        actor = self._card_actor()
        result = result if isinstance(result, dict) else {}
        self.card_error = "" if isinstance(result.get("token"), str) else said(
            result, _("The card could not be read: check its number, expiry date and security code."))
        if self.card_error or not self._payment_id:
            return
        self.card_paying = True
        yield
        try:
            with shown_in(self, "card_error"):
                paid = await asyncio.to_thread(read, online.pay_with_token, actor, self._payment_id, result["token"])
                if paid.needs_action:
                    yield card_fields.confirm(paid.client_secret, type(self).card_confirmed)
                elif paid.succeeded:
                    self._finish(actor, paid)
        finally:
            self.card_paying = False

    @allow(CONTACT)
    async def card_confirmed(self, result: dict | None = None):
        """After the card's 3-D Secure step: record the payment if the provider took it."""
        actor = self._card_actor()
        result = result if isinstance(result, dict) else {}
        if not self._payment_id:
            return
        with shown_in(self, "card_error"):
            paid = await asyncio.to_thread(read, online.checked_payment, actor, self._payment_id)
            if paid.succeeded:
                self._finish(actor, paid)
            else:
                self.card_error = said(result, _("The bank did not confirm the payment: the card was not charged."))

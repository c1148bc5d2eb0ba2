"""On an issued invoice: refunding all or part of a recorded payment (a dialog with the amount, what is left to
refund at most, and why; a card payment's money goes back through the payment provider), and applying the
account's unused credit to what is due. A state mixin of the invoice page, which has `inv_id`, `payments`,
`error` and `_refresh()`; the services check who may (manage invoices and payments) and how much."""
from __future__ import annotations

import asyncio

import reflex as rx

from practice.i18n import _
from practice.services.billing import credits, invoices, views
from practice.services.formatting import format_money, money_input
from practice.services.payments import refunds
from practice.state.base import STAFF, allow, run, shown_in
from practice.state.work_views import parse_id


class InvoiceMoney(rx.State, mixin=True):
    # The refund dialog: the payment (0: closed), what it is, and at most how much (as the amount field starts).
    refund_id: int = 0
    refund_text: str = ""
    refund_left: str = ""
    refund_input: str = ""
    refund_error: str = ""
    refund_busy: bool = False
    # The account's credit not used yet, and applying it here.
    credit_left: str = ""
    credit_left_cents: int = 0
    apply_input: str = ""
    apply_error: str = ""

    def _show_credit(self, credit_cents: int, due_cents: int) -> None:
        self.credit_left_cents, self.credit_left = credit_cents, format_money(credit_cents)
        self.apply_input = money_input(min(credit_cents, due_cents))

    @allow(STAFF)
    def ask_refund(self, payment_id: int):
        found = next((p for p in self.payments if p.id == parse_id(payment_id) and p.refundable), None)
        if found is not None:
            self.refund_id, self.refund_error = found.id, ""
            self.refund_text = _("{what} of {amount} on {day}").format(what=found.what, amount=found.amount,
                                                                       day=found.day)
            self.refund_left, self.refund_input = found.left, found.left_input

    @allow(STAFF)
    def set_refund_open(self, value: bool):
        if value is not True:
            self.refund_id, self.refund_error = 0, ""

    @allow(STAFF)
    async def confirm_refund(self, form: dict):
        """The provider is asked in a worker thread and outside any write transaction (it may take seconds to
        answer); the button waits meanwhile."""
        form = form if isinstance(form, dict) else {}
        self.refund_error = ""
        actor = self._require()
        with shown_in(self, "refund_error"):
            amount = views.parse_amount(form.get("refund_amount"), "refund_amount")
            self.refund_busy = True
            yield
            try:
                await asyncio.to_thread(refunds.refund, actor, self.refund_id, amount_cents=amount,
                                        reason=str(form.get("refund_reason", ""))[:invoices.NAME_LIMIT])
            finally:
                self.refund_busy = False
            self.refund_id = 0
            self._refresh()
            yield rx.toast.success(_("{amount} refunded: it is due again on this invoice.")
                                   .format(amount=format_money(amount)))

    @allow(STAFF)
    def apply_credit(self, form: dict):
        form = form if isinstance(form, dict) else {}
        self.apply_error = ""
        with shown_in(self, "apply_error"):
            amount = views.parse_amount(form.get("apply_amount"), "apply_amount")
            run(credits.apply_credit, self._require(), self.inv_id, amount_cents=amount)
            self._refresh()
            return rx.toast.success(_("{amount} of credit applied.").format(amount=format_money(amount)))

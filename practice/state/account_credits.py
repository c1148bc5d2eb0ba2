"""The account page's credits (members who see billing): the credit notes given to the account, what is left of
them, giving a new one (an amount and why; those who manage invoices and payments) and withdrawing one given by
mistake while none of it is applied, after a question. A credit is applied to an
invoice from the invoice's page. A state mixin of the account page, which has `acct_id` and `_refresh()`."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice.i18n import _
from practice.services.billing import credits, invoices, views
from practice.services.formatting import format_date, format_money
from practice.state.base import STAFF, allow, run, shown_in


@dataclasses.dataclass
class CreditItem:
    id: int = 0
    day: str = ""
    reason: str = ""
    amount: str = ""
    left: str = ""
    unused: bool = False  # none of it applied yet: it can be withdrawn


def credit_view(session, actor, account_id: int) -> tuple[int, list] | None:
    """The account's unused credit and its credit notes, for one who sees billing (None for others)."""
    if not getattr(actor, "sees_billing", False):
        return None
    return credits.credit_left(session, actor, account_id), credits.account_credits(session, actor, account_id)


class AccountCredits(rx.State, mixin=True):
    credit_items: list[CreditItem] = []
    credit_total: str = ""
    account_credit_error: str = ""
    account_credit_key: int = 0
    # The credit about to be withdrawn (0: none) and what the question names.
    withdraw_credit_id: int = 0
    withdraw_credit_text: str = ""

    def _show_credits(self, found) -> None:
        left, notes = found if found else (0, [])
        self.credit_total = format_money(left) if left else ""
        self.credit_items = [CreditItem(id=n.id, day=format_date(n.issued_on), reason=n.reason,
                                        amount=format_money(n.amount_cents),
                                        left=format_money(n.amount_cents - n.applied_cents),
                                        unused=n.applied_cents == 0) for n in notes]

    @allow(STAFF)
    def give_account_credit(self, form: dict):
        form = form if isinstance(form, dict) else {}
        self.account_credit_error = ""
        with shown_in(self, "account_credit_error"):
            amount = views.parse_amount(form.get("credit_amount"), "credit_amount")
            run(credits.give_account_credit, self._require(), self.acct_id, amount_cents=amount,
                reason=str(form.get("credit_reason", ""))[:invoices.NAME_LIMIT])
            self.account_credit_key += 1
            self._refresh()
            return rx.toast.success(_("{amount} of credit given.").format(amount=format_money(amount)))

    @allow(STAFF)
    def ask_withdraw_credit(self, credit_id: int):
        """Ask before withdrawing a credit none of which is applied (the service checks the right and the rest)."""
        found = next((c for c in self.credit_items if c.id == credit_id and c.unused), None)
        self.withdraw_credit_id = found.id if found else 0
        self.withdraw_credit_text = f"{found.amount} · {found.reason}" if found else ""

    @allow(STAFF)
    def set_withdraw_credit_open(self, value: bool):
        if not value:
            self.withdraw_credit_id = 0

    @allow(STAFF)
    def confirm_withdraw_credit(self):
        credit_id, self.withdraw_credit_id = self.withdraw_credit_id, 0
        self.account_credit_error = ""
        if credit_id:
            with shown_in(self, "account_credit_error"):
                run(credits.withdraw_credit, self._require(), credit_id)
                self._refresh()
                return rx.toast.success(_("Credit withdrawn: the balance no longer counts it."))

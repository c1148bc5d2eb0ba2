"""What each account owes the firm: the sum due on its issued invoices (sent or partly paid), in integer cents.

The `account.balance` rule fact and the billing pages read it from here, so a rule and a page see one number. An
invoice keeps its total, its payments and its credits (practice/services/billing/invoices.py keeps them in step
with its lines and payment rows), so a balance is one indexed sum, never a walk through lines or payments."""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from sqlalchemy import func, select
from sqlmodel import Session

from practice.models import Invoice, InvoiceStatus

# Invoices whose rest is owed: a draft is not issued yet, a paid one owes nothing, a void one never will.
OWING = (InvoiceStatus.sent, InvoiceStatus.partly_paid)
DUE = Invoice.total_cents - Invoice.paid_cents - Invoice.credited_cents


def balances(session: Session, account_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Cents due per account (accounts owing nothing are left out); all accounts when `account_ids` is None."""
    stmt = (select(Invoice.account_id, func.sum(DUE)).where(Invoice.status.in_(OWING))
            .group_by(Invoice.account_id))
    if account_ids is not None:
        ids = list(account_ids)
        if not ids:
            return {}
        stmt = stmt.where(Invoice.account_id.in_(ids))
    return {account_id: int(due) for account_id, due in session.execute(stmt) if due}


def balance(session: Session, account_id: int) -> int:
    """Cents the account owes."""
    return balances(session, [account_id]).get(account_id, 0)


def as_fact(cents: int) -> Decimal:
    """A balance as the rules read it: dollars, exactly (`account.balance > 500`)."""
    return Decimal(cents) / 100

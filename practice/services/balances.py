"""What each account owes the firm: the sum due on its issued invoices (sent or partly paid), less the credit it
was given and has not applied to an invoice yet (its credit notes' unapplied amounts), in integer cents. A balance
may be below zero: the account then has credit in hand (more credit than it owes), which later invoices can use.

The `account.balance` rule fact and the billing pages read it from here, so a rule and a page see one number. An
invoice keeps its total, its payments and its credits (practice/services/billing/invoices.py keeps them in step
with its lines and payment rows), so a balance is one indexed sum, never a walk through lines or payments."""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from sqlalchemy import func, select
from sqlmodel import Session

from practice.models import CreditNote, Invoice, InvoiceStatus

# Invoices whose rest is owed: a draft is not issued yet, a paid one owes nothing, a void one never will.
OWING = (InvoiceStatus.sent, InvoiceStatus.partly_paid)
DUE = Invoice.total_cents - Invoice.paid_cents - Invoice.credited_cents


def _sums(session: Session, stmt, column, account_ids: Iterable[int] | None) -> dict[int, int]:
    if account_ids is not None:
        ids = list(account_ids)
        if not ids:
            return {}
        stmt = stmt.where(column.in_(ids))
    return {account_id: int(cents) for account_id, cents in session.execute(stmt) if cents}


def unapplied_credits(session: Session, account_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Cents of credit per account not applied to an invoice yet (accounts without any left out)."""
    stmt = (select(CreditNote.account_id, func.sum(CreditNote.amount_cents - CreditNote.applied_cents))
            .group_by(CreditNote.account_id))
    return _sums(session, stmt, CreditNote.account_id, account_ids)


def balances(session: Session, account_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Cents owed per account, its unapplied credit taken off (accounts at 0 are left out; below 0: credit in
    hand); all accounts when `account_ids` is None."""
    stmt = (select(Invoice.account_id, func.sum(DUE)).where(Invoice.status.in_(OWING))
            .group_by(Invoice.account_id))
    owed = _sums(session, stmt, Invoice.account_id, account_ids)
    for account_id, credit in unapplied_credits(session, account_ids).items():
        owed[account_id] = owed.get(account_id, 0) - credit
    return {account_id: cents for account_id, cents in owed.items() if cents}


def balance(session: Session, account_id: int) -> int:
    """Cents the account owes, less its unapplied credit (below 0: credit in hand)."""
    return balances(session, [account_id]).get(account_id, 0)


def as_fact(cents: int) -> Decimal:
    """A balance as the rules read it: dollars, exactly (`account.balance > 500`)."""
    return Decimal(cents) / 100

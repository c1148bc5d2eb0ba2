"""What each account owes the firm: the sum due on its issued invoices (sent or partly paid), less the credit it
was given and has not applied to an invoice yet (its credit notes' unapplied amounts), in integer cents. A balance
may be below zero: the account then has credit in hand (more credit than it owes), which later invoices can use.

The `account.balance` rule fact and the billing pages read it from here, so a rule and a page see one number. An
invoice keeps its total, its payments and its credits (practice/services/billing/invoices.py keeps them in step
with its lines and payment rows), so a balance is one indexed sum, never a walk through lines or payments."""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from sqlalchemy import func, select, union_all
from sqlmodel import Session

from practice.models import CreditNote, Invoice, InvoiceStatus

# Invoices whose rest is owed: a draft is not issued yet, a paid one owes nothing, a void one never will.
OWING = (InvoiceStatus.sent, InvoiceStatus.partly_paid)
DUE = Invoice.total_cents - Invoice.paid_cents - Invoice.credited_cents


def _filtered(stmt, column, account_ids: list[int] | None):
    return stmt if account_ids is None else stmt.where(column.in_(account_ids))


def unapplied_credits(session: Session, account_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Cents of credit per account not applied to an invoice yet (accounts without any left out)."""
    ids = None if account_ids is None else list(account_ids)
    if ids == []:
        return {}
    stmt = _filtered(select(CreditNote.account_id, func.sum(CreditNote.amount_cents - CreditNote.applied_cents))
                     .group_by(CreditNote.account_id), CreditNote.account_id, ids)
    return {account_id: int(cents) for account_id, cents in session.execute(stmt) if cents}


def _signed_rows(account_ids: list[int] | None):
    """Each open invoice's rest due (+) and each credit note's unapplied part (-), with its account."""
    owed = _filtered(select(Invoice.account_id.label("account_id"), DUE.label("cents"))
                     .where(Invoice.status.in_(OWING)), Invoice.account_id, account_ids)
    credit = _filtered(select(CreditNote.account_id.label("account_id"),
                              (CreditNote.applied_cents - CreditNote.amount_cents).label("cents")),
                       CreditNote.account_id, account_ids)
    return union_all(owed, credit).subquery()


def balances(session: Session, account_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Cents owed per account, its unapplied credit taken off (accounts at 0 are left out; below 0: credit in
    hand); all accounts when `account_ids` is None. One statement, whatever the number of accounts."""
    ids = None if account_ids is None else list(account_ids)
    if ids == []:
        return {}
    both = _signed_rows(ids)
    stmt = select(both.c.account_id, func.sum(both.c.cents)).group_by(both.c.account_id)
    return {account_id: int(cents) for account_id, cents in session.execute(stmt) if cents}


def owing_account_ids():
    """The accounts whose balance (as `balances` works it out: due less unapplied credit) is above 0, as a
    subquery for a list's filter, so "owes money" agrees with the balance shown."""
    both = _signed_rows(None)
    return select(both.c.account_id).group_by(both.c.account_id).having(func.sum(both.c.cents) > 0)


def balance(session: Session, account_id: int) -> int:
    """Cents the account owes, less its unapplied credit (below 0: credit in hand)."""
    return balances(session, [account_id]).get(account_id, 0)


def as_fact(cents: int) -> Decimal:
    """A balance as the rules read it: dollars, exactly (`account.balance > 500`)."""
    return Decimal(cents) / 100

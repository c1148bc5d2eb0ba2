"""The Accounts list's balance column and its "owes money" filter, through the services the page calls: what each
account owes after an invoice and a partial payment (and the filter agreeing with it when the account has credit
not applied yet), in one aggregate for the page (never a query per account), and
nothing of it for an employee without the "see billing" right, who cannot filter by it either."""
from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import event

from practice.db import get_engine, read_session, write_session
from practice.services.billing import credits, invoices
from practice.services.errors import PermissionDenied
from practice.services.work import accounts
from practice.state.accounts import accounts_page
from tests.factories import actor_of, make_account, make_firm, make_member


def three_accounts(monkeypatch):
    """Jones (an invoice of $900, $300 paid), Smith (a paid invoice), Young (nothing); an employee who sees every
    account but not billing."""
    with write_session() as s:
        staff = make_firm(s)
        owner = staff["owner"]
        ids = {name: make_account(s, owner, name=name).id for name in ("Jones", "Smith", "Young")}
        clerk = actor_of(make_member(s, role="employee", name="Clerk", can_view_all_accounts=True))
        jones = invoices.save_draft(s, owner, account_id=ids["Jones"], lines=[{"name": "Tax return", "rate": "900"}])
        invoices.issue(s, owner, jones.id)
        smith = invoices.save_draft(s, owner, account_id=ids["Smith"], lines=[{"name": "Advice", "rate": "150"}])
        invoices.issue(s, owner, smith.id)
    with write_session() as s:
        invoices.record_payment(s, owner, jones.id, amount_cents=30000, method="check")
        invoices.record_payment(s, owner, smith.id, amount_cents=15000, method="bank_transfer")
    return {**staff, **ids, "clerk": clerk}


pytestmark = pytest.mark.firm(build=three_accounts)


def listed(actor, **query) -> dict[str, int | None]:
    with read_session() as s:
        rows, _total = accounts.list_accounts(s, actor, with_balance=True, **query)
    return {r.name: r.balance_cents for r in rows}


def test_each_account_shows_what_it_owes_after_an_invoice_and_a_partial_payment(firm):
    assert listed(firm["owner"]) == {"Jones": 60000, "Smith": 0, "Young": 0}
    # The page's own read (with its custom-field columns) and the money as the list shows it.
    with read_session() as s:
        rows, total, _values = accounts_page(s, firm["owner"], {}, search="", tag_id=None, page=1, owing=False)
    assert total == 3 and [r.balance_cents for r in rows] == [60000, 0, 0]


def test_the_owes_money_filter_keeps_only_the_accounts_with_something_due(firm):
    assert listed(firm["owner"], owing=True) == {"Jones": 60000}
    with read_session() as s:
        assert accounts.list_accounts(s, firm["owner"], owing=True)[1] == 1


def test_the_owes_money_filter_agrees_with_the_balance_when_the_account_has_credit(firm):
    """Unapplied credit comes off the balance, and so off the filter: Jones owes $600 and is given $600 of credit,
    so its balance is $0 and it no longer owes money; Smith, with nothing due, given credit, stays off the list; a
    credit less than what is due leaves the account listed with the rest."""
    with write_session() as s:
        credits.give_account_credit(s, firm["owner"], firm["Jones"], amount_cents=60000, reason="Goodwill")
        credits.give_account_credit(s, firm["owner"], firm["Smith"], amount_cents=5000, reason="Goodwill")
    assert listed(firm["owner"]) == {"Jones": 0, "Smith": -5000, "Young": 0}
    assert listed(firm["owner"], owing=True) == {}
    with write_session() as s:
        young = invoices.save_draft(s, firm["owner"], account_id=firm["Young"], lines=[{"name": "Advice", "rate": "200"}])
        invoices.issue(s, firm["owner"], young.id)
        credits.give_account_credit(s, firm["owner"], firm["Young"], amount_cents=5000, reason="Goodwill")
    assert listed(firm["owner"], owing=True) == {"Young": 15000}
    with read_session() as s:
        assert accounts.list_accounts(s, firm["owner"], owing=True)[1] == 1


def test_an_employee_who_does_not_see_billing_gets_no_balances_and_cannot_filter_by_them(firm):
    assert listed(firm["clerk"]) == {"Jones": None, "Smith": None, "Young": None}
    with read_session() as s, pytest.raises(PermissionDenied):
        accounts.list_accounts(s, firm["clerk"], owing=True)
    # Given the right, the same employee sees them.
    assert listed(dataclasses.replace(firm["clerk"], can_see_billing=True)) == {"Jones": 60000, "Smith": 0, "Young": 0}


def test_the_balances_of_a_page_are_one_statement_whatever_the_number_of_accounts(firm):
    with write_session() as s:
        for i in range(30):
            make_account(s, firm["owner"], name=f"Zed {i:02d}")
    statements: list[str] = []

    def count(conn, cursor, statement, *rest):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        with read_session() as s:
            rows, _total = accounts.list_accounts(s, firm["owner"], with_balance=True)
        with_balances = len(statements)
        statements.clear()
        with read_session() as s:
            accounts.list_accounts(s, firm["owner"])
        without = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(rows) == 25
    assert with_balances == without + 1, (with_balances, without)
    assert [r.balance_cents for r in rows[:3]] == [60000, 0, 0]

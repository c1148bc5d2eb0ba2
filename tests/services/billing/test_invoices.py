"""Invoices through the services: drafts from the catalog or typed, line arithmetic in cents, issuing with gapless
numbers, voiding that keeps the number, payments (partial then full) and credits, the account's balance as the
`account.balance` rule fact, the audit trail, and who may see or do what."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import AuditLog, InvoiceStatus
from practice.services import balances
from practice.services.access import team
from practice.services.billing import invoices
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from practice.services.work import catalog
from practice.services.work.facts import bulk_facts, facts_for
from tests.factories import make_firm, make_household


def two_accounts(monkeypatch):
    """Hartley Household (Carla on its team) and Other Client; Bob and Carla are employees, Ann an admin; a
    catalog of two services."""
    with write_session() as s:
        staff = make_firm(s, admins={"ann": "Ann Lee"}, employees={"bob": "Bob Stone", "carla": "Carla Diaz"})
        owner = staff["owner"]
        hartley, _ = make_household(s, owner, "Hartley Household", "Hartley", ("June",),
                                    team_member_ids=[staff["carla"].member_id])
        other, _ = make_household(s, owner, "Other Client", "Other", ("Sam",))
        tax = catalog.create_service(s, owner, name="Tax return", rate_cents=90000)
        books = catalog.create_service(s, owner, name="Bookkeeping", rate_cents=25000)
    return {**staff, "hartley": hartley.id, "other": other.id, "tax": tax.id, "books": books.id}


pytestmark = pytest.mark.firm(build=two_accounts)

TWO_LINES = [{"service_id": None, "name": "Tax return"}, {"name": "Advice", "quantity": "1.5", "rate": "200"}]


def draft(firm, who="owner", account="hartley", lines=None, **kw):
    with write_session() as s:
        lines = lines or [{"service_id": firm["tax"]}, {"service_id": firm["books"], "quantity": "3",
                                                        "discount": "10", "tax": "8.25"}]
        return invoices.save_draft(s, firm[who], account_id=firm[account], lines=lines, **kw).id


def issue(firm, invoice_id, who="owner"):
    with write_session() as s:
        return invoices.issue(s, firm[who], invoice_id).number


def pay(firm, invoice_id, cents, method="check", who="owner", **kw):
    with write_session() as s:
        return invoices.record_payment(s, firm[who], invoice_id, amount_cents=cents, method=method, **kw)


def view(firm, invoice_id, who="owner"):
    with read_session() as s:
        return invoices.invoice_view(s, firm[who], invoice_id)


def owed(firm, account="hartley"):
    with read_session() as s:
        return balances.balance(s, firm[account])


def test_lines_take_the_catalog_rate_and_round_each_line_to_the_cent_once(firm):
    invoice_id = draft(firm)
    shown = view(firm, invoice_id)
    tax, books = shown.lines
    assert (tax.name, tax.quantity_hundredths, tax.rate_cents, tax.total_cents) == ("Tax return", 100, 90000, 90000)
    # 3 x $250 = $750; 10% off = $75; 8.25% of $675 = $55.6875 → $55.69
    assert (books.amount_cents, books.discount_cents, books.tax_cents, books.total_cents) == (75000, 7500, 5569, 73069)
    inv = shown.invoice
    assert (inv.subtotal_cents, inv.discount_cents, inv.tax_cents, inv.total_cents) == (165000, 7500, 5569, 163069)
    assert inv.status == InvoiceStatus.draft and inv.number is None
    # A typed line with a fractional quantity: 1.5 x $200.
    with write_session() as s:
        invoices.save_draft(s, firm["owner"], invoice_id=invoice_id, account_id=firm["hartley"],
                            lines=[{"name": "Advice", "quantity": "1.5", "rate": "200"}, {"name": ""}],
                            notes="Thank you", terms="Due in 30 days")
    shown = view(firm, invoice_id)
    assert [(line.name, line.total_cents) for line in shown.lines] == [("Advice", 30000)]
    assert (shown.invoice.total_cents, shown.invoice.notes, shown.invoice.terms) == (30000, "Thank you", "Due in 30 days")


def test_half_a_cent_rounds_up_and_arithmetic_is_integer():
    assert invoices.line_amounts(100, 1, 5000, 0) == invoices.LineAmounts(1, 1, 0, 0)
    assert invoices.line_amounts(33, 100, 0, 0).amount_cents == 33
    assert invoices.line_amounts(150, 333, 0, 0).amount_cents == 500  # 499.5 → 500
    assert invoices.line_amounts(100, 1000, 0, 825).tax_cents == 83   # 82.5 → 83


@pytest.mark.parametrize("line, words", [
    ({"name": "Advice", "quantity": "abc"}, 'Line 1: "abc" is not a quantity'),
    ({"name": "Advice", "quantity": "0"}, "Line 1: A quantity must be more than 0."),
    ({"name": "Advice", "quantity": "1.234"}, "at most two decimals"),
    ({"name": "Advice", "rate": "-5"}, "cannot be negative"),
    ({"name": "Advice", "rate": "10", "discount": "120"}, "between 0 and 100"),
    ({"name": "Advice", "rate": "10", "tax": "x"}, "is not a percentage"),
    ({"quantity": "2", "rate": "10"}, "Line 1: say what is billed"),
])
def test_bad_lines_get_a_sentence_naming_the_line(firm, line, words):
    with write_session() as s, pytest.raises(InvalidInput, match=words):
        invoices.save_draft(s, firm["owner"], account_id=firm["hartley"], lines=[line])


def test_an_empty_invoice_is_refused(firm):
    with write_session() as s, pytest.raises(InvalidInput, match="at least one line"):
        invoices.save_draft(s, firm["owner"], account_id=firm["hartley"], lines=[{"name": "", "rate": ""}])


def test_issuing_numbers_invoices_one_after_another_and_freezes_them(firm):
    first, second, third = draft(firm), draft(firm, account="other"), draft(firm)
    assert [issue(firm, first), issue(firm, third), issue(firm, second)] == [1, 2, 3]
    shown = view(firm, first).invoice
    assert shown.status == InvoiceStatus.sent and shown.issue_date is not None
    assert shown.due_date == shown.issue_date + dt.timedelta(days=30)
    with pytest.raises(Conflict, match="already sent"):
        issue(firm, first)
    with write_session() as s, pytest.raises(Conflict, match="cannot change"):
        invoices.save_draft(s, firm["owner"], invoice_id=first, account_id=firm["hartley"], lines=TWO_LINES)


def test_a_failed_issue_gives_its_number_back(firm):
    invoice_id = draft(firm)
    with pytest.raises(RuntimeError):
        with write_session() as s:
            invoices.issue(s, firm["owner"], invoice_id)
            raise RuntimeError("the disk is full")  # the transaction rolls back, number and all
    assert issue(firm, invoice_id) == 1


def test_numbering_can_start_where_the_old_system_stopped_but_only_before_the_first(firm):
    with write_session() as s, pytest.raises(PermissionDenied):
        invoices.set_first_number(s, firm["bob"], 1001)
    with write_session() as s:
        invoices.set_first_number(s, firm["owner"], 1001)
    assert issue(firm, draft(firm)) == 1001
    with write_session() as s, pytest.raises(Conflict, match="without gaps"):
        invoices.set_first_number(s, firm["owner"], 5000)


def test_partial_then_full_payment_and_the_balance_follows(firm):
    invoice_id = draft(firm)  # $1,630.69
    assert owed(firm) == 0  # a draft owes nothing
    issue(firm, invoice_id)
    assert owed(firm) == 163069
    pay(firm, invoice_id, 50000, reference="Check 1042")
    shown = view(firm, invoice_id)
    assert (shown.invoice.status, shown.due_cents, owed(firm)) == (InvoiceStatus.partly_paid, 113069, 113069)
    with pytest.raises(InvalidInput, match=r"more than the \$1,130.69 due on Invoice 1"):
        pay(firm, invoice_id, 113070)
    pay(firm, invoice_id, 113069, method="bank_transfer")
    shown = view(firm, invoice_id)
    assert (shown.invoice.status, shown.due_cents, owed(firm)) == (InvoiceStatus.paid, 0, 0)
    assert [(p.amount_cents, p.method.value, p.reference) for p in shown.payments] == [
        (50000, "check", "Check 1042"), (113069, "bank_transfer", "")]
    with pytest.raises(Conflict, match="nothing is due"):
        pay(firm, invoice_id, 100, method="cash")


def test_payments_in_the_future_or_of_nothing_are_refused(firm):
    invoice_id = draft(firm)
    issue(firm, invoice_id)
    with pytest.raises(InvalidInput, match="after today"):
        pay(firm, invoice_id, 100, received_on=dt.date.today() + dt.timedelta(days=3))
    with pytest.raises(InvalidInput, match="more than 0"):
        pay(firm, invoice_id, 0)
    with pytest.raises(InvalidInput, match="check, bank transfer or cash"):
        pay(firm, invoice_id, 100, method="bitcoin")
    assert owed(firm) == 163069


def test_a_credit_takes_off_what_is_due_and_a_mistaken_payment_can_be_removed(firm):
    invoice_id = draft(firm)
    issue(firm, invoice_id)
    with write_session() as s, pytest.raises(InvalidInput, match="why"):
        invoices.give_credit(s, firm["owner"], invoice_id, amount_cents=3069, reason=" ")
    with write_session() as s:
        invoices.give_credit(s, firm["owner"], invoice_id, amount_cents=3069, reason="Rounding goodwill")
    payment = pay(firm, invoice_id, 160000)
    shown = view(firm, invoice_id).invoice
    assert (shown.status, shown.paid_cents, shown.credited_cents) == (InvoiceStatus.paid, 160000, 3069)
    with write_session() as s:
        invoices.remove_payment(s, firm["owner"], payment.id)
    assert view(firm, invoice_id).invoice.status == InvoiceStatus.partly_paid
    assert owed(firm) == 160000


def test_void_keeps_the_number_and_owes_nothing_drafts_are_deleted_instead(firm):
    first, second = draft(firm), draft(firm)
    issue(firm, first)
    with write_session() as s, pytest.raises(Conflict, match="delete it instead"):
        invoices.void(s, firm["owner"], second)
    pay(firm, first, 100)
    with write_session() as s, pytest.raises(Conflict, match="Remove them first"):
        invoices.void(s, firm["owner"], first)
    with write_session() as s:
        invoices.remove_payment(s, firm["owner"], view(firm, first).payments[0].id)
    with write_session() as s:
        invoices.void(s, firm["owner"], first, "Billed the wrong account")
    shown = view(firm, first).invoice
    assert (shown.status, shown.number, shown.void_reason) == (InvoiceStatus.void, 1, "Billed the wrong account")
    assert owed(firm) == 0
    with write_session() as s:
        invoices.delete_draft(s, firm["owner"], second)
    with pytest.raises(NotFound):
        view(firm, second)
    assert issue(firm, draft(firm)) == 2  # the void one kept 1; nothing was skipped


def test_the_balance_is_the_account_balance_rule_fact(firm):
    invoice_id = draft(firm)
    issue(firm, invoice_id)
    pay(firm, invoice_id, 63069)
    with read_session() as s:
        assert facts_for(s, account_id=firm["hartley"])["account"]["balance"] == Decimal("1000.00")
        assert facts_for(s, account_id=firm["other"])["account"]["balance"] == Decimal(0)
        by_id = {r["account"]["id"]: r["account"]["balance"] for r in bulk_facts(s, "account")}
    assert by_id == {firm["hartley"]: Decimal("1000.00"), firm["other"]: Decimal(0)}


def test_the_list_filters_by_status_and_account(firm):
    sent, kept = draft(firm), draft(firm, account="other")
    issue(firm, sent)
    with read_session() as s:
        rows = invoices.list_invoices(s, firm["owner"])
        assert [(r.id, r.account_name, r.number) for r in rows] == [(kept, "Other Client", None),
                                                                   (sent, "Hartley Household", 1)]
        assert [r.id for r in invoices.list_invoices(s, firm["owner"], status="sent")] == [sent]
        assert [r.id for r in invoices.list_invoices(s, firm["owner"], account_id=firm["other"])] == [kept]
        with pytest.raises(InvalidInput):
            invoices.list_invoices(s, firm["owner"], status="lost")


def test_billing_rights_owner_and_admin_by_default_employees_when_given(firm):
    invoice_id = draft(firm, who="ann")
    with read_session() as s, pytest.raises(PermissionDenied, match="access to billing"):
        invoices.list_invoices(s, firm["carla"])
    with write_session() as s, pytest.raises(PermissionDenied, match="manage invoices"):
        invoices.save_draft(s, firm["carla"], account_id=firm["hartley"], lines=TWO_LINES)
    with write_session() as s, pytest.raises(PermissionDenied):  # only the owner hands out rights
        team.set_role(s, firm["ann"], firm["carla"].member_id, "employee", can_see_billing=True)
    with write_session() as s:
        team.set_role(s, firm["owner"], firm["carla"].member_id, "employee", can_see_billing=True)
        team.set_role(s, firm["owner"], firm["bob"].member_id, "employee", can_manage_billing=True)
    from practice.models import TeamMember
    from practice.services.actor import Actor
    with read_session() as s:
        carla = Actor.of(s.get(TeamMember, firm["carla"].member_id))
        bob = Actor.of(s.get(TeamMember, firm["bob"].member_id))
    # Carla reads the invoices of her accounts only, and writes none.
    with read_session() as s:
        assert [r.id for r in invoices.list_invoices(s, carla)] == [invoice_id]
    with write_session() as s, pytest.raises(PermissionDenied):
        invoices.issue(s, carla, invoice_id)
    # Bob may bill, but only accounts he sees (he is on no team and has no jobs).
    with write_session() as s, pytest.raises(NotFound):
        invoices.issue(s, bob, invoice_id)
    with write_session() as s, pytest.raises(NotFound):
        invoices.save_draft(s, bob, account_id=firm["hartley"], lines=TWO_LINES)


def test_every_step_leaves_an_audit_row_on_the_account(firm):
    invoice_id = draft(firm)
    issue(firm, invoice_id)
    pay(firm, invoice_id, 100)
    with read_session() as s:
        rows = s.exec(select(AuditLog).where(AuditLog.entity == "invoice").order_by(AuditLog.id)).all()
    assert [(r.action, r.entity_label, r.account_id) for r in rows] == [
        ("create", "Draft invoice", firm["hartley"]), ("send", "Invoice 1", firm["hartley"]),
        ("payment", "Invoice 1", firm["hartley"])]
    assert "Recorded $1.00 by check on invoice 1; $1,629.69 left due" == rows[-1].summary


def test_the_account_page_reads_the_balance_and_latest_invoices_only_with_the_right(firm):
    first, second = draft(firm), draft(firm)
    issue(firm, first)
    pay(firm, first, 63069)
    with read_session() as s:
        owed_cents, rows = invoices.account_billing(s, firm["owner"], firm["hartley"])
        assert owed_cents == 100000
        assert [(r.id, r.number, r.status, r.due_cents) for r in rows] == [
            (second, None, InvoiceStatus.draft, 0), (first, 1, InvoiceStatus.partly_paid, 100000)]
        assert invoices.account_billing(s, firm["carla"], firm["hartley"]) is None  # no billing right: nothing shown
        with pytest.raises(NotFound):
            invoices.account_billing(s, firm["owner"], 999999)

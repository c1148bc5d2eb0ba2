"""A discount on the whole invoice, refunds and credit notes through the services: the discount is taken before tax
and spread over the lines so each line explains its total; a refund gives back all or part of a payment, never more
than was paid, and the invoice is due again; a credit note is applied to open invoices like a payment (across two
of them), or kept as the account's credit; the balance is what is due less unapplied credit; `invoice is paid`
fires once whatever pays it; who may do each."""
from __future__ import annotations

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import AuditLog, Event, Invoice, InvoiceStatus
from practice.services import balances
from practice.services.billing import credits, invoices, refunds, views
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from practice.services.payments.refunds import refund as refund_payment
from tests.factories import make_firm, make_household


def firm_with_accounts(monkeypatch):
    with write_session() as s:
        staff = make_firm(s, admins={"ann": "Ann Lee"}, employees={"bob": "Bob Stone"})
        hartley, _ = make_household(s, staff["owner"], "Hartley Household", "Hartley", ("June",))
        other, _ = make_household(s, staff["owner"], "Other Client", "Other", ("Sam",))
    return {**staff, "hartley": hartley.id, "other": other.id}


pytestmark = pytest.mark.firm(build=firm_with_accounts)


def sent(firm, dollars, account="hartley", **kw):
    with write_session() as s:
        draft = invoices.save_draft(s, firm["owner"], account_id=firm[account],
                                    lines=[{"name": "Tax return", "rate": str(dollars)}], **kw)
        return invoices.issue(s, firm["owner"], draft.id).id


def pay(firm, invoice_id, cents, method="check"):
    with write_session() as s:
        return invoices.record_payment(s, firm["owner"], invoice_id, amount_cents=cents, method=method).id


def refund(firm, payment_id, cents, who="owner", reason="Paid twice"):
    return refund_payment(firm[who], payment_id, amount_cents=cents, reason=reason)


def give(firm, cents, account="hartley", reason="Goodwill"):
    with write_session() as s:
        return credits.give_account_credit(s, firm["owner"], firm[account], amount_cents=cents, reason=reason).id


def apply(firm, invoice_id, cents=None):
    with write_session() as s:
        return credits.apply_credit(s, firm["owner"], invoice_id, amount_cents=cents)


def shown(invoice_id):
    with read_session() as s:
        invoice = s.get(Invoice, invoice_id)
        return invoice.status, invoice.paid_cents, invoice.credited_cents, invoices.due_cents(invoice)


def owed(firm, account="hartley"):
    with read_session() as s:
        return balances.balance(s, firm[account])


def paid_events():
    with read_session() as s:
        return [e.payload["invoice_id"] for e in s.exec(select(Event).where(Event.kind == "invoice_paid"))]


# --- the discount on the whole invoice ------------------------------------------------------------------------


def test_a_whole_invoice_percentage_comes_off_each_line_before_its_tax(firm):
    lines = [{"name": "Tax return", "rate": "900"}, {"name": "Books", "quantity": "3", "rate": "250",
                                                     "discount": "10", "tax": "8.25"}]
    with write_session() as s:
        draft = invoices.save_draft(s, firm["owner"], account_id=firm["hartley"], lines=lines,
                                    whole_discount=invoices.parse_whole_discount("percent", "10"))
        invoice_id = draft.id
    with read_session() as s:
        view = invoices.invoice_view(s, firm["owner"], invoice_id)
    tax_return, books = view.lines
    # $900 - 10% = $810. Books: $750 - $75 (its own 10%) = $675, 10% of it $67.50 off, 8.25% of $607.50 = $50.12.
    assert (tax_return.whole_discount_cents, tax_return.total_cents) == (9000, 81000)
    assert (books.whole_discount_cents, books.tax_cents, books.total_cents) == (6750, 5012, 65762)
    inv = view.invoice
    assert (inv.subtotal_cents, inv.discount_cents, inv.whole_discount_cents, inv.tax_cents, inv.total_cents) == (
        165000, 7500, 15750, 5012, 146762)
    assert inv.subtotal_cents - inv.discount_cents - inv.whole_discount_cents + inv.tax_cents == inv.total_cents
    # The editor's live figures say the same before saving.
    figures = views.figures(lines, "percent", "10")
    assert (figures.whole_discount_cents, figures.tax_cents, figures.total_cents) == (15750, 5012, 146762)
    # Saving again without saying the discount keeps it; saying none takes it off.
    with write_session() as s:
        invoices.save_draft(s, firm["owner"], account_id=firm["hartley"], lines=lines, invoice_id=invoice_id)
        assert s.get(Invoice, invoice_id).total_cents == 146762
        invoices.save_draft(s, firm["owner"], account_id=firm["hartley"], lines=lines, invoice_id=invoice_id,
                            whole_discount=invoices.parse_whole_discount("percent", ""))
        assert s.get(Invoice, invoice_id).total_cents == 163069


def test_a_whole_invoice_amount_is_shared_to_the_cent_and_never_more_than_the_lines(firm):
    lines = [{"name": "A", "rate": "100"}, {"name": "B", "rate": "100"}, {"name": "C", "rate": "100", "tax": "10"}]
    with write_session() as s:
        draft = invoices.save_draft(s, firm["owner"], account_id=firm["hartley"], lines=lines,
                                    whole_discount=invoices.parse_whole_discount("amount", "10"))
        shares = [x.whole_discount_cents for x in invoices.invoice_view(s, firm["owner"], draft.id).lines]
        assert shares == [334, 333, 333] and sum(shares) == 1000
        assert draft.total_cents == 30000 - 1000 + 967  # the third line's tax: 10% of $100 - $3.33
    with write_session() as s, pytest.raises(InvalidInput, match=r"more than its lines come to \(\$300.00\)"):
        invoices.save_draft(s, firm["owner"], account_id=firm["hartley"], lines=lines,
                            whole_discount=invoices.parse_whole_discount("amount", "300.01"))
    with pytest.raises(InvalidInput, match="between 0 and 100"):
        invoices.parse_whole_discount("percent", "120")
    with pytest.raises(InvalidInput, match="not an amount"):
        invoices.parse_whole_discount("amount", "ten")


# --- refunds -----------------------------------------------------------------------------------------------------


def test_a_part_refund_makes_the_invoice_due_again_and_the_balance_rises(firm):
    invoice_id = sent(firm, 500)
    payment_id = pay(firm, invoice_id, 50000)
    assert shown(invoice_id) == (InvoiceStatus.paid, 50000, 0, 0) and owed(firm) == 0
    refund(firm, payment_id, 12000)
    assert shown(invoice_id) == (InvoiceStatus.partly_paid, 38000, 0, 12000) and owed(firm) == 12000
    refund(firm, payment_id, 38000)
    assert shown(invoice_id) == (InvoiceStatus.sent, 0, 0, 50000) and owed(firm) == 50000
    with read_session() as s:
        rows = refunds.invoice_refunds(s, firm["owner"], invoice_id)
        audit = s.exec(select(AuditLog).where(AuditLog.action == "refund").order_by(AuditLog.id)).all()
    assert [r.amount_cents for r in rows] == [12000, 38000]
    assert audit[0].summary == ("Refunded $120.00 of the $500.00 paid by check on "
                                f"{rows[0].refunded_on} on invoice 1: Paid twice; $120.00 left due")


def test_a_refund_is_never_more_than_was_paid(firm):
    invoice_id = sent(firm, 500)
    payment_id = pay(firm, invoice_id, 30000)
    with pytest.raises(InvalidInput, match=r"more than the \$300.00 left to refund"):
        refund_payment(firm["owner"], payment_id, amount_cents=30001)
    refund(firm, payment_id, 20000)
    with pytest.raises(InvalidInput, match=r"more than the \$100.00 left to refund"):
        refund_payment(firm["owner"], payment_id, amount_cents=10001)
    refund(firm, payment_id, 10000)
    with pytest.raises(Conflict, match="already refunded in full"):
        refund_payment(firm["owner"], payment_id, amount_cents=1)
    with pytest.raises(InvalidInput, match="more than 0"):
        refund_payment(firm["owner"], payment_id, amount_cents=0)
    assert shown(invoice_id) == (InvoiceStatus.sent, 0, 0, 50000)
    # A refunded payment stays (with its refund); a credit is removed, never refunded.
    with write_session() as s, pytest.raises(Conflict, match="refunded: it stays"):
        invoices.remove_payment(s, firm["owner"], payment_id)
    with write_session() as s:
        credit = invoices.give_credit(s, firm["owner"], invoice_id, amount_cents=100, reason="Typo")
    with pytest.raises(Conflict, match="remove it instead"):
        refund_payment(firm["owner"], credit.id, amount_cents=100)


def test_a_refund_then_a_repayment_pays_the_invoice_and_tells_it_once(firm):
    invoice_id = sent(firm, 200)
    first = pay(firm, invoice_id, 20000)
    assert paid_events() == [invoice_id]
    refund(firm, first, 20000)
    assert shown(invoice_id) == (InvoiceStatus.sent, 0, 0, 20000) and owed(firm) == 20000
    pay(firm, invoice_id, 20000, method="bank_transfer")
    assert shown(invoice_id) == (InvoiceStatus.paid, 20000, 0, 0) and owed(firm) == 0
    assert paid_events() == [invoice_id]  # once, not again for the repayment


def test_refunds_are_for_those_who_manage_invoices_and_payments(firm):
    invoice_id = sent(firm, 100)
    payment_id = pay(firm, invoice_id, 10000)
    with pytest.raises(PermissionDenied, match="manage invoices"):
        refund_payment(firm["bob"], payment_id, amount_cents=100)
    with pytest.raises(NotFound):
        refund_payment(firm["owner"], 999999, amount_cents=100)
    refund(firm, payment_id, 100, who="ann")
    with write_session() as s, pytest.raises(Conflict, match="through the payment provider"):
        refunds.record_refund(s, firm["owner"], payment_id, amount_cents=100, provider_refund_id="re_made_up")


# --- credit notes -------------------------------------------------------------------------------------------------


def test_a_credit_note_applied_across_two_invoices_pays_the_first_once_and_part_of_the_second(firm):
    first, second = sent(firm, 100), sent(firm, 300)
    assert owed(firm) == 40000
    note = give(firm, 25000)
    assert owed(firm) == 15000  # owed less the credit not applied yet
    apply(firm, first)          # as much as is due: $100
    assert shown(first) == (InvoiceStatus.paid, 0, 10000, 0) and paid_events() == [first]
    apply(firm, second)         # the $150 left
    assert shown(second) == (InvoiceStatus.partly_paid, 0, 15000, 15000)
    with read_session() as s:
        assert credits.unapplied_credit(s, firm["hartley"]) == 0
        assert [(n.id, n.applied_cents) for n in credits.account_credits(s, firm["owner"], firm["hartley"])] == [
            (note, 25000)]
    assert owed(firm) == 15000
    with write_session() as s, pytest.raises(Conflict, match="no credit left"):
        credits.apply_credit(s, firm["owner"], second)
    with write_session() as s, pytest.raises(Conflict, match="Nothing is due on Invoice 1"):
        credits.apply_credit(s, firm["owner"], first)
    assert paid_events() == [first]


def test_the_balance_is_what_is_due_less_unapplied_credit_and_may_go_below_zero(firm):
    first, second = sent(firm, 100), sent(firm, 50)
    pay(firm, second, 2000)
    give(firm, 5000)
    give(firm, 2500, account="other")
    with read_session() as s:
        rows = s.exec(select(Invoice).where(Invoice.account_id == firm["hartley"])).all()
        due = sum(invoices.due_cents(i) for i in rows)
        assert due == 10000 + 3000
        assert balances.balance(s, firm["hartley"]) == due - credits.unapplied_credit(s, firm["hartley"]) == 8000
        assert balances.balance(s, firm["other"]) == -2500  # credit in hand
        assert balances.balances(s) == {firm["hartley"]: 8000, firm["other"]: -2500}
    # Applying credit moves it onto an invoice: the balance stays the same.
    apply(firm, first, 4000)
    assert owed(firm) == 8000 and shown(first) == (InvoiceStatus.partly_paid, 0, 4000, 6000)
    # Removing an applied credit gives it back to its note.
    with read_session() as s:
        row = invoices.invoice_view(s, firm["owner"], first).payments[0]
    with write_session() as s:
        invoices.remove_payment(s, firm["owner"], row.id)
        assert credits.unapplied_credit(s, firm["hartley"]) == 5000
    assert owed(firm) == 8000 and shown(first) == (InvoiceStatus.sent, 0, 0, 10000)


def test_applying_credit_is_checked_against_the_credit_and_what_is_due(firm):
    invoice_id = sent(firm, 100)
    with write_session() as s, pytest.raises(Conflict, match="no credit left"):
        credits.apply_credit(s, firm["owner"], invoice_id)
    note = give(firm, 30000)
    with write_session() as s, pytest.raises(InvalidInput, match=r"more than the \$100.00 due"):
        credits.apply_credit(s, firm["owner"], invoice_id, amount_cents=10001)
    with write_session() as s, pytest.raises(InvalidInput, match=r"more than the \$300.00 of credit"):
        credits.apply_credit(s, firm["owner"], invoice_id, amount_cents=30001)
    with write_session() as s, pytest.raises(InvalidInput, match="Say why"):
        credits.give_account_credit(s, firm["owner"], firm["hartley"], amount_cents=100, reason=" ")
    with write_session() as s, pytest.raises(PermissionDenied):
        credits.give_account_credit(s, firm["bob"], firm["hartley"], amount_cents=100, reason="No")
    with write_session() as s, pytest.raises(PermissionDenied):
        credits.apply_credit(s, firm["bob"], invoice_id)
    apply(firm, invoice_id, 100)
    with write_session() as s, pytest.raises(Conflict, match="Remove it from the invoice first"):
        credits.withdraw_credit(s, firm["owner"], note)
    other = give(firm, 700)
    with write_session() as s:
        credits.withdraw_credit(s, firm["owner"], other)
    assert owed(firm) == 10000 - 100 - 29900

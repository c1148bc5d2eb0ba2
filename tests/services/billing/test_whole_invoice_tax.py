"""The tax on the whole invoice through the services: one rate, after all discounts, on every line without a rate of
its own, worked out once on those lines and shared over them so the lines' shares add up to the invoice's tax to
the cent; a line with its own rate keeps it; the balance, the `account.balance` fact, the PDF and the portal include
it; an invoice
template and a recurring series carry it to the invoices they issue; bad rates get a sentence (in French too);
and, for any lines, the totals add up and no tax is negative."""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlmodel import select

from practice import i18n
from practice.db import read_session, write_session
from practice.models import Invoice, InvoiceLine
from practice.services import balances
from practice.services.automation import compiled
from practice.services.billing import delivery, from_rules, invoices, recurring, templates, views
from practice.services.billing.lines import WholeDiscount, _half_up, apply_whole
from practice.services.errors import Conflict, InvalidInput
from practice.services.work.facts import account_facts
from practice.state.portal_invoices import invoice_items
from tests.factories import contact_actor, make_firm, make_household

UTC = dt.timezone.utc


def one_account(monkeypatch):
    with write_session() as s:
        staff = make_firm(s)
        hartley, (june,) = make_household(s, staff["owner"], "Hartley Household", "Hartley", ("June",))
    return {**staff, "hartley": hartley.id, "june": june.id}


pytestmark = pytest.mark.firm(build=one_account)


def draft(firm, lines, tax="8.25", **kw) -> int:
    with write_session() as s:
        return invoices.save_draft(s, firm["owner"], account_id=firm["hartley"], lines=lines,
                                   whole_tax_bp=invoices.parse_whole_tax(tax), **kw).id


def saved(firm, invoice_id):
    with read_session() as s:
        view = invoices.invoice_view(s, firm["owner"], invoice_id)
        return view.invoice, view.lines


def test_awkward_cents_the_lines_shares_add_up_to_the_invoices_tax(firm):
    # 1, 2 and 3 cents at 8.25%: 0.495 cents of tax on 6 cents rounds to nothing, and nothing is given to a line.
    invoice, lines = saved(firm, draft(firm, [{"name": n, "rate": r} for n, r in (("A", "0.01"), ("B", "0.02"),
                                                                            ("C", "0.03"))]))
    assert [x.whole_tax_cents for x in lines] == [0, 0, 0] and invoice.whole_tax_cents == 0
    assert invoice.total_cents == 6
    # Three lines of $10.01: 8.25% of $30.03 is $2.477 → $2.48 on the invoice (three lines rounded alone would
    # make $2.49); the shares are 83 + 83 + 82 cents, the odd cent to the first lines.
    invoice, lines = saved(firm, draft(firm, [{"name": n, "rate": "10.01"} for n in "ABC"]))
    assert [x.whole_tax_cents for x in lines] == [83, 83, 82]
    assert invoice.whole_tax_cents == sum(x.whole_tax_cents for x in lines) == 248
    assert [x.total_cents for x in lines] == [1084, 1084, 1083]
    assert invoice.total_cents == sum(x.total_cents for x in lines) == 3003 + 248
    # Three lines of 6 cents: each alone would round to nothing, together 1.485 cents → 1 cent, given to one line.
    invoice, lines = saved(firm, draft(firm, [{"name": n, "rate": "0.06"} for n in "ABC"]))
    assert [x.whole_tax_cents for x in lines] == [1, 0, 0] and invoice.whole_tax_cents == 1


def test_a_line_with_its_own_rate_keeps_it_and_the_tax_comes_after_all_discounts(firm):
    lines = [{"name": "Tax return", "rate": "900", "discount": "10"},
             {"name": "Books", "quantity": "3", "rate": "250", "tax": "5"},
             {"name": "Filing", "rate": "100"}]
    invoice_id = draft(firm, lines, whole_discount=invoices.parse_whole_discount("amount", "50"))
    invoice, (ret, books, filing) = saved(firm, invoice_id)
    # After the line's own discount: $810, $750, $100 ($1,660); the $50 is shared 24.40 / 22.59 / 3.01.
    assert [x.whole_discount_cents for x in (ret, books, filing)] == [2440, 2259, 301]
    # Books keeps its own 5% (of $727.41 = $36.37) and no share of the invoice's tax.
    assert (books.tax_bp, books.tax_cents, books.whole_tax_cents) == (500, 3637, 0)
    # The others: 8.25% of ($785.60 + $96.99 = $882.59) = $72.81, shared 64.81 / 8.00.
    assert (ret.whole_tax_cents, filing.whole_tax_cents) == (6481, 800)
    assert (invoice.whole_tax_bp, invoice.whole_tax_cents, invoice.tax_cents) == (825, 7281, 3637)
    assert invoice.total_cents == (invoice.subtotal_cents - invoice.discount_cents - invoice.whole_discount_cents
                                   + invoice.tax_cents + invoice.whole_tax_cents)
    # The editor's live figures say the same before saving.
    figures = views.figures(lines, "amount", "50", "8.25")
    assert (figures.whole_tax_cents, figures.tax_cents, figures.total_cents) == (7281, 3637, invoice.total_cents)
    # Saving again without saying the tax keeps it; saying none takes it off.
    with write_session() as s:
        invoices.save_draft(s, firm["owner"], account_id=firm["hartley"], lines=lines, invoice_id=invoice_id)
        assert s.get(Invoice, invoice_id).whole_tax_cents == 7281
        invoices.save_draft(s, firm["owner"], account_id=firm["hartley"], lines=lines, invoice_id=invoice_id,
                            whole_tax_bp=0)
        assert s.get(Invoice, invoice_id).whole_tax_cents == 0


def test_the_balance_and_the_rule_fact_include_the_tax_and_a_sent_invoice_is_frozen(firm):
    invoice_id = draft(firm, [{"name": "Tax return", "rate": "1000"}])
    with write_session() as s:
        invoices.issue(s, firm["owner"], invoice_id)
    with read_session() as s:
        assert balances.balance(s, firm["hartley"]) == 108250
        assert account_facts(s, firm["hartley"])["balance"] == Decimal("1082.50")
        html = delivery.invoice_html(s, s.get(Invoice, invoice_id))
    assert "Tax 8.25%" in html and "$82.50" in html and "$1,082.50" in html
    # The portal shows the client the same row and amount.
    who = dataclasses.replace(contact_actor(firm["june"]), current_account_id=firm["hartley"])
    with read_session() as s:
        [item] = invoice_items(delivery.portal_invoices(s, who))
    assert (item.whole_tax_label, item.whole_tax, item.tax, item.total) == ("Tax 8.25 %", "$82.50", "", "$1,082.50")
    with write_session() as s, pytest.raises(Conflict, match="was sent"):
        invoices.save_draft(s, firm["owner"], account_id=firm["hartley"], lines=[{"name": "X", "rate": "1"}],
                            invoice_id=invoice_id, whole_tax_bp=0)
    with write_session() as s:
        invoices.record_payment(s, firm["owner"], invoice_id, amount_cents=100000, method="check")
    with read_session() as s:
        assert balances.balance(s, firm["hartley"]) == 8250  # the tax is still owed


def test_a_template_and_a_recurring_series_carry_the_tax_to_the_invoices_they_issue(firm):
    lines = [{"name": "Bookkeeping", "rate": "250"}, {"name": "Payroll", "rate": "40", "tax": "0"}]
    with write_session() as s:
        template = templates.save_template(s, firm["owner"], name="Monthly", lines=lines, whole_tax="8.25",
                                           rules_using=compiled.rules_sending_invoice)
        assert template.whole_tax_bp == 825
        summary = templates.list_templates(s, firm["owner"])[0]
        assert summary.total_cents == 29000 + 2393  # 8.25% of $290.00 = $23.925 → $23.93
        sent = from_rules.send_from_template(s, firm["owner"], firm["hartley"], "Monthly")
        assert (sent.number, sent.whole_tax_bp, sent.whole_tax_cents, sent.total_cents) == (1, 825, 2393, 31393)
        series = recurring.save_series(s, firm["owner"], account_id=firm["hartley"], name="Books", lines=lines,
                                       interval="monthly", start_date=dt.date(2027, 1, 31), whole_tax="7",
                                       now=dt.datetime(2027, 1, 1, 12, tzinfo=UTC))
        assert recurring.series_total(s, series) == 29000 + 2030
        assert recurring.preview(s, lines=lines, interval="monthly", start_date=dt.date(2027, 1, 31),
                                 whole_tax="7", count=1) == [(dt.date(2027, 1, 31), 31030)]
        issued = recurring.issue_period(s, series, dt.date(2027, 1, 31), now=dt.datetime(2027, 1, 31, 12, tzinfo=UTC))
        assert (issued.number, issued.whole_tax_bp, issued.whole_tax_cents, issued.total_cents) == (2, 700, 2030,
                                                                                                   31030)
        shares = s.exec(select(InvoiceLine.whole_tax_cents).where(InvoiceLine.invoice_id == issued.id)
                        .order_by(InvoiceLine.position)).all()
        assert sum(shares) == 2030


@pytest.mark.parametrize("typed, said", [
    ("-5", "from 0 to 100"), ("101", "from 0 to 100"), ("eight", '"eight" is not a tax rate'),
    ("8.255", "at most two decimals"), ("nan", "is not a tax rate")])
def test_bad_rates_get_a_sentence(firm, typed, said):
    with pytest.raises(InvalidInput, match=said) as bad:
        invoices.parse_whole_tax(typed)
    assert bad.value.field == "whole_tax"
    with write_session() as s, pytest.raises(InvalidInput, match=said):
        templates.save_template(s, firm["owner"], name="T", lines=[{"name": "X", "rate": "1"}], whole_tax=typed,
                                rules_using=compiled.rules_sending_invoice)
    with i18n.using_locale("fr"), pytest.raises(InvalidInput) as french:
        invoices.parse_whole_tax(typed)
    assert "taxe" in str(french.value)
    # The editor's figures count a rate that cannot be read as none, as for the discount.
    assert views.figures([{"name": "X", "rate": "100"}], tax_text=typed).whole_tax_cents == 0


def test_rates_as_people_write_them():
    assert [invoices.parse_whole_tax(x) for x in ("", " ", "8.25", "8.25%", "0", "100", "7")] == [
        0, 0, 825, 825, 0, 10000, 700]
    with i18n.using_locale("fr"):
        assert invoices.parse_whole_tax("8,25 %") == 825


line_strategy = st.fixed_dictionaries({
    "quantity_hundredths": st.integers(1, 10_000), "rate_cents": st.integers(0, 1_000_000),
    "discount_bp": st.sampled_from([0, 0, 500, 1000, 3333, 10_000]), "tax_bp": st.sampled_from([0, 0, 0, 500, 825])})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.lists(line_strategy, min_size=1, max_size=8), tax_bp=st.integers(0, 10_000),
       whole=st.one_of(st.builds(WholeDiscount, percent_bp=st.integers(0, 10_000)),
                       st.builds(WholeDiscount, amount_cents=st.integers(0, 1000))))
def test_for_any_lines_the_totals_add_up_and_no_tax_is_negative(raw, tax_bp, whole):
    lines = [InvoiceLine(invoice_id=0, name="x", **r) for r in raw]
    for line in lines:
        line.amount_cents = _half_up(line.quantity_hundredths * line.rate_cents, 100)
        line.discount_cents = _half_up(line.amount_cents * line.discount_bp, 10_000)
    if whole.amount_cents > sum(x.amount_cents - x.discount_cents for x in lines):
        whole = WholeDiscount()
    apply_whole(lines, whole, tax_bp)
    covered = [x for x in lines if not x.tax_bp]
    base = sum(x.amount_cents - x.discount_cents - x.whole_discount_cents for x in covered)
    assert sum(x.whole_tax_cents for x in lines) == _half_up(base * tax_bp, 10_000)
    assert all(x.whole_tax_cents == 0 for x in lines if x.tax_bp)
    assert all(x.tax_cents >= 0 and x.whole_tax_cents >= 0 and x.whole_discount_cents >= 0 for x in lines)
    subtotal = sum(x.amount_cents for x in lines)
    discounts = sum(x.discount_cents + x.whole_discount_cents for x in lines)
    tax = sum(x.tax_cents + x.whole_tax_cents for x in lines)
    assert sum(x.total_cents for x in lines) == subtotal - discounts + tax

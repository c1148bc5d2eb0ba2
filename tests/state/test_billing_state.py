"""The Billing page's states without a browser: a draft written from the catalog and typed lines with live totals,
sent after a preview that names its number, paid in two parts, a credit, a payment removed, voided with a reason;
bad input gets its sentence and keeps what was typed; a member without the billing right sees none of it."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlmodel import select

from reflex.istate.data import RouterData

from practice import routes
from practice.db import read_session, write_session
from practice.models import TimeEntry
from practice.services.billing import invoices, time, wip
from practice.services.work import catalog
from practice.state.billing import BillingState
from practice.state.invoice import InvoiceState
from tests.factories import make_firm, make_household

STATES = (BillingState, InvoiceState)


def hartley_billed(monkeypatch):
    """Hartley Household and a catalog of two services; Bob is an employee without the billing right."""
    with write_session() as s:
        staff = make_firm(s, employees={"bob": "Bob Stone"})
        owner = staff["owner"]
        account, _ = make_household(s, owner, "Hartley Household", "Hartley", ("June",),
                                    team_member_ids=[staff["bob"].member_id])
        tax = catalog.create_service(s, owner, name="Tax return", rate_cents=90000)
    who = {"actor": owner}
    for cls in STATES:
        monkeypatch.setattr(cls, "_actor", lambda self: who["actor"])
    route = lambda cls, name, value: monkeypatch.setattr(cls, name, value, raising=False)  # noqa: E731
    return {**staff, "who": who, "account": account.id, "tax": tax.id, "route": route}


pytestmark = pytest.mark.firm(build=hartley_billed)


def invoice_page(firm, invoice_id) -> InvoiceState:
    firm["route"](InvoiceState, "invoice_id", str(invoice_id))
    state = InvoiceState()
    state.load()
    return state


def new_draft(firm) -> InvoiceState:
    """A new draft for Hartley: the tax return from the catalog and an hour and a half of advice at $200, 10% off."""
    state = invoice_page(firm, "new")
    state.search_accounts("hartley")
    state.choose_account(state.account_matches[0].value)
    state.remove_line(state.lines[0].key)
    state.add_service(str(firm["tax"]))
    state.add_line()
    key = state.lines[-1].key
    for field, value in (("name", "Advice"), ("quantity", "1.5"), ("rate", "200"), ("discount", "10")):
        state.set_line(key, field, value)
    return state


def test_a_draft_shows_its_totals_as_lines_are_typed_and_is_saved_as_shown(firm):
    state = new_draft(firm)
    assert state.account_name == "Hartley Household"
    assert [line.total for line in state.lines] == ["$900.00", "$270.00"]
    assert (state.subtotal, state.discount, state.total) == ("$1,200.00", "$30.00", "$1,170.00")
    state.set_line(state.lines[1].key, "rate", "2o0")  # half-typed: the line waits, the rest still adds up
    assert state.lines[1].total == "" and state.total == "$900.00"
    state.set_line(state.lines[1].key, "rate", "200")
    state.set_text("notes", "Thank you for your trust.")
    state.save({})
    assert state.inv_id and state.error == ""
    saved = invoice_page(firm, state.inv_id)
    assert saved.title == "Draft invoice" and saved.total == "$1,170.00" and saved.notes == "Thank you for your trust."
    assert [line.name for line in saved.lines] == ["Tax return", "Advice"]


def test_a_draft_without_an_account_or_with_a_bad_line_is_refused_and_nothing_typed_is_lost(firm):
    state = invoice_page(firm, "new")
    state.set_line(state.lines[0].key, "name", "Advice")
    state.save({})
    assert state.error == "Choose the account the invoice is for." and state.inv_id == 0
    state.search_accounts("hartley")
    state.choose_account(state.account_matches[0].value)
    state.set_line(state.lines[0].key, "quantity", "-2")
    state.save({})
    assert state.error == "Line 1: A quantity must be more than 0."
    assert state.lines[0].name == "Advice" and state.lines[0].quantity == "-2" and state.inv_id == 0


def test_sending_shows_the_number_it_will_get_then_issues_it(firm):
    state = new_draft(firm)
    state.review_send()
    assert state.send_open and state.send_number == "1" and state.send_total == "$1,170.00"
    assert state.send_account == "Hartley Household"
    state.confirm_send()
    assert state.status == "sent" and state.title == "Invoice 1" and state.left_due == "$1,170.00"
    assert not state.send_open


def test_a_partial_payment_leaves_the_rest_due_and_too_much_is_refused_with_the_typed_amount_kept(firm):
    state = new_draft(firm)
    state.review_send()
    state.confirm_send()
    key = state.pay_key
    state.record_payment({"amount": "2000", "method": "check", "received_on": "", "reference": "Check 12"})
    assert state.pay_error == "That is more than the $1,170.00 due on Invoice 1." and state.pay_key == key
    state.record_payment({"amount": "", "method": "check"})
    assert state.pay_error == "Write the amount, like 150 or 150.50."
    state.record_payment({"amount": "500", "method": "bank_transfer", "received_on": state.today})
    assert state.pay_error == "" and state.status == "partly_paid" and state.left_due == "$670.00"
    state.give_credit({"credit_amount": "70", "credit_reason": ""})
    assert state.credit_error == "Say why the credit is given."
    state.give_credit({"credit_amount": "70", "credit_reason": "Goodwill"})
    assert state.left_due == "$600.00" and [p.what for p in state.payments] == ["Bank transfer", "Credit"]
    state.record_payment({"amount": "600", "method": "cash"})
    assert state.status == "paid" and state.left_due == "$0.00" and not state.owing
    # A payment recorded by mistake comes off after a question; what it paid is due again.
    state.ask_remove_payment(state.payments[-1].id)
    assert "Cash of $600.00" in state.remove_text
    state.confirm_remove_payment()
    assert state.status == "partly_paid" and state.left_due == "$600.00"


def test_voiding_asks_for_a_reason_and_keeps_the_number(firm):
    state = new_draft(firm)
    state.review_send()
    state.confirm_send()
    state.set_void_open(True)
    state.confirm_void({"void_reason": "  "})
    assert state.void_error == "Say why the invoice is void: the audit log keeps the reason." and state.void_open
    state.confirm_void({"void_reason": "Billed twice"})
    assert state.status == "void" and state.title == "Invoice 1" and state.void_reason == "Billed twice"
    assert not state.void_open and state.left_due == "$0.00"


def test_the_list_filters_by_status_and_account_and_totals_what_is_due(firm):
    sent = new_draft(firm)
    sent.review_send()
    sent.confirm_send()
    new_draft(firm).save({})
    page = BillingState()
    page.load()
    assert [r.name for r in page.rows] == ["Draft invoice", "Invoice 1"]
    assert page.total_due == "$1,170.00" and page.owing_count == 1 and page.manages
    assert page.rows[1].href == f"/billing/invoices/{sent.inv_id}" and page.rows[1].due == "$1,170.00"
    page.set_status_filter("draft")
    assert [r.name for r in page.rows] == ["Draft invoice"]
    page.set_status_filter("junk")
    assert page.status_filter == "" and len(page.rows) == 2
    page.search_accounts("nobody here")
    assert page.account_matches == []
    page.search_accounts("hart")
    page.choose_account(page.account_matches[0].value)
    assert page.account_filter_name == "Hartley Household" and len(page.rows) == 2


def test_a_member_without_the_billing_right_reads_why_and_sees_no_invoice(firm):
    new_draft(firm).save({})
    firm["who"]["actor"] = dataclasses.replace(firm["bob"])
    page = BillingState()
    page.load()
    assert page.rows == [] and "do not have access to billing" in page.error
    state = invoice_page(firm, "new")
    assert not state.found and "do not have access to billing" in state.page_error
    # Given the right to see billing (not to manage it), the list opens but writing is refused.
    firm["who"]["actor"] = dataclasses.replace(firm["bob"], can_see_billing=True)
    page.load()
    assert len(page.rows) == 1 and not page.manages
    state = invoice_page(firm, page.rows[0].id)
    state.save({})
    assert "manage invoices and payments" in state.error and not state.manages
    assert invoices.STATUS_WORDS  # the status words the list shows come from the service


def test_the_list_opens_on_one_accounts_invoices_from_its_page(firm):
    sent = new_draft(firm)
    sent.review_send()
    sent.confirm_send()
    page = BillingState()
    # The account page's "All invoices" link: /billing?account=<id>.
    page.router = RouterData.from_router_data({"pathname": routes.BILLING,
                                               "asPath": routes.billing_url(account_id=firm["account"])})
    page.load()
    assert page.account_filter_name == "Hartley Household" and [r.name for r in page.rows] == ["Invoice 1"]


def test_a_draft_of_billed_time_saved_again_in_the_editor_keeps_its_time_and_a_removed_line_releases_it(firm):
    with write_session() as s:
        ids = [time.add_entry(s, firm["owner"], account_id=firm["account"], duration="1:00", note=f"Call {n}",
                              work_date=dt.date.today() - dt.timedelta(days=1)).id for n in range(2)]
        invoice_id = wip.bill_entries(s, firm["owner"], account_id=firm["account"], entry_ids=ids).id
    state = invoice_page(firm, invoice_id)
    assert [bool(line.time_entries) for line in state.lines] == [True, True]
    state.set_line(state.lines[0].key, "rate", "150")
    state.save({})
    assert state.error == ""
    with read_session() as s:
        kept = {e.id: e for e in s.exec(select(TimeEntry))}
    assert all(kept[i].invoice_id == invoice_id for i in ids) and kept[ids[0]].rate_cents == 15000
    state = invoice_page(firm, invoice_id)
    state.remove_line(state.lines[1].key)
    state.save({})
    with read_session() as s:
        assert s.get(TimeEntry, ids[1]).invoice_id is None and s.get(TimeEntry, ids[0]).invoice_id == invoice_id


def test_bill_time_in_the_editor_lists_the_accounts_time_adds_the_chosen_and_saves_a_new_draft_first(firm):
    state = new_draft(firm)
    state.open_time()  # nothing recorded yet: the dialog says so (and links to the Time page)
    assert state.time_open and state.time_items == [] and state.error == ""
    with write_session() as s:
        time.set_member_rate(s, firm["owner"], firm["owner"].member_id, "100")
        ids = [time.add_entry(s, firm["owner"], account_id=firm["account"], duration=d, note=f"Call {d}",
                              work_date=dt.date.today() - dt.timedelta(days=1)).id for d in ("1:00", "0:30", "2:00")]
    state.set_text("notes", "Thank you.")
    state.open_time()
    assert [x.id for x in state.time_items] == ids and all(x.chosen for x in state.time_items)
    assert (state.time_count, state.time_add_label) == (3, "Add 3 entries")
    state.toggle_time(ids[2])
    assert state.time_add_label == "Add 2 entries"
    state.choose_all_time(False)
    assert state.time_count == 0
    state.choose_all_time(True)
    state.toggle_time(ids[2])
    # Someone bills the first entry on another draft meanwhile: a sentence, the list as it is now, nothing added.
    with write_session() as s:
        other = wip.bill_entries(s, firm["owner"], account_id=firm["account"], entry_ids=ids[:1]).id
    assert state.add_time() is None
    assert "already billed" in state.time_error and [x.id for x in state.time_items] == ids[1:]
    assert state.time_open and state.inv_id == 0 and state.notes == "Thank you." and len(state.lines) == 2
    with write_session() as s:
        invoices.delete_draft(s, firm["owner"], other)
    state.open_time()
    state.toggle_time(ids[2])
    answer = state.add_time()
    assert not state.time_open and state.inv_id == 0 and len(answer) == 2  # the new draft opens at its own address
    with read_session() as s:
        invoice_id = s.get(TimeEntry, ids[0]).invoice_id
        assert s.get(TimeEntry, ids[1]).invoice_id == invoice_id and s.get(TimeEntry, ids[2]).invoice_id is None
    saved = invoice_page(firm, invoice_id)
    assert [x.name for x in saved.lines] == ["Tax return", "Advice", "Time", "Time"] and saved.notes == "Thank you."
    assert saved.total == "$1,320.00"
    # On a saved draft the rest is added in place, and no longer offered.
    saved.open_time()
    assert [x.id for x in saved.time_items] == ids[2:]
    saved.add_time()
    assert len(saved.lines) == 5 and saved.total == "$1,520.00" and saved.time_error == ""
    saved.open_time()
    assert saved.time_items == []

""""Bill time" in the invoice editor, through the services: the account's unbilled billable time is offered to a
draft; adding it saves the draft as the editor shows it and bills the chosen entries onto it in one transaction
(then they are offered to no other invoice); taking a line off or deleting the draft makes them unbilled again; two
drafts racing for the same time: one gets it, the other is left as it was. And an invoice written in the editor can
bill one of its account's jobs, whose stage then waits on it like on a rule-sent invoice."""
from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import Invoice, Job
from practice.services import stage_items
from practice.services.billing import invoices, wip
from practice.services.errors import Conflict, InvalidInput, PermissionDenied
from tests.services.billing.test_time import add, build, entry, read, write

pytestmark = pytest.mark.firm(build=build)

FEE = {"name": "Filing fee", "rate": "25"}


def offered(firm, who="owner") -> list[int]:
    return [r.id for r in read(wip.unbilled_of_account, firm[who], firm["hartley"])]


def editor_lines(invoice_id: int, owner, leave_out: set[int] = frozenset()) -> list[dict]:
    """The draft's lines as the editor sends them back (each naming its time), less the positions left out."""
    with read_session() as s:
        by_line = wip.entries_by_line(s, invoice_id)
        lines = invoices.invoice_view(s, owner, invoice_id).lines
    return [{"name": x.name, "quantity": invoices.quantity_text(x.quantity_hundredths), "rate": str(x.rate_cents / 100),
             "time_entry_ids": by_line.get(x.id, [])} for n, x in enumerate(lines) if n not in leave_out]


def test_time_added_in_the_editor_is_offered_no_more_and_taking_its_line_off_releases_it(firm):
    ids = [add(firm, minutes="1:00", job_id=firm["job"], note=f"Call {n}") for n in range(2)] + [add(firm, "dana")]
    rows = read(wip.unbilled_of_account, firm["owner"], firm["hartley"])
    assert [r.id for r in rows] == ids and [r.amount_cents for r in rows] == [12000, 12000, 20000]
    # A new invoice with a typed line: the first add saves it, with its notes and job, and the two calls as lines.
    draft = write(wip.bill_onto_draft, firm["owner"], account_id=firm["hartley"], entry_ids=ids[:2], lines=[FEE],
                  notes="Thank you", job_id=firm["job"])
    view = read(invoices.invoice_view, firm["owner"], draft.id)
    assert [x.name for x in view.lines] == ["Filing fee", "Time", "Time"]
    assert view.invoice.total_cents == 2500 + 2 * 12000 and view.invoice.notes == "Thank you"
    assert view.invoice.job_id == firm["job"] and view.invoice.status.value == "draft"
    assert offered(firm) == [ids[2]] and entry(ids[0]).rate_cents == 12000
    # No other invoice can have them.
    with pytest.raises(Conflict):
        write(wip.bill_onto_draft, firm["owner"], account_id=firm["hartley"], entry_ids=ids[:1], lines=[FEE])
    assert len(read(invoices.list_invoices, firm["owner"])) == 1
    # Taking the first call's line off and saving: that call is unbilled again, the other stays on the draft.
    write(invoices.save_draft, firm["owner"], account_id=firm["hartley"], invoice_id=draft.id, job_id=firm["job"],
          lines=editor_lines(draft.id, firm["owner"], leave_out={1}))
    assert offered(firm) == [ids[0], ids[2]] and entry(ids[1]).invoice_id == draft.id
    # Deleting the draft releases the rest.
    write(invoices.delete_draft, firm["owner"], draft.id)
    assert offered(firm) == ids


def test_a_draft_with_no_line_yet_bills_the_time_alone(firm):
    ids = [add(firm, minutes="0:30"), add(firm, minutes="2:00")]
    draft = write(wip.bill_onto_draft, firm["owner"], account_id=firm["hartley"], entry_ids=ids[:1],
                  lines=[{"name": "", "rate": ""}], terms="Due on receipt")
    view = read(invoices.invoice_view, firm["owner"], draft.id)
    assert len(view.lines) == 1 and view.invoice.total_cents == 6000 and view.invoice.terms == "Due on receipt"
    # Every line taken off in the editor, then the other entry added: the draft bills it alone, the first is free.
    write(wip.bill_onto_draft, firm["owner"], account_id=firm["hartley"], entry_ids=ids[1:], lines=[],
          invoice_id=draft.id)
    view = read(invoices.invoice_view, firm["owner"], draft.id)
    assert len(view.lines) == 1 and view.invoice.total_cents == 24000
    assert offered(firm) == ids[:1] and entry(ids[1]).invoice_id == draft.id


def test_two_drafts_racing_for_the_same_time_one_gets_it_and_the_other_is_left_as_it_was(firm):
    ids = [add(firm, minutes="1:00") for _ in range(5)]
    drafts = [write(invoices.save_draft, firm["owner"], account_id=firm["hartley"], lines=[FEE]).id for _ in "ab"]
    gate, results = threading.Barrier(2), {}

    def bill(who, draft_id):
        gate.wait()
        try:
            with write_session() as s:
                wip.bill_onto_draft(s, firm[who], account_id=firm["hartley"], entry_ids=ids, invoice_id=draft_id,
                                    lines=[{**FEE, "rate": "30"}])
            results[draft_id] = "won"
        except Conflict:
            results[draft_id] = "lost"

    racers = [threading.Thread(target=bill, args=args) for args in (("owner", drafts[0]), ("dana", drafts[1]))]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(60)
    assert sorted(results.values()) == ["lost", "won"]
    won, lost = (drafts if results[drafts[0]] == "won" else drafts[::-1])
    assert {entry(i).invoice_id for i in ids} == {won}
    assert read(invoices.invoice_view, firm["owner"], won).invoice.total_cents == 3000 + 5 * 12000
    # The loser's draft did not even take the new rate of its typed line: nothing of that add happened.
    left = read(invoices.invoice_view, firm["owner"], lost)
    assert [x.name for x in left.lines] == ["Filing fee"] and left.invoice.total_cents == 2500
    assert offered(firm) == []


def test_who_may_bill_time_in_the_editor_and_which_jobs(firm):
    ids = [add(firm, minutes="1:00")]
    with pytest.raises(PermissionDenied):
        read(wip.unbilled_of_account, firm["bob"], firm["hartley"])  # tracks time, does not manage invoices
    with pytest.raises(PermissionDenied):
        write(wip.bill_onto_draft, firm["bob"], account_id=firm["hartley"], entry_ids=ids, lines=[FEE])
    assert offered(firm, "dana") == ids  # manages invoices
    # Only one of the account's own jobs: another account's is refused, and nothing is billed.
    with pytest.raises(InvalidInput):
        write(invoices.save_draft, firm["owner"], account_id=firm["hartley"], lines=[FEE], job_id=firm["other_job"])
    with pytest.raises(InvalidInput):
        write(wip.bill_onto_draft, firm["owner"], account_id=firm["hartley"], entry_ids=ids, lines=[],
              job_id=firm["other_job"])
    assert offered(firm) == ids and read(invoices.list_invoices, firm["owner"]) == []


def test_an_editor_invoice_tied_to_a_job_waits_on_the_job_until_paid(firm):
    def open_and_total():
        with read_session() as s:
            return stage_items.open_and_total(s, s.get(Job, firm["job"]))

    before = open_and_total()
    draft = write(invoices.save_draft, firm["owner"], account_id=firm["hartley"], lines=[FEE], job_id=firm["job"])
    assert open_and_total() == before  # a draft is nothing the client has yet
    write(invoices.issue, firm["owner"], draft.id)
    assert open_and_total() == (before[0] + 1, before[1] + 1)
    write(invoices.record_payment, firm["owner"], draft.id, amount_cents=2500, method="check")
    assert open_and_total() == (before[0], before[1] + 1)
    with read_session() as s:
        assert s.exec(select(Invoice.job_id).where(Invoice.id == draft.id)).one() == firm["job"]


def test_time_billed_in_the_editor_keeps_the_tax_on_the_whole_invoice(firm):
    """The editor sends the whole invoice's tax with the draft it saves when time is added (a new draft, and a draft
    whose lines were all taken off): the time's lines are taxed by it and the total counts it."""
    ids = [add(firm, minutes="1:00"), add(firm, minutes="1:00")]
    draft = write(wip.bill_onto_draft, firm["owner"], account_id=firm["hartley"], entry_ids=ids[:1], lines=[FEE],
                  whole_tax_bp=1000)
    view = read(invoices.invoice_view, firm["owner"], draft.id)
    assert view.invoice.whole_tax_bp == 1000
    assert (view.invoice.whole_tax_cents, view.invoice.total_cents) == (1450, 2500 + 12000 + 1450)
    write(wip.bill_onto_draft, firm["owner"], account_id=firm["hartley"], entry_ids=ids[1:], lines=[],
          invoice_id=draft.id, whole_tax_bp=825)
    view = read(invoices.invoice_view, firm["owner"], draft.id)
    assert (view.invoice.whole_tax_bp, view.invoice.whole_tax_cents, view.invoice.total_cents) == (825, 990, 12990)
    with pytest.raises(InvalidInput, match="from 0 to 100"):
        write(wip.bill_onto_draft, firm["owner"], account_id=firm["hartley"], entry_ids=ids[:1], lines=[FEE],
              whole_tax_bp=10001)

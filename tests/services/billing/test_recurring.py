"""Recurring invoices through the services and the worker's event handling: each period's invoice issued once
(a period handled twice, or its event replayed, makes one invoice), gapless numbers across series, a series with a
last date stops, a paused one skips what it was paused for, one that does not send itself leaves drafts, the next
12 dates and amounts, deleting keeps what was issued, and who may see or change a series."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import Event, EventStatus, Invoice, InvoiceStatus, RecurringInvoice
from practice.services.automation import engine
from practice.services.billing import recurring
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.factories import make_firm, make_household

UTC = dt.timezone.utc


def two_accounts(monkeypatch):
    """Hartley Household (Carla on its team) and Other Client; Bob and Carla are employees, Carla manages
    invoices."""
    with write_session() as s:
        staff = make_firm(s, employees={"bob": "Bob Stone", "carla": "Carla Diaz"})
        staff["carla"] = dataclasses.replace(staff["carla"], can_manage_billing=True)
        owner = staff["owner"]
        hartley, _ = make_household(s, owner, "Hartley Household", "Hartley", ("June",),
                                    team_member_ids=[staff["carla"].member_id])
        other, _ = make_household(s, owner, "Other Client", "Other", ("Sam",))
    return {**staff, "hartley": hartley.id, "other": other.id}


pytestmark = pytest.mark.firm(build=two_accounts)

BOOKS = [{"name": "Monthly bookkeeping", "rate": "250"}, {"name": "Payroll", "quantity": "2", "rate": "40"}]


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


def new_series(firm, *, who="owner", account="hartley", start="2027-01-31", end=None, interval="monthly",
               send=True, now="2027-01-01", **kw) -> int:
    with write_session() as s:
        return recurring.save_series(
            s, firm[who], account_id=firm[account], name=kw.pop("name", "Bookkeeping"), lines=kw.pop("lines", BOOKS),
            interval=interval, start_date=dt.date.fromisoformat(start),
            end_date=dt.date.fromisoformat(end) if end else None, send_automatically=send, now=at(now), **kw).id


def sweep(day: str) -> int:
    """The worker's minute sweep on that day; the events it writes are handled as the worker would."""
    with write_session() as s:
        return recurring.plan_due(s, now=at(day))


def issued(series_id: int) -> list[Invoice]:
    with read_session() as s:
        return list(s.exec(select(Invoice).where(Invoice.key.like(f"recurring|{series_id}|%")).order_by(Invoice.id)))


def test_each_period_is_issued_once_even_when_it_is_handled_twice(firm):
    series_id = new_series(firm)
    assert sweep("2027-01-30") == 0
    assert sweep("2027-01-31") == 1
    assert sweep("2027-01-31") == 0  # the series moved on to February 28
    [invoice] = issued(series_id)
    assert invoice.status == InvoiceStatus.sent and invoice.number == 1
    assert invoice.total_cents == 250_00 + 80_00
    assert invoice.key == recurring.key_of(series_id, dt.date(2027, 1, 31))
    # The same period again, directly and as a replayed event: still one invoice.
    with write_session() as s:
        series = s.get(RecurringInvoice, series_id)
        assert recurring.issue_period(s, series, dt.date(2027, 1, 31)).id == invoice.id
        ev = s.exec(select(Event).where(Event.kind == recurring.DUE)).one()
        ev.status = EventStatus.pending
    assert engine.handle_events([ev.id]) == 1
    assert [i.id for i in issued(series_id)] == [invoice.id]
    with read_session() as s:
        assert s.get(RecurringInvoice, series_id).next_period == dt.date(2027, 2, 28)


def test_numbers_stay_gapless_across_series_and_a_missed_month_is_caught_up_once(firm):
    first = new_series(firm, start="2027-01-10")
    second = new_series(firm, account="other", start="2027-01-20", name="Payroll")
    assert sweep("2027-01-25") == 2
    # The worker was down all February and March: each missed period is issued once, on the next sweep.
    assert sweep("2027-04-12") == 5
    assert sweep("2027-04-12") == 0
    numbers = sorted(i.number for i in issued(first) + issued(second))
    assert numbers == list(range(1, 8))
    assert [i.key.rsplit("|", 1)[1] for i in issued(first)] == ["2027-01-10", "2027-02-10", "2027-03-10",
                                                                "2027-04-10"]


def test_a_series_with_a_last_date_stops(firm):
    series_id = new_series(firm, start="2027-01-15", end="2027-07-20", interval="quarterly")
    assert sweep("2028-01-01") == 3  # January, April and July
    assert sweep("2029-01-01") == 0
    with read_session() as s:
        series = s.get(RecurringInvoice, series_id)
        assert series.next_period is None and recurring.upcoming(series) == []
    assert len(issued(series_id)) == 3


def test_the_next_twelve_dates_and_amounts(firm):
    series_id = new_series(firm)
    with read_session() as s:
        dates = recurring.upcoming(s.get(RecurringInvoice, series_id))
        shown = recurring.preview(s, lines=BOOKS, interval="monthly", start_date=dt.date(2027, 1, 31))
        yearly = recurring.preview(s, lines=BOOKS, interval="yearly", start_date=dt.date(2028, 2, 29),
                                   end_date=dt.date(2031, 3, 1))
    assert len(dates) == 12
    assert dates[:4] == [dt.date(2027, 1, 31), dt.date(2027, 2, 28), dt.date(2027, 3, 31), dt.date(2027, 4, 30)]
    assert dates[-1] == dt.date(2027, 12, 31)
    assert [d for d, _ in shown] == dates and {cents for _, cents in shown} == {330_00}
    assert [d for d, _ in yearly] == [dt.date(2028, 2, 29), dt.date(2029, 2, 28), dt.date(2030, 2, 28),
                                      dt.date(2031, 2, 28)]


def test_a_paused_series_issues_nothing_and_resumes_from_the_next_date(firm):
    series_id = new_series(firm, start="2027-01-05")
    sweep("2027-01-05")
    with write_session() as s:
        recurring.set_paused(s, firm["owner"], series_id, True)
    assert sweep("2027-03-20") == 0
    with write_session() as s:
        series = recurring.set_paused(s, firm["owner"], series_id, False, now=at("2027-03-20"))
        assert series.next_period == dt.date(2027, 4, 5)  # February and March were paused: not billed
    assert sweep("2027-04-05") == 1
    assert len(issued(series_id)) == 2


def test_a_series_that_does_not_send_itself_leaves_a_draft_to_check(firm):
    series_id = new_series(firm, send=False)
    sweep("2027-01-31")
    [invoice] = issued(series_id)
    assert invoice.status == InvoiceStatus.draft and invoice.number is None
    assert invoice.created_by_member_id == firm["owner"].member_id


def test_editing_never_issues_a_period_again_and_deleting_keeps_the_invoices(firm):
    series_id = new_series(firm, start="2027-01-10")
    sweep("2027-02-10")
    with write_session() as s:
        series = recurring.save_series(s, firm["owner"], series_id=series_id, account_id=firm["hartley"],
                                       name="Bookkeeping", lines=[{"name": "Bookkeeping", "rate": "300"}],
                                       interval="monthly", start_date=dt.date(2027, 1, 10), now=at("2027-02-11"))
        assert series.next_period == dt.date(2027, 3, 10)
    assert sweep("2027-03-10") == 1
    assert [i.total_cents for i in issued(series_id)] == [330_00, 330_00, 300_00]
    with write_session() as s:
        assert recurring.delete_series(s, firm["owner"], series_id) == "Bookkeeping"
    assert len(issued(series_id)) == 3
    assert sweep("2027-06-10") == 0


def test_bad_input_gets_a_sentence(firm):
    with pytest.raises(InvalidInput, match="first invoice's date has passed"):
        new_series(firm, start="2026-12-31")
    with pytest.raises(InvalidInput, match="last date comes before"):
        new_series(firm, start="2027-02-01", end="2027-01-01")
    with pytest.raises(InvalidInput, match="every month, quarter or year"):
        new_series(firm, interval="weekly")
    with pytest.raises(InvalidInput, match="at least one line"):
        new_series(firm, lines=[{"name": ""}])
    with pytest.raises(InvalidInput, match="a name"):
        new_series(firm, name=" ")


def test_who_may_see_and_change_a_series(firm):
    series_id = new_series(firm)
    with pytest.raises(PermissionDenied):
        new_series(firm, who="bob")
    with read_session() as s, pytest.raises(PermissionDenied):
        recurring.list_series(s, firm["bob"])
    # Carla manages invoices, on the accounts she sees only.
    carla_own = new_series(firm, who="carla", name="Quarterly payroll", interval="quarterly")
    with pytest.raises(NotFound):
        new_series(firm, who="carla", account="other")
    with read_session() as s:
        assert {r.id for r in recurring.list_series(s, firm["carla"])} == {series_id, carla_own}
    other = new_series(firm, account="other")
    with write_session() as s, pytest.raises(NotFound):
        recurring.delete_series(s, firm["carla"], other)
    with write_session() as s, pytest.raises(Conflict, match="stays with its account"):
        recurring.save_series(s, firm["owner"], series_id=series_id, account_id=firm["other"], name="Bookkeeping",
                              lines=BOOKS, interval="monthly", start_date=dt.date(2027, 1, 31), now=at("2027-01-01"))

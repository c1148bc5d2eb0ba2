"""Time entries through the services: one running timer per person (the database refuses a second), the idle
limit's question, time written down afterwards, rates from the service or the member, work in progress, billing
chosen entries (locked, rate kept, never billed twice, even by two invoices at once), releasing them, the rights
and the audit trail."""
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import AuditLog, InvoiceLine, TeamMember, TimeEntry
from practice.services.access import team
from practice.services.actor import Actor
from practice.services import hours
from practice.services.billing import invoices, time, wip
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from practice.services.work import catalog, tasks
from tests.factories import make_firm, make_household, make_job

NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def build(monkeypatch):
    """Hartley Household with a job and a task; Bob tracks time (on its team), Carla may not; Dana edits others'
    time and manages billing; Bob bills $120 an hour, Dana $200; a catalog service at $300 and one without rate."""
    with write_session() as s:
        staff = make_firm(s, admins={"ann": "Ann Lee"},
                          employees={"bob": "Bob Stone", "carla": "Carla Diaz", "dana": "Dana Fox"})
        owner = staff["owner"]
        hartley, _ = make_household(s, owner, "Hartley Household", "Hartley", ("June",),
                                    team_member_ids=[staff["bob"].member_id, staff["carla"].member_id])
        other, _ = make_household(s, owner, "Other Client", "Other", ("Sam",))
        job = make_job(s, owner, account=hartley, name="2026 Tax return")
        task = tasks.create_task(s, owner, title="Gather W-2s", job_id=job.id)
        other_job = make_job(s, owner, account=other, name="Books")
        advice = catalog.create_service(s, owner, name="Advice", rate_cents=30000)
        plain = catalog.create_service(s, owner, name="Bookkeeping hours", rate_cents=0)
        team.set_role(s, owner, staff["bob"].member_id, "employee", can_track_time=True)
        team.set_role(s, owner, staff["dana"].member_id, "employee", can_track_time=True, can_edit_others_time=True,
                      can_manage_billing=True, can_view_all_accounts=True)
        time.set_member_rate(s, owner, staff["bob"].member_id, "120")
        time.set_member_rate(s, owner, staff["dana"].member_id, "200")
        people = {k: Actor.of(s.get(TeamMember, v.member_id)) for k, v in staff.items()}
    return {**people, "hartley": hartley.id, "other": other.id, "job": job.id, "task": task.id,
            "other_job": other_job.id, "advice": advice.id, "plain": plain.id}


pytestmark = pytest.mark.firm(build=build)


def write(fn, *args, **kw):
    with write_session() as s:
        return fn(s, *args, **kw)


def read(fn, *args, **kw):
    with read_session() as s:
        return fn(s, *args, **kw)


def add(firm, who="bob", minutes="1:00", day=None, **kw):
    if not kw.get("job_id"):
        kw.setdefault("account_id", firm["hartley"])
    return write(time.add_entry, firm[who], work_date=day or dt.date.today() - dt.timedelta(days=1),
                 duration=minutes, **kw).id


def entry(entry_id) -> TimeEntry:
    with read_session() as s:
        return s.get(TimeEntry, entry_id)


# --- timers --------------------------------------------------------------------------------------------------


def test_starting_a_second_timer_stops_the_first(firm):
    first = write(time.start_timer, firm["bob"], job_id=firm["job"], now=NOW).id
    second = write(time.start_timer, firm["bob"], task_id=firm["task"], now=NOW + dt.timedelta(minutes=45)).id
    stopped, running = entry(first), entry(second)
    assert stopped.ended_at == NOW + dt.timedelta(minutes=45) and stopped.minutes == 45
    assert running.ended_at is None and running.task_id == firm["task"] and running.job_id == firm["job"]
    assert running.account_id == firm["hartley"]
    shown = read(time.running_timer, firm["bob"])
    assert (shown.entry_id, shown.task_title, shown.job_name) == (second, "Gather W-2s", "2026 Tax return")
    done = write(time.stop_timer, firm["bob"], now=NOW + dt.timedelta(minutes=75))
    assert done.id == second and done.minutes == 30 and read(time.running_timer, firm["bob"]) is None
    assert write(time.stop_timer, firm["bob"]) is None  # nothing runs: nothing to stop


def test_the_database_itself_refuses_a_second_running_timer(firm):
    write(time.start_timer, firm["bob"], job_id=firm["job"], now=NOW)
    with pytest.raises(IntegrityError):
        with write_session() as s:
            s.add(TimeEntry(member_id=firm["bob"].member_id, account_id=firm["hartley"], work_date=NOW.date(),
                            started_at=NOW))
            s.flush()
    # Another member's timer is theirs: both run.
    write(time.start_timer, firm["dana"], job_id=firm["other_job"], now=NOW)
    with read_session() as s:
        running = s.exec(select(TimeEntry).where(TimeEntry.ended_at.is_(None))).all()
    assert sorted(e.member_id for e in running) == sorted([firm["bob"].member_id, firm["dana"].member_id])


def test_a_timer_past_the_idle_limit_asks_before_counting(firm):
    write(time.set_idle_limit, firm["owner"], "60")
    write(time.start_timer, firm["bob"], job_id=firm["job"], now=NOW)
    later = NOW + dt.timedelta(hours=3)
    with pytest.raises(time.PastIdleLimit) as asked:
        write(time.stop_timer, firm["bob"], now=later)
    assert "3:00" in str(asked.value) and "1:00" in str(asked.value)
    assert read(time.running_timer, firm["bob"]) is not None  # nothing was counted yet
    assert write(time.stop_timer, firm["bob"], keep_idle=False, now=later).minutes == 60
    write(time.start_timer, firm["bob"], job_id=firm["job"], now=later)
    # Starting another asks the same question; counting all of it keeps the three hours.
    with pytest.raises(time.PastIdleLimit):
        write(time.start_timer, firm["bob"], job_id=firm["job"], now=later + dt.timedelta(hours=3))
    assert write(time.stop_timer, firm["bob"], keep_idle=True, now=later + dt.timedelta(hours=3)).minutes == 180
    with pytest.raises(InvalidInput):
        write(time.set_idle_limit, firm["owner"], "soon")
    with pytest.raises(PermissionDenied):
        write(time.set_idle_limit, firm["bob"], "30")


# --- written down, rates, rights -----------------------------------------------------------------------------


@pytest.mark.parametrize("text, minutes", [("1:30", 90), ("1h30", 90), ("1.5", 90), ("90m", 90), ("2h", 120),
                                           ("0.25", 15), ("45 min", 45)])
def test_durations_are_read_as_people_write_them(text, minutes):
    assert time.parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["", "soon", "0", "1:75", "25:00", "-1"])
def test_a_duration_that_is_not_one_gets_a_sentence(text):
    with pytest.raises(InvalidInput) as bad:
        time.parse_duration(text)
    assert bad.value.field == "duration" and str(bad.value).endswith(".")


def test_rates_come_from_the_service_or_else_the_member(firm):
    by_service = add(firm, minutes="1:30", service_id=firm["advice"])
    by_member = add(firm, minutes="0:50", service_id=firm["plain"])
    rows = {r.id: r for r in read(time.list_entries, firm["bob"])}
    assert (rows[by_service].rate_cents, rows[by_service].amount_cents) == (30000, 45000)
    # 50 minutes bill as 0.83 hour (as the invoice line will): 0.83 x $120 = $99.60
    assert (rows[by_member].rate_cents, rows[by_member].amount_cents) == (12000, 9960)


def test_who_may_track_see_and_change_time(firm):
    mine = add(firm, "bob")
    with pytest.raises(PermissionDenied):
        add(firm, "carla")  # no "track time" right
    with pytest.raises(PermissionDenied):
        write(time.start_timer, firm["carla"], job_id=firm["job"])
    with pytest.raises(NotFound):  # Bob's account only: Other Client is not his
        add(firm, "bob", account_id=firm["other"])
    with pytest.raises(PermissionDenied):
        add(firm, "bob", member_id=firm["dana"].member_id)
    # Dana may write and change Bob's time; Bob sees only his own.
    for_bob = add(firm, "dana", member_id=firm["bob"].member_id, minutes="2:00")
    dana_own = add(firm, "dana", minutes="0:30")
    assert {r.id for r in read(time.list_entries, firm["bob"])} == {mine, for_bob}
    assert {r.id for r in read(time.list_entries, firm["dana"])} == {mine, for_bob, dana_own}
    with pytest.raises(NotFound):
        write(time.delete_entry, firm["bob"], dana_own)
    write(time.update_entry, firm["dana"], mine, work_date=dt.date.today() - dt.timedelta(days=1), duration="3:00",
          account_id=firm["hartley"], note="Reviewed")
    assert (entry(mine).minutes, entry(mine).note) == (180, "Reviewed")
    with pytest.raises(InvalidInput) as bad:
        add(firm, "bob", day=dt.date.today() + dt.timedelta(days=2))
    assert bad.value.field == "work_date"
    write(time.delete_entry, firm["bob"], mine)
    assert entry(mine) is None
    with read_session() as s:
        rows = s.exec(select(AuditLog).where(AuditLog.entity == "time_entry").order_by(AuditLog.id)).all()
    assert [r.action for r in rows] == ["create", "create", "create", "update", "delete"]
    assert "for Bob Stone" in rows[1].summary and all(r.account_id == firm["hartley"] for r in rows)


# --- work in progress and billing ----------------------------------------------------------------------------


def test_work_in_progress_is_the_sum_of_unbilled_billable_entries(firm):
    ids = [add(firm, minutes=m, job_id=firm["job"]) for m in ("1:00", "0:50", "2:15")]
    add(firm, minutes="4:00", job_id=firm["job"], billable=False)
    no_job = add(firm, "dana", minutes="1:00", service_id=firm["advice"])
    other = add(firm, "dana", minutes="0:30", job_id=firm["other_job"])
    write(time.start_timer, firm["bob"], job_id=firm["job"], now=NOW)  # running: not work done yet
    shown = {(r.account_id, r.job_id): r for r in read(wip.work_in_progress, firm["owner"])}
    entries = {r.id: r for r in read(time.list_entries, firm["owner"])}
    on_job = shown[(firm["hartley"], firm["job"])]
    assert on_job.minutes == 60 + 50 + 135 and on_job.entries == 3
    assert on_job.amount_cents == sum(entries[i].amount_cents for i in ids) == 12000 + 9960 + 27000
    assert shown[(firm["hartley"], None)].amount_cents == entries[no_job].amount_cents == 30000
    assert shown[(firm["other"], firm["other_job"])].amount_cents == entries[other].amount_cents == 10000
    # Billing two of them takes exactly their amounts off the work in progress.
    write(wip.bill_entries, firm["dana"], account_id=firm["hartley"], entry_ids=ids[:2])
    left = {(r.account_id, r.job_id): r for r in read(wip.work_in_progress, firm["owner"],
                                                       account_id=firm["hartley"])}
    assert left[(firm["hartley"], firm["job"])].amount_cents == 27000
    assert set(left) == {(firm["hartley"], firm["job"]), (firm["hartley"], None)}
    with pytest.raises(PermissionDenied):
        read(wip.work_in_progress, firm["bob"])  # WIP is money: the billing right


def test_an_invoice_from_ten_entries_makes_them_unavailable_to_a_second(firm):
    ids = [add(firm, minutes="1:00", job_id=firm["job"], note=f"Call {n}") for n in range(10)]
    invoice = write(wip.bill_entries, firm["owner"], account_id=firm["hartley"], entry_ids=ids)
    view = read(invoices.invoice_view, firm["owner"], invoice.id)
    assert len(view.lines) == 10 and view.invoice.total_cents == 10 * 12000
    assert view.lines[0].name == "Time" and "Bob Stone · Call 0" in view.lines[0].description
    assert all(entry(i).invoice_id == invoice.id and entry(i).rate_cents == 12000 for i in ids)
    # Nothing of them is work in progress, nor can be billed again, nor changed.
    assert read(wip.work_in_progress, firm["owner"]) == []
    assert read(time.list_entries, firm["owner"], unbilled=True) == []
    with pytest.raises(Conflict):
        write(wip.bill_entries, firm["owner"], account_id=firm["hartley"], entry_ids=ids[3:5])
    with pytest.raises(Conflict):
        write(time.update_entry, firm["bob"], ids[0], work_date=dt.date.today() - dt.timedelta(days=1), duration="2:00",
              account_id=firm["hartley"])
    with pytest.raises(Conflict):
        write(time.delete_entry, firm["bob"], ids[0])
    # A later rate change leaves billed time at the rate it was billed at.
    write(time.set_member_rate, firm["owner"], firm["bob"].member_id, "500")
    assert {r.rate_cents for r in read(time.list_entries, firm["owner"])} == {12000}


def test_two_invoices_racing_for_the_same_entries_one_wins(firm):
    ids = [add(firm, minutes="1:00") for _ in range(10)]
    gate, results = threading.Barrier(2), []

    def bill(who):
        gate.wait()
        try:
            with write_session() as s:
                results.append(wip.bill_entries(s, firm[who], account_id=firm["hartley"], entry_ids=ids).id)
        except Conflict as lost:
            results.append(lost)

    racers = [threading.Thread(target=bill, args=(who,)) for who in ("owner", "dana")]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(60)
    won = [r for r in results if isinstance(r, int)]
    assert len(won) == 1 and len(results) == 2 and isinstance(next(r for r in results if r not in won), Conflict)
    with read_session() as s:
        assert {e.invoice_id for e in s.exec(select(TimeEntry))} == {won[0]}
        # The loser left nothing behind: no second draft, no stray line.
        assert {line.invoice_id for line in s.exec(select(InvoiceLine))} == {won[0]}
        assert len(invoices.list_invoices(s, firm["owner"])) == 1


def test_taking_time_off_a_draft_deleting_it_or_voiding_releases_it(firm):
    ids = [add(firm, minutes="1:00") for _ in range(3)]
    invoice = write(wip.bill_entries, firm["owner"], account_id=firm["hartley"], entry_ids=ids)
    with read_session() as s:
        by_line = wip.entries_by_line(s, invoice.id)
        lines = invoices.invoice_view(s, firm["owner"], invoice.id).lines
    # The editor saves the draft with its lines (each naming its entries), less the second one, rate written down.
    kept = [{"name": x.name, "quantity": "1", "rate": "100", "time_entry_ids": by_line[x.id]}
            for x in (lines[0], lines[2])]
    write(invoices.save_draft, firm["owner"], account_id=firm["hartley"], invoice_id=invoice.id,
          lines=kept + [{"name": "Filing fee", "rate": "25"}])
    assert entry(ids[1]).invoice_id is None and entry(ids[1]).rate_cents is None
    assert entry(ids[0]).invoice_id == invoice.id and entry(ids[0]).rate_cents == 10000
    assert entry(ids[0]).invoice_line_id is not None
    # Added to the same draft later.
    write(wip.bill_entries, firm["owner"], account_id=firm["hartley"], entry_ids=[ids[1]], invoice_id=invoice.id)
    assert len(read(invoices.invoice_view, firm["owner"], invoice.id).lines) == 4
    write(invoices.issue, firm["owner"], invoice.id)
    write(invoices.void, firm["owner"], invoice.id, "Wrong client")
    assert all(entry(i).invoice_id is None for i in ids)
    again = write(wip.bill_entries, firm["owner"], account_id=firm["hartley"], entry_ids=ids)
    write(invoices.delete_draft, firm["owner"], again.id)
    assert len(read(time.list_entries, firm["owner"], unbilled=True)) == 3


def test_billing_is_for_those_who_manage_invoices_and_refuses_what_cannot_be_billed(firm):
    ids = [add(firm, minutes="1:00")]
    with pytest.raises(PermissionDenied):
        write(wip.bill_entries, firm["bob"], account_id=firm["hartley"], entry_ids=ids)
    with pytest.raises(NotFound):  # not this account's time
        write(wip.bill_entries, firm["owner"], account_id=firm["other"], entry_ids=ids)
    unbillable = add(firm, minutes="1:00", billable=False)
    with pytest.raises(InvalidInput):
        write(wip.bill_entries, firm["owner"], account_id=firm["hartley"], entry_ids=[unbillable])
    with pytest.raises(InvalidInput):
        write(wip.bill_entries, firm["owner"], account_id=firm["hartley"], entry_ids=[])


def test_job_minutes_count_every_entry_on_the_job(firm):
    add(firm, minutes="1:30", job_id=firm["job"])
    add(firm, minutes="0:45", job_id=firm["job"], billable=False)
    assert read(hours.job_minutes, [firm["job"]]) == {firm["job"]: 135}
    assert read(hours.job_hours, firm["job"]) == Decimal("2.25") and read(hours.job_hours, firm["other_job"]) == 0


# --- the Time page: correcting, deleting, filtering ----------------------------------------------------------


def a_billing_viewer(firm) -> Actor:
    """Carla, given the right to see billing (so everyone's time) and to track her own, but not to edit others'."""
    with write_session() as s:
        team.set_role(s, firm["owner"], firm["carla"].member_id, "employee", can_track_time=True,
                      can_see_billing=True)
        return Actor.of(s.get(TeamMember, firm["carla"].member_id))


def test_someone_elses_time_is_refused_without_the_right_and_nothing_changes(firm):
    bobs = add(firm, "bob", minutes="1:00", note="Call")
    carla = a_billing_viewer(firm)
    assert bobs in {r.id for r in read(time.list_entries, carla)}  # she sees it
    yesterday = dt.date.today() - dt.timedelta(days=1)
    for attempt in (lambda: write(time.update_entry, carla, bobs, work_date=yesterday, duration="5:00", note="Mine"),
                    lambda: write(time.delete_entry, carla, bobs), lambda: read(time.entry_to_edit, carla, bobs)):
        with pytest.raises(PermissionDenied) as refused:
            attempt()
        assert str(refused.value) == "Only people who may edit others' time can change it."
    assert (entry(bobs).minutes, entry(bobs).note) == (60, "Call")
    with pytest.raises(NotFound):  # Bob does not see Dana's time at all
        read(time.entry_to_edit, firm["bob"], add(firm, "dana"))
    # Dana has the right: she corrects Bob's duration, and the entry stays on its account and job.
    on_job = add(firm, "bob", minutes="1:00", job_id=firm["job"])
    row = read(time.entry_to_edit, firm["dana"], on_job)
    assert (row.minutes, row.member_name, row.job_name) == (60, "Bob Stone", "2026 Tax return")
    write(time.update_entry, firm["dana"], on_job, work_date=yesterday, duration="1:45", billable=False, note="Less")
    assert (entry(on_job).minutes, entry(on_job).job_id, entry(on_job).billable) == (105, firm["job"], False)


def test_billed_time_is_refused_and_names_the_invoice_that_holds_it(firm):
    ids = [add(firm, minutes="1:00", job_id=firm["job"]) for _n in range(2)]
    invoice = write(wip.bill_entries, firm["owner"], account_id=firm["hartley"], entry_ids=ids)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    with pytest.raises(Conflict) as draft:
        write(time.update_entry, firm["bob"], ids[0], work_date=yesterday, duration="3:00")
    assert str(draft.value) == ("This time is on a draft invoice: it cannot be changed or deleted. Take it off the "
                                "draft first.")
    issued = write(invoices.issue, firm["owner"], invoice.id)
    for attempt in (lambda: write(time.delete_entry, firm["bob"], ids[0]),
                    lambda: read(time.entry_to_edit, firm["owner"], ids[1]),
                    lambda: write(time.update_entry, firm["owner"], ids[1], work_date=yesterday, duration="3:00")):
        with pytest.raises(Conflict) as billed:
            attempt()
        assert f"billed on invoice {issued.number}" in str(billed.value)
    assert {entry(i).minutes for i in ids} == {60}


def test_the_list_is_filtered_by_member_and_account_for_those_who_see_others_time(firm):
    bob_hartley = add(firm, "bob")
    dana_hartley = add(firm, "dana")
    dana_other = add(firm, "dana", account_id=firm["other"])
    listed = lambda who, **kw: {r.id for r in read(time.list_entries, firm[who], **kw)}  # noqa: E731
    assert listed("owner", member_id=firm["dana"].member_id) == {dana_hartley, dana_other}
    assert listed("owner", account_id=firm["hartley"]) == {bob_hartley, dana_hartley}
    assert listed("owner", member_id=firm["dana"].member_id, account_id=firm["other"]) == {dana_other}
    # Whose time may be chosen: everyone's for Dana; nobody's for Bob, who sees only his own whatever he asks.
    names = [name for _id, name in read(time.members_to_filter, firm["dana"])]
    assert "Bob Stone" in names and "Dana Fox" in names
    assert read(time.members_to_filter, firm["bob"]) == []
    assert listed("bob", member_id=firm["dana"].member_id) == set()
    assert listed("bob") == {bob_hartley}

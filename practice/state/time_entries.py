"""The Time page: the member's running timer (stop it; past the firm's idle limit it asks whether to count the idle
time), a timer started for an account, time written down afterwards, the entries (one's own; everyone's with the
right) filtered by account, deleting an unbilled one, and the work in progress for those who see billing. The
services check who may do each (services/billing/time.py, wip.py)."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice import routes
from practice.i18n import _
from practice.services.billing import invoices, time, wip
from practice.services.formatting import date_input, format_date, format_money, format_time, zone
from practice.services.firm import get_firm
from practice.services.work import catalog
from practice.state.account_picker import AccountPicker
from practice.state.base import STAFF, AppState, allow, read, run, shown_in, write_and_refresh
from practice.state.views import Option
from practice.state.work_views import is_checked, parse_date, parse_id


class TimerStopping(rx.State, mixin=True):
    """Stopping the member's running timer, on the Time page and on a job's page: past the firm's idle limit the
    service asks first (`idle_question`), and the answer counts the idle time or only up to the limit. The page's
    state has `error` and `_refresh`."""

    idle_open: bool = False
    idle_question: str = ""

    def _asked_about_idle(self, step, **values) -> bool:
        """Run a timer step (stopping one, or starting one, which stops the running one); True when the service asked
        about the idle time first instead (the question is then open)."""
        try:
            run(step, self._require(), **values)
        except time.PastIdleLimit as asked:
            self.idle_question, self.idle_open = str(asked), True
            return True
        return False

    @allow(STAFF)
    def stop_timer(self):
        self.error = ""
        with shown_in(self, "error"):
            if not self._asked_about_idle(time.stop_timer):
                self._refresh()

    @allow(STAFF)
    def count_idle(self, keep: bool):
        self.idle_open = False
        write_and_refresh(self, time.stop_timer, keep_idle=bool(keep))

    @allow(STAFF)
    def set_idle_open(self, value: bool):
        self.idle_open = bool(value)


@dataclasses.dataclass
class EntryItem:
    id: int = 0
    day: str = ""
    member: str = ""
    details: str = ""
    account: str = ""
    on: str = ""
    duration: str = ""
    amount: str = ""
    note: str = ""
    billable: bool = True
    billed: str = ""
    running: bool = False
    may_delete: bool = False


@dataclasses.dataclass
class WipItem:
    key: str = ""
    account: str = ""
    job: str = ""
    duration: str = ""
    amount: str = ""


def _page_view(session, actor, account_id: int | None) -> dict:
    """What the page shows, in one read."""
    rows = time.list_entries(session, actor, account_id=account_id)
    progress = wip.work_in_progress(session, actor, account_id=account_id) if actor.sees_billing else None
    return {"rows": rows, "wip": progress, "timer": time.running_timer(session, actor),
            "services": catalog.list_services(session), "today": invoices.firm_today(session),
            "zone": zone(get_firm(session).timezone)}


def _entry_items(rows, actor) -> list[EntryItem]:
    return [EntryItem(id=r.id, day=format_date(r.work_date), member=r.member_name, account=r.account_name,
                      details=" · ".join(x for x in (format_date(r.work_date), r.member_name,
                                                      r.task_title or r.job_name) if x),
                      on=r.task_title or r.job_name, duration=_("running") if r.running else time.duration_text(r.minutes),
                      amount=format_money(r.amount_cents) if r.billable and not r.running else "", note=r.note,
                      billable=r.billable, billed=_("Invoice {number}").format(number=r.invoice_number)
                      if r.invoice_number else (_("Draft invoice") if r.invoice_id else ""), running=r.running,
                      may_delete=r.invoice_id is None and (r.mine or actor.edits_others_time)) for r in rows]


class TimeState(TimerStopping, AccountPicker, AppState):
    rows: list[EntryItem] = []
    wip_rows: list[WipItem] = []
    wip_total: str = ""
    sees_wip: bool = False
    manages_billing: bool = False
    timer_running: bool = False
    timer_on: str = ""
    timer_since: str = ""
    account_id: str = ""
    account_name: str = ""
    service_options: list[Option] = []
    today: str = ""
    form_key: int = 0
    error: str = ""
    form_error: str = ""

    def _refresh(self) -> None:
        actor = self._require()
        data = read(_page_view, actor, parse_id(self.account_id))
        self.rows = _entry_items(data["rows"], actor)
        self.sees_wip = data["wip"] is not None
        progress = data["wip"] or []
        self.manages_billing = actor.manages_billing
        self.wip_rows = [WipItem(key=f"{w.account_id}:{w.job_id or 0}", account=w.account_name, job=w.job_name, duration=time.duration_text(w.minutes),
                                 amount=format_money(w.amount_cents)) for w in progress]
        self.wip_total = format_money(sum(w.amount_cents for w in progress))
        timer = data["timer"]
        self.timer_running = timer is not None
        self.timer_on = (timer.task_title or timer.job_name or timer.account_name) if timer else ""
        self.timer_since = format_time(timer.started_at, data["zone"]) if timer else ""
        self.service_options = [Option(value=str(s.id), label=s.name) for s in data["services"]]
        self.today = date_input(data["today"])

    @allow(STAFF)
    def load(self):
        self.error = self.form_error = ""
        self.idle_open, self.account_query, self.account_matches = False, "", []
        self.account_id = self.account_name = ""
        with shown_in(self, "error"):
            self._refresh()

    @allow(STAFF)
    def choose_account(self, account_id: str):
        match = self._picked(account_id)
        if match is None:
            return
        self.account_id, self.account_name = match.value, match.label
        with shown_in(self, "error"):
            self._refresh()

    @allow(STAFF)
    def clear_account(self):
        self.account_id = self.account_name = ""
        with shown_in(self, "error"):
            self._refresh()

    @allow(STAFF)
    def add_entry(self, form: dict):
        self.form_error = ""
        with shown_in(self, "form_error"):
            run(time.add_entry, self._require(), account_id=parse_id(self.account_id),
                work_date=parse_date(form.get("work_date")), duration=str(form.get("duration", ""))[:40],
                service_id=parse_id(form.get("service_id", "")), billable=is_checked(form.get("billable")),
                note=str(form.get("note", ""))[:time.NOTE_LIMIT])
            self.form_key += 1
            self._refresh()

    @allow(STAFF)
    def start_timer(self):
        self.form_error = ""
        with shown_in(self, "form_error"):
            run(time.start_timer, self._require(), account_id=parse_id(self.account_id))
            self._refresh()

    @allow(STAFF)
    def bill_work(self, key: str):
        """Bill a line of the work in progress onto a new draft, and open it in the invoice editor."""
        account_id, _sep, job_id = str(key or "").partition(":")
        if parse_id(account_id) is None:
            return
        self.error = ""
        with shown_in(self, "error"):
            invoice = run(wip.bill_work_in_progress, self._require(), account_id=parse_id(account_id),
                          job_id=parse_id(job_id))
            return rx.redirect(routes.invoice_url(invoice.id))

    @allow(STAFF)
    def delete_entry(self, entry_id: int):
        try:
            entry_id = int(entry_id)
        except (TypeError, ValueError):
            return
        write_and_refresh(self, time.delete_entry, entry_id)


def _job_timer_view(session, actor, job_id: int) -> dict:
    return {"timer": time.running_timer(session, actor), "zone": zone(get_firm(session).timezone)}


class JobTimerState(TimerStopping, AppState):
    """The timer on a job's page: start it on this job (any other running timer stops), stop it (past the idle limit
    it asks first), for members who track time."""

    tracks: bool = False
    timer_job: int = 0
    here: bool = False
    since: str = ""
    elsewhere: str = ""
    error: str = ""

    def _refresh(self) -> None:
        actor = self._require()
        self.tracks = actor.tracks_time
        if not self.tracks or not self.timer_job:
            return
        data = read(_job_timer_view, actor, self.timer_job)
        timer = data["timer"]
        self.here = timer is not None and timer.job_id == self.timer_job
        self.since = format_time(timer.started_at, data["zone"]) if timer else ""
        self.elsewhere = (timer.task_title or timer.job_name or timer.account_name) if timer and not self.here else ""

    @allow(STAFF)
    def load_job(self):
        self.error, self.idle_open = "", False
        self.timer_job = parse_id(getattr(self, "job_id", "")) or 0
        with shown_in(self, "error"):
            self._refresh()

    @allow(STAFF)
    def start(self):
        self.error = ""
        with shown_in(self, "error"):
            if self._asked_about_idle(time.start_timer, job_id=self.timer_job or None):
                return
            self._refresh()


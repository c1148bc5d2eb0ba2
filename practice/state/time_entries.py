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
from practice.services.work import accounts, catalog
from practice.state.account_picker import AccountPicker
from practice.state.base import STAFF, AppState, allow, read, run, shown_in, write_and_refresh
from practice.state.views import Option
from practice.state.work_views import is_checked, parse_date, parse_id


class TimerStopping(rx.State, mixin=True):
    """Stopping the member's running timer, on the Time page and on a job's page: past the firm's idle limit the
    service asks first (`idle_question`), and the answer counts the idle time or only up to the limit, then does what
    was asked: stops the timer, or starts the new one (starting one stops the running one). The page's state has
    `error` and `_refresh`."""

    idle_open: bool = False
    idle_question: str = ""
    # The timer to start once the question is answered (its job, task...); None: the answer only stops the timer.
    _idle_start: dict | None = None

    def _asked_about_idle(self, step, **values) -> bool:
        """Run a timer step (stopping one, or starting one, which stops the running one); True when the service asked
        about the idle time first instead (the question is then open)."""
        try:
            run(step, self._require(), **values)
        except time.PastIdleLimit as asked:
            self.idle_question, self.idle_open = str(asked), True
            self._idle_start = dict(values) if step is time.start_timer else None
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
        starting, self._idle_start = self._idle_start, None
        if starting is None:
            write_and_refresh(self, time.stop_timer, keep_idle=bool(keep))
        elif write_and_refresh(self, time.start_timer, keep_idle=bool(keep), **starting):
            return rx.toast.success(_("Timer started."))
        return None

    @allow(STAFF)
    def set_idle_open(self, value: bool):
        self.idle_open = bool(value)
        if not self.idle_open:
            self._idle_start = None


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
    may_change: bool = False


@dataclasses.dataclass
class EntryForm:
    """The entry being corrected, as its dialog's fields show it (id 0: none)."""
    id: int = 0
    where: str = ""
    work_date: str = ""
    duration: str = ""
    service_id: str = ""
    billable: bool = True
    note: str = ""


@dataclasses.dataclass
class WipItem:
    key: str = ""
    account: str = ""
    job: str = ""
    duration: str = ""
    amount: str = ""


def _page_view(session, actor, account_id: int | None, member_id: int | None) -> dict:
    """What the page shows, in one read."""
    rows = time.list_entries(session, actor, account_id=account_id, member_id=member_id)
    progress = wip.work_in_progress(session, actor, account_id=account_id) if actor.sees_billing else None
    return {"rows": rows, "wip": progress, "timer": time.running_timer(session, actor),
            "members": time.members_to_filter(session, actor),
            "services": catalog.list_services(session), "today": invoices.firm_today(session),
            "zone": zone(get_firm(session).timezone)}


def _where(row) -> str:
    return " · ".join(x for x in (row.account_name, row.job_name, row.task_title) if x)


def _total(rows) -> str:
    done = [r for r in rows if not r.running]
    minutes = time.duration_text(sum(r.minutes for r in done))
    return _("Total {duration} · {amount}").format(duration=minutes, amount=format_money(
        sum(r.amount_cents for r in done if r.billable)))


def _entry_items(rows, actor) -> list[EntryItem]:
    return [EntryItem(id=r.id, day=format_date(r.work_date), member=r.member_name, account=r.account_name,
                      details=" · ".join(x for x in (format_date(r.work_date), r.member_name,
                                                      r.task_title or r.job_name) if x),
                      on=r.task_title or r.job_name, duration=_("running") if r.running else time.duration_text(r.minutes),
                      amount=format_money(r.amount_cents) if r.billable and not r.running else "", note=r.note,
                      billable=r.billable, billed=_("Invoice {number}").format(number=r.invoice_number)
                      if r.invoice_number else (_("Draft invoice") if r.invoice_id else ""), running=r.running,
                      may_change=r.invoice_id is None and (r.mine or actor.edits_others_time)) for r in rows]


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
    # Whose time is listed ("": everyone's the member may see); offered to those who see others' time.
    member_id: str = ""
    member_options: list[Option] = []
    total: str = ""
    service_options: list[Option] = []
    today: str = ""
    form_key: int = 0
    error: str = ""
    form_error: str = ""
    # The entry being corrected in its dialog, and the one about to be deleted (0: none).
    entry_edit: EntryForm = EntryForm()
    entry_edit_error: str = ""
    entry_delete_id: int = 0
    entry_delete_text: str = ""
    # The address a filter change just sent the page to: its own load must not close a dialog opened meanwhile.
    _filtered_to: str = ""

    def _refresh(self) -> None:
        actor = self._require()
        data = read(_page_view, actor, parse_id(self.account_id), parse_id(self.member_id))
        self.member_options = [Option(value=str(i), label=name) for i, name in data["members"]]
        self.rows = _entry_items(data["rows"], actor)
        self.total = _total(data["rows"])
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
        """The filters come from the address (`routes.time_url`), so a reload or a shared link keeps them."""
        params = self.router.url.query_parameters
        asked = routes.time_url(parse_id(params.get("account", "")), parse_id(params.get("member", "")))
        if self._filtered_to != asked:  # entering the page, not the load a filter change redirected to
            self._close_dialogs()
        self._filtered_to = ""
        self.account_query, self.account_matches = "", []
        self.account_id = self.account_name = ""
        self.member_id = str(parse_id(params.get("member", "")) or "")
        with shown_in(self, "error"):
            account_id = parse_id(params.get("account", ""))
            if account_id is not None:
                account = read(accounts.get_account, self._require(), account_id)
                self.account_id, self.account_name = str(account.id), account.name
        with shown_in(self, "error"):
            self._refresh()
            if self.member_id not in {o.value for o in self.member_options}:
                self.member_id = ""
                self._refresh()

    def _close_dialogs(self) -> None:
        """On entering the page. The load a filter change redirects to comes after the filtered list has shown, so
        a person may have opened an entry's dialog or met the idle question meanwhile: that load keeps them."""
        self.error = self.form_error = self.entry_edit_error = ""
        self.idle_open = False
        self.entry_edit, self.entry_delete_id = EntryForm(), 0

    def _filtered(self):
        """Show the list as filtered now, and put the filters in the address."""
        with shown_in(self, "error"):
            self._refresh()
        self._filtered_to = routes.time_url(self.account_id, self.member_id)
        return rx.redirect(self._filtered_to)

    @allow(STAFF)
    def choose_account(self, account_id: str):
        match = self._picked(account_id)
        if match is None:
            return None
        self.account_id, self.account_name = match.value, match.label
        return self._filtered()

    @allow(STAFF)
    def clear_account(self):
        self.account_id = self.account_name = ""
        return self._filtered()

    @allow(STAFF)
    def choose_member(self, member_id: str):
        """Whose time is listed (only members the service offers; anything else lists everyone's)."""
        wanted = str(member_id or "")[:20]
        self.member_id = wanted if wanted in {o.value for o in self.member_options} else ""
        return self._filtered()

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
    def edit_entry(self, entry_id: int):
        """Open the entry's dialog with its current values (refused, with the reason, if it may not change)."""
        self.error = ""
        with shown_in(self, "error"):
            row = read(time.entry_to_edit, self._require(), parse_id(entry_id) or 0)
            self.entry_edit_error = ""
            self.entry_edit = EntryForm(id=row.id, where=_where(row), work_date=date_input(row.work_date),
                                        duration=time.duration_text(row.minutes),
                                        service_id=str(row.service_id or ""), billable=row.billable, note=row.note)

    @allow(STAFF)
    def set_entry_edit_open(self, value: bool):
        if not value:
            self.entry_edit = EntryForm()

    @allow(STAFF)
    def save_entry(self, form: dict):
        if not self.entry_edit.id:
            return None
        with shown_in(self, "entry_edit_error"):
            day = parse_date(form.get("work_date"))
            if write_and_refresh(self, time.update_entry, self.entry_edit.id, shown="entry_edit_error",
                                 work_date=day, duration=str(form.get("duration", ""))[:40],
                                 service_id=parse_id(form.get("service_id", "")),
                                 billable=is_checked(form.get("billable")),
                                 note=str(form.get("note", ""))[:time.NOTE_LIMIT]):
                self.entry_edit = EntryForm()
                return rx.toast.success(_("Time saved."))
        return None

    @allow(STAFF)
    def ask_delete_entry(self, entry_id: int):
        self.error = ""
        with shown_in(self, "error"):
            row = read(time.entry_to_delete, self._require(), parse_id(entry_id) or 0)
            self.entry_delete_text = _("{duration} of {member}'s time on {day} for {where} goes; this cannot be "
                                       "undone.").format(duration=_("a running timer") if row.running
                                                         else time.duration_text(row.minutes),
                                                         member=row.member_name, day=format_date(row.work_date),
                                                         where=_where(row))
            self.entry_delete_id = row.id

    @allow(STAFF)
    def set_entry_delete_open(self, value: bool):
        if not value:
            self.entry_delete_id = 0

    @allow(STAFF)
    def confirm_delete_entry(self):
        entry_id, self.entry_delete_id = self.entry_delete_id, 0
        if entry_id and write_and_refresh(self, time.delete_entry, entry_id):
            return rx.toast.success(_("Time deleted."))
        return None


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


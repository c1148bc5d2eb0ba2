"""The invoice editor's "Bill time": a dialog listing the draft's account's unbilled billable time (every entry
chosen at first; choose all or none; narrowed to one job), then adding the chosen entries to the draft as lines
through the service (`wip.unbilled_of_account`, `wip.bill_onto_draft`), which saves the draft as the editor shows
it first, in the same transaction. The amounts shown are those the lines keep. A state mixin of the invoice editor,
which has `account_id`, `inv_id`, `error`, `_draft_fields()` (what saving sends) and `_refresh()`."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice import routes
from practice.i18n import _, ngettext
from practice.services.billing import time, wip
from practice.services.formatting import format_date, format_money
from practice.state.base import STAFF, allow, person_error, read, run, shown_in
from practice.state.views import Option
from practice.state.work_views import parse_id


@dataclasses.dataclass
class TimeItem:
    """One unbilled entry offered to the draft."""
    id: int = 0
    day: str = ""
    member: str = ""
    job: str = ""
    job_key: str = ""   # the job's id, "0" for time on no job
    service: str = ""
    duration: str = ""
    amount: str = ""
    note: str = ""
    chosen: bool = True


class BillTime(rx.State, mixin=True):
    time_open: bool = False
    # The entries shown (the job filter applied), the jobs to filter by, and what adding would add.
    time_items: list[TimeItem] = []
    time_jobs: list[Option] = []
    time_job: str = ""
    time_count: int = 0
    time_add_label: str = ""
    time_total: str = ""
    time_error: str = ""
    _time_all: list[TimeItem] = []
    _time_cents: dict[int, int] = {}

    def _read_time(self) -> None:
        rows = read(wip.unbilled_of_account, self._require(), parse_id(self.account_id))
        self._time_cents = {r.id: r.amount_cents for r in rows}
        self._time_all = [TimeItem(id=r.id, day=format_date(r.work_date), member=r.member_name,
                                   job=r.task_title or r.job_name, job_key=str(r.job_id or 0),
                                   service=r.service_name, duration=time.duration_text(r.minutes),
                                   amount=format_money(r.amount_cents), note=r.note) for r in rows]
        jobs: dict[str, str] = {}
        for r in rows:
            jobs.setdefault(str(r.job_id or 0), r.job_name or _("No job"))
        self.time_jobs = [Option(value=k, label=v) for k, v in jobs.items()]
        if self.time_job not in jobs:
            self.time_job = ""
        self._show_time()

    def _show_time(self) -> None:
        self.time_items = [x for x in self._time_all if self.time_job in ("", x.job_key)]
        chosen = [x.id for x in self.time_items if x.chosen]
        self.time_count = len(chosen)
        self.time_add_label = ngettext("Add {n} entry", "Add {n} entries", len(chosen)).format(n=len(chosen))
        self.time_total = format_money(sum(self._time_cents.get(i, 0) for i in chosen))

    @allow(STAFF)
    def open_time(self):
        """Open "Bill time" on the account's unbilled billable time as it is now, all of it chosen."""
        self.error = self.time_error = self.time_job = ""
        if parse_id(self.account_id) is None:
            self.error = _("Choose the account the invoice is for.")
            return
        with shown_in(self, "error"):
            self._read_time()
            self.time_open = True

    @allow(STAFF)
    def set_time_open(self, value: bool):
        self.time_open = value is True

    @allow(STAFF)
    def toggle_time(self, entry_id: int):
        wanted = parse_id(entry_id)
        self._time_all = [dataclasses.replace(x, chosen=not x.chosen) if x.id == wanted else x for x in self._time_all]
        self._show_time()

    @allow(STAFF)
    def choose_all_time(self, chosen: bool):
        """Choose every entry shown (or none of them); those the job filter hides stay as they were."""
        shown = {x.id for x in self.time_items}
        self._time_all = [dataclasses.replace(x, chosen=chosen is True) if x.id in shown else x
                          for x in self._time_all]
        self._show_time()

    @allow(STAFF)
    def set_time_job(self, key: str):
        self.time_job = str(key or "") if any(o.value == str(key or "") for o in self.time_jobs) else ""
        self._show_time()

    @allow(STAFF)
    def add_time(self):
        """Bill the chosen entries shown onto the draft (saving it as shown first; a new invoice is saved then)."""
        ids = [x.id for x in self.time_items if x.chosen]
        self.time_error = ""
        try:
            invoice = run(wip.bill_onto_draft, self._require(), entry_ids=ids, **self._draft_fields())
        except Exception as exc:  # noqa: BLE001 - person_error raises what is not a person's error
            self.time_error = str(person_error(exc))
            with shown_in(self, "time_error"):
                self._read_time()   # what is still unbilled now (another draft may have just taken some)
            return None
        self.time_open = False
        done = rx.toast.success(ngettext("{n} entry added to the draft.", "{n} entries added to the draft.",
                                         len(ids)).format(n=len(ids)))
        if not self.inv_id:
            return [rx.redirect(routes.invoice_url(invoice.id)), done]
        self._refresh()
        return done

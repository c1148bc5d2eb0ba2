"""The recurring invoices page (Billing, Recurring): the firm's series with their next date, and one series' form
(account, name, lines from the catalog, a template or typed, how often, first and last date, sent automatically or
left as drafts) with the next 12 dates and amounts as it is typed; pausing, resuming and deleting (issued invoices
stay). Whoever sees billing reads; writing needs "manage invoices and payments" (services/billing/recurring.py)."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice import routes
from practice.i18n import _, ngettext
from practice.services.billing import recurring, templates, views
from practice.services.billing.invoices import percent_text
from practice.services.payments import autopay
from practice.services.errors import InvalidInput
from practice.services.formatting import format_date, format_money, money_input
from practice.services.work import catalog
from practice.state.account_picker import AccountPicker
from practice.state.base import STAFF, AppState, allow, read, shown_in, write_and_refresh
from practice.state.invoice import LINE_FIELDS, MAX_EDIT_LINES, EditLine, raw_line
from practice.state.views import Option
from practice.state.work_views import parse_date, parse_id

INTERVAL_CHOICES = list(recurring.INTERVALS.items())


@dataclasses.dataclass
class SeriesItem:
    id: int = 0
    name: str = ""
    account: str = ""
    account_href: str = ""
    summary: str = ""
    next_date: str = ""
    state: str = ""  # running, paused, ended
    issued: str = ""
    card: str = ""  # "Paid by card: Visa •••• 4242 (Amy Jones agreed on Dec 5, 2026, 12:30 PM)", or ""


@dataclasses.dataclass
class PreviewItem:
    date: str = ""
    amount: str = ""


def _page_view(session, actor) -> dict:
    return {"rows": recurring.list_series(session, actor), "services": catalog.list_services(session),
            "templates": templates.list_templates(session, actor)}


def _item(r) -> SeriesItem:
    state = "paused" if r.paused else "running" if r.next_period else "ended"
    summary = f"{format_money(r.total_cents)} · {_(recurring.INTERVALS[r.interval])}"
    if not r.send_automatically:
        summary += " · " + _("drafts to check")
    return SeriesItem(r.id, r.name, r.account_name, routes.account_url(r.account_id), summary,
                      format_date(r.next_period) if r.next_period else "", state,
                      ngettext("{n} invoice issued", "{n} invoices issued", r.issued).format(n=r.issued),
                      _("Paid automatically by card: {card} ({name} agreed on {when})").format(
                          card=r.card_label, name=r.card_by, when=r.card_when) if r.card_label else "")


class RecurringInvoicesState(AccountPicker, AppState):
    PICKER_ERROR_FIELD = "ri_error"

    ri_rows: list[SeriesItem] = []
    ri_manages: bool = False
    ri_error: str = ""
    ri_editing: int = -1  # -1: no form; 0: a new series; else the series' id
    ri_form_key: int = 0
    ri_account_id: str = ""
    ri_account_name: str = ""
    ri_name: str = ""
    ri_interval: str = "monthly"
    ri_start: str = ""
    ri_end: str = ""
    ri_send: bool = True
    ri_due_days: str = "30"
    ri_notes: str = ""
    ri_terms: str = ""
    ri_lines: list[EditLine] = []
    ri_total: str = ""
    ri_tax: str = ""  # the tax on the whole invoice, as typed ("8.25"; "": none)
    ri_services: list[Option] = []
    ri_templates: list[Option] = []
    ri_preview: list[PreviewItem] = []
    ri_preview_note: str = ""
    ri_delete_id: int = 0
    ri_delete_name: str = ""
    # The series whose automatic card payment is about to be turned off (0: none), and what the question names.
    ri_turn_off_id: int = 0
    ri_turn_off_name: str = ""
    ri_turn_off_card: str = ""
    _services: dict[str, tuple[str, str, int]] = {}
    _next_key: int = 1
    _next_period: str = ""  # the edited series' next date ("YYYY-MM-DD"): its preview starts there

    def _refresh(self) -> None:
        actor = self._require()
        self.ri_manages = actor.manages_billing
        data = read(_page_view, actor)
        self.ri_rows = [_item(r) for r in data["rows"]]
        self._services = {str(s.id): (s.name, s.description, s.rate_cents) for s in data["services"]}
        self.ri_services = [Option(value=str(s.id), label=f"{s.name} ({format_money(s.rate_cents)})")
                            for s in data["services"]]
        self.ri_templates = [Option(value=str(t.id), label=t.name) for t in data["templates"]]

    @allow(STAFF)
    def load(self):
        self.ri_error, self.ri_editing, self.ri_delete_id, self.ri_turn_off_id = "", -1, 0, 0
        self.account_query, self.account_matches = "", []
        with shown_in(self, "ri_error"):
            self._refresh()

    def _line(self, raw: dict) -> EditLine:
        self._next_key += 1
        return EditLine(key=self._next_key, service_id=str(raw.get("service_id") or ""), name=raw.get("name", ""),
                        description=raw.get("description", ""), quantity=str(raw.get("quantity") or "1"),
                        rate=money_input(raw["rate_cents"]) if raw.get("rate_cents") is not None else "",
                        discount=str(raw.get("discount") or ""), tax=str(raw.get("tax") or ""))

    def _figures(self) -> None:
        figures = views.figures([raw_line(x) for x in self.ri_lines], tax_text=self.ri_tax)
        self.ri_lines = [dataclasses.replace(x, total=format_money(cents) if cents is not None else "")
                         for x, cents in zip(self.ri_lines, figures.line_totals)]
        self.ri_total = format_money(figures.total_cents)
        self._preview()

    def _preview(self) -> None:
        """The next 12 dates and amounts of the series as typed (from its next date when it exists already)."""
        self.ri_preview, self.ri_preview_note = [], ""
        try:
            start, end = parse_date(self.ri_start, "start date"), parse_date(self.ri_end)
            after = parse_date(self._next_period) if self.ri_editing > 0 else None
            shown = read(recurring.preview, lines=[raw_line(x) for x in self.ri_lines], interval=self.ri_interval,
                         start_date=start, end_date=end, after=after, whole_tax=self.ri_tax)
        except InvalidInput as bad:
            self.ri_preview_note = str(bad)
            return
        self.ri_preview = [PreviewItem(format_date(day), format_money(cents)) for day, cents in shown]
        if not shown:
            self.ri_preview_note = _("No invoice is left to issue: the last date has passed.")

    @allow(STAFF)
    def edit(self, series_id: int):
        """Open the form: a new series (0), or one of the list's."""
        self.ri_error, series_id = "", parse_id(series_id) or 0
        found = None
        with shown_in(self, "ri_error"):
            found = read(recurring.get_series, self._require(), series_id) if series_id else None
        self._fill(found)
        self.account_query, self.account_matches = "", []
        self._figures()
        self.ri_form_key += 1

    def _fill(self, found) -> None:
        """The form's fields from a series (None: a new one)."""
        row = next((r for r in self.ri_rows if found is not None and r.id == found.id), None)
        self.ri_editing = found.id if found else 0
        self.ri_account_id, self.ri_account_name = (str(found.account_id), row.account if row else "") if found \
            else ("", "")
        self.ri_name, self.ri_notes, self.ri_terms = (found.name, found.notes, found.terms) if found else ("", "", "")
        self.ri_interval = found.interval if found else "monthly"
        self.ri_start = found.start_date.isoformat() if found else ""
        self.ri_end = found.end_date.isoformat() if found and found.end_date else ""
        self.ri_send = found.send_automatically if found else True
        self._next_period = found.next_period.isoformat() if found and found.next_period else ""
        self.ri_due_days = str(found.due_days if found else templates.DEFAULT_DUE_DAYS)
        self.ri_tax = percent_text(found.whole_tax_bp) if found and found.whole_tax_bp else ""
        self.ri_lines = [self._line(raw) for raw in found.lines] if found else [self._line({})]

    @allow(STAFF)
    def cancel(self):
        self.ri_editing, self.ri_error = -1, ""

    @allow(STAFF)
    def choose_account(self, account_id: str):
        match = self._picked(account_id)
        if match is not None:
            self.ri_account_id, self.ri_account_name = match.value, match.label

    @allow(STAFF)
    def clear_account(self):
        self.ri_account_id = self.ri_account_name = ""

    @allow(STAFF)
    def use_template(self, template_id: str):
        """Start from an invoice template: its lines, tax on the whole invoice, notes, terms and days until due."""
        if not parse_id(template_id):
            return
        with shown_in(self, "ri_error"):
            found = read(templates.get_template, self._require(), parse_id(template_id))
            self.ri_lines = [self._line(raw) for raw in found.lines][:MAX_EDIT_LINES] or [self._line({})]
            self.ri_notes, self.ri_terms, self.ri_due_days = found.notes, found.terms, str(found.due_days)
            self.ri_tax = percent_text(found.whole_tax_bp) if found.whole_tax_bp else ""
            if not self.ri_name:
                self.ri_name = found.name
            self._figures()
            self.ri_form_key += 1

    @allow(STAFF)
    def set_schedule(self, field_name: str, value: str):
        """Keep the interval, first date or last date as chosen; the preview follows."""
        value = str(value or "")[:20]
        if field_name == "interval" and value in recurring.INTERVALS:
            self.ri_interval = value
        elif field_name == "start":
            self.ri_start = value
        elif field_name == "end":
            self.ri_end = value
        self._preview()

    @allow(STAFF)
    def set_send(self, value: bool):
        self.ri_send = bool(value)

    @allow(STAFF)
    def add_service(self, service_id: str):
        """Add a catalog service as a line (its rate is the starting rate, which may be changed)."""
        found = self._services.get(str(service_id or ""))
        if found is not None and len(self.ri_lines) < MAX_EDIT_LINES:
            name, description, rate = found
            self.ri_lines = [*self.ri_lines, self._line({"service_id": service_id, "name": name,
                                                         "description": description, "rate_cents": rate})]
            self._figures()

    @allow(STAFF)
    def add_line(self):
        if len(self.ri_lines) < MAX_EDIT_LINES:
            self.ri_lines = [*self.ri_lines, self._line({})]
            self._figures()

    @allow(STAFF)
    def set_line(self, key: int, field_name: str, value: str):
        """Keep what was typed in one of a line's fields; the totals and the preview follow."""
        wanted = parse_id(key)
        if field_name not in LINE_FIELDS:
            return
        self.ri_lines = [dataclasses.replace(x, **{field_name: str(value or "")[:300]}) if x.key == wanted else x
                         for x in self.ri_lines]
        self._figures()

    @allow(STAFF)
    def set_tax(self, value: str):
        """Keep the tax on the whole invoice as typed; the total and the preview follow (checked when saved)."""
        self.ri_tax = str(value or "")[:40]
        self._figures()

    @allow(STAFF)
    def remove_line(self, key: int):
        wanted = parse_id(key)
        self.ri_lines = [x for x in self.ri_lines if x.key != wanted]
        self._figures()

    @allow(STAFF)
    def save(self, form: dict):
        self.ri_error = ""
        with shown_in(self, "ri_error"):
            start, end = parse_date(self.ri_start, "start date"), parse_date(self.ri_end)
            if write_and_refresh(self, recurring.save_series, series_id=self.ri_editing or None,
                                 account_id=parse_id(self.ri_account_id) or 0,
                                 name=str(form.get("name", "") or "")[:300], lines=[raw_line(x) for x in self.ri_lines],
                                 interval=self.ri_interval, start_date=start, end_date=end,
                                 send_automatically=self.ri_send, notes=str(form.get("notes", "") or "")[:5000],
                                 terms=str(form.get("terms", "") or "")[:5000],
                                 due_days=str(form.get("due_days", "") or "")[:10],
                                 whole_tax=str(form.get("whole_tax", self.ri_tax) or "")[:40],
                                 shown="ri_error"):
                self.ri_editing = -1
                return rx.toast.success(_("Recurring invoice saved."))

    @allow(STAFF)
    def pause(self, series_id: int):
        if write_and_refresh(self, recurring.set_paused, parse_id(series_id) or 0, True, shown="ri_error"):
            return rx.toast.success(_("Paused: no invoice goes out until you resume it."))

    @allow(STAFF)
    def resume(self, series_id: int):
        if write_and_refresh(self, recurring.set_paused, parse_id(series_id) or 0, False, shown="ri_error"):
            return rx.toast.success(_("Resumed: the next invoice goes out on its date."))

    @allow(STAFF)
    def ask_turn_off_card(self, series_id: int):
        """Ask before stopping a series' automatic card payment (the client agreed to it in the portal)."""
        found = next((r for r in self.ri_rows if r.id == parse_id(series_id) and r.card), None)
        self.ri_turn_off_id, self.ri_turn_off_name = (found.id, found.name) if found else (0, "")
        self.ri_turn_off_card = found.card if found else ""

    @allow(STAFF)
    def set_turn_off_open(self, value: bool):
        if not value:
            self.ri_turn_off_id = 0

    @allow(STAFF)
    def turn_off_card(self):
        """Stop the asked series' automatic card payment; the client who agreed is emailed."""
        series_id, self.ri_turn_off_id = self.ri_turn_off_id, 0
        if series_id and write_and_refresh(self, autopay.turn_off, series_id, shown="ri_error"):
            return rx.toast.success(_("Automatic card payment turned off: the next invoices wait to be paid as "
                                      "usual. The client who agreed to it is told by email."))

    @allow(STAFF)
    def ask_delete(self, series_id: int):
        found = next((r for r in self.ri_rows if r.id == parse_id(series_id)), None)
        self.ri_delete_id, self.ri_delete_name = (found.id, found.name) if found else (0, "")

    @allow(STAFF)
    def set_delete_open(self, value: bool):
        if not value:
            self.ri_delete_id = 0

    @allow(STAFF)
    def confirm_delete(self):
        series_id, self.ri_delete_id = self.ri_delete_id, 0
        if series_id and write_and_refresh(self, recurring.delete_series, series_id, shown="ri_error"):
            self.ri_editing = -1
            return rx.toast.success(_("Recurring invoice deleted. The invoices it issued stay."))

"""The invoice templates page (owner and admins): the list, and one template's form (name, lines from the catalog or
typed with live totals, due in how many days, notes, terms) to add or change; deleting asks first and is refused
while a saved rule sends the template. Rules send them by name (services/billing/templates.py)."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice.i18n import _, ngettext
from practice.services.automation import compiled
from practice.services.billing import templates, views
from practice.services.billing.invoices import percent_text
from practice.services.formatting import format_money, money_input
from practice.services.work import catalog
from practice.state.base import ADMIN, AppState, allow, read, shown_in, write_and_refresh
from practice.state.invoice import LINE_FIELDS, MAX_EDIT_LINES, EditLine, raw_line
from practice.state.views import Option
from practice.state.work_views import parse_id

RULES = {"rules_using": compiled.rules_sending_invoice}


@dataclasses.dataclass
class TemplateItem:
    id: int = 0
    name: str = ""
    summary: str = ""


def _page_view(session, actor) -> dict:
    return {"rows": templates.list_templates(session, actor), "services": catalog.list_services(session)}


def _summary(row) -> str:
    """"2 lines · $450.00 · due in 15 days"."""
    lines = ngettext("{n} line", "{n} lines", row.lines).format(n=row.lines)
    due = ngettext("due in {n} day", "due in {n} days", row.due_days).format(n=row.due_days)
    return f"{lines} · {format_money(row.total_cents)} · {due}"


class InvoiceTemplatesState(AppState):
    it_rows: list[TemplateItem] = []
    it_error: str = ""
    it_editing: int = -1  # -1: no form; 0: a new template; else the template's id
    it_form_key: int = 0
    it_name: str = ""
    it_due_days: str = "30"
    it_notes: str = ""
    it_terms: str = ""
    it_lines: list[EditLine] = []
    it_total: str = ""
    it_tax: str = ""  # the tax on the whole invoice, as typed ("8.25"; "": none)
    it_services: list[Option] = []
    it_delete_id: int = 0
    it_delete_name: str = ""
    _services: dict[str, tuple[str, str, int]] = {}
    _next_key: int = 1

    def _refresh(self) -> None:
        data = read(_page_view, self._require())
        self.it_rows = [TemplateItem(r.id, r.name, _summary(r)) for r in data["rows"]]
        self._services = {str(s.id): (s.name, s.description, s.rate_cents) for s in data["services"]}
        self.it_services = [Option(value=str(s.id), label=f"{s.name} ({format_money(s.rate_cents)})")
                            for s in data["services"]]

    @allow(ADMIN)
    def load(self):
        self.it_error, self.it_editing, self.it_delete_id = "", -1, 0
        with shown_in(self, "it_error"):
            self._refresh()

    def _line(self, raw: dict) -> EditLine:
        self._next_key += 1
        return EditLine(key=self._next_key, service_id=str(raw.get("service_id") or ""), name=raw.get("name", ""),
                        description=raw.get("description", ""), quantity=str(raw.get("quantity") or "1"),
                        rate=money_input(raw["rate_cents"]) if raw.get("rate_cents") is not None else "",
                        discount=str(raw.get("discount") or ""), tax=str(raw.get("tax") or ""))

    def _figures(self) -> None:
        figures = views.figures([raw_line(x) for x in self.it_lines], tax_text=self.it_tax)
        self.it_lines = [dataclasses.replace(x, total=format_money(cents) if cents is not None else "")
                         for x, cents in zip(self.it_lines, figures.line_totals)]
        self.it_total = format_money(figures.total_cents)

    @allow(ADMIN)
    def edit(self, template_id: int):
        """Open the form: a new template (0), or one of the list's."""
        self.it_error, template_id = "", parse_id(template_id) or 0
        found = None
        with shown_in(self, "it_error"):
            found = read(templates.get_template, self._require(), template_id) if template_id else None
        self.it_editing = found.id if found else 0
        self.it_name, self.it_notes, self.it_terms = (found.name, found.notes, found.terms) if found else ("", "", "")
        self.it_due_days = str(found.due_days if found else templates.DEFAULT_DUE_DAYS)
        self.it_tax = percent_text(found.whole_tax_bp) if found and found.whole_tax_bp else ""
        self.it_lines = [self._line(raw) for raw in found.lines] if found else [self._line({})]
        self._figures()
        self.it_form_key += 1

    @allow(ADMIN)
    def cancel(self):
        self.it_editing, self.it_error = -1, ""

    @allow(ADMIN)
    def add_service(self, service_id: str):
        """Add a catalog service as a line (its rate is the starting rate, which may be changed)."""
        found = self._services.get(str(service_id or ""))
        if found is not None and len(self.it_lines) < MAX_EDIT_LINES:
            name, description, rate = found
            self.it_lines = [*self.it_lines, self._line({"service_id": service_id, "name": name,
                                                         "description": description, "rate_cents": rate})]
            self._figures()

    @allow(ADMIN)
    def add_line(self):
        if len(self.it_lines) < MAX_EDIT_LINES:
            self.it_lines = [*self.it_lines, self._line({})]
            self._figures()

    @allow(ADMIN)
    def set_line(self, key: int, field_name: str, value: str):
        """Keep what was typed in one of a line's fields; the totals follow."""
        wanted = parse_id(key)
        if field_name not in LINE_FIELDS:
            return
        self.it_lines = [dataclasses.replace(x, **{field_name: str(value or "")[:300]}) if x.key == wanted else x
                         for x in self.it_lines]
        self._figures()

    @allow(ADMIN)
    def set_tax(self, value: str):
        """Keep the tax on the whole invoice as typed; the total follows (checked when saved)."""
        self.it_tax = str(value or "")[:40]
        self._figures()

    @allow(ADMIN)
    def remove_line(self, key: int):
        wanted = parse_id(key)
        self.it_lines = [x for x in self.it_lines if x.key != wanted]
        self._figures()

    @allow(ADMIN)
    def save(self, form: dict):
        if write_and_refresh(self, templates.save_template, template_id=self.it_editing or None,
                             name=str(form.get("name", "") or "")[:300], lines=[raw_line(x) for x in self.it_lines],
                             notes=str(form.get("notes", "") or "")[:5000], terms=str(form.get("terms", "") or "")[:5000],
                             due_days=str(form.get("due_days", "") or "")[:10],
                             whole_tax=str(form.get("whole_tax", self.it_tax) or "")[:40],
                             shown="it_error", **RULES):
            self.it_editing = -1
            return rx.toast.success(_("Invoice template saved."))

    @allow(ADMIN)
    def ask_delete(self, template_id: int):
        found = next((r for r in self.it_rows if r.id == parse_id(template_id)), None)
        self.it_delete_id, self.it_delete_name = (found.id, found.name) if found else (0, "")

    @allow(ADMIN)
    def set_delete_open(self, value: bool):
        if not value:
            self.it_delete_id = 0

    @allow(ADMIN)
    def confirm_delete(self):
        template_id, self.it_delete_id = self.it_delete_id, 0
        if template_id and write_and_refresh(self, templates.delete_template, template_id, shown="it_error", **RULES):
            self.it_editing = -1
            return rx.toast.success(_("Invoice template deleted. Invoices sent from it keep their lines."))

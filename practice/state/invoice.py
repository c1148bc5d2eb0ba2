"""One invoice on the Billing page: a draft's editor (the account, lines from the catalog or typed, notes and terms,
live totals; save, delete, send after a preview), and an issued invoice with what was paid on it (record a payment,
give a credit, remove one, void after a preview). A draft may bill one of its account's jobs, and bill the
account's unbilled time ("Bill time", `invoice_time`). The services check who may do each (services/billing)."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice import routes
from practice.i18n import _
from practice.models import PaymentMethod
from practice.services.billing import credits, invoice_job, invoices, refunds, views, wip
from practice.services.errors import InvalidInput
from practice.services.formatting import date_input, format_date, format_money, money_input
from practice.services.work import accounts, catalog
from practice.state.account_picker import AccountPicker
from practice.state.base import STAFF, AppState, allow, read, run, shown_in, write_and_refresh
from practice.state.invoice_money import InvoiceMoney
from practice.state.invoice_time import BillTime
from practice.state.views import Option
from practice.state.work_views import parse_id

MAX_EDIT_LINES = invoices.MAX_LINES
LINE_FIELDS = ("name", "quantity", "rate", "discount", "tax")
# How a payment can be received (a credit is given with its own form).
# What staff record by hand: a credit is given apart, a card payment is recorded when the client pays online.
METHOD_CHOICES = [(m.value, invoices.METHOD_WORDS[m]) for m in PaymentMethod
                  if m not in (PaymentMethod.credit, PaymentMethod.card)]


@dataclasses.dataclass
class EditLine:
    """One line while a draft is edited (the browser's copy; checked again when saved)."""
    key: int = 0
    service_id: str = ""
    name: str = ""
    description: str = ""
    quantity: str = "1"
    rate: str = ""
    discount: str = ""
    tax: str = ""
    total: str = ""
    # The time entries the line bills ("12,13"), kept with it when the draft is saved again.
    time_entries: str = ""


@dataclasses.dataclass
class ShownLine:
    name: str = ""
    description: str = ""
    quantity: str = ""
    rate: str = ""
    discount: str = ""
    tax: str = ""
    total: str = ""
    # The line's share of the discount on the whole invoice ("": none).
    whole: str = ""


@dataclasses.dataclass
class PaymentItem:
    id: int = 0
    what: str = ""
    amount: str = ""
    day: str = ""
    reference: str = ""
    by: str = ""
    is_credit: bool = False
    # A refund given back from the payment above it (no buttons of its own).
    is_refund: bool = False
    # Money received with something left to refund: how much, as shown and as the refund's amount field starts.
    refundable: bool = False
    left: str = ""
    left_input: str = ""


def raw_line(line: EditLine) -> dict:
    return {"service_id": parse_id(line.service_id), "name": line.name, "description": line.description,
            "quantity": line.quantity, "rate": line.rate, "discount": line.discount, "tax": line.tax,
            "time_entry_ids": [int(i) for i in line.time_entries.split(",") if i.strip().isdigit()][:500]}


def _percent(points: int) -> str:
    return f"{invoices.percent_text(points)} %" if points else ""


def _shown_lines(lines, whole_tax_bp: int = 0) -> list[ShownLine]:
    """The issued invoice's lines; a line without a tax rate of its own shows the invoice's, which it is taxed at."""
    return [ShownLine(name=x.name, description=x.description, quantity=invoices.quantity_text(x.quantity_hundredths),
                      rate=format_money(x.rate_cents), discount=_percent(x.discount_bp),
                      tax=_percent(x.tax_bp or whole_tax_bp),
                      total=format_money(x.total_cents),
                      whole=format_money(-x.whole_discount_cents) if x.whole_discount_cents else "") for x in lines]


def _whole_typed(invoice) -> tuple[str, str]:
    """The whole-invoice discount as the editor shows it: its kind and what is typed."""
    if invoice.whole_discount_fixed_cents:
        return "amount", money_input(invoice.whole_discount_fixed_cents)
    return "percent", invoices.percent_text(invoice.whole_discount_bp) if invoice.whole_discount_bp else ""


def _payment_items(payments, refund_rows) -> list[PaymentItem]:
    """Each payment, then the refunds given back from it."""
    items = []
    for p in payments:
        given_back = [r for r in refund_rows if r.payment_id == p.id]
        left = p.amount_cents - sum(r.amount_cents for r in given_back)
        items.append(PaymentItem(id=p.id, what=_(invoices.METHOD_WORDS[p.method]), amount=format_money(p.amount_cents),
                                 day=format_date(p.received_on), reference=p.reference, by=p.recorded_by_label,
                                 is_credit=p.method == PaymentMethod.credit,
                                 refundable=p.method != PaymentMethod.credit and left > 0,
                                 left=format_money(left), left_input=money_input(left)))
        items.extend(PaymentItem(id=-r.id, what=_("Refund"), amount=format_money(-r.amount_cents),
                                 day=format_date(r.refunded_on), reference=r.reason, by=r.recorded_by_label,
                                 is_refund=True) for r in given_back)
    return items


def _editor_view(session, actor, invoice_id: int | None, account_id: int | None) -> dict:
    """What the page needs in one read: the invoice (None for a new draft), the catalog, the account asked for."""
    invoices.require_sees_billing(actor)
    view = invoices.invoice_view(session, actor, invoice_id) if invoice_id else None
    account = accounts.get_account(session, actor, account_id) if account_id and not view else None
    account_id = view.invoice.account_id if view else account.id if account else None
    return {"view": view, "services": catalog.list_services(session), "today": invoices.firm_today(session),
            "refunds": refunds.invoice_refunds(session, actor, invoice_id) if view else [],
            "credit": credits.credit_left(session, actor, view.invoice.account_id) if view else 0,
            "time": wip.entries_by_line(session, view.invoice.id) if view else {},
            "account": (account.id, account.name) if account else None,
            "jobs": invoice_job.choices(session, account_id, view.invoice.job_id if view else None)
            if account_id else []}


def _job_choices(session, actor, account_id: int) -> list[tuple[int, str]]:
    """The jobs a new draft of the account may bill (the account checked as one the member sees)."""
    accounts.get_account(session, actor, account_id)
    return invoice_job.choices(session, account_id)


class InvoiceState(InvoiceMoney, BillTime, AccountPicker, AppState):
    # The invoice shown (0: a new draft not saved yet); not `invoice_id`, the route's own variable.
    inv_id: int = 0
    found: bool = False
    page_error: str = ""
    manages: bool = False
    title: str = ""
    status: str = "draft"
    status_label: str = ""
    account_id: str = ""
    account_name: str = ""
    account_href: str = ""
    # The job the invoice bills ("": none), one of the account's; its name and page once issued.
    job_id: str = ""
    job_options: list[Option] = []
    job_name: str = ""
    job_href: str = ""
    service_options: list[Option] = []
    lines: list[EditLine] = []
    notes: str = ""
    terms: str = ""
    due_date: str = ""
    # The discount on the whole invoice, as typed: a percentage or an amount.
    whole_kind: str = "percent"
    whole_text: str = ""
    # The tax on the whole invoice, as typed ("8.25"), for the lines without a rate of their own.
    whole_tax_text: str = ""
    form_key: int = 0
    subtotal: str = ""
    discount: str = ""
    whole_discount: str = ""
    tax: str = ""
    # The tax on the whole invoice: "Tax 8.25 %" and what it comes to ("": none); the lines' own taxes' row shows
    # unless the whole tax is all there is.
    whole_tax_label: str = ""
    whole_tax: str = ""
    line_tax_shown: bool = True
    total: str = ""
    error: str = ""
    # An issued invoice.
    shown_lines: list[ShownLine] = []
    payments: list[PaymentItem] = []
    issued: str = ""
    due_on: str = ""
    paid: str = ""
    credited: str = ""
    left_due: str = ""
    # The payment form starts with what is left due, received today (the firm's day).
    due_input: str = ""
    today: str = ""
    owing: bool = False
    void_reason: str = ""
    pay_key: int = 0
    pay_error: str = ""
    credit_error: str = ""
    # The questions before what cannot be undone.
    send_open: bool = False
    send_number: str = ""
    send_account: str = ""
    send_total: str = ""
    send_due: str = ""
    delete_open: bool = False
    void_open: bool = False
    void_error: str = ""
    remove_id: int = 0
    remove_text: str = ""
    _services: dict[str, tuple[str, str, int]] = {}
    _next_key: int = 1

    # --- showing ---------------------------------------------------------------------------------------------

    def _show(self, data: dict) -> None:
        self._services = {str(s.id): (s.name, s.description, s.rate_cents) for s in data["services"]}
        self.service_options = [Option(value=str(s.id), label=f"{s.name} ({format_money(s.rate_cents)})")
                                for s in data["services"]]
        view, self.today = data["view"], date_input(data["today"])
        self._show_jobs(data["jobs"], view.invoice.job_id if view else None)
        if view is None:
            self._show_new(data["account"])
        else:
            self._show_invoice(view, data["time"], data["refunds"], data["credit"])
        self.found = True

    def _show_jobs(self, jobs: list[tuple[int, str]], current: int | None) -> None:
        self.job_options = [Option(value=str(i), label=name) for i, name in jobs]
        self.job_id = str(current or "")
        self.job_name = next((name for i, name in jobs if i == current), "")
        self.job_href = routes.job_url(current) if current else ""

    def _show_new(self, account: tuple[int, str] | None) -> None:
        self.inv_id, self.status, self.status_label, self.title = 0, "draft", _("Draft"), _("New invoice")
        self.account_id, self.account_name = (str(account[0]), account[1]) if account else ("", "")
        self.account_href = routes.account_url(account[0]) if account else ""
        self.notes = self.terms = self.due_date = self.whole_text = self.whole_tax_text = ""
        self.whole_kind = "percent"
        self.lines = []
        self._add_line("", "", "", "")
        self.form_key += 1

    def _show_invoice(self, view, time_by_line: dict[int, list[int]], refund_rows=(), credit_cents: int = 0) -> None:
        invoice = view.invoice
        self.inv_id, self.status, self.title = invoice.id, invoice.status.value, invoices.invoice_name(invoice)
        self.status_label = _(invoices.STATUS_WORDS[invoice.status])
        self.account_id, self.account_name = str(invoice.account_id), view.account_name
        self.account_href = routes.account_url(invoice.account_id)
        self.notes, self.terms, self.due_date = invoice.notes, invoice.terms, date_input(invoice.due_date)
        self.lines = [self._edit_line(x, time_by_line.get(x.id, ())) for x in view.lines]
        self.shown_lines = _shown_lines(view.lines, invoice.whole_tax_bp)
        self.payments = _payment_items(view.payments, refund_rows)
        self._show_credit(credit_cents, view.due_cents)
        self.issued, self.due_on = format_date(invoice.issue_date), format_date(invoice.due_date)
        self.paid, self.credited = format_money(invoice.paid_cents), format_money(invoice.credited_cents)
        self.left_due, self.owing = format_money(view.due_cents), view.due_cents > 0
        self.due_input, self.pay_key = money_input(view.due_cents), self.pay_key + 1
        self.void_reason = invoice.void_reason
        self._show_sums_of(invoice)
        self.form_key += 1

    def _show_sums_of(self, invoice) -> None:
        """The discount and the tax on the whole invoice as typed, and the sums: a draft's as worked out from what is
        typed, a sent invoice's as they were issued."""
        self.whole_kind, self.whole_text = _whole_typed(invoice)
        self.whole_tax_text = invoices.percent_text(invoice.whole_tax_bp) if invoice.whole_tax_bp else ""
        self._figures()
        if invoice.status.value != "draft":
            self._show_sums(invoice.subtotal_cents, invoice.discount_cents, invoice.tax_cents, invoice.total_cents,
                            invoice.whole_discount_cents, invoice.whole_tax_cents, invoice.whole_tax_bp)

    def _edit_line(self, x, entry_ids=()) -> EditLine:
        self._next_key += 1
        return EditLine(key=self._next_key, service_id=str(x.service_id or ""), name=x.name,
                        time_entries=",".join(str(i) for i in entry_ids),
                        description=x.description, quantity=invoices.quantity_text(x.quantity_hundredths),
                        rate=money_input(x.rate_cents), discount=invoices.percent_text(x.discount_bp) if x.discount_bp
                        else "", tax=invoices.percent_text(x.tax_bp) if x.tax_bp else "")

    def _add_line(self, service_id: str, name: str, description: str, rate: str) -> None:
        self._next_key += 1
        self.lines = [*self.lines, EditLine(key=self._next_key, service_id=service_id, name=name,
                                            description=description, rate=rate)]
        self._figures()

    def _figures(self) -> None:
        """The live totals: each line's and the invoice's, as saving would work them out."""
        figures = views.figures([raw_line(x) for x in self.lines], self.whole_kind, self.whole_text,
                                self.whole_tax_text)
        self.lines = [dataclasses.replace(x, total=format_money(cents) if cents is not None else "")
                      for x, cents in zip(self.lines, figures.line_totals)]
        try:
            tax_bp = invoices.parse_whole_tax(self.whole_tax_text)
        except InvalidInput:
            tax_bp = 0
        self._show_sums(figures.subtotal_cents, figures.discount_cents, figures.tax_cents, figures.total_cents,
                        figures.whole_discount_cents, figures.whole_tax_cents, tax_bp)

    def _show_sums(self, subtotal: int, discount: int, tax: int, total: int, whole_discount: int, whole_tax: int,
                   whole_tax_bp: int) -> None:
        self.subtotal, self.discount = format_money(subtotal), format_money(discount)
        self.tax, self.total = format_money(tax), format_money(total)
        self.whole_discount = format_money(-whole_discount) if whole_discount else ""
        self.whole_tax = format_money(whole_tax) if whole_tax_bp else ""
        self.whole_tax_label = _("Tax {rate}").format(rate=_percent(whole_tax_bp)) if whole_tax_bp else ""
        self.line_tax_shown = bool(tax) or not whole_tax_bp

    def _refresh(self) -> None:
        actor = self._require()
        self.manages = actor.manages_billing
        self._show(read(_editor_view, actor, self.inv_id or None, None))

    @allow(STAFF)
    def load(self):
        self.page_error = self.error = self.pay_error = self.credit_error = self.void_error = ""
        self.refund_id, self.refund_error, self.apply_error = 0, "", ""
        self.found, self.send_open, self.delete_open, self.void_open, self.remove_id = False, False, False, False, 0
        self.time_open = False
        self.account_query, self.account_matches = "", []
        wanted = str(getattr(self, "invoice_id", "") or "")
        invoice_id = None if wanted == routes.NEW_INVOICE_ID else parse_id(wanted)
        if invoice_id is None and wanted != routes.NEW_INVOICE_ID:
            self.page_error = _("That invoice no longer exists.")
            return
        account_id = parse_id(self.router.url.query_parameters.get("account", ""))
        actor = self._require()
        self.manages = actor.manages_billing
        with shown_in(self, "page_error"):
            self._show(read(_editor_view, actor, invoice_id, account_id))

    # --- the draft's editor ----------------------------------------------------------------------------------

    @allow(STAFF)
    def choose_account(self, account_id: str):
        match = None if self.inv_id else self._picked(account_id)  # a saved draft stays with its account
        if match is None:
            return
        self.account_id, self.account_name = match.value, match.label
        self.account_href = routes.account_url(match.value)
        with shown_in(self, "error"):
            self._show_jobs(read(_job_choices, self._require(), int(match.value)), None)

    @allow(STAFF)
    def set_job(self, job_id: str):
        """The job the draft bills: one of the account's offered, or none (saved with the draft)."""
        wanted = str(job_id or "")
        self.job_id = wanted if any(o.value == wanted for o in self.job_options) else ""

    @allow(STAFF)
    def add_service(self, service_id: str):
        """Add a catalog service as a line (its rate is the starting rate, which may be changed)."""
        found = self._services.get(str(service_id or ""))
        if found is not None and len(self.lines) < MAX_EDIT_LINES:
            name, description, rate = found
            self._add_line(str(service_id), name, description, money_input(rate))

    @allow(STAFF)
    def add_line(self):
        if len(self.lines) < MAX_EDIT_LINES:
            self._add_line("", "", "", "")

    def _line_index(self, key) -> int | None:
        wanted = parse_id(key)
        return next((i for i, line in enumerate(self.lines) if line.key == wanted), None)

    @allow(STAFF)
    def set_line(self, key: int, field_name: str, value: str):
        """Keep what was typed in one of a line's fields; the totals follow."""
        index = self._line_index(key)
        if index is None or field_name not in LINE_FIELDS:
            return
        line = dataclasses.replace(self.lines[index], **{field_name: str(value or "")[:invoices.NAME_LIMIT]})
        self.lines = [*self.lines[:index], line, *self.lines[index + 1:]]
        self._figures()

    @allow(STAFF)
    def remove_line(self, key: int):
        index = self._line_index(key)
        if index is not None:
            self.lines = [*self.lines[:index], *self.lines[index + 1:]]
            self._figures()

    @allow(STAFF)
    def set_text(self, field_name: str, value: str):
        """Keep what was typed in the notes, the terms, the due date, the discount or the tax on the whole invoice
        (saved with the draft; the totals follow the discount and the tax)."""
        if field_name in ("notes", "terms", "due_date"):
            setattr(self, field_name, str(value or "")[:invoices.TEXT_LIMIT if field_name != "due_date" else 20])
        elif field_name == "whole_kind":
            self.whole_kind = "amount" if value == "amount" else "percent"
            self._figures()
        elif field_name == "whole_text":
            self.whole_text = str(value or "")[:40]
            self._figures()
        elif field_name == "whole_tax_text":
            self.whole_tax_text = str(value or "")[:40]
            self._figures()

    def _draft_fields(self) -> dict:
        """The draft as shown (its account, lines, texts, due date and job), as saving it sends them."""
        account_id = parse_id(self.account_id)
        if account_id is None:
            raise InvalidInput(_("Choose the account the invoice is for."), field="account")
        return {"account_id": account_id, "lines": [raw_line(x) for x in self.lines], "notes": self.notes,
                "terms": self.terms, "due_date": views.parse_day(self.due_date, "due_date"),
                "invoice_id": self.inv_id or None, "job_id": parse_id(self.job_id),
                "whole_discount": invoices.parse_whole_discount(self.whole_kind, self.whole_text),
                "whole_tax_bp": invoices.parse_whole_tax(self.whole_tax_text)}

    def _save(self) -> int:
        """Save the draft as shown; the saved draft's id."""
        return run(invoices.save_draft, self._require(), **self._draft_fields()).id

    @allow(STAFF)
    def save(self, form: dict):
        self.error = ""
        with shown_in(self, "error"):
            new = not self.inv_id
            self.inv_id = self._save()
            if new:
                return [rx.redirect(routes.invoice_url(self.inv_id)), rx.toast.success(_("Draft saved."))]
            self._refresh()
            return rx.toast.success(_("Draft saved."))

    @allow(STAFF)
    def set_delete_open(self, value: bool):
        self.delete_open = value is True

    @allow(STAFF)
    def confirm_delete(self):
        self.delete_open = False
        if not self.inv_id:
            return rx.redirect(routes.BILLING)
        with shown_in(self, "error"):
            run(invoices.delete_draft, self._require(), self.inv_id)
            return [rx.redirect(routes.BILLING), rx.toast.success(_("The draft is deleted."))]

    # --- sending ---------------------------------------------------------------------------------------------

    @allow(STAFF)
    def review_send(self):
        """Save the draft as shown, then show what sending does (its number, account, total, due date)."""
        self.error = ""
        with shown_in(self, "error"):
            self.inv_id = self._save()
            preview = read(views.send_preview, self._require(), self.inv_id)
            self.send_number, self.send_account = str(preview.number), preview.account_name
            self.send_total, self.send_due = format_money(preview.total_cents), format_date(preview.due_date)
            self.send_open = True

    @allow(STAFF)
    def set_send_open(self, value: bool):
        self.send_open = value is True

    @allow(STAFF)
    def confirm_send(self):
        self.send_open = False
        if write_and_refresh(self, invoices.issue, self.inv_id):
            return rx.toast.success(_("{name} is sent.").format(name=self.title))

    # --- an issued invoice -----------------------------------------------------------------------------------

    @allow(STAFF)
    def record_payment(self, form: dict):
        form = form if isinstance(form, dict) else {}
        self.pay_error = ""
        with shown_in(self, "pay_error"):
            amount = views.parse_amount(form.get("amount"))
            run(invoices.record_payment, self._require(), self.inv_id, amount_cents=amount,
                method=str(form.get("method", ""))[:20], received_on=views.parse_day(form.get("received_on")),
                reference=str(form.get("reference", ""))[:invoices.NAME_LIMIT])
            self._refresh()
            return rx.toast.success(_("{amount} recorded.").format(amount=format_money(amount)))

    @allow(STAFF)
    def give_credit(self, form: dict):
        form = form if isinstance(form, dict) else {}
        self.credit_error = ""
        with shown_in(self, "credit_error"):
            amount = views.parse_amount(form.get("credit_amount"), "credit_amount")
            run(invoices.give_credit, self._require(), self.inv_id, amount_cents=amount,
                reason=str(form.get("credit_reason", ""))[:invoices.NAME_LIMIT])
            self._refresh()
            return rx.toast.success(_("{amount} credited.").format(amount=format_money(amount)))

    @allow(STAFF)
    def ask_remove_payment(self, payment_id: int):
        found = next((p for p in self.payments if p.id == parse_id(payment_id)), None)
        if found is not None:
            self.remove_id = found.id
            self.remove_text = _("{what} of {amount} on {day}").format(what=found.what, amount=found.amount,
                                                                       day=found.day)

    @allow(STAFF)
    def set_remove_open(self, value: bool):
        if value is not True:
            self.remove_id = 0

    @allow(STAFF)
    def confirm_remove_payment(self):
        payment_id, self.remove_id = self.remove_id, 0
        if payment_id and write_and_refresh(self, invoices.remove_payment, payment_id):
            return rx.toast.success(_("Removed: what it paid is due again."))

    @allow(STAFF)
    def set_void_open(self, value: bool):
        self.void_open, self.void_error = value is True, ""

    @allow(STAFF)
    def confirm_void(self, form: dict):
        form = form if isinstance(form, dict) else {}
        reason = str(form.get("void_reason", "")).strip()[:invoices.TEXT_LIMIT]
        self.void_error = ""
        with shown_in(self, "void_error"):
            run(views.void_with_reason, self._require(), self.inv_id, reason)
            self.void_open = False
            self._refresh()
            return rx.toast.success(_("{name} is void; it keeps its number.").format(name=self.title))

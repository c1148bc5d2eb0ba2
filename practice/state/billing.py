"""The Billing page (members who see billing): the firm's invoices with their status and what is left due, filtered by
status and account, and the totals owed (services/billing)."""
from __future__ import annotations

import dataclasses

from practice import routes
from practice.i18n import _
from practice.models import InvoiceStatus
from practice.services.billing import invoices, views
from practice.services.formatting import format_date, format_money
from practice.services.work import accounts
from practice.state.account_picker import AccountPicker
from practice.state.base import STAFF, AppState, allow, read, shown_in
from practice.state.work_views import parse_id

# The status filter's choices, in the order an invoice goes through them ("" is every status).
STATUS_CHOICES = [(s.value, invoices.STATUS_WORDS[s]) for s in InvoiceStatus]


@dataclasses.dataclass
class InvoiceListItem:
    id: int = 0
    name: str = ""
    account: str = ""
    account_href: str = ""
    status: str = ""
    status_label: str = ""
    issued: str = ""
    due_date: str = ""
    total: str = ""
    due: str = ""
    href: str = ""


def invoice_list_items(rows) -> list[InvoiceListItem]:
    """The list's rows: number (or draft), account, status, dates, total and what is still due."""
    return [InvoiceListItem(id=r.id, name=_("Invoice {number}").format(number=r.number) if r.number is not None
                            else _("Draft invoice"), account=r.account_name,
                            account_href=routes.account_url(r.account_id), status=r.status.value,
                            status_label=_(invoices.STATUS_WORDS[r.status]), issued=format_date(r.issue_date),
                            due_date=format_date(r.due_date) if r.due_cents else "", total=format_money(r.total_cents),
                            due=format_money(r.due_cents) if r.due_cents else "", href=routes.invoice_url(r.id))
            for r in rows]


def _list_view(session, actor, status: str, account_id: int | None) -> tuple:
    return (invoices.list_invoices(session, actor, status=status or None, account_id=account_id),
            views.due_summary(session, actor, account_id=account_id))


class BillingState(AccountPicker, AppState):
    rows: list[InvoiceListItem] = []
    status_filter: str = ""
    account_filter: str = ""
    account_filter_name: str = ""
    total_due: str = ""
    overdue: str = ""
    owing_count: int = 0
    manages: bool = False
    error: str = ""

    def _refresh(self) -> None:
        actor = self._require()
        self.manages = actor.manages_billing
        rows, summary = read(_list_view, actor, self.status_filter, parse_id(self.account_filter))
        self.rows = invoice_list_items(rows)
        self.total_due, self.overdue = format_money(summary.due_cents), format_money(summary.overdue_cents)
        self.owing_count = summary.owing_invoices

    @allow(STAFF)
    def load(self):
        self.error, self.account_query, self.account_matches = "", "", []
        wanted = str(self.router.url.query_parameters.get("status", "") or "")
        self.status_filter = wanted if wanted in {v for v, _label in STATUS_CHOICES} else ""
        self.account_filter = self.account_filter_name = ""
        with shown_in(self, "error"):
            self._filter_account(parse_id(self.router.url.query_parameters.get("account", "")))
            self._refresh()

    def _filter_account(self, account_id: int | None) -> None:
        """The list of one account's invoices (from its page's "All invoices"), if the member sees that account."""
        if account_id is not None:
            account = read(accounts.get_account, self._require(), account_id)
            self.account_filter, self.account_filter_name = str(account.id), account.name

    @allow(STAFF)
    def set_status_filter(self, value: str):
        value = str(value or "")
        self.status_filter = value if value in {v for v, _label in STATUS_CHOICES} else ""
        with shown_in(self, "error"):
            self._refresh()

    @allow(STAFF)
    def choose_account(self, account_id: str):
        match = self._picked(account_id)
        if match is None:
            return
        self.account_filter, self.account_filter_name = match.value, match.label
        with shown_in(self, "error"):
            self._refresh()

    @allow(STAFF)
    def clear_account(self):
        self.account_filter = self.account_filter_name = ""
        with shown_in(self, "error"):
            self._refresh()

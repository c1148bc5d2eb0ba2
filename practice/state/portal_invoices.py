"""The portal's Invoices page: the current account's issued invoices, what is due first, each with its lines and its
PDF, and how to pay (the firm's payment instructions; no online payment yet)."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice import routes
from practice.i18n import _
from practice.services.billing import delivery
from practice.services.billing.invoices import STATUS_WORDS
from practice.services.formatting import format_money, full_date
from practice.state.base import ANYONE, allow, read, shown_in
from practice.state.portal import PortalState


@dataclasses.dataclass
class PortalLineItem:
    name: str = ""
    description: str = ""
    quantity: str = ""
    rate: str = ""
    total: str = ""


@dataclasses.dataclass
class PortalInvoiceItem:
    id: int = 0
    title: str = ""
    status: str = ""
    status_text: str = ""
    dates: str = ""
    total: str = ""
    due: str = ""
    owing: bool = False
    paid_text: str = ""
    lines: list[PortalLineItem] = dataclasses.field(default_factory=list)
    href: str = ""
    pdf_name: str = ""


def invoice_items(page: delivery.PortalInvoices) -> list[PortalInvoiceItem]:
    items = []
    for i in page.invoices:
        issued = full_date(i.issue_date) if i.issue_date else ""
        due = full_date(i.due_date) if i.due_date else ""
        settled = i.paid_cents + i.credited_cents
        items.append(PortalInvoiceItem(
            id=i.id, title=_("Invoice {number}").format(number=i.number), status=i.status.value,
            status_text=_(STATUS_WORDS[i.status]),
            dates=_("Issued {issued} · due {due}").format(issued=issued, due=due) if i.due_cents > 0
            else _("Issued {issued}").format(issued=issued),
            total=format_money(i.total_cents), due=format_money(i.due_cents), owing=i.due_cents > 0,
            paid_text=_("{amount} paid or credited").format(amount=format_money(settled)) if settled else "",
            lines=[PortalLineItem(name=line.name, description=line.description, quantity=line.quantity,
                                  rate=format_money(line.rate_cents), total=format_money(line.total_cents))
                   for line in i.lines],
            href=routes.file_url(i.document_id) if i.document_id else "",
            pdf_name=_("Download the PDF")))
    return items


class PortalInvoicesState(PortalState):
    loaded: bool = False
    invoices: list[PortalInvoiceItem] = []
    total_due: str = ""
    owing: bool = False
    instructions: str = ""

    @allow(ANYONE)
    async def load(self):
        actor, _view = await self._open()
        if actor is None:
            return rx.redirect(routes.PORTAL_LOGIN)
        self.invoices, self.total_due, self.owing, self.instructions = [], "", False, ""
        if actor.current_account_id is not None:
            with shown_in(self, "error"):
                page = read(delivery.portal_invoices, actor)
                self.invoices = invoice_items(page)
                self.total_due, self.owing = format_money(page.due_cents), page.due_cents > 0
                self.instructions = page.instructions
        self.loaded = True

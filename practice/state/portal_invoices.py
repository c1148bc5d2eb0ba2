"""The portal's Invoices page: the current account's issued invoices, what is due first, each with its lines and its
PDF, and how to pay (the firm's payment instructions), by card when the firm has set up card payments
(state/card_paying, shared with a proposal paid when signing)."""
from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from practice import config, routes
from practice.i18n import _
from practice.services.billing import delivery
from practice.services.billing.invoices import STATUS_WORDS, percent_text
from practice.services.formatting import format_money, full_date
from practice.services.payments import autopay, online
from practice.state import card_fields
from practice.state.base import ANYONE, CONTACT, allow, read, run, shown_in
from practice.state.card_paying import CardPaying, said
from practice.state.portal import PortalState
from practice.state.work_views import parse_id


@dataclasses.dataclass
class PortalLineItem:
    name: str = ""
    description: str = ""
    quantity: str = ""
    rate: str = ""
    total: str = ""
    whole: str = ""  # the line's share of the discount on the whole invoice


@dataclasses.dataclass
class PortalInvoiceItem:
    id: int = 0
    title: str = ""
    status: str = ""
    status_text: str = ""
    dates: str = ""
    total: str = ""
    whole_discount: str = ""
    tax: str = ""  # the lines' own taxes ("": none)
    whole_tax_label: str = ""  # "Tax 8.25 %" and what it comes to ("": no tax on the whole invoice)
    whole_tax: str = ""
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
            whole_discount=format_money(-i.whole_discount_cents) if i.whole_discount_cents else "",
            tax=format_money(i.tax_cents) if i.tax_cents else "",
            whole_tax_label=_("Tax {rate}").format(rate=f"{percent_text(i.whole_tax_bp)} %") if i.whole_tax_bp else "",
            whole_tax=format_money(i.whole_tax_cents) if i.whole_tax_bp else "",
            paid_text=_("{amount} paid or credited").format(amount=format_money(settled)) if settled else "",
            lines=[PortalLineItem(name=line.name, description=line.description, quantity=line.quantity,
                                  rate=format_money(line.rate_cents), total=format_money(line.total_cents),
                                  whole=format_money(-line.whole_discount_cents) if line.whole_discount_cents else "")
                   for line in i.lines],
            href=routes.file_url(i.document_id) if i.document_id else "",
            pdf_name=_("Download the PDF")))
    return items


@dataclasses.dataclass
class AutopayItem:
    """A series of the account in the portal, and whether its invoices are paid by the client's saved card."""

    id: int = 0
    name: str = ""
    summary: str = ""
    on: bool = False
    card: str = ""
    agreed: str = ""
    consent: str = ""


def autopay_items(rows: list[autopay.PortalSeries]) -> list[AutopayItem]:
    items = []
    for r in rows:
        summary = f"{format_money(r.amount_cents)} {r.often}"
        if r.next_period:
            summary += " · " + _("next invoice on {date}").format(date=full_date(r.next_period))
        items.append(AutopayItem(
            r.id, r.name, summary, bool(r.card_label),
            _("Paid automatically with {card} on the day each invoice is issued.").format(card=r.card_label)
            if r.card_label else "",
            _("{name} agreed on {when}:").format(name=r.consent_by, when=r.consent_when) if r.card_label else "",
            r.consent_text))
    return items


class PortalInvoicesState(CardPaying, PortalState):
    loaded: bool = False
    invoices: list[PortalInvoiceItem] = []
    total_due: str = ""
    owing: bool = False
    instructions: str = ""
    takes_cards: bool = False
    # The account's recurring invoices, and the one whose card form is open (0: none) to pay them automatically.
    autopay: list[AutopayItem] = []
    autopay_id: int = 0
    autopay_agree: bool = False
    autopay_error: str = ""
    autopay_saving: bool = False

    def _refresh(self, actor) -> None:
        self.invoices, self.total_due, self.owing, self.instructions = [], "", False, ""
        self.autopay = []
        if actor.current_account_id is not None:
            with shown_in(self, "error"):
                page = read(delivery.portal_invoices, actor)
                self.invoices = invoice_items(page)
                self.total_due, self.owing = format_money(page.due_cents), page.due_cents > 0
                self.instructions = page.instructions
                self.takes_cards = read(online.takes_cards, actor)
                self.autopay = autopay_items(read(autopay.portal_series, actor))
        self.loaded = True

    @allow(ANYONE)
    async def load(self):
        actor, _view = await self._open()
        if actor is None:
            return rx.redirect(routes.PORTAL_LOGIN)
        self._card_reset()
        self.autopay_id, self.autopay_error = 0, ""
        self._refresh(actor)
        # From a locked document's "Pay invoice N to open": open that invoice's card payment when the firm takes
        # cards (otherwise the page's payment instructions say how to pay).
        asked = parse_id(self.router.url.query_parameters.get("pay", ""))
        if asked is not None and self.takes_cards and any(i.id == asked and i.owing for i in self.invoices):
            with shown_in(self, "error"):
                return self._card_start(actor, asked)

    def _card_paid(self, actor) -> None:
        self._refresh(actor)

    def _card_start(self, actor, invoice_id: int):
        self.autopay_id = 0  # one set of card fields at a time
        return super()._card_start(actor, invoice_id)

    # --- paying a recurring invoice's invoices automatically by a saved card ---------------------------------------

    @allow(CONTACT)
    def start_autopay(self, series_id: int):
        """Show the consent words and the provider's card fields to save a card for a series."""
        actor = self._require()
        self.error = self.autopay_error = self.card_notice = ""
        with shown_in(self, "error"):
            key = read(autopay.card_fields_key, actor, series_id if isinstance(series_id, int) else 0)
            self.autopay_id, self.autopay_agree = series_id, False
            self.card_invoice_id, self._payment_id = 0, ""  # one set of card fields at a time
            return card_fields.mount(key, config.stripe_js_url())

    @allow(CONTACT)
    def set_autopay_agree(self, value: bool):
        self.autopay_agree = value is True

    @allow(CONTACT)
    def cancel_autopay(self):
        self.autopay_id, self.autopay_error, self.autopay_agree = 0, "", False

    @allow(CONTACT)
    async def autopay_token(self, result: dict | None = None):
        """The provider's token for the typed card: keep it with the provider and record the consent."""
        actor = self._require()
        result = result if isinstance(result, dict) else {}
        self.autopay_error = "" if isinstance(result.get("token"), str) else said(
            result, _("The card could not be read: check its number, expiry date and security code."))
        if self.autopay_error or not self.autopay_id:
            return
        self.autopay_saving = True
        yield
        try:
            with shown_in(self, "autopay_error"):
                card = await asyncio.to_thread(read, autopay.card_from_token, actor, self.autopay_id,
                                               result["token"], self.autopay_agree)
                self._consented(actor, card)
        finally:
            self.autopay_saving = False

    def _consented(self, actor, card) -> None:
        series = run(autopay.give_consent, actor, self.autopay_id, card, self.autopay_agree)
        self.card_notice = _('Card saved: the invoices of "{name}" are paid with {card} on the day they are '
                             "issued.").format(name=series.name, card=card.label)
        self.autopay_id = 0
        self._refresh(actor)

    @allow(CONTACT)
    def stop_autopay(self, series_id: int):
        """Remove the saved card of a series: its invoices are no longer charged."""
        actor = self._require()
        self.error = self.card_notice = ""
        with shown_in(self, "error"):
            series = run(autopay.withdraw, actor, series_id if isinstance(series_id, int) else 0)
            self.card_notice = _('Card removed: the invoices of "{name}" are no longer paid automatically.').format(
                name=series.name)
            self._refresh(actor)

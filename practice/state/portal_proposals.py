"""The client's proposal page: read, choose optional services (the total follows), consent, sign, done; a proposal
that asks for payment at signing goes on to paying its invoice by card (state/card_paying) and is done once paid."""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses

import reflex as rx

from practice import routes
from practice.i18n import _
from practice.services.errors import InvalidInput, PracticeError
from practice.services.proposals import client_flow, views
from practice.services.formatting import format_money
from practice.state.base import ANYONE, CONTACT, allow, client_address, read, run, shown_in
from practice.state.card_paying import CardPaying
from practice.state.portal import PortalState
from practice.state.signature_input import signature_from_browser, signature_kind
from practice.state.work_views import parse_id

STEPS = ("read", "choose", "sign", "done")


@dataclasses.dataclass
class PortalLineItem:
    id: int = 0
    name: str = ""
    description: str = ""
    detail: str = ""
    amount: str = ""
    optional: bool = False
    chosen: bool = True


def line_items(lines) -> list[PortalLineItem]:
    return [PortalLineItem(id=line.id, name=line.name, description=line.description,
                           detail=(_("{quantity} × {price}").format(quantity=line.quantity,
                                                                     price=format_money(line.price_cents))
                                   if line.quantity != 1
                                   else format_money(line.price_cents)),
                           amount=format_money(line.amount_cents), optional=line.optional, chosen=line.chosen)
            for line in lines]


class PortalProposalState(CardPaying, PortalState):
    found: bool = False
    loaded: bool = False
    pid: int = 0
    name: str = ""
    status: str = ""
    introduction: str = ""
    terms: str = ""
    lines: list[PortalLineItem] = []
    total: str = ""
    has_optional: bool = False
    step: str = "read"
    # The firm's names of the steps, in the client's language: set by the load (the steps show once it ran).
    step_read: str = ""
    step_choose: str = ""
    step_sign: str = ""
    needs_consent: bool = True
    disclosure: str = ""
    signer: str = ""
    signed_href: str = ""
    decline_reason: str = ""
    declining: bool = False
    busy: bool = False
    # Pay at signing: the invoice a signed proposal waits for, what is due on it, and the account it bills.
    invoice_id: int = 0
    invoice_number: str = ""
    due: str = ""
    _account_id: int = 0

    def _where(self) -> dict:
        return {"ip_address": client_address(self),
                "user_agent": str(self.router.headers.user_agent or "")[:500]}

    def _show(self, detail: views.ProposalDetail) -> None:
        self.found, self.pid, self.name, self.status = True, detail.id, detail.name, detail.status
        self.introduction, self.terms = detail.introduction, detail.terms
        self.lines, self.total = line_items(detail.lines), format_money(detail.total_cents)
        self.has_optional = detail.has_optional
        self.step_read, self.step_choose, self.step_sign = (detail.steps["read"], detail.steps["choose"],
                                                            detail.steps["sign"])
        self.needs_consent, self.disclosure = detail.needs_consent, detail.disclosure
        self.signer, self.decline_reason = detail.signer_name, detail.decline_reason
        self.signed_href = routes.file_url(detail.document_id) if detail.document_id else ""
        self.invoice_id, self.due, self._account_id = detail.invoice_id or 0, format_money(detail.due_cents), detail.account_id
        self.invoice_number = str(detail.invoice_number or "")
        if detail.status == "signed":
            self.step = "done"

    def _card_actor(self):
        """The contact pays the invoice of the proposal's account (its links are checked again by the services)."""
        actor = self._require()
        return dataclasses.replace(actor, current_account_id=self._account_id) if self._account_id else actor

    def _card_paid(self, actor) -> None:
        with shown_in(self, "error"):
            self._show(read(client_flow.proposal_for_contact, actor, self.pid))

    @allow(ANYONE)
    def load(self):
        actor = self._enter()
        if actor is None:
            return rx.redirect(routes.PORTAL_LOGIN)
        self.found, self.loaded, self.step, self.declining, self.busy = False, False, "read", False, False
        self._card_reset()
        wanted = parse_id(getattr(self, "proposal_id", ""))
        self.loaded = True
        with shown_in(self, "error"):
            self._show(run(client_flow.open_proposal, actor, wanted or 0, **self._where()))

    @allow(CONTACT)
    def go(self, step: str):
        """Move between the steps (the server decides what may be shown)."""
        step = str(step or "")
        if step not in STEPS or step == "done" or self.status != "sent":
            return
        if step == "choose" and not self.has_optional:
            step = "sign"
        self.step, self.error = step, ""

    @allow(CONTACT)
    def choose(self, line_id: int, chosen: bool):
        line = parse_id(line_id)
        if line is None:
            return
        self.error = ""
        with shown_in(self, "error"):
            self._show(run(client_flow.choose, self._require(), self.pid, line, bool(chosen)))

    @allow(CONTACT)
    def agree(self, checked: bool):
        """Consent to sign electronically is recorded when the box is ticked (it cannot be unticked here)."""
        if not checked:
            return
        self.error = ""
        with shown_in(self, "error"):
            run(client_flow.give_consent, self._require(), self.pid, **self._where())
            self.needs_consent = False

    @allow(CONTACT)
    async def take_signature(self, value: dict):
        """What the signature pad holds, checked, then the proposal is signed (and sealed, off the event loop)."""
        try:
            signature = signature_from_browser(value)
        except InvalidInput as err:
            self.error = str(err)
            return
        actor = self._require()
        self.busy = True
        yield
        try:
            await asyncio.to_thread(run, client_flow.sign, actor, self.pid, signature_kind=signature_kind(signature),
                                    signature=signature, **self._where())
        except PracticeError as err:
            self.busy, self.error = False, str(err)
            return
        self.busy, self.error = False, ""
        yield self._signed(actor)

    def _signed(self, actor):
        """The page after signing: done, or (payment at signing) straight on to paying its invoice by card."""
        with shown_in(self, "error"):
            self._show(read(client_flow.proposal_for_contact, actor, self.pid))
        if self.status != "awaiting_payment":
            return rx.toast.success(_("Signed. Thank you!"))
        with shown_in(self, "error"):
            return self._card_start(self._card_actor(), self.invoice_id)

    @allow(CONTACT)
    def start_decline(self, on: bool):
        self.declining = bool(on)

    @allow(CONTACT)
    def decline(self, form: dict):
        reason = str(form.get("reason", ""))[:2000]
        actor = self._require()
        self.error = ""
        with shown_in(self, "error"):
            run(client_flow.decline, actor, self.pid, reason=reason, **self._where())
            with contextlib.suppress(PracticeError):
                self._show(read(client_flow.proposal_for_contact, actor, self.pid))
            self.declining = False

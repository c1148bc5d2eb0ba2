"""The client's proposal page, phone first: the firm's step names, the letter, optional services as switches
with a live total, the terms, consent, the signature pad, and a done screen with the signed PDF. A proposal that
asks for payment at signing shows, once signed, the card fields of the portal's Invoices page for its invoice
("Pay to finish"), and is done once paid."""
from __future__ import annotations

import reflex as rx

from practice import routes
from practice.components.card_fields import card_panel
from practice.components.i18n import t
from practice.components.layout import error_callout
from practice.components.portal_layout import plain_empty, portal_page
from practice.components.signature_pad import read_signature, signature_pad
from practice.state.portal_proposals import PortalProposalState as P

PAD_ID = "proposal-signature"


def step_chip(number: str, label, key: str) -> rx.Component:
    active = P.step == key
    return rx.hstack(
        rx.badge(number, radius="full", variant=rx.cond(active, "solid", "soft"), size="2"),
        rx.text(label, size="2", weight=rx.cond(active, "bold", "regular")),
        spacing="1", align="center", class_name="proposal-step",
        aria_current=rx.cond(active, "step", ""),
    )


def stepper() -> rx.Component:
    return rx.hstack(
        step_chip("1", P.step_read, "read"),
        rx.cond(P.has_optional, step_chip("2", P.step_choose, "choose")),
        step_chip(rx.cond(P.has_optional, "3", "2"), P.step_sign, "sign"),
        wrap="wrap", spacing="3", width="100%", id="proposal-steps",
    )


def line_row(line) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(line.name, weight="medium"),
                  rx.cond(line.description != "", rx.text(line.description, size="1", color_scheme="gray")),
                  rx.text(line.detail, size="1", color_scheme="gray"),
                  spacing="0", min_width="0", flex="1"),
        rx.vstack(
            rx.text(line.amount, weight="medium", color=rx.cond(line.chosen, rx.color("gray", 12),
                                                                 rx.color("gray", 9))),
            # Switches only where the client chooses; elsewhere a plain word says what is in.
            rx.cond(line.optional & (P.step == "choose"),
                    rx.el.label(rx.hstack(
                        rx.text(rx.cond(line.chosen, t("Included"), t("Add")), size="1"),
                        rx.switch(checked=line.chosen, size="3", class_name="optional-switch",
                                  on_change=lambda v: P.choose(line.id, v), aria_label=t("Include {service}", service=line.name)),
                        spacing="2", align="center")),
                    rx.text(rx.cond(line.chosen, t("Included"), t("Optional")), size="1",
                            color_scheme="gray")),
            align="end", spacing="1",
        ),
        width="100%", align="start", padding_y="0.6em", border_bottom=f"1px solid {rx.color('gray', 4)}",
        class_name="proposal-line",
    )


def services(note: str = "") -> rx.Component:
    return rx.vstack(
        rx.foreach(P.lines, line_row),
        rx.hstack(rx.text(t("Total"), weight="bold"), rx.spacer(),
                  rx.text(P.total, weight="bold", size="4", id="proposal-total"), width="100%", padding_y="0.5em"),
        *([rx.text(note, size="1", color_scheme="gray")] if note else []),
        width="100%", spacing="0", id="proposal-services",
    )


def text_block(title: rx.Var, text) -> rx.Component:
    return rx.cond(text != "", rx.vstack(rx.heading(title, size="3"),
                                         rx.text(text, white_space="pre-wrap", size="2"), width="100%", spacing="1"))


def read_step() -> rx.Component:
    return rx.vstack(
        rx.card(rx.text(P.introduction, white_space="pre-wrap", size="3", id="proposal-introduction"), width="100%"),
        rx.heading(t("Services"), size="4"),
        services(),
        text_block(t("Terms"), P.terms),
        rx.button(rx.cond(P.has_optional, t("Next: {step}", step=P.step_choose), t("Next: {step}", step=P.step_sign)), size="3", width="100%",
                  id="proposal-next", on_click=P.go(rx.cond(P.has_optional, "choose", "sign"))),
        width="100%", spacing="3",
    )


def choose_step() -> rx.Component:
    return rx.vstack(
        rx.text(t("Switch on the optional services you want; the total follows."), size="2"),
        services(),
        rx.hstack(rx.button(t("Back"), variant="soft", size="3", on_click=P.go("read")),
                  rx.button(t("Next: {step}", step=P.step_sign), size="3", flex="1", id="proposal-next-sign",
                            on_click=P.go("sign")),
                  width="100%", spacing="2"),
        width="100%", spacing="3",
    )


def consent_box() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.scroll_area(rx.text(P.disclosure, white_space="pre-wrap", size="1"), type="always",
                           scrollbars="vertical", style={"max_height": "10em"}, id="proposal-disclosure"),
            rx.el.label(rx.hstack(
                rx.checkbox(checked=~P.needs_consent, on_change=P.agree, size="3", id="proposal-consent",
                            disabled=~P.needs_consent),
                rx.text(t("I agree to sign and receive records electronically."), size="2"),
                spacing="2", align="center")),
            width="100%", spacing="2",
        ),
        width="100%",
    )


def decline_form() -> rx.Component:
    return rx.cond(
        P.declining,
        rx.form(
            rx.vstack(
                rx.text(t("Tell us why, so we can change what does not suit you."), size="2"),
                rx.text_area(name="reason", required=True, width="100%", id="proposal-decline-reason",
                             aria_label=t("Why you decline")),
                rx.hstack(rx.button(t("Decline the proposal"), type="submit", color_scheme="red", variant="soft",
                                    id="proposal-decline-submit"),
                          rx.button(t("Keep it"), type="button", variant="ghost", on_click=P.start_decline(False)),
                          spacing="2"),
                width="100%", spacing="2",
            ),
            on_submit=P.decline, reset_on_submit=False, width="100%",
        ),
        rx.button(t("I do not want to sign"), variant="ghost", color_scheme="gray", size="2", id="proposal-decline",
                  on_click=P.start_decline(True)),
    )


def sign_step() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.text(t("You are signing for")), rx.spacer(), rx.text(P.total, weight="bold", size="4",
                                                                         id="proposal-sign-total"),
                  width="100%", align="center"),
        consent_box(),
        rx.cond(~P.needs_consent,
                rx.vstack(
                    signature_pad(PAD_ID),
                    rx.button(rx.cond(P.busy, t("Signing…"), t("Sign the proposal")), size="3", width="100%",
                              id="proposal-sign", loading=P.busy, color_scheme="green",
                              on_click=read_signature(PAD_ID, P.take_signature)),
                    width="100%", spacing="2"),
                rx.text(t("Tick the box above to sign."), size="2", color_scheme="gray")),
        rx.hstack(rx.button(t("Back"), variant="soft", size="2",
                            on_click=P.go(rx.cond(P.has_optional, "choose", "read"))),
                  rx.spacer(), decline_form(), width="100%", wrap="wrap", align="start"),
        width="100%", spacing="3",
    )


def done_screen() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("circle-check", size=40, color=rx.color("green", 10)),
            rx.heading(t("Signed. Thank you!"), size="5", id="proposal-done"),
            rx.text(t("Signed by {name}. A sealed copy is in your documents.", name=P.signer), size="2"),
            rx.cond(P.card_notice != "", rx.callout(P.card_notice, icon="check", color_scheme="green", size="2",
                                                    width="100%", id="card-notice")),
            services(),
            signed_pdf_link(),
            rx.link(t("Back to home"), href=routes.PORTAL, size="2"),
            align="center", width="100%", spacing="3",
        ),
        width="100%",
    )


def signed_pdf_link() -> rx.Component:
    return rx.cond(P.signed_href != "",
                   rx.el.a(t("Download the signed proposal"), href=P.signed_href, rel="noopener", reload_document=True,
                           id="proposal-signed-pdf", style={"color": rx.color("accent", 11), "fontWeight": "500"}))


def pay_screen() -> rx.Component:
    """Signed, waiting for its invoice to be paid: the card fields right away, or "Pay to finish" to open them."""
    return rx.card(
        rx.vstack(
            rx.heading(t("Signed. Pay to finish"), size="5", id="proposal-awaiting-payment"),
            rx.text(t("Signed by {name}. The proposal is finished once invoice {number} is paid.", name=P.signer,
                      number=P.invoice_number), size="2"),
            rx.hstack(rx.text(t("Amount due"), weight="bold"), rx.spacer(),
                      rx.text(P.due, weight="bold", size="4", id="proposal-due"), width="100%"),
            rx.cond((P.card_invoice_id != 0) & (P.card_invoice_id == P.invoice_id), card_panel(P),
                    rx.button(rx.icon("credit-card", size=16), t("Pay to finish"), size="3", width="100%",
                              id="proposal-pay", on_click=P.start_card(P.invoice_id))),
            signed_pdf_link(),
            rx.link(t("See your invoices"), href=routes.PORTAL_INVOICES, size="2"),
            width="100%", spacing="3",
        ),
        width="100%",
    )


def proposal_page() -> rx.Component:
    return portal_page(
        t("Proposal"),
        error_callout(P.error),
        rx.cond(
            P.found,
            rx.vstack(
                rx.heading(P.name, size="5", id="proposal-name"),
                rx.match(
                    P.status,
                    ("declined", plain_empty(t("You declined this proposal. We were told why and will be in touch."))),
                    ("cancelled", plain_empty(t("The firm withdrew this proposal."))),
                    ("awaiting_payment", pay_screen()),
                    rx.match(P.step,
                             ("done", done_screen()),
                             ("choose", rx.vstack(stepper(), choose_step(), width="100%", spacing="3")),
                             ("sign", rx.vstack(stepper(), sign_step(), width="100%", spacing="3")),
                             rx.vstack(stepper(), read_step(), width="100%", spacing="3")),
                ),
                width="100%", spacing="3",
            ),
            rx.cond(P.loaded, plain_empty(t("This proposal is not in your portal. It may have been withdrawn.")),
                    rx.center(rx.spinner(), padding="2em")),
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(proposal_page, route=routes.PORTAL_PROPOSAL, title=t("Client portal · proposal"), on_load=P.load)

"""The portal's Invoices page, phone first: what is due in all, how to pay, then each invoice (what is due first)
with its lines, its PDF and, when the firm takes cards, "Pay by card" with the provider's own card fields."""
from __future__ import annotations

import reflex as rx

from practice import routes
from practice.components.card_fields import card_box, card_panel
from practice.components.i18n import as_written, t
from practice.components.layout import error_callout
from practice.components.portal_layout import plain_empty, portal_page
from practice.state.card_fields import read_token
from practice.state.portal_invoices import PortalInvoicesState as S


def line_row(line) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(line.name, size="2", custom_attrs=as_written()),
                  rx.cond(line.description != "", rx.text(line.description, size="1", color_scheme="gray",
                                                          custom_attrs=as_written())),
                  rx.text(line.quantity, " × ", line.rate, size="1", color_scheme="gray"),
                  rx.cond(line.whole != "", rx.text(t("Invoice discount {amount}", amount=line.whole), size="1",
                                                    color_scheme="gray")),
                  spacing="0", min_width="0", flex="1"),
        rx.text(line.total, size="2", white_space="nowrap"),
        width="100%", align="start", class_name="portal-invoice-line",
    )


def pay_by_card(i) -> rx.Component:
    return rx.cond(i.owing & S.takes_cards,
                   rx.cond(S.card_invoice_id == i.id, card_panel(S),
                           rx.button(rx.icon("credit-card", size=16), t("Pay by card"), type="button",
                                     on_click=S.start_card(i.id), class_name="portal-pay-card",
                                     width=["100%", "auto"])))


def invoice_card(i) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(
            rx.vstack(rx.text(i.title, weight="bold"), rx.text(i.dates, size="1", color_scheme="gray"),
                      spacing="0", min_width="0"),
            rx.spacer(),
            rx.badge(i.status_text, color_scheme=rx.match(i.status, ("paid", "green"), ("void", "gray"), "amber"),
                     size="2"),
            width="100%", align="start",
        ),
        rx.vstack(rx.foreach(i.lines, line_row), width="100%", spacing="2"),
        rx.divider(),
        rx.cond(i.whole_discount != "", rx.hstack(rx.text(t("Discount on the whole invoice"), size="2"), rx.spacer(),
                                                  rx.text(i.whole_discount, size="2"), width="100%",
                                                  class_name="portal-whole-discount")),
        rx.cond(i.tax != "", rx.hstack(rx.text(t("Tax"), size="2"), rx.spacer(), rx.text(i.tax, size="2"),
                                       width="100%", class_name="portal-tax")),
        rx.cond(i.whole_tax != "", rx.hstack(rx.text(i.whole_tax_label, size="2"), rx.spacer(),
                                             rx.text(i.whole_tax, size="2"), width="100%",
                                             class_name="portal-whole-tax")),
        rx.hstack(rx.text(t("Total")), rx.spacer(), rx.text(i.total), width="100%"),
        rx.cond(i.paid_text != "", rx.text(i.paid_text, size="1", color_scheme="gray")),
        rx.cond(i.owing, rx.hstack(rx.text(t("Amount due"), weight="bold"), rx.spacer(),
                                   rx.text(i.due, weight="bold"), width="100%")),
        pay_by_card(i),
        rx.cond(i.href != "",
                # A document load, not the router's navigation: the attachment downloads and the page stays put.
                rx.el.a(rx.hstack(rx.icon("download", size=16), rx.text(i.pdf_name), spacing="1", align="center"),
                        href=i.href, rel="noopener", reload_document=True, class_name="portal-invoice-pdf",
                        style={"color": rx.color("accent", 11), "fontWeight": "500"}),
                rx.text(t("The PDF is being prepared. Come back in a minute."), size="1", color_scheme="gray")),
        width="100%", spacing="3",
    ), width="100%", class_name="portal-invoice")


def autopay_panel() -> rx.Component:
    """Saving a card for a series: the words to agree to, the provider's fields, the box to tick, Save."""
    return rx.vstack(
        card_box(),
        rx.hstack(rx.checkbox(checked=S.autopay_agree, on_change=S.set_autopay_agree, id="autopay-agree"),
                  rx.text(t("I agree to these automatic payments."), as_="label", html_for="autopay-agree", size="2"),
                  align="center"),
        rx.cond(S.autopay_error != "", rx.callout(S.autopay_error, icon="triangle_alert", color_scheme="red",
                                                  size="1", width="100%", id="autopay-error")),
        rx.hstack(
            rx.button(rx.icon("credit-card", size=16), t("Save the card"), type="button",
                      on_click=read_token(S.autopay_token), loading=S.autopay_saving, disabled=~S.autopay_agree,
                      id="autopay-save"),
            rx.button(t("Cancel"), type="button", variant="soft", color_scheme="gray", on_click=S.cancel_autopay,
                      id="autopay-cancel"),
            wrap="wrap", spacing="2"),
        rx.text(t("Your card details go straight to Stripe, the firm's payment provider: this site never sees "
                  "them."), size="1", color_scheme="gray"),
        width="100%", spacing="2", id="autopay-panel",
    )


def autopay_row(a) -> rx.Component:
    return rx.card(rx.vstack(
        rx.text(a.name, weight="bold", custom_attrs=as_written()),
        rx.text(a.summary, size="1", color_scheme="gray"),
        rx.cond(
            a.on,
            rx.vstack(rx.text(a.card, size="2", weight="medium", class_name="autopay-card"),
                      rx.text(a.agreed, size="1", color_scheme="gray"),
                      rx.text(a.consent, size="1", color_scheme="gray", custom_attrs=as_written()),
                      rx.button(t("Remove the card"), type="button", variant="soft", color_scheme="red",
                                on_click=S.stop_autopay(a.id), class_name="autopay-stop", width=["100%", "auto"]),
                      spacing="2", width="100%"),
            rx.cond(S.takes_cards,
                    rx.cond(S.autopay_id == a.id,
                            rx.vstack(rx.text(t("What you agree to"), weight="bold", size="2"),
                                      rx.text(a.consent, size="2", class_name="autopay-consent",
                                              custom_attrs=as_written()),
                                      autopay_panel(), width="100%", spacing="2"),
                            rx.button(rx.icon("credit-card", size=16), t("Pay automatically by card"), type="button",
                                      on_click=S.start_autopay(a.id), class_name="autopay-start",
                                      width=["100%", "auto"])))),
        width="100%", spacing="2",
    ), width="100%", class_name="autopay-series")


def autopay_section() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Automatic payment"), size="4"),
        rx.text(t("Invoices the firm sends you regularly can be paid by a saved card on the day they are issued. "
                  "You can remove the card at any time."), size="2", color_scheme="gray"),
        rx.foreach(S.autopay, autopay_row),
        width="100%", spacing="3", id="autopay",
    )


def summary() -> rx.Component:
    return rx.card(rx.vstack(
        rx.cond(S.owing,
                rx.hstack(rx.text(t("Due in all"), weight="bold", size="4"), rx.spacer(),
                          rx.text(S.total_due, weight="bold", size="4", id="portal-total-due"), width="100%"),
                rx.text(t("Nothing is due. Thank you!"), weight="medium", id="portal-total-due")),
        rx.text(t("How to pay"), weight="bold", size="2"),
        rx.text(S.instructions, size="2", white_space="pre-wrap", id="portal-payment-instructions",
                custom_attrs=as_written()),
        width="100%", spacing="2",
    ), width="100%")


def invoices_page() -> rx.Component:
    return portal_page(
        t("Invoices"),
        error_callout(S.error),
        rx.cond(S.card_notice != "", rx.callout(S.card_notice, icon="check", color_scheme="green", size="2",
                                                width="100%", id="card-notice")),
        rx.cond(~S.loaded, rx.center(rx.spinner(), padding="2em"),
                rx.cond(S.invoices.length() > 0,
                        rx.vstack(summary(), rx.vstack(rx.foreach(S.invoices, invoice_card), width="100%",
                                                       spacing="3", id="portal-invoice-list"),
                                  width="100%", spacing="4"),
                        plain_empty(t("No invoices yet. When the firm sends you one, it is here.")))),
        rx.cond(S.loaded & (S.autopay.length() > 0), autopay_section()),
    )


def register(app: rx.App) -> None:
    app.add_page(invoices_page, route=routes.PORTAL_INVOICES, title=t("Client portal · invoices"), on_load=S.load)

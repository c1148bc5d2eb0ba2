"""The box the provider's card fields are mounted in (state/card_fields.py mounts and reads them), and the panel
that pays an invoice with them (a state with the `CardPaying` mixin: the portal's Invoices page, a proposal paid
when signing)."""
from __future__ import annotations

import reflex as rx

from practice.components.i18n import t
from practice.state.card_fields import BOX_ID, read_token


def card_box() -> rx.Component:
    return rx.box(id=BOX_ID, width="100%", min_height="2.5em", padding="0.5em",
                  style={"border": f"1px solid {rx.color('gray', 7)}", "borderRadius": "6px",
                         "& input": {"maxWidth": "100%", "fontSize": "16px", "margin": "2px"}})


def card_panel(S) -> rx.Component:
    """Paying the open invoice by card: the provider's fields, then Pay (or Cancel). `S`: the page's state."""
    return rx.vstack(
        rx.text(t("Pay {amount} by card", amount=S.card_amount), weight="bold", size="2"),
        card_box(),
        rx.cond(S.card_error != "", rx.callout(S.card_error, icon="triangle_alert", color_scheme="red", size="1",
                                               width="100%", id="card-error")),
        rx.hstack(
            rx.button(rx.icon("credit-card", size=16), t("Pay {amount}", amount=S.card_amount), type="button",
                      on_click=read_token(S.card_token), loading=S.card_paying, id="pay-card"),
            rx.button(t("Cancel"), type="button", variant="soft", color_scheme="gray", on_click=S.cancel_card,
                      id="cancel-card"),
            wrap="wrap", spacing="2"),
        rx.text(t("Your card details go straight to Stripe, the firm's payment provider: this site never sees "
                  "them."), size="1", color_scheme="gray"),
        width="100%", spacing="2", id="card-panel",
    )

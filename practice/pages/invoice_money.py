"""Parts of the invoice page about money beyond payments: the draft's discount on the whole invoice (a percentage or
an amount, before tax) and its tax on the whole invoice, the refund dialog of a recorded payment, and applying the account's credit."""
import reflex as rx

from practice.components.forms import label, static_select
from practice.components.i18n import t
from practice.components.layout import error_callout
from practice.state.invoice import InvoiceState as S


def whole_discount_field() -> rx.Component:
    return rx.vstack(
        label(t("Discount on the whole invoice (before tax)"), "invoice-whole-discount"),
        rx.hstack(
            rx.input(default_value=S.whole_text, id="invoice-whole-discount", name="whole_discount", width="8em",
                     input_mode="decimal", on_change=lambda v: S.set_text("whole_text", v)),
            static_select([("percent", t("Percentage")), ("amount", t("Amount"))], name="whole_kind",
                          id="invoice-whole-kind", default_value=S.whole_kind,
                          on_change=lambda v: S.set_text("whole_kind", v),
                          aria_label=t("Percentage or amount")),
            spacing="2", align="center"),
        rx.text(t("Shared over the lines: each line shows its part, and its tax is on what is left."), size="1",
                color_scheme="gray"),
        spacing="1")


def whole_tax_field() -> rx.Component:
    return rx.vstack(
        label(t("Tax on the whole invoice (%)"), "invoice-whole-tax"),
        rx.input(default_value=S.whole_tax_text, id="invoice-whole-tax", name="whole_tax", width="8em",
                 input_mode="decimal", placeholder="8.25", on_change=lambda v: S.set_text("whole_tax_text", v)),
        rx.text(t("Applies after all discounts to every line that has no tax rate of its own; a line with its own "
                  "rate keeps it."), size="1", color_scheme="gray"),
        spacing="1")


def refund_dialog() -> rx.Component:
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(t("Refund a payment")),
        rx.dialog.description(t("{payment}: up to {left} can be refunded. A card payment goes back to the card "
                                "through the payment provider; for a check, transfer or cash, record the refund you "
                                "made.", payment=S.refund_text, left=S.refund_left)),
        rx.form(rx.vstack(
            error_callout(S.refund_error),
            rx.flex(rx.vstack(label(t("Amount"), "refund-amount"),
                              rx.input(id="refund-amount", name="refund_amount", default_value=S.refund_input,
                                       input_mode="decimal", width="8em"), spacing="1"),
                    rx.vstack(label(t("Why"), "refund-reason"),
                              rx.input(id="refund-reason", name="refund_reason", width="16em", max_width="100%"),
                              spacing="1"),
                    spacing="3", wrap="wrap"),
            rx.text(t("What is refunded is due again on this invoice."), size="1", color_scheme="gray"),
            rx.hstack(rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", type="button")),
                      rx.button(t("Refund"), type="submit", color_scheme="red", id="confirm-refund", loading=S.refund_busy),
                      justify="end", spacing="3", wrap="wrap", width="100%"),
            spacing="2", width="100%", margin_top="1em"),
            on_submit=S.confirm_refund, reset_on_submit=False, key="refund-" + S.refund_id.to_string()),
    ), open=S.refund_id != 0, on_open_change=S.set_refund_open)


def apply_credit_card() -> rx.Component:
    return rx.card(rx.form(rx.vstack(
        rx.heading(t("Apply the account's credit"), size="3"),
        rx.text(t("{account} has {credit} of credit not used yet.", account=S.account_name, credit=S.credit_left),
                size="2", id="invoice-credit-left"),
        error_callout(S.apply_error),
        rx.vstack(label(t("Amount"), "apply-amount"),
                  rx.input(id="apply-amount", name="apply_amount", default_value=S.apply_input, input_mode="decimal",
                           width="8em"), spacing="1"),
        rx.button(t("Apply credit"), type="submit", variant="soft", id="apply-credit"),
        spacing="2", width="100%"), on_submit=S.apply_credit, reset_on_submit=False,
        key="apply-" + S.pay_key.to_string()), width="100%", id="invoice-apply-credit")

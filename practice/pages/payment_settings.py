"""Settings → Payments: the firm's Stripe keys (secret, publishable, webhook signing secret) and the address to give
Stripe for its webhooks. Saved secrets show only as their kind and last four characters."""
import reflex as rx

from practice import routes
from practice.components.forms import label
from practice.components.i18n import t
from practice.components.layout import SETTINGS_TABS, error_callout, page, section_tabs
from practice.state.base import AppState
from practice.state.payment_settings import PaymentSettingsState as S


def notice(text) -> rx.Component:
    return rx.cond(text != "", rx.callout(text, icon="check", color_scheme="green", size="1", width="100%",
                                          id="payments-notice"))


def key_box(title, name: str, hint, placeholder: str, *, secret: bool) -> rx.Component:
    return rx.vstack(
        label(title, name.replace("_", "-")),
        rx.input(id=name.replace("_", "-"), name=name, type="password" if secret else "text", auto_complete="off",
                 placeholder=placeholder, default_value="" if secret else S.publishable_key,
                 width=["100%", "420px"], spell_check=False),
        rx.cond(hint != "", rx.text(t("Saved: {hint}. Leave empty to keep it.", hint=hint), size="1",
                                    color_scheme="gray")) if secret else rx.fragment(),
        spacing="1", align="start", width="100%",
    )


def keys_form() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t("Card payments with Stripe"), size="4"),
        rx.text(t("Clients pay their invoices by card in the portal; the money goes to the firm's Stripe account. "
                  "Card numbers are typed into Stripe's own fields and never reach this server."),
                size="2", color_scheme="gray"),
        rx.cond(S.set_up,
                rx.badge(t("Clients can pay by card"), color_scheme="green", id="payments-on"),
                rx.badge(t("Not set up"), color_scheme="gray", id="payments-off")),
        rx.form(
            rx.vstack(
                key_box(t("Secret key"), "secret_key", S.saved_stripe_key_shown, "sk_live_…", secret=True),
                key_box(t("Publishable key"), "publishable_key", "", "pk_live_…", secret=False),
                key_box(t("Webhook signing secret"), "webhook_secret", S.saved_signing_key_shown, "whsec_…", secret=True),
                rx.button(t("Check with Stripe and save"), type="submit", id="save-payment-keys", loading=S.checking),
                spacing="3", align="start", width="100%", key=S.form_key.to_string(),
            ),
            on_submit=S.save, reset_on_submit=False, width="100%",
        ),
        spacing="3", width="100%"), width="100%", id="payment-keys")


def webhook_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t("Stripe's webhook"), size="4"),
        rx.text(t("In Stripe, Developers → Webhooks → Add endpoint: give this address and the events "
                  "payment_intent.succeeded, refund.created and refund.updated, then copy its signing secret above. "
                  "Each payment and each refund is recorded once, when Stripe tells this address (a refund made in "
                  "Stripe's dashboard too)."), size="2", color_scheme="gray"),
        rx.code(S.webhook_url, id="payments-webhook-url", style={"wordBreak": "break-all"}),
        rx.cond(S.set_up, rx.button(t("Turn card payments off"), type="button", variant="soft", color_scheme="red",
                                    on_click=S.turn_off, id="turn-off-payments")),
        spacing="3", align="start", width="100%"), width="100%", id="payment-webhook")


def payment_settings_page() -> rx.Component:
    return page(
        t("Payment settings"),
        section_tabs(SETTINGS_TABS, routes.PAYMENT_SETTINGS, "settings", t("Settings")),
        error_callout(S.error),
        notice(S.notice),
        rx.cond(AppState.is_admin,
                rx.cond(S.loaded, rx.vstack(keys_form(), webhook_card(), spacing="4", width="100%")),
                rx.text(t("Only the owner or an admin can see and change how clients pay by card."),
                        color_scheme="gray", size="2")),
    )


def register(app: rx.App) -> None:
    app.add_page(payment_settings_page, route=routes.PAYMENT_SETTINGS, title=t("Payment settings · practice"),
                 on_load=[AppState.require_login, S.load])

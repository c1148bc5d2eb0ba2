"""My sign-in security: two-factor sign-in with an authenticator app, and recovery codes."""
import reflex as rx

from practice import routes
from practice.components.forms import label
from practice.components.i18n import t, tn
from practice.components.layout import error_callout, page
from practice.state.account_security import AccountSecurityState as S
from practice.state.base import AppState


def card(title: rx.Var, *children, id: str) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4"), *children, spacing="3", width="100%"), width="100%", id=id)


def code_form(on_submit, input_id: str, button: rx.Var, button_id: str, hint: rx.Var, **button_props) -> rx.Component:
    return rx.form(
        rx.vstack(
            label(hint, input_id),
            rx.hstack(
                rx.input(id=input_id, name="code", auto_complete="one-time-code", required=True, width="200px"),
                rx.button(button, type="submit", id=button_id, **button_props),
                wrap="wrap", align="center",
            ),
            spacing="1",
        ),
        on_submit=on_submit, reset_on_submit=True,
    )


def fresh_codes() -> rx.Component:
    return card(
        t("Save your recovery codes"),
        rx.text(t("If you lose your phone, each of these codes lets you log in once instead of an app code. "
                  "Print them or keep them in a password manager: they are not shown again."), size="2"),
        rx.grid(rx.foreach(S.shown_codes, lambda c: rx.code(c, size="3")), columns="2", spacing="2",
                id="recovery-code-list"),
        rx.button(t("I have saved them"), on_click=S.codes_saved, id="codes-saved"),
        id="fresh-codes",
    )


def when_on() -> rx.Component:
    return rx.vstack(
        rx.callout(t("Two-factor sign-in is on: logging in asks for a code from your authenticator app."),
                   icon="shield-check", color_scheme="green", id="two-factor-on"),
        rx.text(tn("{n} recovery code left.", "{n} recovery codes left.", S.codes_left), size="2", id="codes-left"),
        code_form(S.make_new_codes, "new-codes-code", t("Make new recovery codes"), "make-new-codes",
                  t("To replace your recovery codes, enter a current app code")),
        rx.cond(S.required_by_firm,
                rx.text(t("Your firm requires two-factor sign-in, so it cannot be turned off."), size="2",
                        color_scheme="gray"),
                code_form(S.turn_off, "off-code", t("Turn off two-factor sign-in"), "turn-off-two-factor",
                          t("To turn it off, enter a current app code or a recovery code"), color_scheme="red",
                          variant="soft")),
        spacing="4", width="100%", align="start",
    )


def when_setting_up() -> rx.Component:
    return rx.vstack(
        rx.text(t("1. Scan this QR code with an authenticator app (Google Authenticator, 1Password, Authy, …), "
                  "or type the key below into it."), size="2"),
        rx.cond(S.setup_qr != "", rx.image(src=S.setup_qr, alt=t("QR code for your authenticator app"),
                                           width="200px", height="200px", id="setup-qr")),
        rx.text(t("Key:"), " ", rx.code(S.setup_key, id="setup-key"), size="2"),
        rx.text(t("2. Enter the 6-digit code the app shows to turn two-factor sign-in on."), size="2"),
        code_form(S.confirm_setup, "setup-code", t("Turn on"), "confirm-two-factor", t("Code from the app")),
        rx.button(t("Cancel"), on_click=S.cancel_setup, variant="soft", color_scheme="gray", id="cancel-two-factor"),
        spacing="3", width="100%", align="start",
    )


def when_off() -> rx.Component:
    return rx.vstack(
        rx.text(t("Two-factor sign-in is off. Turn it on so that a stolen password alone cannot open the firm's "
                  "data: logging in will also ask for a code from an app on your phone."), size="2"),
        rx.button(rx.icon("shield"), t("Set up two-factor sign-in"), on_click=S.start_setup, id="start-two-factor"),
        spacing="3", align="start",
    )


def account_security_page() -> rx.Component:
    return page(
        t("Sign-in security"),
        rx.cond(S.must_set_up,
                rx.callout(t("Your firm requires two-factor sign-in. Set it up to continue."), icon="lock",
                           color_scheme="amber", id="setup-required")),
        error_callout(S.error),
        rx.cond(S.shown_codes.length() > 0, fresh_codes()),
        card(t("Two-factor sign-in"),
             rx.cond(S.enabled, when_on(), rx.cond(S.setting_up, when_setting_up(), when_off())),
             id="two-factor"),
    )


def register(app: rx.App) -> None:
    app.add_page(account_security_page, route=routes.ACCOUNT_SECURITY, title=t("Sign-in security · practice"),
                 on_load=[AppState.require_login, S.load])

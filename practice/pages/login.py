import reflex as rx

from practice import routes

from practice.components.i18n import t
from practice.components.layout import error_callout
from practice.state.login import ForgotPasswordState, LoginState, ResetPasswordState


def label(text: str, for_id: str) -> rx.Component:
    return rx.text(text, as_="label", html_for=for_id, size="2")


def notice_callout(message) -> rx.Component:
    return rx.cond(message != "", rx.callout(message, icon="info", color_scheme="green", role="status", width="100%"))


def password_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(t("Log in to practice"), size="6"),
            notice_callout(LoginState.notice),
            error_callout(LoginState.error),
            rx.text(t("Email"), as_="label", html_for="email", size="2"),
            rx.input(id="email", name="email", type="email", auto_complete="username", required=True,
                     width="100%", auto_focus=True),
            rx.text(t("Password"), as_="label", html_for="password", size="2"),
            rx.input(id="password", name="password", type="password", auto_complete="current-password",
                     required=True, width="100%"),
            rx.button(t("Log in"), type="submit", width="100%", id="login-submit"),
            rx.link(t("Forgot password?"), href=routes.FORGOT_PASSWORD, size="2", id="forgot-password-link"),
            spacing="3", width="100%",
        ),
        on_submit=LoginState.log_in, reset_on_submit=False,
    )


def code_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(t("Two-factor sign-in"), size="6"),
            rx.text(rx.cond(LoginState.backup_mode,
                            t("Enter one of the recovery codes you saved when you set up two-factor sign-in. "
                              "Each works once."),
                            t("Enter the 6-digit code your authenticator app shows for practice.")),
                    size="2", color_scheme="gray"),
            error_callout(LoginState.error),
            rx.text(rx.cond(LoginState.backup_mode, t("Recovery code"), t("Code")), as_="label",
                    html_for="two-factor-code", size="2"),
            rx.input(id="two-factor-code", name="code", auto_complete="one-time-code", required=True,
                     input_mode=rx.cond(LoginState.backup_mode, "text", "numeric"), width="100%",
                     auto_focus=True, key=rx.cond(LoginState.backup_mode, "recovery", "totp")),
            rx.button(t("Verify and log in"), type="submit", width="100%", id="code-submit"),
            rx.hstack(
                # Buttons, not links: a link to "#" reloads the route and its on_load starts over.
                rx.button(rx.cond(LoginState.backup_mode, t("Use my authenticator app"), t("Use a recovery code")),
                          type="button", variant="ghost", size="1", on_click=LoginState.toggle_recovery,
                          id="use-recovery"),
                rx.spacer(),
                rx.button(t("Start over"), type="button", variant="ghost", size="1", color_scheme="gray",
                          on_click=LoginState.start_over, id="start-over"),
                width="100%",
            ),
            spacing="3", width="100%",
        ),
        on_submit=LoginState.submit_code, reset_on_submit=True,
    )


def card(*children: rx.Component) -> rx.Component:
    return rx.center(rx.card(*children, width=["92vw", "380px"], padding="1.5em"), min_height="100vh",
                     background=rx.color("gray", 2))


def login_page() -> rx.Component:
    return card(rx.cond(LoginState.step == "code", code_form(), password_form()))


def forgot_page() -> rx.Component:
    return card(rx.form(
        rx.vstack(
            rx.heading(t("Forgot your password?"), size="6"),
            rx.text(t("Type the email you log in with; we send you a link to choose a new password."), size="2"),
            notice_callout(ForgotPasswordState.notice),
            error_callout(ForgotPasswordState.error),
            label(t("Email"), "forgot-email"),
            rx.input(id="forgot-email", name="email", type="email", auto_complete="username", required=True,
                     width="100%", auto_focus=True),
            rx.button(t("Send me a link"), type="submit", width="100%", id="forgot-submit"),
            rx.link(t("Back to the login page"), href=routes.LOGIN, size="2"),
            spacing="3", width="100%",
        ),
        on_submit=ForgotPasswordState.send_link, reset_on_submit=True,
    ))


def new_password_form() -> rx.Component:
    S = ResetPasswordState
    return rx.form(
        rx.vstack(
            rx.text(t("New password for"), " ", rx.text(S.link_email, weight="bold", as_="span"), size="2"),
            rx.text(t("At least 8 characters. Very common passwords and ones containing your email are refused; "
                      "a few unrelated words make a strong one. Choosing it logs you out everywhere."),
                    size="1", color_scheme="gray"),
            error_callout(S.error),
            label(t("New password"), "reset-new-password"),
            rx.input(id="reset-new-password", name="new_password", type="password", auto_complete="new-password",
                     required=True, width="100%", auto_focus=True),
            label(t("The same password again"), "reset-confirm-password"),
            rx.input(id="reset-confirm-password", name="confirm_password", type="password",
                     auto_complete="new-password", required=True, width="100%"),
            rx.button(t("Save my new password"), type="submit", width="100%", id="reset-submit"),
            spacing="3", width="100%",
        ),
        on_submit=S.set_password, reset_on_submit=False,
    )


def reset_page() -> rx.Component:
    S = ResetPasswordState
    return card(rx.vstack(
        rx.heading(t("Choose a new password"), size="6"),
        rx.cond(S.link_problem != "",
                rx.vstack(rx.callout(S.link_problem, icon="triangle-alert", color_scheme="red", role="alert",
                                     width="100%", id="reset-link-problem"),
                          rx.link(t("Ask for a new link"), href=routes.FORGOT_PASSWORD, size="2"), width="100%"),
                rx.cond(S.checked, new_password_form(), rx.center(rx.spinner()))),
        spacing="3", width="100%",
    ))


def register(app: rx.App) -> None:
    app.add_page(login_page, route=routes.LOGIN, title=t("Log in · practice"), on_load=LoginState.redirect_if_logged_in)
    app.add_page(forgot_page, route=routes.FORGOT_PASSWORD, title=t("Forgot password · practice"),
                 on_load=ForgotPasswordState.load)
    app.add_page(reset_page, route=routes.RESET_PASSWORD, title=t("New password · practice"),
                 on_load=ResetPasswordState.load)

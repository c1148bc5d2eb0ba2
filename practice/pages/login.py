import reflex as rx

from practice import routes

from practice.components.layout import error_callout
from practice.state.login import LoginState


def password_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Log in to practice", size="6"),
            error_callout(LoginState.error),
            rx.text("Email", as_="label", html_for="email", size="2"),
            rx.input(id="email", name="email", type="email", auto_complete="username", required=True,
                     width="100%", auto_focus=True),
            rx.text("Password", as_="label", html_for="password", size="2"),
            rx.input(id="password", name="password", type="password", auto_complete="current-password",
                     required=True, width="100%"),
            rx.button("Log in", type="submit", width="100%", id="login-submit"),
            spacing="3", width="100%",
        ),
        on_submit=LoginState.log_in, reset_on_submit=False,
    )


def code_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Two-factor sign-in", size="6"),
            rx.text(rx.cond(LoginState.backup_mode,
                            "Enter one of the recovery codes you saved when you set up two-factor sign-in. "
                            "Each works once.",
                            "Enter the 6-digit code your authenticator app shows for practice."),
                    size="2", color_scheme="gray"),
            error_callout(LoginState.error),
            rx.text(rx.cond(LoginState.backup_mode, "Recovery code", "Code"), as_="label",
                    html_for="two-factor-code", size="2"),
            rx.input(id="two-factor-code", name="code", auto_complete="one-time-code", required=True,
                     input_mode=rx.cond(LoginState.backup_mode, "text", "numeric"), width="100%",
                     auto_focus=True, key=rx.cond(LoginState.backup_mode, "recovery", "totp")),
            rx.button("Verify and log in", type="submit", width="100%", id="code-submit"),
            rx.hstack(
                # Buttons, not links: a link to "#" reloads the route and its on_load starts over.
                rx.button(rx.cond(LoginState.backup_mode, "Use my authenticator app", "Use a recovery code"),
                          type="button", variant="ghost", size="1", on_click=LoginState.toggle_recovery,
                          id="use-recovery"),
                rx.spacer(),
                rx.button("Start over", type="button", variant="ghost", size="1", color_scheme="gray",
                          on_click=LoginState.start_over, id="start-over"),
                width="100%",
            ),
            spacing="3", width="100%",
        ),
        on_submit=LoginState.submit_code, reset_on_submit=True,
    )


def login_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.cond(LoginState.step == "code", code_form(), password_form()),
            width=["92vw", "380px"], padding="1.5em",
        ),
        height="100vh", background=rx.color("gray", 2),
    )


def register(app: rx.App) -> None:
    app.add_page(login_page, route=routes.LOGIN, title="Log in · practice", on_load=LoginState.redirect_if_logged_in)

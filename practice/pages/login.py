import reflex as rx

from practice import routes

from practice.components.layout import error_callout
from practice.state.login import LoginState


def login_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.form(
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
            ),
            width=["92vw", "380px"], padding="1.5em",
        ),
        height="100vh", background=rx.color("gray", 2),
    )


def register(app: rx.App) -> None:
    app.add_page(login_page, route=routes.LOGIN, title="Log in · practice", on_load=LoginState.redirect_if_logged_in)

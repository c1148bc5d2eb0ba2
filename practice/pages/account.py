import reflex as rx

from practice import routes
from practice.components.layout import page
from practice.state.base import AppState


def account_page() -> rx.Component:
    return page("Account", rx.text("Being built."))


def register(app: rx.App) -> None:
    app.add_page(account_page, route=routes.ACCOUNT, title="Account · practice", on_load=[AppState.require_login])

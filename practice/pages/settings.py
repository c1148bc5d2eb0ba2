import reflex as rx

from practice import routes
from practice.components.layout import page
from practice.state.base import AppState


def settings_page() -> rx.Component:
    return page("Settings", rx.text("Being built."))


def register(app: rx.App) -> None:
    app.add_page(settings_page, route=routes.SETTINGS, title="Settings · practice", on_load=[AppState.require_login])

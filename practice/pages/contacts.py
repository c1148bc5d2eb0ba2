import reflex as rx

from practice import routes
from practice.components.layout import page
from practice.state.base import AppState


def contacts_page() -> rx.Component:
    return page("Contacts", rx.text("Being built."))


def register(app: rx.App) -> None:
    app.add_page(contacts_page, route=routes.CONTACTS, title="Contacts · practice", on_load=[AppState.require_login])

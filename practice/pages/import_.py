import reflex as rx

from practice import routes
from practice.components.layout import page
from practice.state.base import AppState


def import_page() -> rx.Component:
    return page("Import", rx.text("Being built."))


def register(app: rx.App) -> None:
    app.add_page(import_page, route=routes.IMPORT, title="Import · practice", on_load=[AppState.require_login])

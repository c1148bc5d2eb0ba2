import reflex as rx

from practice import routes
from practice.components.layout import page
from practice.state.base import AppState


def pipelines_page() -> rx.Component:
    return page("Pipelines", rx.text("Being built."))


def register(app: rx.App) -> None:
    app.add_page(pipelines_page, route=routes.PIPELINES, title="Pipelines · practice", on_load=[AppState.require_login])

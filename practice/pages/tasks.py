import reflex as rx

from practice import routes
from practice.components.layout import page
from practice.state.base import AppState


def tasks_page() -> rx.Component:
    return page("Tasks", rx.text("Being built."))


def register(app: rx.App) -> None:
    app.add_page(tasks_page, route=routes.TASKS, title="Tasks · practice", on_load=[AppState.require_login])

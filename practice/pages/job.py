import reflex as rx

from practice import routes
from practice.components.layout import page
from practice.state.base import AppState


def job_page() -> rx.Component:
    return page("Job", rx.text("Being built."))


def register(app: rx.App) -> None:
    app.add_page(job_page, route=routes.JOB, title="Job · practice", on_load=[AppState.require_login])

import reflex as rx

from practice import routes
from practice.components.layout import page
from practice.state.base import AppState


def audit_page() -> rx.Component:
    return page("Audit log", rx.text("Being built."))


def register(app: rx.App) -> None:
    app.add_page(audit_page, route=routes.AUDIT, title="Audit log · practice", on_load=[AppState.require_login])

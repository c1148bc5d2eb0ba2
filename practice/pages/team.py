import reflex as rx

from practice import routes
from practice.components.layout import page
from practice.state.base import AppState


def team_page() -> rx.Component:
    return page("Team", rx.text("Being built."))


def register(app: rx.App) -> None:
    app.add_page(team_page, route=routes.TEAM, title="Team · practice", on_load=[AppState.require_login])

import reflex as rx

from practice import routes
from practice.components.layout import page
from practice.state.base import AppState


def board_page() -> rx.Component:
    return page("Board", rx.text("Being built."))


def register(app: rx.App) -> None:
    app.add_page(board_page, route=routes.BOARD, title="Board · practice", on_load=[AppState.require_login])

import reflex as rx

from practice import routes
from practice.components.layout import page
from practice.state.base import AppState
from practice.state.home import HomeState


def home_page() -> rx.Component:
    return page(
        "Home",
        rx.text("Welcome back, ", AppState.member_name, "."),
        rx.hstack(
            rx.card(rx.vstack(rx.text("My open tasks", size="2", color_scheme="gray"),
                              rx.heading(HomeState.open_tasks, size="7"),
                              rx.link("Open my tasks", href=routes.TASKS))),
            rx.card(rx.vstack(rx.text("The board", size="2", color_scheme="gray"),
                              rx.text("Move jobs through their stages."),
                              rx.link("Open the board", href=routes.BOARD))),
            wrap="wrap",
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(home_page, route=routes.HOME, title="practice", on_load=[AppState.require_login, HomeState.load])

"""A board written the plain Reflex way, the baseline of benchmarks/bench_drop.py: one list var holding every
column's cards, cards rendered inline by rx.foreach, a drop moves the card and Reflex sends the whole list.
Same card markup as the app's board (links, tags, assignees, due date, a "Move to" button with its icon)."""
from __future__ import annotations

import dataclasses

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar

STAGES = 10
PER_STAGE = 50
DRAG_TYPE = "application/x-practice-job"


@dataclasses.dataclass
class Card:
    id: int = 0
    name: str = ""
    account: str = ""
    assignees: str = ""
    due: str = ""
    tags: list[str] = dataclasses.field(default_factory=list)


def _dropped(e: ObjectVar[dict]) -> tuple[Var[str]]:
    return (Var(_js_expr=f"({e._js_expr}).dataTransfer.getData('{DRAG_TYPE}')", _var_type=str),)


def _no_args(e: ObjectVar[dict]) -> tuple[()]:
    return ()


class DropZone(rx.el.Div):
    on_drop: rx.EventHandler[_dropped]
    on_drag_over: rx.EventHandler[_no_args]


class PlainState(rx.State):
    columns: list[list[Card]] = []
    names: list[str] = []

    @rx.event
    def load(self):
        self.names = [f"Stage {s + 1}" for s in range(STAGES)]
        self.columns = [[Card(id=s * 1000 + i, name=f"Job {s * 1000 + i}", account=f"Account {i} of stage {s}",
                              assignees="Bob Smith", due="Due Apr 15, 2026", tags=["VIP"] if i % 3 == 0 else [])
                         for i in range(PER_STAGE)] for s in range(STAGES)]

    @rx.event
    def move(self, job_id: str, stage: int):
        job_id = int(job_id)
        for cards in self.columns:
            for card in cards:
                if card.id == job_id:
                    cards.remove(card)
                    self.columns[stage].insert(0, card)
                    return


def card(c) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.link(c.account, href="#", size="1", weight="bold"),
            rx.link(c.name, href="#", size="2"),
            rx.hstack(rx.foreach(c.tags, lambda t: rx.badge(t, radius="full", size="1")), spacing="1"),
            rx.hstack(rx.text(c.assignees, size="1", color_scheme="gray"), rx.spacer(), rx.text(c.due, size="1")),
            rx.button("Move to", rx.icon("chevron-down", size=12), size="1", variant="soft", color_scheme="gray"),
            spacing="1", width="100%",
        ),
        class_name="board-card", padding="0.6em", border_radius="8px", width="100%",
        custom_attrs={"draggable": "true", "data-job-id": c.id, "onDragStart": Var(_js_expr=(
            "((e) => e.dataTransfer.setData('" + DRAG_TYPE + "', e.currentTarget.dataset.jobId))"))},
    )


def column(cards, index) -> rx.Component:
    return DropZone.create(
        rx.text(PlainState.names[index], weight="bold"),
        rx.vstack(rx.foreach(cards, card), spacing="2"),
        on_drop=lambda job_id: PlainState.move(job_id, index),
        on_drag_over=rx.prevent_default,
        class_name="board-column",
        custom_attrs={"data-stage-name": PlainState.names[index]},
        style={"width": "272px", "minWidth": "272px", "padding": "0.5em"},
    )


def index() -> rx.Component:
    return rx.box(rx.foreach(PlainState.columns, column), style={"display": "flex", "gap": "0.75em"})


app = rx.App()
app.add_page(index, route="/", on_load=PlainState.load)

"""The board's job card as a memoised React component: it renders again only when its own props change.

The page passes each card its data object (from the state's card boxes), its column's stage id, whether
it is selected and the board's stages (for its "Move to" menu); none of these change for the cards a
drop leaves alone, and the state keeps their objects as they were, so after a drop React renders only
the cards of the two columns involved. Nothing in here reads the board's state directly (reading it
would render every card on every change); event handlers only reach the event loop.

Each card counts its own renders in a `data-renders` attribute: the browser test reads it to check that
a drop renders only the cards of the two columns (a ref increment: free).
"""
from __future__ import annotations

import reflex as rx
from reflex.vars.base import Var, VarData

from practice.components.dnd import draggable_props
from practice.components.i18n import as_written
from practice.components.layout import tag_badge
from practice.state.board import CARD_BOXES, BoardState, CardView, ColumnHead

# Counts this component's renders (the hook goes into the memo's function body).
RENDERS = Var(_js_expr="renderCount.current", _var_type=int, _var_data=VarData(
    hooks={"const renderCount = useRef(0); renderCount.current += 1;": None},
    imports={"react": ["useRef"]}))


def card_data(job_id: Var) -> Var:
    """The card data of `job_id` from the state's boxes (`cardbox_<id % CARD_BOXES>`), read by name from the
    board state's object in the page (one expression, not an array of CARD_BOXES vars per card)."""
    first = BoardState.cardbox_0
    state_object, field = str(first).rsplit(".", 1)
    suffix = field.removeprefix("cardbox_0")
    return Var(_js_expr=f"{state_object}[`cardbox_${{{job_id} % {CARD_BOXES}}}{suffix}`]?.[{job_id}]",
               _var_type=CardView, _var_data=VarData.merge(job_id._get_all_var_data(), first._get_all_var_data()))


def _stage_items(heads: Var[list[ColumnHead]], job_id: Var[int], stage_id: Var[int]) -> rx.Component:
    """One "Move to" item per stage; the card's own stage is greyed out."""
    return rx.foreach(heads, lambda h: rx.menu.item(h.name, on_click=BoardState.move_card(job_id, h.id),
                                                    custom_attrs=as_written(),
                                                    disabled=h.id == stage_id))


def _waiting_badge(card: rx.Var[CardView]) -> rx.Component:
    """How many items wait on the client: a tooltip lists them on hover or keyboard focus, a tap opens the same list
    (touch screens have no hover), and a screen reader reads it as the button's name."""
    return rx.popover.root(
        rx.tooltip(
            rx.popover.trigger(rx.button(rx.icon("hourglass", size=12), card.waiting, size="1", variant="soft",
                                         color_scheme="amber", class_name="card-waiting",
                                         custom_attrs={"aria-label": card.waiting_label})),
            content=card.waiting_label),
        rx.popover.content(rx.text(card.waiting_label, size="1"), size="1", class_name="card-waiting-list",
                           max_width="16em"),
    )


@rx.memo
def job_card(card: rx.Var[CardView], stage_id: rx.Var[int], selected: rx.Var[bool],
             heads: rx.Var[list[ColumnHead]], move_label: rx.Var[str], select_label: rx.Var[str]) -> rx.Component:
    # The page passes the card's words in the person's language (`t` reads the language from the state, which a
    # memoised card must not read).
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.checkbox(checked=selected,
                            on_change=lambda checked: BoardState.toggle_selected(card.id, checked),
                            custom_attrs={"aria-label": select_label}),
                rx.link(card.account, href=card.account_href, size="1", weight="bold", high_contrast=True,
                        class_name="card-account", truncate=True, custom_attrs=as_written()),
                align="center", width="100%", spacing="2",
            ),
            rx.link(card.name, href=card.href, size="2", class_name="card-job", custom_attrs=as_written()),
            rx.cond(card.tags.length() > 0,
                    rx.hstack(rx.foreach(card.tags, lambda t: tag_badge(t.name, t.color)), wrap="wrap", spacing="1")),
            rx.foreach(card.fields, lambda f: rx.text(f, size="1", class_name="card-field", custom_attrs=as_written())),
            rx.hstack(
                rx.text(card.assignees, size="1", color_scheme="gray", class_name="card-assignees", truncate=True,
                        custom_attrs=as_written()),
                rx.spacer(),
                rx.cond(card.waiting > 0, _waiting_badge(card)),
                rx.text(card.due, size="1", color_scheme=rx.cond(card.overdue, "red", "gray"),
                        weight=rx.cond(card.overdue, "bold", "regular"), class_name="card-due", white_space="nowrap"),
                width="100%", align="center",
            ),
            rx.menu.root(
                rx.menu.trigger(rx.button(move_label, rx.icon("chevron-down", size=12), size="1", variant="soft",
                                          color_scheme="gray", class_name="move-to")),
                rx.menu.content(_stage_items(heads, card.id, stage_id)),
            ),
            spacing="1", width="100%",
        ),
        class_name="board-card", padding="0.6em", border_radius="8px", background=rx.color("gray", 1),
        border=f"1px solid {rx.color('gray', 5)}", cursor="grab", width="100%",
        custom_attrs={**draggable_props(card.id)["custom_attrs"], "data-renders": RENDERS},
    )

"""Native HTML5 drag and drop for the board: draggable cards and drop-zone columns.

Reflex 0.10.1's elements declare no drag or drop event triggers, so the drop zone is a small
`rx.el.Div` subclass that declares them. A card carries its job id in a `data-job-id`
attribute; a one-line onDragStart puts it on the drag, and the drop zone sends it with ONE event
(the column adds its stage id; the server knows where its screen shows the card). No keyboard or
touch support: the card's "Move to" menu covers those.
"""
from __future__ import annotations

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar

# The MIME type the board's drags carry; other drags (files, text from elsewhere) carry none of it.
DRAG_TYPE = "application/x-practice-job"

# Stores the card's job id (from its data attribute) on the drag.
ON_DRAG_START = Var(
    _js_expr=("((e) => { e.dataTransfer.setData('" + DRAG_TYPE + "', e.currentTarget.dataset.jobId); "
              "e.dataTransfer.effectAllowed = 'move'; })")
)

# Highlight a column while a card hovers over it (pure CSS class toggling, no server round trip).
ON_DRAG_ENTER = Var(_js_expr="((e) => e.currentTarget.classList.add('drop-target'))")
ON_DRAG_LEAVE = Var(_js_expr=("((e) => { if (!e.currentTarget.contains(e.relatedTarget)) "
                              "e.currentTarget.classList.remove('drop-target'); })"))


def _dropped_card(e: ObjectVar[dict]) -> tuple[Var[str]]:
    """The dropped card's job id ("" for foreign drags such as files); also clears the highlight."""
    ev = e._js_expr
    return (Var(_js_expr=(f"(({ev}).currentTarget.classList.remove('drop-target'), "
                          f"({ev}).dataTransfer.getData('{DRAG_TYPE}'))"), _var_type=str),)


def _no_args(e: ObjectVar[dict]) -> tuple[()]:
    return ()


class DropZone(rx.el.Div):
    """A div that accepts board cards: `on_drop` receives the dragged card's job id (a string)."""

    on_drop: rx.EventHandler[_dropped_card]
    on_drag_over: rx.EventHandler[_no_args]


drop_zone = DropZone.create


def draggable_props(job_id) -> dict:
    """Props making an element a draggable board card for `job_id`."""
    return {"custom_attrs": {"draggable": "true", "data-job-id": job_id, "onDragStart": ON_DRAG_START}}


def drop_props() -> dict:
    """Highlight props for a drop zone (enter/leave toggle a CSS class, client side only)."""
    return {"custom_attrs": {"onDragEnter": ON_DRAG_ENTER, "onDragLeave": ON_DRAG_LEAVE}}

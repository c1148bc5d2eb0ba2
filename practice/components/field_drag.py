"""Moving and resizing a signature field on a page image, with a mouse, a finger or the arrow keys.

Reflex 0.10.1's elements declare no pointer-capture trigger, so the field is a small `rx.el.Button` subclass
that declares one. While a pointer is down the field follows it in the browser alone (a few lines of script
set its CSS box, snapped inside the page, no server round trip per move); when the pointer is let go the
browser drops the capture and ONE event carries the new box, as fractions of the page, to the state (which
snaps it again: the service's rule is the truth). Pressing on the corner handle (`.field-handle`) resizes
instead of moving. Only fields on an editable page (`.sign-page.editable`, a draft) move.

With the keyboard, a focused field sends its arrow keys (the page does not scroll); other keys go on as usual.
"""
from __future__ import annotations

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar

from practice.services.signing.field_fit import MIN_SIDE

HANDLE_CLASS = "field-handle"

# Where the drag starts: the field's box (from its CSS percentages) and the page's size on screen.
ON_POINTER_DOWN = Var(_js_expr=(
    "((e) => { const el = e.currentTarget; const page = el.closest('.sign-page.editable');"
    " if (!page || (e.pointerType === 'mouse' && e.button !== 0)) return;"
    " const r = page.getBoundingClientRect(); const pc = (v) => parseFloat(v) / 100;"
    " el._drag = {id: e.pointerId, sx: e.clientX, sy: e.clientY, pw: r.width, ph: r.height, moved: false,"
    " resize: !!e.target.closest('." + HANDLE_CLASS + "'), x: pc(el.style.left), y: pc(el.style.top),"
    " w: pc(el.style.width), h: pc(el.style.height)};"
    " try { el.setPointerCapture(e.pointerId); } catch (err) { el._drag = null; } })"))

# The field follows the pointer, kept wholly on the page (at least MIN_SIDE of it on each side).
ON_POINTER_MOVE = Var(_js_expr=(
    "((e) => { const el = e.currentTarget, d = el._drag; if (!d || d.id !== e.pointerId) return;"
    " const px = e.clientX - d.sx, py = e.clientY - d.sy;"
    " if (!d.moved && Math.abs(px) + Math.abs(py) < 3) return; d.moved = true; e.preventDefault();"
    " const dx = px / d.pw, dy = py / d.ph, min = " + repr(MIN_SIDE) + ";"
    " const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), hi); let x = d.x, y = d.y, w = d.w, h = d.h;"
    " if (d.resize) { w = clamp(d.w + dx, min, 1 - d.x); h = clamp(d.h + dy, min, 1 - d.y); }"
    " else { x = clamp(d.x + dx, 0, 1 - d.w); y = clamp(d.y + dy, 0, 1 - d.h); }"
    " el.style.left = (x * 100) + '%'; el.style.top = (y * 100) + '%';"
    " el.style.width = (w * 100) + '%'; el.style.height = (h * 100) + '%'; })"))


def _dropped_box(e: ObjectVar[dict]) -> tuple[Var[list]]:
    """The field's new box [x, y, width, height] (fractions of the page) after a drag, or null after a click."""
    ev = e._js_expr
    return (Var(_js_expr=(
        f"((el) => {{ const d = el._drag; el._drag = null; if (!d || !d.moved) return null;"
        f" const pc = (v) => parseFloat(v) / 100;"
        f" return [pc(el.style.left), pc(el.style.top), pc(el.style.width), pc(el.style.height)]; }})"
        f"(({ev}).currentTarget)"), _var_type=list),)


ARROWS = ("ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown")


def _arrow_key(e: ObjectVar[dict]) -> tuple[Var[str], Var[bool]]:
    """An arrow key pressed on the field (the page does not scroll), "" for any other key; and whether Shift
    was held (Shift+arrow resizes)."""
    ev = e._js_expr
    arrows = "[" + ", ".join(f"'{a}'" for a in ARROWS) + "]"
    return (Var(_js_expr=f"({arrows}.includes(({ev}).key) ? (({ev}).preventDefault(), ({ev}).key) : '')",
                _var_type=str),
            Var(_js_expr=f"!!(({ev}).shiftKey)", _var_type=bool))


class MovableField(rx.el.Button):
    """A placed field: `on_lost_pointer_capture` receives its new box after a drag (None after a plain click);
    `on_key_down` receives (arrow key or "", shift held)."""

    on_lost_pointer_capture: rx.EventHandler[_dropped_box]
    on_key_down: rx.EventHandler[_arrow_key]


def movable_field(*children, **props) -> rx.Component:
    """A field button that moves and resizes with the pointer (see the module's docstring)."""
    custom = {**props.pop("custom_attrs", {}), "onPointerDown": ON_POINTER_DOWN, "onPointerMove": ON_POINTER_MOVE}
    return MovableField.create(*children, custom_attrs=custom, **props)


def resize_handle(color) -> rx.Component:
    """The corner a pointer drags to resize its field (big enough for a finger, drawn small)."""
    return rx.el.span(
        rx.el.span(style={"position": "absolute", "right": "0", "bottom": "0", "width": "8px", "height": "8px",
                          "background": color, "borderRadius": "2px 0 2px 0", "border": "1px solid white"}),
        class_name=HANDLE_CLASS, aria_hidden="true",
        # Inside the field's corner: a handle past the page's edge would widen a phone's page.
        style={"position": "absolute", "right": "0", "bottom": "0", "width": "16px", "height": "16px",
               "cursor": "nwse-resize", "touchAction": "none"})

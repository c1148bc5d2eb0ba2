"""A signature pad: draw with a finger, pen or mouse, or type the name; the state reads it back on demand.

How a page uses it (the pad keeps everything in the browser until a button asks for it):

    from practice.components.signature_pad import signature_pad, read_signature

    signature_pad("proposal-signature")                       # in the page; the id is a fixed string
    rx.button("Sign", on_click=read_signature("proposal-signature", MyState.take_signature))

    class MyState(PortalState):                               # in practice/state/
        @allow(CONTACT)
        def take_signature(self, value: dict):
            with shown_in(self, "error"):                     # a refusal: "Draw your signature in the box, ..."
                signature = signature_from_browser(value)     # from practice.state.signature_input
                # signature is {"strokes": [[[x, y], ...], ...]} (0..1 of the pad's width and height, top-left
                # origin; the pad is PAD_ASPECT = 3 times wider than tall: scale x by 3 to keep the shape)
                # or {"text": "Jane Doe"}; signature_kind(signature) gives "drawn" or "typed".
                run(client_flow.sign, self._require(), ..., signature_kind=signature_kind(signature), ...)

The drawing survives switching between Draw and Type, a resize (phone rotation) and a remount of
the pad; `clear_signature(pad_id)` empties it. Several pads may share a page under different ids.
"""
from __future__ import annotations

import re
from pathlib import Path

import reflex as rx

from practice.components.i18n import t
from practice.services.signing.stamp import PAD_ASPECT
from practice.state.signature_input import MAX_TEXT

# The browser side, evaluated once per mounted pad (no asset file to serve, no network).
_SCRIPT = (Path(__file__).with_name("signature_pad.js")).read_text(encoding="utf-8")
_PAD_ID = re.compile(r"^[a-z][a-z0-9-]{0,40}$")

# Handwriting-like faces found on common systems; `cursive` is the browser's own fallback.
SCRIPT_FONT = ('"Segoe Script", "Brush Script MT", "Snell Roundhand", "Apple Chancery", "URW Chancery L", '
               '"Z003", "Lucida Handwriting", cursive')
# The stamp prints dates and typed texts in Helvetica; Arial and Liberation Sans share its widths.
PRINT_FONT = "Helvetica, Arial, 'Liberation Sans', sans-serif"


def _checked(pad_id: str) -> str:
    if not _PAD_ID.match(pad_id):
        raise ValueError(f"signature pad id {pad_id!r}: use lowercase letters, digits and dashes")
    return pad_id


def read_signature(pad_id: str, callback) -> rx.event.EventSpec:
    """An event for a button: reads the pad in the browser and calls `callback(value)` with what it holds."""
    return rx.call_script(f"window.practiceSignaturePad.read({_checked(pad_id)!r})", callback=callback)


def clear_signature(pad_id: str) -> rx.event.EventSpec:
    """An event that empties the pad's drawing (client side only)."""
    return rx.call_script(f"window.practiceSignaturePad.clear({_checked(pad_id)!r})")


def _mode_tab(label: rx.Var, value: str, icon: str, pad_id: str) -> rx.Component:
    return rx.tabs.trigger(rx.hstack(rx.icon(icon, size=16), rx.text(label), spacing="1", align="center"),
                           value=value, id=f"{pad_id}-{value}-tab")


# Inactive panels stay mounted (the drawing lives in the canvas) but hidden.
_PANEL_STYLE = {"&[data-state='inactive']": {"display": "none"}, "padding_top": "0.75em"}


def signature_pad(pad_id: str = "signature-pad", *, typed_default: str | rx.Var = "",
                  type_label: str = "") -> rx.Component:
    """The pad: a Draw tab (canvas and Clear) and a Type tab (name input with a handwriting-style preview).

    `typed_default` fills the Type tab's input when the pad appears (e.g. the signer's name, a str or a
    var); after that the browser owns what the client types."""
    pad_id = _checked(pad_id)
    draw = rx.tabs.content(
        rx.vstack(
            rx.box(
                rx.el.canvas(id=f"{pad_id}-canvas", aria_label=t("Signature drawing area"), role="img",
                             class_name="signature-canvas",
                             style={"width": "100%", "height": "100%", "display": "block",
                                    "touch_action": "none", "cursor": "crosshair", "border_radius": "8px"}),
                rx.text(t("Sign here with your finger or mouse"), id=f"{pad_id}-hint", size="2", color_scheme="gray",
                        style={"position": "absolute", "left": "0", "right": "0", "top": "38%",
                               "text_align": "center", "pointer_events": "none"}),
                position="relative", width="100%", aspect_ratio=f"{PAD_ASPECT:g} / 1",
                border=f"2px dashed {rx.color('gray', 7)}", border_radius="10px", background="white",
            ),
            rx.hstack(
                rx.text(t("Draw as you would on paper."), size="1", color_scheme="gray"),
                rx.spacer(),
                rx.button(rx.icon("eraser", size=16), t("Clear"), type="button", variant="soft", size="2",
                          color_scheme="gray", id=f"{pad_id}-clear", on_click=clear_signature(pad_id)),
                width="100%", align="center",
            ),
            width="100%", spacing="2",
        ),
        value="draw", force_mount=True, id=f"{pad_id}-draw-panel", style=_PANEL_STYLE,
    )
    typed = rx.tabs.content(
        rx.vstack(
            rx.text(type_label or t("Type your full name"), as_="label", html_for=f"{pad_id}-typed", size="2", weight="medium"),
            rx.input(id=f"{pad_id}-typed", default_value=typed_default, auto_complete="name", width="100%",
                     size="3", max_length=MAX_TEXT),
            rx.box(
                # Filled by the script as the client types (no server round trip per key).
                rx.el.div(id=f"{pad_id}-preview", aria_hidden="true",
                          style={"font_family": SCRIPT_FONT, "font_style": "italic", "font_size": "2.2em",
                                 "line_height": "1.3", "color": "#111827", "white_space": "nowrap", "overflow": "hidden",
                                 "text_overflow": "ellipsis"}),
                width="100%", min_height="3.4em", padding="0.25em 0.75em", background="white",
                border_bottom=f"2px solid {rx.color('gray', 7)}",
            ),
            rx.text(t("This is how your typed signature will look."), size="1", color_scheme="gray"),
            width="100%", spacing="2",
        ),
        value="type", force_mount=True, id=f"{pad_id}-type-panel", style=_PANEL_STYLE,
    )
    return rx.box(
        rx.tabs.root(
            rx.tabs.list(_mode_tab(t("Draw"), "draw", "pen-line", pad_id), _mode_tab(t("Type"), "type", "keyboard", pad_id)),
            draw, typed,
            default_value="draw", width="100%",
        ),
        id=pad_id, class_name="signature-pad", width="100%",
        # Sets up this pad's canvas in the browser (and the shared code the first time).
        on_mount=rx.call_script(f"({_SCRIPT})({pad_id!r})"),
    )

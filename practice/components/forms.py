"""Small form pieces shared by the staff settings pages: labels and native selects.

Native <select> elements are used for data-driven choices (time zones, stages, members): they
submit with their form, work with the keyboard and screen readers, and stay fast with hundreds
of options, where a Radix select renders every item as a component.
"""
from __future__ import annotations

import reflex as rx

from practice.components.i18n import t

SELECT_STYLE = {
    "padding": "0.35em 0.5em",
    "border_radius": "6px",
    "border": f"1px solid {rx.color('gray', 7)}",
    "background": rx.color("gray", 1),
    "color": rx.color("gray", 12),
    "font_size": "14px",
    "min_height": "32px",
    "max_width": "100%",
}


def label(text: str, html_for: str) -> rx.Component:
    return rx.text(text, as_="label", html_for=html_for, size="2", weight="medium")


def native_select(options, *, name: str, id: str, default_value=None, key=None, first: tuple[str, str] | None = None,
                  **props) -> rx.Component:
    """A native select over a var list of Option(value, label), with an optional fixed first choice."""
    children = []
    if first is not None:
        children.append(rx.el.option(first[1], value=first[0]))
    children.append(rx.foreach(options, lambda o: rx.el.option(o.label, value=o.value)))
    extra = {}
    if default_value is not None:
        extra["default_value"] = default_value
    if key is not None:
        extra["key"] = key
    return rx.el.select(*children, name=name, id=id, style=SELECT_STYLE, **extra, **props)


def static_select(choices: list[tuple[str, str]], *, name: str, id: str, default_value=None, key=None,
                  **props) -> rx.Component:
    """A native select over a fixed list of (value, label) pairs."""
    extra = {}
    if default_value is not None:
        extra["default_value"] = default_value
    if key is not None:
        extra["key"] = key
    return rx.el.select(*[rx.el.option(lbl, value=val) for val, lbl in choices], name=name, id=id,
                        style=SELECT_STYLE, **extra, **props)



def confirm_dialog(title, description, *, confirm: str, on_confirm, confirm_id: str, open, on_open_change,
                   trigger: rx.Component | None = None, keep=None, color: str = "red") -> rx.Component:
    """A question before an action that cannot be taken back: what will happen, "keep" (t("Keep it") unless given)
    and "do it" buttons."""
    children = [trigger] if trigger is not None else []
    children.append(rx.alert_dialog.content(
        rx.alert_dialog.title(title),
        rx.alert_dialog.description(description),
        rx.hstack(
            rx.alert_dialog.cancel(rx.button(t("Keep it") if keep is None else keep, variant="soft", color_scheme="gray", type="button")),
            rx.alert_dialog.action(rx.button(confirm, color_scheme=color, on_click=on_confirm, type="button",
                                             id=confirm_id)),
            justify="end", spacing="3", margin_top="1em"),
    ))
    return rx.alert_dialog.root(*children, open=open, on_open_change=on_open_change)

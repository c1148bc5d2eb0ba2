"""The "Columns" and "Filter" menus of a list (accounts, board) over the firm's custom fields, and the chip that says
which filter is on. `S` is the page's state (it has the `FieldView` mixin)."""
from __future__ import annotations

import reflex as rx

from practice.components.forms import SELECT_STYLE
from practice.components.i18n import as_written, t
from practice.components.layout import error_callout


def _column_item(S, c) -> rx.Component:
    return rx.el.label(
        rx.checkbox(checked=c.shown, on_change=lambda v: S.show_column(c.id, v)),
        rx.text(c.label, size="2", custom_attrs=as_written()),
        style={"display": "flex", "gap": "0.5em", "align_items": "center", "cursor": "pointer",
               "min_height": "32px"},
    )


def columns_menu(S, prefix: str) -> rx.Component:
    """A popover listing the fields, each with a box: ticked, it is a column of the list."""
    return rx.popover.root(
        rx.popover.trigger(rx.button(rx.icon("columns-3", size=14), t("Columns"), variant="soft", size="2",
                                     id=f"{prefix}-columns", type="button")),
        rx.popover.content(
            rx.vstack(
                rx.text(t("Show these fields as columns"), size="2", weight="bold"),
                rx.foreach(S.field_choices, lambda c: _column_item(S, c)),
                spacing="1",
            ),
            id=f"{prefix}-columns-menu", max_width="90vw",
        ),
    )


def _value_control(S) -> rx.Component:
    choice = S.filter_choice
    field_key = choice.id
    listed = rx.el.select(rx.foreach(choice.options, lambda o: rx.el.option(o, value=o, custom_attrs=as_written())),
                          name="value", id="filter-value", style=SELECT_STYLE | {"width": "100%"}, key=field_key)
    yes_no = rx.el.select(rx.el.option(t("Yes"), value="yes"), rx.el.option(t("No"), value="no"), name="value",
                          id="filter-value", style=SELECT_STYLE | {"width": "100%"}, key=field_key)
    words = rx.input(name="value", id="filter-value", placeholder=t("Contains…"), width="100%", key=field_key,
                     auto_complete="off")

    def bounds(kind: str) -> rx.Component:
        mode = {"type": "date"} if kind == "date" else {"type": "text", "input_mode": "decimal"}
        return rx.hstack(
            rx.input(name="low", id="filter-low", placeholder=t("From"), aria_label=t("From"), width="100%",
                     key=field_key, **mode),
            rx.input(name="high", id="filter-high", placeholder=t("To"), aria_label=t("To"), width="100%",
                     key=field_key, **mode),
            width="100%")

    return rx.match(choice.kind,
                    ("is", rx.cond(choice.type == "yesno", yes_no, listed)),
                    ("number", bounds("number")), ("date", bounds("date")),
                    words)


def filter_menu(S, prefix: str) -> rx.Component:
    """A popover: pick a field, then what its value is (one of its choices, yes or no, words it contains, a range)."""
    return rx.popover.root(
        rx.popover.trigger(rx.button(rx.icon("list-filter", size=14), t("Filter by field"), variant="soft", size="2",
                                     id=f"{prefix}-field-filter", type="button")),
        rx.popover.content(
            rx.form(
                rx.vstack(
                    error_callout(S.filter_error),
                    rx.text(t("Field"), as_="label", html_for="filter-field", size="2", weight="medium"),
                    rx.el.select(rx.foreach(S.field_choices, lambda c: rx.el.option(c.label, value=c.id,
                                                                                    custom_attrs=as_written())),
                                 id="filter-field", value=S.filter_field, on_change=S.choose_filter_field,
                                 style=SELECT_STYLE | {"width": "100%"}),
                    _value_control(S),
                    rx.hstack(
                        rx.button(t("Show all"), type="button", variant="soft", color_scheme="gray",
                                  on_click=S.clear_filter, id="filter-clear"),
                        rx.button(t("Apply"), type="submit", id="filter-apply"),
                        justify="end", width="100%"),
                    spacing="2", width="100%",
                ),
                on_submit=S.apply_filter, reset_on_submit=False,
            ),
            id=f"{prefix}-filter-menu", width="320px", max_width="90vw",
        ),
        open=S.filter_open, on_open_change=S.set_filter_open,
    )


def field_menus(S, prefix: str) -> rx.Component:
    """Both menus and the applied filter's chip; nothing when the firm has no fields for this list."""
    chip = rx.cond(S.filter_summary != "", rx.badge(
        rx.text(S.filter_summary, custom_attrs=as_written()),
        rx.icon_button(rx.icon("x", size=12), size="1", variant="ghost", on_click=S.clear_filter,
                       aria_label=t("Remove the filter"), id=f"{prefix}-filter-remove"),
        size="2", variant="soft", id=f"{prefix}-filter-chip"))
    return rx.cond(S.field_choices.length() > 0, rx.hstack(columns_menu(S, prefix), filter_menu(S, prefix), chip,
                                                            wrap="wrap", align="center", spacing="2"))

"""The firm's custom fields on a record's page (account, job, contact): one form, one control per field that suits
its type (a list for "one of a list" and yes/no, a date picker for dates), saved together."""
from __future__ import annotations

import reflex as rx

from practice import routes
from practice.components.forms import SELECT_STYLE
from practice.components.i18n import as_written, t
from practice.components.layout import error_callout
from practice.state.base import AppState
from practice.state.custom_fields import CustomValuesState, ValueItem


def _control(v: ValueItem) -> rx.Component:
    field_id = "cf-" + v.name
    listed = rx.el.select(
        rx.el.option("—", value=""),
        rx.foreach(v.options, lambda o: rx.el.option(o, value=o, custom_attrs=as_written())),
        name=v.name, id=field_id, default_value=v.value, style=SELECT_STYLE | {"width": "100%"},
    )
    yes_no = rx.el.select(rx.el.option("—", value=""), rx.el.option(t("Yes"), value="yes"),
                          rx.el.option(t("No"), value="no"), name=v.name, id=field_id, default_value=v.value,
                          style=SELECT_STYLE | {"width": "100%"})
    typed = rx.input(name=v.name, id=field_id, default_value=v.value, type=v.input_type, input_mode=v.input_mode,
                     width="100%", auto_complete="off")
    return rx.match(v.type, ("choice", listed), ("yesno", yes_no),
                    ("text", rx.text_area(name=v.name, id=field_id, default_value=v.value, rows="1", width="100%",
                                          auto_height=True, max_length=2000)),
                    typed)


def _row(v: ValueItem) -> rx.Component:
    return rx.vstack(
        rx.el.label(v.label, html_for="cf-" + v.name, style={"font_size": "14px", "font_weight": "500"},
                    custom_attrs=as_written()),
        _control(v),
        spacing="1", width="100%", min_width="0",
    )


def custom_values_section(V=CustomValuesState, *, hint: bool = True) -> rx.Component:
    """The record's custom fields, editable (nothing when the firm has none; admins get a pointer to Settings)."""
    form = rx.form(
        rx.vstack(
            error_callout(V.error),
            rx.grid(rx.foreach(V.rows, _row), columns=rx.breakpoints(initial="1", sm="2"), spacing="3",
                    width="100%"),
            rx.button(t("Save fields"), type="submit", id="save-custom-fields", size="2"),
            spacing="3", width="100%", align="start",
        ),
        key=V.form_key.to_string(), on_submit=V.save, reset_on_submit=False, width="100%",
    )
    card = rx.card(rx.vstack(rx.heading(t("Custom fields"), size="4"), form, spacing="3", width="100%"),
                   width="100%", id="custom-fields-section" if hint else "contact-custom-fields")
    if not hint:
        return rx.cond(V.rows.length() > 0, card)
    pointer = rx.cond(AppState.is_admin, rx.text(
        t("Keep your own details on each record, like a filing status: "),
        rx.link(t("add custom fields"), href=routes.CUSTOM_FIELDS, id="custom-fields-hint"),
        size="1", color_scheme="gray"))
    return rx.cond(V.rows.length() > 0, card, pointer)

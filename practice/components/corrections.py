"""Dialogs for correcting records: an edit form in a dialog, and the delete confirmation that says what goes.

Both are keyboard-friendly: the edit form submits with Enter and any dialog closes with Escape.
"""
from __future__ import annotations

import reflex as rx

from practice.components.i18n import t
from practice.components.layout import error_callout


def edit_dialog(title, *fields: rx.Component, open, on_open_change, on_submit, error, key, submit_id: str,
                submit=None, dialog_id: str = "", after: rx.Component | None = None) -> rx.Component:
    """A form in a dialog: its fields, the refusal sentence above them, Cancel and Save (a translated page passes
    its title and submit text as `t("...")`; `after`: more below the form)."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            rx.form(
                rx.vstack(
                    error_callout(error),
                    *fields,
                    rx.hstack(
                        rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", type="button")),
                        rx.button(t("Save") if submit is None else submit, type="submit", id=submit_id),
                        justify="end", width="100%", spacing="3"),
                    spacing="3", width="100%",
                ),
                key=key, on_submit=on_submit, reset_on_submit=False, width="100%",
            ),
            after if after is not None else rx.fragment(),
            max_width="520px", id=dialog_id,
        ),
        open=open, on_open_change=on_open_change,
    )


def delete_dialog(title, text, *, blocked, open, on_open_change, on_confirm, confirm_id: str,
                  confirm=None) -> rx.Component:
    """The confirmation before a deletion: what goes with it; when it may not go, only why and a Close."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(text, id=confirm_id + "-text"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(rx.cond(blocked, t("Close"), t("Keep it")), variant="soft",
                                                 color_scheme="gray", type="button")),
                rx.cond(blocked, rx.fragment(),
                        rx.alert_dialog.action(rx.button(t("Delete") if confirm is None else confirm, color_scheme="red", on_click=on_confirm,
                                                         type="button", id=confirm_id))),
                justify="end", spacing="3", margin_top="1em"),
            max_width="520px",
        ),
        open=open, on_open_change=on_open_change,
    )

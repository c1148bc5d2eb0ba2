"""The merge dialog of the account page: find the duplicate, choose which one to keep, read what moves, confirm."""
import reflex as rx

from practice.components.i18n import as_written, t
from practice.components.layout import error_callout
from practice.state.merge import ACCOUNT, MergeState


def _found(o) -> rx.Component:
    return rx.button(o.label, on_click=MergeState.choose(o.value, o.label), variant="ghost", size="2",
                     custom_attrs=as_written(),
                     width="100%", justify="start", class_name="merge-choice",
                     style={"whiteSpace": "normal", "height": "auto", "textAlign": "left"})


def _keep_choice() -> rx.Component:
    return rx.vstack(
        rx.text(t("Which one stays?"), size="2", weight="medium"),
        rx.radio_group.root(
            rx.vstack(
                rx.el.label(rx.radio_group.item(value="this", id="merge-keep-this"), MergeState.this_name,
                            style={"display": "flex", "gap": "8px", "alignItems": "center"}),
                rx.el.label(rx.radio_group.item(value="other", id="merge-keep-other"), MergeState.other_name,
                            style={"display": "flex", "gap": "8px", "alignItems": "center"}),
                spacing="2"),
            value=rx.cond(MergeState.keep_this, "this", "other"), on_change=MergeState.set_keep,
        ),
        rx.cond(MergeState.preview != "", rx.callout(MergeState.preview, icon="info", color_scheme="amber",
                                                    id="merge-preview", width="100%")),
        spacing="2", width="100%",
    )


def merge_dialog() -> rx.Component:
    is_account = MergeState.kind == ACCOUNT
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(is_account, t("Merge duplicate accounts"), t("Merge duplicate contacts"))),
            rx.vstack(
                rx.text(rx.cond(is_account, t("Merging \u201c{name}\u201d with another account.", name=MergeState.this_name),
                                t("Merging \u201c{name}\u201d with another contact.", name=MergeState.this_name)),
                        size="2"),
                error_callout(MergeState.error),
                rx.input(placeholder=rx.cond(is_account, t("Type two letters of the other account's name"),
                                             t("Type two letters of the other contact's name or email")),
                         value=MergeState.search, on_change=MergeState.find.debounce(300), id="merge-search",
                         width="100%", aria_label=t("Find the duplicate"), auto_focus=True),
                rx.vstack(rx.foreach(MergeState.results, _found), width="100%", spacing="1"),
                rx.cond(MergeState.other_id > 0, _keep_choice()),
                rx.hstack(
                    rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", type="button")),
                    rx.button(t("Merge"), color_scheme="red", on_click=MergeState.confirm, id="confirm-merge",
                              disabled=MergeState.preview == ""),
                    justify="end", width="100%", spacing="3"),
                spacing="3", width="100%",
            ),
            max_width="560px", id="merge-dialog",
        ),
        open=MergeState.kind != "", on_open_change=MergeState.set_open,
    )

"""The inbox: my notifications (unread first in weight, newest first), archived ones, and which kinds I receive."""
import reflex as rx

from practice import routes
from practice.components.i18n import t
from practice.components.layout import empty_state, error_callout, page
from practice.services.inbox import KINDS
from practice.state.base import AppState
from practice.state.inbox import InboxState


def note_row(n) -> rx.Component:
    archived = InboxState.tab == "archived"
    return rx.hstack(
        rx.box(width="8px", height="8px", border_radius="50%", flex_shrink="0", margin_top="0.45em",
               background=rx.cond(n.unread, rx.color("accent", 9), "transparent"), aria_hidden="true"),
        rx.vstack(
            rx.cond(
                n.link != "",
                rx.link(n.text, href=n.link, on_click=InboxState.open_note(n.id).prevent_default,
                        weight=rx.cond(n.unread, "bold", "regular"), size="2", high_contrast=True,
                        class_name="note-text"),
                rx.text(n.text, weight=rx.cond(n.unread, "bold", "regular"), size="2", class_name="note-text"),
            ),
            rx.text(n.when, size="1", color_scheme="gray", title=n.at, class_name="note-when"),
            spacing="1", min_width="0", flex="1",
        ),
        rx.hstack(
            rx.button(rx.cond(n.unread, t("Mark read"), t("Mark unread")), size="1", variant="soft", color_scheme="gray",
                      on_click=InboxState.set_read(n.id, ~n.unread), class_name="note-read-toggle"),
            rx.button(rx.cond(archived, t("Unarchive"), t("Archive")), size="1", variant="soft", color_scheme="gray",
                      on_click=InboxState.set_archived(n.id, ~archived), class_name="note-archive-toggle"),
            spacing="2", wrap="wrap", justify="end",
        ),
        width="100%", align="start", padding="0.6em", class_name="note-row",
        data_unread=rx.cond(n.unread, "true", "false"),
        background=rx.cond(n.unread, rx.color("accent", 2), "transparent"),
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def note_list() -> rx.Component:
    return rx.cond(
        InboxState.notes.length() > 0,
        rx.vstack(rx.foreach(InboxState.notes, note_row), width="100%", spacing="0", id="note-list"),
        rx.cond(
            InboxState.tab == "archived",
            empty_state(t("Nothing archived. Notifications you archive from your inbox are kept here.")),
            empty_state(t("You're all caught up. Messages from automations, tasks assigned to you and other news "
                          "about your work will appear here."),
                        rx.link(t("Go to the board"), href=routes.BOARD)),
        ),
    )


def preferences() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("What I receive"), size="4"),
            rx.text(t("Untick a kind to stop receiving it. Already received notifications stay."), size="2",
                    color_scheme="gray"),
            *[rx.checkbox(t(label), checked=InboxState.prefs[kind].bool(), id=f"pref-{kind}",
                          on_change=lambda value, kind=kind: InboxState.set_kind(kind, value))
              for kind, label in KINDS.items()],
            spacing="2", width="100%",
        ),
        width="100%", id="inbox-preferences",
    )


def inbox_page() -> rx.Component:
    return page(
        t("Inbox"),
        error_callout(InboxState.error),
        rx.segmented_control.root(
            rx.segmented_control.item(t("Inbox"), value="inbox", id="inbox-tab-inbox"),
            rx.segmented_control.item(t("Archived"), value="archived", id="inbox-tab-archived"),
            value=InboxState.tab, on_change=InboxState.set_tab, aria_label=t("Which notifications"),
        ),
        note_list(),
        preferences(),
        actions=rx.button(t("Mark all read"), on_click=InboxState.mark_all_read, variant="soft", id="mark-all-read"),
    )


def register(app: rx.App) -> None:
    app.add_page(inbox_page, route=routes.INBOX, title=t("Inbox · practice"),
                 on_load=[AppState.require_login, InboxState.load])

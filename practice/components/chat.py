"""Pieces of a chat shared by the staff's Chats page and the portal's Messages page: a message bubble with its
client tasks, and the composer's text box where Enter sends and Shift+Enter starts a new line."""
from __future__ import annotations

from typing import Callable

import reflex as rx
from reflex.vars.base import Var

from practice.components.i18n import as_written, t

# Enter sends the form the box is in; Shift+Enter (or Enter while an input method composes) is a new line.
ENTER_SENDS = Var(_js_expr=(
    "((e) => { if (e.key === 'Enter' && !e.shiftKey && !(e.nativeEvent && e.nativeEvent.isComposing)) {"
    " e.preventDefault(); const form = e.currentTarget.form; if (form) { form.requestSubmit(); } } })"))


def message_box(box_id: str, placeholder) -> rx.Component:
    """The composer's text area (name "text")."""
    return rx.text_area(name="text", id=box_id, placeholder=placeholder, rows="3", width="100%", max_length=20000,
                        custom_attrs={"onKeyDown": ENTER_SENDS}, aria_label=t("Message"))


def task_line(task, tick: Callable | None) -> rx.Component:
    """A client task inside a message: a box the client ticks (or a mark for staff), its title and due date."""
    mark = (rx.checkbox(checked=task.done, disabled=task.done, on_change=lambda _v: tick(task.id),
                        class_name="chat-task-tick", aria_label=task.title, size="3")
            if tick else rx.icon(rx.cond(task.done, "circle-check", "circle"), size=16))
    return rx.hstack(
        mark,
        rx.vstack(rx.text(task.title, size="2", weight="medium", custom_attrs=as_written(),
                          text_decoration=rx.cond(task.done, "line-through", "none")),
                  rx.cond(task.due != "", rx.text(task.due, size="1", color_scheme="gray")),
                  rx.cond(task.done_note != "", rx.text(task.done_note, size="1", color_scheme="green")),
                  spacing="0"),
        align="start", spacing="2", class_name="chat-task", data_done=rx.cond(task.done, "true", "false"),
    )


def file_link(f) -> rx.Component:
    """A file sent with a message: its name opens it (a document load, so the thread stays put), and its size."""
    return rx.hstack(
        rx.icon("paperclip", size=14, flex_shrink="0"),
        rx.el.a(f.name, href=f.href, rel="noopener", reload_document=True, class_name="chat-file",
                custom_attrs=as_written(), style={"color": rx.color("accent", 11), "fontWeight": "500",
                                                   "wordBreak": "break-word"}),
        rx.text(f.size, size="1", color_scheme="gray", white_space="nowrap"),
        spacing="1", align="center")


def attach_files(upload_id: str, on_drop, on_rejected, chosen, remove) -> rx.Component:
    """The composer's "Attach files" button (checked like any upload, at most 10 files) and the files chosen for
    the next message, each with a button to take it off."""
    return rx.vstack(
        rx.upload(
            rx.button(rx.icon("paperclip", size=14), t("Attach files"), type="button", variant="soft", size="2",
                      color_scheme="gray", id=upload_id + "-button"),
            id=upload_id, multiple=True, max_files=10, no_drag=False, border="none", padding="0",
            on_drop=on_drop(rx.upload_files(upload_id=upload_id)), on_drop_rejected=on_rejected),
        rx.foreach(chosen, lambda f, i: rx.hstack(
            rx.icon("paperclip", size=14), rx.text(f.name, size="2", custom_attrs=as_written()),
            rx.text(f.size, size="1", color_scheme="gray"),
            rx.icon_button(rx.icon("x", size=12), size="1", variant="ghost", type="button", on_click=remove(i + 1),
                           aria_label=t("Remove")),
            align="center", spacing="2", class_name="chosen-file")),
        spacing="1", width="100%")


def bubble(m, *, tick: Callable | None = None, client_side: bool = False) -> rx.Component:
    """One message: the author and when, the text (its lines kept), its client tasks; an internal note is yellow."""
    ours = m.from_client if client_side else ~m.from_client
    return rx.box(
        rx.hstack(rx.text(m.author, size="1", weight="bold", custom_attrs=as_written()),
                  rx.cond(m.internal, rx.badge(t("Internal note"), color_scheme="amber", size="1")),
                  rx.text(m.when, size="1", color_scheme="gray", title=m.at),
                  rx.cond(m.edited, rx.text(t("edited"), size="1", color_scheme="gray")),
                  spacing="2", wrap="wrap", align="center"),
        rx.text(m.text, size="2", white_space="pre-wrap", overflow_wrap="anywhere", custom_attrs=as_written(),
                class_name="chat-text"),
        rx.cond(m.files.length() > 0, rx.vstack(rx.foreach(m.files, file_link), spacing="1", padding_top="0.3em")),
        rx.cond(m.tasks.length() > 0,
                rx.vstack(rx.foreach(m.tasks, lambda task: task_line(task, tick)), spacing="2", padding_top="0.4em")),
        rx.cond(m.read_note != "", rx.text(m.read_note, size="1", color_scheme="gray", class_name="chat-read")),
        class_name=rx.cond(m.internal, "chat-message chat-note", "chat-message"),
        padding="0.6em 0.8em", border_radius="10px", max_width=["100%", "100%", "80%"],
        align_self=rx.cond(ours, "flex-end", "flex-start"),
        background=rx.cond(m.internal, rx.color("amber", 3), rx.cond(ours, rx.color("accent", 3), rx.color("gray", 3))),
        border=rx.cond(m.internal, f"1px dashed {rx.color('amber', 8)}", "1px solid transparent"),
    )


def thread_row(th, on_click, selected) -> rx.Component:
    """A thread in a list: subject, account and job, the newest text, when, and its unread count."""
    return rx.box(
        rx.hstack(rx.text(th.subject, size="2", weight=rx.cond(th.unread > 0, "bold", "medium"),
                          custom_attrs=as_written(), flex="1", min_width="0", class_name="thread-subject"),
                  rx.cond(th.unread > 0, rx.badge(th.unread, radius="full", variant="solid", color_scheme="indigo",
                                                  class_name="thread-unread")),
                  width="100%", align="center"),
        rx.text(rx.cond(th.job != "", th.account + " · " + th.job, th.account), size="1", color_scheme="gray",
                custom_attrs=as_written()),
        rx.text(th.last_text, size="1", color_scheme="gray", overflow="hidden", text_overflow="ellipsis",
                white_space="nowrap", custom_attrs=as_written()),
        rx.text(th.when, size="1", color_scheme="gray"),
        on_click=on_click, cursor="pointer", padding="0.6em", width="100%", class_name="thread-row",
        background=rx.cond(selected, rx.color("accent", 3), "transparent"),
        border_bottom=f"1px solid {rx.color('gray', 4)}", role="button", tab_index=0,
    )

"""The portal's Messages page: the client's conversations with the firm; one open at a time on a phone."""
import reflex as rx

from practice import routes
from practice.components.chat import attach_files, bubble, message_box, thread_row
from practice.components.i18n import as_written, t
from practice.components.layout import error_callout
from practice.components.portal_layout import plain_empty, portal_page
from practice.state.portal_messages import PortalMessagesState as S


def thread_list() -> rx.Component:
    return rx.cond(
        S.threads.length() > 0,
        rx.vstack(rx.foreach(S.threads, lambda th: thread_row(th, S.open_thread(th.id), th.id == S.thread_id)),
                  spacing="0", width="100%", id="portal-thread-list"),
        rx.cond(S.loaded, plain_empty(t("No messages yet. When the firm writes to you, the conversation appears "
                                         "here."))),
    )


def new_message() -> rx.Component:
    return rx.card(rx.form(
        rx.vstack(
            rx.heading(t("Write to the firm about something new"), size="3"),
            error_callout(S.composer_error),
            rx.input(name="subject", id="portal-new-subject", placeholder=t("Subject, like Question about my refund"),
                     width="100%", max_length=200, aria_label=t("Subject")),
            message_box("portal-new-text", t("Your message")),
            rx.button(t("Send"), type="submit", id="portal-new-send", width="100%", size="3"),
            width="100%", spacing="2"),
        key=S.composer_key, on_submit=S.start, reset_on_submit=False, width="100%"), width="100%")


def open_thread() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.icon_button(rx.icon("arrow-left", size=16), variant="ghost", on_click=S.close_thread,
                                 aria_label=t("Back to the conversations"), id="portal-chat-back"),
                  rx.heading(S.thread_subject, size="4", custom_attrs=as_written(), id="portal-chat-subject"),
                  align="center", width="100%"),
        rx.vstack(rx.foreach(S.messages, lambda m: bubble(m, tick=S.tick, client_side=True)), spacing="2",
                  width="100%", id="portal-chat-messages"),
        error_callout(S.composer_error),
        rx.form(
            rx.vstack(message_box("portal-chat-text", t("Write to the firm")),
                      attach_files("portal-chat-files", S.attach_files, S.files_rejected, S.chosen_files,
                                   S.remove_file),
                      rx.button(t("Send"), type="submit", id="portal-chat-send", width="100%", size="3"),
                      width="100%", spacing="2"),
            key=S.composer_key, on_submit=S.send, reset_on_submit=False, width="100%"),
        width="100%", spacing="3", id="portal-chat-thread",
    )


def messages_page() -> rx.Component:
    return portal_page(
        t("Messages"),
        error_callout(S.error),
        rx.cond(S.thread_id != 0, open_thread(), rx.vstack(thread_list(), new_message(), width="100%", spacing="4")),
    )


def register(app: rx.App) -> None:
    app.add_page(messages_page, route=routes.PORTAL_MESSAGES, title=t("Client portal · messages"), on_load=S.load)

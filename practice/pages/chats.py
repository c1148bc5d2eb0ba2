"""Chats (staff): the firm's conversations with clients, one thread open beside the list (on a phone, one or the
other), a composer for messages, internal notes and client tasks."""
import reflex as rx

from practice import routes
from practice.components.chat import attach_files, bubble, message_box, thread_row
from practice.components.forms import SELECT_STYLE
from practice.components.i18n import as_written, t
from practice.components.layout import empty_state, error_callout, page
from practice.pages.work_parts import field
from practice.state.base import AppState
from practice.state.chats import ChatsState as S


def new_thread_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(t("New conversation"), size="3"),
            rx.cond(S.account_filter == 0, field(t("Account"), rx.el.select(
                rx.el.option(t("Choose an account"), value=""),
                rx.foreach(S.account_choices, lambda a: rx.el.option(a.name, value=a.id)),
                name="account_id", id="new-chat-account", on_change=S.choose_account, style=SELECT_STYLE))),
            field(t("Job (optional)"), rx.el.select(
                rx.el.option(t("No job"), value=""),
                rx.foreach(S.job_choices, lambda j: rx.el.option(j.name, value=j.id)),
                name="job_id", id="new-chat-job", style=SELECT_STYLE)),
            field(t("Subject"), rx.input(name="subject", id="new-chat-subject", width="100%", max_length=200,
                                         placeholder=t("2026 tax return"))),
            rx.button(t("Start conversation"), type="submit", id="start-chat"),
            spacing="2", width="100%", align="start",
        ),
        on_submit=S.start, reset_on_submit=True, width="100%",
    )


def thread_list() -> rx.Component:
    return rx.vstack(
        rx.cond(S.account_filter != 0, rx.link(t("Show all conversations"), href=routes.CHATS, size="2",
                                                id="chats-show-all")),
        rx.form(rx.hstack(rx.input(name="search", id="chat-search", placeholder=t("Search messages"), width="100%"),
                          rx.button(rx.icon("search", size=16), type="submit", variant="soft",
                                    aria_label=t("Search"), id="chat-search-go"), width="100%"),
                on_submit=S.run_search, width="100%"),
        rx.segmented_control.root(
            rx.segmented_control.item(t("Open"), value="open", id="chats-tab-open"),
            rx.segmented_control.item(t("Archived"), value="archived", id="chats-tab-archived"),
            value=S.tab, on_change=S.set_tab, aria_label=t("Which conversations"),
        ),
        rx.cond(S.threads.length() > 0,
                rx.vstack(rx.foreach(S.threads, lambda th: thread_row(th, S.open_thread(th.id), th.id == S.thread_id)),
                          spacing="0", width="100%", id="thread-list"),
                empty_state(rx.cond(S.search != "", t("No conversation matches your search."),
                                    t("No conversations yet. Start one below.")))),
        rx.cond(S.tab == "open", rx.card(new_thread_form(), width="100%")),
        width="100%", spacing="3",
    )


def pending_tasks() -> rx.Component:
    return rx.cond(S.pending_tasks.length() > 0, rx.vstack(
        rx.text(t("Client tasks in this message"), size="1", weight="bold"),
        rx.foreach(S.pending_tasks, lambda task, i: rx.hstack(
            rx.icon("circle", size=14), rx.text(task.title, size="2", custom_attrs=as_written()),
            rx.text(task.due_label, size="1", color_scheme="gray"),
            rx.icon_button(rx.icon("x", size=12), size="1", variant="ghost", on_click=S.remove_task(i + 1),
                           aria_label=t("Remove")),
            align="center", spacing="2", class_name="pending-task")),
        spacing="1", width="100%"))


def task_form() -> rx.Component:
    return rx.form(
        rx.hstack(rx.input(name="title", id="chat-task-title", placeholder=t("Client task, like Upload your W-2"),
                           flex="1", min_width="12em", max_length=300),
                  rx.input(name="due", type="date", id="chat-task-due", aria_label=t("Due date"), width="11em"),
                  rx.button(t("Add client task"), type="submit", variant="soft", id="chat-task-add"),
                  width="100%", wrap="wrap", spacing="2"),
        key=S.task_key, on_submit=S.add_task, reset_on_submit=False, width="100%")


def composer() -> rx.Component:
    return rx.vstack(
        error_callout(S.composer_error),
        rx.cond(~S.internal, task_form()),
        pending_tasks(),
        attach_files("chat-files", S.attach_files, S.files_rejected, S.chosen_files, S.remove_file),
        rx.hstack(rx.el.label(rx.switch(checked=S.internal, on_change=S.set_internal, id="chat-internal"),
                              rx.text(t("Internal note"), size="2"),
                              style={"display": "flex", "gap": "6px", "alignItems": "center"}),
                  rx.spacer(),
                  rx.text(t("Enter sends, Shift+Enter for a new line"), size="1", color_scheme="gray",
                          display=["none", "none", "block"]),
                  width="100%", align="center", wrap="wrap"),
        rx.form(
            rx.hstack(
                message_box("chat-text", rx.cond(S.internal, t("Internal note (the client never sees it); @name tells "
                                                                "a colleague"), t("Write to the client"))),
                rx.button(rx.cond(S.internal, t("Add note"), t("Send")), type="submit", id="chat-send"),
                width="100%", align="end", spacing="2"),
            key=S.composer_key, on_submit=S.send, reset_on_submit=False, width="100%"),
        width="100%", spacing="2", padding_top="0.5em", border_top=f"1px solid {rx.color('gray', 5)}",
        background=rx.cond(S.internal, rx.color("amber", 2), "transparent"),
    )


def open_thread() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon_button(rx.icon("arrow-left", size=16), variant="ghost", on_click=S.close_thread,
                           aria_label=t("Back to the conversations"), id="chat-back", display=["flex", "flex", "none"]),
            rx.vstack(rx.heading(S.thread_subject, size="4", custom_attrs=as_written(), id="chat-subject"),
                      rx.link(rx.cond(S.thread_job != "", S.thread_account + " · " + S.thread_job, S.thread_account),
                              href="/accounts/" + S.thread_account_id.to_string(), size="1",
                              custom_attrs=as_written()),
                      spacing="0", flex="1", min_width="0"),
            rx.button(rx.cond(S.thread_archived, t("Unarchive"), t("Archive")), variant="soft", color_scheme="gray",
                      size="1", on_click=S.set_archived(~S.thread_archived), id="chat-archive"),
            width="100%", align="center"),
        rx.vstack(rx.foreach(S.messages, lambda m: bubble(m)), spacing="2", width="100%", id="chat-messages",
                  max_height=["none", "none", "60vh"], overflow_y="auto"),
        composer(),
        width="100%", spacing="3", id="chat-thread",
    )


def chats_page() -> rx.Component:
    return page(
        t("Chats"),
        error_callout(S.error),
        rx.flex(
            rx.box(thread_list(), width=["100%", "100%", "340px"], flex_shrink="0",
                   display=rx.cond(S.thread_id != 0, ["none", "none", "block"], "block")),
            rx.box(rx.cond(S.thread_id != 0, open_thread(),
                           empty_state(t("Choose a conversation, or start one."))),
                   flex="1", min_width="0", width="100%",
                   display=rx.cond(S.thread_id != 0, "block", ["none", "none", "block"])),
            gap="1.5em", width="100%", align="start", direction=rx.breakpoints(initial="column", md="row"),
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(chats_page, route=routes.CHATS, title=t("Chats · practice"), on_load=[AppState.require_login, S.load])

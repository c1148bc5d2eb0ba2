"""The task list: my work or everyone's, by status; a panel per task for subtasks and comments."""
import reflex as rx

from practice import routes
from practice.components.i18n import as_written, t, tn
from practice.components.layout import empty_state, error_callout, page
from practice.pages.time_entries import idle_dialog
from practice.pages.work_parts import field, status_badge, status_select, task_actions, task_edit_dialogs
from practice.state.base import AppState
from practice.state.tasks import TasksState
from practice.state.work_views import NONE, STATUS_FILTERS


def new_task_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            error_callout(TasksState.form_error),
            field(t("Task"), rx.input(name="title", id="new-task-title", required=True, width="100%",
                                      placeholder=t("What needs doing?"))),
            rx.hstack(
                field(t("Assignee"), rx.select.root(
                    rx.select.trigger(id="new-task-assignee", width="100%"),
                    rx.select.content(rx.select.item(t("Nobody yet"), value=NONE),
                                      rx.foreach(TasksState.member_options,
                                                 lambda o: rx.select.item(o.label, value=o.value, custom_attrs=as_written()))),
                    name="assignee", value=TasksState.new_assignee, on_change=TasksState.choose_new_assignee)),
                field(t("Due date"), rx.input(name="due_date", type="date", id="new-task-due", width="100%")),
                field(t("Job (optional)"), rx.select.root(
                    rx.select.trigger(id="new-task-job", width="100%"),
                    rx.select.content(rx.select.item(t("No job"), value=NONE),
                                      rx.foreach(TasksState.job_options,
                                                 lambda o: rx.select.item(o.label, value=o.value, custom_attrs=as_written()))),
                    name="job", default_value=NONE)),
                width="100%", wrap="wrap",
            ),
            rx.button(t("Create task"), type="submit", id="create-task"),
            width="100%", align="start", spacing="2",
        ),
        key=TasksState.form_key, on_submit=TasksState.create, reset_on_submit=False, width="100%",
    )


def filters() -> rx.Component:
    return rx.hstack(
        rx.segmented_control.root(
            rx.segmented_control.item(t("Mine"), value="mine", id="tasks-mine"),
            rx.segmented_control.item(t("All"), value="all", id="tasks-all"),
            value=TasksState.scope, on_change=TasksState.set_scope, aria_label=t("Whose tasks"),
        ),
        rx.select.root(
            rx.select.trigger(id="task-status-filter", aria_label=t("Status filter")),
            rx.select.content(*[rx.select.item(t(label), value=value) for value, label in STATUS_FILTERS]),
            value=TasksState.status_filter, on_change=TasksState.set_status_filter,
        ),
        rx.text(tn("{n} task", "{n} tasks", TasksState.rows.length()), size="2", color_scheme="gray"),
        wrap="wrap", align="center",
    )


def task_timer(task) -> rx.Component:
    """Start a timer on the task (one on an account; for members who track time), or stop the one running on it."""
    return rx.cond(
        TasksState.tracks_time & (task.account != ""),
        rx.cond(TasksState.timer_task == task.id,
                rx.icon_button(rx.icon("square", size=14), size="1", variant="soft", color_scheme="red",
                               aria_label=t("Stop the timer on {name}", name=task.title), on_click=TasksState.stop_timer,
                               class_name="task-timer-stop"),
                rx.icon_button(rx.icon("play", size=14), size="1", variant="ghost",
                               aria_label=t("Start a timer on {name}", name=task.title),
                               on_click=TasksState.start_task_timer(task.id), class_name="task-timer-start")))


def task_row(task) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.button(rx.cond(task.is_subtask, "↳ ", ""), task.title, on_click=TasksState.open_detail(task.id),
                      variant="ghost", size="2", color_scheme="gray", high_contrast=True, class_name="task-title",
                      style={"textAlign": "left", "height": "auto", "whiteSpace": "normal"}, custom_attrs=as_written()),
            rx.hstack(
                rx.cond(task.account != "", rx.link(task.account, href=task.account_href, size="1",
                                                    custom_attrs=as_written())),
                rx.cond(task.job != "", rx.link(task.job, href=task.job_href, size="1", custom_attrs=as_written())),
                rx.text(task.assignee, size="1", color_scheme="gray", custom_attrs=as_written()),
                rx.cond(task.due != "", rx.text(t("due {date}", date=task.due), size="1",
                                                color=rx.cond(task.overdue, "red", "gray"),
                                                weight=rx.cond(task.overdue, "bold", "regular"))),
                rx.cond(TasksState.timer_task == task.id,
                        rx.badge(rx.icon("timer", size=12), t("Timer running"), size="1", color_scheme="green",
                                 class_name="task-timer-running")),
                wrap="wrap", spacing="2",
            ),
            spacing="1", min_width="0", flex="1",
        ),
        task_timer(task),
        status_select(task.status, lambda v: TasksState.set_status(task.id, v)),
        task_actions(TasksState, task),
        width="100%", align="center", padding="0.5em", class_name="task-row",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def detail_panel() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(TasksState.detail_title, custom_attrs=as_written()),
            rx.vstack(
                rx.hstack(status_badge(TasksState.detail_status, TasksState.detail_status_label), align="center"),
                rx.cond(TasksState.detail_description != "", rx.text(TasksState.detail_description, size="2", custom_attrs=as_written())),
                error_callout(TasksState.detail_error),
                rx.heading(t("Subtasks"), size="3"),
                rx.cond(TasksState.subtasks.length() > 0,
                        rx.vstack(rx.foreach(TasksState.subtasks, lambda s: rx.hstack(
                            rx.text(s.title, size="2", custom_attrs=as_written()), rx.spacer(),
                            status_select(s.status, lambda v: TasksState.set_status(s.id, v)),
                            width="100%", align="center", class_name="subtask")), width="100%"),
                        rx.text(t("No subtasks. Break the work into steps below."), size="2", color_scheme="gray")),
                rx.form(
                    rx.hstack(rx.input(name="title", placeholder=t("New subtask"), id="subtask-title", required=True,
                                       flex="1", aria_label=t("New subtask")),
                              rx.button(t("Add subtask"), type="submit", id="add-subtask"), width="100%"),
                    key=TasksState.subtask_key, on_submit=TasksState.add_subtask, reset_on_submit=False,
                    width="100%"),
                rx.heading(t("Comments"), size="3"),
                rx.cond(TasksState.comments.length() > 0,
                        rx.vstack(rx.foreach(TasksState.comments, lambda c: rx.vstack(
                            rx.text(c.body, size="2", white_space="pre-wrap", custom_attrs=as_written()),
                            rx.text(rx.el.span(c.who, custom_attrs=as_written()), " · ", rx.el.span(c.at, title=c.exact),
                                    size="1", color_scheme="gray"),
                            spacing="0", class_name="comment")), width="100%"),
                        rx.text(t("No comments yet."), size="2", color_scheme="gray")),
                rx.form(
                    rx.vstack(rx.text_area(name="body", placeholder=t("Write a comment"), id="comment-body",
                                           width="100%", aria_label=t("Comment")),
                              rx.button(t("Post comment"), type="submit", id="post-comment"), align="end", width="100%"),
                    key=TasksState.comment_key, on_submit=TasksState.add_comment, reset_on_submit=False,
                    width="100%"),
                rx.hstack(rx.dialog.close(rx.button(t("Close"), variant="soft", color_scheme="gray")), justify="end",
                          width="100%"),
                width="100%", spacing="3",
            ),
            max_width="560px",
        ),
        open=TasksState.detail_id > 0, on_open_change=TasksState.set_detail_open,
    )


def tasks_page() -> rx.Component:
    return page(
        t("Tasks"),
        error_callout(TasksState.error),
        filters(),
        rx.cond(
            TasksState.rows.length() > 0,
            rx.vstack(rx.foreach(TasksState.rows, task_row), width="100%", spacing="0", id="task-list"),
            rx.cond(TasksState.mine,
                    empty_state(t("Nothing here for you with this filter. Create a task below, look at everyone's "
                                  "tasks under All, or choose another status."),
                                rx.link(t("Go to the board"), href=routes.BOARD)),
                    empty_state(t("No tasks match this filter. Create one below or choose another status."))),
        ),
        rx.card(rx.vstack(rx.heading(t("New task"), size="4"), new_task_form(), width="100%"), width="100%"),
        detail_panel(),
        task_edit_dialogs(TasksState),
        idle_dialog(TasksState),
    )


def register(app: rx.App) -> None:
    app.add_page(tasks_page, route=routes.TASKS, title=t("Tasks · practice"),
                 on_load=[AppState.require_login, TasksState.load])

"""The task list: my work or everyone's, by status; a panel per task for subtasks and comments."""
import reflex as rx

from practice import routes
from practice.components.layout import empty_state, error_callout, page
from practice.pages.work_parts import field, status_badge, status_select, task_actions, task_edit_dialogs
from practice.state.base import AppState
from practice.state.tasks import TasksState
from practice.state.work_views import NONE, STATUS_FILTERS


def new_task_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            error_callout(TasksState.form_error),
            field("Task", rx.input(name="title", id="new-task-title", required=True, width="100%",
                                   placeholder="What needs doing?")),
            rx.hstack(
                field("Assignee", rx.select.root(
                    rx.select.trigger(id="new-task-assignee", width="100%"),
                    rx.select.content(rx.select.item("Nobody yet", value=NONE),
                                      rx.foreach(TasksState.member_options,
                                                 lambda o: rx.select.item(o.label, value=o.value))),
                    name="assignee", default_value=TasksState.my_member)),
                field("Due date", rx.input(name="due_date", type="date", id="new-task-due", width="100%")),
                field("Job (optional)", rx.select.root(
                    rx.select.trigger(id="new-task-job", width="100%"),
                    rx.select.content(rx.select.item("No job", value=NONE),
                                      rx.foreach(TasksState.job_options,
                                                 lambda o: rx.select.item(o.label, value=o.value))),
                    name="job", default_value=NONE)),
                width="100%", wrap="wrap",
            ),
            rx.button("Create task", type="submit", id="create-task"),
            width="100%", align="start", spacing="2",
        ),
        key=TasksState.form_key, on_submit=TasksState.create, reset_on_submit=False, width="100%",
    )


def filters() -> rx.Component:
    return rx.hstack(
        rx.segmented_control.root(
            rx.segmented_control.item("Mine", value="mine", id="tasks-mine"),
            rx.segmented_control.item("All", value="all", id="tasks-all"),
            value=TasksState.scope, on_change=TasksState.set_scope, aria_label="Whose tasks",
        ),
        rx.select.root(
            rx.select.trigger(id="task-status-filter", aria_label="Status filter"),
            rx.select.content(*[rx.select.item(label, value=value) for value, label in STATUS_FILTERS]),
            value=TasksState.status_filter, on_change=TasksState.set_status_filter,
        ),
        rx.text(TasksState.rows.length(), " tasks", size="2", color_scheme="gray"),
        wrap="wrap", align="center",
    )


def task_row(t) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.button(rx.cond(t.is_subtask, "↳ ", ""), t.title, on_click=TasksState.open_detail(t.id),
                      variant="ghost", size="2", color_scheme="gray", high_contrast=True, class_name="task-title",
                      style={"textAlign": "left", "height": "auto", "whiteSpace": "normal"}),
            rx.hstack(
                rx.cond(t.account != "", rx.link(t.account, href=t.account_href, size="1")),
                rx.cond(t.job != "", rx.link(t.job, href=t.job_href, size="1")),
                rx.text(t.assignee, size="1", color_scheme="gray"),
                rx.cond(t.due != "", rx.text("due ", t.due, size="1", color=rx.cond(t.overdue, "red", "gray"),
                                             weight=rx.cond(t.overdue, "bold", "regular"))),
                wrap="wrap", spacing="2",
            ),
            spacing="1", min_width="0", flex="1",
        ),
        status_select(t.status, lambda v: TasksState.set_status(t.id, v)),
        task_actions(TasksState, t),
        width="100%", align="center", padding="0.5em", class_name="task-row",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def detail_panel() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(TasksState.detail_title),
            rx.vstack(
                rx.hstack(status_badge(TasksState.detail_status, TasksState.detail_status_label), align="center"),
                rx.cond(TasksState.detail_description != "", rx.text(TasksState.detail_description, size="2")),
                error_callout(TasksState.detail_error),
                rx.heading("Subtasks", size="3"),
                rx.cond(TasksState.subtasks.length() > 0,
                        rx.vstack(rx.foreach(TasksState.subtasks, lambda s: rx.hstack(
                            rx.text(s.title, size="2"), rx.spacer(),
                            status_select(s.status, lambda v: TasksState.set_status(s.id, v)),
                            width="100%", align="center", class_name="subtask")), width="100%"),
                        rx.text("No subtasks. Break the work into steps below.", size="2", color_scheme="gray")),
                rx.form(
                    rx.hstack(rx.input(name="title", placeholder="New subtask", id="subtask-title", required=True,
                                       flex="1", aria_label="New subtask"),
                              rx.button("Add subtask", type="submit", id="add-subtask"), width="100%"),
                    key=TasksState.subtask_key, on_submit=TasksState.add_subtask, reset_on_submit=False,
                    width="100%"),
                rx.heading("Comments", size="3"),
                rx.cond(TasksState.comments.length() > 0,
                        rx.vstack(rx.foreach(TasksState.comments, lambda c: rx.vstack(
                            rx.text(c.body, size="2", white_space="pre-wrap"),
                            rx.text(c.who, " · ", rx.el.span(c.at, title=c.exact), size="1", color_scheme="gray"),
                            spacing="0", class_name="comment")), width="100%"),
                        rx.text("No comments yet.", size="2", color_scheme="gray")),
                rx.form(
                    rx.vstack(rx.text_area(name="body", placeholder="Write a comment", id="comment-body",
                                           width="100%", aria_label="Comment"),
                              rx.button("Post comment", type="submit", id="post-comment"), align="end", width="100%"),
                    key=TasksState.comment_key, on_submit=TasksState.add_comment, reset_on_submit=False,
                    width="100%"),
                rx.hstack(rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")), justify="end",
                          width="100%"),
                width="100%", spacing="3",
            ),
            max_width="560px",
        ),
        open=TasksState.detail_id > 0, on_open_change=TasksState.set_detail_open,
    )


def tasks_page() -> rx.Component:
    return page(
        "Tasks",
        error_callout(TasksState.error),
        filters(),
        rx.cond(
            TasksState.rows.length() > 0,
            rx.vstack(rx.foreach(TasksState.rows, task_row), width="100%", spacing="0", id="task-list"),
            rx.cond(TasksState.mine,
                    empty_state("Nothing here for you with this filter. Create a task below, look at everyone's "
                                "tasks under All, or choose another status.",
                                rx.link("Go to the board", href=routes.BOARD)),
                    empty_state("No tasks match this filter. Create one below or choose another status.")),
        ),
        rx.card(rx.vstack(rx.heading("New task", size="4"), new_task_form(), width="100%"), width="100%"),
        detail_panel(),
        task_edit_dialogs(TasksState),
    )


def register(app: rx.App) -> None:
    app.add_page(tasks_page, route=routes.TASKS, title="Tasks · practice",
                 on_load=[AppState.require_login, TasksState.load])

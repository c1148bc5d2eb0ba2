"""Home: what do I do today. My tasks due today and overdue, the jobs waiting on the client, what clients did lately;
each line links to its page, and each empty list says what to do next."""
import reflex as rx

from practice import routes
from practice.components.i18n import t
from practice.components.layout import empty_state, error_callout, page
from practice.state.base import AppState
from practice.state.home import HomeActivity, HomeState, HomeTask, HomeWaiting

H = HomeState


def section(title: rx.Var, id_: str, *children: rx.Component) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4"), *children, spacing="3", width="100%", min_width="0"),
                   width="100%", min_width="0", id=id_)


def row(*children: rx.Component, class_name: str) -> rx.Component:
    return rx.vstack(*children, spacing="1", width="100%", min_width="0", padding_y="0.5em",
                     border_bottom=f"1px solid {rx.color('gray', 4)}", class_name=class_name)


def links(*pairs) -> rx.Component:
    return rx.flex(*[rx.cond(href != "", rx.link(text, href=href, size="1")) for text, href in pairs],
                   spacing="3", wrap="wrap")


def task_row(task: HomeTask) -> rx.Component:
    return row(
        rx.flex(rx.link(task.title, href=task.href, weight="medium", class_name="home-task", min_width="0",
                        style={"overflow_wrap": "anywhere"}),
                rx.badge(task.due, color_scheme=rx.cond(task.overdue, "red", "amber"), variant="soft", size="1"),
                spacing="2", align="center", wrap="wrap"),
        links((task.job, task.job_href), (task.account, task.account_href)),
        class_name="home-task-row",
    )


def tasks_section() -> rx.Component:
    return section(
        t("My tasks for today"), "home-tasks",
        rx.cond(H.tasks.length() > 0,
                rx.vstack(rx.cond(H.overdue > 0, rx.text(t("{count} overdue: start with those.", count=H.overdue), size="2",
                                                          color_scheme="red")),
                          rx.foreach(H.tasks, task_row), spacing="0", width="100%"),
                empty_state(t("Nothing due today or overdue. Plan ahead on your task list, or pick up a job from the "
                              "board."), rx.link(t("Open my tasks"), href=routes.TASKS),
                            rx.link(t("Open the board"), href=routes.BOARD))),
        rx.link(t("All my open tasks ({count})", count=H.open_tasks), href=routes.TASKS, size="2", id="home-all-tasks"),
    )


def waiting_row(w: HomeWaiting) -> rx.Component:
    return row(
        # Sent outside any job: the account is the heading.
        rx.cond(w.job_href != "",
                rx.link(w.job, href=w.job_href, weight="medium", class_name="home-waiting-job"),
                rx.link(w.account, href=w.account_href, weight="medium", class_name="home-waiting-account")),
        rx.text(w.waiting_for, size="2", style={"overflow_wrap": "anywhere"}),
        rx.flex(rx.cond(w.job_href != "", rx.link(w.account, href=w.account_href, size="1")),
                rx.text(w.since, size="1", color_scheme="gray"), spacing="3", wrap="wrap"),
        class_name="home-waiting-row",
    )


def waiting_section() -> rx.Component:
    return section(
        t("Waiting on the client"), "home-waiting",
        rx.cond(H.waiting.length() > 0,
                rx.vstack(rx.foreach(H.waiting, waiting_row),
                          rx.cond(H.waiting_more > 0, rx.text(t("and {count} more, each on its job's page.",
                                                                count=H.waiting_more), size="2", color_scheme="gray")),
                          spacing="0", width="100%"),
                empty_state(t("No job is waiting on a client. From a job's page, ask the client for documents "
                              "(client tasks), a signature or an approval; from an account, send a proposal."),
                            rx.link(t("Open the board"), href=routes.BOARD))),
    )


def activity_row(a: HomeActivity) -> rx.Component:
    return row(
        rx.link(a.text, href=a.href, size="2", class_name="home-activity", style={"overflow_wrap": "anywhere"}),
        rx.flex(rx.text(a.account, size="1", color_scheme="gray"), rx.text(a.when, size="1", color_scheme="gray", title=a.exact),
                spacing="3", wrap="wrap"),
        class_name="home-activity-row",
    )


def activity_section() -> rx.Component:
    return section(
        t("Recent client activity"), "home-activity",
        rx.cond(H.activity.length() > 0,
                rx.vstack(rx.foreach(H.activity, activity_row), spacing="0", width="100%"),
                empty_state(t("Nothing from clients yet. What they upload, sign or approve in the portal shows here. "
                              "Give a contact portal access from their account's page."),
                            rx.link(t("Open the accounts"), href=routes.ACCOUNTS))),
    )


def home_page() -> rx.Component:
    return page(
        t("Home"),
        rx.text(t("Welcome back, {name}.", name=AppState.member_name), " ", H.today_label, size="2",
                color_scheme="gray"),
        error_callout(H.error),
        rx.cond(H.loaded,
                rx.vstack(tasks_section(),
                          rx.grid(waiting_section(), activity_section(),
                                  columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%"),
                          spacing="4", width="100%"),
                rx.center(rx.spinner(), width="100%", padding="2em")),
    )


def register(app: rx.App) -> None:
    app.add_page(home_page, route=routes.HOME, title=t("practice"), on_load=[AppState.require_login, HomeState.load])

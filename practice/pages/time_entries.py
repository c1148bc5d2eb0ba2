"""The Time page: the running timer (stop, with the idle question), a timer or time written down for an account, the
entries with their amounts, and the work in progress for those who see billing."""
import reflex as rx

from practice import routes
from practice.components.forms import label, native_select
from practice.components.i18n import as_written, t
from practice.components.layout import empty_state, error_callout, page
from practice.pages.billing import account_chooser
from practice.state.base import AppState
from practice.state.time_entries import EntryItem, JobTimerState as J, TimeState as S, WipItem


def timer_card() -> rx.Component:
    return rx.cond(
        S.timer_running,
        rx.callout(rx.flex(
            rx.text(t("Timer running on {on} since {since}", on=S.timer_on, since=S.timer_since), id="timer-running",
                    weight="medium"),
            rx.button(rx.icon("square", size=14), t("Stop timer"), on_click=S.stop_timer, color_scheme="red",
                      id="stop-timer", size="2"),
            spacing="3", align="center", wrap="wrap", justify="between", width="100%"),
            icon="timer", color_scheme="green", width="100%"),
        rx.text(t("No timer is running."), size="2", color_scheme="gray", id="timer-idle"))


def idle_dialog(state=S) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("Count the idle time?")),
            rx.alert_dialog.description(state.idle_question, id="idle-question"),
            rx.flex(rx.button(t("Count only up to the limit"), on_click=state.count_idle(False), variant="soft",
                              id="idle-drop"),
                    rx.button(t("Count all of it"), on_click=state.count_idle(True), id="idle-keep"),
                    spacing="3", justify="end", wrap="wrap", margin_top="1em")),
        open=state.idle_open, on_open_change=state.set_idle_open)


def entry_form() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t("Track time"), size="3"),
        rx.text(t("Account"), size="2", weight="medium"),
        rx.cond(S.account_id != "",
                rx.hstack(rx.badge(S.account_name, size="2", custom_attrs=as_written(), id="time-account"),
                          rx.button(t("All accounts"), size="1", variant="ghost", on_click=S.clear_account,
                                    id="time-clear-account"), align="center"),
                account_chooser(S, "time-account-search")),
        error_callout(S.form_error),
        rx.form(rx.vstack(
            rx.flex(
                rx.vstack(label(t("Day"), "time-day"),
                          rx.input(type="date", name="work_date", id="time-day", default_value=S.today), spacing="1"),
                rx.vstack(label(t("Duration (1:30 or 1.5)"), "time-duration"),
                          rx.input(name="duration", id="time-duration", input_mode="decimal", width="8em"),
                          spacing="1"),
                rx.vstack(label(t("Service"), "time-service"),
                          native_select(S.service_options, name="service_id", id="time-service",
                                        first=("", t("No service"))), spacing="1"),
                spacing="3", wrap="wrap", align="end"),
            label(t("Note"), "time-note"),
            rx.input(name="note", id="time-note", width="100%"),
            rx.hstack(rx.el.input(type="checkbox", name="billable", id="time-billable", default_checked=True),
                      rx.text(t("Billable"), as_="label", html_for="time-billable", size="2"), align="center"),
            rx.flex(rx.button(t("Add time"), type="submit", id="add-time"),
                    rx.button(rx.icon("play", size=14), t("Start timer"), type="button", variant="soft",
                              on_click=S.start_timer, id="start-timer"),
                    spacing="3", wrap="wrap"),
            spacing="2", width="100%"),
            on_submit=S.add_entry, reset_on_submit=False, key=S.form_key),
        spacing="2", width="100%"), width="100%")


def entry_row(item: EntryItem) -> rx.Component:
    return rx.flex(
        rx.vstack(rx.text(item.account, weight="medium", custom_attrs=as_written()),
                  rx.text(item.details, size="1", color_scheme="gray", custom_attrs=as_written()),
                  rx.cond(item.note != "", rx.text(item.note, size="1", custom_attrs=as_written())),
                  spacing="0", flex="1", min_width="12em"),
        rx.cond(item.billed != "", rx.badge(item.billed, size="1", color_scheme="green"),
                rx.cond(~item.billable, rx.badge(t("Not billable"), size="1", color_scheme="gray"))),
        rx.vstack(rx.text(item.duration, weight="medium", class_name="time-duration"),
                  rx.text(item.amount, size="1", color_scheme="gray"), spacing="0", align="end"),
        rx.cond(item.may_delete, rx.icon_button(rx.icon("trash-2", size=14), size="1", variant="ghost",
                                                color_scheme="gray", aria_label=t("Delete this time"),
                                                on_click=S.delete_entry(item.id), class_name="time-delete")),
        spacing="3", align="center", wrap="wrap", width="100%", class_name="time-row",
        padding_y="0.6em", border_bottom=f"1px solid {rx.color('gray', 4)}")


def wip_row(item: WipItem) -> rx.Component:
    return rx.hstack(rx.text(item.account, custom_attrs=as_written()),
                     rx.text(item.job, size="1", color_scheme="gray", custom_attrs=as_written()), rx.spacer(),
                     rx.text(item.duration, size="2"), rx.text(item.amount, size="2", weight="medium"),
                     rx.cond(S.manages_billing, rx.button(t("Bill"), size="1", variant="soft", class_name="wip-bill",
                                                          on_click=S.bill_work(item.key))),
                     width="100%", class_name="wip-row", wrap="wrap", align="center")


def wip_card() -> rx.Component:
    return rx.cond(S.sees_wip, rx.card(rx.vstack(
        rx.hstack(rx.heading(t("Work in progress"), size="3"), rx.spacer(),
                  rx.text(S.wip_total, weight="bold", id="wip-total"), width="100%"),
        rx.text(t("Unbilled billable time, at the rate it would be billed."), size="1", color_scheme="gray"),
        rx.cond(S.wip_rows.length() > 0, rx.vstack(rx.foreach(S.wip_rows, wip_row), spacing="1", width="100%"),
                rx.text(t("Nothing left to bill."), size="2", color_scheme="gray")),
        spacing="2", width="100%"), width="100%"))


def time_page() -> rx.Component:
    return page(
        t("Time"),
        timer_card(),
        error_callout(S.error),
        entry_form(),
        wip_card(),
        rx.cond(S.rows.length() > 0, rx.vstack(rx.foreach(S.rows, entry_row), spacing="0", width="100%",
                                               id="time-list"),
                empty_state(t("No time written down yet. Choose an account, then add time or start a timer."))),
        idle_dialog(),
    )


def register(app: rx.App) -> None:
    app.add_page(time_page, route=routes.TIME, title=t("Time · practice"),
                 on_load=[AppState.require_login, S.load])


def job_timer() -> rx.Component:
    """The timer on a job's page (members who track time): start it here, or stop it, with the time it started."""
    return rx.cond(J.tracks, rx.vstack(
        rx.cond(J.here,
                rx.hstack(rx.badge(rx.icon("timer", size=12), t("Timer since {since}", since=J.since),
                                   color_scheme="green", id="job-timer-since"),
                          rx.button(rx.icon("square", size=14), t("Stop timer"), size="2", color_scheme="red",
                                    on_click=J.stop_timer, id="job-stop-timer"), align="center"),
                rx.button(rx.icon("play", size=14), t("Start timer"), size="2", variant="soft", on_click=J.start,
                          id="job-start-timer")),
        rx.cond(J.elsewhere != "", rx.text(t("Starting it stops the timer on {on}.", on=J.elsewhere), size="1",
                                           color_scheme="gray", custom_attrs=as_written())),
        error_callout(J.error),
        idle_dialog(J),
        spacing="1", align="end"))

"""The Time page: the running timer (stop, with the idle question), a timer or time written down for an account, the
entries with their amounts, and the work in progress for those who see billing."""
import reflex as rx

from practice import routes
from practice.components.corrections import delete_dialog, edit_dialog
from practice.components.forms import label, native_select
from practice.components.i18n import as_written, t
from practice.components.layout import empty_state, error_callout, page
from practice.pages.billing import account_chooser
from practice.pages.work_parts import field
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
        rx.cond(item.billed != "", rx.badge(rx.icon("lock", size=12), item.billed, size="1", color_scheme="green",
                                            class_name="time-billed"),
                rx.cond(~item.billable, rx.badge(t("Not billable"), size="1", color_scheme="gray"))),
        rx.vstack(rx.text(item.duration, weight="medium", class_name="time-duration"),
                  rx.text(item.amount, size="1", color_scheme="gray"), spacing="0", align="end"),
        rx.cond(item.may_change, rx.hstack(
            rx.cond(~item.running, rx.icon_button(rx.icon("pencil", size=14), size="1", variant="ghost",
                                                  aria_label=t("Edit this time"), on_click=S.edit_entry(item.id),
                                                  class_name="time-edit")),
            rx.icon_button(rx.icon("trash-2", size=14), size="1", variant="ghost", color_scheme="red",
                           aria_label=t("Delete this time"), on_click=S.ask_delete_entry(item.id),
                           class_name="time-delete"),
            spacing="1")),
        spacing="3", align="center", wrap="wrap", width="100%", class_name="time-row",
        padding_y="0.6em", border_bottom=f"1px solid {rx.color('gray', 4)}")


def entry_dialogs() -> rx.Component:
    """Correcting an entry (day, duration, service, billable, note) and the confirmation before deleting one."""
    f = S.entry_edit
    editor = edit_dialog(
        t("Edit time"),
        rx.text(f.where, size="2", color_scheme="gray", custom_attrs=as_written()),
        rx.hstack(
            field(t("Day"), rx.input(type="date", name="work_date", id="edit-time-day", default_value=f.work_date,
                                     width="100%")),
            field(t("Duration (1:30 or 1.5)"), rx.input(name="duration", id="edit-time-duration", input_mode="decimal",
                                                        default_value=f.duration, auto_focus=True, width="100%")),
            width="100%", wrap="wrap"),
        field(t("Service"), native_select(S.service_options, name="service_id", id="edit-time-service",
                                          default_value=f.service_id, first=("", t("No service")))),
        field(t("Note"), rx.input(name="note", id="edit-time-note", default_value=f.note, width="100%")),
        rx.hstack(rx.el.input(type="checkbox", name="billable", id="edit-time-billable", default_checked=f.billable),
                  rx.text(t("Billable"), as_="label", html_for="edit-time-billable", size="2"), align="center"),
        open=f.id > 0, on_open_change=S.set_entry_edit_open, on_submit=S.save_entry, error=S.entry_edit_error,
        key="time-" + f.id.to_string(), submit_id="save-time-edit", submit=t("Save time"), dialog_id="edit-time-dialog")
    remover = delete_dialog(t("Delete this time?"), S.entry_delete_text, blocked=False, open=S.entry_delete_id > 0,
                            on_open_change=S.set_entry_delete_open, on_confirm=S.confirm_delete_entry,
                            confirm_id="confirm-delete-time", confirm=t("Delete time"))
    return rx.fragment(editor, remover)


def list_bar() -> rx.Component:
    """Whose time is listed (for those who see others'), and the total of what is listed."""
    return rx.flex(
        rx.cond(S.member_options.length() > 0, rx.hstack(
            label(t("Whose time"), "time-member"),
            native_select(S.member_options, name="member", id="time-member", first=("", t("Everyone")),
                          value=S.member_id, on_change=S.choose_member),
            align="center", spacing="2")),
        rx.spacer(),
        rx.text(S.total, id="time-total", weight="medium"),
        spacing="3", align="center", wrap="wrap", width="100%")


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
        list_bar(),
        rx.cond(S.rows.length() > 0, rx.vstack(rx.foreach(S.rows, entry_row), spacing="0", width="100%",
                                               id="time-list"),
                rx.cond((S.account_id != "") | (S.member_id != ""),
                        empty_state(t("No time matches these filters. Choose All accounts or Everyone to see more, "
                                      "or add time above.")),
                        empty_state(t("No time written down yet. Choose an account, then add time or start a "
                                      "timer.")))),
        idle_dialog(),
        entry_dialogs(),
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

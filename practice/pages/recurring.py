"""Automations: recurring jobs (a form that writes a rule, previewed live) and the run log with retry."""
import reflex as rx

from practice import routes
from practice.components.forms import label, native_select, static_select
from practice.components.i18n import as_written, t
from practice.components.layout import AUTOMATION_TABS, empty_state, error_callout, page, section_tabs
from practice.pages.email import admins_only
from practice.services.automation.recurrence import (ACCOUNT_CHOICES, DUE_UNIT_NAMES, FREQUENCIES, MONTH_NAMES,
                                                     WEEKDAY_NAMES)
from practice.services.work.accounts import ACCOUNT_TYPE_NAMES
from practice.state import page_access
from practice.state.base import AppState
from practice.state.recurring import STATUS_LABELS, RecurringItem, RecurringState, RunItem, RunLogState, TraceLine

RUNS_ADMINS_ONLY = page_access.sentence(routes.RUNS)


def automation_links(current: str) -> rx.Component:
    """The Automations area's tabs: Rules, Recurring jobs, Run log."""
    return section_tabs(AUTOMATION_TABS, current, "automations", t("Automations"))


# --- recurring jobs ---------------------------------------------------------------------------------

S = RecurringState
TYPED = {"name": S.set_name, "job_name": S.set_job_name, "at": S.set_at, "due_amount": S.set_due_amount}
JOB_NAME_PLACEHOLDERS = "{{ month }}, {{ year }}, {{ quarter }}, {{ today }}, {{ account.name }}"
DAY_CHOICES = [(str(d), str(d)) for d in range(1, 32)]


def change(name: str):
    return lambda value: S.set_field(name, value)


def field_box(text: str, id_: str, control: rx.Component) -> rx.Component:
    return rx.vstack(label(text, id_), control, spacing="1", width="100%")


def text_field(text: str, name: str, **props) -> rx.Component:
    id_ = f"recurring-{name.replace('_', '-')}"
    # Uncontrolled, so typing stays smooth; the preview follows a moment later.
    return field_box(text, id_, rx.input(id=id_, name=name, default_value=S.form[name],
                                         on_change=TYPED[name].debounce(300),
                                         width="100%", **props))


def choice(text: str, name: str, choices: list[tuple[str, str]]) -> rx.Component:
    id_ = f"recurring-{name.replace('_', '-')}"
    return field_box(text, id_, static_select(choices, name=name, id=id_, value=S.form[name],
                                              on_change=change(name)))


def when_fields() -> rx.Component:
    freq = S.form["frequency"]
    day_choices = DAY_CHOICES + [("0", t("the last day"))]
    return rx.grid(
        choice(t("How often"), "frequency", [(k, t(v)) for k, v in FREQUENCIES.items()]),
        rx.cond((freq == "weekly") | (freq == "biweekly"),
                choice(t("Day of the week"), "weekday", [(d, t(n)) for d, n in WEEKDAY_NAMES.items()])),
        rx.cond(freq == "yearly", choice(t("Month"), "month", [(m, t(n)) for m, n in MONTH_NAMES.items()])),
        rx.cond((freq == "monthly") | (freq == "quarterly"), choice(t("Day"), "day", day_choices)),
        rx.cond(freq == "yearly", choice(t("Day"), "day", DAY_CHOICES)),
        text_field(t("Time (HH:MM, optional)"), "at", placeholder="08:00", input_mode="numeric"),
        columns=rx.breakpoints(initial="1", sm="2", md="4"), spacing="3", width="100%",
    )


def accounts_fields() -> rx.Component:
    who = S.form["accounts"]
    return rx.grid(
        choice(t("Which accounts"), "accounts", [(k, t(v)) for k, v in ACCOUNT_CHOICES.items()]),
        rx.cond(who == "tag", field_box(t("Tag"), "recurring-tag", native_select(
            S.tag_options, name="tag", id="recurring-tag", value=S.form["tag"], on_change=change("tag"),
            first=("", t("Choose a tag"))))),
        rx.cond(who == "type", choice(t("Type"), "account_type", [(k, t(v)) for k, v in ACCOUNT_TYPE_NAMES.items()])),
        text_field(t("Due in (optional)"), "due_amount", placeholder="5", input_mode="numeric"),
        choice(t("Unit"), "due_unit", [(u, t(n)) for u, n in DUE_UNIT_NAMES.items()]),
        columns=rx.breakpoints(initial="1", sm="2", md="4"), spacing="3", width="100%",
    )


def preview_box() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Preview"), size="3"),
        rx.cond(S.problems.length() > 0, rx.callout(
            rx.vstack(rx.foreach(S.problems, lambda p: rx.text(p, size="2")), spacing="1"),
            icon="triangle-alert", color_scheme="amber", width="100%", id="recurring-problems", role="status")),
        rx.cond(S.preview_text != "", rx.vstack(
            rx.text(t("The rule it writes into the firm's rules:"), size="2", color_scheme="gray"),
            rx.el.pre(S.preview_text, id="recurring-preview-text", custom_attrs=as_written(),
                      style={"white_space": "pre-wrap", "font_size": "13px", "padding": "0.75em", "margin": "0",
                             "border_radius": "6px", "background": rx.color("gray", 3), "width": "100%"}),
            spacing="1", width="100%")),
        rx.cond(S.preview_dates.length() > 0, rx.vstack(
            rx.text(t("The next 12 times it creates the jobs (the firm's time zone):"), size="2", color_scheme="gray"),
            rx.el.ol(rx.foreach(S.preview_dates, lambda d: rx.el.li(d, class_name="recurring-preview-date")),
                     id="recurring-preview-dates",
                     style={"columns": "2", "padding_left": "1.5em", "margin": "0", "font_size": "14px"}),
            spacing="1", width="100%")),
        spacing="2", width="100%", id="recurring-preview",
    )


def recurring_form() -> rx.Component:
    return rx.card(rx.form(
        rx.vstack(
            rx.heading(t("Add a recurring job"), size="4"),
            rx.text(t("Creates a job for each chosen account on a schedule. Saving writes the rule shown below into "
                      "the firm's rules, where it can also be edited by hand."), size="2", color_scheme="gray"),
            error_callout(S.save_error),
            rx.grid(
                text_field(t("Rule name"), "name", placeholder=t("Monthly payroll"), required=True),
                field_box(t("Pipeline"), "recurring-pipeline", native_select(
                    S.pipeline_options, name="pipeline", id="recurring-pipeline", value=S.form["pipeline"],
                    on_change=change("pipeline"))),
                text_field(t("Job name"), "job_name", required=True,
                           placeholder=t("Payroll {month} {year}", month="{{ month }}", year="{{ year }}")),
                columns=rx.breakpoints(initial="1", md="3"), spacing="3", width="100%",
            ),
            rx.text(t("The job name may show {names}.", names=JOB_NAME_PLACEHOLDERS), size="1", color_scheme="gray"),
            when_fields(),
            accounts_fields(),
            preview_box(),
            rx.button(rx.icon("save", size=14), t("Save recurring job"), type="submit", id="recurring-save"),
            spacing="3", width="100%", align="start",
        ),
        on_submit=S.save, reset_on_submit=False, key=S.form_version.to_string(),
    ), width="100%", id="recurring-form")


def recurring_row(item: RecurringItem) -> rx.Component:
    return rx.card(rx.flex(
        rx.vstack(
            rx.text(item.name, weight="bold", size="3", class_name="recurring-name", custom_attrs=as_written()),
            rx.text(rx.code(item.schedule, custom_attrs=as_written()), " · ",
                    rx.el.span(item.pipeline, custom_attrs=as_written()), size="2"),
            rx.text(t("Job:"), " ", rx.code(item.job_name, custom_attrs=as_written()), " · ",
                    rx.cond(item.due != "", rx.code(item.due, custom_attrs=as_written()), t("no due date")), size="2"),
            rx.text(t("For:"), " ", rx.code(item.accounts, custom_attrs=as_written()), size="1", color_scheme="gray"),
            rx.text(t("Next: {dates}", dates=item.next_dates), size="1", class_name="recurring-next"),
            spacing="1", align="start", min_width="0", flex="1",
        ),
        rx.cond(AppState.is_admin, rx.button(
            rx.icon("trash-2", size=14), t("Remove"), variant="soft", color_scheme="red", size="1",
            on_click=S.ask_remove(item.name), aria_label=t("Remove {name}", name=item.name),
            class_name="recurring-remove")),
        direction=rx.breakpoints(initial="column", sm="row"), spacing="3", width="100%", align="start",
    ), width="100%", class_name="recurring-item")


def remove_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("Remove this recurring job?")),
            rx.alert_dialog.description(
                t("\u201c{name}\u201d will be cut from the firm's rules and create no more jobs. "
                  "Jobs it already created stay.",
                  name=S.removing)),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("Keep it"), variant="soft", color_scheme="gray",
                                                 on_click=S.cancel_remove)),
                rx.alert_dialog.action(rx.button(t("Remove"), color_scheme="red", on_click=S.confirm_remove,
                                                 id="recurring-remove-confirm")),
                justify="end", spacing="3", margin_top="1em"),
        ),
        open=S.removing != "",
    )


def recurring_page() -> rx.Component:
    return page(
        t("Recurring jobs"),
        automation_links(routes.RECURRING),
        error_callout(S.error),
        rx.cond(S.items.length() > 0,
                rx.vstack(rx.foreach(S.items, recurring_row), spacing="2", width="100%", id="recurring-list"),
                empty_state(rx.cond(AppState.is_admin,
                                    t("No recurring jobs yet. Add one with the form below."),
                                    t("No recurring jobs yet. An admin can add them here.")))),
        rx.cond(AppState.is_admin, recurring_form(),
                rx.text(t("Only the owner or an admin can add or remove recurring jobs."), size="2",
                        color_scheme="gray")),
        remove_dialog(),
    )


# --- run log ------------------------------------------------------------------------------------------

R = RunLogState


def trace_line(line: TraceLine) -> rx.Component:
    return rx.hstack(
        rx.icon(rx.cond(line.ok, "circle-check", "circle-x"), size=14,
                color=rx.cond(line.ok, rx.color("green", 10), rx.color("red", 10)), flex_shrink="0"),
        rx.vstack(rx.text(line.text, size="2", custom_attrs=as_written()),
                  rx.cond(line.detail != "", rx.text(line.detail, size="1", color_scheme="gray",
                                                     custom_attrs=as_written())),
                  spacing="0", min_width="0"),
        rx.badge(line.status, size="1", variant="surface", color_scheme="gray"),
        spacing="2", align="start", width="100%",
    )


def trace(run: RunItem) -> rx.Component:
    return rx.vstack(
        rx.text(t("Conditions"), weight="bold", size="2"),
        rx.cond(run.conditions.length() > 0, rx.foreach(run.conditions, trace_line),
                rx.text(t("No conditions: the trigger alone starts it."), size="1", color_scheme="gray")),
        rx.text(t("Actions"), weight="bold", size="2"),
        rx.cond(run.actions.length() > 0, rx.foreach(run.actions, trace_line),
                rx.text(t("No actions ran."), size="1", color_scheme="gray")),
        spacing="1", width="100%", padding="0.75em", border_radius="6px", background=rx.color("gray", 2),
        id="run-trace-" + run.id.to_string(),
    )


def run_row(run: RunItem) -> rx.Component:
    return rx.card(rx.vstack(
        rx.flex(
            rx.badge(run.status_label, color_scheme=run.color, variant="soft", class_name="run-status"),
            rx.text(run.rule, weight="bold", size="2", class_name="run-rule", custom_attrs=as_written()),
            rx.text(run.trigger, size="1", color_scheme="gray", custom_attrs=as_written()),
            rx.spacer(),
            rx.text(run.when, size="1", color_scheme="gray"),
            spacing="2", align="center", wrap="wrap", width="100%",
        ),
        rx.flex(
            rx.cond(run.job_href != "", rx.link(run.job_name, href=run.job_href, size="2", custom_attrs=as_written())),
            rx.cond(run.account_href != "", rx.link(run.account_name, href=run.account_href, size="2",
                                                    custom_attrs=as_written())),
            spacing="3", wrap="wrap",
        ),
        rx.cond(run.reason != "", rx.text(run.reason, size="2", color_scheme=rx.cond(
            run.status == "failed", "red", "gray"), class_name="run-reason", custom_attrs=as_written())),
        rx.hstack(
            rx.button(rx.cond(R.open_id == run.id, t("Hide trace"), t("Show trace")), size="1", variant="ghost",
                      on_click=R.toggle_trace(run.id), id="run-toggle-" + run.id.to_string(),
                      custom_attrs={"aria-expanded": R.open_id == run.id}),
            rx.cond(run.status == "failed", rx.button(rx.icon("rotate-ccw", size=14), t("Retry"), size="1",
                                                       on_click=R.retry(run.id),
                                                       id="run-retry-" + run.id.to_string())),
            spacing="3",
        ),
        rx.cond(R.open_id == run.id, trace(run)),
        spacing="2", width="100%",
    ), width="100%", class_name="run-item", id="run-" + run.id.to_string())


def runs_view() -> rx.Component:
    statuses = [("all", t("All"))] + [(k, t(v)) for k, v in STATUS_LABELS.items()]
    return rx.vstack(
        rx.hstack(
            rx.vstack(label(t("Status"), "runs-status"),
                      static_select(statuses, name="status", id="runs-status",
                                    value=rx.cond(R.status_filter == "", "all", R.status_filter),
                                    on_change=R.set_status_filter),
                      spacing="1"),
            rx.button(rx.icon("refresh-cw", size=14), t("Refresh"), on_click=R.refresh, variant="soft",
                      id="runs-refresh"),
            align="end", wrap="wrap", spacing="4",
        ),
        rx.cond(R.retry_outcome != "", rx.callout(
            R.retry_outcome, icon=rx.cond(R.retry_ok, "circle-check", "triangle-alert"),
            color_scheme=rx.cond(R.retry_ok, "green", "red"), width="100%", id="retry-outcome", role="status")),
        error_callout(R.error),
        rx.cond(R.runs.length() > 0,
                rx.vstack(rx.foreach(R.runs, run_row), spacing="2", width="100%", id="runs-list"),
                empty_state(t("No automation runs to show. Runs appear here when a rule's trigger happens "
                              "or a schedule comes due."))),
        spacing="3", width="100%",
    )


def runs_page() -> rx.Component:
    return page(
        t("Run log"),
        automation_links(routes.RUNS),
        admins_only(R.allowed, runs_view(), RUNS_ADMINS_ONLY),
    )


def register(app: rx.App) -> None:
    app.add_page(recurring_page, route=routes.RECURRING, title=t("Recurring jobs · practice"),
                 on_load=[AppState.require_login, RecurringState.load])
    app.add_page(runs_page, route=routes.RUNS, title=t("Run log · practice"),
                 on_load=[AppState.require_login, RunLogState.load])

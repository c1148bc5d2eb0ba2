"""The job page: where the job stands, who works on it, its dates, tasks, what the client signs, and history."""
import reflex as rx

from practice import routes
from practice.components.i18n import as_written, t
from practice.components.layout import empty_state, error_callout, page, tag_badge
from practice.components.corrections import delete_dialog, edit_dialog
from practice.components.custom_fields import custom_values_section
from practice.pages.work_parts import field, history_list, section, status_select, task_actions, task_edit_dialogs
from practice.pages.rules_editor import part_row
from practice.pages.client_requests import client_requests_section
from practice.pages.sent_organizers import organizers_section
from practice.pages.time_entries import job_timer
from practice.state.custom_fields import CustomValuesState
from practice.state.base import AppState
from practice.services.work.jobs import PRIORITY_NAMES
from practice.components.forms import static_select
from practice.state.job import JobState
from practice.state.client_requests import ClientRequestsState
from practice.state.sent_organizers import SentOrganizersState
from practice.state.time_entries import JobTimerState
from practice.state.run_views import ActionItem, RunItem
from practice.state.signatures import STATUS_COLORS as REQUEST_COLORS
from practice.state.work_views import NONE


def option_select(options, placeholder, on_change, id_: str) -> rx.Component:
    """A select that acts at once on choice (and shows its placeholder again afterwards)."""
    return rx.select.root(
        rx.select.trigger(placeholder=placeholder, id=id_, variant="soft"),
        rx.select.content(rx.foreach(options, lambda o: rx.select.item(o.label, value=o.value, custom_attrs=as_written()))),
        value="", on_change=on_change, size="1",
    )


def stage_section() -> rx.Component:
    return section(
        t("Stage"),
        rx.hstack(
            rx.text(JobState.pipeline, size="2", color_scheme="gray", custom_attrs=as_written()),
            rx.el.label(
                rx.text(t("Move to"), size="2"),
                rx.select.root(
                    rx.select.trigger(id="stage-select", aria_label=t("Move to stage"), custom_attrs=as_written()),
                    rx.select.content(rx.foreach(JobState.stage_options,
                                                 lambda o: rx.select.item(o.label, value=o.value, custom_attrs=as_written()))),
                    value=JobState.stage_id, on_change=JobState.move_to, disabled=JobState.archived,
                ),
                style={"display": "flex", "gap": "8px", "alignItems": "center"},
            ),
            wrap="wrap", align="center", spacing="3",
        ),
        rx.cond(JobState.archived, rx.text(t("This job is archived; restore it to move it."), size="2",
                                           color_scheme="amber")),
        id="stage-section",
    )


def people_section() -> rx.Component:
    return section(
        t("Assignees"),
        rx.hstack(
            rx.foreach(JobState.assignees, lambda m: rx.badge(
                rx.el.span(m.label, custom_attrs=as_written()),
                rx.icon_button(rx.icon("x", size=12), size="1", variant="ghost", aria_label=t("Unassign {name}", name=m.label),
                               on_click=JobState.remove_assignee(m.value)),
                size="2", variant="soft")),
            rx.cond(JobState.assignees.length() == 0, rx.text(t("Nobody is assigned."), size="2", color_scheme="gray")),
            rx.cond(JobState.assignee_choices.length() > 0,
                    option_select(JobState.assignee_choices, t("Assign someone"), JobState.add_assignee,
                                  "add-assignee")),
            wrap="wrap", align="center",
        ),
        id="assignees-section",
    )


def details_section() -> rx.Component:
    return section(
        t("Dates and priority"),
        rx.form(
            rx.vstack(
                rx.hstack(
                    field(t("Start date"), rx.input(name="start_date", type="date", default_value=JobState.start_date,
                                                 id="job-start", width="100%")),
                    field(t("Due date"), rx.input(name="due_date", type="date", default_value=JobState.due_date,
                                               id="job-due", width="100%")),
                    field(t("Priority"), static_select([(value, t(name)) for value, name in PRIORITY_NAMES.items()],
                                                       name="priority", default_value=JobState.priority,
                                                       id="job-priority")),
                    width="100%", wrap="wrap",
                ),
                rx.button(t("Save dates and priority"), type="submit", id="save-job-details"),
                width="100%", align="start",
            ),
            key=JobState.form_key, on_submit=JobState.save_details, reset_on_submit=False, width="100%",
        ),
        id="details-section",
    )


def tags_section() -> rx.Component:
    return section(
        t("Tags"),
        rx.hstack(
            rx.foreach(JobState.tags, lambda tag: rx.hstack(
                tag_badge(tag.name, tag.color),
                rx.icon_button(rx.icon("x", size=12), size="1", variant="ghost", color_scheme="gray",
                               aria_label=t("Remove tag {name}", name=tag.name), on_click=JobState.remove_tag(tag.id)),
                spacing="0", align="center")),
            rx.cond(JobState.tag_choices.length() > 0,
                    option_select(JobState.tag_choices, t("Add tag"), JobState.add_tag, "job-add-tag")),
            wrap="wrap", align="center",
        ),
        id="tags-section",
    )


def task_row(task) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(task.title, size="2", weight="medium", custom_attrs=as_written()),
                  rx.hstack(rx.text(task.assignee, size="1", color_scheme="gray", custom_attrs=as_written()),
                            rx.cond(task.due != "", rx.text(t("due {date}", date=task.due), size="1",
                                                            color=rx.cond(task.overdue, "red", "gray"))),
                            spacing="2", wrap="wrap"),
                  spacing="0", min_width="0"),
        rx.spacer(),
        status_select(task.status, lambda v: JobState.set_task_status(task.id, v)),
        task_actions(JobState, task),
        width="100%", align="center", padding_y="0.3em", class_name="job-task",
    )


def task_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            field(t("Task"), rx.input(name="title", id="job-task-title", required=True, width="100%",
                                      placeholder=t("e.g. Call client about missing W-2"))),
            rx.hstack(
                field(t("Assignee"), rx.select.root(
                    rx.select.trigger(id="job-task-assignee", width="100%"),
                    rx.select.content(rx.select.item(t("Nobody yet"), value=NONE),
                                      rx.foreach(JobState.member_options,
                                                 lambda o: rx.select.item(o.label, value=o.value, custom_attrs=as_written()))),
                    name="assignee", default_value=NONE)),
                field(t("Due date"), rx.input(name="due_date", type="date", id="job-task-due", width="100%")),
                width="100%", wrap="wrap",
            ),
            rx.button(t("Add task"), type="submit", id="create-job-task"),
            width="100%", align="start", spacing="2",
        ),
        key=JobState.task_form_key, on_submit=JobState.create_task, reset_on_submit=False, width="100%",
    )


def tasks_section() -> rx.Component:
    return section(
        t("Tasks"),
        error_callout(JobState.task_error),
        rx.cond(JobState.tasks.length() > 0,
                rx.vstack(rx.foreach(JobState.tasks, task_row), width="100%", spacing="1"),
                rx.text(t("No tasks yet. Add the steps of this job below."), size="2", color_scheme="gray")),
        task_form(),
        id="job-tasks-section",
    )


def client_task_row(item) -> rx.Component:
    return rx.hstack(
        rx.icon(rx.cond(item.done, "circle-check", "circle"), size=16,
                color=rx.cond(item.done, rx.color("green", 10), rx.color("gray", 9))),
        rx.vstack(rx.text(item.title, size="2", weight="medium", custom_attrs=as_written()),
                  rx.cond(item.done, rx.text(item.done_text, size="1", color_scheme="green"),
                          rx.text(t("Waiting for the client"), size="1", color_scheme="gray")),
                  spacing="0", min_width="0"),
        rx.spacer(),
        rx.cond(item.done, rx.button(t("Reopen"), size="1", variant="ghost",
                                     on_click=JobState.reopen_client_task(item.id)),
                rx.button(t("Remove"), size="1", variant="ghost", color_scheme="gray",
                          on_click=JobState.delete_client_task(item.id))),
        width="100%", align="center", padding_y="0.3em", class_name="job-client-task",
    )


def client_tasks_section() -> rx.Component:
    return section(
        t("Client tasks"),
        rx.text(t("What the client does in the portal. When all are done, rules \"when client tasks are "
                  "completed\" run."), size="1", color_scheme="gray"),
        error_callout(JobState.client_task_error),
        rx.cond(JobState.client_tasks.length() > 0,
                rx.vstack(rx.foreach(JobState.client_tasks, client_task_row), width="100%", spacing="1"),
                rx.text(t("Nothing asked of the client yet."), size="2", color_scheme="gray")),
        rx.form(
            rx.hstack(
                rx.input(name="title", id="client-task-title", required=True, placeholder=t("e.g. Upload your W-2"),
                         aria_label=t("Client task"), flex="1", min_width="12em"),
                rx.button(t("Add client task"), type="submit", id="add-client-task"),
                width="100%", wrap="wrap",
            ),
            key=JobState.client_task_form_key, on_submit=JobState.add_client_task, reset_on_submit=False,
            width="100%",
        ),
        id="job-client-tasks-section",
    )


PROPOSAL_COLORS = {"signed": "green", "declined": "red", "cancelled": "gray", "sent": "amber",
                   "awaiting_payment": "blue"}


def signature_request_row(r) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.link(r.title, href=r.href, size="2", weight="medium", class_name="job-signature-link",
                    custom_attrs=as_written()),
            rx.text(r.progress, size="1", class_name="job-signature-progress"),
            rx.cond(r.signers != "", rx.text(r.signers, size="1", color_scheme="gray")),
            spacing="0", min_width="0",
        ),
        rx.spacer(),
        rx.badge(r.status_label, color_scheme=rx.match(r.status, *REQUEST_COLORS.items(), "gray"),
                 class_name="job-signature-status"),
        width="100%", align="center", wrap="wrap", padding_y="0.3em",
        border_bottom=f"1px solid {rx.color('gray', 4)}", class_name="job-signature-row", data_status=r.status,
    )


def proposal_row(p) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.hstack(rx.text(p.name, size="2", weight="medium", custom_attrs=as_written()), rx.text(p.total, size="2"), spacing="2",
                      wrap="wrap"),
            rx.text(p.outcome, size="1", class_name="job-proposal-outcome"),
            spacing="0", min_width="0",
        ),
        rx.spacer(),
        rx.badge(p.status_label, color_scheme=rx.match(p.status, *PROPOSAL_COLORS.items(), "gray"),
                 class_name="job-proposal-status"),
        rx.cond(p.href != "", rx.el.a(t("Signed PDF"), href=p.href, rel="noopener", reload_document=True,
                                      class_name="job-proposal-pdf",
                                      aria_label=t("Signed PDF of {name}", name=p.name),
                                      style={"color": rx.color("accent", 11), "fontSize": "var(--font-size-1)"})),
        width="100%", align="center", wrap="wrap", padding_y="0.3em",
        border_bottom=f"1px solid {rx.color('gray', 4)}", class_name="job-proposal-row", data_status=p.status,
    )


def client_items_section() -> rx.Component:
    """The job's signature requests and proposals; new ones are made on the account page (with this job chosen)."""
    return section(
        t("Signatures and proposals"),
        rx.text(t("Signatures"), size="2", weight="medium"),
        rx.cond(
            JobState.signature_items.length() > 0,
            rx.vstack(rx.foreach(JobState.signature_items, signature_request_row), width="100%", spacing="0",
                      id="job-signature-list"),
            rx.text(t("Nothing to sign for this job yet."), " ",
                    rx.link(t("Request a signature for it."), href=JobState.new_signature_href,
                            id="job-request-signature"),
                    size="2", color_scheme="gray", id="job-signatures-empty"),
        ),
        rx.text(t("Proposals"), size="2", weight="medium", padding_top="0.5em"),
        rx.cond(
            JobState.proposal_items.length() > 0,
            rx.vstack(rx.foreach(JobState.proposal_items, proposal_row), width="100%", spacing="0",
                      id="job-proposal-list"),
            rx.text(t("No proposal sent for this job yet."), " ",
                    rx.link(t("Send one from the account page and choose this job."),
                            href=JobState.send_proposal_href, id="job-send-proposal"),
                    size="2", color_scheme="gray", id="job-proposals-empty"),
        ),
        id="job-client-items-section",
    )


RUN_COLORS = {"done": "green", "waiting": "amber", "failed": "red", "not fired": "gray", "skipped": "gray"}
ACTION_COLORS = {"done": "green", "waiting": "amber", "failed": "red", "dropped": "gray", "skipped": "gray",
                 "planned": "gray"}


def run_action_row(a: ActionItem) -> rx.Component:
    return rx.hstack(
        rx.badge(a.status_label,
                 color_scheme=rx.match(a.status, *ACTION_COLORS.items(), "gray"), class_name="run-action-status"),
        rx.vstack(rx.code(a.text, size="1"),
                  rx.cond(a.outcome != "", rx.text(a.outcome, size="1", color_scheme="gray",
                                                  class_name="run-action-outcome", white_space="pre-wrap")),
                  spacing="0", min_width="0"),
        spacing="2", align="start", width="100%", class_name="run-action",
    )


def run_row(r: RunItem) -> rx.Component:
    """One rule run: what, when and how it went; the trace opens below (a native, keyboard-friendly details)."""
    return rx.box(
        rx.hstack(
            rx.badge(r.status_label, color_scheme=rx.match(r.status, *RUN_COLORS.items(), "gray"), class_name="run-status"),
            rx.text(r.rule, weight="bold", size="2", class_name="run-rule", custom_attrs=as_written()),
            rx.text(t("on {trigger} · {when}", trigger=r.trigger, when=r.at), size="1", color_scheme="gray"),
            rx.spacer(),
            rx.cond(r.can_retry, rx.button(t("Retry"), size="1", variant="soft", on_click=JobState.retry_run(r.id),
                                           id="retry-run-" + r.id.to_string())),
            align="center", spacing="2", wrap="wrap", width="100%",
        ),
        rx.text(r.reason, size="2", class_name="run-reason"),
        rx.el.details(
            rx.el.summary(rx.text(t("Why: conditions and actions"), size="1", as_="span"), class_name="run-trace-toggle",
                          style={"cursor": "pointer"}),
            rx.vstack(
                rx.cond(r.parts.length() > 0, rx.foreach(r.parts, part_row),
                        rx.text(t("No conditions: the rule acts whenever it starts."), size="1", color_scheme="gray")),
                rx.foreach(r.actions, run_action_row),
                spacing="1", width="100%", padding_top="0.4em",
            ),
            class_name="run-trace",
        ),
        padding_y="0.5em", border_bottom=f"1px solid {rx.color('gray', 4)}", width="100%", class_name="rule-run",
        data_rule=r.rule, data_run_id=r.id,
    )


def automation_section() -> rx.Component:
    return section(
        t("Automation history"),
        rx.cond(JobState.runs.length() > 0,
                rx.vstack(rx.foreach(JobState.runs, run_row), width="100%", spacing="0"),
                rx.text(t("No automation has looked at this job yet. Rules run when the job changes stage, gets a "
                          "tag or is created."), size="2", color_scheme="gray")),
        id="job-automation-history",
    )


def job_actions() -> rx.Component:
    return rx.hstack(
        rx.button(rx.icon("pencil", size=14), t("Rename"), variant="soft", id="rename-job",
                  on_click=JobState.set_rename_open(True)),
        rx.button(rx.cond(JobState.archived, t("Restore job"), t("Archive job")), id="archive-job",
                  variant="soft", color_scheme=rx.cond(JobState.archived, "green", "gray"),
                  on_click=JobState.toggle_archived),
        rx.menu.root(
            rx.menu.trigger(rx.icon_button(rx.icon("ellipsis", size=16), variant="soft", color_scheme="gray",
                                           aria_label=t("More actions"), id="job-menu")),
            rx.menu.content(rx.menu.item(t("Delete job…"), color="red", on_click=JobState.ask_delete, id="delete-job")),
        ),
        spacing="2", align="center", wrap="wrap",
    )


def job_dialogs() -> rx.Component:
    return rx.fragment(
        edit_dialog(t("Rename job"),
                    field(t("Name"), rx.input(name="name", default_value=JobState.name, id="rename-job-name",
                                           required=True, auto_focus=True, width="100%")),
                    open=JobState.rename_open, on_open_change=JobState.set_rename_open, on_submit=JobState.rename,
                    error=JobState.rename_error, key=JobState.form_key, submit_id="save-job-name",
                    submit=t("Save name"), dialog_id="rename-job-dialog"),
        delete_dialog(t("Delete \u201c{name}\u201d?", name=JobState.name), JobState.delete_text, blocked=False,
                      open=JobState.delete_open, on_open_change=JobState.set_delete_open,
                      on_confirm=JobState.confirm_delete, confirm_id="confirm-delete-job", confirm=t("Delete job")),
        task_edit_dialogs(JobState),
    )


def job_page() -> rx.Component:
    return page(
        t("Job"),
        rx.cond(
            JobState.found,
            rx.vstack(
                rx.hstack(
                    rx.vstack(
                        rx.heading(JobState.name, size="7", id="job-name-heading", custom_attrs=as_written()),
                        rx.hstack(rx.text(t("for"), size="2", color_scheme="gray"),
                                  rx.link(JobState.account_name, href=JobState.account_href, id="job-account-link",
                                          custom_attrs=as_written()),
                                  rx.cond(JobState.archived, rx.badge(t("archived"), color_scheme="gray")),
                                  align="center", spacing="2"),
                        spacing="1",
                    ),
                    rx.spacer(),
                    job_timer(),
                    job_actions(),
                    width="100%", align="start", wrap="wrap",
                ),
                job_dialogs(),
                error_callout(JobState.error),
                rx.grid(
                    rx.vstack(stage_section(), details_section(), tasks_section(), client_tasks_section(),
                              client_items_section(), organizers_section(), client_requests_section(), automation_section(), spacing="4",
                              width="100%",
                              min_width="0"),
                    rx.vstack(people_section(), tags_section(), custom_values_section(),
                              section(t("History"), history_list(JobState.history), id="job-history"),
                              spacing="4", width="100%", min_width="0"),
                    grid_template_columns=["1fr", "1fr", "2fr 1fr"], spacing="4", width="100%",
                ),
                width="100%", spacing="3",
            ),
            rx.cond(JobState.page_error != "",
                    empty_state(JobState.page_error, rx.link(t("Open the board"), href=routes.BOARD)),
                    rx.center(rx.spinner(), padding="2em")),
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(job_page, route=routes.JOB, title=t("Job · practice"),
                 on_load=[AppState.require_login, JobState.load, CustomValuesState.load_job,
                          SentOrganizersState.load_job, ClientRequestsState.load_job, JobTimerState.load_job])

"""Pipelines editor: the list of pipelines, and the chosen pipeline's stages in order."""
import reflex as rx

from practice import routes
from practice.components.forms import label, native_select
from practice.components.i18n import as_written, t, tn
from practice.components.layout import empty_state, error_callout, page
from practice.state.base import AppState
from practice.state.pipelines import PipelinesState, StageItem


def new_pipeline_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("plus"), t("New pipeline"), id="new-pipeline")),
        rx.dialog.content(
            rx.dialog.title(t("New pipeline")),
            rx.form(
                rx.vstack(
                    error_callout(PipelinesState.create_error),
                    label(t("Pipeline name"), "pipeline-name"),
                    rx.input(id="pipeline-name", name="name", required=True, width="100%", auto_focus=True,
                             placeholder=t("e.g. 1120-S Return")),
                    label(t("Stages, one per line, in order"), "pipeline-stages"),
                    rx.text_area(id="pipeline-stages", name="stages", required=True, width="100%", rows="6",
                                 placeholder=t("Onboarding\nPreparation\nReview\nDone")),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", type="button")),
                        rx.button(t("Create pipeline"), type="submit", id="create-pipeline"),
                        justify="end", width="100%"),
                    spacing="2", width="100%",
                ),
                on_submit=PipelinesState.create_pipeline, reset_on_submit=False,
            ),
        ),
        open=PipelinesState.create_open, on_open_change=PipelinesState.set_create_open,
    )


def pipeline_list() -> rx.Component:
    return rx.vstack(
        rx.text(t("Pipelines"), size="2", weight="bold", color_scheme="gray"),
        rx.foreach(
            PipelinesState.pipelines,
            lambda p: rx.button(
                rx.hstack(rx.text(p.name, weight="medium", custom_attrs=as_written()), rx.spacer(),
                          rx.text(tn("{n} stage", "{n} stages", p.stages), size="1", color_scheme="gray"), width="100%"),
                on_click=PipelinesState.select_pipeline(p.id),
                variant=rx.cond(p.id == PipelinesState.selected_id, "soft", "ghost"),
                width="100%", justify="start", id="pipeline-" + p.id.to_string(),
                aria_current=rx.cond(p.id == PipelinesState.selected_id, "true", "false"),
            ),
        ),
        width=["100%", "100%", "240px"], min_width=["0", "0", "240px"], spacing="1", align="stretch",
    )


def stage_card(stage: StageItem) -> rx.Component:
    sid = stage.id.to_string()
    jobs = rx.text(tn("{n} job", "{n} jobs", stage.jobs), size="1", color_scheme="gray",
                   id="stage-jobs-" + sid)
    editor = rx.vstack(
        rx.form(
            rx.hstack(
                rx.el.input(type="hidden", name="stage_id", value=sid),
                rx.input(name="name", default_value=stage.name, key="name-" + sid + "-" + stage.name,
                         id="stage-name-" + sid, aria_label=t("Stage name"), required=True, width="100%"),
                rx.button(rx.icon("check", size=14), type="submit", variant="soft", size="2",
                          aria_label=t("Save stage name"), id="stage-save-" + sid),
                width="100%", spacing="1",
            ),
            on_submit=PipelinesState.rename_stage, reset_on_submit=False, width="100%",
        ),
        rx.hstack(
            jobs, rx.spacer(),
            rx.icon_button(rx.icon("arrow-left", size=14), on_click=PipelinesState.move_stage(stage.id, -1),
                           disabled=stage.first, variant="ghost", size="1", aria_label=t("Move stage left"),
                           id="stage-left-" + sid),
            rx.icon_button(rx.icon("arrow-right", size=14), on_click=PipelinesState.move_stage(stage.id, 1),
                           disabled=stage.last, variant="ghost", size="1", aria_label=t("Move stage right"),
                           id="stage-right-" + sid),
            rx.icon_button(rx.icon("trash-2", size=14), on_click=PipelinesState.ask_delete_stage(stage.id),
                           variant="ghost", color_scheme="red", size="1", aria_label=t("Delete stage"),
                           id="stage-delete-" + sid),
            width="100%", align="center",
        ),
        spacing="2", width="100%",
    )
    viewer = rx.vstack(rx.text(stage.name, weight="medium", id="stage-label-" + sid, custom_attrs=as_written()), jobs,
                       spacing="1")  # the firm's own name for the stage
    return rx.card(
        rx.vstack(
            rx.text(t("Stage {number}", number=stage.number), size="1", color_scheme="gray"),
            rx.cond(AppState.is_admin, editor, viewer),
            spacing="1", width="100%",
        ),
        width=["100%", "100%", "230px"], min_width=["0", "0", "230px"], class_name="stage-card",
        data_stage=stage.name,
    )


def delete_stage_dialog() -> rx.Component:
    has_jobs = PipelinesState.delete_jobs > 0
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("Delete stage \u201c{name}\u201d?", name=PipelinesState.delete_stage_name)),
            rx.form(
                rx.vstack(
                    error_callout(PipelinesState.delete_error),
                    rx.cond(
                        has_jobs,
                        rx.vstack(
                            rx.text(tn("This stage holds {n} job (archived ones included). Choose the stage it moves to; "
                                       "automations see it as moved.",
                                       "This stage holds {n} jobs (archived ones included). Choose the stage they "
                                       "move to; automations see each of them as moved.",
                                       PipelinesState.delete_jobs), id="delete-preview"),
                            label(t("Move its jobs to"), "move-jobs-to"),
                            native_select(PipelinesState.delete_targets, name="move_jobs_to", id="move-jobs-to"),
                            spacing="2", width="100%",
                        ),
                        rx.text(t("This stage holds no jobs. Deleting it cannot be undone."), id="delete-preview"),
                    ),
                    rx.hstack(
                        rx.alert_dialog.cancel(rx.button(t("Cancel"), variant="soft", color_scheme="gray",
                                                         type="button")),
                        rx.button(rx.cond(has_jobs, t("Move jobs and delete stage"), t("Delete stage")), type="submit",
                                  color_scheme="red", id="confirm-delete-stage"),
                        justify="end", width="100%"),
                    spacing="3", width="100%",
                ),
                on_submit=PipelinesState.confirm_delete_stage, reset_on_submit=False,
            ),
        ),
        open=PipelinesState.delete_open, on_open_change=PipelinesState.set_delete_open,
    )


def selected_pipeline() -> rx.Component:
    admin_header = rx.form(
        rx.hstack(
            rx.input(name="name", default_value=PipelinesState.selected_name,
                     key="pipeline-" + PipelinesState.selected_id.to_string() + "-" + PipelinesState.selected_name,
                     id="pipeline-rename", aria_label=t("Pipeline name"), required=True, width="280px", size="3"),
            rx.button(t("Rename"), type="submit", variant="soft", id="pipeline-rename-save"),
            rx.link(t("Open its board"), href=routes.board_url(PipelinesState.selected_id),
                    size="2"),
            align="center", wrap="wrap",
        ),
        on_submit=PipelinesState.rename_pipeline, reset_on_submit=False,
    )
    add_stage = rx.form(
        rx.hstack(
            rx.input(name="name", id="new-stage-name", placeholder=t("New stage name"), aria_label=t("New stage name"),
                     required=True, width="220px"),
            rx.button(rx.icon("plus", size=14), t("Add stage"), type="submit", variant="soft", id="add-stage"),
            align="center", wrap="wrap",
        ),
        on_submit=PipelinesState.add_stage, reset_on_submit=True,
    )
    return rx.vstack(
        rx.cond(AppState.is_admin, admin_header,
                rx.vstack(rx.heading(PipelinesState.selected_name, size="4"),
                          rx.text(t("Only the owner or an admin can change pipelines."), size="2",
                                  color_scheme="gray", id="read-only-note"))),
        rx.flex(rx.foreach(PipelinesState.stages, stage_card), wrap="wrap", spacing="2",
                direction=rx.breakpoints(initial="column", md="row"), width="100%"),
        rx.cond(AppState.is_admin, add_stage),
        spacing="3", width="100%", min_width="0",
    )


def pipelines_page() -> rx.Component:
    return page(
        t("Pipelines"),
        error_callout(PipelinesState.error),
        rx.cond(
            PipelinesState.pipelines.length() > 0,
            rx.flex(pipeline_list(), selected_pipeline(), spacing="4", width="100%",
                    direction=rx.breakpoints(initial="column", md="row")),
            empty_state(rx.cond(AppState.is_admin, t("No pipelines yet. Create one: a name and its stages in order."),
                                t("No pipelines yet. Ask the owner or an admin to create one."))),
        ),
        delete_stage_dialog(),
        actions=rx.cond(AppState.is_admin, new_pipeline_dialog()),
    )


def register(app: rx.App) -> None:
    app.add_page(pipelines_page, route=routes.PIPELINES, title=t("Pipelines · practice"),
                 on_load=[AppState.require_login, PipelinesState.load])

"""The board page: pick a pipeline, filter, and move job cards between stage columns."""
from __future__ import annotations

import reflex as rx

from practice import routes
from practice.components.board_card import card_data, job_card
from practice.components.dnd import drop_props, drop_zone
from practice.components.field_views import field_menus
from practice.components.i18n import as_written, t, tn
from practice.components.layout import empty_state, error_callout, page
from practice.state.base import AppState
from practice.state.board import ALL, MAX_COLUMNS, BoardState, CardView

COLUMN_WIDTH = "272px"


def picker(trigger_id: str, value, on_change, all_label, options, aria) -> rx.Component:
    """A labelled dropdown; `all_label` adds the "no filter" choice."""
    items = [rx.select.item(all_label, value=ALL)] if all_label is not None else []
    return rx.select.root(
        rx.select.trigger(id=trigger_id, aria_label=aria, min_width="150px"),
        rx.select.content(*items, rx.foreach(options, lambda o: rx.select.item(o.label, value=o.value,
                                                                                     custom_attrs=as_written()))),
        value=value, on_change=on_change,
    )


def toolbar() -> rx.Component:
    return rx.hstack(
        picker("pipeline-picker", BoardState.pipeline_id, BoardState.choose_pipeline, None,
               BoardState.pipeline_options, t("Pipeline")),
        picker("assignee-filter", BoardState.assignee_filter, BoardState.set_assignee_filter, t("Everyone"),
               BoardState.member_options, t("Assignee")),
        picker("tag-filter", BoardState.tag_filter, BoardState.set_tag_filter, t("All tags"),
               BoardState.tag_options, t("Tag")),
        field_menus(BoardState, "board"),
        wrap="wrap", align="center", spacing="2",
    )


def stage_menu_items(on_pick, current_stage=None) -> rx.Component:
    """One menu item per stage of the board; the card's own stage is greyed out."""
    return rx.foreach(
        BoardState.heads,
        lambda h: rx.menu.item(h.name, on_click=on_pick(h.id), custom_attrs=as_written(),
                               disabled=(h.id == current_stage) if current_stage is not None else False),
    )


def selection_bar() -> rx.Component:
    n = BoardState.selected.length()
    return rx.cond(
        n > 0,
        rx.hstack(
            rx.menu.root(
                rx.menu.trigger(rx.button(t("Move {n} selected to…", n=n), rx.icon("chevron-down", size=14),
                                          id="move-selected")),
                rx.menu.content(stage_menu_items(BoardState.move_selected)),
            ),
            rx.button(t("Clear selection"), on_click=BoardState.clear_selection, variant="ghost", id="clear-selection"),
            align="center", spacing="2", padding="0.5em", border_radius="8px", background=rx.color("accent", 3),
            role="region", aria_label=t("Selected jobs"),
        ),
    )


def column(slot: int) -> rx.Component:
    head, count = BoardState.heads[slot], BoardState.counts[slot]
    ids = getattr(BoardState, f"ids_{slot}")

    def card(job_id):
        data = card_data(job_id)
        shown = job_card(card=data, stage_id=head.id, selected=BoardState.selected.contains(job_id),
                         heads=BoardState.heads, move_label=t("Move to"),
                         select_label=t("Select {job}", job=data.to(CardView).account + " · " + data.to(CardView).name))
        shown.key = job_id  # React keeps each card by its job, not by its place in the column
        return shown

    return drop_zone(
        rx.hstack(
            rx.text(head.name, weight="bold", size="2", class_name="column-name", custom_attrs=as_written()),
            rx.badge(count, variant="soft", radius="full", class_name="column-count"),
            align="center", justify="between", width="100%", padding_bottom="0.25em",
        ),
        rx.vstack(
            rx.foreach(ids, card),
            rx.cond(count == 0, rx.text(t("No jobs here. Drag a card here or use its Move to menu."), size="1",
                                        color_scheme="gray", padding="0.5em")),
            rx.cond(count > ids.length(),
                    rx.button(t("Show more ({n} more)", n=count - ids.length()), variant="ghost", size="1",
                              on_click=BoardState.show_more(head.id), class_name="show-more", width="100%")),
            spacing="2", width="100%", overflow_y="auto", max_height=["none", "none", "calc(100vh - 240px)"],
            padding_right="2px",
        ),
        on_drop=lambda job_id: BoardState.move_card(job_id, head.id),
        on_drag_over=rx.prevent_default,
        class_name="board-column",
        custom_attrs={**drop_props()["custom_attrs"], "data-stage-id": head.id, "data-stage-name": head.name,
                      "aria-label": t("Stage {name}", name=head.name)},
        role="region",
        style={"width": COLUMN_WIDTH, "minWidth": COLUMN_WIDTH, "flexShrink": "0", "padding": "0.5em",
               "borderRadius": "10px", "background": rx.color("gray", 3), "display": "flex",
               "flexDirection": "column", "gap": "0.25em",
               "&.drop-target": {"outline": f"2px dashed {rx.color('accent', 8)}", "outlineOffset": "-2px"}},
    )


def columns() -> rx.Component:
    # Slots render only while the pipeline has that many stages; each reads its own cards var.
    return rx.box(
        *[rx.cond(BoardState.heads.length() > slot, column(slot)) for slot in range(MAX_COLUMNS)],
        id="board-stages",
        style={"display": "flex", "gap": "0.75em", "overflowX": "auto", "alignItems": "flex-start",
               "paddingBottom": "0.5em", "width": "100%", "WebkitOverflowScrolling": "touch"},
    )


def new_job_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("plus"), t("New job"), id="new-job")),
        rx.dialog.content(
            rx.dialog.title(t("New job")),
            rx.vstack(
                error_callout(BoardState.new_job_error),
                rx.text(t("Account"), as_="label", html_for="new-job-account-search", size="2", weight="medium"),
                rx.input(id="new-job-account-search", placeholder=t("Search accounts"), value=BoardState.account_query,
                         on_change=BoardState.search_accounts.debounce(250), width="100%"),
                rx.vstack(
                    rx.foreach(BoardState.account_matches, lambda o: rx.button(
                        o.label, type="button", size="1", width="100%", style={"justifyContent": "flex-start"},
                        variant=rx.cond(o.value == BoardState.new_account_id, "solid", "soft"),
                        on_click=BoardState.choose_account(o.value), class_name="account-choice",
                        custom_attrs={"aria-pressed": o.value == BoardState.new_account_id, **as_written()})),
                    rx.cond(BoardState.account_matches.length() == 0,
                            rx.text(t("No account matches. Create it on the Accounts page first."), size="1",
                                    color_scheme="gray")),
                    spacing="1", width="100%", max_height="180px", overflow_y="auto",
                ),
                rx.text(rx.cond(BoardState.new_account_id != "", t("For: {account}", account=BoardState.new_account_name),
                                t("No account chosen yet.")), size="2", id="new-job-account-chosen"),
                rx.form(
                    rx.vstack(
                        rx.text(t("Job name"), as_="label", html_for="new-job-name", size="2", weight="medium"),
                        rx.input(id="new-job-name", name="name", required=True, width="100%"),
                        rx.text(t("Stage"), size="2", weight="medium"),
                        rx.select.root(
                            rx.select.trigger(id="new-job-stage", aria_label=t("Stage"), width="100%"),
                            rx.select.content(rx.foreach(BoardState.heads, lambda h: rx.select.item(
                                h.name, value=h.id.to_string(), custom_attrs=as_written()))),
                            name="stage",
                            default_value=rx.cond(BoardState.heads.length() > 0,
                                                  BoardState.heads[0].id.to_string(), ""),
                        ),
                        rx.text(t("Assignee"), size="2", weight="medium"),
                        rx.select.root(
                            rx.select.trigger(id="new-job-assignee", aria_label=t("Assignee"), width="100%"),
                            rx.select.content(rx.select.item(t("Nobody yet"), value="none"), rx.foreach(
                                BoardState.member_options, lambda o: rx.select.item(o.label, value=o.value,
                                                                                  custom_attrs=as_written()))),
                            name="assignee", default_value="none",
                        ),
                        rx.text(t("Due date"), as_="label", html_for="new-job-due", size="2", weight="medium"),
                        rx.input(id="new-job-due", name="due_date", type="date", width="100%"),
                        rx.hstack(
                            rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", type="button")),
                            rx.button(t("Create job"), type="submit", id="create-job"),
                            justify="end", width="100%",
                        ),
                        spacing="2", width="100%",
                    ),
                    on_submit=BoardState.create_job, reset_on_submit=False, width="100%",
                ),
                spacing="2", width="100%",
            ),
        ),
        open=BoardState.new_job_open, on_open_change=BoardState.set_new_job_open,
    )


def board_page() -> rx.Component:
    return page(
        t("Board"),
        error_callout(BoardState.error),
        rx.cond(
            BoardState.pipeline_options.length() > 0,
            rx.vstack(
                toolbar(),
                selection_bar(),
                columns(),
                rx.cond(BoardState.hidden_stages > 0,
                        rx.text(tn("This pipeline has {n} more stage than the board shows; move those jobs from the job page.",
                                   "This pipeline has {n} more stages than the board shows; move those jobs from the "
                                   "job page.", BoardState.hidden_stages), size="1", color_scheme="gray")),
                spacing="3", width="100%", align="stretch",
            ),
            empty_state(t("There are no pipelines yet. Create one with its stages, then come back to the board."),
                        rx.link(t("Set up pipelines"), href=routes.PIPELINES)),
        ),
        actions=rx.cond(BoardState.pipeline_options.length() > 0, new_job_dialog()),
    )


def register(app: rx.App) -> None:
    app.add_page(board_page, route=routes.BOARD, title=t("Board · practice"),
                 on_load=[AppState.require_login, BoardState.load])

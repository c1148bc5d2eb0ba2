"""Automations, Set aside: events whose automations kept failing, why, what a retry would do, retry or dismiss."""
import reflex as rx

from practice import routes
from practice.components.i18n import t, tn
from practice.components.layout import AUTOMATION_TABS, empty_state, error_callout, page, section_tabs
from practice.state.base import AppState
from practice.state.parked import ParkedItem, ParkedState, PlannedRuleItem

P = ParkedState


def links(item: ParkedItem) -> rx.Component:
    return rx.flex(
        rx.cond(item.job_href != "", rx.link(item.job_name, href=item.job_href, size="2", class_name="parked-job")),
        rx.cond(item.account_href != "", rx.link(item.account_name, href=item.account_href, size="2")),
        spacing="3", wrap="wrap")


def planned_rule(r: PlannedRuleItem) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.icon(rx.cond(r.fires, "play", "circle-minus"), size=14, flex_shrink="0"),
                  rx.text(t('Rule "{rule}"', rule=r.rule), weight="bold", size="2"),
                  rx.cond(r.done_before, rx.badge(t("already done, not repeated"), size="1", variant="surface",
                                                  color_scheme="gray")),
                  spacing="2", align="center", wrap="wrap"),
        rx.cond(r.fires,
                rx.vstack(rx.foreach(r.actions, lambda a: rx.text(a, size="2", class_name="parked-action")),
                          spacing="0", padding_left="1.5em"),
                rx.text(t("Would not run: {why}", why=r.why_not), size="1", color_scheme="gray")),
        spacing="1", width="100%")


def preview_box(item: ParkedItem) -> rx.Component:
    return rx.vstack(
        rx.text(t("What a retry would do, with the rules as saved now"), weight="bold", size="2"),
        rx.text(P.preview_trigger, rx.cond(P.preview_job != "", " · " + P.preview_job, ""), size="2",
                color_scheme="gray"),
        rx.foreach(P.preview_rules, planned_rule),
        rx.cond(P.preview_problem != "", rx.text(P.preview_problem, size="2", color_scheme="orange",
                                                 class_name="parked-preview-problem")),
        rx.hstack(
            rx.button(rx.icon("rotate-ccw", size=14), t("Retry now"), size="2", on_click=P.retry(item.id),
                      id="parked-retry-" + item.id.to_string()),
            rx.button(t("Cancel"), size="2", variant="soft", color_scheme="gray", on_click=P.close_preview),
            spacing="2", wrap="wrap"),
        spacing="2", width="100%", padding="0.75em", border_radius="6px", background=rx.color("gray", 2),
        id="parked-preview-" + item.id.to_string())


def item_card(item: ParkedItem) -> rx.Component:
    return rx.card(rx.vstack(
        rx.flex(
            rx.text(item.trigger, weight="bold", size="2", class_name="parked-trigger"),
            rx.spacer(),
            rx.text(tn("Set aside {when} after {n} try", "Set aside {when} after {n} tries", item.tries,
                       when=item.when), size="1", color_scheme="gray", class_name="parked-when"),
            spacing="2", align="center", wrap="wrap", width="100%"),
        links(item),
        rx.text(t("Why: {reason}", reason=item.reason), size="2", color_scheme="red", class_name="parked-reason"),
        rx.cond(item.dismissed_when != "",
                rx.text(t("Dismissed by {name} on {when}", name=item.dismissed_by, when=item.dismissed_when),
                        size="1", color_scheme="gray", class_name="parked-dismissed")),
        rx.cond(P.preview_id == item.id, preview_box(item), rx.hstack(
            rx.button(rx.icon("eye", size=14), t("Preview retry"), size="1", variant="soft",
                      on_click=P.preview(item.id), id="parked-preview-open-" + item.id.to_string()),
            rx.cond(item.dismissed_when == "",
                    rx.button(rx.icon("archive", size=14), t("Dismiss"), size="1", variant="soft", color_scheme="gray",
                              on_click=P.dismiss(item.id), id="parked-dismiss-" + item.id.to_string())),
            spacing="2", wrap="wrap")),
        spacing="2", width="100%"), width="100%", class_name="parked-item", id="parked-" + item.id.to_string())


def done_callout() -> rx.Component:
    return rx.cond(P.done != "", rx.callout(
        rx.cond(P.done == "retried",
                t("Retried: its automations ran again. If they failed once more, the event is back in this list."),
                t("Dismissed: its automations will not run. It stays under Show dismissed.")),
        icon="circle-check", color_scheme="green", width="100%", role="status", id="parked-done"))


def parked_view() -> rx.Component:
    return rx.vstack(
        rx.text(t("When the automations of an event keep failing, the worker tries them a few times, each after a "
                  "longer wait, then sets the event aside here. Read why, fix the cause, then retry it or dismiss it."),
                size="2", color_scheme="gray"),
        rx.checkbox(t("Show dismissed"), checked=P.show_dismissed, on_change=P.set_show_dismissed,
                    id="parked-show-dismissed"),
        done_callout(),
        error_callout(P.error),
        rx.cond(P.items.length() > 0,
                rx.vstack(rx.foreach(P.items, item_card), spacing="2", width="100%", id="parked-list"),
                empty_state(rx.cond(P.show_dismissed, t("No dismissed events."),
                                    t("Nothing is set aside. When the automations of an event keep failing (for "
                                      "example because the disk or the database refused a write), the event waits "
                                      "here for you to retry or dismiss it.")))),
        spacing="3", width="100%")


def parked_page() -> rx.Component:
    return page(
        t("Set aside"),
        section_tabs(AUTOMATION_TABS, routes.PARKED, "automations", "Automations"),
        rx.cond(P.allowed, parked_view()),
    )


def register(app: rx.App) -> None:
    app.add_page(parked_page, route=routes.PARKED, title=t("Set aside · practice"),
                 on_load=[AppState.require_login, ParkedState.load])

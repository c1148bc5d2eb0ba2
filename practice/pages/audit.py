"""Audit log: who did what, when (in the firm's time zone), with links to the things it touched."""
import reflex as rx

from practice import routes
from practice.components.forms import label, native_select
from practice.components.layout import empty_state, error_callout, page
from practice.state.audit import AuditItem, AuditState
from practice.state import page_access
from practice.state.base import AppState

ADMINS_ONLY = page_access.sentence(routes.AUDIT)


def entity_cell(e: AuditItem) -> rx.Component:
    return rx.cond(e.entity_url != "", rx.link(e.entity_label, href=e.entity_url, size="2"),
                   rx.text(e.entity_label, color_scheme="gray", size="2"))


def entry_row(e: AuditItem) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(e.at, white_space="nowrap", size="2")),
        rx.table.cell(rx.text(e.who, white_space="nowrap", size="2")),
        rx.table.cell(e.summary, class_name="audit-summary"),
        rx.table.cell(entity_cell(e)),
        class_name="audit-entry",
    )


def entry_card(e: AuditItem) -> rx.Component:
    """The phone-size form of an entry."""
    return rx.card(rx.vstack(
        rx.text(e.at, " · ", e.who, size="1", color_scheme="gray"),
        rx.text(e.summary, size="2"),
        entity_cell(e),
        spacing="1"), width="100%")


def filters() -> rx.Component:
    return rx.hstack(
        rx.vstack(label("Kind of thing", "audit-entity"),
                  native_select(AuditState.kind_options, name="entity", id="audit-entity",
                                value=AuditState.entity_filter, first=("", "Everything"),
                                on_change=AuditState.set_entity_filter), spacing="1"),
        rx.vstack(label("Member", "audit-member"),
                  native_select(AuditState.member_options, name="member", id="audit-member",
                                value=AuditState.member_filter, first=("", "Everyone"),
                                on_change=AuditState.set_member_filter), spacing="1"),
        rx.text("Times in ", AuditState.timezone, size="1", color_scheme="gray"),
        align="end", wrap="wrap", spacing="4",
    )


def log_view() -> rx.Component:
    return rx.vstack(
        filters(),
        rx.cond(
            AuditState.entries.length() > 0,
            rx.fragment(
                rx.box(rx.table.root(
                    rx.table.header(rx.table.row(
                        rx.table.column_header_cell("When"), rx.table.column_header_cell("Who"),
                        rx.table.column_header_cell("What"), rx.table.column_header_cell("Thing"))),
                    rx.table.body(rx.foreach(AuditState.entries, entry_row)),
                    width="100%", id="audit-table",
                ), width="100%", overflow_x="auto", display=["none", "none", "block"]),
                rx.vstack(rx.foreach(AuditState.entries, entry_card), width="100%",
                          display=["flex", "flex", "none"]),
            ),
            empty_state("Nothing in the log matches these filters. Choose \u201cEverything\u201d and \u201cEveryone\u201d "
                        "to see all entries."),
        ),
        rx.cond(AuditState.has_more,
                rx.button("Load older", on_click=AuditState.load_older, variant="soft", id="audit-older")),
        spacing="3", width="100%",
    )


def audit_page() -> rx.Component:
    return page(
        "Audit log",
        error_callout(AuditState.error),
        rx.cond(AuditState.allowed, log_view(),
                rx.cond(AppState.member_role != "",
                        rx.cond(AppState.is_admin, rx.spinner(),
                                empty_state(ADMINS_ONLY, rx.link("Back to home", href=routes.HOME))))),
    )


def register(app: rx.App) -> None:
    app.add_page(audit_page, route=routes.AUDIT, title="Audit log · practice",
                 on_load=[AppState.require_login, AuditState.load])

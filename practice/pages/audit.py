"""Audit log: who did what, when (in the firm's time zone), to which things by name, with filters and a CSV
export."""
import reflex as rx

from practice import routes
from practice.components.forms import label, native_select
from practice.components.i18n import as_written, t
from practice.components.layout import empty_state, error_callout, page
from practice.state.audit import AuditItem, AuditState
from practice.state import page_access
from practice.state.base import AppState

ADMINS_ONLY = page_access.sentence(routes.AUDIT)


def thing_cell(e: AuditItem) -> rx.Component:
    """The thing by name (a link when it has a page), its kind, and its account when that is another thing."""
    return rx.vstack(
        rx.hstack(
            rx.text(e.kind, size="1", color_scheme="gray", white_space="nowrap"),
            rx.cond(e.thing_url != "", rx.link(e.thing, href=e.thing_url, size="2", class_name="audit-thing", custom_attrs=as_written()),
                    rx.text(e.thing, size="2", class_name="audit-thing", custom_attrs=as_written())),
            spacing="2", align="baseline", wrap="wrap"),
        rx.cond(e.account != "", rx.link(e.account, href=e.account_url, size="1", class_name="audit-account",
                                              custom_attrs=as_written())),
        spacing="0")


def when_cell(e: AuditItem) -> rx.Component:
    return rx.el.span(e.at, title=e.ago, class_name="audit-when")


def entry_row(e: AuditItem) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(when_cell(e), white_space="nowrap", size="2")),
        rx.table.cell(rx.text(e.who, white_space="nowrap", size="2"),
                      rx.cond(e.via != "", rx.text(e.via, size="1", color_scheme="gray", class_name="audit-via"))),
        rx.table.cell(e.summary, class_name="audit-summary", custom_attrs=as_written()),
        rx.table.cell(thing_cell(e)),
        class_name="audit-entry",
    )


def entry_card(e: AuditItem) -> rx.Component:
    """The phone-size form of an entry."""
    return rx.card(rx.vstack(
        rx.text(when_cell(e), " · ", e.who, rx.cond(e.via != "", rx.el.span(" · ", e.via, class_name="audit-via")),
                size="1", color_scheme="gray"),
        rx.text(e.summary, size="2", class_name="audit-summary", custom_attrs=as_written()),
        thing_cell(e),
        spacing="1"), width="100%", class_name="audit-card")


def _select(title: rx.Var, id_: str, options, value, everything: rx.Var, on_change) -> rx.Component:
    return rx.vstack(label(title, id_),
                     native_select(options, name=id_, id=id_, value=value, first=("", everything),
                                   on_change=on_change),
                     spacing="1", min_width="0", max_width="100%")


def _day(title: rx.Var, id_: str, value, on_change) -> rx.Component:
    return rx.vstack(label(title, id_),
                     rx.input(type="date", id=id_, name=id_, value=value, on_change=on_change),
                     spacing="1")


def filters() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            _select(t("Kind of thing"), "audit-entity", AuditState.kind_options, AuditState.entity_filter, t("Everything"),
                    AuditState.set_entity_filter),
            _select(t("Person"), "audit-member", AuditState.member_options, AuditState.member_filter, t("Everyone"),
                    AuditState.set_member_filter),
            _select(t("Account"), "audit-account", AuditState.account_options, AuditState.account_filter,
                    t("All accounts"), AuditState.set_account_filter),
            _day(t("From"), "audit-since", AuditState.since, AuditState.set_since),
            _day(t("To"), "audit-until", AuditState.until, AuditState.set_until),
            align="end", wrap="wrap", spacing="3", width="100%",
        ),
        rx.hstack(
            rx.button(t("Clear filters"), on_click=AuditState.clear_filters, variant="soft", color_scheme="gray",
                      id="audit-clear"),
            rx.button(rx.icon("download", size=16), t("Export CSV"), on_click=AuditState.export_csv, variant="soft",
                      id="audit-export"),
            rx.text(t("Times in {zone}", zone=AuditState.timezone), size="1", color_scheme="gray"),
            align="center", wrap="wrap", spacing="3",
        ),
        spacing="3", width="100%",
    )


def log_view() -> rx.Component:
    return rx.vstack(
        filters(),
        rx.cond(
            AuditState.entries.length() > 0,
            rx.fragment(
                rx.box(rx.table.root(
                    rx.table.header(rx.table.row(
                        rx.table.column_header_cell(t("When")), rx.table.column_header_cell(t("Who")),
                        rx.table.column_header_cell(t("What")), rx.table.column_header_cell(t("Thing")))),
                    rx.table.body(rx.foreach(AuditState.entries, entry_row)),
                    width="100%", id="audit-table",
                ), width="100%", overflow_x="auto", display=["none", "none", "block"]),
                rx.vstack(rx.foreach(AuditState.entries, entry_card), width="100%",
                          display=["flex", "flex", "none"]),
            ),
            empty_state(t("Nothing in the log matches these filters."),
                        rx.button(t("Clear filters"), on_click=AuditState.clear_filters, variant="soft",
                                  id="audit-empty-clear")),
        ),
        rx.cond(AuditState.has_more,
                rx.button(t("Load older"), on_click=AuditState.load_older, variant="soft", id="audit-older")),
        spacing="3", width="100%",
    )


def audit_page() -> rx.Component:
    return page(
        t("Audit log"),
        error_callout(AuditState.error),
        rx.cond(AuditState.allowed, log_view(),
                rx.cond(AppState.member_role != "",
                        rx.cond(AppState.is_admin, rx.spinner(),
                                empty_state(t(ADMINS_ONLY), rx.link(t("Back to home"), href=routes.HOME))))),
    )


def register(app: rx.App) -> None:
    app.add_page(audit_page, route=routes.AUDIT, title=t("Audit log · practice"),
                 on_load=[AppState.require_login, AuditState.load])

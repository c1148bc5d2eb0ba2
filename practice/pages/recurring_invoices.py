"""The recurring invoices page (Billing, Recurring): each account's series (monthly bookkeeping, quarterly payroll)
with its amount, how often, its next date and how many invoices it issued; a series' form with the next 12 dates and
amounts; pause, resume and delete."""
from __future__ import annotations

import reflex as rx

from practice import routes
from practice.components.forms import SELECT_STYLE, label
from practice.components.i18n import as_written, t
from practice.components.layout import BILLING_TABS, empty_state, error_callout, page, section_tabs
from practice.pages.billing import account_chooser, line_editor
from practice.state.base import AppState
from practice.state.recurring_invoices import (INTERVAL_CHOICES, PreviewItem, RecurringInvoicesState as S,
                                               SeriesItem)


def series_state(item: SeriesItem) -> rx.Component:
    return rx.match(
        item.state,
        ("paused", rx.badge(t("Paused"), color_scheme="gray", class_name="series-state")),
        ("ended", rx.badge(t("Ended"), color_scheme="gray", class_name="series-state")),
        rx.text(t("Next: {date}", date=item.next_date), size="2", class_name="series-next"))


def series_row(item: SeriesItem) -> rx.Component:
    return rx.flex(
        rx.vstack(rx.text(item.name, weight="medium", size="2", custom_attrs=as_written()),
                  rx.link(item.account, href=item.account_href, size="1", color_scheme="gray",
                          custom_attrs=as_written()),
                  rx.text(item.summary, size="1", color_scheme="gray"),
                  rx.cond(item.card != "", rx.hstack(
                      rx.badge(rx.icon("credit-card", size=12), item.card, color_scheme="green",
                               class_name="series-card", white_space="normal"),
                      rx.cond(S.ri_manages, rx.button(t("Turn off"), size="1", variant="ghost", color_scheme="red",
                                                      on_click=S.ask_turn_off_card(item.id),
                                                      class_name="turn-off-card")),
                      align="center", wrap="wrap", spacing="2")),
                  spacing="1", flex="1", min_width="12em"),
        rx.vstack(series_state(item), rx.text(item.issued, size="1", color_scheme="gray"), spacing="0", align="end"),
        rx.cond(S.ri_manages, rx.hstack(
            rx.button(t("Edit"), size="1", variant="soft", on_click=S.edit(item.id), class_name="edit-series"),
            rx.cond(item.state == "paused",
                    rx.button(t("Resume"), size="1", variant="soft", on_click=S.resume(item.id),
                              class_name="resume-series"),
                    rx.cond(item.state == "running",
                            rx.button(t("Pause"), size="1", variant="soft", color_scheme="gray",
                                      on_click=S.pause(item.id), class_name="pause-series"))),
            rx.button(t("Delete"), size="1", variant="soft", color_scheme="red", on_click=S.ask_delete(item.id),
                      class_name="delete-series"),
            spacing="2", wrap="wrap")),
        width="100%", align="center", wrap="wrap", spacing="3", padding_y="0.6em", class_name="series-row",
        border_bottom=f"1px solid {rx.color('gray', 4)}")


def preview_row(item: PreviewItem) -> rx.Component:
    return rx.hstack(rx.text(item.date, size="2"), rx.spacer(), rx.text(item.amount, size="2", weight="medium"),
                     width="100%", max_width="22em", class_name="preview-row")


def series_account() -> rx.Component:
    return rx.vstack(
        rx.text(t("Account"), size="2", weight="medium"),
        rx.cond(S.ri_account_id != "",
                rx.hstack(rx.badge(S.ri_account_name, size="2", id="series-account", custom_attrs=as_written()),
                          rx.cond(S.ri_editing == 0, rx.button(t("Choose another"), size="1", variant="ghost",
                                                               type="button", on_click=S.clear_account)),
                          align="center"),
                account_chooser(S, "series-account-search")),
        spacing="1", width="100%")


def schedule_fields() -> rx.Component:
    return rx.flex(
        rx.vstack(label(t("How often"), "series-interval"),
                  rx.el.select(*[rx.el.option(t(text), value=value) for value, text in INTERVAL_CHOICES],
                               value=S.ri_interval, on_change=lambda v: S.set_schedule("interval", v),
                               id="series-interval", style=SELECT_STYLE), spacing="1"),
        rx.vstack(label(t("First invoice on"), "series-start"),
                  rx.input(type="date", value=S.ri_start, on_change=lambda v: S.set_schedule("start", v),
                           id="series-start"), spacing="1"),
        rx.vstack(label(t("Last date (optional)"), "series-end"),
                  rx.input(type="date", value=S.ri_end, on_change=lambda v: S.set_schedule("end", v),
                           id="series-end"), spacing="1"),
        spacing="3", wrap="wrap", width="100%")


edit_line = line_editor(S)


def series_form() -> rx.Component:
    return rx.card(rx.vstack(
        series_account(),
        rx.cond(S.ri_templates.length() > 0,
                rx.el.select(rx.el.option(t("Start from an invoice template…"), value=""),
                             rx.foreach(S.ri_templates, lambda o: rx.el.option(o.label, value=o.value)),
                             value="", on_change=S.use_template, id="series-template", style=SELECT_STYLE,
                             aria_label=t("Start from an invoice template"))),
        rx.form(rx.vstack(
            label(t("Name"), "series-name"),
            rx.input(name="name", default_value=S.ri_name, size="2", width="100%", id="series-name",
                     placeholder=t("Monthly bookkeeping"), custom_attrs=as_written()),
            rx.text(t("Lines"), size="2", weight="medium"),
            rx.vstack(rx.foreach(S.ri_lines, edit_line), spacing="0", width="100%", id="series-lines"),
            rx.flex(
                rx.el.select(rx.el.option(t("Add a service from the catalog…"), value=""),
                             rx.foreach(S.ri_services, lambda o: rx.el.option(o.label, value=o.value)),
                             value="", on_change=S.add_service, id="series-add-service", style=SELECT_STYLE,
                             aria_label=t("Add a service from the catalog")),
                rx.button(rx.icon("plus", size=14), t("Add a typed line"), type="button", variant="soft", size="2",
                          on_click=S.add_line, id="series-add-line"),
                spacing="2", wrap="wrap"),
            label(t("Tax on the whole invoice (%)"), "series-whole-tax"),
            rx.input(default_value=S.ri_tax, id="series-whole-tax", width="8em", input_mode="decimal",
                     placeholder="8.25", name="whole_tax", on_change=S.set_tax),
            rx.text(t("Applies after all discounts to every line that has no tax rate of its own; a line with its own "
                      "rate keeps it."), size="1", color_scheme="gray"),
            rx.hstack(rx.text(t("Each invoice"), size="2"), rx.text(S.ri_total, size="3", weight="bold",
                                                                    id="series-total"), justify="end", width="100%"),
            schedule_fields(),
            rx.hstack(rx.checkbox(checked=S.ri_send, on_change=S.set_send, id="series-send"),
                      rx.text(t("Send each invoice automatically (otherwise it waits as a draft for you to check)"),
                              as_="label", html_for="series-send", size="2"), align="center"),
            label(t("Due in (days after it is sent)"), "series-due-days"),
            rx.input(name="due_days", default_value=S.ri_due_days, id="series-due-days", input_mode="numeric",
                     width="6em"),
            label(t("Notes for the client"), "series-notes"),
            rx.text_area(name="notes", default_value=S.ri_notes, id="series-notes", rows="2", width="100%",
                         max_length=5000, custom_attrs=as_written()),
            label(t("Terms"), "series-terms"),
            rx.text_area(name="terms", default_value=S.ri_terms, id="series-terms", rows="2", width="100%",
                         max_length=5000, custom_attrs=as_written()),
            rx.text(t("The next 12 invoices"), size="2", weight="medium"),
            rx.cond(S.ri_preview_note != "", rx.text(S.ri_preview_note, size="2", color_scheme="gray",
                                                     id="series-preview-note")),
            rx.vstack(rx.foreach(S.ri_preview, preview_row), spacing="1", width="100%", id="series-preview"),
            error_callout(S.ri_error),
            rx.hstack(rx.spacer(),
                      rx.button(t("Cancel"), type="button", size="2", variant="ghost", color_scheme="gray",
                                on_click=S.cancel),
                      rx.button(t("Save the recurring invoice"), type="submit", size="2", id="series-save"),
                      width="100%", align="center", wrap="wrap"),
            spacing="2", width="100%"), key=S.ri_form_key, on_submit=S.save, reset_on_submit=False, width="100%"),
        spacing="3", width="100%"), width="100%")


def delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(rx.alert_dialog.content(
        rx.alert_dialog.title(t("Delete the recurring invoice \"{name}\"?", name=S.ri_delete_name)),
        rx.alert_dialog.description(t("No more invoices go out from it. The invoices it already issued stay.")),
        rx.hstack(rx.alert_dialog.cancel(rx.button(t("Keep it"), variant="soft", color_scheme="gray", type="button")),
                  rx.alert_dialog.action(rx.button(t("Delete"), color_scheme="red", on_click=S.confirm_delete,
                                                   type="button", id="confirm-delete-series")),
                  justify="end", spacing="3", margin_top="1em", wrap="wrap"),
    ), open=S.ri_delete_id != 0, on_open_change=S.set_delete_open)


def turn_off_dialog() -> rx.Component:
    return rx.alert_dialog.root(rx.alert_dialog.content(
        rx.alert_dialog.title(t("Turn off the automatic card payment of \"{name}\"?", name=S.ri_turn_off_name)),
        rx.alert_dialog.description(t("{card}. No invoice of the series is charged to this card from now on: each "
                                      "waits to be paid as usual. The client who agreed is told by email, and can "
                                      "save a card again in the portal.", card=S.ri_turn_off_card)),
        rx.hstack(rx.alert_dialog.cancel(rx.button(t("Keep it"), variant="soft", color_scheme="gray", type="button")),
                  rx.alert_dialog.action(rx.button(t("Turn off"), color_scheme="red", on_click=S.turn_off_card,
                                                   type="button", id="confirm-turn-off-card")),
                  justify="end", spacing="3", margin_top="1em", wrap="wrap"),
    ), open=S.ri_turn_off_id != 0, on_open_change=S.set_turn_off_open)


def recurring_invoices_page() -> rx.Component:
    return page(
        t("Recurring invoices"),
        section_tabs(BILLING_TABS, routes.RECURRING_INVOICES, "billing", t("Billing")),
        rx.text(t("Invoices an account gets every month, quarter or year. Each period's invoice goes out once, on its "
                  "date, with the firm's next number."), size="2", color_scheme="gray"),
        rx.cond(S.ri_editing >= 0, series_form(),
                rx.vstack(error_callout(S.ri_error),
                          rx.cond(S.ri_manages, rx.button(rx.icon("plus", size=14), t("New recurring invoice"),
                                                          size="2", on_click=S.edit(0), id="new-series")),
                          width="100%")),
        rx.cond(S.ri_rows.length() > 0,
                rx.vstack(rx.foreach(S.ri_rows, series_row), width="100%", spacing="0", id="series-list"),
                empty_state(t("No recurring invoice yet. Set one up for the fees an account pays every month, "
                              "quarter or year."))),
        delete_dialog(), turn_off_dialog(),
    )


def register(app: rx.App) -> None:
    app.add_page(recurring_invoices_page, route=routes.RECURRING_INVOICES, title=t("Recurring invoices · practice"),
                 on_load=[AppState.require_login, S.load])

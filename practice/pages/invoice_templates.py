"""The invoice templates page (Billing, Invoice templates): invoices the firm sends again and again, each a name,
lines from the services catalog or typed, due in how many days, notes and terms; a rule sends one with
`send invoice "NAME" to account`."""
from __future__ import annotations

import reflex as rx

from practice import routes
from practice.components.forms import SELECT_STYLE, label
from practice.components.i18n import as_written, t
from practice.components.layout import BILLING_TABS, empty_state, error_callout, page, section_tabs
from practice.pages.billing import line_editor
from practice.state.base import AppState
from practice.state.invoice_templates import InvoiceTemplatesState as S, TemplateItem


def billing_tabs(current: str) -> rx.Component:
    return section_tabs(BILLING_TABS, current, "billing", t("Billing"))


def template_row(r: TemplateItem) -> rx.Component:
    return rx.flex(
        rx.vstack(rx.text(r.name, weight="medium", size="2", custom_attrs=as_written()),
                  rx.text(r.summary, size="1", color_scheme="gray"), spacing="0", flex="1", min_width="12em"),
        rx.hstack(rx.button(t("Edit"), size="1", variant="soft", on_click=S.edit(r.id), class_name="edit-invoice-template"),
                  rx.button(t("Delete"), size="1", variant="soft", color_scheme="red", on_click=S.ask_delete(r.id),
                            class_name="delete-invoice-template"), spacing="2"),
        width="100%", align="center", wrap="wrap", spacing="2", padding_y="0.4em", class_name="invoice-template-row",
        border_bottom=f"1px solid {rx.color('gray', 4)}")


edit_line = line_editor(S)


def template_form() -> rx.Component:
    return rx.card(rx.form(rx.vstack(
        label(t("Template name"), "invoice-template-name"),
        rx.input(name="name", default_value=S.it_name, size="2", width="100%", id="invoice-template-name",
                 custom_attrs=as_written()),
        rx.text(t("Lines"), size="2", weight="medium"),
        rx.vstack(rx.foreach(S.it_lines, edit_line), spacing="0", width="100%", id="invoice-template-lines"),
        rx.flex(
            rx.el.select(rx.el.option(t("Add a service from the catalog…"), value=""),
                         rx.foreach(S.it_services, lambda o: rx.el.option(o.label, value=o.value)),
                         value="", on_change=S.add_service, id="invoice-template-add-service", style=SELECT_STYLE,
                         aria_label=t("Add a service from the catalog")),
            rx.button(rx.icon("plus", size=14), t("Add a typed line"), type="button", variant="soft", size="2",
                      on_click=S.add_line, id="invoice-template-add-line"),
            spacing="2", wrap="wrap"),
        label(t("Tax on the whole invoice (%)"), "invoice-template-whole-tax"),
        rx.input(default_value=S.it_tax, id="invoice-template-whole-tax", width="8em", input_mode="decimal",
                 placeholder="8.25", name="whole_tax", on_change=S.set_tax),
        rx.text(t("Applies after all discounts to every line that has no tax rate of its own; a line with its own "
                  "rate keeps it."), size="1", color_scheme="gray"),
        rx.hstack(rx.text(t("Total"), size="2"), rx.text(S.it_total, size="3", weight="bold",
                                                         id="invoice-template-total"), justify="end", width="100%"),
        label(t("Due in (days after it is sent)"), "invoice-template-due-days"),
        rx.input(name="due_days", default_value=S.it_due_days, id="invoice-template-due-days", input_mode="numeric",
                 width="6em"),
        label(t("Notes for the client"), "invoice-template-notes"),
        rx.text_area(name="notes", default_value=S.it_notes, id="invoice-template-notes", rows="3", width="100%",
                     max_length=5000, custom_attrs=as_written()),
        label(t("Terms"), "invoice-template-terms"),
        rx.text_area(name="terms", default_value=S.it_terms, id="invoice-template-terms", rows="2", width="100%",
                     max_length=5000, custom_attrs=as_written()),
        error_callout(S.it_error),
        rx.hstack(rx.spacer(),
                  rx.button(t("Cancel"), type="button", size="2", variant="ghost", color_scheme="gray",
                            on_click=S.cancel),
                  rx.button(t("Save the template"), type="submit", size="2", id="invoice-template-save"),
                  width="100%", align="center", wrap="wrap"),
        spacing="2", width="100%"), key=S.it_form_key, on_submit=S.save, reset_on_submit=False, width="100%"),
        width="100%")


def delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(rx.alert_dialog.content(
        rx.alert_dialog.title(t("Delete the invoice template \"{name}\"?", name=S.it_delete_name)),
        rx.alert_dialog.description(t("Invoices already sent from it keep their lines. A rule that sends it must be "
                                      "changed first.")),
        rx.hstack(rx.alert_dialog.cancel(rx.button(t("Keep it"), variant="soft", color_scheme="gray", type="button")),
                  rx.alert_dialog.action(rx.button(t("Delete"), color_scheme="red", on_click=S.confirm_delete,
                                                   type="button", id="confirm-delete-invoice-template")),
                  justify="end", spacing="3", margin_top="1em", wrap="wrap"),
    ), open=S.it_delete_id != 0, on_open_change=S.set_delete_open)


def invoice_templates_page() -> rx.Component:
    return page(
        t("Invoice templates"),
        billing_tabs(routes.INVOICE_TEMPLATES),
        rx.cond(AppState.is_admin, rx.vstack(
            rx.text(t("Invoices you send again and again. A rule sends one to a job's account with: send invoice "
                      "\"NAME\" to account."), size="2", color_scheme="gray"),
            rx.cond(S.it_editing >= 0, template_form(),
                    rx.vstack(error_callout(S.it_error),
                              rx.button(rx.icon("plus", size=14), t("New invoice template"), size="2",
                                        on_click=S.edit(0), id="new-invoice-template"), width="100%")),
            rx.cond(S.it_rows.length() > 0,
                    rx.vstack(rx.foreach(S.it_rows, template_row), width="100%", spacing="0",
                              id="invoice-template-list"),
                    empty_state(t("No invoice template yet. Make one for the fees you bill again and again."))),
            delete_dialog(),
            spacing="3", width="100%"),
            empty_state(t("Only the owner or an admin can manage invoice templates."))),
    )


def register(app: rx.App) -> None:
    app.add_page(invoice_templates_page, route=routes.INVOICE_TEMPLATES, title=t("Invoice templates · practice"),
                 on_load=[AppState.require_login, S.load])

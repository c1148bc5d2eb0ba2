"""The request templates page: what the firm asks for again and again (a broker's documents, a former accountant's
file), each a title, a message and items; staff start a request from one on the job page, rules send one by name."""
from __future__ import annotations

import reflex as rx

from practice import routes
from practice.components.i18n import t
from practice.components.layout import empty_state, error_callout, page
from practice.state.base import AppState
from practice.state.request_templates import RequestTemplatesState as S


def template_row(r) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(r.name, weight="medium", size="2"),
                  rx.text(r.title, " · ", t("{count} items", count=r.count), size="1", color_scheme="gray"),
                  spacing="0", min_width="0"),
        rx.spacer(),
        rx.button(t("Edit"), size="1", variant="soft", on_click=S.edit(r.id), class_name="edit-request-template"),
        rx.button(t("Delete"), size="1", variant="soft", color_scheme="red", on_click=S.delete(r.id)),
        width="100%", align="center", wrap="wrap", padding_y="0.3em", class_name="request-template-row",
        border_bottom=f"1px solid {rx.color('gray', 4)}")


def draft_row(d, index) -> rx.Component:
    return rx.hstack(
        rx.select.root(rx.select.trigger(aria_label=t("Kind")),
                       rx.select.content(rx.select.item(t("File upload"), value="file"),
                                         rx.select.item(t("Short answer"), value="text"),
                                         rx.select.item(t("Yes or no"), value="yes_no")),
                       value=d.kind, on_change=lambda v: S.set_item(index, "kind", v), size="2"),
        rx.input(default_value=d.label, placeholder=t("What you ask for"), size="2", min_width="10em", flex="2",
                 on_blur=lambda v: S.set_item(index, "label", v), class_name="template-item-label"),
        rx.input(default_value=d.note, placeholder=t("Note (optional)"), size="2", min_width="8em", flex="2",
                 on_blur=lambda v: S.set_item(index, "note", v), class_name="template-item-note"),
        rx.icon_button(rx.icon("x", size=14), size="1", variant="ghost", aria_label=t("Remove"),
                       on_click=S.remove_item(index)),
        width="100%", align="center", wrap="wrap", spacing="2")


def template_form() -> rx.Component:
    return rx.card(rx.form(rx.vstack(
        rx.input(name="name", default_value=S.rt_name, placeholder=t("Template name"), size="2", width="100%",
                 id="request-template-name"),
        rx.input(name="title", default_value=S.rt_title, placeholder=t("Title the recipient reads"), size="2",
                 width="100%", id="request-template-title"),
        rx.text_area(name="message", default_value=S.rt_message, placeholder=t("Message (optional)"), rows="3",
                     width="100%"),
        rx.text(t("Items"), size="2", weight="medium"),
        rx.foreach(S.rt_draft, draft_row),
        rx.hstack(rx.button(rx.icon("plus", size=14), t("Add an item"), type="button", size="1", variant="soft",
                            on_click=S.add_item),
                  rx.spacer(),
                  rx.button(t("Cancel"), type="button", size="2", variant="ghost", color_scheme="gray",
                            on_click=S.cancel),
                  rx.button(t("Save the template"), type="submit", size="2", id="request-template-save"),
                  width="100%", align="center", wrap="wrap"),
        spacing="2", width="100%"), key=S.rt_form_key, on_submit=S.save, reset_on_submit=False, width="100%"),
        width="100%")


def request_templates_page() -> rx.Component:
    return page(
        t("Request templates"),
        rx.cond(AppState.is_admin, rx.vstack(
            rx.text(t("Lists of items you ask clients and third parties for again and again. Start a request from "
                      "one on a job's page; a rule sends one with: send client request \"NAME\" to account."),
                    size="2", color_scheme="gray"),
            error_callout(S.rt_error),
            rx.cond(S.rt_editing >= 0, template_form(),
                    rx.button(rx.icon("plus", size=14), t("New template"), size="2", on_click=S.edit(0),
                              id="new-request-template")),
            rx.cond(S.rt_rows.length() > 0,
                    rx.vstack(rx.foreach(S.rt_rows, template_row), width="100%", spacing="0"),
                    rx.text(t("No request template yet."), size="2", color_scheme="gray")),
            spacing="3", width="100%"),
            empty_state(t("Only the owner or an admin can manage request templates."))),
    )


def register(app: rx.App) -> None:
    app.add_page(request_templates_page, route=routes.REQUEST_TEMPLATES, title=t("Request templates · practice"),
                 on_load=[AppState.require_login, S.load])

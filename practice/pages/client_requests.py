"""The Client requests section of the job page and of the account page (there, every job's requests, each saying
which job it is for): the requests sent with their progress (kept current while the page is open), each one's
answers, Revoke, and the form to send one from a template or typed."""
from __future__ import annotations

import reflex as rx

from practice import routes
from practice.components.i18n import as_written, t
from practice.components.layout import error_callout
from practice.pages.work_parts import section
from practice.state.base import AppState
from practice.state.client_requests import POLL_MS, ClientRequestsState as R

# One timer per tab: it presses the hidden button while it is on the page and stops once it is gone.
TICK_JS = ("(() => { if (window.__clientRequestsTick) return; window.__clientRequestsTick = setInterval(() => { "
           "const b = document.getElementById('client-requests-tick'); if (b) { b.click(); } else { "
           f"clearInterval(window.__clientRequestsTick); window.__clientRequestsTick = null; }} }}, {POLL_MS}); }})()")


def answer_row(a) -> rx.Component:
    return rx.hstack(
        rx.cond(a.answered, rx.icon("circle-check", size=14, color=rx.color("green", 9)),
                rx.icon("circle", size=14, color=rx.color("gray", 8))),
        rx.text(a.label, size="2", color_scheme="gray", min_width="40%"),
        rx.text(a.answer, size="2", style={"overflowWrap": "anywhere"}, class_name="request-answer"),
        width="100%", align="start", padding_y="0.2em")


def request_row(r) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.vstack(rx.text(r.title, weight="medium", size="2"),
                      rx.cond(r.job != "", rx.text(t("Job: {job}", job=r.job), size="1", class_name="request-job",
                                                   custom_attrs=as_written())),
                      rx.text(r.recipient, " · ", r.sent, " · ", r.progress, size="1", color_scheme="gray",
                              class_name="request-progress"),
                      spacing="0", min_width="0"),
            rx.spacer(),
            rx.badge(r.status_text, color_scheme=rx.match(r.status, ("completed", "green"), ("revoked", "gray"),
                                                          "amber"), class_name="request-status"),
            rx.button(t("Answers"), size="1", variant="soft", on_click=R.open(r.id), class_name="open-request"),
            rx.cond(r.status == "open", rx.button(t("Revoke"), size="1", variant="soft", color_scheme="red",
                                                  on_click=R.revoke(r.id), class_name="revoke-request")),
            align="center", width="100%", wrap="wrap"),
        rx.cond(R.cr_open == r.id, rx.vstack(rx.foreach(r.answers, answer_row), width="100%", spacing="0",
                                             padding_left="0.5em")),
        width="100%", spacing="1", padding_y="0.3em", border_bottom=f"1px solid {rx.color('gray', 4)}",
        class_name="request-row", data_status=r.status)


def draft_row(d, index) -> rx.Component:
    return rx.hstack(
        rx.select.root(rx.select.trigger(aria_label=t("Kind")),
                       rx.select.content(rx.select.item(t("File upload"), value="file"),
                                         rx.select.item(t("Short answer"), value="text"),
                                         rx.select.item(t("Yes or no"), value="yes_no")),
                       value=d.kind, on_change=lambda v: R.set_item(index, "kind", v), size="2"),
        rx.input(default_value=d.label, placeholder=t("What you ask for"), size="2", min_width="10em", flex="2",
                 on_blur=lambda v: R.set_item(index, "label", v), class_name="request-item-label"),
        rx.input(default_value=d.note, placeholder=t("Note (optional)"), size="2", min_width="8em", flex="2",
                 on_blur=lambda v: R.set_item(index, "note", v), class_name="request-item-note"),
        rx.icon_button(rx.icon("x", size=14), size="1", variant="ghost", aria_label=t("Remove"),
                       on_click=R.remove_item(index)),
        width="100%", align="center", wrap="wrap", spacing="2", class_name="request-draft-item")


def request_form() -> rx.Component:
    return rx.card(rx.form(rx.vstack(
        rx.cond(R.cr_templates.length() > 0, rx.select.root(
            rx.select.trigger(placeholder=t("Start from a template (optional)"), id="request-template"),
            rx.select.content(rx.foreach(R.cr_templates, lambda o: rx.select.item(o.label, value=o.value))),
            on_change=R.use_template, size="2")),
        rx.select.root(
            rx.select.trigger(placeholder=t("Who answers"), id="request-recipient"),
            rx.select.content(rx.foreach(R.cr_contacts, lambda o: rx.select.item(o.label, value=o.value)),
                              rx.select.item(t("Someone else (type the address)"), value="email")),
            value=R.cr_recipient, on_change=R.set_recipient, size="2"),
        rx.cond(R.cr_recipient == "email", rx.input(name="email", type="email", placeholder="broker@example.com",
                                                    size="2", width="100%", id="request-email")),
        rx.input(name="title", default_value=R.cr_title, placeholder=t("Title"), size="2", width="100%",
                 id="request-title-input"),
        rx.text_area(name="message", default_value=R.cr_message, placeholder=t("Message (optional)"), rows="2",
                     width="100%", id="request-message"),
        rx.text(t("Items"), size="2", weight="medium"),
        rx.foreach(R.cr_draft, draft_row),
        rx.el.label(rx.hstack(rx.checkbox(name="remind", default_checked=True, id="request-remind"),
                              rx.text(t("Remind every 3 days until it is complete (up to 3 times), listing only "
                                        "what is missing"), size="2"), spacing="2", align="center")),
        rx.hstack(rx.button(rx.icon("plus", size=14), t("Add an item"), type="button", size="1", variant="soft",
                            on_click=R.add_item, id="request-add-item"),
                  rx.spacer(),
                  rx.button(t("Cancel"), type="button", size="2", variant="ghost", color_scheme="gray",
                            on_click=R.cancel),
                  rx.button(t("Send the request"), type="submit", size="2", id="request-send"),
                  width="100%", align="center", wrap="wrap"),
        spacing="2", width="100%"), key=R.cr_form_key, on_submit=R.send, reset_on_submit=False, width="100%"),
        width="100%", id="request-form")


def client_requests_section() -> rx.Component:
    return section(
        t("Client requests"),
        error_callout(R.cr_error),
        rx.cond(R.cr_form_open, request_form(),
                rx.hstack(rx.button(rx.icon("list-checks", size=14), t("Request items"), size="2",
                                    on_click=R.new_request, id="new-request"),
                          rx.cond(AppState.is_admin, rx.link(t("Request templates"), href=routes.REQUEST_TEMPLATES,
                                                             size="2")),
                          align="center", spacing="3")),
        rx.cond(R.cr_items.length() > 0,
                rx.vstack(rx.foreach(R.cr_items, request_row), width="100%", spacing="0", id="request-list"),
                rx.text(t("No request sent yet."), size="2", color_scheme="gray")),
        # The progress of open requests, kept current while the page is open: a timer presses this hidden button
        # (and stops once the button is gone, the page left).
        rx.el.button(id="client-requests-tick", type="button", on_click=R.tick, hidden=True, aria_hidden="true",
                     tab_index=-1, on_mount=rx.call_script(TICK_JS)),
        id="client-requests-section",
    )

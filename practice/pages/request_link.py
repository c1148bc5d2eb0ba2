"""The page a client request's recipient opens from the emailed link, phone first and with no login: the email code
for a new browser, then each item with its note (a file upload, a short answer, a yes/no) saved as it is given, the
progress line, and "Send to the firm" once everything is there."""
from __future__ import annotations

import reflex as rx

from practice import routes
from practice.components.i18n import t
from practice.components.layout import error_callout
from practice.state.request_link import RequestLinkState as S

UPLOAD_ID = "request-upload"


def code_step() -> rx.Component:
    return rx.vstack(
        rx.text(t("To keep your answers private, we check it is you the first time this device opens the request: "
                  "we email a 6-digit code to {email}.", email=S.email), size="2"),
        rx.button(rx.cond(S.code_sent, t("Send a new code"), t("Email me a code")), size="3", width="100%",
                  variant=rx.cond(S.code_sent, "soft", "solid"), on_click=S.send_code, id="request-send-code"),
        rx.form(rx.vstack(
            rx.input(name="code", placeholder="123456", input_mode="numeric", auto_complete="one-time-code",
                     size="3", width="100%", id="request-code", max_length=12),
            rx.button(t("Open the request"), type="submit", size="3", width="100%", id="request-code-submit"),
            spacing="2", width="100%"), on_submit=S.enter_code, reset_on_submit=True, width="100%"),
        error_callout(S.code_error),
        spacing="3", width="100%")


def file_item(item) -> rx.Component:
    return rx.vstack(
        rx.foreach(item.files, lambda f: rx.hstack(
            rx.icon("file-check", size=16), rx.text(f.name, size="2", class_name="request-file"), rx.spacer(),
            rx.icon_button(rx.icon("x", size=14), size="1", variant="ghost", aria_label=t("Remove"),
                           on_click=S.remove_file(item.id, f.id)),
            width="100%", align="center")),
        rx.cond(S.upload_for == item.id,
                rx.upload(
                    rx.vstack(rx.button(t("Choose files"), type="button", size="3", variant="soft"),
                              rx.text(t("PDF, images, Word, Excel, CSV or text"), size="1", color_scheme="gray"),
                              align="center", spacing="1"),
                    id=UPLOAD_ID, multiple=True, max_files=20, width="100%", padding="0.75em",
                    border=f"1px dashed {rx.color('gray', 7)}", border_radius="8px",
                    on_drop=S.upload(rx.upload_files(upload_id=UPLOAD_ID))),
                rx.button(rx.icon("upload", size=16), rx.cond(item.files.length() > 0, t("Add another file"),
                                                              t("Add a file")),
                          size="3", variant="soft", width="100%", on_click=S.choose(item.id),
                          class_name="request-add-file")),
        width="100%", spacing="2")


def yes_no(item) -> rx.Component:
    return rx.radio_group.root(
        rx.hstack(rx.radio_group.item(value="yes"), rx.text(t("Yes")), rx.radio_group.item(value="no"),
                  rx.text(t("No")), spacing="2", align="center"),
        value=item.yes_no, on_change=lambda v: S.save_yes_no(item.id, v), size="3")


def item_card(item) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.cond(item.answered, rx.icon("circle-check", size=18, color=rx.color("green", 9)),
                          rx.icon("circle", size=18, color=rx.color("gray", 8))),
                  rx.text(item.label, weight="medium", size="3"), align="center", spacing="2"),
        rx.cond(item.note != "", rx.text(item.note, size="2", color_scheme="gray")),
        rx.match(item.kind,
                 ("file", file_item(item)),
                 ("yes_no", yes_no(item)),
                 rx.input(default_value=item.text, size="3", width="100%", class_name="request-text",
                          on_blur=lambda v: S.save_text(item.id, v))),
        rx.cond(S.item_error.contains(item.id.to_string()),
                rx.text(S.item_error[item.id.to_string()], color_scheme="red", size="2", role="alert")),
        spacing="2", width="100%"), width="100%", class_name="request-item")


def answering_step() -> rx.Component:
    return rx.vstack(
        rx.cond(S.message != "", rx.text(S.message, size="2", white_space="pre-wrap")),
        rx.text(t("{answered} of {total} given", answered=S.answered, total=S.total), size="2",
                color_scheme="gray", id="request-progress"),
        rx.foreach(S.items, item_card),
        error_callout(S.error),
        rx.button(t("Send to the firm"), size="3", width="100%", on_click=S.complete, id="request-complete"),
        rx.text(t("Each answer is saved as you give it: you can close this page and finish later with the same link."),
                size="1", color_scheme="gray"),
        spacing="3", width="100%")


def request_page() -> rx.Component:
    return rx.center(
        rx.card(rx.vstack(
            rx.cond(S.firm_name != "", rx.text(S.firm_name, size="2", color_scheme="gray")),
            rx.cond(S.closed != "",
                    rx.callout(S.closed, icon=rx.cond(S.done, "circle-check", "info"),
                               color_scheme=rx.cond(S.done, "green", "gray"), width="100%", id="request-closed"),
                    rx.cond(S.opened, rx.vstack(
                        rx.heading(S.title, size="6", id="request-title"),
                        rx.cond(S.needs_code, code_step(), answering_step()),
                        spacing="3", width="100%"),
                        rx.spinner())),
            spacing="3", width="100%"),
            width=["100vw", "92vw", "640px"], padding=["1em", "1.5em"]),
        min_height="100vh", background=rx.color("gray", 2), padding_y=["0", "2em"], align="start")


def register(app: rx.App) -> None:
    app.add_page(request_page, route=routes.CLIENT_REQUEST_LINK, title=t("Your firm's request · practice"),
                 on_load=S.load)

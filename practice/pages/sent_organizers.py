"""The Organizers section of the account and job pages: send one, the list with status and progress, and one
organizer's answers (read-only: what changed since last year, each answer markable as reviewed) with Reopen once
submitted."""
from __future__ import annotations

import reflex as rx

from practice import routes
from practice.components.i18n import t
from practice.components.layout import error_callout
from practice.pages.work_parts import section
from practice.state.base import AppState
from practice.state.sent_organizers import SentOrganizersState as O


def organizer_row(o) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(o.name, weight="medium", size="2"),
                  rx.text(o.sent, rx.cond(o.job != "", " · " + o.job, ""), " · ", o.progress, size="1",
                          color_scheme="gray"),
                  spacing="0", min_width="0"),
        rx.spacer(),
        rx.badge(o.status_text, color_scheme=rx.match(o.status, ("submitted", "green"), ("reopened", "blue"),
                                                      ("in_progress", "amber"), "gray"), class_name="organizer-status"),
        rx.button(t("Answers"), size="1", variant="soft", on_click=O.open(o.id), class_name="open-organizer-answers"),
        align="center", width="100%", wrap="wrap", class_name="organizer-row", padding_y="0.3em",
        border_bottom=f"1px solid {rx.color('gray', 4)}", data_status=o.status,
    )


def send_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.select.root(rx.select.trigger(placeholder=t("Organizer template"), id="send-organizer-template"),
                           rx.select.content(rx.foreach(O.org_templates,
                                                        lambda o: rx.select.item(o.label, value=o.value))),
                           name="template_id", size="2"),
            rx.cond(O.org_jobs.length() > 0,
                    rx.select.root(rx.select.trigger(placeholder=t("For a job (optional)"), id="send-organizer-job"),
                                   rx.select.content(rx.foreach(O.org_jobs,
                                                                lambda o: rx.select.item(o.label, value=o.value))),
                                   name="job_id", size="2")),
            rx.button(t("Send an organizer"), type="submit", size="2", id="send-organizer"),
            spacing="2", wrap="wrap", width="100%",
        ),
        key=O.org_form_key, on_submit=O.send, reset_on_submit=False, width="100%",
    )


def review_mark(a) -> rx.Component:
    """A submitted answer's review mark: who marked it and when (and a way to take it off), or a button to mark it."""
    return rx.cond(a.reviewed != "",
                   rx.hstack(rx.icon("check", size=14, color=rx.color("green", 11), flex_shrink="0"),
                             rx.text(a.reviewed, size="1", color_scheme="green", class_name="answer-reviewed",
                                     style={"overflowWrap": "anywhere"}, min_width="0"),
                             rx.button(t("Undo"), size="1", variant="ghost", color_scheme="gray",
                                       on_click=O.unmark_answer(a.key), class_name="unmark-answer"),
                             spacing="1", align="center", wrap="wrap", min_width="0", max_width="100%"),
                   rx.button(t("Mark reviewed"), size="1", variant="soft", color_scheme="green",
                             on_click=O.mark_answer(a.key), class_name="mark-answer"))


def answer_row(a) -> rx.Component:
    return rx.flex(
        rx.text(a.label, size="2", color_scheme="gray", flex="1 1 40%", min_width="10em",
                padding_left=rx.cond(a.indent, "1em", "0")),
        rx.vstack(
            rx.text(a.answer, size="2", style={"overflowWrap": "anywhere"}, class_name="organizer-answer"),
            rx.cond(a.changed, rx.hstack(
                rx.badge(t("Changed since last year"), color_scheme="amber", size="1"),
                rx.text(t("Last year: {answer}", answer=a.last_year), size="1", color_scheme="gray",
                        style={"overflowWrap": "anywhere"}, class_name="organizer-last-year"),
                spacing="2", wrap="wrap", class_name="organizer-changed")),
            rx.cond((a.key != "") & (O.org_open_status == "submitted"), review_mark(a)),
            spacing="1", min_width="0", flex="1 1 50%"),
        width="100%", align="start", padding_y="0.2em", border_bottom=f"1px solid {rx.color('gray', 3)}",
        wrap="wrap", gap="0.3em 1em", class_name="organizer-answer-row", data_key=a.key,
        data_changed=rx.cond(a.changed, "yes", "no"))


def answers_panel() -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.heading(t("Answers"), size="3"), rx.spacer(),
                  rx.cond(O.org_open_status == "submitted",
                          rx.button(t("Reopen"), size="1", variant="soft", on_click=O.reopen, id="reopen-organizer")),
                  rx.button(t("Close"), size="1", variant="ghost", color_scheme="gray", on_click=O.close),
                  width="100%", align="center"),
        rx.cond(O.org_reopen_asked != "", rx.callout(O.org_reopen_asked, icon="info", color_scheme="amber", size="1",
                                                     id="organizer-reopen-asked", width="100%")),
        rx.cond(O.org_open_status == "submitted", rx.hstack(
            rx.text(t("{n} of {total} reviewed", n=O.org_review_done, total=O.org_review_total), size="2",
                    id="organizer-review-count"),
            rx.cond((O.org_review_done >= O.org_review_total) & (O.org_reviewed != ""),
                    rx.badge(O.org_reviewed, color_scheme="green", id="organizer-reviewed"),
                    rx.button(t("Mark all reviewed"), size="1", variant="soft", color_scheme="green",
                              on_click=O.mark_reviewed, id="mark-organizer-reviewed")),
            rx.button(t("Export CSV"), size="1", variant="soft", on_click=O.export_csv, id="export-organizer-csv"),
            rx.button(rx.cond(O.org_pdf_filed != "", t("File the PDF again"), t("File as PDF in documents")),
                      size="1", variant="soft", on_click=O.file_pdf, id="file-organizer-pdf"),
            spacing="2", wrap="wrap", width="100%", align="center")),
        rx.cond((O.org_open_status == "submitted") & (O.org_pdf_filed != ""),
                rx.text(t("Filed in the account's documents on submission: {name}", name=O.org_pdf_filed), size="1",
                        color_scheme="gray", id="organizer-pdf-filed", style={"overflowWrap": "anywhere"})),
        rx.cond(O.org_answers.length() > 0, rx.vstack(rx.foreach(O.org_answers, answer_row), width="100%", spacing="0"),
                rx.text(t("No answers yet."), size="2", color_scheme="gray")),
        width="100%", spacing="2"), width="100%", id="organizer-answers")


def organizers_section() -> rx.Component:
    return section(
        t("Organizers"),
        error_callout(O.org_error),
        rx.cond(O.org_templates.length() > 0, send_form(),
                rx.cond(AppState.is_admin,
                        rx.link(t("Create an organizer template"), href=routes.ORGANIZER_TEMPLATES, size="2"),
                        rx.text(t("No organizer templates yet; an admin can create them."), size="2",
                                color_scheme="gray"))),
        rx.cond(O.org_items.length() > 0,
                rx.vstack(rx.foreach(O.org_items, organizer_row), width="100%", spacing="0", id="organizer-list"),
                rx.text(t("No organizer sent yet."), size="2", color_scheme="gray")),
        rx.cond(O.org_open > 0, answers_panel()),
        id="organizers-section",
    )

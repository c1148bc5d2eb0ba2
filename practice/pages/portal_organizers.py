"""The client's organizers, phone first: the list of what to fill, and one organizer a section at a time (questions
appear and disappear with their show-if as the client answers, a group's entries added and removed, files uploaded,
every answer saved as it is given), the progress line, and Submit with what is still missing; read-only once
submitted until the firm reopens it."""
from __future__ import annotations

import reflex as rx

from practice import routes
from practice.components.i18n import as_written, t
from practice.components.layout import error_callout
from practice.components.portal_layout import plain_empty, portal_page
from practice.state.portal_organizers import PortalOrganizerState as S

UPLOAD_ID = "organizer-upload"


def organizer_card(o) -> rx.Component:
    return rx.card(rx.link(rx.hstack(
        rx.icon("clipboard-list", size=18),
        rx.vstack(rx.text(o.name, weight="medium"), rx.text(o.status_text, " · ", o.progress, size="1",
                                                            color_scheme="gray"), spacing="0", min_width="0"),
        align="center", width="100%"), href=o.href, underline="none"), width="100%", class_name="portal-organizer")


def list_view() -> rx.Component:
    return rx.cond(S.organizers.length() > 0, rx.vstack(rx.foreach(S.organizers, organizer_card), width="100%"),
                   plain_empty(t("Nothing to fill in right now. When the firm sends you an organizer, it is here.")))


def text_input(q) -> rx.Component:
    kind_type = rx.match(q.kind, ("number", "text"), ("money", "text"), ("date", "date"), "text")
    mode = rx.match(q.kind, ("number", "decimal"), ("money", "decimal"), "text")
    return rx.input(default_value=q.value, type=kind_type, input_mode=mode, read_only=S.read_only, size="3",
                    width="100%", id="answer-" + q.key, on_blur=lambda v: S.save(q.key, v),
                    placeholder=rx.cond(q.kind == "money", "0.00", ""))


def yes_no(q) -> rx.Component:
    return rx.radio_group.root(
        rx.hstack(rx.radio_group.item(value="yes", id="answer-" + q.key + "-yes"), rx.text(t("Yes")),
                  rx.radio_group.item(value="no", id="answer-" + q.key + "-no"), rx.text(t("No")),
                  spacing="2", align="center"),
        value=q.value, on_change=lambda v: S.save(q.key, v), disabled=S.read_only, size="3")


def one_of(q) -> rx.Component:
    # Each choice in the client's words (its French label for a French reader); the value kept is the firm's choice.
    return rx.select.root(
        rx.select.trigger(placeholder=t("Choose"), id="answer-" + q.key, width="100%"),
        rx.select.content(rx.foreach(q.options, lambda o: rx.select.item(o.label, value=o.value,
                                                                          custom_attrs=as_written()))),
        value=q.value, on_change=lambda v: S.save(q.key, v), disabled=S.read_only, size="3")


def several_of(q) -> rx.Component:
    return rx.vstack(rx.foreach(q.options, lambda o: rx.el.label(rx.hstack(
        rx.checkbox(checked=q.chosen.contains(o.value), on_change=lambda c: S.choose(q.key, o.value, c),
                    disabled=S.read_only, size="3"),
        rx.text(o.label, custom_attrs=as_written()), spacing="2", align="center"))), spacing="2")


def file_question(q) -> rx.Component:
    return rx.vstack(
        rx.foreach(q.files, lambda f: rx.hstack(
            rx.icon("file-text", size=16),
            rx.el.a(f.name, href=f.href, rel="noopener", reload_document=True, class_name="organizer-file"),
            rx.spacer(),
            rx.cond(~S.read_only, rx.icon_button(rx.icon("x", size=14), size="1", variant="ghost",
                                                 aria_label=t("Remove"), on_click=S.detach(q.key, f.id))),
            width="100%", align="center")),
        rx.cond(~S.read_only, rx.upload(
            rx.vstack(rx.button(t("Choose files"), type="button", size="3", variant="soft"),
                      rx.text(t("PDF, images, Word, Excel, CSV or text"), size="1", color_scheme="gray"),
                      align="center", spacing="1"),
            id=UPLOAD_ID, multiple=True, max_files=20, width="100%", padding="0.75em",
            border=f"1px dashed {rx.color('gray', 7)}", border_radius="8px",
            on_drop=S.upload(rx.upload_files(upload_id=UPLOAD_ID)))),
        width="100%", spacing="2")


def part_input(q, entry, p) -> rx.Component:
    return rx.vstack(
        rx.text(p.label, rx.cond(p.required, " *", ""), size="2", as_="label", custom_attrs=as_written()),
        rx.input(default_value=p.value, type=rx.cond(p.kind == "date", "date", "text"), size="3", width="100%",
                 read_only=S.read_only, class_name="entry-" + p.key,
                 on_blur=lambda v: S.save_part(q.key, entry.index, p.key, v)),
        spacing="1", width="100%")


def group_question(q) -> rx.Component:
    return rx.vstack(
        rx.foreach(q.rows, lambda e: rx.card(rx.vstack(
            rx.hstack(rx.text(e.title, weight="medium", custom_attrs=as_written()), rx.spacer(),
                      rx.cond(~S.read_only, rx.button(t("Remove"), size="1", variant="soft", color_scheme="red",
                                                      on_click=S.remove_entry(q.key, e.index))),
                      width="100%", align="center"),
            rx.foreach(e.parts, lambda p: part_input(q, e, p)),
            spacing="2", width="100%"), width="100%", class_name="organizer-entry")),
        rx.cond(~S.read_only, rx.button(rx.icon("plus", size=16), t("Add one"), size="3", variant="soft",
                                        on_click=S.add_entry(q.key), id="add-" + q.key)),
        width="100%", spacing="2")


def question(q) -> rx.Component:
    return rx.vstack(
        # The firm's question and its help, in the words it wrote them.
        rx.text(q.label, rx.cond(q.required, " *", ""), weight="medium", size="3", custom_attrs=as_written()),
        rx.cond(q.help != "", rx.text(q.help, size="1", color_scheme="gray", custom_attrs=as_written())),
        rx.match(q.kind, ("yes_no", yes_no(q)), ("one_of", one_of(q)), ("several_of", several_of(q)),
                 ("file", file_question(q)), ("group", group_question(q)),
                 ("long_text", rx.text_area(default_value=q.value, read_only=S.read_only, rows="4", width="100%",
                                            id="answer-" + q.key, on_blur=lambda v: S.save(q.key, v))),
                 text_input(q)),
        rx.cond(q.suggestion != "", rx.hstack(
            rx.text(t("Last year: {answer}", answer=q.suggestion), size="1", color_scheme="gray"),
            rx.cond(~S.read_only, rx.button(t("Same as last year"), size="1", variant="ghost",
                                            on_click=S.same_as_last_year(q.key))), align="center")),
        rx.cond(S.question_error.contains(q.key),
                rx.text(S.question_error[q.key], color_scheme="red", size="2", role="alert")),
        width="100%", spacing="1", class_name="organizer-question", id="question-" + q.key)


def progress_line() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.text(S.progress, size="2", id="organizer-progress"), rx.spacer(),
                  rx.text(S.saved, size="1", color_scheme="green", id="organizer-saved"), width="100%"),
        rx.progress(value=S.percent, width="100%"), width="100%", spacing="1")


def section_nav() -> rx.Component:
    return rx.hstack(
        rx.cond(S.section > 0, rx.button(t("Back"), variant="soft", size="3", on_click=S.go(S.section - 1))),
        rx.spacer(),
        rx.cond(S.last_section,
                rx.cond(~S.read_only, rx.button(t("Submit"), size="3", on_click=S.submit, id="organizer-submit")),
                rx.button(t("Next"), size="3", on_click=S.go(S.section + 1), id="organizer-next")),
        width="100%")


def ask_to_reopen() -> rx.Component:
    return rx.cond(
        S.reopen_asked,
        rx.text(t("You asked the firm to reopen it; you will get an email when you can change your answers."),
                size="2", color_scheme="gray", id="organizer-reopen-asked"),
        rx.form(rx.vstack(
            rx.text_area(name="reason", placeholder=t("What needs correcting? (optional)"), rows="2", width="100%",
                         max_length=500, id="organizer-reopen-reason"),
            rx.button(t("Ask to reopen"), type="submit", size="3", variant="soft", id="organizer-ask-reopen"),
            width="100%", spacing="2"), on_submit=S.ask_to_reopen, width="100%"))


def fill_view() -> rx.Component:
    return rx.vstack(
        rx.heading(S.name, size="5", id="organizer-name", custom_attrs=as_written()),
        rx.cond(S.read_only, rx.callout(t("Submitted. Thank you! The firm has your answers; ask them to reopen it "
                                          "if something needs correcting."), icon="check", color_scheme="green",
                                        id="organizer-submitted")),
        rx.cond(S.read_only, ask_to_reopen()),
        progress_line(),
        rx.text(t("Section {n} of {total}: {title}", n=S.section + 1, total=S.sections.length(),
                  title=S.sections[S.section]), weight="bold", id="organizer-section"),
        rx.vstack(rx.foreach(S.questions, question), key=S.form_key, width="100%", spacing="5"),
        rx.cond((S.missing != "") & S.last_section & ~S.read_only,
                rx.callout(S.missing, icon="info", color_scheme="amber", id="organizer-missing", width="100%")),
        section_nav(),
        width="100%", spacing="4")


def organizers_page() -> rx.Component:
    return portal_page(
        t("Organizers"),
        error_callout(S.error),
        rx.cond(~S.loaded, rx.center(rx.spinner(), padding="2em"),
                rx.cond(S.oid > 0, fill_view(), list_view())),
    )


def register(app: rx.App) -> None:
    app.add_page(organizers_page, route=routes.PORTAL_ORGANIZERS, title=t("Client portal · organizers"),
                 on_load=S.load)
    app.add_page(organizers_page, route=routes.PORTAL_ORGANIZER, title=t("Client portal · organizer"), on_load=S.load)

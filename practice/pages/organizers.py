"""Templates -> Organizers (owners and admins): the organizer templates, one open with its sections and questions,
and the question editor whose show-if condition is checked as it is typed."""
from __future__ import annotations

import reflex as rx

from practice import routes
from practice.components.forms import SELECT_STYLE
from practice.components.i18n import t
from practice.components.layout import empty_state, error_callout, page
from practice.i18n import N_
from practice.pages.work_parts import field, section
from practice.state.base import AppState
from practice.state.organizers import OrganizerTemplatesState as S

# What a question asks for, in the editor's list and beside each question.
KINDS = [("short_text", N_("Short text")), ("long_text", N_("Long text")), ("number", N_("Number")),
         ("money", N_("Money")), ("date", N_("Date")), ("yes_no", N_("Yes or no")), ("one_of", N_("One of a list")),
         ("several_of", N_("Several of a list")), ("file", N_("File upload")),
         ("group", N_("Repeated group (each dependent...)"))]
ROW = {"width": "100%", "align": "center", "wrap": "wrap", "padding_y": "0.35em",
       "border_bottom": f"1px solid {rx.color('gray', 4)}"}


def kind_label(kind) -> rx.Var:
    return rx.match(kind, *[(value, t(label)) for value, label in KINDS], kind)


def small_button(icon: str, label: rx.Var, on_click, color: str = "gray") -> rx.Component:
    return rx.icon_button(rx.icon(icon, size=14), size="1", variant="ghost", color_scheme=color, type="button",
                          aria_label=label, title=label, on_click=on_click)


# --- the list -----------------------------------------------------------------------------------------------------

def organizer_row(o) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.button(o.name, on_click=S.open_template(o.id), variant="ghost", size="2", weight="bold",
                            class_name="organizer-open", padding_x="0", aria_label=t("Open {name}", name=o.name)),
                  rx.text(t("{sections} sections · {questions} questions · {conditions} with a show-if condition",
                            sections=o.sections, questions=o.questions, conditions=o.conditions),
                          size="1", color_scheme="gray"),
                  spacing="0", min_width="0"),
        rx.spacer(),
        rx.button(t("Duplicate"), size="1", variant="soft", color_scheme="gray", on_click=S.duplicate(o.id),
                  aria_label=t("Duplicate {name}", name=o.name)),
        rx.button(t("Delete"), size="1", variant="ghost", color_scheme="red", on_click=S.delete(o.id),
                  aria_label=t("Delete {name}", name=o.name)),
        class_name="organizer-row", **ROW)


def list_section() -> rx.Component:
    return section(
        t("Organizer templates"),
        rx.text(t('Clients fill organizers in the portal. A rule can send one: send organizer "NAME" to account.'),
                size="2", color_scheme="gray"),
        rx.form(rx.hstack(rx.input(name="name", placeholder=t("e.g. 1040 Organizer 2026"), id="organizer-new-name",
                                   required=True, flex="1", min_width="12em"),
                          rx.button(t("Create organizer"), type="submit", id="organizer-create"),
                          width="100%", wrap="wrap", spacing="2"),
                key=S.new_key, on_submit=S.create, reset_on_submit=False, width="100%"),
        rx.cond(S.organizers.length() > 0,
                rx.vstack(rx.foreach(S.organizers, organizer_row), width="100%", spacing="0", id="organizer-list"),
                empty_state(t("No organizer templates yet. Create the first with its name."))),
        id="organizer-templates")


# --- one template -------------------------------------------------------------------------------------------------

def question_row(q, section_id) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.hstack(rx.text(q.label, weight="medium", size="2"),
                      rx.badge(kind_label(q.kind), variant="soft", color_scheme="gray"),
                      rx.cond(q.required, rx.badge(t("Required"), variant="soft", color_scheme="amber")),
                      rx.cond(q.french, rx.badge(t("In French too"), variant="soft", color_scheme="blue",
                                                 class_name="question-french")),
                      spacing="2", wrap="wrap", align="center"),
            rx.text("answer." + q.key, size="1", color_scheme="gray", font_family="monospace"),
            rx.cond(q.show_if != "", rx.text(t("Shown if: {condition}", condition=q.show_if), size="1",
                                              class_name="question-show-if")),
            spacing="0", min_width="0", flex="1"),
        rx.cond(q.group, rx.button(t("Add a sub-question"), size="1", variant="soft", type="button",
                                   on_click=S.new_question(section_id, q.id),
                                   aria_label=t("Add a sub-question to {label}", label=q.label))),
        small_button("arrow-up", t("Move {label} up", label=q.label), S.move_question(q.id, -1)),
        small_button("arrow-down", t("Move {label} down", label=q.label), S.move_question(q.id, 1)),
        rx.button(t("Edit"), size="1", variant="soft", type="button", on_click=S.edit_question(q.id),
                  aria_label=t("Edit {label}", label=q.label)),
        small_button("trash-2", t("Delete {label}", label=q.label), S.delete_question(q.id), "red"),
        padding_left=rx.cond(q.sub, "1.5em", "0"), class_name=rx.cond(q.sub, "organizer-sub-question",
                                                                      "organizer-question"), **ROW)


def section_card(sec) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(
            rx.input(default_value=sec.title, aria_label=t("Section title"), size="2", flex="1", min_width="10em",
                     font_weight="bold", class_name="organizer-section-title",
                     on_blur=lambda v: S.rename_section(sec.id, v)),
            small_button("arrow-up", t("Move section {title} up", title=sec.title), S.move_section(sec.id, -1)),
            small_button("arrow-down", t("Move section {title} down", title=sec.title), S.move_section(sec.id, 1)),
            small_button("trash-2", t("Delete section {title}", title=sec.title), S.delete_section(sec.id),
                         color="red"),
            width="100%", align="center", wrap="wrap"),
        rx.input(default_value=sec.title_fr, aria_label=t("French title of section {title}", title=sec.title),
                 placeholder=t("French title (clients who read French see it; empty: the title above)"), size="1",
                 width="100%", class_name="organizer-section-title-fr",
                 on_blur=lambda v: S.set_section_title_fr(sec.id, v)),
        rx.cond(sec.questions.length() > 0,
                rx.vstack(rx.foreach(sec.questions, lambda q: question_row(q, sec.id)), width="100%", spacing="0"),
                rx.text(t("No questions in this section yet."), size="2", color_scheme="gray")),
        rx.button(t("Add a question"), size="2", variant="soft", type="button", on_click=S.new_question(sec.id, 0),
                  class_name="organizer-add-question", aria_label=t("Add a question to {title}", title=sec.title)),
        width="100%", spacing="2"), width="100%", class_name="organizer-section", key=sec.id)


def open_template() -> rx.Component:
    return rx.vstack(
        rx.form(rx.hstack(rx.input(name="name", default_value=S.open_name, aria_label=t("Organizer name"),
                                   id="organizer-name", flex="1", min_width="12em", size="3"),
                          rx.button(t("Rename"), type="submit", variant="soft", id="organizer-rename"),
                          rx.button(t("Close"), type="button", variant="ghost", color_scheme="gray",
                                    on_click=S.close_template),
                          width="100%", wrap="wrap", spacing="2", align="center"),
                key=S.form_key, on_submit=S.rename, reset_on_submit=False, width="100%"),
        rx.input(default_value=S.open_name_fr, aria_label=t("French name of the organizer"), key=S.form_key,
                 placeholder=t("French name (clients who read French see it; empty: the name above)"), size="2",
                 width="100%", id="organizer-name-fr", on_blur=S.set_name_fr),
        rx.foreach(S.sections, section_card),
        rx.form(rx.hstack(rx.input(name="title", placeholder=t("New section, e.g. Income"), id="organizer-new-section",
                                   required=True, flex="1", min_width="12em"),
                          rx.button(t("Add a section"), type="submit", variant="soft", id="organizer-add-section"),
                          width="100%", wrap="wrap", spacing="2"),
                key=S.form_key, on_submit=S.add_section, reset_on_submit=True, width="100%"),
        width="100%", spacing="3", id="organizer-open")


# --- the question editor ------------------------------------------------------------------------------------------

def editor_fields() -> rx.Component:
    return rx.vstack(
        field(t("Question"), rx.input(name="label", default_value=S.draft["label"], id="question-label",
                                      required=True)),
        rx.hstack(
            field(t("Asks for"), rx.el.select(*[rx.el.option(t(label), value=value) for value, label in KINDS],
                                              default_value=S.kind, on_change=S.set_kind, id="question-kind",
                                              style=SELECT_STYLE)),
            field(t("Key (what conditions read: answer.key)"),
                  rx.input(name="key", default_value=S.draft["key"], id="question-key",
                           placeholder=t("made from the question"))),
            width="100%", wrap="wrap", spacing="2"),
        rx.el.label(rx.hstack(rx.checkbox(checked=S.required, on_change=S.set_required, id="question-required"),
                              rx.text(t("Required"), size="2"), spacing="2", align="center")),
        field(t("Help shown under the question"), rx.text_area(name="help", default_value=S.draft["help"],
                                                              rows="2", id="question-help")),
        rx.cond((S.kind == "one_of") | (S.kind == "several_of"),
                field(t("Choices, one a line"), rx.text_area(name="options", default_value=S.draft["options"],
                                                            rows="4", id="question-options"))),
        french_fields(),
        width="100%", spacing="2")


def french_fields() -> rx.Component:
    """The question's French version: clients who read French see it (each empty text: the one above)."""
    return rx.el.details(
        rx.el.summary(t("French version"), style={"cursor": "pointer", "fontWeight": "500"},
                      id="question-french-summary"),
        rx.vstack(
            rx.text(t("Clients who read French see these words; leave one empty and they see the text above. The "
                      "answer kept is the same in both languages, so conditions and fields keep working."),
                    size="1", color_scheme="gray"),
            field(t("French question"), rx.input(name="label_fr", default_value=S.draft["label_fr"],
                                                 id="question-label-fr")),
            field(t("French help"), rx.text_area(name="help_fr", default_value=S.draft["help_fr"], rows="2",
                                                 id="question-help-fr")),
            rx.cond((S.kind == "one_of") | (S.kind == "several_of"),
                    field(t("French choices, one a line, in the same order as the choices"),
                          rx.text_area(name="options_fr", default_value=S.draft["options_fr"], rows="4",
                                       id="question-options-fr"))),
            width="100%", spacing="2", padding_top="0.5em"),
        open=(S.draft["label_fr"] != "") | (S.draft["help_fr"] != "") | (S.draft["options_fr"] != ""),
        width="100%", id="question-french")


def condition_field() -> rx.Component:
    return rx.vstack(
        field(t("Show only if (leave empty to always show)"),
              rx.input(name="show_if", default_value=S.draft["show_if"], id="question-show-if",
                       font_family="monospace", on_change=S.check_show_if.debounce(400),
                       placeholder='answer.has_rental is yes and account.type is "Individual"')),
        rx.cond(S.problems.length() > 0,
                rx.vstack(rx.foreach(S.problems, lambda p: rx.text(p, size="1", color_scheme="red")),
                          role="status", id="question-show-if-problems", spacing="1", width="100%"),
                rx.text(t("A condition reads the answers of earlier questions and the account's and contact's "
                          "fields."), size="1", color_scheme="gray")),
        width="100%", spacing="1")


def question_editor() -> rx.Component:
    return rx.card(rx.form(rx.vstack(
        rx.heading(rx.cond(S.edit_id > 0, t("Change the question"), t("New question")), size="3"),
        error_callout(S.editor_error),
        editor_fields(),
        rx.cond(S.edit_parent == 0, condition_field()),
        rx.cond(S.edit_parent == 0, rx.hstack(
            field(t("On submission, write the answer into (a custom field, e.g. account.filing_status)"),
                  rx.input(name="field_target", default_value=S.draft["field_target"], id="question-target")),
            field(t("Tags to add"), rx.input(name="tags_add", default_value=S.draft["tags_add"], id="question-tags-add",
                                             placeholder=t("comma separated"))),
            field(t("Tags to remove"), rx.input(name="tags_remove", default_value=S.draft["tags_remove"],
                                                id="question-tags-remove")),
            width="100%", wrap="wrap", spacing="2")),
        rx.hstack(rx.button(t("Save question"), type="submit", id="question-save"),
                  rx.button(t("Cancel"), type="button", variant="soft", color_scheme="gray",
                            on_click=S.cancel_question),
                  spacing="2"),
        width="100%", spacing="3"),
        key=S.editor_key, on_submit=S.save_question, reset_on_submit=False, width="100%"),
        width="100%", id="question-editor")


def organizers_page() -> rx.Component:
    return page(
        t("Organizers"),
        rx.cond(
            AppState.is_admin,
            rx.vstack(
                error_callout(S.error),
                rx.cond(S.open_id > 0,
                        rx.vstack(rx.cond(S.editing, question_editor()), open_template(), width="100%", spacing="3"),
                        list_section()),
                width="100%", spacing="3"),
            empty_state(t("Only the owner or an admin can manage organizer templates.")),
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(organizers_page, route=routes.ORGANIZER_TEMPLATES, title=t("Organizers · practice"),
                 on_load=[AppState.require_login, S.load])

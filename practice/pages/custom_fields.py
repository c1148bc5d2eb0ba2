"""Settings → Custom fields: the firm's own fields on accounts, contacts and jobs (owners and admins)."""
import reflex as rx

from practice import routes
from practice.components.forms import SELECT_STYLE, label
from practice.components.i18n import as_written, t
from practice.components.layout import SETTINGS_TABS, empty_state, error_callout, page, section_tabs
from practice.state.base import AppState
from practice.state.custom_fields import CustomFieldsState as S
from practice.state.custom_fields import FieldItem
from practice.state.custom_fields import FieldTypeState as FT

ENTITIES = [("job", "Jobs"), ("account", "Accounts"), ("contact", "Contacts")]
TYPES = [("text", "Text"), ("choice", "One of a list"), ("number", "Number"), ("money", "Money"), ("date", "Date"),
         ("yesno", "Yes/no"), ("email", "Email"), ("phone", "Phone"), ("url", "Web address")]


def _select(choices, *, name: str, id: str, **props) -> rx.Component:
    return rx.el.select(*[rx.el.option(t(text), value=value) for value, text in choices], name=name, id=id,
                        style=SELECT_STYLE, **props)


def add_form() -> rx.Component:
    return rx.card(rx.form(
        rx.vstack(
            rx.heading(t("Add a field"), size="4"),
            error_callout(S.add_error),
            rx.hstack(
                rx.vstack(label(t("On"), "field-entity"), _select(ENTITIES, name="entity", id="field-entity"),
                          spacing="1"),
                rx.vstack(label(t("Label"), "field-label"),
                          rx.input(id="field-label", name="label", placeholder=t("Filing status"), required=True,
                                   max_length=80, width=["100%", "260px"]), spacing="1"),
                rx.vstack(label(t("Type"), "field-type"),
                          _select(TYPES, name="type", id="field-type", on_change=S.set_new_type), spacing="1"),
                wrap="wrap", spacing="3", align="end", width="100%",
            ),
            rx.cond(S.new_type == "choice", rx.vstack(
                label(t("Choices, one per line"), "field-options"),
                rx.text_area(id="field-options", name="options", rows="5", width=["100%", "360px"],
                             placeholder=t("Single\nMFJ\nMFS\nHOH")),
                spacing="1", width="100%")),
            rx.vstack(
                label(t("Key used by rules (optional: made from the label)"), "field-key"),
                rx.input(id="field-key", name="key", placeholder="filing_status", max_length=40,
                         width=["100%", "260px"], auto_complete="off", spell_check=False),
                rx.text(t("Rules read the field as job.<key>, account.<key> or contact.<key>. The key never changes, "
                          "so you can rename the label later without touching the rules."),
                        size="1", color_scheme="gray"),
                spacing="1", width="100%"),
            rx.button(rx.icon("plus", size=14), t("Add field"), type="submit", id="add-field"),
            spacing="3", align="start", width="100%",
        ),
        key=S.add_key.to_string(), on_submit=S.create_field, reset_on_submit=False,
    ), width="100%", id="add-field-card")


def field_row(f: FieldItem) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(f.label, weight="medium", custom_attrs=as_written()),
                      rx.text(f.entity + "." + f.key, size="1", color_scheme="gray", font_family="monospace",
                              custom_attrs=as_written())),
        rx.table.cell(f.type_label),
        rx.table.cell(rx.hstack(
            rx.icon_button(rx.icon("arrow-up", size=14), size="1", variant="soft", color_scheme="gray",
                           disabled=f.first, on_click=S.move(f.id, -1), aria_label=t("Move {label} up", label=f.label)),
            rx.icon_button(rx.icon("arrow-down", size=14), size="1", variant="soft", color_scheme="gray",
                           disabled=f.last, on_click=S.move(f.id, 1), aria_label=t("Move {label} down", label=f.label)),
            rx.button(t("Edit"), size="1", variant="soft", on_click=S.start_edit(f.id), id="edit-field-" + f.key),
            rx.button(t("Change type"), size="1", variant="soft", on_click=FT.start(f.id, f.label, f.type, f.options),
                      id="type-field-" + f.key),
            rx.button(t("Delete"), size="1", variant="soft", color_scheme="red", on_click=S.ask_delete(f.id),
                      id="delete-field-" + f.key),
            spacing="2", wrap="wrap")),
        id="field-row-" + f.entity + "-" + f.key,
    )


def fields_list() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t("The firm's fields"), size="4"),
        error_callout(S.error),
        rx.cond(S.fields.length() == 0,
                empty_state(t("No custom fields yet. Add the details your firm keeps on its clients and jobs, like a "
                              "filing status or a fiscal year end.")),
                rx.box(rx.table.root(
                    rx.table.header(rx.table.row(rx.table.column_header_cell(t("Field")),
                                                 rx.table.column_header_cell(t("Type")),
                                                 rx.table.column_header_cell(""))),
                    rx.table.body(rx.foreach(S.fields, field_row)),
                    width="100%", size="1"), overflow_x="auto", width="100%")),
        spacing="3", width="100%"), width="100%", id="fields-card")


def edit_dialog() -> rx.Component:
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(t("Edit field")),
        rx.form(rx.vstack(
            error_callout(S.edit_error),
            label(t("Label"), "edit-field-label"),
            rx.input(id="edit-field-label", name="label", default_value=S.edit_label, required=True, max_length=80,
                     width="100%"),
            rx.cond(S.edit_choice, rx.vstack(
                label(t("Choices, one per line"), "edit-field-options"),
                rx.text_area(id="edit-field-options", name="options", default_value=S.edit_options, rows="6",
                             width="100%"), spacing="1", width="100%")),
            rx.text(t("Rules keep reading the field by its key, whatever its label."), size="1", color_scheme="gray"),
            rx.hstack(rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", type="button")),
                      rx.button(t("Save field"), type="submit", id="save-field"), justify="end", spacing="3",
                      width="100%"),
            spacing="2", width="100%"),
            key=S.edit_id.to_string() + S.edit_label, on_submit=S.save_edit, reset_on_submit=False),
    ), open=S.edit_open, on_open_change=S.set_edit_open)


def type_dialog() -> rx.Component:
    preview = rx.cond(FT.checked, rx.vstack(
        rx.cond(FT.refusal != "", rx.callout(FT.refusal, icon="triangle_alert", color_scheme="red", size="1",
                                             id="type-refusal", width="100%")),
        rx.text(FT.summary, size="2", id="type-summary"),
        rx.box(rx.foreach(FT.misfits, lambda m: rx.text(m, size="1", custom_attrs=as_written())),
               max_height="10em", overflow_y="auto", width="100%", id="type-misfits"),
        spacing="2", width="100%"))
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(t("Change the type of “{label}”", label=FT.label)),
        rx.form(rx.vstack(
            error_callout(FT.error),
            label(t("New type"), "type-new"),
            rx.el.select(*[rx.el.option(t(text), value=value) for value, text in TYPES], id="type-new",
                         value=FT.new_type, on_change=FT.set_type, style=SELECT_STYLE),
            rx.cond(FT.new_type == "choice", rx.vstack(
                label(t("Choices, one per line"), "type-options"),
                rx.text_area(id="type-options", name="options", default_value=FT.options, rows="5", width="100%"),
                spacing="1", width="100%")),
            rx.button(t("Check the values"), type="submit", variant="soft", id="type-check"),
            preview,
            rx.hstack(rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", type="button")),
                      rx.button(t("Change type"), type="button", on_click=FT.apply, id="type-apply",
                                disabled=~FT.checked | (FT.refusal != "")),
                      justify="end", spacing="3", width="100%"),
            spacing="2", width="100%"),
            key=FT.field_id.to_string(), on_submit=FT.check, reset_on_submit=False),
    ), open=FT.field_id != 0, on_open_change=FT.set_open)


def delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(rx.alert_dialog.content(
        rx.alert_dialog.title(t("Delete “{label}”?", label=S.delete_label)),
        rx.alert_dialog.description(t("Its value on every record is deleted with it. This cannot be undone.")),
        error_callout(S.delete_error),
        rx.hstack(
            rx.alert_dialog.cancel(rx.button(t("Keep it"), variant="soft", color_scheme="gray", type="button",
                                             id="keep-field")),
            rx.button(t("Delete field"), color_scheme="red", on_click=S.confirm_delete, type="button",
                      id="confirm-delete-field"),
            justify="end", spacing="3", margin_top="1em"),
    ), open=S.delete_id != 0, on_open_change=S.set_delete_open)


def custom_fields_page() -> rx.Component:
    return page(
        t("Settings"),
        section_tabs(SETTINGS_TABS, routes.CUSTOM_FIELDS, "settings", "Settings"),
        rx.text(t("Fields your firm adds to accounts, contacts and jobs. Staff fill them on each record's page, and "
                  "rules read them, like: if job.filing_status is \"MFJ\"."), size="2", color_scheme="gray"),
        fields_list(),
        add_form(),
        edit_dialog(),
        delete_dialog(),
        type_dialog(),
    )


def register(app: rx.App) -> None:
    app.add_page(custom_fields_page, route=routes.CUSTOM_FIELDS, title=t("Custom fields · practice"),
                 on_load=[AppState.require_login, S.load])

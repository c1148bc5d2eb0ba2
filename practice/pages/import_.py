"""Import accounts and contacts from a CSV file: upload, check, choose, import."""
import reflex as rx

from practice import routes
from practice.components.i18n import as_written, t, tn
from practice.components.layout import empty_state, error_callout, page
from practice.services.work import csv_file
from practice.state.base import AppState
from practice.state.import_ import IGNORE, REFUSAL_ID, RESULT_ID, ImportState

UPLOAD_ID = "csv-upload"


def upload_zone() -> rx.Component:
    return rx.upload(
        rx.vstack(
            rx.icon("file-up", size=28),
            rx.button(t("Choose a CSV file"), type="button", id="choose-csv"),
            rx.text(t("or drop it here. Exports from TaxDome, Karbon, QuickBooks or a spreadsheet work: one row per "
                      "contact, with at least an account name column. Up to {size} MB and {rows} rows.",
                      size=csv_file.MAX_BYTES // 1024 // 1024, rows=f"{csv_file.MAX_ROWS:,}".replace(",", "\u202f")),
                    size="2", color_scheme="gray", align="center"),
            align="center", spacing="2",
        ),
        id=UPLOAD_ID,
        accept={"text/csv": [".csv"], "text/plain": [".csv", ".txt"], "application/vnd.ms-excel": [".csv"]},
        multiple=False, max_files=1, max_size=csv_file.MAX_BYTES,
        on_drop=ImportState.handle_upload(rx.upload_files(upload_id=UPLOAD_ID)),
        on_drop_rejected=ImportState.file_rejected,
        border=f"2px dashed {rx.color('gray', 7)}", border_radius="8px", padding="1.5em", width="100%",
        cursor="pointer",
    )


def column_mapping(col) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(col.name, weight="medium")),
        rx.table.cell(
            rx.select.root(
                rx.select.trigger(aria_label=t("Field for column {name}", name=col.name), width="100%"),
                rx.select.content(
                    rx.select.item(t("Not imported"), value=IGNORE),
                    *[rx.select.item(label, value=key) for key, label in csv_file.FIELDS.items()],
                    rx.foreach(ImportState.custom_choices,
                               lambda c: rx.select.item(c.label, value=c.value, custom_attrs=as_written())),
                ),
                value=col.field,
                on_change=lambda value: ImportState.set_column_field(col.index, value),
                disabled=ImportState.importing | (ImportState.result != ""),
            ),
        ),
    )


def preview_table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(
                rx.table.column_header_cell(t("Line")),
                rx.foreach(ImportState.columns, lambda c: rx.table.column_header_cell(c.name)))),
            rx.table.body(rx.foreach(
                ImportState.preview_rows,
                lambda row: rx.table.row(rx.foreach(row, lambda cell: rx.table.cell(cell))))),
            size="1", id="preview-table",
        ),
        overflow_x="auto", width="100%",
    )


def errors_table() -> rx.Component:
    return rx.cond(
        ImportState.line_errors.length() > 0,
        rx.vstack(
            rx.heading(t("Rows with errors"), size="3"),
            rx.table.root(
                rx.table.header(rx.table.row(rx.table.column_header_cell(t("Line")),
                                             rx.table.column_header_cell(t("What is wrong")))),
                rx.table.body(rx.foreach(ImportState.line_errors, lambda e: rx.table.row(
                    rx.table.cell(e.line), rx.table.cell(e.message)))),
                size="1", width="100%", id="row-errors",
            ),
            rx.cond(ImportState.more_errors > 0,
                    rx.text(tn("…and {n} more row with errors.", "…and {n} more rows with errors.", ImportState.more_errors), size="2")),
            width="100%", align="stretch",
        ),
    )


def translations_table() -> rx.Component:
    return rx.cond(
        ImportState.translations.length() > 0,
        rx.vstack(
            rx.heading(t("Values read differently than typed"), size="3"),
            rx.text(t("Check these before importing: each value on the left is imported as shown on the right."),
                    size="2", color_scheme="gray"),
            rx.box(rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell(t("Column")), rx.table.column_header_cell(t("In the file")),
                    rx.table.column_header_cell(t("Imported as")), rx.table.column_header_cell(t("Lines")))),
                rx.table.body(rx.foreach(ImportState.translations, lambda row: rx.table.row(
                    rx.table.cell(row.column), rx.table.cell(row.value), rx.table.cell(rx.text(row.becomes, weight="medium")),
                    rx.table.cell(row.lines)))),
                size="1", width="100%", id="value-translations",
            ), overflow_x="auto", width="100%"),
            width="100%", align="stretch",
        ),
    )


def flag_card(flag) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(flag.question, size="2", weight="medium"),
            rx.radio_group.root(
                rx.foreach(flag.options, lambda o: rx.text(
                    rx.flex(rx.radio_group.item(value=o.value), o.label, gap="2", align="start"),
                    as_="label", size="2")),
                value=flag.chosen, direction="column", spacing="2",
                on_change=lambda value: ImportState.set_answer(flag.key, value),
                disabled=ImportState.importing | (ImportState.result != ""),
            ),
            rx.cond(flag.chosen == "", rx.badge(t("Waiting for your choice"), color_scheme="amber")),
            spacing="2", align="stretch",
        ),
        id=flag.dom_id, width="100%",
    )


def flags_list() -> rx.Component:
    return rx.cond(
        ImportState.flags.length() > 0,
        rx.vstack(
            rx.heading(t("Rows that need your choice"), size="3"),
            rx.text(t("A shared name or email is never merged by guessing: say what each flagged row is. Map an "
                    "\"Account key\" column to make rows with the same key one account."), size="2",
                    color_scheme="gray"),
            rx.hstack(
                rx.button(t("Same name: all one account"), size="1", variant="soft", id="answer-all-join",
                          on_click=ImportState.answer_all("join")),
                rx.button(t("Same name: all separate accounts"), size="1", variant="soft", id="answer-all-new",
                          on_click=ImportState.answer_all("new")),
                rx.button(t("Same email: link all"), size="1", variant="soft", id="answer-all-link",
                          on_click=ImportState.answer_all("link")),
                rx.button(t("Same email: skip all"), size="1", variant="soft", id="answer-all-skip",
                          on_click=ImportState.answer_all("skip")),
                wrap="wrap", spacing="2",
            ),
            rx.foreach(ImportState.flags, flag_card),
            rx.cond(ImportState.more_flags > 0,
                    rx.text(tn("…and {n} more flagged row: use the buttons above to answer them all.",
                               "…and {n} more flagged rows: use the buttons above to answer them all.",
                               ImportState.more_flags), size="2")),
            width="100%", align="stretch", id="row-flags",
        ),
    )


def import_controls() -> rx.Component:
    return rx.vstack(
        rx.cond(
            ImportState.line_errors.length() > 0,
            rx.text(
                rx.hstack(
                    rx.checkbox(id="skip-bad-rows", checked=ImportState.skip_bad_rows,
                                on_change=ImportState.set_skip_bad_rows,
                                disabled=ImportState.importing | (ImportState.result != "")),
                    t("Skip rows with errors (import the others)"),
                    spacing="2", align="center"),
                as_="label", size="2",
            ),
        ),
        rx.hstack(
            rx.button(tn("Import {n} row", "Import {n} rows", ImportState.rows_to_import),
                      id="run-import", on_click=ImportState.run_import, loading=ImportState.importing,
                      disabled=ImportState.importing | (ImportState.result != "") | (ImportState.rows_to_import == 0)),
            rx.button(t("Choose another file"), variant="soft", color_scheme="gray", on_click=ImportState.start_over,
                      disabled=ImportState.importing, id="start-over"),
            wrap="wrap",
        ),
        rx.cond(ImportState.skipped_note != "",
                rx.text(ImportState.skipped_note, size="2", color_scheme="gray", id="import-skipped-note")),
        rx.cond(ImportState.import_error != "",
                rx.callout(ImportState.import_error, icon="triangle-alert", color_scheme="red", role="alert",
                           width="100%", id=REFUSAL_ID)),
        rx.cond(
            ImportState.importing | (ImportState.progress > 0),
            rx.hstack(rx.progress(value=ImportState.progress, max=100, width="100%", id="import-progress"),
                      rx.text(ImportState.progress, "%", size="2", id="import-progress-text", min_width="3em"),
                      width="100%", align="center"),
        ),
        rx.cond(
            ImportState.result != "",
            rx.callout(rx.vstack(rx.text(ImportState.result, id=RESULT_ID),
                                 rx.link(t("Go to Accounts"), href=routes.ACCOUNTS, id="go-to-accounts")),
                       icon="circle-check", color_scheme="green", width="100%"),
        ),
        width="100%", align="stretch",
    )


def file_review() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.icon("file-text", size=18), rx.text(ImportState.file_name, weight="bold"),
                  rx.text(ImportState.row_count, " rows", color_scheme="gray", size="2"), align="center"),
        rx.cond(ImportState.encoding_note != "",
                rx.callout(ImportState.encoding_note, icon="info", color_scheme="amber", width="100%")),
        rx.text(ImportState.summary, id="import-summary"),
        rx.cond(ImportState.unknown_columns.length() > 0,
                rx.text(t("Columns not imported: "), ImportState.unknown_columns.join(", "),
                        t(". Choose a field for them below if they matter."), size="2", color_scheme="gray",
                        id="unknown-columns")),
        rx.heading(t("Columns"), size="3"),
        rx.table.root(
            rx.table.header(rx.table.row(rx.table.column_header_cell(t("Column in the file")),
                                         rx.table.column_header_cell(t("Imported as")))),
            rx.table.body(rx.foreach(ImportState.columns, column_mapping)),
            size="1", max_width="520px",
        ),
        rx.heading(t("First rows"), size="3"),
        preview_table(),
        translations_table(),
        flags_list(),
        errors_table(),
        import_controls(),
        width="100%", align="stretch", spacing="3",
    )


def import_page() -> rx.Component:
    return page(
        t("Import"),
        error_callout(ImportState.error),
        rx.cond(
            ImportState.file_name != "",
            file_review(),
            rx.vstack(
                upload_zone(),
                empty_state(t("Nothing imported yet. Choose a CSV file: you will see what it contains and any row "
                            "with a problem before anything is saved.")),
                width="100%",
            ),
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(import_page, route=routes.IMPORT, title=t("Import · practice"),
                 on_load=[AppState.require_login, ImportState.load])

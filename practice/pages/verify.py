"""The public verify page: anyone checks a signed PDF's seal and reads its audit trail (no login)."""
import reflex as rx

from practice import routes
from practice.components.i18n import t
from practice.components.layout import error_callout
from practice.state.verify import AuditRow, Fact, VerifyState, max_bytes

UPLOAD_ID = "verify-upload"


def fact_row(f: Fact) -> rx.Component:
    return rx.table.row(rx.table.row_header_cell(f.label, width=["40%", "35%"]),
                        rx.table.cell(rx.text(f.value, style={"overflowWrap": "anywhere"})))


def audit_row(r: AuditRow) -> rx.Component:
    return rx.cond(
        r.kind == "heading",
        rx.table.row(rx.table.cell(rx.text(r.label, weight="bold"), col_span=2)),
        rx.table.row(rx.table.row_header_cell(r.label, width=["40%", "35%"]),
                     # The trail's values are the file's record, in the words it was sealed with.
                     rx.table.cell(rx.text(r.value, style={"overflowWrap": "anywhere"}),
                                   class_name="verify-audit-value")),
    )


def verdict() -> rx.Component:
    icon = rx.match(VerifyState.verdict, ("good", rx.icon("shield-check")), ("foreign", rx.icon("shield-alert")),
                    rx.icon("shield-x"))
    colour = rx.match(VerifyState.verdict, ("good", "green"), ("foreign", "amber"), "red")
    return rx.callout.root(rx.callout.icon(icon), rx.callout.text(VerifyState.summary, id="verify-summary"),
                           color_scheme=colour, width="100%", id="verify-verdict",
                           data_verdict=VerifyState.verdict)


def result() -> rx.Component:
    return rx.vstack(
        rx.text(t("Checked:"), " ", rx.text.strong(VerifyState.file_name), size="2", color_scheme="gray"),
        verdict(),
        rx.cond(VerifyState.problems.length() > 0,
                rx.unordered_list(rx.foreach(VerifyState.problems, lambda p: rx.list_item(p, size="2")),
                                  id="verify-problems")),
        rx.table.root(rx.table.body(rx.foreach(VerifyState.facts, fact_row)), width="100%", size="1",
                      id="verify-facts"),
        rx.cond(VerifyState.audit_rows.length() > 0,
                rx.vstack(rx.heading(t("Audit trail"), size="4"),
                          rx.cond(VerifyState.verdict == "changed",
                                  rx.text(t("The file was changed after sealing, so this trail may have been "
                                            "changed too."), size="2", color_scheme="red")),
                          rx.table.root(rx.table.body(rx.foreach(VerifyState.audit_rows, audit_row)),
                                        width="100%", size="1", id="verify-audit"),
                          width="100%", spacing="2"),
                rx.text(t("This file carries no audit trail."), size="2", color_scheme="gray")),
        spacing="3", width="100%",
    )


def verify_page() -> rx.Component:
    limit_mb = max_bytes() // 1024 // 1024
    return rx.center(
        rx.card(
            rx.vstack(
                rx.heading(t("Check a signed document"), size="6"),
                rx.text(t("Choose a PDF signed through this firm. We check its seal: whether the file changed after "
                          "it was sealed, who sealed it and when, and we show its audit trail. The file is checked "
                          "here and not kept."), size="2"),
                rx.upload(
                    rx.vstack(rx.icon("file-search", size=22),
                              rx.button(t("Choose a PDF"), type="button", size="3", id="verify-choose"),
                              rx.text(t("or drop it here (up to {size} MB)", size=limit_mb), size="1", color_scheme="gray"),
                              align="center", spacing="1"),
                    id=UPLOAD_ID, multiple=False, max_files=1, max_size=max_bytes(),
                    accept={"application/pdf": [".pdf"]},
                    on_drop=VerifyState.handle_upload(rx.upload_files(upload_id=UPLOAD_ID)),
                    on_drop_rejected=VerifyState.file_rejected,
                    border=f"2px dashed {rx.color('gray', 7)}", border_radius="8px", padding="1.25em",
                    width="100%", cursor="pointer",
                ),
                error_callout(VerifyState.error),
                rx.cond(VerifyState.checked, result()),
                rx.vstack(
                    rx.text(t("To check signed files in your own PDF reader, add the firm's certificate to the "
                              "reader's trusted certificates."), size="1", color_scheme="gray"),
                    # A button, not a link to "#": that would reload the route and clear the result.
                    rx.button(rx.icon("download", size=14), t("Download the firm's certificate"), type="button",
                              variant="ghost", size="1", id="verify-download-certificate",
                              on_click=VerifyState.download_certificate),
                    spacing="1", align="start"),
                spacing="4", width="100%",
            ),
            width=["96vw", "92vw", "720px"], padding=["1em", "1.5em"],
        ),
        min_height="100vh", background=rx.color("gray", 2), padding_y="2em", align="start",
    )


def register(app: rx.App) -> None:
    app.add_page(verify_page, route=routes.VERIFY, title=t("Check a signed document · practice"),
                 on_load=VerifyState.load)

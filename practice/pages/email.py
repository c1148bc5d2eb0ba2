"""Email: the firm's SMTP settings and a test email, its email templates with a preview, and the outbox."""
import reflex as rx

from practice import routes
from practice.components.i18n import as_written, t
from practice.components.forms import confirm_dialog, label, native_select, static_select
from practice.components.layout import EMAIL_TABS, empty_state, error_callout, page, section_tabs
from practice.components.placeholders import field_placeholder_chips, placeholder_chips, remember_field
from practice.state import page_access
from practice.state.base import AppState
from practice.state.field_views import FieldPlaceholdersState
from practice.state.email import (SECURITY_CHOICES, STATUS_CHOICES, EmailSettingsState, EmailTemplatesState,
                                  OutboxItem, OutboxState, TemplateItem)

SETTINGS_ADMINS_ONLY = page_access.sentence(routes.EMAIL)
OUTBOX_ADMINS_ONLY = page_access.sentence(routes.EMAIL_OUTBOX)
TEMPLATES_READ_ONLY = t("You can read the templates and preview them; only the owner or an admin can change them.")
PLACEHOLDERS = [
    ("{{ account.name }}", t("the account's name")),
    ("{{ contact.first_name }}", t("first name of the contact the email goes to")),
    ("{{ contact.name }}", t("the contact's full name")),
    ("{{ job.name }}", t("the job's name")),
    ("{{ job.due_date }}", t("the job's due date")),
    ("{{ job.stage }}", t("the job's stage")),
    ("{{ job.pipeline }}", t("the job's pipeline")),
    ("{{ job.assignee }}", t("who works on the job")),
    ("{{ firm.name }}", t("your firm's name")),
    ("{{ today }}", t("today's date")),
    ("{{ year }}", t("this year")),
    ("{{ quarter }}", t("this quarter (1 to 4)")),
    ("{{ month }}", t("this month's name")),
]


def section_links(current: str) -> rx.Component:
    return section_tabs(EMAIL_TABS, current, "email", t("Email"))


def admins_only(allowed, content: rx.Component, sentence: str) -> rx.Component:
    """The content for admins, the sentence for everyone else (a spinner while the page loads)."""
    return rx.cond(allowed, content,
                   rx.cond(AppState.member_role != "",
                           rx.cond(AppState.is_admin, rx.spinner(),
                                   empty_state(t(sentence), rx.link(t("Back to home"), href=routes.HOME))),
                           rx.spinner()))


# --- settings ---------------------------------------------------------------------------------

S = EmailSettingsState


def field(text: str, id: str, name: str, default_value, **props) -> rx.Component:
    return rx.vstack(label(text, id), rx.input(id=id, name=name, default_value=default_value, width="100%", **props),
                     spacing="1", width="100%")


def settings_form() -> rx.Component:
    password_note = rx.cond(
        S.login_stored,
        rx.text(t("A password is saved. Leave this empty to keep it, or type a new one to replace it."), size="1",
                color_scheme="gray", id="smtp-password-note"),
        rx.text(t("No password is saved."), size="1", color_scheme="gray", id="smtp-password-note"),
    )
    return rx.card(rx.form(
        rx.vstack(
            rx.heading(t("Mail server"), size="4"),
            error_callout(S.settings_error),
            rx.grid(
                field(t("Host"), "smtp-host", "host", S.host, placeholder="smtp.example.com"),
                field(t("Port"), "smtp-port", "port", S.port, input_mode="numeric", placeholder="587"),
                rx.vstack(label(t("Encryption"), "smtp-security"),
                          static_select([(value, t(text)) for value, text in SECURITY_CHOICES], name="security",
                                        id="smtp-security", default_value=S.security), spacing="1", width="100%"),
                field(t("Username"), "smtp-username", "username", S.username, auto_complete="off"),
                rx.vstack(
                    label(t("Password"), "smtp-password"),
                    # Never filled from the server; autocomplete off so the browser does not offer the login password.
                    rx.input(id="smtp-password", name="smtp_pw", type="password", auto_complete="new-password",
                             width="100%"),
                    password_note,
                    rx.cond(S.login_stored, rx.hstack(
                        rx.el.input(type="checkbox", name="forget_pw", id="smtp-forget-password"),
                        rx.text(t("Remove the saved password"), as_="label", html_for="smtp-forget-password", size="2"),
                        align="center", spacing="2")),
                    spacing="1", width="100%"),
                field(t("From address"), "smtp-from-address", "from_address", S.from_address, type="email",
                      placeholder="office@yourfirm.com"),
                field(t("From name"), "smtp-from-name", "from_name", S.from_name, placeholder=t("Your firm's name")),
                columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%",
            ),
            rx.button(t("Save email settings"), type="submit", id="save-smtp"),
            spacing="3", align="start", width="100%",
        ),
        on_submit=S.save_settings, reset_on_submit=False, key=S.form_version.to_string(),
    ), width="100%", id="smtp-settings")


def test_card() -> rx.Component:
    outcome = rx.cond(
        S.test_outcome != "",
        rx.callout(S.test_outcome, icon=rx.cond(S.test_ok, "circle-check", "triangle-alert"),
                   color_scheme=rx.cond(S.test_ok, "green", "red"), width="100%", id="test-outcome",
                   role="status"),
    )
    return rx.card(rx.form(
        rx.vstack(
            rx.heading(t("Send a test email"), size="4"),
            rx.text(t("Sends a short email with the saved settings right away and says whether it went out."),
                    size="2", color_scheme="gray"),
            error_callout(S.test_error),
            rx.hstack(
                rx.vstack(label(t("To"), "test-to"),
                          rx.input(id="test-to", name="to", type="email", default_value=S.test_to, required=True,
                                   placeholder="you@yourfirm.com", width=["100%", "320px"]),
                          spacing="1"),
                rx.button(t("Send a test email"), type="submit", id="send-test", loading=S.test_sending),
                align="end", wrap="wrap", spacing="3",
            ),
            outcome,
            spacing="3", width="100%",
        ),
        on_submit=S.send_test, reset_on_submit=False,
    ), width="100%", id="smtp-test")


def settings_page() -> rx.Component:
    return page(
        t("Email"),
        section_links(routes.EMAIL),
        error_callout(S.error),
        admins_only(S.allowed, rx.vstack(settings_form(), test_card(), spacing="4", width="100%"),
                    SETTINGS_ADMINS_ONLY),
    )


# --- templates --------------------------------------------------------------------------------

T = EmailTemplatesState


def template_row(tpl: TemplateItem) -> rx.Component:
    return rx.button(
        rx.vstack(rx.text(tpl.name, weight="bold", size="2"), rx.text(tpl.subject, size="1", color_scheme="gray",
                                                                   trim="both"),
                  spacing="0", align="start", min_width="0"),
        on_click=T.open_template(tpl.id), variant=rx.cond(T.template_id == tpl.id, "soft", "ghost"), width="100%",
        height="auto", padding_y="0.5em", style={"justifyContent": "flex-start", "textAlign": "left"},
        class_name="template-item", id="template-" + tpl.id.to_string(), data_template=tpl.name,
    )


def template_list() -> rx.Component:
    return rx.vstack(
        rx.cond(AppState.is_admin,
                rx.button(rx.icon("plus"), t("New template"), on_click=T.new_template, id="new-template")),
        rx.cond(T.templates.length() > 0,
                rx.vstack(rx.foreach(T.templates, template_row), spacing="1", width="100%", id="template-list"),
                empty_state(rx.cond(AppState.is_admin,
                                    t("No email templates yet. Create one: automations and emails to clients use them."),
                                    t("No email templates yet. An admin can create them.")))),
        width=["100%", "100%", "280px"], min_width=["0", "0", "280px"], spacing="3",
    )


def placeholder_help() -> rx.Component:
    return rx.box(
        rx.text(t("Placeholders are filled in for each email; click one to insert it where you are typing:"), size="2",
                weight="medium"),
        placeholder_chips(PLACEHOLDERS, ["tpl-body", "tpl-subject"], "tpl"),
        field_placeholder_chips(["tpl-body", "tpl-subject"], "tpl"),
        rx.text("Also {% if job.due_date %}...{% endif %} and the rest of Jinja. A placeholder that does not exist "
                "stops the email with a sentence saying which.", size="1", color_scheme="gray"),
        id="placeholder-help", width="100%",
    )


def delete_dialog() -> rx.Component:
    return confirm_dialog(
        t("Delete this template?"),
        t("\u201c{name}\u201d will be gone. Emails already queued keep their text; automations that "
          "name it will say the template is missing.", name=T.draft_name),
        confirm=t("Delete template"), on_confirm=T.delete_template, confirm_id="confirm-delete-template",
        open=T.delete_open, on_open_change=T.set_delete_open)


def preview_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t("Preview"), size="4"),
        rx.text(t("Fills in the template above (saved or not) for an account and, if you choose, one of its jobs."),
                size="2", color_scheme="gray"),
        label(t("Account"), "preview-account-search"),
        rx.input(id="preview-account-search", placeholder=t("Search accounts"), value=T.account_query,
                 on_change=T.search_accounts.debounce(250), width=["100%", "320px"]),
        rx.flex(
            rx.foreach(T.account_matches, lambda o: rx.button(
                o.label, type="button", size="1", on_click=T.choose_account(o.value), class_name="preview-account",
                id="preview-account-" + o.value,
                variant=rx.cond(o.value == T.preview_account_id, "solid", "soft"),
                custom_attrs={"aria-pressed": o.value == T.preview_account_id})),
            rx.cond(T.account_matches.length() == 0,
                    rx.text(t("No account matches that search."), size="1", color_scheme="gray")),
            wrap="wrap", spacing="2", width="100%",
        ),
        rx.text(rx.cond(T.preview_account_id != "", t("For: {name}", name=T.preview_account_name), t("No account chosen yet.")),
                size="2", id="preview-account-chosen"),
        rx.cond(T.preview_account_id != "", rx.vstack(
            label(t("Job (optional)"), "preview-job"),
            native_select(T.job_options, name="job", id="preview-job", value=T.preview_job_id,
                          first=("", t("No job")), on_change=T.choose_job),
            spacing="1")),
        rx.button(rx.icon("eye", size=14), t("Preview"), on_click=T.preview, id="preview-template", variant="soft"),
        error_callout(T.preview_error),
        rx.cond(T.has_preview, rx.box(
            rx.text(t("Subject: "), rx.text.strong(T.preview_subject, id="preview-subject"), size="2"),
            rx.separator(margin_y="0.5em"),
            rx.text(T.preview_body, size="2", white_space="pre-wrap", id="preview-body"),
            padding="1em", border=f"1px solid {rx.color('gray', 6)}", border_radius="8px", width="100%",
            id="preview-result",
        )),
        spacing="2", width="100%",
    ), width="100%", id="template-preview")


def french_version(read_only) -> rx.Component:
    """The template's French version: contacts who read French get it (when both fields are filled in)."""
    return rx.el.details(
        rx.el.summary(t("French version"), style={"cursor": "pointer", "fontWeight": "500"}),
        rx.text(t("Contacts who read French get this version; leave it empty and they get the text above."),
                size="1", color_scheme="gray"),
        label(t("French subject"), "tpl-subject-fr"),
        rx.input(id="tpl-subject-fr", value=T.draft_subject_fr, on_change=T.set_draft_subject_fr,
                 read_only=read_only, placeholder="Votre organiseur {{ year }}, {{ contact.first_name }}", width="100%"),
        label(t("French body"), "tpl-body-fr"),
        rx.text_area(id="tpl-body-fr", value=T.draft_body_fr, on_change=T.set_draft_body_fr, read_only=read_only,
                     rows="8", width="100%", style={"fontFamily": "monospace"}),
        open=T.draft_body_fr != "", width="100%", id="tpl-french",
    )


def editor() -> rx.Component:
    read_only = ~AppState.is_admin
    return rx.vstack(
        rx.card(rx.vstack(
            rx.heading(rx.cond(T.template_id > 0, t("Edit template"), t("New template")), size="4"),
            error_callout(T.editor_error),
            label(t("Name"), "tpl-name"),
            rx.input(id="tpl-name", value=T.draft_name, on_change=T.set_draft_name, read_only=read_only,
                     placeholder=t("Organizer reminder"), width="100%"),
            label(t("Subject"), "tpl-subject"),
            rx.input(id="tpl-subject", value=T.draft_subject, on_change=T.set_draft_subject, read_only=read_only,
                     on_focus=remember_field("tpl-subject"),
                     placeholder="Your {{ year }} organizer, {{ contact.first_name }}", width="100%"),
            label(t("Body"), "tpl-body"),
            rx.text_area(id="tpl-body", value=T.draft_body, on_change=T.set_draft_body, read_only=read_only,
                         on_focus=remember_field("tpl-body"),
                         rows="12", width="100%", style={"fontFamily": "monospace"}),
            french_version(read_only),
            placeholder_help(),
            rx.hstack(
                rx.cond(AppState.is_admin, rx.fragment(
                    rx.button(t("Save template"), on_click=T.save_template, id="save-template"),
                    rx.cond(T.template_id > 0,
                            rx.button(t("Delete"), on_click=T.set_delete_open(True), color_scheme="red", variant="soft",
                                      id="delete-template")))),
                rx.button(t("Close"), on_click=T.close_editor, variant="soft", color_scheme="gray", id="close-template"),
                spacing="3", wrap="wrap"),
            spacing="2", width="100%",
        ), width="100%", id="template-editor"),
        preview_card(),
        delete_dialog(),
        spacing="4", width="100%", min_width="0",
    )


def templates_page() -> rx.Component:
    return page(
        t("Email templates"),
        section_links(routes.EMAIL_TEMPLATES),
        error_callout(T.error),
        rx.cond(~AppState.is_admin & (AppState.member_role != ""),
                rx.text(TEMPLATES_READ_ONLY, size="2", color_scheme="gray", id="templates-read-only")),
        rx.flex(
            template_list(),
            rx.cond(T.editing, editor(),
                    rx.box(rx.text(t("Choose a template to read, change or preview it."), color_scheme="gray", size="2"),
                           padding="1em")),
            direction=rx.breakpoints(initial="column", md="row"), spacing="4", width="100%", align="start",
        ),
    )


# --- outbox -----------------------------------------------------------------------------------

STATUS_COLORS = {"queued": "amber", "sending": "blue", "sent": "green", "failed": "red"}


def status_labels() -> dict:
    """Each outbox status as a person reads it, in their language."""
    return {"queued": t("queued"), "sending": t("sending"), "sent": t("sent"), "failed": t("failed")}


def status_badge(status) -> rx.Component:
    return rx.badge(rx.match(status, *status_labels().items(), status),
                    color_scheme=rx.match(status, *STATUS_COLORS.items(), "gray"), class_name="mail-status")


def retry_button(m: OutboxItem) -> rx.Component:
    return rx.cond(m.can_retry, rx.button(t("Retry now"), on_click=OutboxState.retry_now(m.id), size="1", variant="soft",
                                          loading=OutboxState.retrying_id == m.id, id="retry-mail-" + m.id.to_string()))


def mail_row(m: OutboxItem) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(m.created, white_space="nowrap", size="2")),
        rx.table.cell(m.to_address, class_name="mail-to"),
        # The subject as it was sent, in the recipient's language.
        rx.table.cell(m.subject, class_name="mail-subject", custom_attrs=as_written()),
        rx.table.cell(status_badge(m.status)),
        rx.table.cell(m.attempts, class_name="mail-attempts"),
        rx.table.cell(rx.text(m.next_attempt, white_space="nowrap", size="2")),
        rx.table.cell(rx.text(m.last_error, size="2", color_scheme="red"), class_name="mail-error"),
        rx.table.cell(rx.text(m.sent_at, white_space="nowrap", size="2")),
        rx.table.cell(retry_button(m)),
        class_name="outbox-mail", data_mail_id=m.id,
    )


def mail_card(m: OutboxItem) -> rx.Component:
    """The phone-size form of an outbox row."""
    return rx.card(rx.vstack(
        rx.hstack(status_badge(m.status), rx.text(m.created, size="1", color_scheme="gray"), align="center"),
        rx.text(m.to_address, size="2", weight="bold"),
        rx.text(m.subject, size="2", custom_attrs=as_written()),
        rx.cond(m.last_error != "", rx.text(m.last_error, size="1", color_scheme="red")),
        rx.cond(m.sent_at != "", rx.text(t("Sent "), m.sent_at, size="1", color_scheme="gray")),
        rx.cond(m.next_attempt != "", rx.text(t("Next attempt "), m.next_attempt, size="1", color_scheme="gray")),
        retry_button(m),
        spacing="1"), width="100%", class_name="outbox-card")


def outbox_view() -> rx.Component:
    headers = [t("Queued"), t("To"), t("Subject"), t("Status"), t("Attempts"), t("Next attempt"), t("Last error"), t("Sent"), ""]
    return rx.vstack(
        rx.hstack(
            rx.vstack(label(t("Status"), "outbox-status"),
                      static_select([("", t("All"))] + [(s, status_labels()[s]) for s in STATUS_CHOICES], name="status",
                                    id="outbox-status", value=OutboxState.status_filter, on_change=OutboxState.set_status_filter),
                      spacing="1"),
            rx.button(rx.icon("refresh-cw", size=14), t("Refresh"), on_click=OutboxState.refresh, variant="soft",
                      id="outbox-refresh"),
            rx.text(t("Times in "), OutboxState.timezone, size="1", color_scheme="gray"),
            align="end", wrap="wrap", spacing="4",
        ),
        rx.cond(
            OutboxState.mails.length() > 0,
            rx.fragment(
                rx.box(rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                    rx.table.body(rx.foreach(OutboxState.mails, mail_row)),
                    width="100%", id="outbox-table",
                ), width="100%", overflow_x="auto", display=["none", "none", "block"]),
                rx.vstack(rx.foreach(OutboxState.mails, mail_card), width="100%", display=["flex", "flex", "none"]),
            ),
            empty_state(rx.cond(OutboxState.status_filter != "",
                                t("No email has that status. Choose \u201cAll\u201d to see every one."),
                                t("No email sent yet. A test email from the Settings tab shows up here."))),
        ),
        rx.cond(OutboxState.has_more, rx.button(t("Load older"), on_click=OutboxState.load_older, variant="soft", id="outbox-older")),
        spacing="3", width="100%",
    )


def outbox_page() -> rx.Component:
    return page(
        t("Outbox"),
        section_links(routes.EMAIL_OUTBOX),
        error_callout(OutboxState.error),
        admins_only(OutboxState.allowed, outbox_view(), OUTBOX_ADMINS_ONLY),
    )


def register(app: rx.App) -> None:
    app.add_page(settings_page, route=routes.EMAIL, title=t("Email · practice"),
                 on_load=[AppState.require_login, EmailSettingsState.load])
    app.add_page(templates_page, route=routes.EMAIL_TEMPLATES, title=t("Email templates · practice"),
                 on_load=[AppState.require_login, EmailTemplatesState.load, FieldPlaceholdersState.load])
    app.add_page(outbox_page, route=routes.EMAIL_OUTBOX, title=t("Outbox · practice"),
                 on_load=[AppState.require_login, OutboxState.load])

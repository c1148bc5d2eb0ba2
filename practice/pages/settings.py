"""Settings: the firm's name and time zone, its services catalog and its tags."""
import reflex as rx

from practice import routes
from practice.components.forms import label, static_select
from practice.components.i18n import as_written, t
from practice.components.layout import SETTINGS_TABS, empty_state, error_callout, page, section_tabs, tag_badge
from practice.i18n import LANGUAGES, N_
from practice.services.firm import timezone_choices
from practice.state.base import AppState
from practice.state.settings import ServiceItem, SettingsState

ADMIN_ONLY = N_("Only the owner or an admin can change the firm's settings.")


def section(title: rx.Var, *children, id: str) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4"), *children, spacing="3", width="100%"), width="100%",
                   id=id)


def firm_section() -> rx.Component:
    # The zone list is fixed for the process: it is compiled into the page rather than sent per visitor.
    zones = [(z, z.replace("_", " ")) for z in timezone_choices()]
    form = rx.form(
        rx.vstack(
            error_callout(SettingsState.firm_error),
            label(t("Firm name"), "firm-name"),
            rx.input(id="firm-name", name="name", default_value=SettingsState.firm_name,
                     key="firm-name-" + SettingsState.firm_name, required=True, width=["100%", "360px"]),
            label(t("Time zone (dates and times are shown in it)"), "firm-timezone"),
            static_select(zones, name="timezone", id="firm-timezone", default_value=SettingsState.timezone,
                          key="firm-tz-" + SettingsState.timezone),
            label(t("Language of new team members and clients (each can choose theirs)"), "firm-language"),
            static_select(list(LANGUAGES.items()), name="language", id="firm-language",
                          default_value=SettingsState.language, key="firm-language-" + SettingsState.language),
            label(t("Minutes before a chat message is emailed to the client (not sent if they read it meanwhile)"),
                  "firm-chat-delay"),
            rx.input(id="firm-chat-delay", name="chat_delay", type="number", min="0", max="1440",
                     default_value=SettingsState.chat_delay, key="firm-chat-delay-" + SettingsState.chat_delay,
                     width="8em"),
            label(t("Minutes a timer may run before stopping it asks whether to count all of it (0: never asks)"),
                  "firm-idle-limit"),
            rx.input(id="firm-idle-limit", name="idle_limit", type="number", min="0", max="10080",
                     default_value=SettingsState.idle_limit, key="firm-idle-limit-" + SettingsState.idle_limit,
                     width="8em"),
            label(t("Payment instructions, printed on invoices and shown to clients in the portal (bank details, "
                    "where to mail a check)"), "firm-payment-instructions"),
            rx.text_area(id="firm-payment-instructions", name="payment_instructions",
                         default_value=SettingsState.payment_instructions, rows="4", width=["100%", "480px"],
                         key="firm-pay-" + SettingsState.payment_instructions),
            rx.button(t("Save firm settings"), type="submit", id="save-firm"),
            spacing="2", align="start",
        ),
        on_submit=SettingsState.save_firm, reset_on_submit=False,
    )
    readonly = rx.vstack(rx.text(t("Name:"), " ", rx.text.strong(SettingsState.firm_name)),
                         rx.text(t("Time zone:"), " ", rx.text.strong(SettingsState.timezone)), spacing="1")
    return section(t("Firm"), rx.cond(AppState.is_admin, form, readonly), id="firm-settings")


def security_section() -> rx.Component:
    switch = rx.hstack(
        rx.switch(checked=SettingsState.require_two_factor, on_change=SettingsState.set_require_two_factor,
                  id="require-two-factor", disabled=~AppState.is_admin),
        rx.text(t("Require two-factor sign-in for all staff"), as_="label", html_for="require-two-factor", size="2"),
        align="center", spacing="2",
    )
    return section(
        t("Sign-in security"), switch,
        rx.text(t("Members who have not set it up are asked to do so right after they next log in, and can do "
                  "nothing else until they have."), size="2", color_scheme="gray"),
        id="security-settings",
    )


def service_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(SettingsState.service_id > 0, t("Edit service"), t("New service"))),
            rx.form(
                rx.vstack(
                    error_callout(SettingsState.service_error),
                    label(t("Name"), "service-name"),
                    rx.input(id="service-name", name="name", default_value=SettingsState.service_name,
                             required=True, width="100%", auto_focus=True),
                    label(t("Rate in dollars"), "service-rate"),
                    rx.input(id="service-rate", name="rate", default_value=SettingsState.service_rate,
                             placeholder="150.00", input_mode="decimal", required=True, width="100%"),
                    label(t("Description"), "service-description"),
                    rx.text_area(id="service-description", name="description",
                                 default_value=SettingsState.service_description, width="100%"),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", type="button")),
                        rx.button(t("Save service"), type="submit", id="save-service"),
                        justify="end", width="100%"),
                    spacing="2", width="100%",
                ),
                on_submit=SettingsState.save_service, reset_on_submit=False,
            ),
        ),
        open=SettingsState.service_open, on_open_change=SettingsState.set_service_open,
    )


def service_row(s: ServiceItem) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(s.name, custom_attrs=as_written()),
        rx.table.cell(s.rate),
        rx.table.cell(s.description, display=["none", "table-cell"], custom_attrs=as_written()),
        rx.cond(AppState.is_admin,
                rx.table.cell(rx.button(t("Edit"), on_click=SettingsState.start_service(s.id), variant="soft",
                                        size="1", id="edit-service-" + s.id.to_string()))),
        data_service=s.name,
    )


def services_section() -> rx.Component:
    return section(
        t("Services catalog"),
        rx.cond(
            SettingsState.services.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell(t("Service")), rx.table.column_header_cell(t("Rate")),
                    rx.table.column_header_cell(t("Description"), display=["none", "table-cell"]),
                    rx.cond(AppState.is_admin, rx.table.column_header_cell("")))),
                rx.table.body(rx.foreach(SettingsState.services, service_row)),
                width="100%", id="services-table",
            ),
            empty_state(t("No services yet. Add what the firm sells and its rate; invoices and time entries use them.")),
        ),
        rx.cond(AppState.is_admin,
                rx.button(rx.icon("plus"), t("Add service"), on_click=SettingsState.start_service(0), variant="soft",
                          id="add-service")),
        service_dialog(),
        id="services-settings",
    )


def tags_section() -> rx.Component:
    form = rx.form(
        rx.vstack(
            error_callout(SettingsState.tag_error),
            rx.hstack(
                rx.vstack(label(t("Tag name"), "tag-name"),
                          rx.input(id="tag-name", name="name", required=True, width="200px"), spacing="1"),
                rx.vstack(label(t("Colour"), "tag-color"),
                          rx.el.input(type="color", id="tag-color", name="color", default_value="#1d4ed8",
                                      style={"width": "56px", "height": "32px", "padding": "0", "border": "none",
                                             "background": "transparent"}),
                          spacing="1"),
                rx.button(rx.icon("plus", size=14), t("Create tag"), type="submit", id="create-tag"),
                align="end", wrap="wrap",
            ),
            spacing="2",
        ),
        on_submit=SettingsState.create_tag, reset_on_submit=True,
    )
    return section(
        t("Tags"),
        rx.cond(SettingsState.tags.length() > 0,
                rx.flex(rx.foreach(SettingsState.tags,
                                   lambda tag: rx.hstack(tag_badge(tag.name, tag.color),
                                                       rx.text(tag.color, size="1", color_scheme="gray"),
                                                       align="center", spacing="1", data_tag=tag.name)),
                        wrap="wrap", spacing="4", id="tag-list"),
                empty_state(t("No tags yet. Tags sort accounts, jobs and tasks: create one with a name and a colour."))),
        rx.cond(AppState.is_admin, form),
        id="tag-settings",
    )


def signing_section() -> rx.Component:
    return section(
        t("Signing"),
        rx.text(t("The certificate signed files are sealed with, the timestamp server, and the consent text clients "
                  "accept before signing."), size="2", color_scheme="gray"),
        rx.cond(AppState.is_admin,
                rx.link(rx.button(t("Open signing settings"), variant="soft", type="button"),
                        href=routes.SIGNING_SETTINGS, id="open-signing-settings")),
        rx.link(t("Anyone can check a signed file on the verify page"), href=routes.VERIFY, size="2"),
        id="signing-settings",
    )


def backups_section() -> rx.Component:
    form = rx.form(
        rx.vstack(
            error_callout(SettingsState.backup_error),
            rx.hstack(rx.checkbox(name="enabled", id="backup-enabled", default_checked=SettingsState.backup_enabled,
                                  key="backup-on-" + SettingsState.backup_enabled.to_string()),
                      rx.text(t("Back up every day"), as_="label", html_for="backup-enabled", size="2"),
                      align="center", spacing="2"),
            label(t("Folder on the server (outside the data folder, ideally another disk)"), "backup-folder"),
            rx.input(id="backup-folder", name="folder", default_value=SettingsState.backup_folder,
                     key="backup-folder-" + SettingsState.backup_folder, placeholder="/srv/backups/practice",
                     width=["100%", "360px"]),
            label(t("Backups to keep"), "backup-keep"),
            rx.input(id="backup-keep", name="keep", default_value=SettingsState.backup_keep, type="number",
                     key="backup-keep-" + SettingsState.backup_keep, min=1, max=365, width="120px"),
            rx.hstack(rx.button(t("Save backup settings"), type="submit", id="save-backup"),
                      rx.button(t("Back up now"), type="button", variant="soft", id="back-up-now",
                                on_click=SettingsState.back_up_now, loading=SettingsState.backup_running),
                      spacing="2"),
            rx.cond(SettingsState.backup_last != "",
                    rx.text(SettingsState.backup_last, size="2", id="backup-last")),
            spacing="2", align="start",
        ),
        on_submit=SettingsState.save_backup, reset_on_submit=False,
    )
    return section(t("Backups"), form,
                   rx.text(t("Each backup is one archive of the database, the files and the keys, checked after it "
                             "is written; restore one with python -m practice restore (README)."), size="2",
                           color_scheme="gray"),
                   id="backup-settings")


def settings_page() -> rx.Component:
    return page(
        t("Settings"),
        section_tabs(SETTINGS_TABS, routes.SETTINGS, "settings", t("Settings")),
        error_callout(SettingsState.error),
        rx.cond(~AppState.is_admin, rx.text(t(ADMIN_ONLY), color_scheme="gray", size="2", id="settings-read-only")),
        firm_section(),
        security_section(),
        services_section(),
        tags_section(),
        signing_section(),
        rx.cond(AppState.is_owner, backups_section()),
    )


def register(app: rx.App) -> None:
    app.add_page(settings_page, route=routes.SETTINGS, title=t("Settings · practice"),
                 on_load=[AppState.require_login, SettingsState.load])

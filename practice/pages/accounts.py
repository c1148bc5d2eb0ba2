import reflex as rx

from practice import routes
from practice.components.field_views import field_menus
from practice.components.forms import static_select
from practice.components.i18n import as_written, t, tn
from practice.components.layout import empty_state, error_callout, page, tag_badge
from practice.services.work.accounts import ACCOUNT_TYPE_NAMES
from practice.state.accounts import AccountsState
from practice.state.base import AppState


def new_account_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("plus"), t("New account"), id="new-account")),
        rx.dialog.content(
            rx.dialog.title(t("New account")),
            rx.form(
                rx.vstack(
                    error_callout(AccountsState.form_error),
                    rx.text(t("Account name"), as_="label", html_for="account-name", size="2"),
                    rx.input(id="account-name", name="name", required=True, width="100%", auto_focus=True),
                    rx.text(t("Type"), as_="label", html_for="account-type", size="2"),
                    static_select([(value, t(name)) for value, name in ACCOUNT_TYPE_NAMES.items()], name="type",
                                  id="account-type", default_value="Individual"),
                    rx.text(t("Notes"), as_="label", html_for="account-notes", size="2"),
                    rx.text_area(id="account-notes", name="notes", width="100%"),
                    rx.separator(),
                    rx.text(t("First contact (optional)"), weight="bold", size="2"),
                    rx.hstack(
                        rx.input(id="contact-first", name="first_name", placeholder=t("First name"), width="100%"),
                        rx.input(id="contact-last", name="last_name", placeholder=t("Last name"), width="100%"),
                        width="100%"),
                    rx.input(id="contact-email", name="email", placeholder=t("Email"), type="email", width="100%"),
                    rx.input(id="contact-phone", name="phone", placeholder=t("Phone"), width="100%"),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", type="button")),
                        rx.button(t("Create account"), type="submit", id="create-account"),
                        justify="end", width="100%"),
                    spacing="2", width="100%",
                ),
                on_submit=AccountsState.create, reset_on_submit=False,
            ),
        ),
        open=AccountsState.dialog_open, on_open_change=AccountsState.set_dialog_open,
    )


def account_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row.name, href="/accounts/" + row.id.to_string(), custom_attrs=as_written())),
        rx.table.cell(row.type),
        rx.table.cell(rx.hstack(rx.foreach(row.tags, lambda tag: tag_badge(tag.name, tag.color)), wrap="wrap")),
        rx.table.cell(row.contacts),
        rx.foreach(row.fields, lambda v: rx.table.cell(v, custom_attrs=as_written())),
        rx.cond(AppState.sees_billing, rx.table.cell(row.balance, text_align="right", white_space="nowrap",
                                                     class_name="account-balance")),
    )


def accounts_page() -> rx.Component:
    return page(
        t("Accounts"),
        error_callout(AccountsState.error),
        rx.hstack(
            rx.input(placeholder=t("Search accounts or contacts"), aria_label=t("Search accounts or contacts"), value=AccountsState.search,
                     on_change=AccountsState.set_search.debounce(300), width="320px", id="account-search"),
            rx.select.root(
                rx.select.trigger(placeholder=t("All tags"), aria_label=t("Tag")),
                rx.select.content(rx.select.item(t("All tags"), value="all"),
                                  rx.foreach(AccountsState.tag_options, lambda o: rx.select.item(o.label, value=o.value,
                                                                                               custom_attrs=as_written()))),
                on_change=AccountsState.set_tag_filter,
            ),
            field_menus(AccountsState, "accounts"),
            rx.cond(AppState.sees_billing,
                    rx.el.label(rx.hstack(rx.checkbox(checked=AccountsState.owing_filter,
                                                      on_change=AccountsState.set_owing_filter, id="accounts-owing"),
                                          rx.text(t("Owes money"), size="2"), align="center", spacing="1"))),
            rx.text(tn("{n} account", "{n} accounts", AccountsState.total), color_scheme="gray", size="2"),
            wrap="wrap", align="center",
        ),
        rx.cond(
            AccountsState.rows.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(rx.table.column_header_cell(t("Name")), rx.table.column_header_cell(t("Type")),
                                             rx.table.column_header_cell(t("Tags")),
                                             rx.table.column_header_cell(t("Contacts")),
                                             rx.foreach(AccountsState.column_labels, lambda label: rx.table.column_header_cell(
                                                 label, custom_attrs=as_written())),
                                             rx.cond(AppState.sees_billing, rx.table.column_header_cell(
                                                 t("Balance"), text_align="right")))),
                rx.table.body(rx.foreach(AccountsState.rows, account_row)),
                width="100%",
            ),
            empty_state(t("No accounts match. Create one, or import your client list from a CSV file."),
                        rx.link(t("Import from CSV"), href=routes.IMPORT)),
        ),
        rx.hstack(
            rx.button(t("Previous"), on_click=AccountsState.go_to_page(AccountsState.page - 1),
                      disabled=AccountsState.page <= 1, variant="soft"),
            rx.text(t("Page {page} of {pages}", page=AccountsState.page, pages=AccountsState.pages), size="2"),
            rx.button(t("Next"), on_click=AccountsState.go_to_page(AccountsState.page + 1),
                      disabled=AccountsState.page >= AccountsState.pages, variant="soft"),
            align="center",
        ),
        actions=new_account_dialog(),
    )


def register(app: rx.App) -> None:
    app.add_page(accounts_page, route=routes.ACCOUNTS, title=t("Accounts · practice"),
                 on_load=[AppState.require_login, AccountsState.load])

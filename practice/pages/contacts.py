"""The contacts page: a searchable, paged list of people with links to their accounts."""
import reflex as rx

from practice import routes
from practice.components.i18n import as_written, t, tn
from practice.components.layout import empty_state, error_callout, page
from practice.state.base import AppState
from practice.pages.merge_parts import merge_dialog
from practice.pages.work_parts import contact_dialogs
from practice.state.contacts import ContactsState
from practice.state.merge import MergeState


def contact_row(c) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(c.name, weight="medium"), custom_attrs=as_written()),
        rx.table.cell(rx.cond(c.email != "", rx.link(c.email, href="mailto:" + c.email)), custom_attrs=as_written()),
        rx.table.cell(c.phone, custom_attrs=as_written()),
        rx.table.cell(rx.hstack(rx.foreach(c.accounts, lambda a: rx.link(a.label, href=a.value)), wrap="wrap",
                                spacing="2"), custom_attrs=as_written()),
        rx.table.cell(rx.hstack(
            rx.button(t("Edit"), size="1", variant="soft", on_click=ContactsState.edit_contact(c.id),
                      aria_label=t("Edit {name}", name=c.name), id="edit-contact-" + c.id.to_string()),
            rx.cond(AppState.is_admin, rx.hstack(
                rx.button(t("Merge…"), size="1", variant="ghost", aria_label=t("Merge {name} with a duplicate", name=c.name),
                          on_click=MergeState.start("contact", c.id, c.name, 0), id="merge-contact-" + c.id.to_string()),
                rx.icon_button(rx.icon("trash-2", size=14), size="1", variant="ghost", color_scheme="red",
                               aria_label=t("Delete {name}", name=c.name), on_click=ContactsState.ask_delete_contact(c.id),
                               id="delete-contact-" + c.id.to_string()),
                spacing="1", align="center")),
            spacing="1", align="center")),
        class_name="contact-row",
    )


def contacts_page() -> rx.Component:
    return page(
        t("Contacts"),
        error_callout(ContactsState.error),
        rx.hstack(
            rx.input(placeholder=t("Search by name or email"), value=ContactsState.search,
                     on_change=ContactsState.set_search.debounce(300), id="contact-search",
                     width=["100%", "320px"], aria_label=t("Search contacts")),
            rx.text(tn("{n} contact", "{n} contacts", ContactsState.total), color_scheme="gray", size="2"),
            wrap="wrap", align="center", width="100%",
        ),
        rx.cond(
            ContactsState.rows.length() > 0,
            rx.box(rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                               (t("Name"), t("Email"), t("Phone"), t("Accounts"), "")])),
                rx.table.body(rx.foreach(ContactsState.rows, contact_row)),
                width="100%"), overflow_x="auto", width="100%"),
            rx.cond(ContactsState.search != "",
                    empty_state(t("No contact matches that search. Check the spelling, or search for part of the "
                                  "email address.")),
                    empty_state(t("No contacts yet. Contacts are added on an account's page, or imported with your "
                                  "client list."), rx.link(t("Open the accounts"), href=routes.ACCOUNTS),
                                rx.link(t("Import from CSV"), href=routes.IMPORT))),
        ),
        rx.hstack(
            rx.button(t("Previous"), on_click=ContactsState.go_to_page(ContactsState.page - 1),
                      disabled=ContactsState.page <= 1, variant="soft", id="contacts-prev"),
            rx.text(t("Page {page} of {pages}", page=ContactsState.page, pages=ContactsState.pages), size="2"),
            rx.button(t("Next"), on_click=ContactsState.go_to_page(ContactsState.page + 1),
                      disabled=ContactsState.page >= ContactsState.pages, variant="soft", id="contacts-next"),
            align="center",
        ),
        contact_dialogs(ContactsState),
        merge_dialog(),
    )


def register(app: rx.App) -> None:
    app.add_page(contacts_page, route=routes.CONTACTS, title=t("Contacts · practice"),
                 on_load=[AppState.require_login, ContactsState.load])

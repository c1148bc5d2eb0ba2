"""The account page: who the client is, who to talk to, what work is under way, and what happened."""
import reflex as rx

from practice import routes
from practice.components.corrections import delete_dialog, edit_dialog
from practice.components.custom_fields import custom_values_section
from practice.components.forms import static_select
from practice.components.i18n import as_written, t
from practice.components.layout import empty_state, error_callout, page, tag_badge
from practice.pages.documents import documents_section
from practice.pages.merge_parts import merge_dialog
from practice.pages.proposals import proposals_section
from practice.pages.client_requests import client_requests_section
from practice.pages.sent_organizers import organizers_section
from practice.pages.signatures import signatures_section
from practice.services.work.accounts import ACCOUNT_TYPE_NAMES
from practice.state.account import AccountState
from practice.state.account_credits import CreditItem
from practice.state.client_requests import ClientRequestsState
from practice.state.custom_fields import CustomValuesState
from practice.state.documents import AccountDocumentsState
from practice.state.merge import MergeState
from practice.state.proposals import AccountProposalsState
from practice.state.sent_organizers import SentOrganizersState
from practice.state.signatures import AccountSignaturesState
from practice.state.base import AppState
from practice.state.chats import AccountChatsState
from practice.i18n import N_
from practice.state.work_views import NONE
from practice.pages.work_parts import contact_dialogs, field, history_list, section, status_badge


def tag_row() -> rx.Component:
    return rx.hstack(
        rx.foreach(AccountState.tags, lambda tag: rx.hstack(
            tag_badge(tag.name, tag.color),
            rx.icon_button(rx.icon("x", size=12), size="1", variant="ghost", color_scheme="gray",
                           aria_label=t("Remove tag {name}", name=tag.name), on_click=AccountState.remove_tag(tag.id)),
            spacing="0", align="center")),
        rx.cond(
            AccountState.tag_choices.length() > 0,
            rx.select.root(
                rx.select.trigger(placeholder=t("Add tag"), id="add-tag", variant="soft"),
                rx.select.content(rx.foreach(AccountState.tag_choices,
                                             lambda o: rx.select.item(o.label, value=o.value, custom_attrs=as_written()))),
                value="", on_change=AccountState.add_tag, size="1",
            ),
        ),
        wrap="wrap", align="center", spacing="2",
    )


def notes_section() -> rx.Component:
    return section(
        t("Notes"),
        rx.form(
            rx.vstack(
                rx.text_area(name="notes", default_value=AccountState.notes, id="account-notes", width="100%",
                             rows="4", aria_label=t("Notes about this account")),
                rx.button(t("Save notes"), type="submit", id="save-notes", size="2"),
                align="end", width="100%",
            ),
            key=AccountState.form_key, on_submit=AccountState.save_notes, reset_on_submit=False, width="100%",
        ),
        id="notes-section",
    )


def contact_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.hstack(field(t("First name"), rx.input(name="first_name", id="new-contact-first", width="100%")),
                      field(t("Last name"), rx.input(name="last_name", id="new-contact-last", width="100%")),
                      width="100%", wrap="wrap"),
            rx.hstack(field(t("Email"), rx.input(name="email", type="email", id="new-contact-email", width="100%")),
                      field(t("Phone"), rx.input(name="phone", type="tel", id="new-contact-phone", width="100%")),
                      width="100%", wrap="wrap"),
            field(t("Street"), rx.input(name="street", id="new-contact-street", width="100%")),
            rx.hstack(field(t("City"), rx.input(name="city", id="new-contact-city", width="100%")),
                      field(t("State / region"), rx.input(name="region", id="new-contact-region", width="100%")),
                      width="100%", wrap="wrap"),
            rx.hstack(field(t("Postal code"), rx.input(name="postal_code", id="new-contact-postal", width="100%")),
                      field(t("Country"), rx.input(name="country", id="new-contact-country", width="100%")),
                      width="100%", wrap="wrap"),
            rx.button(t("Add contact"), type="submit", id="save-contact"),
            width="100%", align="start", spacing="2",
        ),
        key=AccountState.contact_form_key, on_submit=AccountState.add_contact, reset_on_submit=False, width="100%",
        id="add-contact-form",
    )


PORTAL_LABELS = {"invited": (N_("Portal: invited"), "amber"), "active": (N_("Portal: active"), "green"),
                 "revoked": (N_("Portal: withdrawn"), "gray")}


def portal_access(c) -> rx.Component:
    """The contact's client-portal status and the button that gives (or resends) or withdraws access."""
    status = rx.match(c.portal, *[(k, rx.badge(t(label), color_scheme=color, variant="soft"))
                                  for k, (label, color) in PORTAL_LABELS.items()], rx.fragment())
    give = rx.button(rx.cond(c.portal == "invited", t("Resend invitation"), t("Give portal access")), size="1",
                     variant="soft", on_click=AccountState.give_portal_access(c.id),
                     id="portal-give-" + c.id.to_string())
    revoke = rx.button(t("Revoke access"), size="1", variant="soft", color_scheme="red",
                       on_click=AccountState.revoke_portal_access(c.id), id="portal-revoke-" + c.id.to_string())
    return rx.hstack(
        status,
        rx.cond(c.portal == "active", revoke,
                rx.cond(c.email != "", rx.hstack(give, rx.cond(c.portal == "invited", revoke), spacing="1"))),
        spacing="2", align="center", wrap="wrap", class_name="portal-access",
    )


def invite_link_callout() -> rx.Component:
    """After inviting with mail not set up: the warning and the activation link to copy and hand over."""
    return rx.cond(
        AccountState.invite_link != "",
        rx.callout.root(
            rx.callout.text(AccountState.invite_warning),
            rx.hstack(
                rx.input(value=AccountState.invite_link, read_only=True, id="invite-link", width="100%",
                         aria_label=t("Activation link")),
                rx.button(t("Copy"), size="2", id="copy-invite-link",
                          on_click=[rx.set_clipboard(AccountState.invite_link), rx.toast.info(t("Link copied."))]),
                rx.button(t("Done"), size="2", variant="soft", color_scheme="gray",
                          on_click=AccountState.close_invite_link),
                width="100%", spacing="2", align="center",
            ),
            color_scheme="amber", width="100%", id="invite-link-callout",
        ),
    )


def account_edit_dialog() -> rx.Component:
    return edit_dialog(
        t("Edit account"),
        field(t("Name"), rx.input(name="name", default_value=AccountState.name, id="edit-account-name", required=True,
                               auto_focus=True, width="100%")),
        field(t("Type"), static_select([(value, t(name)) for value, name in ACCOUNT_TYPE_NAMES.items()], name="type", id="edit-account-type",
                                    default_value=AccountState.type)),
        open=AccountState.edit_open, on_open_change=AccountState.set_edit_open, on_submit=AccountState.save_account,
        error=AccountState.edit_error, key=AccountState.form_key, submit_id="save-account", submit=t("Save account"),
        dialog_id="edit-account-dialog",
    )


def account_actions() -> rx.Component:
    """Edit for staff; the owner and admins also find Delete in the menu."""
    return rx.hstack(
        rx.button(rx.icon("pencil", size=14), t("Edit"), variant="soft", size="2", id="edit-account",
                  on_click=AccountState.set_edit_open(True)),
        rx.cond(AppState.is_admin, rx.menu.root(
            rx.menu.trigger(rx.icon_button(rx.icon("ellipsis", size=16), variant="soft", color_scheme="gray",
                                           aria_label=t("More actions"), id="account-menu")),
            rx.menu.content(
                rx.menu.item(t("Merge with a duplicate…"), id="merge-account",
                             on_click=MergeState.start("account", AccountState.acct_id, AccountState.name,
                                                       AccountState.acct_id)),
                rx.menu.separator(),
                rx.menu.item(t("Delete account…"), color="red", on_click=AccountState.ask_delete, id="delete-account"),
            ),
        )),
        spacing="2", align="center",
    )


def account_delete_dialog() -> rx.Component:
    return delete_dialog(t("Delete \u201c{name}\u201d?", name=AccountState.name), AccountState.delete_text,
                         blocked=AccountState.delete_blocked, open=AccountState.delete_open,
                         on_open_change=AccountState.set_delete_open, on_confirm=AccountState.confirm_delete,
                         confirm_id="confirm-delete-account", confirm=t("Delete account"))


def link_confirm_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("Link a contact who uses the portal?")),
            rx.alert_dialog.description(AccountState.link_confirm_text, id="link-confirm-text"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("Don't link"), variant="soft", color_scheme="gray", type="button")),
                rx.alert_dialog.action(rx.button(t("Link and share"), on_click=AccountState.confirm_link, type="button",
                                                 id="confirm-link-contact")),
                justify="end", spacing="3", margin_top="1em"),
            max_width="520px",
        ),
        open=AccountState.link_confirm_id > 0, on_open_change=AccountState.set_link_confirm_open,
    )


def contact_row(c) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(c.name, weight="bold", size="2"),
            rx.cond(c.email != "", rx.link(c.email, href="mailto:" + c.email, size="2")),
            rx.cond(c.phone != "", rx.text(c.phone, size="2")),
            rx.cond(c.address != "", rx.text(c.address, size="1", color_scheme="gray")),
            spacing="0", min_width="0", custom_attrs=as_written(),
        ),
        rx.spacer(),
        rx.cond(AccountState.shows_billing, rx.el.label(rx.hstack(
            rx.checkbox(checked=c.receives_invoices, disabled=~AccountState.manages_billing, size="1",
                        on_change=lambda value: AccountState.set_receives_invoices(c.id, value),
                        id="receives-invoices-" + c.id.to_string()),
            rx.text(t("Receives invoices"), size="1"), align="center", spacing="1"))),
        portal_access(c),
        rx.button(t("Edit"), size="1", variant="soft", on_click=AccountState.edit_contact(c.id),
                  id="edit-contact-" + c.id.to_string(), aria_label=t("Edit {name}", name=c.name)),
        rx.button(t("Unlink"), size="1", variant="ghost", color_scheme="gray", on_click=AccountState.unlink_contact(c.id)),
        rx.cond(AppState.is_admin, rx.hstack(
            rx.button(t("Merge…"), size="1", variant="ghost", aria_label=t("Merge {name} with a duplicate", name=c.name),
                      on_click=MergeState.start("contact", c.id, c.name, AccountState.acct_id),
                      id="merge-contact-" + c.id.to_string()),
            rx.icon_button(rx.icon("trash-2", size=14), size="1", variant="ghost", color_scheme="red",
                           aria_label=t("Delete {name}", name=c.name), on_click=AccountState.ask_delete_contact(c.id),
                           id="delete-contact-" + c.id.to_string()),
            spacing="1", align="center")),
        width="100%", align="start", wrap="wrap", padding_y="0.4em", border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def contacts_section() -> rx.Component:
    return section(
        t("Contacts"),
        error_callout(AccountState.contact_error),
        invite_link_callout(),
        rx.cond(AccountState.contacts.length() > 0,
                rx.vstack(rx.foreach(AccountState.contacts, contact_row), width="100%", spacing="0"),
                rx.text(t("No contacts yet. Add the people you talk to about this account below."),
                        color_scheme="gray", size="2")),
        rx.accordion.root(
            rx.accordion.item(header=t("Add a new contact"), content=contact_form(), value="new",
                              id="add-contact"),
            rx.accordion.item(
                header=t("Link an existing contact"), value="link",
                content=rx.vstack(
                    rx.input(placeholder=t("Type two letters of a name or email"), value=AccountState.link_search,
                             on_change=AccountState.search_link.debounce(300), id="link-contact-search",
                             width="100%", aria_label=t("Search contacts to link")),
                    rx.foreach(AccountState.link_results, lambda o: rx.hstack(
                        rx.text(o.label, size="2", custom_attrs=as_written()), rx.spacer(),
                        rx.button(t("Link"), size="1", on_click=AccountState.link_contact(o.value)),
                        width="100%", align="center")),
                    width="100%",
                )),
            collapsible=True, type="single", variant="ghost", width="100%",
        ),
        id="contacts-section",
    )


def job_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            error_callout(AccountState.job_error),
            field(t("Job name"), rx.input(name="name", id="new-job-name", required=True, width="100%",
                                          placeholder=t("e.g. 1040 Return 2025"))),
            field(t("Pipeline"), rx.select.root(
                rx.select.trigger(placeholder=t("Choose a pipeline"), id="new-job-pipeline", width="100%"),
                rx.select.content(rx.foreach(AccountState.pipeline_options,
                                             lambda o: rx.select.item(o.label, value=o.value, custom_attrs=as_written()))),
                name="pipeline")),
            rx.hstack(
                field(t("Assignee"), rx.select.root(
                    rx.select.trigger(placeholder=t("Nobody yet"), id="new-job-assignee", width="100%"),
                    rx.select.content(rx.select.item(t("Nobody yet"), value=NONE),
                                      rx.foreach(AccountState.member_options,
                                                 lambda o: rx.select.item(o.label, value=o.value, custom_attrs=as_written()))),
                    name="assignee", default_value=NONE)),
                field(t("Due date"), rx.input(name="due_date", type="date", id="new-job-due", width="100%")),
                width="100%", wrap="wrap",
            ),
            rx.button(t("Create job"), type="submit", id="create-job"),
            width="100%", align="start", spacing="2",
        ),
        on_submit=AccountState.create_job, reset_on_submit=False, width="100%",
    )


def job_row(j) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(j.name, href=j.href, custom_attrs=as_written()), rx.cond(j.archived, rx.badge(t("archived"), color_scheme="gray"))),
        rx.table.cell(j.pipeline, custom_attrs=as_written()),
        rx.table.cell(j.stage, custom_attrs=as_written()),
        rx.table.cell(j.due),
    )


def jobs_section() -> rx.Component:
    return section(
        t("Jobs"),
        rx.cond(
            AccountState.jobs.length() > 0,
            rx.box(rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                               (t("Job"), t("Pipeline"), t("Stage"), t("Due"))])),
                rx.table.body(rx.foreach(AccountState.jobs, job_row)),
                width="100%", size="1"), overflow_x="auto", width="100%"),
            rx.text(t("No jobs yet. Start one with the form below."), color_scheme="gray", size="2"),
        ),
        rx.accordion.root(rx.accordion.item(header=t("New job"), content=job_form(), value="job", id="new-job"),
                          collapsible=True, type="single", variant="ghost", width="100%"),
        id="jobs-section",
    )


def task_row(task) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(task.title, size="2", weight="medium", custom_attrs=as_written()),
                  rx.hstack(rx.cond(task.job != "", rx.link(task.job, href=task.job_href, size="1",
                                                            custom_attrs=as_written())),
                            rx.text(task.assignee, size="1", color_scheme="gray", custom_attrs=as_written()),
                            rx.cond(task.due != "", rx.text(t("due {date}", date=task.due), size="1",
                                                            color=rx.cond(task.overdue, "red", "gray"))),
                            wrap="wrap", spacing="2"),
                  spacing="0", min_width="0"),
        rx.spacer(),
        status_badge(task.status, task.status_label),
        width="100%", align="center", padding_y="0.3em",
    )


def tasks_section() -> rx.Component:
    return section(
        t("Tasks"),
        rx.cond(AccountState.tasks.length() > 0,
                rx.vstack(rx.foreach(AccountState.tasks, task_row), width="100%", spacing="1"),
                rx.text(t("No tasks for this account. Add tasks from a job's page or the task list."),
                        color_scheme="gray", size="2")),
        rx.link(t("Open the task list"), href=routes.TASKS, size="2"),
        id="tasks-section",
    )


def chats_section() -> rx.Component:
    return section(
        t("Conversations"),
        error_callout(AccountChatsState.chats_error),
        rx.cond(AccountChatsState.account_threads.length() > 0,
                rx.vstack(rx.foreach(AccountChatsState.account_threads, lambda th: rx.link(
                    rx.hstack(rx.text(th.subject, size="2", custom_attrs=as_written(), flex="1"),
                              rx.cond(th.unread > 0, rx.badge(th.unread, radius="full", variant="solid",
                                                              color_scheme="indigo")),
                              rx.text(th.when, size="1", color_scheme="gray"), width="100%", align="center"),
                    href=routes.CHATS + "?thread=" + th.id.to_string(), underline="hover", width="100%",
                    class_name="account-thread")), spacing="2", width="100%"),
                rx.text(t("No conversations with this account yet."), size="2", color_scheme="gray")),
        rx.link(t("New conversation"), href=routes.CHATS + "?account=" + AccountChatsState.chat_acct_id.to_string(),
                size="2", id="account-new-chat"),
        id="chats-section",
    )


def credit_row(c: CreditItem) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(c.reason, size="2", custom_attrs=as_written()), rx.text(c.day, size="1", color_scheme="gray"),
                  spacing="0"),
        rx.spacer(), rx.text(t("{left} left of {amount}", left=c.left, amount=c.amount), size="2"),
        rx.cond(AccountState.manages_billing & c.unused,
                rx.button(t("Withdraw…"), size="1", variant="ghost", color_scheme="red", type="button",
                          on_click=AccountState.ask_withdraw_credit(c.id), class_name="account-credit-withdraw")),
        width="100%", align="center", class_name="account-credit")


def withdraw_credit_dialog() -> rx.Component:
    return rx.alert_dialog.root(rx.alert_dialog.content(
        rx.alert_dialog.title(t("Withdraw this credit?")),
        rx.alert_dialog.description(t("{credit}: the account no longer has it, and its balance goes up by as much. "
                                      "Only a credit none of which is applied can be withdrawn.",
                                      credit=AccountState.withdraw_credit_text)),
        rx.hstack(rx.alert_dialog.cancel(rx.button(t("Keep it"), variant="soft", color_scheme="gray", type="button")),
                  rx.alert_dialog.action(rx.button(t("Withdraw the credit"), color_scheme="red", type="button",
                                                   on_click=AccountState.confirm_withdraw_credit,
                                                   id="confirm-withdraw-credit")),
                  justify="end", spacing="3", margin_top="1em", wrap="wrap"),
    ), open=AccountState.withdraw_credit_id != 0, on_open_change=AccountState.set_withdraw_credit_open)


def credits_part() -> rx.Component:
    """The account's credit notes and what is left of them; giving one (those who manage invoices)."""
    return rx.vstack(
        rx.cond(AccountState.credit_total != "",
                rx.text(t("Credit not used yet: {amount} (taken off the balance; apply it from an invoice).",
                          amount=AccountState.credit_total), size="2", id="account-credit-left")),
        rx.cond(AccountState.credit_items.length() > 0,
                rx.vstack(rx.foreach(AccountState.credit_items, credit_row), spacing="1", width="100%")),
        rx.cond(AccountState.manages_billing, rx.form(rx.vstack(
            rx.text(t("Give the account a credit (kept until applied to an invoice)"), size="2", weight="medium"),
            error_callout(AccountState.account_credit_error),
            rx.flex(rx.input(id="account-credit-amount", name="credit_amount", input_mode="decimal", width="8em",
                             placeholder=t("Amount"), aria_label=t("Amount")),
                    rx.input(id="account-credit-reason", name="credit_reason", width="14em", max_width="100%",
                             placeholder=t("Why"), aria_label=t("Why")),
                    rx.button(t("Give credit"), type="submit", size="2", variant="soft", id="account-credit-give"),
                    spacing="2", wrap="wrap", align="center"),
            spacing="1", width="100%"), on_submit=AccountState.give_account_credit, reset_on_submit=False,
            key="account-credit-" + AccountState.account_credit_key.to_string(), width="100%")),
        spacing="2", width="100%", id="account-credits")


def billing_section() -> rx.Component:
    """What the account owes and its latest invoices (shown to members who see billing)."""
    return section(
        t("Billing"),
        rx.hstack(rx.text(t("Balance due"), size="2", color_scheme="gray"), rx.spacer(),
                  rx.text(AccountState.balance, size="4", weight="bold", id="account-balance"),
                  width="100%", align="center"),
        rx.cond(AccountState.invoices.length() > 0,
                rx.vstack(rx.foreach(AccountState.invoices, lambda inv: rx.hstack(
                    rx.vstack(rx.link(inv.name, href=inv.href, size="2", weight="medium", class_name="account-invoice-link"),
                              rx.cond(inv.due != "", rx.text(t("{amount} due {date}", amount=inv.due, date=inv.due_date),
                                                             size="1", color_scheme="gray")),
                              spacing="0"),
                    rx.spacer(), rx.text(inv.total, size="2"),
                    rx.badge(inv.status_label, color_scheme=rx.match(inv.status, ("paid", "green"), ("void", "gray"),
                                                                     ("draft", "gray"), "amber")),
                    width="100%", align="center", class_name="account-invoice")), spacing="2", width="100%"),
                rx.text(t("No invoices for this account yet."), size="2", color_scheme="gray")),
        credits_part(),
        rx.hstack(rx.link(t("All invoices"), href=AccountState.all_invoices_href, size="2", id="account-all-invoices"),
                  rx.cond(AccountState.manages_billing,
                          rx.link(t("New invoice"), href=AccountState.new_invoice_href, size="2",
                                  id="account-new-invoice")),
                  spacing="4", wrap="wrap"),
        id="billing-section",
    )


def account_page() -> rx.Component:
    return page(
        t("Account"),
        rx.cond(
            AccountState.found,
            rx.vstack(
                rx.hstack(rx.heading(AccountState.name, size="7", id="account-name-heading", custom_attrs=as_written()),
                          rx.badge(AccountState.type_name, size="2", id="account-type-badge"), rx.spacer(),
                          account_actions(), align="center", wrap="wrap", width="100%"),
                account_edit_dialog(), account_delete_dialog(), contact_dialogs(AccountState),
                merge_dialog(), link_confirm_dialog(), withdraw_credit_dialog(),
                tag_row(),
                error_callout(AccountState.error),
                rx.grid(
                    rx.vstack(contacts_section(), jobs_section(), chats_section(), documents_section(), signatures_section(),
                              proposals_section(), organizers_section(), client_requests_section(), tasks_section(),
                              spacing="4", width="100%",
                              min_width="0"),
                    rx.vstack(rx.cond(AccountState.shows_billing, billing_section()), notes_section(), custom_values_section(), section(t("History"), history_list(AccountState.history),
                                                       id="history-section"),
                              spacing="4", width="100%", min_width="0"),
                    grid_template_columns=["1fr", "1fr", "2fr 1fr"], spacing="4", width="100%",
                ),
                width="100%", spacing="3",
            ),
            rx.cond(AccountState.page_error != "",
                    empty_state(AccountState.page_error, rx.link(t("Back to accounts"), href=routes.ACCOUNTS)),
                    rx.center(rx.spinner(), padding="2em")),
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(account_page, route=routes.ACCOUNT, title=t("Account · practice"),
                 on_load=[AppState.require_login, AccountState.load, AccountDocumentsState.load,
                          AccountSignaturesState.load, AccountProposalsState.load, CustomValuesState.load_account,
                          AccountChatsState.load, SentOrganizersState.load_account, ClientRequestsState.load_account])

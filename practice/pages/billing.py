"""The Billing page (members who see billing): the invoices list with its filters and totals due, and one invoice:
a draft's editor (with the job it bills and "Bill time"), sending after a preview, what was paid on an issued one,
voiding after a preview."""
from collections.abc import Callable

import reflex as rx

from practice import routes
from practice.components.forms import SELECT_STYLE, label, static_select
from practice.components.i18n import as_written, t
from practice.components.layout import BILLING_TABS, empty_state, error_callout, page, section_tabs
from practice.pages.invoice_money import apply_credit_card, refund_dialog, whole_discount_field, whole_tax_field
from practice.state.base import AppState
from practice.state.billing import STATUS_CHOICES, BillingState as B, InvoiceListItem
from practice.state.invoice import METHOD_CHOICES, EditLine, InvoiceState as S, PaymentItem, ShownLine
from practice.state.invoice_time import TimeItem


def status_badge(status, text) -> rx.Component:
    return rx.badge(text, class_name="invoice-status",
                    color_scheme=rx.match(status, ("paid", "green"), ("void", "gray"), ("draft", "gray"),
                                          ("partly_paid", "blue"), "amber"))


def figure(text, value, value_id: str) -> rx.Component:
    return rx.vstack(rx.text(text, size="1", color_scheme="gray"), rx.text(value, size="4", weight="bold", id=value_id),
                     spacing="0")


# --- the list ------------------------------------------------------------------------------------------------


def account_chooser(state, input_id: str) -> rx.Component:
    """Search an account by name or contact, then click it (the list shows at most 8)."""
    return rx.vstack(
        rx.input(id=input_id, placeholder=t("Search accounts"), value=state.account_query,
                 on_change=state.search_accounts.debounce(250), width="100%", max_width="22em",
                 aria_label=t("Search accounts")),
        rx.cond(state.account_matches.length() > 0, rx.vstack(rx.foreach(state.account_matches, lambda o: rx.button(
            o.label, type="button", size="1", variant="soft", on_click=state.choose_account(o.value),
            class_name="account-choice", custom_attrs=as_written())), spacing="1", width="100%", max_width="22em")),
        rx.cond((state.account_query != "") & (state.account_matches.length() == 0),
                rx.text(t("No account matches."), size="1", color_scheme="gray")),
        spacing="1", width="100%")


def filters() -> rx.Component:
    return rx.flex(
        rx.vstack(label(t("Status"), "billing-status-filter"),
                  rx.el.select(rx.el.option(t("All statuses"), value=""),
                               *[rx.el.option(t(text), value=value) for value, text in STATUS_CHOICES],
                               value=B.status_filter, on_change=B.set_status_filter, id="billing-status-filter",
                               style=SELECT_STYLE), spacing="1"),
        rx.vstack(rx.text(t("Account"), size="2", weight="medium"),
                  rx.cond(B.account_filter != "",
                          rx.hstack(rx.badge(B.account_filter_name, size="2", custom_attrs=as_written(),
                                             id="billing-account-filter"),
                                    rx.button(t("All accounts"), size="1", variant="ghost", on_click=B.clear_account,
                                              id="billing-clear-account"), align="center"),
                          account_chooser(B, "billing-account-search")),
                  spacing="1", flex="1", min_width="12em"),
        spacing="4", wrap="wrap", width="100%", align="start")


def invoice_row(item: InvoiceListItem) -> rx.Component:
    return rx.flex(
        rx.vstack(rx.link(item.name, href=item.href, weight="medium", class_name="invoice-link"),
                  rx.link(item.account, href=item.account_href, size="1", color_scheme="gray",
                          custom_attrs=as_written()), spacing="0", flex="1", min_width="10em"),
        status_badge(item.status, item.status_label),
        rx.vstack(rx.text(item.total, size="2", weight="medium"),
                  rx.cond(item.due != "", rx.text(t("{amount} due {date}", amount=item.due, date=item.due_date),
                                                  size="1", color_scheme="amber")),
                  rx.cond(item.issued != "", rx.text(t("Issued {date}", date=item.issued), size="1",
                                                     color_scheme="gray")),
                  spacing="0", align="end"),
        spacing="3", align="center", wrap="wrap", width="100%", class_name="invoice-row",
        id="invoice-row-" + item.id.to_string(), padding_y="0.6em", border_bottom=f"1px solid {rx.color('gray', 4)}")


def list_empty() -> rx.Component:
    return rx.cond(
        (B.status_filter != "") | (B.account_filter != ""),
        empty_state(t("No invoice matches these filters. Choose another status or all accounts.")),
        rx.cond(B.manages,
                empty_state(t("No invoices yet. Write the first one: choose New invoice, pick the account and add "
                              "lines from your services, then send it."),
                            rx.link(t("New invoice"), href=routes.new_invoice_url(), id="billing-empty-new")),
                empty_state(t("No invoices yet. Those who manage invoices and payments write them here."))))


def billing_page() -> rx.Component:
    return page(
        t("Billing"),
        section_tabs(BILLING_TABS, routes.BILLING, "billing", t("Billing")),
        rx.flex(rx.card(figure(t("Total due"), B.total_due, "billing-total-due"), flex="1", min_width="10em"),
                rx.card(figure(t("Overdue"), B.overdue, "billing-overdue"), flex="1", min_width="10em"),
                rx.card(figure(t("Invoices waiting for payment"), B.owing_count, "billing-owing-count"), flex="1",
                        min_width="10em"),
                spacing="3", wrap="wrap", width="100%"),
        filters(),
        error_callout(B.error),
        rx.cond(B.rows.length() > 0, rx.vstack(rx.foreach(B.rows, invoice_row), spacing="0", width="100%",
                                               id="invoice-list"), list_empty()),
        actions=rx.cond(B.manages, rx.link(rx.button(rx.icon("plus", size=14), t("New invoice")),
                                           href=routes.new_invoice_url(), id="new-invoice")),
    )


# --- one invoice: the draft's editor -------------------------------------------------------------------------


def line_editor(state) -> Callable[[EditLine], rx.Component]:
    """One line of a draft's lines, editable, for `state` (the invoice editor's or the invoice templates'): both
    have `set_line(key, field, value)` and `remove_line(key)`."""
    def line_input(line: EditLine, field: str, text, width: str, **props) -> rx.Component:
        return rx.input(default_value=getattr(line, field), size="2", width=width, class_name=f"line-{field}",
                        aria_label=text, placeholder=text, on_change=lambda v: state.set_line(line.key, field, v),
                        **props)

    def edit_line(line: EditLine) -> rx.Component:
        return rx.flex(
            line_input(line, "name", t("What is billed"), "100%", flex="3", min_width="12em", custom_attrs=as_written()),
            rx.hstack(
                line_input(line, "quantity", t("Quantity"), "6em", input_mode="decimal"),
                line_input(line, "rate", t("Rate"), "7em", input_mode="decimal"),
                line_input(line, "discount", t("Discount %"), "7em", input_mode="decimal"),
                line_input(line, "tax", t("Tax %"), "5.5em", input_mode="decimal"),
                rx.text(line.total, size="2", weight="medium", min_width="6em", text_align="right",
                        class_name="line-total"),
                rx.icon_button(rx.icon("x", size=14), size="1", variant="ghost", color_scheme="gray", type="button",
                               aria_label=t("Remove this line"), on_click=state.remove_line(line.key),
                               class_name="line-remove"),
                spacing="2", align="center", wrap="wrap"),
            spacing="2", wrap="wrap", width="100%", align="center", class_name="edit-line", key=line.key,
            padding_y="0.4em", border_bottom=f"1px solid {rx.color('gray', 4)}")
    return edit_line


edit_line = line_editor(S)


def totals(subtotal, discount, tax, total, whole=None) -> rx.Component:
    def row(text, value, value_id: str, strong: bool = False) -> rx.Component:
        return rx.hstack(rx.text(text, size="2"), rx.spacer(),
                         rx.text(value, size="3" if strong else "2", weight="bold" if strong else "regular",
                                 id=value_id), width="100%", max_width="20em")
    whole_row = [] if whole is None else [rx.cond(whole != "", row(t("Discount on the whole invoice"), whole,
                                                                   "invoice-whole-discount-total"))]
    # The lines' own taxes, then the tax on the whole invoice ("Tax 8.25 %") when it has one.
    return rx.vstack(row(t("Subtotal"), subtotal, "invoice-subtotal"), row(t("Discount"), discount, "invoice-discount"),
                     *whole_row, rx.cond(S.line_tax_shown, row(t("Tax"), tax, "invoice-tax")),
                     rx.cond(S.whole_tax != "", row(S.whole_tax_label, S.whole_tax, "invoice-whole-tax-total")),
                     row(t("Total"), total, "invoice-total", True),
                     spacing="1", align="end", width="100%")


def draft_account() -> rx.Component:
    return rx.vstack(
        rx.text(t("Account"), size="2", weight="medium"),
        rx.cond(S.account_id != "",
                rx.link(S.account_name, href=S.account_href, id="invoice-account", custom_attrs=as_written()),
                rx.text(t("No account chosen yet."), size="2", color_scheme="gray")),
        rx.cond(S.inv_id == 0, account_chooser(S, "invoice-account-search")),
        rx.cond(S.account_id != "", draft_job()),
        spacing="1", width="100%")


def draft_job() -> rx.Component:
    """The job the invoice bills (optional): while it is sent and unpaid, the job's stage waits on it."""
    return rx.vstack(
        label(t("Job (optional)"), "invoice-job"),
        rx.el.select(rx.el.option(t("No job"), value=""),
                     rx.foreach(S.job_options, lambda o: rx.el.option(o.label, value=o.value,
                                                                      custom_attrs=as_written())),
                     value=S.job_id, on_change=S.set_job, id="invoice-job", style=SELECT_STYLE),
        rx.text(t("While it is unpaid, the job's stage waits on it."), size="1", color_scheme="gray"),
        spacing="1", width="100%", padding_top="0.5em")


# --- "Bill time" -----------------------------------------------------------------------------------------------


def time_row(item: TimeItem) -> rx.Component:
    return rx.el.label(rx.flex(
        rx.checkbox(checked=item.chosen, on_change=lambda _v: S.toggle_time(item.id), class_name="bill-time-check"),
        rx.vstack(rx.text(item.day, " · ", item.member, size="2", weight="medium"),
                  rx.text(rx.cond(item.job != "", item.job, t("No job")),
                          rx.cond(item.service != "", " · " + item.service, ""), size="1", color_scheme="gray",
                          custom_attrs=as_written()),
                  rx.cond(item.note != "", rx.text(item.note, size="1", color_scheme="gray",
                                                   custom_attrs=as_written())),
                  spacing="0", flex="1", min_width="10em"),
        rx.vstack(rx.text(item.duration, size="2", class_name="bill-time-duration"),
                  rx.text(item.amount, size="2", weight="medium", class_name="bill-time-amount"),
                  spacing="0", align="end"),
        spacing="3", align="center", width="100%", padding_y="0.4em", border_bottom=f"1px solid {rx.color('gray', 4)}"),
        class_name="bill-time-row", display="block", width="100%", cursor="pointer")


def bill_time_dialog() -> rx.Component:
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(t("Bill time")),
        rx.dialog.description(t("Unbilled billable time of {account}, at the rate each line will keep.",
                                account=S.account_name), size="2"),
        error_callout(S.time_error),
        rx.cond(
            S.time_jobs.length() > 0,
            rx.vstack(
                rx.flex(
                    rx.el.select(rx.el.option(t("All jobs"), value=""),
                                 rx.foreach(S.time_jobs, lambda o: rx.el.option(o.label, value=o.value,
                                                                                custom_attrs=as_written())),
                                 value=S.time_job, on_change=S.set_time_job, id="bill-time-job", style=SELECT_STYLE,
                                 aria_label=t("Show the time of one job")),
                    rx.button(t("Choose all"), type="button", size="1", variant="soft",
                              on_click=S.choose_all_time(True), id="bill-time-all"),
                    rx.button(t("Choose none"), type="button", size="1", variant="soft", color_scheme="gray",
                              on_click=S.choose_all_time(False), id="bill-time-none"),
                    spacing="2", wrap="wrap", align="center", width="100%"),
                rx.vstack(rx.foreach(S.time_items, time_row), spacing="0", width="100%", id="bill-time-list",
                          max_height="50vh", overflow_y="auto"),
                rx.hstack(rx.text(t("Chosen"), size="2"), rx.spacer(),
                          rx.text(S.time_total, size="2", weight="bold", id="bill-time-total"), width="100%"),
                rx.flex(rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", type="button")),
                        rx.button(S.time_add_label, type="button", on_click=S.add_time, id="bill-time-add",
                                  disabled=S.time_count == 0),
                        justify="end", spacing="3", wrap="wrap", width="100%"),
                spacing="3", width="100%", margin_top="1em"),
            rx.vstack(
                empty_state(t("No unbilled time for this account. Time is recorded on the Time page, or with a "
                              "timer on a job."),
                            rx.link(t("Open the Time page"), href=routes.TIME, id="bill-time-record")),
                rx.flex(rx.dialog.close(rx.button(t("Close"), variant="soft", color_scheme="gray", type="button")),
                        justify="end", width="100%"),
                spacing="3", width="100%", margin_top="1em", id="bill-time-empty")),
    ), open=S.time_open, on_open_change=S.set_time_open)


def text_field(text, field: str, value, field_id: str, rows: str = "3") -> rx.Component:
    return rx.vstack(label(text, field_id),
                     rx.text_area(default_value=value, id=field_id, name=field, rows=rows, width="100%", max_length=5000,
                                  on_change=lambda v: S.set_text(field, v), custom_attrs=as_written()),
                     spacing="1", width="100%")


def draft_editor() -> rx.Component:
    return rx.vstack(
        draft_account(),
        rx.form(rx.vstack(
            rx.text(t("Lines"), size="2", weight="medium"),
            rx.vstack(rx.foreach(S.lines, edit_line), spacing="0", width="100%", id="invoice-lines"),
            rx.flex(
                rx.el.select(rx.el.option(t("Add a service from the catalog…"), value=""),
                             rx.foreach(S.service_options, lambda o: rx.el.option(o.label, value=o.value,
                                                                                  custom_attrs=as_written())),
                             value="", on_change=S.add_service, id="invoice-add-service", name="add_service", style=SELECT_STYLE,
                             aria_label=t("Add a service from the catalog")),
                rx.button(rx.icon("plus", size=14), t("Add a typed line"), type="button", variant="soft", size="2",
                          on_click=S.add_line, id="invoice-add-line"),
                rx.cond(S.account_id != "",
                        rx.button(rx.icon("clock", size=14), t("Bill time"), type="button", variant="soft", size="2",
                                  on_click=S.open_time, id="invoice-bill-time")),
                spacing="2", wrap="wrap"),
            whole_discount_field(),
            whole_tax_field(),
            totals(S.subtotal, S.discount, S.tax, S.total, S.whole_discount),
            rx.vstack(label(t("Due date (empty: 30 days after sending)"), "invoice-due-date"),
                      rx.input(type="date", default_value=S.due_date, id="invoice-due-date", name="due_date",
                               on_change=lambda v: S.set_text("due_date", v)), spacing="1"),
            text_field(t("Notes for the client"), "notes", S.notes, "invoice-notes"),
            text_field(t("Terms"), "terms", S.terms, "invoice-terms", "2"),
            error_callout(S.error),
            rx.flex(rx.button(t("Save draft"), type="submit", variant="soft", id="invoice-save"),
                    rx.button(rx.icon("send", size=14), t("Send…"), type="button", on_click=S.review_send,
                              id="invoice-send"),
                    rx.spacer(),
                    # A new invoice not saved yet has nothing to delete: leaving the page drops it.
                    rx.cond(S.inv_id != 0,
                            rx.button(t("Delete draft"), type="button", variant="ghost", color_scheme="red",
                                      on_click=S.set_delete_open(True), id="invoice-delete"),
                            rx.link(rx.button(t("Cancel"), type="button", variant="ghost", color_scheme="gray"),
                                    href=routes.billing_url(),
                                    id="invoice-cancel")),
                    spacing="3", wrap="wrap", width="100%"),
            spacing="3", width="100%"),
            on_submit=S.save, reset_on_submit=False, key=S.form_key.to_string(), width="100%"),
        send_dialog(), delete_dialog(), bill_time_dialog(),
        spacing="4", width="100%")


def send_dialog() -> rx.Component:
    return rx.alert_dialog.root(rx.alert_dialog.content(
        rx.alert_dialog.title(t("Send invoice {number}?", number=S.send_number)),
        rx.alert_dialog.description(t("Sending gives this invoice its number for good: it can then be voided but never "
                                      "deleted, and its lines no longer change.")),
        rx.vstack(
            rx.text(t("Number: {number}", number=S.send_number), id="send-number"),
            rx.text(t("Account: {account}", account=S.send_account), id="send-account"),
            rx.text(t("Total: {total}", total=S.send_total), weight="bold", id="send-total"),
            rx.text(t("Due: {date}", date=S.send_due), id="send-due"),
            spacing="1", margin_y="1em", id="send-preview"),
        rx.hstack(rx.alert_dialog.cancel(rx.button(t("Not yet"), variant="soft", color_scheme="gray", type="button")),
                  rx.alert_dialog.action(rx.button(t("Send invoice"), on_click=S.confirm_send, type="button",
                                                   id="confirm-send")),
                  justify="end", spacing="3", wrap="wrap"),
    ), open=S.send_open, on_open_change=S.set_send_open)


def delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(rx.alert_dialog.content(
        rx.alert_dialog.title(t("Delete this draft?")),
        rx.alert_dialog.description(t("The draft and its lines are removed. It has no number yet, so no number is "
                                      "lost.")),
        rx.hstack(rx.alert_dialog.cancel(rx.button(t("Keep it"), variant="soft", color_scheme="gray", type="button")),
                  rx.alert_dialog.action(rx.button(t("Delete draft"), color_scheme="red", on_click=S.confirm_delete,
                                                   type="button", id="confirm-delete-invoice")),
                  justify="end", spacing="3", margin_top="1em", wrap="wrap"),
    ), open=S.delete_open, on_open_change=S.set_delete_open)


# --- one invoice: issued -------------------------------------------------------------------------------------


def shown_line(line: ShownLine) -> rx.Component:
    return rx.flex(
        rx.vstack(rx.text(line.name, size="2", weight="medium", custom_attrs=as_written()),
                  rx.cond(line.description != "", rx.text(line.description, size="1", color_scheme="gray",
                                                          custom_attrs=as_written())), spacing="0", flex="1",
                  min_width="10em"),
        rx.text(line.quantity, " × ", line.rate, size="2"),
        rx.cond(line.discount != "", rx.text(t("Discount {rate}", rate=line.discount), size="1", color_scheme="gray")),
        rx.cond(line.whole != "", rx.text(t("Invoice discount {amount}", amount=line.whole), size="1",
                                          color_scheme="gray", class_name="line-whole-discount")),
        rx.cond(line.tax != "", rx.text(t("Tax {rate}", rate=line.tax), size="1", color_scheme="gray")),
        rx.text(line.total, size="2", weight="medium", min_width="6em", text_align="right"),
        spacing="3", wrap="wrap", width="100%", align="center", class_name="shown-line", padding_y="0.4em",
        border_bottom=f"1px solid {rx.color('gray', 4)}")


def payment_row(p: PaymentItem) -> rx.Component:
    return rx.flex(
        rx.vstack(rx.text(p.what, " · ", p.day, size="2", weight="medium"),
                  rx.cond(p.reference != "", rx.text(p.reference, size="1", color_scheme="gray",
                                                     custom_attrs=as_written())),
                  rx.text(t("Recorded by {name}", name=p.by), size="1", color_scheme="gray"),
                  spacing="0", flex="1", min_width="10em"),
        rx.text(p.amount, size="2", weight="medium"),
        rx.cond(S.manages & p.refundable,
                rx.button(t("Refund…"), size="1", variant="soft", on_click=S.ask_refund(p.id),
                          class_name="payment-refund")),
        rx.cond(S.manages & (S.status != "void") & ~p.is_refund,
                rx.button(t("Remove"), size="1", variant="ghost", color_scheme="red",
                          on_click=S.ask_remove_payment(p.id), class_name="payment-remove")),
        spacing="3", wrap="wrap", width="100%", align="center", class_name="payment-row", padding_y="0.4em",
        border_bottom=f"1px solid {rx.color('gray', 4)}")


def field_input(text, field_id: str, **props) -> rx.Component:
    return rx.vstack(label(text, field_id), rx.input(id=field_id, name=field_id.split("-", 1)[1].replace("-", "_"),
                                                        **props), spacing="1")


def payment_forms() -> rx.Component:
    return rx.flex(
        rx.card(rx.form(rx.vstack(
            rx.heading(t("Record a payment"), size="3"),
            error_callout(S.pay_error),
            rx.flex(field_input(t("Amount"), "pay-amount", default_value=S.due_input, input_mode="decimal", width="8em"),
                    rx.vstack(label(t("How"), "pay-method"),
                              static_select([(v, t(text)) for v, text in METHOD_CHOICES], name="method",
                                            id="pay-method", default_value="check"), spacing="1"),
                    field_input(t("Received on"), "pay-received-on", type="date", default_value=S.today),
                    field_input(t("Reference (check number…)"), "pay-reference", width="12em"),
                    spacing="3", wrap="wrap"),
            rx.text(t("A part leaves the rest due."), size="1", color_scheme="gray"),
            rx.button(t("Record payment"), type="submit", id="pay-record"),
            spacing="2", width="100%"), on_submit=S.record_payment, reset_on_submit=False,
            key="pay-" + S.pay_key.to_string()), flex="1", min_width="16em"),
        rx.card(rx.form(rx.vstack(
            rx.heading(t("Credit this invoice"), size="3"),
            rx.text(t("Written off this invoice only; a credit for the account is given on its page."), size="1",
                    color_scheme="gray"),
            error_callout(S.credit_error),
            rx.flex(rx.vstack(label(t("Amount"), "credit-amount"),
                              rx.input(id="credit-amount", name="credit_amount", input_mode="decimal", width="8em"),
                              spacing="1"),
                    rx.vstack(label(t("Why"), "credit-reason"),
                              rx.input(id="credit-reason", name="credit_reason", width="16em", max_width="100%"),
                              spacing="1"),
                    spacing="3", wrap="wrap"),
            rx.button(t("Credit this invoice"), type="submit", variant="soft", id="credit-give"),
            spacing="2", width="100%"), on_submit=S.give_credit, reset_on_submit=False,
            key="credit-" + S.pay_key.to_string()), flex="1", min_width="16em"),
        spacing="3", wrap="wrap", width="100%")


def issued_view() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.vstack(rx.text(t("Account"), size="1", color_scheme="gray"),
                      rx.link(S.account_name, href=S.account_href, id="invoice-account", custom_attrs=as_written()),
                      spacing="0"),
            rx.cond(S.job_name != "", rx.vstack(
                rx.text(t("Job"), size="1", color_scheme="gray"),
                rx.link(S.job_name, href=S.job_href, id="invoice-job-link", custom_attrs=as_written()), spacing="0")),
            rx.cond(S.issued != "", figure(t("Issued"), S.issued, "invoice-issued")),
            rx.cond(S.issued != "", figure(t("Due"), S.due_on, "invoice-due-on")),
            figure(t("Total"), S.total, "invoice-total-figure"),
            figure(t("Paid"), S.paid, "invoice-paid"),
            figure(t("Credited"), S.credited, "invoice-credited"),
            figure(t("Left due"), S.left_due, "invoice-left-due"),
            spacing="5", wrap="wrap", width="100%"),
        rx.cond(S.status == "void", rx.callout(t("Void: {reason}", reason=S.void_reason), icon="ban", color_scheme="gray",
                                               width="100%", id="invoice-void-reason")),
        rx.vstack(rx.foreach(S.shown_lines, shown_line), spacing="0", width="100%", id="invoice-shown-lines"),
        totals(S.subtotal, S.discount, S.tax, S.total, S.whole_discount),
        rx.cond(S.notes != "", rx.text(S.notes, size="2", white_space="pre-wrap", custom_attrs=as_written())),
        rx.cond(S.terms != "", rx.text(S.terms, size="1", color_scheme="gray", white_space="pre-wrap",
                                       custom_attrs=as_written())),
        rx.heading(t("Payments, credits and refunds"), size="4"),
        error_callout(S.error),
        rx.cond(S.payments.length() > 0, rx.vstack(rx.foreach(S.payments, payment_row), spacing="0", width="100%",
                                                   id="invoice-payments"),
                rx.text(t("Nothing paid yet."), size="2", color_scheme="gray")),
        rx.cond(S.manages & S.owing, payment_forms()),
        rx.cond(S.manages & S.owing & (S.credit_left_cents > 0), apply_credit_card()),
        rx.cond(S.manages & (S.status != "void"),
                rx.button(t("Void invoice…"), variant="soft", color_scheme="red", on_click=S.set_void_open(True),
                          id="invoice-void")),
        void_dialog(), remove_payment_dialog(), refund_dialog(),
        spacing="4", width="100%")


def void_dialog() -> rx.Component:
    return rx.alert_dialog.root(rx.alert_dialog.content(
        rx.alert_dialog.title(t("Void {name}?", name=S.title)),
        rx.alert_dialog.description(t("{name} for {account}, {total}: voiding keeps its number, and the account no "
                                      "longer owes it. This cannot be undone.", name=S.title, account=S.account_name,
                                      total=S.total)),
        rx.form(rx.vstack(
            error_callout(S.void_error),
            label(t("Why is it void?"), "void-reason"),
            rx.text_area(id="void-reason", name="void_reason", rows="2", width="100%", max_length=5000),
            rx.hstack(rx.alert_dialog.cancel(rx.button(t("Keep it"), variant="soft", color_scheme="gray",
                                                       type="button")),
                      rx.button(t("Void invoice"), color_scheme="red", type="submit", id="confirm-void"),
                      justify="end", spacing="3", wrap="wrap", width="100%"),
            spacing="2", width="100%", margin_top="1em"), on_submit=S.confirm_void, reset_on_submit=False),
    ), open=S.void_open, on_open_change=S.set_void_open)


def remove_payment_dialog() -> rx.Component:
    return rx.alert_dialog.root(rx.alert_dialog.content(
        rx.alert_dialog.title(t("Remove this payment?")),
        rx.alert_dialog.description(t("{payment}: what it paid is due again.", payment=S.remove_text)),
        rx.hstack(rx.alert_dialog.cancel(rx.button(t("Keep it"), variant="soft", color_scheme="gray", type="button")),
                  rx.alert_dialog.action(rx.button(t("Remove"), color_scheme="red", on_click=S.confirm_remove_payment,
                                                   type="button", id="confirm-remove-payment")),
                  justify="end", spacing="3", margin_top="1em", wrap="wrap"),
    ), open=S.remove_id != 0, on_open_change=S.set_remove_open)


def invoice_page() -> rx.Component:
    return page(
        rx.cond(S.found, S.title, t("Invoice")),
        rx.link(t("← All invoices"), href=routes.BILLING, size="2", id="back-to-billing"),
        rx.cond(
            S.page_error != "", empty_state(S.page_error),
            rx.cond(S.found, rx.vstack(
                rx.hstack(status_badge(S.status, S.status_label), width="100%"),
                rx.cond((S.status == "draft") & S.manages, draft_editor(), issued_view()),
                spacing="3", width="100%"))),
    )


def register(app: rx.App) -> None:
    app.add_page(billing_page, route=routes.BILLING, title=t("Billing · practice"),
                 on_load=[AppState.require_login, B.load])
    app.add_page(invoice_page, route=routes.INVOICE, title=t("Invoice · practice"),
                 on_load=[AppState.require_login, S.load])

"""Settings → Webhooks (owners and admins): the addresses that hear about the firm's events, each signed, with
their delivery log and replay."""
import reflex as rx

from practice import routes
from practice.components.forms import label
from practice.components.i18n import as_written, t
from practice.components.layout import SETTINGS_TABS, empty_state, error_callout, page, section_tabs
from practice.state.base import AppState
from practice.state.webhooks import KIND_CHOICES, DeliveryItem, HookItem
from practice.state.webhooks import WebhooksState as S


def new_secret() -> rx.Component:
    return rx.callout(rx.vstack(
        rx.text(t("The signing secret of the webhook to {url}: copy it into the receiver now. It is not shown again; "
                  "if you lose it, make a new one.", url=S.shown_for), weight="medium"),
        rx.hstack(rx.code(S.shown_once, id="new-webhook-secret", size="2", word_break="break-all",
                          custom_attrs=as_written()),
                  rx.button(t("Copy"), size="1", id="copy-webhook-secret",
                            on_click=[rx.set_clipboard(S.shown_once), rx.toast.info(t("Secret copied."))]),
                  wrap="wrap", align="center", spacing="2"),
        rx.button(t("I have saved it"), size="1", variant="soft", on_click=S.secret_saved, id="webhook-secret-saved"),
        spacing="2", align="start"), icon="key-round", color_scheme="green", width="100%", id="new-webhook")


def kind_box(kind: str, text: str) -> rx.Component:
    return rx.el.label(rx.hstack(rx.checkbox(name=f"kind_{kind}", id=f"webhook-kind-{kind.replace('_', '-')}"),
                                 rx.text(t(text), size="2"), spacing="2", align="center"),
                       width=["100%", "48%"])


def add_form() -> rx.Component:
    return rx.card(rx.form(
        rx.vstack(
            rx.heading(t("Add a webhook"), size="4"),
            error_callout(S.add_error),
            rx.vstack(label(t("Address the events go to"), "webhook-url"),
                      rx.input(id="webhook-url", name="url", placeholder="https://example.com/hooks", required=True,
                               max_length=2000, width="100%"), spacing="1", width="100%"),
            rx.text(t("Events to send"), size="2", weight="medium"),
            rx.flex(*[kind_box(kind, text) for kind, text in KIND_CHOICES], wrap="wrap", spacing="2", width="100%",
                    id="webhook-kinds"),
            rx.button(rx.icon("plus", size=14), t("Add webhook"), type="submit", id="add-webhook"),
            spacing="3", align="start", width="100%",
        ),
        key=S.form_key.to_string(), on_submit=S.create_subscription, reset_on_submit=False,
    ), width="100%", id="add-webhook-card")


def hook_card(item: HookItem) -> rx.Component:
    sid = item.id.to_string()
    return rx.box(rx.vstack(
        rx.hstack(rx.text(item.url, weight="medium", word_break="break-all", custom_attrs=as_written()),
                  rx.cond(item.enabled, rx.badge(t("Active"), color_scheme="green"),
                          rx.badge(t("Off"), color_scheme="gray")),
                  rx.cond(item.from_rules, rx.badge(t("From the rules"), color_scheme="indigo")),
                  wrap="wrap", spacing="2", align="center"),
        rx.text(item.events, size="2"),
        rx.cond(~item.enabled, rx.text(item.state, size="2", color_scheme="amber")),
        rx.text(t("{delivered} delivered · {waiting} waiting · {failed} failed · added {when}",
                  delivered=item.delivered, waiting=item.waiting, failed=item.failed, when=item.created),
                size="1", color_scheme="gray"),
        rx.hstack(
            rx.button(rx.icon("list", size=14), t("Delivery log"), size="1", variant="soft",
                      on_click=S.open_log(item.id), id="webhook-log-" + sid),
            rx.cond(item.enabled,
                    rx.button(t("Pause"), size="1", variant="soft", color_scheme="gray",
                              on_click=S.set_enabled(item.id, False), id="webhook-pause-" + sid),
                    rx.button(t("Resume"), size="1", variant="soft", color_scheme="green",
                              on_click=S.set_enabled(item.id, True), id="webhook-resume-" + sid)),
            rx.button(t("New secret"), size="1", variant="soft", color_scheme="gray",
                      on_click=S.make_new_secret(item.id), id="webhook-secret-" + sid),
            rx.button(t("Delete"), size="1", variant="soft", color_scheme="red",
                      on_click=S.ask_delete(item.id), id="webhook-delete-" + sid),
            wrap="wrap", spacing="2"),
        spacing="2", width="100%"),
        id="webhook-" + sid, class_name="webhook-row", padding="0.75em 0",
        border_bottom="1px solid var(--gray-a5)", width="100%")


def hooks_list() -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.heading(t("Webhooks"), size="4"),
                  rx.button(rx.icon("refresh-cw", size=14), t("Refresh"), size="1", variant="ghost",
                            on_click=S.refresh, id="webhooks-refresh"),
                  justify="between", width="100%", align="center"),
        error_callout(S.error),
        rx.cond(S.rows.length() == 0,
                empty_state(t("No webhooks yet. Add one for each program that should hear about the firm's events; "
                              "a rule's send webhook adds its address here too.")),
                rx.vstack(rx.foreach(S.rows, hook_card), spacing="0", width="100%")),
        spacing="3", width="100%"), width="100%", id="webhooks-card")


def delivery_row(item: DeliveryItem) -> rx.Component:
    """One delivery, stacked so that it reads the same on a phone: the event and its status, the attempts and the
    receiver's last answer, the webhook-id, and "Send again" when it is done."""
    return rx.box(rx.vstack(
        rx.hstack(rx.text(item.event, weight="medium"),
                  rx.badge(item.status, class_name="delivery-status",
                           color_scheme=rx.match(item.status_key, ("delivered", "green"), ("failed", "red"), "gray")),
                  rx.hstack(rx.text(t("Attempts"), size="1", color_scheme="gray"),
                            rx.text(item.attempts, size="1", class_name="delivery-attempts"), spacing="1"),
                  wrap="wrap", spacing="2", align="center"),
        rx.text(item.answer, " · ", item.when, size="1"),
        rx.hstack(rx.text(item.webhook_id, size="1", color_scheme="gray", font_family="monospace",
                          word_break="break-all", custom_attrs=as_written()),
                  rx.cond(item.may_replay,
                          rx.button(rx.icon("rotate-cw", size=12), t("Send again"), size="1", variant="soft",
                                    on_click=S.replay(item.id), id="delivery-replay-" + item.id.to_string())),
                  wrap="wrap", spacing="2", align="center", justify="between", width="100%"),
        spacing="1", width="100%"),
        id="delivery-" + item.id.to_string(), class_name="delivery-row", padding="0.5em 0",
        border_bottom="1px solid var(--gray-a5)", width="100%")


def log_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.heading(t("Delivery log"), size="4"),
                  rx.hstack(rx.button(rx.icon("refresh-cw", size=14), t("Refresh"), size="1", variant="soft",
                                      on_click=S.refresh, id="delivery-log-refresh"),
                            rx.button(t("Close"), size="1", variant="soft", color_scheme="gray", on_click=S.close_log,
                                      id="delivery-log-close"), spacing="2"),
                  justify="between", width="100%", align="center", wrap="wrap"),
        rx.text(S.log_url, size="2", word_break="break-all", custom_attrs=as_written()),
        error_callout(S.log_error),
        rx.cond(S.log_rows.length() == 0,
                empty_state(t("Nothing sent yet: deliveries appear here as events happen.")),
                rx.vstack(rx.foreach(S.log_rows, delivery_row), spacing="0", width="100%")),
        spacing="3", width="100%"), width="100%", id="delivery-log")


def settings_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.el.label(rx.hstack(rx.checkbox(checked=S.allow_private, on_change=S.set_allow_private,
                                          id="webhooks-allow-private"),
                              rx.text(t("Allow private addresses and plain http:// (this machine, the office's "
                                        "network)"), size="2"), spacing="2", align="center")),
        rx.text(t("Leave this off unless the receiver is on your own network: a webhook is a request the server makes "
                  "for the firm, and private addresses reach the firm's own machines."), size="1",
                color_scheme="gray"),
        spacing="2", width="100%"), width="100%", id="webhooks-settings")


def delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(rx.alert_dialog.content(
        rx.alert_dialog.title(t("Delete the webhook to {url}?", url=S.delete_url), overflow_wrap="anywhere"),
        rx.alert_dialog.description(t("Deleting it stops:")),
        rx.el.ul(rx.foreach(S.delete_preview, lambda line: rx.el.li(rx.text(line, size="2"))),
                 id="webhook-delete-preview", padding_left="1.2em", list_style_type="disc"),
        rx.hstack(
            rx.alert_dialog.cancel(rx.button(t("Keep it"), variant="soft", color_scheme="gray", type="button",
                                             id="keep-webhook")),
            rx.button(t("Delete webhook"), color_scheme="red", on_click=S.confirm_delete, type="button",
                      id="confirm-delete-webhook"),
            justify="end", spacing="3", margin_top="1em", wrap="wrap"),
    ), open=S.delete_id != 0, on_open_change=S.set_delete_open)


def webhooks_page() -> rx.Component:
    return page(
        t("Settings"),
        section_tabs(SETTINGS_TABS, routes.WEBHOOKS, "settings", "Settings"),
        rx.cond(AppState.is_admin, rx.vstack(
            rx.text(t("A webhook tells another program when something happens in the firm: each event is sent once, "
                      "signed with the webhook's secret (Standard Webhooks), and tried again for a few hours if the "
                      "program does not answer. After five failed deliveries in a row it is turned off and its owner "
                      "told in Inbox+."), size="2", color_scheme="gray"),
            rx.cond(S.shown_once != "", new_secret()),
            hooks_list(),
            rx.cond(S.log_id != 0, log_card()),
            add_form(),
            settings_card(),
            delete_dialog(),
            spacing="4", width="100%"),
            rx.text(t("Only the owner or an admin can see and change the firm's webhooks."), color_scheme="gray",
                    size="2")),
    )


def register(app: rx.App) -> None:
    app.add_page(webhooks_page, route=routes.WEBHOOKS, title=t("Webhooks · practice"),
                 on_load=[AppState.require_login, S.load])

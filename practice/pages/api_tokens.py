"""Settings → API tokens: my personal access tokens for the REST API (every team member manages their own)."""
import reflex as rx

from practice import routes
from practice.components.forms import SELECT_STYLE, label
from practice.components.i18n import as_written, t
from practice.components.layout import SETTINGS_TABS, empty_state, error_callout, page, section_tabs
from practice.state.api_tokens import ApiTokensState as S
from practice.state.api_tokens import TokenItem
from practice.state.base import AppState


def new_secret() -> rx.Component:
    return rx.callout(rx.vstack(
        rx.text(t("Your new token “{name}”: copy it now. It is not shown again; if you lose it, revoke it and make "
                  "another.", name=S.new_name), weight="medium"),
        rx.hstack(rx.code(S.shown_once, id="new-token-secret", size="2", word_break="break-all",
                          custom_attrs=as_written()),
                  rx.button(t("Copy"), size="1", id="copy-token",
                            on_click=[rx.set_clipboard(S.shown_once), rx.toast.info(t("Token copied."))]),
                  wrap="wrap", align="center", spacing="2"),
        rx.button(t("I have saved it"), size="1", variant="soft", on_click=S.secret_saved, id="token-saved"),
        spacing="2", align="start"), icon="key-round", color_scheme="green", width="100%", id="new-token")


def add_form() -> rx.Component:
    return rx.card(rx.form(
        rx.vstack(
            rx.heading(t("Make a token"), size="4"),
            error_callout(S.add_error),
            rx.hstack(
                rx.vstack(label(t("Name"), "token-name"),
                          rx.input(id="token-name", name="name", placeholder=t("Bookkeeping sync"), required=True,
                                   max_length=100, width=["100%", "260px"]), spacing="1"),
                rx.vstack(label(t("It may"), "token-scope"),
                          rx.el.select(rx.el.option(t("Read only"), value="read"),
                                       rx.el.option(t("Read and write"), value="write"),
                                       name="scope", id="token-scope", style=SELECT_STYLE), spacing="1"),
                wrap="wrap", spacing="3", align="end", width="100%",
            ),
            rx.button(rx.icon("plus", size=14), t("Make token"), type="submit", id="make-token"),
            spacing="3", align="start", width="100%",
        ),
        key=S.form_key.to_string(), on_submit=S.create_token, reset_on_submit=False,
    ), width="100%", id="make-token-card")


def token_row(item: TokenItem) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(item.name, weight="medium", custom_attrs=as_written()),
                      rx.text(item.prefix, size="1", color_scheme="gray", font_family="monospace",
                              custom_attrs=as_written())),
        rx.table.cell(item.scope),
        rx.table.cell(item.created),
        rx.table.cell(item.last_used),
        rx.table.cell(rx.cond(item.revoked != "",
                              rx.badge(t("Revoked {when}", when=item.revoked), color_scheme="gray"),
                              rx.button(t("Revoke"), size="1", variant="soft", color_scheme="red",
                                        on_click=S.ask_revoke(item.id), id="revoke-token-" + item.id.to_string()))),
        id="token-row-" + item.id.to_string(),
    )


def tokens_list() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t("My tokens"), size="4"),
        error_callout(S.error),
        rx.cond(S.rows.length() == 0,
                empty_state(t("No tokens yet. Make one for each program that should read or change the firm's "
                              "records as you.")),
                rx.box(rx.table.root(
                    rx.table.header(rx.table.row(rx.table.column_header_cell(t("Token")),
                                                 rx.table.column_header_cell(t("It may")),
                                                 rx.table.column_header_cell(t("Made")),
                                                 rx.table.column_header_cell(t("Last used")),
                                                 rx.table.column_header_cell(""))),
                    rx.table.body(rx.foreach(S.rows, token_row)),
                    width="100%", size="1"), overflow_x="auto", width="100%")),
        spacing="3", width="100%"), width="100%", id="tokens-card")


def revoke_dialog() -> rx.Component:
    return rx.alert_dialog.root(rx.alert_dialog.content(
        rx.alert_dialog.title(t("Revoke “{name}”?", name=S.revoke_name)),
        rx.alert_dialog.description(t("Programs using this token are refused from now on. This cannot be undone.")),
        rx.hstack(
            rx.alert_dialog.cancel(rx.button(t("Keep it"), variant="soft", color_scheme="gray", type="button",
                                             id="keep-token")),
            rx.button(t("Revoke token"), color_scheme="red", on_click=S.confirm_revoke, type="button",
                      id="confirm-revoke-token"),
            justify="end", spacing="3", margin_top="1em"),
    ), open=S.revoke_id != 0, on_open_change=S.set_revoke_open)


def api_tokens_page() -> rx.Component:
    return page(
        t("Settings"),
        section_tabs(SETTINGS_TABS, routes.API_TOKENS, "settings", "Settings"),
        rx.text(t("A token lets another program use the firm's API as you: it sees exactly the accounts you see, "
                  "and what it changes is recorded under your name. Keep tokens secret, like a password."),
                size="2", color_scheme="gray"),
        rx.cond(S.shown_once != "", new_secret()),
        tokens_list(),
        add_form(),
        revoke_dialog(),
    )


def register(app: rx.App) -> None:
    app.add_page(api_tokens_page, route=routes.API_TOKENS, title=t("API tokens · practice"),
                 on_load=[AppState.require_login, S.load])

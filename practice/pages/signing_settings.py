"""Settings → Signing: the firm's sealing certificate, the timestamp server and the consent disclosure."""
import reflex as rx

from practice import routes
from practice.components import forms
from practice.components.forms import label
from practice.components.i18n import t, tn
from practice.components.layout import SETTINGS_TABS, error_callout, page, section_tabs
from practice.services.signing.consent import DEFAULT_DISCLOSURE
from practice.state.base import AppState
from practice.state.signing_settings import SigningSettingsState as S

P12_UPLOAD = "certificate-upload"


def section(title: rx.Var, *children, id: str) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4"), *children, spacing="3", width="100%"), width="100%", id=id)


def notice(text) -> rx.Component:
    return rx.cond(text != "", rx.callout(text, icon="check", color_scheme="green", size="1", width="100%"))


def fact(name: rx.Var, value, id: str) -> rx.Component:
    return rx.table.row(rx.table.row_header_cell(name, width=["40%", "30%"]),
                        rx.table.cell(rx.text(value, id=id, style={"wordBreak": "break-all"})))


def confirm_dialog() -> rx.Component:
    return forms.confirm_dialog(
        t("Make a new certificate?"),
        t("New signed files will be sealed with a new certificate made here. Files sealed before stay valid: the "
          "verify page and `python -m practice verify` still recognise the old certificate. Clients who added the "
          "old certificate to their PDF reader will need the new one too."),
        confirm=t("Make a new certificate"), on_confirm=S.regenerate, confirm_id="confirm-regenerate",
        open=S.confirm_open, on_open_change=S.set_confirm_open, keep=t("Cancel"), color="indigo")


def certificate_section() -> rx.Component:
    upload = rx.vstack(
        rx.text(t("Use the firm's own certificate"), weight="medium", size="2"),
        rx.text(t("A PKCS#12 file (.p12 or .pfx) holding the certificate and its private key, as exported from your "
                  "certificate provider."), size="1", color_scheme="gray"),
        rx.upload(
            rx.hstack(rx.button(t("Choose the .p12 / .pfx file"), type="button", variant="soft", size="2",
                                id="choose-certificate"),
                      rx.text(rx.cond(rx.selected_files(P12_UPLOAD).length() > 0,
                                      rx.selected_files(P12_UPLOAD)[0], t("No file chosen")),
                              size="1", color_scheme="gray"),
                      align="center", wrap="wrap"),
            id=P12_UPLOAD, multiple=False, max_files=1, max_size=1_000_000,
            accept={"application/x-pkcs12": [".p12", ".pfx"]}, no_drag=False,
            on_drop_rejected=S.certificate_rejected, padding="0.5em", width="100%",
        ),
        label(t("The file's password"), "certificate-password"),
        rx.input(id="certificate-password", type="password", auto_complete="off", width=["100%", "320px"],
                 on_change=S.remember_password),
        rx.button(rx.icon("upload", size=14), t("Use this certificate"), type="button", id="upload-certificate",
                  on_click=S.upload_certificate(rx.upload_files(upload_id=P12_UPLOAD))),
        spacing="2", align="start", width="100%",
    )
    return section(
        t("Sealing certificate"),
        rx.text(t("Every signed file is sealed with this certificate, so anyone can check it was not changed and "
                  "that the firm sealed it."), size="2", color_scheme="gray"),
        error_callout(S.certificate_error),
        notice(S.certificate_notice),
        rx.table.root(rx.table.body(
            fact(t("Subject"), S.subject, "certificate-subject"),
            fact(t("Issued by"), S.issuer, "certificate-issuer"),
            fact(t("Fingerprint (SHA-256)"), S.fingerprint, "certificate-fingerprint"),
            fact(t("Valid"), t("{start} to {end}", start=S.valid_from, end=S.valid_until), "certificate-valid"),
            fact(t("Origin"), S.origin, "certificate-origin"),
        ), width="100%", size="1"),
        rx.cond(S.older_certificates > 0,
                rx.text(tn("{n} earlier certificate is kept so files sealed with it still verify.",
                           "{n} earlier certificates are kept so files sealed with them still verify.",
                           S.older_certificates), size="1", color_scheme="gray")),
        rx.hstack(
            rx.button(rx.icon("download", size=14), t("Download the certificate (.pem)"), variant="soft",
                      on_click=S.download_certificate, id="download-certificate", type="button"),
            rx.button(rx.icon("refresh-cw", size=14), t("Make a new certificate"), variant="soft", color_scheme="gray",
                      on_click=S.open_confirm, id="regenerate-certificate", type="button"),
            wrap="wrap", spacing="2"),
        rx.text(t("Clients can add the downloaded certificate to their PDF reader's trusted certificates; it holds "
                  "no secret."), size="1", color_scheme="gray"),
        rx.divider(),
        upload,
        confirm_dialog(),
        id="signing-certificate",
    )


def timestamp_section() -> rx.Component:
    return section(
        t("Timestamp server"),
        rx.text(t("Optional. With an RFC 3161 timestamp server, each seal carries a time vouched for by that server "
                  "instead of this server's clock. Without one, nothing is sent anywhere when a file is sealed."),
                size="2", color_scheme="gray"),
        rx.form(
            rx.vstack(
                error_callout(S.tsa_error),
                notice(S.tsa_notice),
                label(t("Timestamp server address (empty: none)"), "tsa-url"),
                rx.input(id="tsa-url", name="tsa_url", default_value=S.tsa_url, key="tsa-" + S.tsa_url,
                         placeholder="https://timestamp.example.com/tsa", width=["100%", "420px"], type="url"),
                rx.button(t("Test and save"), type="submit", id="save-tsa", loading=S.testing_tsa),
                spacing="2", align="start", width="100%",
            ),
            on_submit=S.save_tsa, reset_on_submit=False,
        ),
        id="signing-timestamp",
    )


def french_disclosure() -> rx.Component:
    """The disclosure's French version: clients who read French agree to it."""
    return rx.el.details(
        rx.el.summary(t("French version"), style={"cursor": "pointer", "fontWeight": "500"},
                      id="disclosure-french-summary"),
        rx.vstack(
            rx.text(t("Clients who read French read and accept this version. Leave it empty and they get the text "
                      "above, or the default in French (shown in grey) when that is empty too."),
                    size="1", color_scheme="gray"),
            label(t("French disclosure text"), "disclosure-fr"),
            rx.text_area(id="disclosure-fr", name="disclosure_fr", default_value=S.disclosure_text_fr,
                         key="disclosure-fr-" + S.disclosure_text_fr.length().to_string(),
                         placeholder=S.default_disclosure_fr, rows="14", width="100%", lang="fr"),
            width="100%", spacing="2", padding_top="0.5em"),
        open=S.disclosure_text_fr != "", width="100%", id="disclosure-french",
    )


def disclosure_section() -> rx.Component:
    return section(
        t("Consent to sign electronically"),
        rx.text(t("Clients read and accept this text before their first signature. Leave it empty to use the default "
                  "shown in grey; write {firm} where the firm's name goes. After a change, clients are asked "
                  "again.", firm="{{ firm }}"), size="2", color_scheme="gray"),
        rx.form(
            rx.vstack(
                error_callout(S.disclosure_error),
                notice(S.disclosure_notice),
                label(t("Disclosure text"), "disclosure"),
                rx.text_area(id="disclosure", name="disclosure", default_value=S.disclosure_text,
                             key="disclosure-" + S.disclosure_text.length().to_string(),
                             placeholder=t(DEFAULT_DISCLOSURE), rows="14", width="100%"),
                french_disclosure(),
                rx.button(t("Save the disclosure"), type="submit", id="save-disclosure"),
                spacing="2", align="start", width="100%",
            ),
            on_submit=S.save_disclosure, reset_on_submit=False,
        ),
        id="signing-disclosure",
    )


def signing_settings_page() -> rx.Component:
    return page(
        t("Signing settings"),
        section_tabs(SETTINGS_TABS, routes.SIGNING_SETTINGS, "settings", t("Settings")),
        error_callout(S.error),
        rx.cond(AppState.is_admin,
                rx.cond(S.loaded, rx.vstack(certificate_section(), timestamp_section(), disclosure_section(),
                                            spacing="4", width="100%")),
                rx.text(t("Only the owner or an admin can see the signing settings."), color_scheme="gray", size="2")),
    )


def register(app: rx.App) -> None:
    app.add_page(signing_settings_page, route=routes.SIGNING_SETTINGS, title=t("Signing settings · practice"),
                 on_load=[AppState.require_login, S.load])

"""The portal's Documents page: a client's files for the current account, with upload and download."""
import reflex as rx

from practice import routes
from practice.components.i18n import as_written, t
from practice.components.layout import error_callout
from practice.components.portal_layout import plain_empty, portal_page
from practice.state.portal_documents import PortalDocumentsState

UPLOAD_ID = "portal-upload"


def notice() -> rx.Component:
    return rx.cond(PortalDocumentsState.notice != "",
                   rx.callout(PortalDocumentsState.notice, icon="check", color_scheme="green", role="status",
                              width="100%", id="portal-documents-notice", style={"overflowWrap": "anywhere"}))


def upload_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.text(t("Send us a file"), weight="medium"),
        # A long folder path shortens with "…" in the select instead of pushing the card past a phone's edge.
        rx.hstack(
            rx.text(t("Into"), as_="label", html_for="portal-upload-folder", size="2", flex_shrink="0"),
            rx.select.root(
                rx.select.trigger(id="portal-upload-folder", width="100%", min_width="0", flex="1"),
                rx.select.content(rx.foreach(PortalDocumentsState.folder_options,
                                             lambda o: rx.select.item(o.label, value=o.value)),
                                  position="popper", max_width="calc(100vw - 2em)"),
                value=PortalDocumentsState.upload_folder, on_change=PortalDocumentsState.choose_folder, size="2"),
            align="center", width="100%", min_width="0",
        ),
        rx.upload(
            rx.vstack(rx.icon("upload", size=20),
                      rx.button(t("Choose files"), type="button", size="3", variant="soft", id="portal-choose-files"),
                      rx.text(t("PDF, images, Word, Excel, CSV or text"), size="1", color_scheme="gray"),
                      align="center", spacing="1"),
            id=UPLOAD_ID, multiple=True, max_files=20, width="100%", padding="1em",
            border=f"1px dashed {rx.color('gray', 7)}", border_radius="8px",
            on_drop=PortalDocumentsState.handle_upload(rx.upload_files(upload_id=UPLOAD_ID)),
            on_drop_rejected=PortalDocumentsState.file_rejected,
        ),
        spacing="2", width="100%", min_width="0",
    ), width="100%", min_width="0")


def locked_part(d) -> rx.Component:
    """A locked document's name (no link), why it is locked, and the way to the invoice that opens it."""
    return rx.vstack(
        rx.text(d.name, weight="medium", style={"wordBreak": "break-word"}, custom_attrs=as_written(),
                class_name="portal-document-name"),
        rx.text(d.lock_text, size="1", color_scheme="amber", class_name="portal-document-lock"),
        rx.cond(d.pay_href != "",
                rx.link(rx.button(rx.icon("credit-card", size=16), d.pay_label, type="button", size="2",
                                  width=["100%", "auto"]),
                        href=d.pay_href, class_name="portal-document-pay", width=["100%", "auto"])),
        spacing="1", min_width="0", width="100%",
    )


def document_card(d) -> rx.Component:
    return rx.card(rx.hstack(
        rx.cond(d.locked, rx.icon("lock", size=18, color=rx.color("amber", 10), aria_label=t("Locked")),
                rx.icon("file-text", size=18, color=rx.color("gray", 10))),
        rx.vstack(
            rx.cond(d.locked, locked_part(d),
                    # A document load, not the router's navigation: the attachment downloads and the page stays put.
                    rx.el.a(d.name, href=d.href, rel="noopener", reload_document=True,
                            class_name="portal-document-link", custom_attrs=as_written(),
                            style={"color": rx.color("accent", 11), "fontWeight": "500", "wordBreak": "break-word"})),
            rx.text(d.folder, " · ", d.size, " · ", rx.el.span(d.when, title=d.exact), size="1", color_scheme="gray"),
            spacing="0", min_width="0", width="100%",
        ),
        align="start", width="100%",
    ), width="100%", class_name=rx.cond(d.locked, "portal-document portal-document-locked", "portal-document"))


def documents_page() -> rx.Component:
    return portal_page(
        t("Documents"),
        error_callout(PortalDocumentsState.error),
        notice(),
        upload_card(),
        rx.cond(PortalDocumentsState.docs.length() > 0,
                rx.vstack(rx.foreach(PortalDocumentsState.docs, document_card), width="100%", spacing="2",
                          id="portal-document-list"),
                plain_empty(t("There are no documents on this account yet. Send us a file above."))),
    )


def register(app: rx.App) -> None:
    app.add_page(documents_page, route=routes.PORTAL_DOCUMENTS, title=t("Client portal · documents"),
                 on_load=PortalDocumentsState.load)

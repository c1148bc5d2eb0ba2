"""Documents: the account page's folders and files, and the folder templates page (downloads: `http_routes`)."""
from __future__ import annotations

import reflex as rx

from practice import routes
from practice.components.i18n import as_written, t, tn
from practice.components.layout import SETTINGS_TABS, empty_state, error_callout, page, section_tabs
from practice.pages.work_parts import field, section
from practice.services.documents import storage
from practice.state.base import AppState
from practice.state.documents import ALL, UNFILED, AccountDocumentsState, FolderTemplatesState

S = AccountDocumentsState

UPLOAD_ID = "document-upload"


# --- the account page's Documents section ----------------------------------------------------------


def folder_label() -> rx.Var:
    """The folder shown: its path, or "All documents" in the reader's language (before the load too)."""
    return rx.cond(AccountDocumentsState.folder_label != "", AccountDocumentsState.folder_label, t("All documents"))


def folder_button(label: str, value: str, id_: str) -> rx.Component:
    selected = AccountDocumentsState.folder_choice == value
    return rx.button(
        rx.hstack(rx.icon("folder", size=14), rx.text(label, size="2"), spacing="2", align="center"),
        variant=rx.cond(selected, "soft", "ghost"), color_scheme="gray", high_contrast=True, size="1",
        on_click=AccountDocumentsState.choose_folder(value), id=id_,
    )


def folder_sharing(f) -> rx.Component:
    """The folder's visibility as an icon button that switches it (an open or a closed eye)."""
    return rx.tooltip(
        rx.icon_button(rx.cond(f.shared, rx.icon("eye", size=12), rx.icon("eye-off", size=12)), size="1",
                       variant="ghost", color_scheme=rx.cond(f.shared, "gray", "amber"),
                       aria_label=rx.cond(f.shared, t("Make folder {name} internal", name=f.path),
                                          t("Share folder {name} with the client", name=f.path)),
                       class_name=rx.cond(f.shared, "unshare-folder", "share-folder"),
                       on_click=S.share_folder(f.id, ~f.shared)),
        content=rx.cond(f.shared, rx.cond(f.shown, t("Shared with the client: click to make it internal"),
                                          t("Shared, but inside an internal folder")),
                        t("Internal: click to share it with the client")))


def folder_tree() -> rx.Component:
    return rx.vstack(
        folder_button(t("All documents"), ALL, id_="folder-all"),
        rx.foreach(AccountDocumentsState.folders, lambda f: rx.hstack(
            rx.box(width=f.indent, flex_shrink="0"),
            rx.button(rx.hstack(rx.icon("folder", size=14), rx.text(f.name, size="2"),
                                rx.cond(f.count > 0, rx.text(f.count, size="1", color_scheme="gray")),
                                spacing="2", align="center"),
                      variant=rx.cond(AccountDocumentsState.folder_choice == f.id.to_string(), "soft", "ghost"),
                      color_scheme="gray", high_contrast=True, size="1", justify="start",
                      on_click=AccountDocumentsState.choose_folder(f.id.to_string()),
                      aria_label=t("Open folder {name}", name=f.path), class_name="folder-link"),
            rx.spacer(),
            folder_sharing(f),
            rx.icon_button(rx.icon("trash-2", size=12), size="1", variant="ghost", color_scheme="gray",
                           aria_label=t("Delete folder {name}", name=f.path), on_click=AccountDocumentsState.delete_folder(f.id)),
            width="100%", spacing="1", align="center", class_name="folder-row")),
        folder_button(t("Not in a folder"), UNFILED, id_="folder-unfiled"),
        spacing="1", width="100%", align="start",
    )


def upload_sharing() -> rx.Component:
    return rx.text(
        rx.hstack(rx.checkbox(checked=S.upload_shared, on_change=S.set_upload_shared, id="upload-shared"),
                  rx.text(t("The client sees the files I upload here"), size="2"), spacing="2", align="center"),
        as_="label", html_for="upload-shared")


def upload_zone() -> rx.Component:
    limit = storage.DEFAULT_MAX_MB
    return rx.upload(
        rx.vstack(
            rx.hstack(rx.icon("file-up", size=20),
                      rx.button(t("Choose files"), type="button", id="choose-documents", size="2"),
                      align="center"),
            rx.text(t("or drop them here, into "), rx.text.strong(folder_label()),
                    t(". PDF, images, Word, Excel, CSV or text, up to {limit} MB each.", limit=limit), size="1",
                    color_scheme="gray", align="center"),
            align="center", spacing="1",
        ),
        id=UPLOAD_ID, multiple=True, max_files=20,
        on_drop=AccountDocumentsState.handle_upload(rx.upload_files(upload_id=UPLOAD_ID)),
        on_drop_rejected=AccountDocumentsState.file_rejected,
        border=f"2px dashed {rx.color('gray', 7)}", border_radius="8px", padding="1em", width="100%",
        cursor="pointer",
    )


def visibility_badge(d) -> rx.Component:
    return rx.badge(rx.match(d.visibility, ("Shared", t("Shared")), ("Internal", t("Internal")), t("Internal folder")), color_scheme=rx.cond(d.visibility == "Shared", "green", "amber"),
                    variant="soft", size="1", class_name="document-visibility")


def document_sharing(d) -> rx.Component:
    return rx.tooltip(
        rx.icon_button(rx.cond(d.shared, rx.icon("eye-off", size=12), rx.icon("eye", size=12)), size="1",
                       variant="ghost",
                       aria_label=rx.cond(d.shared, t("Make {name} internal", name=d.name), t("Share {name} with the client", name=d.name)),
                       class_name=rx.cond(d.shared, "unshare-document", "share-document"),
                       on_click=S.share_document(d.id, ~d.shared)),
        content=rx.cond(d.shared, t("Make internal"), t("Share with the client")))


def undo_notice() -> rx.Component:
    return rx.cond(S.undo_id > 0, rx.callout(
        rx.hstack(rx.text(t("Deleted \"{name}\". It stays in Recently deleted for 30 days.", name=S.undo_name)),
                  rx.button(t("Undo"), size="1", variant="soft", id="undo-delete", on_click=S.restore_document(S.undo_id)),
                  align="center", wrap="wrap", spacing="2"),
        icon="trash-2", color_scheme="gray", size="1", id="undo-notice", role="status"))


def edit_dialog() -> rx.Component:
    """Rename a document or move it to another folder of the account (Enter saves, Escape closes)."""
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(t("Rename or move")),
        rx.form(rx.vstack(
            error_callout(S.doc_error),
            field(t("Name"), rx.input(name="name", default_value=S.edit_name, id="edit-document-name", required=True,
                                   key=S.edit_id)),
            field(t("Folder"), rx.select.root(
                rx.select.trigger(id="edit-document-folder", width="100%"),
                rx.select.content(rx.foreach(S.move_options, lambda o: rx.select.item(o.label, value=o.value))),
                value=S.edit_folder, on_change=S.choose_edit_folder)),
            rx.hstack(rx.dialog.close(rx.button(t("Cancel"), type="button", variant="soft", color_scheme="gray")),
                      rx.button(t("Save"), type="submit", id="save-document"), justify="end", width="100%"),
            spacing="3", width="100%"), on_submit=S.save_edit, reset_on_submit=False, width="100%"),
        max_width="min(440px, 94vw)"), open=S.edit_open, on_open_change=S.set_edit_open)


def lock_dialog() -> rx.Component:
    """Lock a document until one of the account's unpaid invoices is paid, or unlock it."""
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(t("Lock until paid")),
        rx.dialog.description(t("The client sees \"{name}\" listed but opens it only once the invoice you choose is "
                                "paid. You can always open it.", name=S.lock_doc_name), size="2"),
        rx.vstack(
            error_callout(S.lock_error),
            rx.cond(S.lock_options.length() > 0,
                    field(t("Invoice to pay"), rx.select.root(
                        rx.select.trigger(id="lock-invoice", width="100%"),
                        rx.select.content(rx.foreach(S.lock_options,
                                                     lambda o: rx.select.item(o.label, value=o.value))),
                        value=S.lock_choice, on_change=S.choose_lock_invoice)),
                    rx.text(t("This account has no sent invoice waiting to be paid. Send one first, then lock the "
                              "document until it is paid."), size="2", color_scheme="gray", id="lock-no-invoice")),
            rx.hstack(
                rx.cond(S.lock_locked, rx.button(rx.icon("lock-open", size=14), t("Unlock"), type="button",
                                                 variant="soft", color_scheme="amber", on_click=S.unlock,
                                                 id="unlock-document")),
                rx.spacer(),
                rx.dialog.close(rx.button(t("Cancel"), type="button", variant="soft", color_scheme="gray")),
                rx.cond(S.lock_options.length() > 0,
                        rx.button(rx.icon("lock", size=14), t("Lock"), type="button", on_click=S.save_lock,
                                  id="save-lock")),
                width="100%", wrap="wrap", spacing="2"),
            spacing="3", width="100%"),
        max_width="min(440px, 94vw)", id="lock-dialog"), open=S.lock_open, on_open_change=S.set_lock_open)


def lock_badge(d) -> rx.Component:
    return rx.cond(d.locked, rx.badge(rx.icon("lock", size=10), d.lock_text,
                                      color_scheme=rx.cond(d.lock_voided, "red", "amber"), variant="soft", size="1",
                                      class_name="document-lock", white_space="normal"))


def lock_button(d) -> rx.Component:
    return rx.cond(S.can_lock & ~d.refused,
                   rx.tooltip(rx.icon_button(rx.cond(d.locked, rx.icon("lock", size=12), rx.icon("lock-open", size=12)),
                                             size="1", variant="ghost",
                                             color_scheme=rx.cond(d.locked, "amber", "gray"),
                                             aria_label=t("Lock {name} until an invoice is paid", name=d.name),
                                             class_name="lock-document", on_click=S.open_lock(d.id)),
                              content=t("Lock until paid")))


def trash_list() -> rx.Component:
    return rx.cond(S.trash.length() > 0, rx.vstack(
        rx.heading(t("Recently deleted"), size="3"),
        rx.text(t("Deleted documents can be restored for 30 days."), size="1", color_scheme="gray"),
        rx.foreach(S.trash, lambda gone: rx.hstack(
            rx.vstack(rx.text(gone.name, size="2", style={"wordBreak": "break-word"}, custom_attrs=as_written()),
                      rx.text(gone.deleted, size="1", color_scheme="gray"), spacing="0", min_width="0"),
            rx.spacer(),
            rx.button(t("Restore"), size="1", variant="soft", aria_label=t("Restore {name}", name=gone.name),
                      class_name="restore-document", on_click=S.restore_document(gone.id)),
            width="100%", align="center", class_name="trash-row")),
        spacing="2", width="100%", id="documents-trash"))


def document_row(d) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.cond(
            d.refused,
            rx.vstack(rx.hstack(rx.text(d.name, size="2", custom_attrs=as_written()), rx.badge("refused", color_scheme="red"), wrap="wrap"),
                      rx.text(d.refusal, size="1", color_scheme="red"), spacing="1"),
            rx.vstack(# A document load, not the router's navigation: the attachment downloads and the page stays put.
                      rx.el.a(d.name, href=d.href, class_name="document-link", rel="noopener", reload_document=True,
                              custom_attrs=as_written(),
                              style={"color": rx.color("accent", 11), "fontSize": "var(--font-size-2)",
                                     "wordBreak": "break-word"}),
                      lock_badge(d),
                      rx.hstack(visibility_badge(d),
                                rx.text(d.folder, " · ", d.size, rx.cond(d.pages != "", " · " + d.pages, ""),
                                        size="1", color_scheme="gray"),
                                spacing="2", align="center", wrap="wrap"),
                      spacing="1"),
        )),
        rx.table.cell(rx.text(d.who, size="2"), rx.text(d.when, size="1", color_scheme="gray", title=d.exact)),
        rx.table.cell(rx.hstack(
            rx.cond(d.refused, rx.fragment(),
                    rx.tooltip(rx.icon_button(rx.icon("circle-check", size=12), size="1", variant="ghost",
                                              aria_label=t("Ask the client to approve {name}", name=d.name),
                                              class_name="request-approval",
                                              on_click=AccountDocumentsState.request_approval(d.id)),
                               content=t("Ask the client to approve"))),
            rx.cond(d.refused, rx.fragment(), document_sharing(d)),
            lock_button(d),
            rx.cond(d.refused, rx.fragment(),
                    rx.tooltip(rx.icon_button(rx.icon("pencil", size=12), size="1", variant="ghost",
                                              aria_label=t("Rename or move {name}", name=d.name), class_name="edit-document",
                                              on_click=S.open_edit(d.id)),
                               content=t("Rename or move"))),
            rx.icon_button(rx.icon("trash-2", size=12), size="1", variant="ghost", color_scheme="gray",
                           aria_label=t("Delete {name}", name=d.name), class_name="delete-document",
                           on_click=AccountDocumentsState.delete_document(d.id)),
            spacing="1", wrap="wrap")),
        class_name="document-row",
    )


def approval_row(a) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.el.a(a.document, href=a.href, rel="noopener", reload_document=True,
                    style={"color": rx.color("accent", 11), "fontSize": "var(--font-size-2)"}),
            rx.text(a.requested, rx.cond(a.job != "", " · " + a.job, ""), size="1", color_scheme="gray"),
            rx.cond(a.decided != "", rx.text(a.decided, size="1")),
            rx.cond(a.reason != "", rx.text(t("Reason: "), a.reason, size="1", color_scheme="red")),
            spacing="0", min_width="0",
        ),
        rx.spacer(),
        rx.badge(a.status, color_scheme=rx.match(a.status, ("approved", "green"), ("rejected", "red"), "amber")),
        rx.cond(a.pending, rx.button(t("Withdraw"), size="1", variant="ghost", color_scheme="gray",
                                     on_click=AccountDocumentsState.withdraw_approval(a.id))),
        align="center", width="100%", wrap="wrap", class_name="approval-row",
    )


def approvals_list() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Approvals"), size="3"),
        rx.cond(AccountDocumentsState.approvals.length() > 0,
                rx.vstack(rx.foreach(AccountDocumentsState.approvals, approval_row), spacing="2", width="100%"),
                rx.text(t("No approvals asked yet. Use the check button next to a document to ask the client to "
                        "approve it."), size="2", color_scheme="gray")),
        spacing="2", width="100%", id="approvals-list",
    )


def documents_section() -> rx.Component:
    """Folders on the left, the chosen folder's files on the right; stacks on a phone."""
    return section(
        t("Documents"),
        error_callout(AccountDocumentsState.doc_error),
        rx.cond(AccountDocumentsState.doc_notice != "",
                rx.callout(AccountDocumentsState.doc_notice, icon="check", color_scheme="green", size="1",
                           id="documents-notice")),
        undo_notice(),
        edit_dialog(), lock_dialog(),
        rx.grid(
            rx.vstack(
                folder_tree(),
                rx.form(
                    rx.vstack(
                        rx.hstack(rx.input(name="name", placeholder=t("New folder"), id="new-folder-name", size="1",
                                           aria_label=t("New folder name"), required=True),
                                  rx.button(t("Add"), type="submit", size="1", id="create-folder"),
                                  spacing="1", width="100%"),
                        rx.text(rx.hstack(rx.checkbox(name="shared", default_checked=True, id="new-folder-shared",
                                                      size="1"),
                                          rx.text(t("Shared with the client"), size="1"), spacing="1", align="center"),
                                as_="label", html_for="new-folder-shared"),
                        spacing="1", width="100%"),
                    key=AccountDocumentsState.folder_form_key, on_submit=AccountDocumentsState.create_folder,
                    reset_on_submit=False, width="100%",
                ),
                rx.cond(AccountDocumentsState.template_options.length() > 0,
                        rx.select.root(
                            rx.select.trigger(placeholder=t("Apply folder template"), id="apply-folder-template",
                                              variant="soft", width="100%"),
                            rx.select.content(rx.foreach(AccountDocumentsState.template_options,
                                                         lambda o: rx.select.item(o.label, value=o.value))),
                            value="", on_change=AccountDocumentsState.apply_template, size="1"),
                        rx.cond(AppState.is_admin,
                                rx.link(t("Create a folder template"), href=routes.FOLDER_TEMPLATES, size="1"))),
                spacing="2", width="100%", min_width="0",
            ),
            rx.vstack(
                rx.heading(folder_label(), size="3", id="documents-folder-heading"),
                upload_zone(),
                upload_sharing(),
                rx.cond(
                    AccountDocumentsState.docs.length() > 0,
                    rx.box(rx.table.root(
                        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                                       (t("Document"), t("Uploaded"), "")])),
                        rx.table.body(rx.foreach(AccountDocumentsState.docs, document_row)),
                        width="100%", size="1", id="documents-table"), overflow_x="auto", width="100%"),
                    rx.text(t("No documents here yet. Upload the client's files above."), color_scheme="gray",
                            size="2", id="documents-empty"),
                ),
                spacing="2", width="100%", min_width="0",
            ),
            grid_template_columns=["1fr", "1fr", "minmax(180px, 1fr) 3fr"], spacing="4", width="100%",
        ),
        trash_list(),
        approvals_list(),
        id="documents-section",
    )


# --- folder templates (admins) -----------------------------------------------------------------------


def template_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            error_callout(FolderTemplatesState.error),
            field(t("Template name"), rx.input(name="name", default_value=FolderTemplatesState.edit_name,
                                            id="template-name", required=True, placeholder=t("e.g. Individual client"))),
            field(t("Folders, one per line (use / for a folder inside another)"),
                  rx.text_area(name="paths", default_value=FolderTemplatesState.edit_paths, id="template-paths",
                               rows="6", placeholder=t("2026/Tax returns\n2026/Source documents\nPermanent"))),
            rx.hstack(rx.button(rx.cond(FolderTemplatesState.editing_id > 0, t("Save changes"), t("Create template")),
                                type="submit", id="save-template"),
                      rx.cond(FolderTemplatesState.editing_id > 0,
                              rx.button(t("Cancel"), type="button", variant="soft", color_scheme="gray",
                                        on_click=FolderTemplatesState.new)),
                      spacing="2"),
            width="100%", align="start", spacing="2",
        ),
        key=FolderTemplatesState.form_key, on_submit=FolderTemplatesState.save, reset_on_submit=False, width="100%",
    )


def template_row(tpl) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(tpl.name, weight="bold", size="2"),
                  rx.text(tn("{n} folder · ticked: the client sees the folder", "{n} folders · ticked: the client sees the folder", tpl.count), size="1", color_scheme="gray"),
                  rx.foreach(tpl.folders, lambda f: rx.text(
                      rx.hstack(rx.checkbox(checked=f.shared, size="1", class_name="template-folder-shared",
                                            aria_label=t("The client sees {name}", name=f.path),
                                            on_change=FolderTemplatesState.set_folder_shared(tpl.id, f.path)),
                                rx.text(f.path, size="1", style={"wordBreak": "break-word"}),
                                rx.cond(f.shared, rx.fragment(), rx.badge(t("internal"), color_scheme="amber", size="1")),
                                spacing="2", align="center"),
                      as_="label")),
                  spacing="1", min_width="0"),
        rx.spacer(),
        rx.button(t("Edit"), size="1", variant="soft", on_click=FolderTemplatesState.edit(tpl.id)),
        rx.button(t("Delete"), size="1", variant="ghost", color_scheme="red", on_click=FolderTemplatesState.delete(tpl.id)),
        width="100%", align="start", padding_y="0.4em", border_bottom=f"1px solid {rx.color('gray', 4)}",
        class_name="template-row",
    )


def templates_page() -> rx.Component:
    return page(
        t("Folder templates"),
        section_tabs(SETTINGS_TABS, routes.FOLDER_TEMPLATES, "settings", t("Settings")),
        rx.cond(
            AppState.is_admin,
            rx.grid(
                section(t("Templates"),
                        rx.text(t("A template is a default folder structure. Apply it from an account's Documents "
                                'section, or from a rule: apply folder template "NAME".'), size="2",
                                color_scheme="gray"),
                        rx.cond(FolderTemplatesState.templates.length() > 0,
                                rx.vstack(rx.foreach(FolderTemplatesState.templates, template_row), width="100%",
                                          spacing="0"),
                                empty_state(t("No folder templates yet. Create the first with the form."))),
                        id="templates-section"),
                section(t("New or changed template"), template_form(), id="template-form-section"),
                grid_template_columns=["1fr", "1fr", "3fr 2fr"], spacing="4", width="100%",
            ),
            empty_state(t("Only the owner or an admin can manage folder templates.")),
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(templates_page, route=routes.FOLDER_TEMPLATES, title=t("Folder templates · practice"),
                 on_load=[AppState.require_login, FolderTemplatesState.load])

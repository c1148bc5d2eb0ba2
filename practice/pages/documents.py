"""Documents: the account page's folders and files, the folder templates page, and the download route."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

import reflex as rx
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

from practice import routes
from practice.components.layout import empty_state, error_callout, page
from practice.db import read_session, write_session
from practice.pages.work_parts import field, section
from practice.services.access import auth, two_factor
from practice.services.documents import documents, storage
from practice.services.portal import portal
from practice.services.errors import InvalidInput, NotFound, PermissionDenied
from practice.state.base import AppState
from practice.state.documents import ALL, UNFILED, AccountDocumentsState, FolderTemplatesState

UPLOAD_ID = "document-upload"
SESSION_COOKIE = "practice_sid"
PORTAL_COOKIE = "portal_sid"


# --- the account page's Documents section ----------------------------------------------------------


def folder_button(label: str, value: str, id_: str) -> rx.Component:
    selected = AccountDocumentsState.folder_choice == value
    return rx.button(
        rx.hstack(rx.icon("folder", size=14), rx.text(label, size="2"), spacing="2", align="center"),
        variant=rx.cond(selected, "soft", "ghost"), color_scheme="gray", high_contrast=True, size="1",
        on_click=AccountDocumentsState.choose_folder(value), id=id_,
    )


def folder_tree() -> rx.Component:
    return rx.vstack(
        folder_button("All documents", ALL, id_="folder-all"),
        rx.foreach(AccountDocumentsState.folders, lambda f: rx.hstack(
            rx.box(width=f.indent, flex_shrink="0"),
            rx.button(rx.hstack(rx.icon("folder", size=14), rx.text(f.name, size="2"),
                                rx.cond(f.count > 0, rx.text(f.count, size="1", color_scheme="gray")),
                                spacing="2", align="center"),
                      variant=rx.cond(AccountDocumentsState.folder_choice == f.id.to_string(), "soft", "ghost"),
                      color_scheme="gray", high_contrast=True, size="1", justify="start",
                      on_click=AccountDocumentsState.choose_folder(f.id.to_string()),
                      aria_label="Open folder " + f.path, class_name="folder-link"),
            rx.spacer(),
            rx.icon_button(rx.icon("trash-2", size=12), size="1", variant="ghost", color_scheme="gray",
                           aria_label="Delete folder " + f.path, on_click=AccountDocumentsState.delete_folder(f.id)),
            width="100%", spacing="1", align="center")),
        folder_button("Not in a folder", UNFILED, id_="folder-unfiled"),
        spacing="1", width="100%", align="start",
    )


def upload_zone() -> rx.Component:
    limit = storage.DEFAULT_MAX_MB
    return rx.upload(
        rx.vstack(
            rx.hstack(rx.icon("file-up", size=20),
                      rx.button("Choose files", type="button", id="choose-documents", size="2"),
                      align="center"),
            rx.text("or drop them here, into ", rx.text.strong(AccountDocumentsState.folder_label),
                    f". PDF, images, Word, Excel, CSV or text, up to {limit} MB each.", size="1",
                    color_scheme="gray", align="center"),
            align="center", spacing="1",
        ),
        id=UPLOAD_ID, multiple=True, max_files=20,
        on_drop=AccountDocumentsState.handle_upload(rx.upload_files(upload_id=UPLOAD_ID)),
        on_drop_rejected=AccountDocumentsState.file_rejected,
        border=f"2px dashed {rx.color('gray', 7)}", border_radius="8px", padding="1em", width="100%",
        cursor="pointer",
    )


def document_row(d) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.cond(
            d.refused,
            rx.vstack(rx.hstack(rx.text(d.name, size="2"), rx.badge("refused", color_scheme="red"), wrap="wrap"),
                      rx.text(d.refusal, size="1", color_scheme="red"), spacing="1"),
            rx.vstack(# A plain anchor, not the router's link: the attachment downloads and the page stays put.
                      rx.el.a(d.name, href=d.href, class_name="document-link", rel="noopener",
                              style={"color": rx.color("accent", 11), "fontSize": "var(--font-size-2)"}),
                      rx.text(d.folder, " · ", d.size, rx.cond(d.pages != "", " · " + d.pages, ""), size="1",
                              color_scheme="gray"),
                      spacing="0"),
        )),
        rx.table.cell(rx.text(d.who, size="2"), rx.text(d.when, size="1", color_scheme="gray")),
        rx.table.cell(rx.hstack(
            rx.cond(d.refused, rx.fragment(),
                    rx.tooltip(rx.icon_button(rx.icon("circle-check", size=12), size="1", variant="ghost",
                                              aria_label="Ask the client to approve " + d.name,
                                              class_name="request-approval",
                                              on_click=AccountDocumentsState.request_approval(d.id)),
                               content="Ask the client to approve")),
            rx.icon_button(rx.icon("trash-2", size=12), size="1", variant="ghost", color_scheme="gray",
                           aria_label="Delete " + d.name, on_click=AccountDocumentsState.delete_document(d.id)),
            spacing="1")),
        class_name="document-row",
    )


def approval_row(a) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.el.a(a.document, href=a.href, rel="noopener",
                    style={"color": rx.color("accent", 11), "fontSize": "var(--font-size-2)"}),
            rx.text(a.requested, rx.cond(a.job != "", " · " + a.job, ""), size="1", color_scheme="gray"),
            rx.cond(a.decided != "", rx.text(a.decided, size="1")),
            rx.cond(a.reason != "", rx.text("Reason: ", a.reason, size="1", color_scheme="red")),
            spacing="0", min_width="0",
        ),
        rx.spacer(),
        rx.badge(a.status, color_scheme=rx.match(a.status, ("approved", "green"), ("rejected", "red"), "amber")),
        rx.cond(a.pending, rx.button("Withdraw", size="1", variant="ghost", color_scheme="gray",
                                     on_click=AccountDocumentsState.withdraw_approval(a.id))),
        align="center", width="100%", wrap="wrap", class_name="approval-row",
    )


def approvals_list() -> rx.Component:
    return rx.vstack(
        rx.heading("Approvals", size="3"),
        rx.cond(AccountDocumentsState.approvals.length() > 0,
                rx.vstack(rx.foreach(AccountDocumentsState.approvals, approval_row), spacing="2", width="100%"),
                rx.text("No approvals asked yet. Use the check button next to a document to ask the client to "
                        "approve it.", size="2", color_scheme="gray")),
        spacing="2", width="100%", id="approvals-list",
    )


def documents_section() -> rx.Component:
    """Folders on the left, the chosen folder's files on the right; stacks on a phone."""
    return section(
        "Documents",
        error_callout(AccountDocumentsState.doc_error),
        rx.cond(AccountDocumentsState.doc_notice != "",
                rx.callout(AccountDocumentsState.doc_notice, icon="check", color_scheme="green", size="1",
                           id="documents-notice")),
        rx.grid(
            rx.vstack(
                folder_tree(),
                rx.form(
                    rx.hstack(rx.input(name="name", placeholder="New folder", id="new-folder-name", size="1",
                                       aria_label="New folder name", required=True),
                              rx.button("Add", type="submit", size="1", id="create-folder"),
                              spacing="1", width="100%"),
                    key=AccountDocumentsState.folder_form_key, on_submit=AccountDocumentsState.create_folder,
                    reset_on_submit=False, width="100%",
                ),
                rx.cond(AccountDocumentsState.template_options.length() > 0,
                        rx.select.root(
                            rx.select.trigger(placeholder="Apply folder template", id="apply-folder-template",
                                              variant="soft", width="100%"),
                            rx.select.content(rx.foreach(AccountDocumentsState.template_options,
                                                         lambda o: rx.select.item(o.label, value=o.value))),
                            value="", on_change=AccountDocumentsState.apply_template, size="1"),
                        rx.cond(AppState.is_admin,
                                rx.link("Create a folder template", href=routes.FOLDER_TEMPLATES, size="1"))),
                spacing="2", width="100%", min_width="0",
            ),
            rx.vstack(
                rx.heading(AccountDocumentsState.folder_label, size="3", id="documents-folder-heading"),
                upload_zone(),
                rx.cond(
                    AccountDocumentsState.docs.length() > 0,
                    rx.box(rx.table.root(
                        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                                       ("Document", "Uploaded", "")])),
                        rx.table.body(rx.foreach(AccountDocumentsState.docs, document_row)),
                        width="100%", size="1", id="documents-table"), overflow_x="auto", width="100%"),
                    rx.text("No documents here yet. Upload the client's files above.", color_scheme="gray",
                            size="2", id="documents-empty"),
                ),
                spacing="2", width="100%", min_width="0",
            ),
            grid_template_columns=["1fr", "1fr", "minmax(180px, 1fr) 3fr"], spacing="4", width="100%",
        ),
        approvals_list(),
        id="documents-section",
    )


# --- folder templates (admins) -----------------------------------------------------------------------


def template_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            error_callout(FolderTemplatesState.error),
            field("Template name", rx.input(name="name", default_value=FolderTemplatesState.edit_name,
                                            id="template-name", required=True, placeholder="e.g. Individual client")),
            field("Folders, one per line (use / for a folder inside another)",
                  rx.text_area(name="paths", default_value=FolderTemplatesState.edit_paths, id="template-paths",
                               rows="6", placeholder="2026/Tax returns\n2026/Source documents\nPermanent")),
            rx.hstack(rx.button(rx.cond(FolderTemplatesState.editing_id > 0, "Save changes", "Create template"),
                                type="submit", id="save-template"),
                      rx.cond(FolderTemplatesState.editing_id > 0,
                              rx.button("Cancel", type="button", variant="soft", color_scheme="gray",
                                        on_click=FolderTemplatesState.new)),
                      spacing="2"),
            width="100%", align="start", spacing="2",
        ),
        key=FolderTemplatesState.form_key, on_submit=FolderTemplatesState.save, reset_on_submit=False, width="100%",
    )


def template_row(t) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(t.name, weight="bold", size="2"),
                  rx.text(t.count, " folders", size="1", color_scheme="gray"),
                  rx.text(t.paths, size="1", white_space="pre-wrap", color_scheme="gray"),
                  spacing="0", min_width="0"),
        rx.spacer(),
        rx.button("Edit", size="1", variant="soft", on_click=FolderTemplatesState.edit(t.id)),
        rx.button("Delete", size="1", variant="ghost", color_scheme="red", on_click=FolderTemplatesState.delete(t.id)),
        width="100%", align="start", padding_y="0.4em", border_bottom=f"1px solid {rx.color('gray', 4)}",
        class_name="template-row",
    )


def templates_page() -> rx.Component:
    return page(
        "Folder templates",
        rx.cond(
            AppState.is_admin,
            rx.grid(
                section("Templates",
                        rx.text("A template is a default folder structure. Apply it from an account's Documents "
                                'section, or from a rule: apply folder template "NAME".', size="2",
                                color_scheme="gray"),
                        rx.cond(FolderTemplatesState.templates.length() > 0,
                                rx.vstack(rx.foreach(FolderTemplatesState.templates, template_row), width="100%",
                                          spacing="0"),
                                empty_state("No folder templates yet. Create the first with the form.")),
                        id="templates-section"),
                section("New or changed template", template_form(), id="template-form-section"),
                grid_template_columns=["1fr", "1fr", "3fr 2fr"], spacing="4", width="100%",
            ),
            empty_state("Only the owner or an admin can manage folder templates."),
        ),
    )


# --- downloads -------------------------------------------------------------------------------------


def _ascii_name(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^A-Za-z0-9._ ()-]+", "_", plain).strip(" .") or "document"
    return plain[:150]


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback name and the exact name per RFC 6266 / 5987."""
    return f"attachment; filename=\"{_ascii_name(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def download_document(request: Request) -> Response:
    """GET /files/{id}: the document's bytes for a logged-in staff member who may see its account, or for a
    portal contact of that account."""
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store",
               "Content-Security-Policy": "default-src 'none'; sandbox"}
    document_id = request.path_params["document_id"]
    with read_session() as session:
        actor = auth.actor_for_session(session, request.cookies.get(SESSION_COOKIE))
        if actor is not None and actor.member_id and two_factor.must_set_up(session, actor.member_id):
            # The firm requires two-factor sign-in: until it is set up, the session opens nothing.
            return PlainTextResponse("Set up two-factor sign-in first (the firm requires it).", status_code=403,
                                     headers=headers)
        if actor is None:
            # A client logged in to the portal may download its own accounts' documents.
            contact = portal.actor_for_portal_session(session, request.cookies.get(PORTAL_COOKIE))
            actor = documents.for_contact(contact) if contact is not None else None
        if actor is None:
            return PlainTextResponse("Log in to download documents.", status_code=401, headers=headers)
        try:
            download = documents.document_for_download(session, actor, document_id)
        except PermissionDenied as err:
            return PlainTextResponse(str(err), status_code=403, headers=headers)
        except NotFound as err:
            return PlainTextResponse(str(err), status_code=404, headers=headers)
    if isinstance(actor, documents.ContactActor):
        with write_session() as session:
            documents.mark_viewed(session, actor, int(document_id))
    headers["Content-Disposition"] = content_disposition(download.filename)
    return FileResponse(download.path, media_type=download.content_type, headers=headers)


def _visitor(session, request: Request, headers: dict):
    """The staff actor or portal contact behind the request's cookies, or the refusal to send back."""
    actor = auth.actor_for_session(session, request.cookies.get(SESSION_COOKIE))
    if actor is not None and actor.member_id and two_factor.must_set_up(session, actor.member_id):
        return None, PlainTextResponse("Set up two-factor sign-in first (the firm requires it).", status_code=403,
                                       headers=headers)
    if actor is None:
        actor = portal.actor_for_portal_session(session, request.cookies.get(PORTAL_COOKIE))
    if actor is None:
        return None, PlainTextResponse("Log in to see this document.", status_code=401, headers=headers)
    return actor, None


def sign_page_image(request: Request) -> Response:
    """GET /sign-pages/{request_id}/{page}.png: one page of a signature request's PDF, for staff who may see
    its account and for the contacts asked to sign it."""
    from practice.services.signing import signatures  # noqa: PLC0415

    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=300",
               "Content-Security-Policy": "default-src 'none'; sandbox"}
    with read_session() as session:
        actor, refusal = _visitor(session, request, headers)
        if refusal is not None:
            return refusal
        try:
            png = signatures.page_png(session, actor, request.path_params["request_id"], request.path_params["page"])
        except PermissionDenied as err:
            return PlainTextResponse(str(err), status_code=403, headers=headers)
        except NotFound as err:
            return PlainTextResponse(str(err), status_code=404, headers=headers)
        except InvalidInput as err:  # the page could not be drawn safely, or the server is busy
            return PlainTextResponse(str(err), status_code=422, headers=headers)
    return Response(png, media_type="image/png", headers=headers)


def register(app: rx.App) -> None:
    app.add_page(templates_page, route=routes.FOLDER_TEMPLATES, title="Folder templates · practice",
                 on_load=[AppState.require_login, FolderTemplatesState.load])
    # Reflex 0.10.1 serves its backend with Starlette; a plain route there streams files from disk
    # (a sync endpoint runs in Starlette's thread pool, off the event loop).
    app._api.add_route(routes.FILE_DOWNLOAD, download_document, methods=["GET"])
    app._api.add_route(routes.SIGN_PAGE_IMAGE, sign_page_image, methods=["GET"])

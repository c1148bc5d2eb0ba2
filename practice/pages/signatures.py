"""Staff pages for signature requests: the account page's Signatures section, a new request, one request
(placing fields on the page images, sending, following the signers) and the document templates editor."""
from __future__ import annotations

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar

from practice import routes
from practice.components.field_drag import movable_field, resize_handle
from practice.components.forms import confirm_dialog, label, native_select, static_select
from practice.components.i18n import t
from practice.components.layout import empty_state, error_callout, page
from practice.components.placeholders import field_placeholder_chips, placeholder_chips, remember_field
from practice.components.signature_pad import PRINT_FONT, SCRIPT_FONT
from practice.pages.work_parts import field, section
from practice.state.base import AppState
from practice.state.field_views import FieldPlaceholdersState
from practice.state.signatures import (FIELD_KINDS, STATUS_COLORS, AccountSignaturesState, DocTemplatesState,
                                       NewSignatureState, SignatureRequestState)

S = SignatureRequestState
T = DocTemplatesState
N = NewSignatureState


def request_status_badge(status, label_) -> rx.Component:
    return rx.badge(label_, color_scheme=rx.match(status, *STATUS_COLORS.items(), "gray"), class_name="request-status")


# --- the account page's Signatures section -----------------------------------------------------------


def request_row(r) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.link(r.title, href=r.href, size="2", weight="medium", class_name="signature-request-link"),
            rx.text(r.signers, size="1"),
            rx.text(t("Created "), r.created, size="1", color_scheme="gray"),
            spacing="0", min_width="0",
        ),
        rx.spacer(),
        request_status_badge(r.status, r.status_label),
        width="100%", align="center", wrap="wrap", padding_y="0.3em",
        border_bottom=f"1px solid {rx.color('gray', 4)}", class_name="signature-request-row",
    )


def signatures_section() -> rx.Component:
    """The account's signature requests, newest first, and the button that starts one."""
    new_href = "/accounts/" + AccountSignaturesState.sig_acct_id.to_string() + "/signatures/new"
    return section(
        t("Signatures"),
        error_callout(AccountSignaturesState.sig_error),
        rx.cond(
            AccountSignaturesState.sig_requests.length() > 0,
            rx.vstack(rx.foreach(AccountSignaturesState.sig_requests, request_row), width="100%", spacing="0"),
            rx.text(t("No signature requests yet. Upload the PDF in Documents (or use a document template), then "
                    "ask the client's contacts to sign it."), color_scheme="gray", size="2", id="signatures-empty"),
        ),
        rx.link(rx.button(rx.icon("signature", size=14), t("Request a signature"), size="2", variant="soft"),
                href=new_href, id="request-signature"),
        id="signatures-section",
    )


# --- a new request ---------------------------------------------------------------------------------


def signer_choice(c) -> rx.Component:
    """A contact to add as a signer (or take off); once chosen, whether they also get a code by email."""
    return rx.vstack(
        rx.button(
            rx.cond(c.chosen, rx.badge(c.order, variant="solid", radius="full"), rx.icon("plus", size=14)),
            rx.text(c.name, size="2"), rx.text(c.email, size="1", color_scheme="gray"),
            rx.cond(c.reason != "", rx.text(c.reason, size="1", color_scheme="amber")),
            type="button", variant=rx.cond(c.chosen, "soft", "outline"), on_click=N.toggle_signer(c.id),
            custom_attrs={"aria-pressed": c.chosen}, class_name="signer-choice", size="2",
            aria_label=rx.cond(c.chosen, t("Remove {name} from the signers", name=c.name),
                               t("Add {name} as a signer", name=c.name)),
        ),
        rx.cond(c.chosen, rx.checkbox(
            t("Code by email"), checked=c.code, on_change=lambda value: N.choose_code(c.id, value), size="2",
            id="signer-code-" + c.id.to_string(), class_name="signer-code",
            aria_label=t("Ask {name} for a code sent by email", name=c.name))),
        spacing="1", align="start",
    )


def new_request_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            error_callout(N.new_error),
            rx.cond(
                N.source_options.length() > 0,
                rx.vstack(
                    field(t("Document to sign"), native_select(N.source_options, name="source", id="signature-source",
                                                            first=("", t("Choose a PDF or a template")))),
                    rx.text(t("The unsigned PDF stays internal: the signers see its pages only while signing, and "
                            "get the signed copy in their documents."), size="1", color_scheme="gray"),
                    spacing="1", width="100%"),
                empty_state(t("This account has no PDF yet. Upload one in the account's Documents section, or "
                            "create a document template."),
                            rx.hstack(rx.link(t("Back to the account"), href=N.new_account_href),
                                      rx.link(t("Document templates"), href=routes.DOCUMENT_TEMPLATES), spacing="3")),
            ),
            field(t("Title"), rx.input(name="title", id="signature-title", required=True, width="100%",
                                    placeholder=t("e.g. Form 8879 for 2025"))),
            field(t("Message to the signers (optional)"),
                  rx.text_area(name="message", id="signature-message", rows="3", width="100%",
                               placeholder=t("Please sign by Friday so we can file your return."))),
            rx.vstack(
                rx.text(t("Signers"), size="2", weight="medium"),
                rx.cond(N.signer_choices.length() > 0,
                        rx.vstack(
                            rx.text(t("Choose who signs, in the order they sign. Tick \u201cCode by email\u201d under "
                                    "a signer to ask them, before signing, for a one-time code sent to their email "
                                    "(an extra identity check)."), size="1", color_scheme="gray"),
                            rx.flex(rx.foreach(N.signer_choices, signer_choice), wrap="wrap", spacing="2"),
                            spacing="1", width="100%"),
                        rx.text(t("Nobody of this account can sign yet: a signer needs a client portal login."),
                                size="2", color_scheme="gray", id="no-signers")),
                rx.cond(N.not_offered.length() > 0, rx.vstack(
                    rx.text(t("Not offered:"), size="1", weight="medium"),
                    rx.foreach(N.not_offered, lambda c: rx.text(c.name, " ", c.reason, size="1", color_scheme="gray",
                                                                class_name="signer-not-offered")),
                    spacing="0")),
                spacing="2", width="100%", id="signer-choices",
            ),
            rx.el.label(rx.hstack(rx.switch(name="in_order", id="signature-in-order", default_checked=True),
                                  rx.text(t("Sign in this order (each signer is asked after the one before)"),
                                          size="2"), align="center", spacing="2")),
            rx.cond(N.job_options.length() > 0,
                    field(t("Job (optional)"), native_select(N.job_options, name="job", id="signature-job",
                                                          first=("", t("No job")), default_value=N.job_default,
                                                          key=N.new_form_key))),
            rx.text(t("Next you place the signature fields on the pages; reminders are chosen when you send it."),
                    size="1", color_scheme="gray"),
            rx.button(t("Create and place fields"), type="submit", id="create-signature-request"),
            spacing="3", width="100%", align="start",
        ),
        key=N.new_form_key, on_submit=N.create, reset_on_submit=False, width="100%", id="new-signature-form",
    )


def new_request_page() -> rx.Component:
    return page(
        t("Request a signature"),
        rx.cond(
            N.new_found,
            rx.vstack(
                rx.link(rx.hstack(rx.icon("arrow-left", size=14), N.new_account_name, align="center", spacing="1"),
                        href=N.new_account_href, size="2"),
                rx.card(new_request_form(), width="100%", max_width="720px"),
                spacing="3", width="100%",
            ),
            rx.cond(N.new_page_error != "",
                    empty_state(N.new_page_error, rx.link(t("Back to accounts"), href=routes.ACCOUNTS)),
                    rx.center(rx.spinner(), padding="2em")),
        ),
    )


# --- one request ---------------------------------------------------------------------------------------


def _click_fraction(e: ObjectVar[dict]) -> tuple[Var[float], Var[float]]:
    """Where the click fell inside the page box, as fractions (0..1) of its width and height from the top left."""
    ev = e._js_expr
    rect = f"({ev}).currentTarget.getBoundingClientRect()"
    return (Var(_js_expr=f"((({ev}).clientX - {rect}.left) / {rect}.width)", _var_type=float),
            Var(_js_expr=f"((({ev}).clientY - {rect}.top) / {rect}.height)", _var_type=float))


class PageBox(rx.el.Div):
    """A page image's box: a click sends where it fell, as fractions of the box."""

    on_click: rx.EventHandler[_click_fraction]


def field_box(f, page_index) -> rx.Component:
    """A placed field at the size the signer sees and the stamp fills, showing what it will print (the widest
    date, the signer's typed name or initials) as large as it prints; on a draft, drag it to move it and its
    corner to resize it, or use the arrow keys (Shift to resize)."""
    return rx.cond(
        f.page == page_index,
        movable_field(
            rx.el.span(f.sample, class_name="placed-field-text",
                       style={"whiteSpace": "nowrap", "overflow": "hidden", "fontSize": f.font_size,
                              "lineHeight": "1", "paddingLeft": f.pad,
                              "fontFamily": rx.cond(f.script, SCRIPT_FONT, PRINT_FONT),
                              "fontStyle": rx.cond(f.script, "italic", "normal"), "pointerEvents": "none",
                              "width": "100%", "textAlign": rx.cond(f.kind == "initials", "center", "left")}),
            rx.cond(S.is_draft, resize_handle(f.color)),
            type="button", on_click=S.select_field(f.key).stop_propagation,
            on_lost_pointer_capture=S.move_field(f.key), on_key_down=S.nudge_field(f.key),
            aria_label=t("{kind} field for {signer}, {where}", kind=f.kind_label, signer=f.signer, where=f.where),
            title=f.kind_label + " · " + f.signer + rx.cond(f.warning != "", ": " + f.warning, ""),
            class_name="placed-field",
            # The box as an inline style (not a generated class): the drag script moves it there, and React
            # puts the state's box back there when the server answers.
            custom_attrs={"data-kind": f.kind, "data-signer": f.signer, "aria-pressed": f.selected,
                          "data-too-small": rx.cond(f.warning != "", "1", "0"),
                          "style": {"left": f.left, "top": f.top, "width": f.width, "height": f.height}},
            style={"position": "absolute",
                   "border": rx.cond(f.warning != "", "2px dashed var(--red-9)",
                                     rx.cond(f.selected, "2px solid " + f.color, "1px solid " + f.color)),
                   "background": f.color + "26", "color": "#111827", "borderRadius": "2px", "padding": "0",
                   "cursor": rx.cond(S.is_draft, "move", "default"), "display": "flex", "alignItems": "center",
                   "touchAction": rx.cond(S.is_draft, "none", "auto"), "userSelect": "none",
                   "boxShadow": rx.cond(f.selected, "0 0 0 2px white, 0 0 0 4px " + f.color, "none")},
        ),
    )


# The page is a size container: a field's text is sized in `cqw` (hundredths of the page's width), so it shows
# as large, relative to the page, as the stamp prints it.
PAGE_STYLE = {"position": "relative", "width": "100%", "border": f"1px solid {rx.color('gray', 7)}",
              "background": "white", "boxShadow": "0 1px 4px rgba(0,0,0,.12)", "containerType": "inline-size"}


def page_view(p) -> rx.Component:
    """One page image with its fields on top; while a draft, a click on it places a field."""
    image = rx.image(src=p.src, alt=t("Page {n} of the document", n=p.number), width="100%",
                     height="100%", draggable=False, style={"display": "block", "userSelect": "none"},
                     class_name="sign-page-image")
    return rx.vstack(
        rx.text(t("Page "), p.number, size="1", color_scheme="gray"),
        rx.cond(
            S.is_draft,
            PageBox.create(image, rx.foreach(S.fields, lambda f: field_box(f, p.index)),
                           on_click=S.place(p.index), class_name="sign-page editable",
                           id="sign-page-" + p.index.to_string(),
                           style={**PAGE_STYLE, "aspectRatio": p.aspect, "cursor": "crosshair"}),
            rx.box(image, rx.foreach(S.fields, lambda f: field_box(f, p.index)), class_name="sign-page",
                   id="sign-page-" + p.index.to_string(), style={**PAGE_STYLE, "aspectRatio": p.aspect}),
        ),
        spacing="1", width="100%",
    )


KIND_CHOICES = [(kind, t(name)) for kind, name in FIELD_KINDS.items()]


def fit_warnings() -> rx.Component:
    """The fields too small for their text, each in a sentence (sending is refused until they are fixed)."""
    return rx.cond(S.fit_warnings.length() > 0, rx.callout(
        rx.vstack(rx.foreach(S.fit_warnings, lambda w: rx.text(w, size="2", class_name="fit-warning")),
                  spacing="1"),
        icon="triangle-alert", color_scheme="amber", size="1", width="100%", id="field-warnings"))


def placing_tools() -> rx.Component:
    return rx.vstack(
        rx.text(t("Pick the signer and the kind of field, then click on the page where it goes. Drag a field to "
                "move it and its corner to resize it (or focus it and use the arrow keys, with Shift to resize); "
                "each shows its text as large as it will print. Click a field to change or delete it."),
                size="2", color_scheme="gray"),
        fit_warnings(),
        rx.hstack(
            rx.vstack(label(t("Signer"), "tool-signer"),
                      native_select(S.signer_options, name="signer", id="tool-signer", value=S.tool_signer,
                                    on_change=S.choose_signer), spacing="1"),
            rx.vstack(label(t("Kind"), "tool-kind"),
                      static_select(KIND_CHOICES, name="kind", id="tool-kind", value=S.tool_kind,
                                    on_change=S.choose_kind), spacing="1"),
            spacing="3", wrap="wrap",
        ),
        rx.flex(rx.foreach(S.signers, lambda s: rx.hstack(
            rx.box(width="12px", height="12px", border_radius="3px", background=s.color), rx.text(s.name, size="1"),
            spacing="1", align="center")), wrap="wrap", spacing="3"),
        rx.cond(S.has_selection, rx.card(rx.vstack(
            rx.text(t("Selected field"), size="2", weight="medium"),
            rx.hstack(
                rx.vstack(label(t("Signer"), "selected-signer"),
                          native_select(S.signer_options, name="selected_signer", id="selected-signer",
                                        value=S.selected_signer, on_change=S.change_field_signer), spacing="1"),
                rx.vstack(label(t("Kind"), "selected-kind"),
                          static_select(KIND_CHOICES, name="selected_kind", id="selected-kind",
                                        value=S.selected_kind, on_change=S.change_field_kind), spacing="1"),
                spacing="3", wrap="wrap", align="end"),
            rx.button(rx.icon("trash-2", size=14), t("Delete field"), size="1", color_scheme="red", variant="soft",
                      on_click=S.delete_field, id="delete-field"),
            spacing="2"), width="100%", id="selected-field")),
        rx.el.details(
            rx.el.summary(t("Place a field by typing where it goes"), id="place-by-keyboard",
                          style={"cursor": "pointer", "fontSize": "var(--font-size-2)",
                                 "color": rx.color("accent", 11)}),
            rx.form(
                rx.hstack(
                    field(t("Page"), rx.input(name="page", type="number", min=1, id="place-page", default_value="1")),
                    field(t("Across (%)"), rx.input(name="x", type="number", min=0, max=100, step="any", id="place-x")),
                    field(t("Down (%)"), rx.input(name="y", type="number", min=0, max=100, step="any", id="place-y")),
                    rx.button(t("Add field"), type="submit", id="place-submit"),
                    align="end", wrap="wrap", spacing="2", width="100%", padding_top="0.5em"),
                key=S.keyboard_key, on_submit=S.place_by_numbers, reset_on_submit=False, width="100%"),
            width="100%"),
        rx.hstack(
            rx.button(t("Save fields"), on_click=S.save_fields, id="save-fields", variant="soft"),
            rx.cond(S.can_undo, rx.button(rx.icon("undo-2", size=14), t("Undo"), on_click=S.undo_field_change,
                                          id="undo-field-change", variant="ghost", size="2")),
            rx.cond(S.dirty, rx.text(t("Unsaved changes"), size="1", color_scheme="amber", id="fields-unsaved")),
            align="center", spacing="2"),
        send_form(),
        spacing="3", width="100%",
    )


def send_form() -> rx.Component:
    """Reminders (optional) and the button that sends the request."""
    return rx.form(
        rx.vstack(
            rx.text(t("Reminders (optional)"), size="2", weight="medium"),
            rx.hstack(
                field(t("Every (days)"), rx.input(name="remind_every", type="number", min=0, max=60,
                                               id="remind-every", placeholder=t("e.g. 3"))),
                field(t("Up to (times)"), rx.input(name="remind_times", type="number", min=0, max=20,
                                                id="remind-times", placeholder=t("e.g. 3"))),
                spacing="2", wrap="wrap", width="100%"),
            rx.button(rx.icon("send", size=14), t("Send for signature"), type="submit", id="send-request"),
            spacing="2", width="100%", align="start"),
        on_submit=S.send, reset_on_submit=False, width="100%")


def signer_row(s) -> rx.Component:
    return rx.hstack(
        rx.box(width="10px", height="10px", border_radius="50%", background=s.color, flex_shrink="0",
               margin_top="0.4em"),
        rx.vstack(
            rx.text(s.name, size="2", weight="medium"),
            rx.text(s.email, size="1", color_scheme="gray"),
            rx.text(s.check, size="1", color_scheme="gray", class_name="signer-check"),
            rx.cond(s.detail != "", rx.text(s.detail, size="1", color_scheme="gray")),
            rx.cond(s.reason != "", rx.text(t("Reason: "), s.reason, size="1", color_scheme="red")),
            spacing="0", min_width="0"),
        rx.spacer(),
        rx.badge(s.status_label, class_name="signer-status",
                 color_scheme=rx.match(s.status, ("signed", "green"), ("declined", "red"), ("pending", "amber"),
                                       "gray")),
        width="100%", align="start", wrap="wrap", class_name="signer-row",
        padding_y="0.3em", border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def cancel_dialog() -> rx.Component:
    return confirm_dialog(
        t("Cancel this signature request?"),
        t("The signers can no longer open or sign it. Signatures already given stay in the record. This cannot be "
        "undone."),
        confirm=t("Cancel request"), on_confirm=S.cancel_request, confirm_id="confirm-cancel-request",
        open=S.cancel_open, on_open_change=S.set_cancel_open,
        trigger=rx.alert_dialog.trigger(rx.button(t("Cancel request"), color_scheme="red", variant="soft",
                                                  id="cancel-request")))


def request_side() -> rx.Component:
    return rx.vstack(
        section(t("Signers"),
                rx.text(S.order_text, size="1", color_scheme="gray"),
                rx.cond(S.code_text != "", rx.text(S.code_text, size="1", color_scheme="gray")),
                rx.vstack(rx.foreach(S.signers, signer_row), width="100%", spacing="0"),
                id="signers-section"),
        rx.cond(S.is_draft, section(t("Place fields"), placing_tools(), id="fields-section")),
        section(t("Files"),
                rx.vstack(
                    rx.cond(S.original_href != "",
                            rx.el.a(t("Download the original"), href=S.original_href, rel="noopener",
                                    reload_document=True, id="original-link",
                                    style={"color": rx.color("accent", 11), "fontSize": "var(--font-size-2)"})),
                    rx.cond(S.signed_href != "",
                            rx.el.a(t("Download the signed file"), href=S.signed_href, rel="noopener",
                                    reload_document=True, id="signed-link",
                                    style={"color": rx.color("accent", 11), "fontSize": "var(--font-size-2)"}),
                            rx.text(t("The signed file appears here once everyone has signed."), size="1",
                                    color_scheme="gray")),
                    rx.foreach(S.fingerprints, lambda h: rx.text(h, size="1", color_scheme="gray",
                                                           style={"overflowWrap": "anywhere"})),
                    spacing="1"),
                id="files-section"),
        section(t("Timeline"),
                rx.cond(S.events.length() > 0,
                        rx.vstack(rx.foreach(S.events, lambda e: rx.vstack(
                            rx.text(e.text, size="2"), rx.text(e.at, size="1", color_scheme="gray"),
                            spacing="0", width="100%", padding_y="0.2em",
                            border_bottom=f"1px solid {rx.color('gray', 4)}")),
                            spacing="0", width="100%", class_name="signing-timeline"),
                        rx.text(t("Nothing has happened yet."), size="2", color_scheme="gray")),
                id="timeline-section"),
        rx.cond(S.is_draft | S.is_sent, cancel_dialog()),
        spacing="4", width="100%", min_width="0",
    )


def request_page() -> rx.Component:
    return page(
        t("Signature request"),
        rx.cond(
            S.req_found,
            rx.vstack(
                rx.link(rx.hstack(rx.icon("arrow-left", size=14), S.account_name, align="center", spacing="1"),
                        href=S.account_href, size="2", id="request-account-link"),
                rx.hstack(rx.heading(S.title, size="5", id="request-title"),
                          request_status_badge(S.status, S.status_label), align="center", wrap="wrap"),
                rx.cond(S.message != "", rx.text(S.message, size="2", white_space="pre-wrap", color_scheme="gray")),
                rx.text(t("Created "), S.created, size="1", color_scheme="gray"),
                error_callout(S.req_error),
                rx.cond(S.req_notice != "", rx.callout(S.req_notice, icon="check", color_scheme="green", size="1",
                                                       id="request-notice")),
                rx.grid(
                    rx.vstack(rx.foreach(S.pages, page_view), spacing="4", width="100%", min_width="0",
                              id="sign-pages"),
                    request_side(),
                    grid_template_columns=["1fr", "1fr", "3fr 2fr"], spacing="4", width="100%",
                ),
                width="100%", spacing="3",
            ),
            rx.cond(S.req_page_error != "",
                    empty_state(S.req_page_error, rx.link(t("Back to accounts"), href=routes.ACCOUNTS)),
                    rx.center(rx.spinner(), padding="2em")),
        ),
    )


# --- document templates ---------------------------------------------------------------------------------

TEMPLATE_HELP = [
    ("{{ account.name }}", t("the account's name")),
    ("{{ contact.first_name }} {{ contact.last_name }}", t("the account's first contact")),
    ("{% for c in contacts %}{{ c.name }}{% endfor %}", t("every contact of the account")),
    ("{{ job.name }}", t("the job, when the request is made for one")),
    ("{{ firm.name }}, {{ today }}, {{ year }}", t("your firm's name, today's date, the year")),
    ('<span id="sign-1-signature"></span>', t("where signer 1 signs; also sign-1-initials, sign-1-date, sign-1-text, "
                                            "and sign-2-... for the second signer")),
]


BODY_FIELDS = ["doc-template-body", "doc-template-body-fr"]


def template_help() -> rx.Component:
    return rx.box(
        rx.text(t("The body is HTML with Jinja2 placeholders, made into a PDF when a request uses it:"), size="2",
                weight="medium"),
        placeholder_chips(TEMPLATE_HELP, BODY_FIELDS, "doc-template"),
        field_placeholder_chips(BODY_FIELDS, "doc-template"),
        rx.text(t("Click a placeholder to insert it where you are typing. Give a field marker a size with a style, e.g. style=\"display:inline-block;width:60mm;height:12mm\". "
                "Without any marker, each signer gets a signature and a date at the bottom of the last page. "
                "Images must be data: URLs; nothing is fetched from the network."), size="1", color_scheme="gray"),
        id="doc-template-help", width="100%",
    )


def template_french(read_only) -> rx.Component:
    """The template's French version: a first signer who reads French gets it."""
    return rx.el.details(
        rx.el.summary(t("French version"), style={"cursor": "pointer", "fontWeight": "500"},
                      id="doc-template-french-summary"),
        rx.vstack(
            rx.text(t("Signers who read French get this version (the first signer's language chooses); leave it "
                      "empty and they get the body above."), size="1", color_scheme="gray"),
            field(t("French body (HTML)"), rx.text_area(
                name="body_fr", id="doc-template-body-fr", default_value=T.draft_body_fr, read_only=read_only,
                on_blur=T.keep_body_fr, rows="12", width="100%", on_focus=remember_field("doc-template-body-fr"),
                style={"fontFamily": "monospace", "fontSize": "13px"})),
            rx.button(rx.icon("file-down", size=14), t("Preview the French version"), type="button", variant="soft",
                      on_click=T.preview("fr"), id="preview-doc-template-fr"),
            width="100%", spacing="2", padding_top="0.5em", align="start"),
        open=T.draft_body_fr != "", width="100%", id="doc-template-french",
    )


def template_delete_dialog() -> rx.Component:
    return confirm_dialog(
        t("Delete this template?"),
        t("\u201c{name}\u201d will be gone. Requests already made from it keep their PDF; rules that "
          "name it will say the template is missing.", name=T.draft_name),
        confirm=t("Delete template"), on_confirm=T.delete_template, confirm_id="confirm-delete-doc-template",
        open=T.tpl_delete_open, on_open_change=T.set_delete_open)


def template_editor() -> rx.Component:
    read_only = ~AppState.is_admin
    return rx.card(rx.form(
        rx.vstack(
            rx.heading(rx.cond(T.tpl_id > 0, t("Edit template"), t("New template")), size="4"),
            error_callout(T.tpl_error),
            rx.cond(T.tpl_notice != "",
                    rx.text(T.tpl_notice, size="2", color_scheme="green", id="doc-template-notice")),
            field(t("Name"), rx.input(name="name", id="doc-template-name", default_value=T.draft_name, required=True,
                                   read_only=read_only, on_blur=T.keep_name, width="100%",
                                   placeholder=t("e.g. Engagement letter"))),
            field(t("Body (HTML)"), rx.text_area(name="body", id="doc-template-body", default_value=T.draft_body,
                                              read_only=read_only, on_blur=T.keep_body, rows="16", width="100%",
                                              on_focus=remember_field("doc-template-body"),
                                              style={"fontFamily": "monospace", "fontSize": "13px"})),
            template_french(read_only),
            template_help(),
            rx.hstack(
                rx.cond(AppState.is_admin, rx.button(t("Save template"), type="submit", id="save-doc-template")),
                rx.button(rx.icon("file-down", size=14), t("Preview as PDF"), type="button", variant="soft",
                          on_click=T.preview(""), id="preview-doc-template"),
                rx.cond(AppState.is_admin & (T.tpl_id > 0),
                        rx.button(t("Delete"), type="button", color_scheme="red", variant="soft",
                                  on_click=T.set_delete_open(True), id="delete-doc-template")),
                rx.button(t("Close"), type="button", variant="soft", color_scheme="gray", on_click=T.close_editor),
                spacing="2", wrap="wrap"),
            spacing="3", width="100%",
        ),
        key=T.tpl_form_key, on_submit=T.save_template, reset_on_submit=False, width="100%",
    ), width="100%", id="doc-template-editor")


def templates_page() -> rx.Component:
    return page(
        t("Document templates"),
        rx.text(t("Documents made from your own HTML, for clients to sign: choose one under \u201cRequest a "
                "signature\u201d on an account, or from a rule."), size="2", color_scheme="gray"),
        rx.cond(~AppState.is_admin & (AppState.member_role != ""),
                rx.text(t("You can read and preview the templates; only the owner or an admin can change them."),
                        size="2", color_scheme="gray")),
        rx.flex(
            rx.vstack(
                rx.cond(AppState.is_admin, rx.button(rx.icon("plus"), t("New template"), on_click=T.new_template,
                                                     id="new-doc-template")),
                rx.cond(T.doc_templates.length() > 0,
                        rx.vstack(rx.foreach(T.doc_templates, lambda tpl: rx.button(
                            rx.vstack(rx.text(tpl.name, size="2", weight="medium"),
                                      rx.text(t("Changed "), tpl.updated, size="1", color_scheme="gray"),
                                      spacing="0", align="start"),
                            on_click=T.open_template(tpl.id), variant=rx.cond(T.tpl_id == tpl.id, "soft", "ghost"),
                            width="100%", height="auto", padding_y="0.5em", class_name="doc-template-item",
                            style={"justifyContent": "flex-start", "textAlign": "left"})),
                            spacing="1", width="100%", id="doc-template-list"),
                        empty_state(rx.cond(AppState.is_admin,
                                            t("No document templates yet. Create one: an engagement letter, a consent "
                                            "form, anything clients sign."),
                                            t("No document templates yet. An admin can create them.")))),
                width=["100%", "100%", "280px"], min_width=["0", "0", "280px"], spacing="3",
            ),
            rx.cond(T.tpl_editing, rx.vstack(template_editor(), template_delete_dialog(), width="100%", min_width="0"),
                    rx.box(rx.text(t("Choose a template to read, change or preview it."), color_scheme="gray", size="2"),
                           padding="1em")),
            direction=rx.breakpoints(initial="column", md="row"), spacing="4", width="100%", align="start",
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(new_request_page, route=routes.SIGNATURE_NEW, title=t("Request a signature · practice"),
                 on_load=[AppState.require_login, NewSignatureState.load])
    app.add_page(templates_page, route=routes.DOCUMENT_TEMPLATES, title=t("Document templates · practice"),
                 on_load=[AppState.require_login, DocTemplatesState.load, FieldPlaceholdersState.load])
    app.add_page(request_page, route=routes.SIGNATURE, title=t("Signature request · practice"),
                 on_load=[AppState.require_login, SignatureRequestState.load])

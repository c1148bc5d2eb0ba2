"""The portal's signing page, phone first: consent, the emailed code, the document with its boxes, sign or decline."""
import reflex as rx
from reflex.vars.base import Var

from practice import routes
from practice.components.i18n import t
from practice.components.layout import error_callout
from practice.components.portal_layout import portal_page
from practice.components.signature_pad import PRINT_FONT, SCRIPT_FONT, read_signature, signature_pad
from practice.state.portal_sign import PortalSignState as S

PAD_ID = "sign-pad"
# Enter or Space on a focused box opens it, as a click does (the boxes are divs over an image).
ACTIVATE_ON_KEY = Var(_js_expr=("((e) => { if (e.key === 'Enter' || e.key === ' ') "
                                "{ e.preventDefault(); e.currentTarget.click(); } })"))


def _notice(message) -> rx.Component:
    return rx.cond(message != "", rx.callout(message, icon="mail", color_scheme="green", role="status", width="100%",
                                             id="sign-notice"))


def _firm_message() -> rx.Component:
    return rx.cond(S.message != "", rx.callout(S.message, icon="message-square", color_scheme="gray", width="100%",
                                               id="sign-message"))


def _title() -> rx.Component:
    return rx.vstack(rx.text(t("Signature request"), size="1", color_scheme="gray"),
                     rx.heading(S.title, size="5", id="sign-title", style={"word_break": "break-word"}),
                     spacing="0", width="100%")


def consent_step() -> rx.Component:
    return rx.card(rx.form(
        rx.vstack(
            rx.heading(t("Before you sign"), size="4"),
            rx.text(t("Please read this, then agree to sign and receive records electronically."), size="2"),
            rx.box(rx.text(S.disclosure, size="2", white_space="pre-wrap"), id="sign-disclosure", width="100%",
                   max_height="45vh", overflow_y="auto", padding="0.75em", border_radius="8px",
                   border=f"1px solid {rx.color('gray', 6)}", background=rx.color("gray", 2)),
            rx.el.label(
                rx.hstack(rx.checkbox(name="agree", id="consent-agree", size="3"),
                          rx.text(t("I agree to sign and receive records electronically."), size="3"),
                          spacing="2", align="center"),
                html_for="consent-agree", style={"cursor": "pointer"},
            ),
            error_callout(S.error),
            rx.button(t("Continue"), type="submit", size="3", width="100%", id="consent-continue"),
            decline_button(),
            spacing="3", width="100%",
        ),
        on_submit=S.agree, reset_on_submit=False, width="100%",
    ), width="100%", id="sign-consent")


def code_step() -> rx.Component:
    return rx.card(rx.form(
        rx.vstack(
            rx.heading(t("Check it is you"), size="4"),
            rx.text(t("We sent a code to {email}. Type the 6 digits here.", email=S.code_to), size="2"),
            _notice(S.code_notice),
            rx.input(name="code", id="sign-code", input_mode="numeric", auto_complete="one-time-code",
                     pattern="[0-9]*", max_length=8, placeholder="123456", aria_label=t("The 6-digit code"),
                     size="3", width="100%", style={"font_size": "1.5em", "letter_spacing": "0.3em"}),
            error_callout(S.error),
            rx.button(t("Continue"), type="submit", size="3", width="100%", id="code-continue"),
            rx.hstack(rx.text(t("No email? Check the spam folder, or"), size="2", color_scheme="gray"),
                      rx.button(t("send a new code"), type="button", variant="ghost", size="2", id="code-resend",
                                on_click=S.resend_code),
                      align="center", wrap="wrap", spacing="1"),
            decline_button(),
            spacing="3", width="100%",
        ),
        on_submit=S.check_code, reset_on_submit=False, width="100%",
    ), width="100%", id="sign-code-step")


def _filled_box(f) -> rx.Component:
    """What a filled box shows: the value as large as the sealed PDF prints it in this box (never cut)."""
    script = (f.kind == "signature") | (f.kind == "initials")
    typed = rx.text(f.shown, class_name="sign-field-value",
                    style={"line_height": "1", "white_space": "nowrap", "font_size": f.font_size,
                           "padding_left": f.pad, "width": "100%",
                           "text_align": rx.cond(f.kind == "initials", "center", "left"),
                           "font_family": rx.cond(script, SCRIPT_FONT, PRINT_FONT),
                           "font_style": rx.cond(script, "italic", "normal"), "color": "#111827"})
    return rx.cond(
        (f.kind == "signature") & (S.signature_image != ""),
        rx.image(src=S.signature_image, alt=t("Your signature"), width="100%", height="100%",
                 style={"object_fit": "contain"}),
        typed,
    )


def field_box(f) -> rx.Component:
    """One of this signer's boxes on the page image: tap to fill it."""
    current = S.current == f.id
    return rx.box(
        rx.cond(f.filled, _filled_box(f),
                rx.text(f.number.to_string() + ". " + f.label, weight="bold",
                        style={"line_height": "1", "white_space": "nowrap", "overflow": "hidden",
                               "font_size": "clamp(7px, 2.4vw, 13px)"})),
        id="sign-field-" + f.id.to_string(),
        class_name="sign-field",
        custom_attrs={"data-kind": f.kind, "data-filled": rx.cond(f.filled, "1", "0"),
                      "data-current": rx.cond(current, "1", "0"), "role": "button",
                      "tabIndex": "0", "aria-label": f.number.to_string() + ". " + f.label,
                      "onKeyDown": ACTIVATE_ON_KEY},
        on_click=S.choose_field(f.id),
        style={"position": "absolute", "left": f.left, "top": f.top, "width": f.width, "height": f.height,
               # The very box the stamp fills (no minimum size, no padding: what fits here prints here).
               "display": "flex", "align_items": "center", "justify_content": "flex-start",
               "padding": "0", "cursor": "pointer", "border_radius": "2px",
               "color": rx.color("amber", 12),
               "background": rx.cond(f.filled, "rgba(255,255,255,0.15)", "rgba(255, 214, 10, 0.45)"),
               "outline": rx.cond(current, f"3px solid {rx.color('accent', 9)}",
                                  rx.cond(f.filled, f"1px dashed {rx.color('green', 9)}",
                                          f"2px solid {rx.color('amber', 9)}")),
               # Room for the action bar when "Next field" scrolls a box into view.
               "scroll_margin": "140px 0",
               "box_shadow": rx.cond(current, "0 0 0 4px rgba(62, 99, 221, 0.25)", "none")},
    )


def page_view(p) -> rx.Component:
    return rx.vstack(
        rx.box(
            rx.image(src=p.src, alt=p.label, width="100%", style={"display": "block"}, loading="lazy"),
            rx.foreach(p.fields, field_box),
            position="relative", width="100%", background="white", id="sign-page-" + p.index.to_string(),
            # A size container: the boxes' text is sized in `cqw`, as large relative to the page as it prints.
            container_type="inline-size",
            class_name="sign-page", border=f"1px solid {rx.color('gray', 6)}",
            box_shadow="0 1px 4px rgba(0,0,0,0.08)",
        ),
        rx.text(p.label, size="1", color_scheme="gray"),
        width="100%", spacing="1", align="center",
    )


def action_bar() -> rx.Component:
    """Stays at the bottom of a phone's screen while the client scrolls through the pages."""
    return rx.vstack(
        error_callout(S.error),
        rx.hstack(
            rx.text(t("{filled} of {total} filled", filled=S.filled_count, total=S.field_count), size="1",
                    id="sign-progress", color_scheme="gray"),
            rx.spacer(),
            decline_button(),
            width="100%", align="center",
        ),
        rx.hstack(
            rx.button(t("Next field"), rx.icon("arrow-down", size=16), type="button", variant="soft", size="3",
                      id="sign-next", on_click=S.next_field, flex="1"),
            rx.button(t("Finish and sign"), size="3", id="sign-finish", on_click=S.review, flex="1"),
            width="100%", spacing="2",
        ),
        position="sticky", bottom="0", width="100%", spacing="1", padding="0.5em 0.75em 0.75em", z_index="5",
        background=rx.color("gray", 1), border_top=f"1px solid {rx.color('gray', 5)}",
        box_shadow="0 -2px 8px rgba(0,0,0,0.06)",
    )


def document_step() -> rx.Component:
    return rx.vstack(
        rx.text(t("Tap each yellow box to fill it, or use Next field. The date fills itself."), size="2"),
        rx.vstack(rx.foreach(S.pages, page_view), width="100%", spacing="3", id="sign-pages"),
        action_bar(),
        width="100%", spacing="3",
    )


def signature_editor() -> rx.Component:
    return rx.vstack(
        rx.dialog.title(t("Your signature")),
        rx.dialog.description(t("Draw it with your finger (or mouse), or type your name."), size="2"),
        signature_pad(PAD_ID, typed_default=S.signer_name),
        error_callout(S.editor_error),
        rx.hstack(
            rx.dialog.close(rx.button(t("Cancel"), type="button", variant="soft", color_scheme="gray", size="3")),
            rx.button(t("Use this signature"), type="button", size="3", id="sign-adopt",
                      on_click=read_signature(PAD_ID, S.adopt_signature)),
            justify="end", width="100%", wrap="wrap",
        ),
        spacing="3", width="100%",
    )


def _small_form(title: rx.Var, name: str, input_id: str, button: rx.Var, button_id: str, handler, **input_props):
    return rx.form(
        rx.vstack(
            rx.dialog.title(title),
            rx.text(S.editing_label, as_="label", html_for=input_id, size="2", weight="medium"),
            rx.input(name=name, id=input_id, default_value=S.editing_value, size="3", width="100%",
                     auto_focus=True, **input_props),
            error_callout(S.editor_error),
            rx.hstack(
                rx.dialog.close(rx.button(t("Cancel"), type="button", variant="soft", color_scheme="gray", size="3")),
                rx.button(button, type="submit", size="3", id=button_id),
                justify="end", width="100%",
            ),
            spacing="3", width="100%",
        ),
        on_submit=handler, reset_on_submit=False, width="100%",
    )


def editor_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.match(
                S.editor,
                ("signature", signature_editor()),
                ("initials", _small_form(t("Your initials"), "initials", "sign-initials", t("Use these initials"),
                                         "initials-save", S.save_initials, max_length=10,
                                         auto_complete="off")),
                ("text", _small_form(t("Fill in"), "value", "sign-text-value", t("Save"), "text-save", S.save_text,
                                     max_length=500)),
                rx.fragment(),
            ),
            max_width="560px", width="100%", padding="1em", id="sign-editor",
        ),
        open=S.editor != "", on_open_change=S.close_editor,
    )


def review_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.vstack(
                rx.dialog.title(t("Ready to sign?")),
                rx.text(t("You are signing {title} as {name}.", title=S.title, name=S.signer_name), size="2"),
                rx.vstack(rx.foreach(S.review_lines, lambda line: rx.text("• ", line, size="2")), spacing="1",
                          width="100%", id="sign-summary"),
                rx.text(t("Your electronic signature is as binding as one on paper. We record your name, email, "
                          "IP address, browser and the time, and add them to the signed document."), size="1",
                        color_scheme="gray"),
                error_callout(S.error),
                rx.hstack(
                    rx.dialog.close(rx.button(t("Back"), type="button", variant="soft", color_scheme="gray", size="3")),
                    rx.button(t("Sign now"), type="button", size="3", color_scheme="green", id="sign-now",
                              loading=S.busy, on_click=S.sign),
                    justify="end", width="100%",
                ),
                spacing="3", width="100%",
            ),
            max_width="560px", width="100%", padding="1em", id="sign-review",
        ),
        open=S.reviewing, on_open_change=S.close_review,
    )


def decline_button() -> rx.Component:
    return rx.button(t("Decline to sign"), type="button", variant="ghost", color_scheme="red", size="1",
                     id="sign-decline", on_click=S.open_decline)


def decline_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.form(
                rx.vstack(
                    rx.dialog.title(t("Decline to sign?")),
                    rx.dialog.description(t("The request stops and the firm is told. Say why, so they know what "
                                            "to change."), size="2"),
                    rx.text(t("Your reason (required)"), as_="label", html_for="decline-reason", size="2",
                            weight="medium"),
                    rx.text_area(name="reason", id="decline-reason", rows="4", width="100%", size="3",
                                 max_length=2000),
                    error_callout(S.decline_error),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("Keep the document"), type="button", variant="soft",
                                                  color_scheme="gray", size="3")),
                        rx.button(t("Decline to sign"), type="submit", color_scheme="red", size="3",
                                  id="decline-confirm"),
                        justify="end", width="100%", wrap="wrap",
                    ),
                    spacing="3", width="100%",
                ),
                on_submit=S.decline, reset_on_submit=False, width="100%",
            ),
            max_width="560px", width="100%", padding="1em", id="sign-decline-dialog",
        ),
        open=S.declining, on_open_change=S.close_decline,
    )


def outcome(icon: str, color: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon(icon, size=24, color=rx.color(color, 10)),
                      rx.heading(S.done_title, size="4", id="sign-done-title"), align="center"),
            rx.text(S.done_text, size="2", id="sign-done-text"),
            rx.cond(S.documents_link,
                    rx.link(t("Open your Documents"), href=routes.PORTAL_DOCUMENTS, id="sign-documents-link",
                            size="3")),
            rx.link(t("Back to home"), href=routes.PORTAL, size="2"),
            spacing="3", width="100%",
        ),
        width="100%", id="sign-done",
    )


def waiting() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon("hourglass", size=24, color=rx.color("amber", 10)),
                      rx.heading(t("Not your turn yet"), size="4"), align="center"),
            rx.text(S.done_text, size="2", id="sign-waiting-text"),
            rx.link(t("Back to home"), href=routes.PORTAL, size="2"),
            spacing="3", width="100%",
        ),
        width="100%", id="sign-waiting",
    )


def sign_page() -> rx.Component:
    return portal_page(
        t("Sign"),
        rx.match(
            S.step,
            ("loading", rx.center(rx.spinner(size="3"), width="100%", padding="2em")),
            ("gone", rx.vstack(error_callout(S.error), rx.link(t("Back to home"), href=routes.PORTAL, size="2"),
                               width="100%", id="sign-gone")),
            ("consent", rx.vstack(_title(), _firm_message(), consent_step(), width="100%", spacing="3")),
            ("code", rx.vstack(_title(), code_step(), width="100%", spacing="3")),
            ("sign", rx.vstack(_title(), _firm_message(), document_step(), width="100%", spacing="3")),
            ("waiting", rx.vstack(_title(), waiting(), width="100%", spacing="3")),
            ("signed", rx.vstack(_title(), outcome("circle-check", "green"), width="100%", spacing="3")),
            ("declined", rx.vstack(_title(), outcome("circle-x", "red"), width="100%", spacing="3")),
            rx.vstack(_title(), outcome("info", "gray"), width="100%", spacing="3"),
        ),
        editor_dialog(),
        review_dialog(),
        decline_dialog(),
    )


def register(app: rx.App) -> None:
    app.add_page(sign_page, route=routes.PORTAL_SIGN, title=t("Client portal · sign"), on_load=S.load)

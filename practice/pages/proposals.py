"""Staff pages for proposals: the templates page (admins) and the Proposals section of the account page."""
from __future__ import annotations

import reflex as rx

from practice import routes
from practice.components.i18n import as_written, t
from practice.components.layout import empty_state, error_callout, page
from practice.components.placeholders import field_placeholder_chips, placeholder_chips, remember_field
from practice.pages.work_parts import field, section
from practice.i18n import N_
from practice.state.base import AppState
from practice.state.field_views import FieldPlaceholdersState
from practice.state.proposals import AccountProposalsState, ProposalTemplatesState

S = ProposalTemplatesState
PLACEHOLDERS = [("{{ account.name }}", N_("the account's name")),
                ("{{ contact.first_name }}", N_("the contact's first name")), ("{{ job.name }}", N_("the job's name")),
                ("{{ firm.name }}", N_("your firm's name")), ("{{ today }}", N_("today's date")),
                ("{{ year }}", N_("this year"))]
PLACEHOLDER_FIELDS = ["proposal-template-intro", "proposal-template-terms", "proposal-template-intro-fr",
                      "proposal-template-terms-fr"]


# --- templates page -----------------------------------------------------------------------------------


def draft_line(line) -> rx.Component:
    """One service of the template being edited: quantity, price, optional switch, remove."""
    return rx.hstack(
        rx.vstack(rx.text(line.name, weight="medium", size="2"),
                  rx.cond(line.description != "", rx.text(line.description, size="1", color_scheme="gray")),
                  spacing="0", min_width="8em", flex="1"),
        rx.input(default_value=line.quantity, width="4.5em", size="1", aria_label=t("Quantity of {name}", name=line.name),
                 class_name="line-quantity", on_blur=lambda v: S.set_line(line.key, "quantity", v)),
        rx.input(default_value=line.price, width="7em", size="1", aria_label=t("Price of {name}", name=line.name),
                 class_name="line-price", on_blur=lambda v: S.set_line(line.key, "price", v)),
        rx.el.label(rx.hstack(rx.switch(checked=line.optional, size="1", class_name="line-optional",
                                        on_change=lambda v: S.set_line(line.key, "optional", v)),
                              rx.text(t("Optional"), size="1"), spacing="1", align="center")),
        rx.icon_button(rx.icon("x", size=12), size="1", variant="ghost", color_scheme="gray", type="button",
                       aria_label=t("Remove {name}", name=line.name), on_click=S.remove_line(line.key)),
        width="100%", align="center", wrap="wrap", spacing="2", class_name="draft-line",
        padding_y="0.3em", border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def french_version() -> rx.Component:
    """The template's French introduction and terms: clients who read French get them."""
    return rx.el.details(
        rx.el.summary(t("French version"), style={"cursor": "pointer", "fontWeight": "500"},
                      id="proposal-template-french-summary"),
        rx.vstack(
            rx.text(t("Clients who read French get this version; leave both empty and they get the texts above."),
                    size="1", color_scheme="gray"),
            field(t("French name"), rx.input(name="name_fr", default_value=S.edit_name_fr,
                                             id="proposal-template-name-fr",
                                             placeholder=t("Clients who read French see it; empty: the name above"))),
            field(t("French introduction"), rx.text_area(
                name="introduction_fr", default_value=S.edit_intro_fr, rows="5", id="proposal-template-intro-fr",
                on_focus=remember_field("proposal-template-intro-fr"),
                placeholder="Bonjour {{ contact.first_name }}, merci de votre confiance ...")),
            field(t("French terms"), rx.text_area(
                name="terms_fr", default_value=S.edit_terms_fr, rows="6", id="proposal-template-terms-fr",
                on_focus=remember_field("proposal-template-terms-fr"),
                placeholder="Nos honoraires sont payables à 30 jours ...")),
            width="100%", spacing="2", padding_top="0.5em"),
        open=(S.edit_intro_fr != "") | (S.edit_terms_fr != "") | (S.edit_name_fr != ""), width="100%",
        id="proposal-template-french",
    )


def template_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            error_callout(S.error),
            field(t("Template name"), rx.input(name="name", default_value=S.edit_name, id="proposal-template-name",
                                            required=True, placeholder=t("e.g. Engagement 2027"))),
            field(t("Introduction"), rx.text_area(name="introduction", default_value=S.edit_intro, rows="5",
                                               id="proposal-template-intro",
                                               on_focus=remember_field("proposal-template-intro"),
                                               placeholder=t("Dear {{ contact.first_name }}, thank you for ..."))),
            rx.text(t("Services"), size="2", weight="medium"),
            rx.cond(S.lines.length() > 0,
                    rx.vstack(rx.foreach(S.lines, draft_line), width="100%", spacing="0", id="proposal-lines"),
                    rx.text(t("No services yet: add them from the catalog below."), size="2", color_scheme="gray")),
            rx.cond(S.service_options.length() > 0,
                    rx.select.root(
                        rx.select.trigger(placeholder=t("Add a service from the catalog"), id="proposal-add-service",
                                          width="100%"),
                        rx.select.content(rx.foreach(S.service_options,
                                                     lambda o: rx.select.item(o.label, value=o.value,
                                                                              custom_attrs=as_written()))),
                        value="", on_change=S.add_service),
                    rx.text(t("The services catalog is empty: add services in Settings first."), size="2",
                            color_scheme="gray")),
            field(t("Terms"), rx.text_area(name="terms", default_value=S.edit_terms, rows="6",
                                        id="proposal-template-terms",
                                        on_focus=remember_field("proposal-template-terms"),
                                        placeholder=t("Fees are due within 30 days of each invoice ..."))),
            french_version(),
            rx.el.label(rx.hstack(
                rx.checkbox(name="require_payment", default_checked=S.edit_require_payment, id="proposal-require-payment"),
                rx.vstack(rx.text(t("Require payment when signing"), size="2", weight="medium"),
                          rx.text(t("The client pays the first invoice (the services chosen) by card right after "
                                    "signing; the proposal counts as signed once it is paid. Needs card payments "
                                    "(Settings, Payments)."), size="1", color_scheme="gray"),
                          spacing="0"),
                spacing="2", align="start")),
            rx.text(t("Placeholders, filled in when the proposal is sent; click one to insert it where you are typing:"),
                    size="1", color_scheme="gray"),
            placeholder_chips([(code, t(meaning)) for code, meaning in PLACEHOLDERS], PLACEHOLDER_FIELDS, "proposal"),
            field_placeholder_chips(PLACEHOLDER_FIELDS, "proposal"),
            rx.hstack(rx.button(rx.cond(S.editing_id > 0, t("Save changes"), t("Create template")), type="submit",
                                id="save-proposal-template"),
                      rx.cond(S.editing_id > 0, rx.button(t("Cancel"), type="button", variant="soft", color_scheme="gray",
                                                          on_click=S.new)),
                      spacing="2"),
            width="100%", align="start", spacing="2",
        ),
        key=S.form_key, on_submit=S.save, reset_on_submit=False, width="100%",
    )


def template_row(item) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(item.name, weight="bold", size="2"),
                  rx.text(item.services, size="1", color_scheme="gray"),
                  rx.text(item.total, rx.cond(item.optional > 0, t(" + {count} optional", count=item.optional), ""),
                          size="1"),
                  rx.cond(item.require_payment, rx.badge(t("Paid when signing"), size="1", color_scheme="blue",
                                                         class_name="template-require-payment")),
                  spacing="0", min_width="0"),
        rx.spacer(),
        rx.button(t("Preview PDF"), size="1", variant="soft", color_scheme="gray", on_click=S.preview(item.id, ""),
                  aria_label=t("Preview {name} as PDF", name=item.name)),
        rx.cond(item.has_french,
                rx.button(t("Preview in French"), size="1", variant="soft", color_scheme="gray",
                          on_click=S.preview(item.id, "fr"), class_name="preview-french",
                          aria_label=t("Preview the French version of {name} as PDF", name=item.name))),
        rx.button(t("Edit"), size="1", variant="soft", on_click=S.edit(item.id),
                  aria_label=t("Edit {name}", name=item.name)),
        rx.button(t("Delete"), size="1", variant="ghost", color_scheme="red", on_click=S.delete(item.id),
                  aria_label=t("Delete {name}", name=item.name)),
        width="100%", align="start", wrap="wrap", padding_y="0.4em", border_bottom=f"1px solid {rx.color('gray', 4)}",
        class_name="proposal-template-row",
    )


def steps_form() -> rx.Component:
    """The names of the steps clients go through, as the firm wants them."""
    return rx.form(
        rx.vstack(
            rx.text(t("What clients see at the top of a proposal, step by step."), size="2", color_scheme="gray"),
            error_callout(S.steps_error),
            rx.hstack(
                field(t("Step 1"), rx.input(name="read", default_value=S.step_read, id="step-read")),
                field(t("Step 2"), rx.input(name="choose", default_value=S.step_choose, id="step-choose")),
                field(t("Step 3"), rx.input(name="sign", default_value=S.step_sign, id="step-sign")),
                width="100%", wrap="wrap", spacing="2",
            ),
            rx.button(t("Save step names"), type="submit", size="2", id="save-steps"),
            width="100%", align="start", spacing="2",
        ),
        key=S.steps_key, on_submit=S.save_steps, reset_on_submit=False, width="100%",
    )


def templates_page() -> rx.Component:
    return page(
        t("Proposals"),
        rx.cond(
            AppState.is_admin,
            rx.grid(
                rx.vstack(
                    section(t("Proposal templates"),
                            rx.text(t("Send a proposal from an account's page, or from a rule: "
                                      'send proposal "NAME" to account.'), size="2", color_scheme="gray"),
                            rx.cond(S.templates.length() > 0,
                                    rx.vstack(rx.foreach(S.templates, template_row), width="100%", spacing="0"),
                                    empty_state(t("No proposal templates yet. Create the first with the form."))),
                            id="proposal-templates-section"),
                    section(t("Steps clients see"), steps_form(), id="proposal-steps-section"),
                    width="100%", spacing="4", min_width="0",
                ),
                section(t("New or changed template"), template_form(), id="proposal-template-form"),
                grid_template_columns=["1fr", "1fr", "1fr 1fr"], spacing="4", width="100%",
            ),
            empty_state(t("Only the owner or an admin can manage proposal templates.")),
        ),
    )


# --- the account page's section --------------------------------------------------------------------------

A = AccountProposalsState
STATUSES = {"sent": N_("Waiting"), "signed": N_("Signed"), "declined": N_("Declined"), "cancelled": N_("Withdrawn"),
            "awaiting_payment": N_("Signed, awaiting payment")}


def proposal_status(status) -> rx.Var:
    """A proposal's status in the reader's language."""
    return rx.match(status, *[(value, t(word)) for value, word in STATUSES.items()], status)


def proposal_row(p) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.hstack(rx.text(p.name, weight="medium", size="2"), rx.text(p.total, size="2"), spacing="2",
                      wrap="wrap"),
            rx.text(p.sent, rx.cond(p.job != "", " · " + p.job, ""), size="1", color_scheme="gray"),
            rx.text(p.outcome, size="1"),
            spacing="0", min_width="0",
        ),
        rx.spacer(),
        rx.badge(proposal_status(p.status), color_scheme=rx.match(p.status, ("signed", "green"), ("declined", "red"),
                                                 ("cancelled", "gray"), ("awaiting_payment", "blue"), "amber")),
        rx.cond(p.href != "", rx.el.a(t("Signed PDF"), href=p.href, rel="noopener", reload_document=True,
                                      class_name="signed-proposal-link",
                                      style={"color": rx.color("accent", 11), "fontSize": "var(--font-size-1)"})),
        rx.cond(p.waiting, rx.button(t("Cancel"), size="1", variant="ghost", color_scheme="gray",
                                     aria_label=t("Cancel {name}", name=p.name), on_click=A.cancel(p.id))),
        align="center", width="100%", wrap="wrap", class_name="proposal-row", padding_y="0.3em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def send_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.select.root(rx.select.trigger(placeholder=t("Proposal template"), id="send-proposal-template"),
                           rx.select.content(rx.foreach(A.proposal_templates,
                                                        lambda o: rx.select.item(o.label, value=o.value,
                                                                              custom_attrs=as_written()))),
                           name="template_id", size="2"),
            rx.cond(A.proposal_jobs.length() > 0,
                    rx.select.root(rx.select.trigger(placeholder=t("For a job (optional)"), id="send-proposal-job"),
                                   rx.select.content(rx.foreach(A.proposal_jobs,
                                                                lambda o: rx.select.item(o.label, value=o.value,
                                                                              custom_attrs=as_written()))),
                                   name="job_id", size="2")),
            rx.button(t("Send a proposal"), type="submit", size="2", id="send-proposal"),
            spacing="2", wrap="wrap", width="100%",
        ),
        key=A.proposal_form_key, on_submit=A.send, reset_on_submit=False, width="100%",
    )


def proposals_section() -> rx.Component:
    return section(
        t("Proposals"),
        error_callout(A.proposal_error),
        rx.cond(A.proposal_templates.length() > 0, send_form(),
                rx.cond(AppState.is_admin,
                        rx.link(t("Create a proposal template"), href=routes.PROPOSAL_TEMPLATES, size="2"),
                        rx.text(t("No proposal templates yet; an admin can create them."), size="2",
                                color_scheme="gray"))),
        rx.cond(A.proposal_items.length() > 0,
                rx.vstack(rx.foreach(A.proposal_items, proposal_row), width="100%", spacing="0",
                          id="proposal-list"),
                rx.text(t("No proposals sent to this account yet."), size="2", color_scheme="gray")),
        id="proposals-section",
    )


def register(app: rx.App) -> None:
    app.add_page(templates_page, route=routes.PROPOSAL_TEMPLATES, title=t("Proposals · practice"),
                 on_load=[AppState.require_login, ProposalTemplatesState.load, FieldPlaceholdersState.load])

"""The client portal's pages: log in, activate, forgot and reset password, home (tasks and approvals), tasks,
profile; documents in portal_documents."""
import reflex as rx

from practice import routes
from practice.components.i18n import as_written, t, tn
from practice.components.layout import error_callout, language_select
from practice.components.portal_layout import plain_empty, portal_card, portal_page
from practice.state.portal import (PortalActivateState, PortalForgotState, PortalHomeState, PortalLinkState,
                                   PortalLoginState, PortalProfileState, PortalResetState, PortalTasksState)


def _label(text: str, html_for: str) -> rx.Component:
    return rx.text(text, as_="label", html_for=html_for, size="2", weight="medium")


def notice_callout(message) -> rx.Component:
    return rx.cond(message != "", rx.callout(message, icon="info", color_scheme="green", role="status",
                                             width="100%"))


def login_page() -> rx.Component:
    return portal_card(
        rx.form(
            rx.vstack(
                rx.heading(t("Client portal"), size="6"),
                notice_callout(PortalLoginState.notice),
                error_callout(PortalLoginState.error),
                _label(t("Email"), "portal-email"),
                rx.input(id="portal-email", name="email", type="email", auto_complete="username", required=True,
                         width="100%", size="3"),
                _label(t("Password"), "portal-password"),
                rx.input(id="portal-password", name="password", type="password", auto_complete="current-password",
                         required=True, width="100%", size="3"),
                rx.button(t("Log in"), type="submit", width="100%", size="3", id="portal-login-submit"),
                rx.link(t("Forgot your password?"), href=routes.PORTAL_FORGOT, size="2", id="portal-forgot-link"),
                spacing="3", width="100%",
            ),
            on_submit=PortalLoginState.log_in, reset_on_submit=False, width="100%",
        ),
    )


def password_form(state: type[PortalLinkState], button: rx.Var, intro: rx.Var) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(intro, " ", rx.text(state.link_email, weight="bold", as_="span"), size="2"),
            rx.text(t("At least 8 characters. Very common passwords and ones containing your email are refused; "
                      "a few unrelated words make a strong one."), size="1", color_scheme="gray"),
            error_callout(state.error),
            _label(t("New password"), "portal-new-password"),
            rx.input(id="portal-new-password", name="new_password", type="password", auto_complete="new-password",
                     required=True, width="100%", size="3"),
            _label(t("The same password again"), "portal-confirm-password"),
            rx.input(id="portal-confirm-password", name="confirm_password", type="password",
                     auto_complete="new-password", required=True, width="100%", size="3"),
            rx.button(button, type="submit", width="100%", size="3", id="portal-set-password"),
            spacing="3", width="100%",
        ),
        on_submit=state.set_password, reset_on_submit=False, width="100%",
    )


def link_page(state: type[PortalLinkState], title: rx.Var, button: rx.Var, intro: rx.Var, bad_link_help) -> rx.Component:
    return portal_card(
        rx.heading(title, size="6"),
        rx.cond(
            state.link_problem != "",
            rx.vstack(rx.callout(state.link_problem, icon="triangle-alert", color_scheme="red", role="alert",
                                 width="100%", id="portal-link-problem"),
                      bad_link_help, width="100%"),
            rx.cond(state.checked, password_form(state, button, intro), rx.center(rx.spinner())),
        ),
    )


def activate_page() -> rx.Component:
    return link_page(PortalActivateState, t("Welcome"), t("Set my password"), t("Choose the password for"),
                     rx.link(t("Go to the login page"), href=routes.PORTAL_LOGIN, size="2"))


def reset_page() -> rx.Component:
    return link_page(PortalResetState, t("Choose a new password"), t("Save my new password"), t("New password for"),
                     rx.link(t("Ask for a new link"), href=routes.PORTAL_FORGOT, size="2"))


def forgot_page() -> rx.Component:
    return portal_card(
        rx.form(
            rx.vstack(
                rx.heading(t("Forgot your password?"), size="6"),
                rx.text(t("Type the email you log in with; we send you a link to choose a new password."), size="2"),
                notice_callout(PortalForgotState.notice),
                error_callout(PortalForgotState.error),
                _label(t("Email"), "portal-forgot-email"),
                rx.input(id="portal-forgot-email", name="email", type="email", auto_complete="username",
                         required=True, width="100%", size="3"),
                rx.button(t("Send me a link"), type="submit", width="100%", size="3", id="portal-forgot-submit"),
                rx.link(t("Back to the login page"), href=routes.PORTAL_LOGIN, size="2"),
                spacing="3", width="100%",
            ),
            on_submit=PortalForgotState.send_link, reset_on_submit=True, width="100%",
        ),
    )


def due_line(item) -> rx.Component:
    return rx.cond(item.due != "", rx.text(t("Due {date}", date=item.due), size="1",
                                           color=rx.cond(item.overdue, rx.color("red", 11), rx.color("gray", 11))))


def attention_task(task) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.icon("circle-alert", size=18, color=rx.color("amber", 10)),
            rx.vstack(rx.text(task.title, weight="medium"), rx.text(task.job, size="1", color_scheme="gray"), due_line(task),
                      spacing="0", min_width="0"),
            rx.spacer(),
            rx.link(t("Open"), href=routes.PORTAL_TASKS, size="2"),
            align="center", width="100%",
        ),
        width="100%", class_name="attention-item",
    )


def attention_document(d) -> rx.Component:
    return rx.hstack(
        rx.icon("file-text", size=18),
        rx.vstack(rx.link(t("New from the firm: {document}", document=d.name), href=d.href, is_external=True, class_name="look-link"),
                  rx.text(d.shared, size="1", color_scheme="gray"), spacing="0", align="start"),
        width="100%", class_name="attention-item document-item", padding="0.5em",
        border=f"1px solid {rx.color('gray', 5)}", border_radius="8px",
    )


def attention_approval(a) -> rx.Component:
    """A document to approve: view it, approve it, or reject it with a reason."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("file-check", size=18, color=rx.color("amber", 10)),
                rx.vstack(rx.text(t("Please approve"), size="1", color_scheme="gray"),
                          rx.el.a(a.document, href=a.href, rel="noopener", reload_document=True,
                                  class_name="approval-document", custom_attrs=as_written(),
                                  style={"color": rx.color("accent", 11), "fontWeight": "500",
                                         "wordBreak": "break-word"}),
                          rx.text(rx.cond(a.job != "", rx.el.span(a.job, " · ", custom_attrs=as_written()), ""), a.asked,
                                  size="1", color_scheme="gray"),
                          spacing="0", min_width="0"),
                align="center", width="100%",
            ),
            # The reason travels when the field loses focus (a form's submit cannot carry the item's id here).
            rx.input(placeholder=t("If you reject it, say why"), width="100%", size="3",
                     aria_label=t("Reason for rejecting {document}", document=a.document), class_name="approval-reason",
                     on_blur=lambda value: PortalHomeState.keep_reason(a.id, value)),
            rx.hstack(
                rx.button(t("Approve"), size="3", color_scheme="green", class_name="approve-button",
                          on_click=PortalHomeState.approve(a.id)),
                rx.button(t("Reject"), size="3", variant="soft", color_scheme="red", class_name="reject-button",
                          on_click=PortalHomeState.reject(a.id)),
                width="100%", spacing="2",
            ),
            spacing="2", width="100%",
        ),
        width="100%", class_name="attention-item approval-item",
    )


def attention_proposal(p) -> rx.Component:
    """A proposal waiting for the client's signature."""
    return rx.card(
        rx.hstack(
            rx.icon("signature", size=18, color=rx.color("amber", 10)),
            rx.vstack(rx.text(rx.cond(p.to_pay, t("Signed: pay to finish"), t("Please read and sign")), size="1",
                              color_scheme="gray"),
                      rx.text(p.name, weight="medium"), rx.text(p.total, " · ", p.sent, size="1", color_scheme="gray"),
                      spacing="0", min_width="0"),
            rx.spacer(),
            rx.link(rx.button(t("Open"), size="3"), href=p.href, class_name="open-proposal"),
            align="center", width="100%",
        ),
        width="100%", class_name="attention-item proposal-item",
    )


def attention_organizer(o) -> rx.Component:
    """An organizer the client has still to fill in and submit."""
    return rx.card(
        rx.hstack(
            rx.icon("clipboard-list", size=18, color=rx.color("amber", 10)),
            rx.vstack(rx.text(t("Please fill in"), size="1", color_scheme="gray"),
                      rx.text(o.name, weight="medium"), rx.text(o.status_text, size="1", color_scheme="gray"),
                      spacing="0", min_width="0"),
            rx.spacer(),
            rx.link(rx.button(t("Open"), size="3"), href=o.href, class_name="open-organizer"),
            align="center", width="100%", wrap="wrap",
        ),
        width="100%", class_name="attention-item organizer-item",
    )


def attention_signature(r) -> rx.Component:
    """A document waiting for this client's signature."""
    return rx.card(
        rx.hstack(
            rx.icon("pen-line", size=18, color=rx.color("amber", 10)),
            rx.vstack(rx.text(t("Please sign"), size="1", color_scheme="gray"),
                      rx.text(r.title, weight="medium", style={"word_break": "break-word"}),
                      rx.text(r.asked, size="1", color_scheme="gray"), spacing="0", min_width="0"),
            rx.spacer(),
            rx.link(rx.button(t("Review and sign"), size="3"), href=r.href, class_name="sign-link"),
            align="center", width="100%", wrap="wrap",
        ),
        width="100%", class_name="attention-item signature-item",
    )


def signing_row(r) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("signature", size=18),
            rx.vstack(rx.text(r.title, weight="medium", style={"word_break": "break-word"}),
                      rx.text(r.status, size="1",
                              color=rx.cond(r.my_turn, rx.color("amber", 11), rx.color("gray", 11))),
                      spacing="0", min_width="0"),
            width="100%", align="center", padding="0.5em", border=f"1px solid {rx.color('gray', 5)}",
            border_radius="8px",
        ),
        href=r.href, underline="none", color="inherit", width="100%", class_name="signing-row",
    )


def job_card(j) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(rx.text(j.name, weight="medium"), due_line(j), spacing="0", min_width="0"),
            rx.spacer(),
            rx.cond(j.open_tasks > 0, rx.badge(tn("{n} to do", "{n} to do", j.open_tasks), color_scheme="amber"),
                    rx.badge(t("Nothing needed from you"), color_scheme="green", variant="soft")),
            align="center", width="100%", wrap="wrap",
        ),
        width="100%", class_name="portal-job",
    )


def home_page() -> rx.Component:
    return portal_page(
        t("Home"),
        error_callout(PortalHomeState.error),
        rx.heading(t("What needs your attention"), size="4"),
        rx.cond(PortalHomeState.tasks.length() + PortalHomeState.approvals.length()
                + PortalHomeState.looks.length() + PortalHomeState.proposals.length()
                + PortalHomeState.to_sign.length() + PortalHomeState.organizers.length() > 0,
                rx.vstack(rx.foreach(PortalHomeState.organizers, attention_organizer),
                          rx.foreach(PortalHomeState.proposals, attention_proposal),
                          rx.foreach(PortalHomeState.to_sign, attention_signature),
                          rx.foreach(PortalHomeState.approvals, attention_approval),
                          rx.foreach(PortalHomeState.tasks, attention_task),
                          rx.foreach(PortalHomeState.looks, attention_document), width="100%", spacing="2",
                          id="attention-list"),
                plain_empty(t("Nothing needs your attention right now. We will email you when we need something."))),
        rx.heading(t("Your jobs"), size="4"),
        rx.cond(PortalHomeState.jobs.length() > 0,
                rx.vstack(rx.foreach(PortalHomeState.jobs, job_card), width="100%", spacing="2", id="portal-jobs"),
                plain_empty(t("No work is under way for this account yet."))),
        rx.cond(PortalHomeState.signing.length() > 0,
                rx.vstack(rx.heading(t("Signatures"), size="4"),
                          rx.vstack(rx.foreach(PortalHomeState.signing, signing_row), width="100%", spacing="2",
                                    id="portal-signing-list"),
                          width="100%", spacing="3")),
    )


def task_row(task) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.checkbox(checked=task.done, on_change=lambda value: PortalTasksState.toggle(task.id, value), size="3",
                        aria_label=t("Done: {task}", task=task.title), id="client-task-" + task.id.to_string()),
            rx.vstack(
                rx.text(task.title, weight="medium", text_decoration=rx.cond(task.done, "line-through", "none")),
                rx.cond(task.description != "", rx.text(task.description, size="2")),
                rx.text(task.job, size="1", color_scheme="gray"),
                rx.cond(task.done, rx.text(t("Done by {name}", name=task.done_by), size="1", color_scheme="green"), due_line(task)),
                spacing="0", min_width="0",
            ),
            align="start", width="100%", spacing="3",
        ),
        width="100%", class_name="client-task",
    )


def tasks_page() -> rx.Component:
    return portal_page(
        t("Your tasks"),
        rx.text(t("Tick a task when you have done it; we are told at once."), size="2", color_scheme="gray"),
        error_callout(PortalTasksState.error),
        rx.cond(PortalTasksState.tasks.length() > 0,
                rx.vstack(rx.foreach(PortalTasksState.tasks, task_row), width="100%", spacing="2",
                          id="client-task-list"),
                plain_empty(t("There are no tasks for you on this account. When we need something from you, "
                              "it appears here."))),
    )


def profile_page() -> rx.Component:
    return portal_page(
        t("Profile"),
        rx.card(rx.vstack(rx.text(t("Name"), size="1", color_scheme="gray"),
                          rx.text(PortalProfileState.contact_name, id="profile-name"),
                          rx.text(t("Email"), size="1", color_scheme="gray"),
                          rx.text(PortalProfileState.email, id="profile-email"),
                          rx.text(t("To change your name or email, ask us."), size="1", color_scheme="gray"),
                          spacing="1"), width="100%"),
        rx.card(rx.vstack(rx.heading(t("Language"), size="4"),
                          rx.text(t("The portal and the emails we send you are in this language."), size="2",
                                  color_scheme="gray"),
                          language_select("portal-language", on_change=PortalProfileState.choose_language),
                          spacing="2", width="100%"), width="100%"),
        rx.card(rx.form(
            rx.vstack(
                rx.heading(t("Change password"), size="4"),
                notice_callout(PortalProfileState.notice),
                error_callout(PortalProfileState.error),
                _label(t("Current password"), "profile-current-password"),
                rx.input(id="profile-current-password", name="current_password", type="password",
                         auto_complete="current-password", required=True, width="100%", size="3"),
                _label(t("New password"), "profile-new-password"),
                rx.input(id="profile-new-password", name="new_password", type="password",
                         auto_complete="new-password", required=True, width="100%", size="3"),
                _label(t("The new password again"), "profile-confirm-password"),
                rx.input(id="profile-confirm-password", name="confirm_password", type="password",
                         auto_complete="new-password", required=True, width="100%", size="3"),
                rx.button(t("Change password"), type="submit", size="3", id="profile-change-password"),
                spacing="2", width="100%",
            ),
            key=PortalProfileState.form_key, on_submit=PortalProfileState.change_password, reset_on_submit=False,
            width="100%",
        ), width="100%"),
    )


def register(app: rx.App) -> None:
    app.add_page(login_page, route=routes.PORTAL_LOGIN, title=t("Client portal · log in"), on_load=PortalLoginState.load)
    app.add_page(activate_page, route=routes.PORTAL_ACTIVATE, title=t("Client portal · welcome"),
                 on_load=PortalActivateState.load)
    app.add_page(reset_page, route=routes.PORTAL_RESET, title=t("Client portal · new password"),
                 on_load=PortalResetState.load)
    app.add_page(forgot_page, route=routes.PORTAL_FORGOT, title=t("Client portal · forgot password"),
                 on_load=PortalForgotState.load)
    app.add_page(home_page, route=routes.PORTAL, title=t("Client portal"), on_load=PortalHomeState.load)
    app.add_page(tasks_page, route=routes.PORTAL_TASKS, title=t("Client portal · tasks"), on_load=PortalTasksState.load)
    app.add_page(profile_page, route=routes.PORTAL_PROFILE, title=t("Client portal · profile"),
                 on_load=PortalProfileState.load)

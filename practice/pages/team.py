"""Team: members with their role and access; the owner adds members and changes roles."""
import reflex as rx

from practice import routes
from practice.components.forms import label, static_select
from practice.components.i18n import t
from practice.components.layout import error_callout, page
from practice.i18n import N_
from practice.state.base import AppState
from practice.state.team import MemberItem, TeamState

ROLE_CHOICES = [("employee", N_("Employee")), ("admin", N_("Admin")), ("owner", N_("Owner"))]
LAST_OWNER_NOTE = N_("The firm always keeps at least one owner: to change the last owner's role, "
                     "make someone else owner first.")


def role_choices() -> list:
    return [(value, t(word)) for value, word in ROLE_CHOICES]


def role_word(role) -> rx.Var:
    """A member's role in the reader's language."""
    return rx.match(role, *[(value, t(word)) for value, word in ROLE_CHOICES], role)


def right_checkbox(name: str, id: str, default_checked, words: str) -> rx.Component:
    return rx.hstack(
        rx.el.input(type="checkbox", name=name, id=id, default_checked=default_checked),
        rx.text(words, as_="label", html_for=id, size="2"),
        align="center", spacing="2",
    )


def rights_checkboxes(prefix: str, view_all, manage_billing, see_billing, track_time=False,
                      edit_others_time=False) -> rx.Component:
    """The rights an employee may be given (owners and admins have them all by their role)."""
    return rx.vstack(
        right_checkbox("view_all", f"{prefix}-view-all", view_all,
                       t("Sees all accounts (employees without it see only the accounts they work on)")),
        right_checkbox("manage_billing", f"{prefix}-manage-billing", manage_billing,
                       t("Manages invoices and payments")),
        right_checkbox("see_billing", f"{prefix}-see-billing", see_billing,
                       t("Sees billing: invoices, payments and balances")),
        right_checkbox("track_time", f"{prefix}-track-time", track_time, t("Tracks time (timers and time entries)")),
        right_checkbox("edit_others_time", f"{prefix}-edit-others-time", edit_others_time,
                       t("Sees and edits others' time")),
        rx.text(t("Owners and admins have these rights by their role."), size="1", color_scheme="gray"),
        spacing="1", width="100%",
    )


def add_member_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("user-plus"), t("Add member"), id="add-member")),
        rx.dialog.content(
            rx.dialog.title(t("Add a team member")),
            rx.form(
                rx.vstack(
                    error_callout(TeamState.add_error),
                    label(t("Name"), "member-name"),
                    rx.input(id="member-name", name="name", required=True, width="100%", auto_focus=True),
                    label(t("Email"), "member-email"),
                    rx.input(id="member-email", name="email", type="email", required=True, width="100%",
                             auto_complete="off"),
                    label(t("Initial password (at least 8 characters; tell them to change it)"), "member-password"),
                    rx.input(id="member-password", name="password", type="password", required=True,
                             width="100%", auto_complete="new-password"),
                    label(t("Role"), "member-role"),
                    static_select(role_choices(), name="role", id="member-role", default_value="employee"),
                    rights_checkboxes("member", False, False, False),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", type="button")),
                        rx.button(t("Add member"), type="submit", id="create-member"),
                        justify="end", width="100%"),
                    spacing="2", width="100%",
                ),
                on_submit=TeamState.add_member, reset_on_submit=False,
            ),
        ),
        open=TeamState.add_open, on_open_change=TeamState.set_add_open,
    )


def edit_role_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("Role of {name}", name=TeamState.edit_name)),
            rx.form(
                rx.vstack(
                    error_callout(TeamState.edit_error),
                    label(t("Role"), "edit-role"),
                    static_select(role_choices(), name="role", id="edit-role", default_value=TeamState.edit_role),
                    rights_checkboxes("edit", TeamState.edit_view_all, TeamState.edit_manage_billing,
                                      TeamState.edit_see_billing, TeamState.edit_track_time,
                                      TeamState.edit_edit_others_time),
                    label(t("Hourly rate (billed when the service has no rate)"), "edit-hourly-rate"),
                    rx.input(id="edit-hourly-rate", name="hourly_rate", default_value=TeamState.edit_hourly_rate,
                             placeholder="0.00", input_mode="decimal", width="100%"),
                    rx.cond((TeamState.edit_role == "owner") & (TeamState.owners <= 1),
                            rx.text(t(LAST_OWNER_NOTE), size="2", color_scheme="amber")),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", type="button")),
                        rx.button(t("Save"), type="submit", id="save-role"),
                        justify="end", width="100%"),
                    spacing="2", width="100%",
                ),
                on_submit=TeamState.save_role, reset_on_submit=False,
            ),
        ),
        open=TeamState.edit_open, on_open_change=TeamState.set_edit_open,
    )


def access_text(m: MemberItem) -> rx.Component:
    return rx.cond(m.role == "employee",
                   rx.hstack(rx.text(rx.cond(m.view_all, t("All accounts"), t("Own accounts only"))),
                             rx.cond(m.manage_billing, rx.badge(t("Manages billing"), size="1", color_scheme="green"),
                                     rx.cond(m.see_billing, rx.badge(t("Sees billing"), size="1"))),
                             rx.cond(m.edit_others_time, rx.badge(t("Edits others' time"), size="1", color_scheme="green"),
                                     rx.cond(m.track_time, rx.badge(t("Tracks time"), size="1"))),
                             spacing="2", align="center", wrap="wrap"),
                   t("All accounts (by role)"))


def member_row(m: MemberItem) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.hstack(rx.text(m.name), rx.cond(m.is_me, rx.badge(t("you"), size="1")),
                                           spacing="2", align="center")),
        rx.table.cell(m.email),
        rx.table.cell(rx.badge(role_word(m.role), color_scheme=rx.match(m.role, ("owner", "amber"), ("admin", "indigo"),
                                                             "gray")), class_name="member-role"),
        rx.table.cell(access_text(m)),
        rx.cond(AppState.is_owner,
                rx.table.cell(rx.button(t("Change role"), on_click=TeamState.start_edit(m.id), variant="soft",
                                        size="1", id="change-role-" + m.id.to_string()))),
        data_member=m.email,
    )


def member_card(m: MemberItem) -> rx.Component:
    """The phone-size form of a member row."""
    return rx.card(rx.vstack(
        rx.hstack(rx.text(m.name, weight="bold"), rx.badge(role_word(m.role)), align="center"),
        rx.text(m.email, size="2"),
        rx.text(access_text(m), size="2", color_scheme="gray"),
        rx.cond(AppState.is_owner,
                rx.button(t("Change role"), on_click=TeamState.start_edit(m.id), variant="soft", size="1")),
        spacing="1"), width="100%")


def team_page() -> rx.Component:
    return page(
        t("Team"),
        error_callout(TeamState.error),
        rx.cond(~AppState.is_owner,
                rx.text(t("Only the firm's owner can add members or change roles."), size="2", color_scheme="gray",
                        id="team-read-only")),
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell(t("Name")), rx.table.column_header_cell(t("Email")),
                    rx.table.column_header_cell(t("Role")), rx.table.column_header_cell(t("Sees")),
                    rx.cond(AppState.is_owner, rx.table.column_header_cell("")))),
                rx.table.body(rx.foreach(TeamState.members, member_row)),
                width="100%", id="team-table",
            ),
            display=["none", "block"], width="100%",
        ),
        rx.vstack(rx.foreach(TeamState.members, member_card), display=["flex", "none"], width="100%"),
        rx.text(t(LAST_OWNER_NOTE), size="1", color_scheme="gray"),
        edit_role_dialog(),
        actions=rx.cond(AppState.is_owner, add_member_dialog()),
    )


def register(app: rx.App) -> None:
    app.add_page(team_page, route=routes.TEAM, title=t("Team · practice"),
                 on_load=[AppState.require_login, TeamState.load])

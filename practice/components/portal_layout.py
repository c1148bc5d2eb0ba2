"""The client portal's layout, phone first: a header with the account switcher, the page, a short menu.

Separate from the staff layout on purpose: clients never see staff navigation.
"""
from __future__ import annotations

import reflex as rx

from practice import routes
from practice.components.i18n import t
from practice.i18n import N_
from practice.state.portal import PortalBadgeState, PortalState

NAV = [(N_("Home"), routes.PORTAL, "house", "portal-nav-home"),
       (N_("Tasks"), routes.PORTAL_TASKS, "list-checks", "portal-nav-tasks"),
       (N_("Messages"), routes.PORTAL_MESSAGES, "message-circle", "portal-nav-messages"),
       (N_("Organizers"), routes.PORTAL_ORGANIZERS, "clipboard-list", "portal-nav-organizers"),
       (N_("Documents"), routes.PORTAL_DOCUMENTS, "file-text", "portal-nav-documents"),
       (N_("Invoices"), routes.PORTAL_INVOICES, "receipt", "portal-nav-invoices"),
       (N_("Profile"), routes.PORTAL_PROFILE, "user", "portal-nav-profile")]


def account_switcher() -> rx.Component:
    """A select of the contact's accounts when there are several; otherwise just the account's name (not when it
    is the contact's own name, already the heading: "Dana Whitfield" once, not twice)."""
    return rx.cond(
        PortalState.account_options.length() > 1,
        rx.select.root(
            rx.select.trigger(id="account-switcher", aria_label=t("Switch account"), width="100%"),
            rx.select.content(rx.foreach(PortalState.account_options,
                                         lambda o: rx.select.item(o.label, value=o.value))),
            value=PortalState.current_account, on_change=PortalState.switch_account, size="2",
        ),
        rx.cond(PortalState.current_account_name != PortalState.contact_name,
                rx.text(PortalState.current_account_name, size="2", color_scheme="gray", id="current-account")),
    )


def _badge(nav_id: str) -> rx.Component:
    """Beside "Messages": how many of the firm's messages the client has not read, kept current while the page is
    open."""
    if nav_id != "portal-nav-messages":
        return rx.fragment()
    return rx.cond(PortalBadgeState.messages_unread > 0,
                   rx.badge(PortalBadgeState.messages_unread, radius="full", variant="solid", color_scheme="indigo",
                            id="portal-messages-badge", size="1"))


def header() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.vstack(rx.text(PortalState.firm_name, size="1", color_scheme="gray"),
                      rx.heading(PortalState.contact_name, size="4"), spacing="0", min_width="0"),
            rx.spacer(),
            rx.button(t("Log out"), on_click=PortalState.log_out, variant="soft", size="1", id="portal-logout"),
            width="100%", align="center",
        ),
        account_switcher(),
        rx.hstack(*[rx.link(rx.hstack(rx.icon(icon, size=16), rx.text(t(label), size="2"), _badge(id_), spacing="1",
                                      align="center"),
                            href=href, id=id_, underline="none", padding="0.4em 0.6em", border_radius="6px",
                            _hover={"background": rx.color("gray", 4)})
                    for label, href, icon, id_ in NAV],
                  width="100%", spacing="1", justify="between", wrap="wrap"),
        width="100%", spacing="2", padding="0.75em", border_bottom=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
    )


def portal_page(title: str | rx.Var, *children: rx.Component) -> rx.Component:
    """A page for a logged-in client: header, title, content; one narrow column on every screen."""
    return rx.box(
        rx.vstack(
            header(),
            rx.vstack(rx.heading(title, size="6"), *children, width="100%", spacing="4", padding="0.75em"),
            width="100%", max_width="640px", margin_x="auto", spacing="0",
        ),
        width="100%", min_height="100vh",
    )


def portal_card(*children: rx.Component, **props) -> rx.Component:
    """A narrow card for the pages before login (login, activation, reset)."""
    return rx.center(rx.card(rx.vstack(*children, spacing="3", width="100%"), width=["94vw", "400px"],
                             padding="1.25em", **props),
                     min_height="100vh", background=rx.color("gray", 2), padding_y="1em")


def plain_empty(text: str) -> rx.Component:
    return rx.box(rx.text(text, color_scheme="gray", size="2"), padding="1em", width="100%",
                  border=f"1px dashed {rx.color('gray', 6)}", border_radius="8px")

"""The staff layout: a sidebar of sections and the page's content; collapses to a top bar on phones."""
from __future__ import annotations

import reflex as rx

from practice import routes
from practice.state.base import AppState, InboxBadgeState

NAV = [
    ("Home", routes.HOME, "house"),
    ("Inbox", routes.INBOX, "inbox"),
    ("Board", routes.BOARD, "kanban"),
    ("Accounts", routes.ACCOUNTS, "building-2"),
    ("Contacts", routes.CONTACTS, "contact"),
    ("Tasks", routes.TASKS, "list-checks"),
    ("Pipelines", routes.PIPELINES, "workflow"),
    ("Import", routes.IMPORT, "upload"),
    ("Team", routes.TEAM, "users"),
    ("Audit log", routes.AUDIT, "scroll-text"),
    ("Email", routes.EMAIL, "mail"),
    ("Document templates", routes.DOCUMENT_TEMPLATES, "file-pen-line"),
    ("Proposals", routes.PROPOSAL_TEMPLATES, "signature"),
    ("Automations", routes.RULES, "zap"),
    ("Settings", routes.SETTINGS, "settings"),
]


def unread_badge(badge_id: str) -> rx.Component:
    """The inbox's unread count (nothing when all is read); the poller in InboxBadgeState keeps it current."""
    return rx.cond(InboxBadgeState.unread > 0,
                   rx.badge(InboxBadgeState.unread, radius="full", size="1", variant="solid", color_scheme="indigo",
                            id=badge_id, aria_label=InboxBadgeState.unread.to_string() + " unread"))


def nav_link(label: str, href: str, icon: str) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(icon, size=16), rx.text(label, size="2"),
                  *([rx.spacer(), unread_badge("inbox-badge")] if href == routes.INBOX else []),
                  spacing="2", align="center", width="100%"),
        href=href, underline="none", color_scheme="gray", high_contrast=True,
        padding_x="0.75em", padding_y="0.4em", border_radius="6px", width="100%",
        _hover={"background": rx.color("gray", 4)},
    )


def sidebar() -> rx.Component:
    return rx.vstack(
        rx.heading("practice", size="5", padding_x="0.75em", padding_y="0.5em"),
        *[nav_link(*item) for item in NAV],
        rx.spacer(),
        rx.vstack(
            rx.text(AppState.member_name, size="2", weight="bold"),
            rx.text(AppState.member_role, size="1", color_scheme="gray"),
            rx.link("Sign-in security", href=routes.ACCOUNT_SECURITY, size="1", id="account-security-link"),
            rx.button("Log out", on_click=AppState.log_out, variant="soft", size="1", id="logout"),
            padding="0.75em", spacing="1",
        ),
        width="200px", min_width="200px", height="100vh", position="sticky", top="0",
        border_right=f"1px solid {rx.color('gray', 5)}", background=rx.color("gray", 2), spacing="1",
        display=["none", "none", "flex"],
    )


def mobile_bar() -> rx.Component:
    return rx.hstack(
        rx.menu.root(
            rx.menu.trigger(rx.button(rx.icon("menu"), unread_badge("menu-unread-badge"), variant="ghost",
                                      aria_label="Menu", id="phone-menu")),
            rx.menu.content(*[rx.menu.item(rx.hstack(label, *([unread_badge("menu-inbox-badge")]
                                                                if href == routes.INBOX else []),
                                                     spacing="2", align="center"),
                                           on_click=rx.redirect(href)) for label, href, _ in NAV],
                            rx.menu.separator(),
                            rx.menu.item("Sign-in security", on_click=rx.redirect(routes.ACCOUNT_SECURITY)),
                            rx.menu.item("Log out", on_click=AppState.log_out)),
        ),
        rx.heading("practice", size="4"),
        display=["flex", "flex", "none"], padding="0.5em", width="100%",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
    )


def page(title: str, *children: rx.Component, actions: rx.Component | None = None) -> rx.Component:
    """A staff page: sidebar, title row with optional actions, then the content."""
    return rx.hstack(
        sidebar(),
        rx.vstack(
            mobile_bar(),
            rx.vstack(
                rx.hstack(rx.heading(title, size="6"), rx.spacer(), actions or rx.fragment(), width="100%",
                          align="center", wrap="wrap"),
                *children,
                padding=["0.75em", "1em", "1.5em"], width="100%", spacing="4", align="stretch",
            ),
            width="100%", min_width="0", spacing="0",
        ),
        spacing="0", width="100%", align="start",
    )


def tag_badge(name, color) -> rx.Component:
    return rx.badge(name, style={"background": color, "color": "white"}, radius="full", size="1")


def empty_state(text: str, *actions: rx.Component) -> rx.Component:
    return rx.center(rx.vstack(rx.text(text, color_scheme="gray", align="center"), *actions, align="center"),
                     padding="2em", width="100%", border=f"1px dashed {rx.color('gray', 6)}", border_radius="8px")


def error_callout(message) -> rx.Component:
    return rx.cond(message != "", rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert",
                                             width="100%"))

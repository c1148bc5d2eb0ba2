"""The staff layout: a sidebar of sections and the page's content; collapses to a top bar on phones."""
from __future__ import annotations

import reflex as rx

from typing import Callable

from practice import routes
from practice.components.i18n import as_written, t, tn
from practice.components.forms import SELECT_STYLE
from practice.i18n import LANGUAGES, N_, SOURCE
from practice.state.base import AppState, InboxBadgeState, LangState
from practice.state.page_access import ROLES, first_open, right_needed

# The sections of a tabbed area, in order: (tab label, route, id suffix). The sidebar opens an area on the first
# tab the member's role may open, and the tab bar shows only those tabs.
# The labels are page texts (N_ marks them for the catalog; `t` translates them where they are shown).
EMAIL_TABS = [(N_("Settings"), routes.EMAIL, "settings"), (N_("Templates"), routes.EMAIL_TEMPLATES, "templates"),
              (N_("Outbox"), routes.EMAIL_OUTBOX, "outbox")]
AUTOMATION_TABS = [(N_("Rules"), routes.RULES, "rules"), (N_("Recurring jobs"), routes.RECURRING, "recurring"),
                   (N_("Run log"), routes.RUNS, "runs"), (N_("Set aside"), routes.PARKED, "set-aside")]
BILLING_TABS = [(N_("Invoices"), routes.BILLING, "invoices"),
                (N_("Recurring"), routes.RECURRING_INVOICES, "recurring-invoices"),
                (N_("Invoice templates"), routes.INVOICE_TEMPLATES, "invoice-templates")]
SETTINGS_TABS = [(N_("Firm"), routes.SETTINGS, "firm"), (N_("Signing"), routes.SIGNING_SETTINGS, "signing"),
                 (N_("Custom fields"), routes.CUSTOM_FIELDS, "custom-fields"),
                 (N_("Folder templates"), routes.FOLDER_TEMPLATES, "folder-templates"),
                 (N_("API tokens"), routes.API_TOKENS, "api-tokens"),
                 (N_("Webhooks"), routes.WEBHOOKS, "webhooks"),
                 (N_("Payments"), routes.PAYMENT_SETTINGS, "payments")]


def _routes(tabs: list[tuple[str, str, str]]) -> tuple[str, ...]:
    return tuple(route for _, route, _ in tabs)


# The sidebar: (label, the pages it may open, first one the role may open wins, icon).
NAV = [
    (N_("Home"), (routes.HOME,), "house"),
    (N_("Inbox"), (routes.INBOX,), "inbox"),
    (N_("Chats"), (routes.CHATS,), "messages-square"),
    (N_("Board"), (routes.BOARD,), "kanban"),
    (N_("Accounts"), (routes.ACCOUNTS,), "building-2"),
    (N_("Contacts"), (routes.CONTACTS,), "contact"),
    (N_("Tasks"), (routes.TASKS,), "list-checks"),
    (N_("Billing"), _routes(BILLING_TABS), "receipt"),
    (N_("Time"), (routes.TIME,), "timer"),
    (N_("Pipelines"), (routes.PIPELINES,), "workflow"),
    (N_("Import"), (routes.IMPORT,), "upload"),
    (N_("Team"), (routes.TEAM,), "users"),
    (N_("Audit log"), (routes.AUDIT,), "scroll-text"),
    (N_("Email"), _routes(EMAIL_TABS), "mail"),
    (N_("Document templates"), (routes.DOCUMENT_TEMPLATES,), "file-pen-line"),
    (N_("Proposals"), (routes.PROPOSAL_TEMPLATES,), "signature"),
    (N_("Organizers"), (routes.ORGANIZER_TEMPLATES,), "clipboard-list"),
    (N_("Requests"), (routes.REQUEST_TEMPLATES,), "clipboard-check"),
    (N_("Automations"), _routes(AUTOMATION_TABS), "zap"),
    (N_("Settings"), _routes(SETTINGS_TABS), "settings"),
]


# The rights a page may need beyond the member's role (page_access.RIGHTS), as the page's state knows them.
RIGHT_VARS = {"sees_billing": AppState.sees_billing, "reads_time": AppState.reads_time}


def nav_for(role: str, rights: tuple[str, ...] = ()) -> list[tuple[str, str, str]]:
    """The sidebar a member with this role (and these rights) sees: (label, href, icon), only pages they may open."""
    return [(label, href, icon) for label, choices, icon in NAV if (href := first_open(role, choices))
            and right_needed(href) in ("", *rights)]


def for_role(choices: tuple[str, ...], render: Callable[[str], rx.Component]) -> rx.Component:
    """`render(href)` with the first of `choices` the logged-in member's role may open; nothing when none.
    Until the role is known (the page is loading) it shows what an employee would see."""
    hrefs = {role: first_open(role, choices) for role in ROLES}
    shown = {role: render(href) if href else rx.fragment() for role, href in hrefs.items()}
    if len(set(hrefs.values())) == 1:
        chosen = shown[ROLES[0]]
    else:
        chosen = rx.match(AppState.member_role, *[(role, shown[role]) for role in ROLES], shown["employee"])
    # A page that needs a right beyond the role (billing) shows only to members who have it.
    needed = {right_needed(route) for route in choices} - {""}
    return rx.cond(RIGHT_VARS[needed.pop()], chosen) if needed else chosen


def section_tabs(tabs: list[tuple[str, str, str]], current: str, area: str, label: str) -> rx.Component:
    """A tabbed area's row of links (each tab keeps its own address, so Back works); a tab the member's role may
    not open is not shown. Ids: `<area>-nav-<suffix>`."""
    def tab(text: str, route: str, key: str) -> rx.Component:
        here = route == current
        return for_role((route,), lambda href: rx.link(
            t(text), href=href, size="2", weight="bold" if here else "regular", underline="always" if here else "hover",
            custom_attrs={"aria-current": "page"} if here else {}, id=f"{area}-nav-{key}",
            padding_y="0.25em", border_bottom=f"2px solid {rx.color('accent', 9)}" if here else "2px solid transparent"))
    return rx.hstack(*[tab(*t) for t in tabs], spacing="4", wrap="wrap", role="navigation", aria_label=t(label) if isinstance(label, str) else label,
                     width="100%", border_bottom=f"1px solid {rx.color('gray', 5)}")


def unread_badge(badge_id: str, count=InboxBadgeState.unread) -> rx.Component:
    """The inbox's (or the chats') unread count, nothing when all is read; the poller in InboxBadgeState keeps it
    current."""
    return rx.cond(count > 0, rx.badge(count, radius="full", size="1", variant="solid", color_scheme="indigo",
                                       id=badge_id, aria_label=tn("{n} unread", "{n} unread", count)))


def _badges(href: str, prefix: str) -> list[rx.Component]:
    if href == routes.INBOX:
        return [unread_badge(f"{prefix}inbox-badge")]
    if href == routes.CHATS:
        return [unread_badge(f"{prefix}chats-badge", InboxBadgeState.chats_unread)]
    return []


def nav_link(label: str, href: str, icon: str) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(icon, size=16), rx.text(t(label), size="2"),
                  *([rx.spacer(), *_badges(href, "")] if _badges(href, "") else []),
                  spacing="2", align="center", width="100%"),
        href=href, underline="none", color_scheme="gray", high_contrast=True,
        padding_x="0.75em", padding_y="0.4em", border_radius="6px", width="100%",
        _hover={"background": rx.color("gray", 4)},
    )


def sidebar() -> rx.Component:
    return rx.vstack(
        rx.heading("practice", size="5", padding_x="0.75em", padding_y="0.5em"),
        rx.box(running_timer("sidebar-running-timer"), padding_x="0.75em"),
        *[for_role(choices, lambda href, label=label, icon=icon: nav_link(label, href, icon))
          for label, choices, icon in NAV],
        rx.spacer(),
        rx.vstack(
            rx.text(AppState.member_name, size="2", weight="bold"),
            rx.text(role_name(), size="1", color_scheme="gray"),
            rx.link(t("Sign-in security"), href=routes.ACCOUNT_SECURITY, size="1", id="account-security-link"),
            language_select("language-select"),
            rx.button(t("Log out"), on_click=AppState.log_out, variant="soft", size="1", id="logout"),
            padding="0.75em", spacing="1",
        ),
        # A menu taller than the window (more pages, a running timer) scrolls within the sidebar: Log out stays
        # reachable on a 900-px-high screen.
        width="200px", min_width="200px", height="100vh", position="sticky", top="0", overflow_y="auto",
        border_right=f"1px solid {rx.color('gray', 5)}", background=rx.color("gray", 2), spacing="1",
        display=["none", "none", "flex"],
    )


def language_select(select_id: str, on_change=AppState.choose_language) -> rx.Component:
    """The person's language: each named in itself, so anyone finds theirs whatever the page's language."""
    return rx.el.select(*[rx.el.option(name, value=code) for code, name in LANGUAGES.items()],
                        value=rx.cond(LangState.lang != "", LangState.lang, SOURCE), on_change=on_change,
                        id=select_id, aria_label=t("Language"), style=SELECT_STYLE)


def role_name() -> rx.Component:
    """The logged-in member's role, as a word of the page's language."""
    return rx.match(AppState.member_role, ("owner", t("Owner")), ("admin", t("Admin")),
                    ("employee", t("Employee")), AppState.member_role)


def menu_link(label: str, href: str) -> rx.Component:
    return rx.menu.item(rx.hstack(t(label), *_badges(href, "menu-"),
                                  spacing="2", align="center"), on_click=rx.redirect(href))


def running_timer(link_id: str) -> rx.Component:
    """The member's running timer, linking to the Time page (nothing when none runs)."""
    return rx.cond(AppState.timer_on != "", rx.link(
        rx.badge(rx.icon("timer", size=12), t("Timer since {since}", since=AppState.timer_since), color_scheme="green",
                 title=AppState.timer_on, custom_attrs=as_written()),
        href=routes.TIME, id=link_id, underline="none"))


def mobile_bar() -> rx.Component:
    return rx.hstack(
        rx.menu.root(
            rx.menu.trigger(rx.button(rx.icon("menu"), unread_badge("menu-unread-badge"), variant="ghost",
                                      aria_label=t("Menu"), id="phone-menu")),
            rx.menu.content(*[for_role(choices, lambda href, label=label: menu_link(label, href))
                              for label, choices, _ in NAV],
                            rx.menu.separator(),
                            rx.menu.item(t("Sign-in security"), on_click=rx.redirect(routes.ACCOUNT_SECURITY)),
                            *[rx.menu.item(name, on_click=AppState.choose_language(code), lang=code,
                                           id=f"menu-language-{code}") for code, name in LANGUAGES.items()],
                            rx.menu.separator(),
                            rx.menu.item(t("Log out"), on_click=AppState.log_out)),
        ),
        rx.heading("practice", size="4"),
        rx.spacer(),
        running_timer("phone-running-timer"),
        display=["flex", "flex", "none"], padding="0.5em", width="100%",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
    )


def page(title: str | rx.Var, *children: rx.Component, actions: rx.Component | None = None) -> rx.Component:
    """A staff page: sidebar, title row with optional actions, then the content. A translated page passes its
    title as `t("...")`."""
    return rx.hstack(
        sidebar(),
        rx.vstack(
            mobile_bar(),
            rx.vstack(
                rx.hstack(rx.heading(title, size="6"), rx.spacer(), actions or rx.fragment(), width="100%",
                          align="center", wrap="wrap"),
                # The pages' table (page_access.py) guards every staff page: a role it refuses reads why instead.
                rx.cond(AppState.page_refusal != "",
                        empty_state(AppState.page_refusal, rx.link(t("Back to home"), href=routes.HOME,
                                                                   id="refusal-home")),
                        rx.fragment(*children)),
                padding=["0.75em", "1em", "1.5em"], width="100%", spacing="4", align="stretch",
            ),
            width="100%", min_width="0", spacing="0",
        ),
        spacing="0", width="100%", align="start",
    )


def tag_badge(name, color) -> rx.Component:
    return rx.badge(name, style={"background": color, "color": "white"}, radius="full", size="1",
                    custom_attrs=as_written())


def empty_state(text: str, *actions: rx.Component) -> rx.Component:
    return rx.center(rx.vstack(rx.text(text, color_scheme="gray", align="center"), *actions, align="center"),
                     padding="2em", width="100%", border=f"1px dashed {rx.color('gray', 6)}", border_radius="8px")


def error_callout(message) -> rx.Component:
    return rx.cond(message != "", rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert",
                                             width="100%"))

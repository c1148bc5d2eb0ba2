"""Who may open each staff page: one table that the sidebar, the section tabs and the pages' guard all read, so a
link is shown exactly to those whom the page will not refuse.

The levels are also `allow`'s (state/base.py). A page at STAFF may still show some parts to admins only (the email
templates are read-only for employees); a page at ADMIN refuses everyone else with its sentence.
"""
from __future__ import annotations

import re

from practice import routes
from practice.i18n import N_, _
from practice.models import Role

# Who may call a handler or open a page: anyone (login page), any logged-in staff member, admins (and owner), the
# owner; CONTACT: a client logged in to the portal. `allow` (state/base.py) takes these.
ANYONE, STAFF, ADMIN, OWNER, CONTACT = "anyone", "staff", "admin", "owner", "contact"
LEVELS = (ANYONE, STAFF, ADMIN, OWNER, CONTACT)

# The roles each level lets in (the sidebar knows only the role's name).
ROLES = (Role.owner.value, Role.admin.value, Role.employee.value)
ROLES_AT = {ANYONE: ROLES, STAFF: ROLES, ADMIN: (Role.owner.value, Role.admin.value), OWNER: (Role.owner.value,)}

# route: (level, the sentence someone below that level reads instead of the page).
PAGES: dict[str, tuple[str, str]] = {
    routes.LOGIN: (ANYONE, ""),
    routes.FORGOT_PASSWORD: (ANYONE, ""),
    routes.RESET_PASSWORD: (ANYONE, ""),
    routes.VERIFY: (ANYONE, ""),
    routes.CLIENT_REQUEST_LINK: (ANYONE, ""),
    routes.ACCOUNT_SECURITY: (STAFF, ""),
    routes.HOME: (STAFF, ""),
    routes.INBOX: (STAFF, ""),
    routes.CHATS: (STAFF, ""),
    routes.BOARD: (STAFF, ""),
    routes.ACCOUNTS: (STAFF, ""),
    routes.ACCOUNT: (STAFF, ""),
    routes.CONTACTS: (STAFF, ""),
    routes.JOB: (STAFF, ""),
    routes.TASKS: (STAFF, ""),
    routes.PIPELINES: (STAFF, ""),
    routes.IMPORT: (STAFF, ""),
    routes.TEAM: (STAFF, ""),
    routes.SETTINGS: (STAFF, ""),
    routes.API_TOKENS: (STAFF, ""),
    routes.EMAIL_TEMPLATES: (STAFF, ""),
    routes.RECURRING: (STAFF, ""),
    routes.DOCUMENT_TEMPLATES: (STAFF, ""),
    routes.SIGNATURE_NEW: (STAFF, ""),
    routes.SIGNATURE: (STAFF, ""),
    routes.BILLING: (STAFF, ""),
    routes.INVOICE: (STAFF, ""),
    routes.RECURRING_INVOICES: (STAFF, ""),
    routes.TIME: (STAFF, ""),
    routes.AUDIT: (ADMIN, N_("Only the owner or an admin can see the firm's audit log.")),
    routes.EMAIL: (ADMIN, N_("Only the owner or an admin can see and change the email settings.")),
    routes.EMAIL_OUTBOX: (ADMIN, N_("Only the owner or an admin can see the outbox: it holds every email the firm sends.")),
    routes.RULES: (ADMIN, N_("Only the owner or an admin can read and change the firm's automations. Ask them if a rule "
                          "should change; the automation history of each job shows what the rules did.")),
    routes.RUNS: (ADMIN, N_("Only the owner or an admin can see the automations' run log.")),
    routes.PARKED: (ADMIN, N_("Only the owner or an admin can see, retry and dismiss the events whose automations "
                              "were set aside.")),
    routes.PROPOSAL_TEMPLATES: (ADMIN, N_("Only the owner or an admin can manage proposal templates.")),
    routes.INVOICE_TEMPLATES: (ADMIN, N_("Only the owner or an admin can manage invoice templates.")),
    routes.ORGANIZER_TEMPLATES: (ADMIN, N_("Only the owner or an admin can manage organizer templates.")),
    routes.REQUEST_TEMPLATES: (ADMIN, N_("Only the owner or an admin can manage request templates.")),
    routes.FOLDER_TEMPLATES: (ADMIN, N_("Only the owner or an admin can manage folder templates.")),
    routes.SIGNING_SETTINGS: (ADMIN, N_("Only the owner or an admin can see the signing settings.")),
    routes.CUSTOM_FIELDS: (ADMIN, N_("Only the owner or an admin can define the firm's custom fields.")),
    routes.WEBHOOKS: (ADMIN, N_("Only the owner or an admin can see and change the firm's webhooks.")),
    routes.PAYMENT_SETTINGS: (ADMIN, N_("Only the owner or an admin can see and change how clients pay by card.")),
}


# Pages that also need a right the owner or an admin gives some employees (an `Actor` property, services/actor.py),
# with the sentence someone without it reads instead; the sidebar shows them only to those who have it.
RIGHTS: dict[str, tuple[str, str]] = {
    routes.BILLING: ("sees_billing", N_("You do not have access to billing. Ask the firm's owner or an admin.")),
    routes.INVOICE: ("sees_billing", N_("You do not have access to billing. Ask the firm's owner or an admin.")),
    routes.RECURRING_INVOICES: ("sees_billing", N_("You do not have access to billing. Ask the firm's owner or an "
                                                   "admin.")),
    routes.TIME: ("reads_time", N_("You cannot see time entries. Ask the firm's owner or an admin for the right.")),
    routes.INVOICE_TEMPLATES: ("sees_billing", N_("You do not have access to billing. Ask the firm's owner or an "
                                                  "admin.")),
}
RIGHT_NAMES = tuple(sorted({right for right, _ in RIGHTS.values()}))


def rights_of(actor) -> tuple[str, ...]:
    """The rights of `RIGHTS` this member has (owners and admins have them all)."""
    return tuple(right for right in RIGHT_NAMES if getattr(actor, right, False))


def right_needed(route: str) -> str:
    """The right a page needs beyond its level ("" for none)."""
    return RIGHTS[route][0] if route in RIGHTS else ""


def level_of(route: str) -> str:
    """The level a page needs (a route missing from the table is an error: every staff page has a row)."""
    return PAGES[route][0]


def role_may_open(role: str, route: str) -> bool:
    """Whether a member with this role (its name) may open the page."""
    return role in ROLES_AT[level_of(route)]


def first_open(role: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """The first of `choices` this role may open (a section's landing tab), or None."""
    return next((route for route in choices if role_may_open(role, route)), None)


def _pattern(route: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\\\[[^/]+?\\\]", "[^/]+", re.escape(route.rstrip("/") or "/")) + "$")


_PATTERNS = [(_pattern(route), route) for route in PAGES]


def route_of(path: str) -> str | None:
    """The table's route for a browser path ("/accounts/12" -> routes.ACCOUNT), or None."""
    path = path.split("?", 1)[0].rstrip("/") or "/"
    return next((route for pattern, route in _PATTERNS if pattern.match(path)), None)


def sentence(route: str) -> str:
    """What someone below the page's level reads instead of it (the pages show the same words)."""
    return PAGES[route][1]


def refusal(role: str, path: str, rights: tuple[str, ...] | None = None) -> str:
    """The sentence a member with `role` (and `rights`, when known) reads instead of the page at `path` ("" when
    they may open it)."""
    route = route_of(path)
    if route is None:
        return ""
    if role_may_open(role, route):
        needed = right_needed(route)
        return _(RIGHTS[route][1]) if needed and rights is not None and needed not in rights else ""
    return _(PAGES[route][1] or N_("You do not have permission to open this page. Ask the firm's owner or an admin."))

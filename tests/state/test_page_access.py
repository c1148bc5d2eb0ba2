"""The pages' table (state/page_access.py): every staff page has a row, the sidebar and the tabs show a role only the
pages it may open, and no page the table opens to a role refuses it on load."""
import pytest

import practice.practice
from practice import routes
from practice.components.layout import AUTOMATION_TABS, EMAIL_TABS, NAV, SETTINGS_TABS, nav_for
from practice.state import page_access
from practice.state.base import ADMIN, ANYONE, STAFF
from practice.state.page_access import PAGES, refusal, role_may_open, route_of

PAGES_OF_THE_APP = {("/" + route if route != "index" else "/"): page
                    for route, page in practice.practice.app._unevaluated_pages.items() if route != "404"}
STAFF_SIDE = {route: page for route, page in PAGES_OF_THE_APP.items() if not route.startswith(routes.PORTAL)}


def test_every_staff_and_public_page_has_a_row_and_every_row_a_page():
    assert set(STAFF_SIDE) == set(PAGES)


def test_an_employee_sidebar_leads_only_to_pages_that_open_for_them():
    sidebar = dict((label, href) for label, href, _ in nav_for("employee"))
    assert all(role_may_open("employee", href) for href in sidebar.values())
    assert "Audit log" not in sidebar and "Proposals" not in sidebar
    # The areas open on the first tab an employee may read.
    assert sidebar["Automations"] == routes.RECURRING
    assert sidebar["Email"] == routes.EMAIL_TEMPLATES
    assert sidebar["Settings"] == routes.SETTINGS
    assert {"Home", "Inbox", "Board", "Accounts", "Contacts", "Tasks", "Team"} <= set(sidebar)


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_admins_see_every_section_and_the_areas_open_on_their_first_tab(role):
    sidebar = dict((label, href) for label, href, _ in nav_for(role, page_access.RIGHT_NAMES))
    assert set(sidebar) == {label for label, _, _ in NAV}
    assert sidebar["Automations"] == routes.RULES and sidebar["Email"] == routes.EMAIL


def test_every_tab_of_every_area_is_a_page_of_the_table_and_each_area_is_in_the_sidebar():
    sidebar_routes = {route for _, choices, _ in NAV for route in choices}
    for tabs in (EMAIL_TABS, AUTOMATION_TABS, SETTINGS_TABS):
        assert {route for _, route, _ in tabs} <= sidebar_routes <= set(PAGES)


def test_a_refused_page_names_who_may_open_it_and_an_allowed_one_says_nothing():
    assert refusal("employee", "/audit") == PAGES[routes.AUDIT][1]
    assert refusal("employee", "/automations/runs/") == PAGES[routes.RUNS][1]
    assert "owner or an admin" in refusal("employee", routes.SIGNING_SETTINGS)
    assert refusal("admin", "/audit") == refusal("owner", routes.RULES) == ""
    assert refusal("employee", "/accounts/12") == refusal("employee", "/automations/recurring") == ""
    assert route_of("/jobs/7?tab=tasks") == routes.JOB and route_of("/") == routes.HOME
    assert route_of("/nowhere") is None and refusal("employee", "/nowhere") == ""


def _loads(page) -> list:
    handlers = page.on_load if isinstance(page.on_load, list) else [page.on_load] if page.on_load else []
    return [h.fn for h in handlers]


@pytest.mark.parametrize("route", sorted(PAGES))
def test_the_table_and_the_pages_own_loads_agree(route):
    """A page the table opens to every member never refuses one on load (the sidebar would lead them there)."""
    levels = {fn.__practice_access__ for fn in _loads(STAFF_SIDE[route])}
    level = page_access.level_of(route)
    if level == ANYONE:
        assert levels == {ANYONE}
    elif level == STAFF:
        assert levels <= {ANYONE, STAFF}, f"{route} refuses employees on load but the table opens it to them"
    else:
        assert level == ADMIN and PAGES[route][1].startswith("Only the owner or an admin")


def test_every_staff_page_without_an_id_in_its_address_is_in_a_menu():
    """Pages of one record (an account, a job) are reached from their lists; every other staff page from the
    sidebar or one of its areas' tabs (sign-in security from the sidebar's foot), none only by typing it."""
    in_menus = {route for _, choices, _ in NAV for route in choices} | {routes.ACCOUNT_SECURITY}
    static_staff = {route for route, (level, _) in PAGES.items() if level != ANYONE and "[" not in route}
    assert static_staff - in_menus == set()


def test_billing_shows_and_opens_only_for_members_who_see_billing():
    assert "Billing" not in dict((label, href) for label, href, _ in nav_for("employee"))
    assert dict((label, href) for label, href, _ in nav_for("employee", ("sees_billing",)))["Billing"] == routes.BILLING
    assert "Ask the firm's owner or an admin" in refusal("employee", "/billing", ())
    assert refusal("employee", "/billing/invoices/7", ()) == refusal("employee", "/billing", ())
    assert refusal("employee", "/billing", ("sees_billing",)) == refusal("admin", "/billing", ("sees_billing",)) == ""
    # The Time page: for members who track time (or edit others' time, or see billing); owners and admins by role.
    assert "Time" not in dict((label, href) for label, href, _ in nav_for("employee"))
    assert dict((label, href) for label, href, _ in nav_for("employee", ("reads_time",)))["Time"] == routes.TIME
    assert "Ask the firm's owner or an admin" in refusal("employee", "/time", ())
    assert refusal("employee", "/time", ("reads_time",)) == ""
    # Pages that need no right are not refused for the lack of one.
    assert refusal("employee", "/accounts", ()) == ""

"""Getting around as the firm does: the Automations area's tabs from the sidebar (each tab its own address, Back
works), the settings' tabs, and an employee's sidebar that offers only pages that open for them."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
EMPLOYEE = ("bob@example.com", "demo-staff-pass")
# A refusal is the page's "Only the owner or an admin can see..." in place of its content, or a toast.
REFUSED = re.compile(r"do not have permission")


@pytest.fixture(scope="module", autouse=True)
def warm_server(browser, base_url):
    """The first page a fresh test server serves can be slow to build on a busy machine: open it once, untimed."""
    context = browser.new_context()
    context.new_page().goto(base_url + "/login", timeout=120_000)
    context.close()


def sidebar_link(page, name: str):
    return page.get_by_role("link", name=name, exact=True).first


def test_the_automations_area_has_tabs_reached_from_the_sidebar_and_back_works(page, base_url):
    log_in(page, base_url)
    # Until the page knows the member's role the sidebar shows an employee's links (Automations opens on
    # Recurring jobs for them); the owner's link opens on Rules once it has arrived.
    automations = sidebar_link(page, "Automations")
    expect(automations).to_have_attribute("href", re.compile(r"/automations/rules$"))
    automations.click()
    expect(page).to_have_url(re.compile(r"/automations/rules$"))
    expect(page.locator("#automations-nav-rules")).to_have_attribute("aria-current", "page")
    page.click("#automations-nav-recurring")
    expect(page).to_have_url(re.compile(r"/automations/recurring$"))
    expect(page.get_by_role("heading", name="Recurring jobs")).to_be_visible()
    page.click("#automations-nav-runs")
    expect(page).to_have_url(re.compile(r"/automations/runs$"))
    expect(page.locator("#runs-status")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/automations/recurring$"))
    expect(page.locator("#automations-nav-recurring")).to_have_attribute("aria-current", "page")

    # Signing settings and folder templates are tabs of Settings.
    sidebar_link(page, "Settings").click()
    expect(page).to_have_url(re.compile(r"/settings$"))
    page.click("#settings-nav-folder-templates")
    expect(page).to_have_url(re.compile(r"/documents/templates$"))
    page.click("#settings-nav-signing")
    expect(page).to_have_url(re.compile(r"/settings/signing$"))
    expect(page.locator("#refusal-home")).to_have_count(0)


def test_an_employee_sidebar_leads_to_no_refusal(page, base_url):
    log_in(page, base_url, *EMPLOYEE)
    expect(sidebar_link(page, "Home")).to_be_visible()
    for hidden in ("Audit log", "Proposals"):
        expect(page.get_by_role("link", name=hidden, exact=True)).to_have_count(0)
    hrefs = [link.get_attribute("href") for link in page.locator("a[href^='/']").all()
             if link.is_visible() and link.get_attribute("href") != "/account-security"]
    assert "/automations/recurring" in hrefs and "/email/templates" in hrefs and "/audit" not in hrefs
    for href in dict.fromkeys(hrefs):
        page.goto(base_url + href)
        expect(page).to_have_url(re.compile(re.escape(href) + r"$"))
        # The member's name appears once the page's loads have run (a refusal would be a toast by then).
        expect(page.get_by_text("Bob Stone").first).to_be_visible()
        page.wait_for_timeout(300)
        expect(page.get_by_text(REFUSED)).to_have_count(0)
        expect(page.locator("#refusal-home")).to_have_count(0)

    # The Automations and Email areas show an employee only their readable tabs.
    page.goto(base_url + "/automations/recurring")
    expect(page.locator("#automations-nav-recurring")).to_be_visible()
    expect(page.locator("#automations-nav-rules")).to_have_count(0)
    expect(page.locator("#automations-nav-runs")).to_have_count(0)
    page.goto(base_url + "/email/templates")
    expect(page.locator("#email-nav-templates")).to_be_visible()
    expect(page.locator("#email-nav-outbox")).to_have_count(0)

    # Typing an admin page's address shows why (once, not again in a toast), with a way home.
    page.goto(base_url + "/proposals/templates")
    expect(page.get_by_text("Only the owner or an admin can manage proposal templates.")).to_be_visible()
    page.wait_for_timeout(500)
    expect(page.get_by_text(REFUSED)).to_have_count(0)
    page.goto(base_url + "/automations/runs")
    expect(page.get_by_text("Only the owner or an admin can see the automations' run log.")).to_be_visible()
    page.click("#refusal-home")
    expect(page).to_have_url(re.compile(r"/$"))


def test_an_employee_phone_menu_offers_only_pages_that_open_for_them(phone_page, base_url):
    log_in(phone_page, base_url, *EMPLOYEE)
    phone_page.click("#phone-menu")
    menu = phone_page.get_by_role("menu")
    expect(menu.get_by_role("menuitem", name="Automations")).to_be_visible()
    for hidden in ("Audit log", "Proposals"):
        expect(menu.get_by_role("menuitem", name=hidden, exact=True)).to_have_count(0)
    menu.get_by_role("menuitem", name="Automations").click()
    expect(phone_page).to_have_url(re.compile(r"/automations/recurring$"))
    expect(phone_page.locator("#refusal-home")).to_have_count(0)

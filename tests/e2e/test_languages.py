"""Switching one's language changes the next page shown, for that person only: two browsers, two people (issue 14)."""
import pytest
from playwright.sync_api import expect

from practice.db import write_session
from practice.models import TeamMember
from tests.e2e.conftest import DESKTOP, log_in

pytestmark = pytest.mark.e2e


def nav(pg, name: str):
    """The sidebar's link (the first of that name on the page)."""
    return pg.get_by_role("link", name=name, exact=True).first


def test_bob_switches_to_french_and_ann_stays_in_english(browser, harness, base_url):
    ann_context, bob_context = browser.new_context(viewport=DESKTOP), browser.new_context(viewport=DESKTOP)
    ann, bob = ann_context.new_page(), bob_context.new_page()
    try:
        log_in(ann, base_url, "ann@example.com", "demo-staff-pass")
        log_in(bob, base_url, "bob@example.com", "demo-staff-pass")
        expect(nav(bob, "Accounts")).to_be_visible()
        bob.select_option("#language-select", "fr")
        # The same page, shown again in French: the sidebar, the buttons, the role.
        expect(nav(bob, "Dossiers")).to_be_visible()
        expect(bob.get_by_role("button", name="Se déconnecter")).to_be_visible()
        expect(bob.get_by_text("Collaborateur", exact=True)).to_be_visible()
        # The home itself, its server-made lines included.
        expect(bob.get_by_role("heading", name="Mes tâches du jour")).to_be_visible()
        expect(bob.get_by_text("Bonjour Bob", exact=False)).to_be_visible()
        nav(bob, "Tâches").click()
        bob.wait_for_url("**/tasks")
        expect(nav(bob, "Accueil")).to_be_visible()
        # Ann's next page is still English.
        ann.reload()
        expect(nav(ann, "Accounts")).to_be_visible()
        expect(ann.get_by_role("button", name="Log out")).to_be_visible()
        # Bob's choice is his: a new browser where he logs in again shows French at once.
        bob_context.close()
        again = browser.new_context(viewport=DESKTOP).new_page()
        log_in(again, base_url, "bob@example.com", "demo-staff-pass")
        expect(nav(again, "Dossiers")).to_be_visible()
        again.select_option("#language-select", "en")
        expect(nav(again, "Accounts")).to_be_visible()
        again.context.close()
    finally:
        ann_context.close()
        with write_session() as s:  # other journeys of this harness expect Bob in English
            for member in s.query(TeamMember).filter(TeamMember.email == "bob@example.com"):
                member.language = ""

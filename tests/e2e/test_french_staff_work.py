"""A French-speaking member reads the board, a job, the accounts, the contacts and the task list, their dialogs and
the sentences they show, in French at desktop and phone sizes: no text of the English catalog on screen (issue 14)."""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.visible_english import english_left, set_language

pytestmark = pytest.mark.e2e


@pytest.fixture
def ann_in_french(harness):
    set_language("ann@example.com", "fr")
    yield
    set_language("ann@example.com", "")  # other journeys of this harness expect Ann in English


def french_only(page) -> None:
    found = english_left(page)
    assert found == [], (page.url, found)


def test_board_job_accounts_contacts_and_tasks_in_french(page, base_url, ann_in_french):
    log_in(page, base_url, "ann@example.com", "demo-staff-pass")
    page.goto(base_url + "/board")
    expect(page.locator("#new-job")).to_have_text("Nouvelle mission")
    expect(page.locator(".board-card").first).to_be_visible()
    french_only(page)
    page.locator(".board-card").first.get_by_role("checkbox").click()
    expect(page.locator("#move-selected")).to_contain_text("Déplacer la sélection (1) vers")
    french_only(page)
    page.click("#clear-selection")
    page.click("#new-job")
    page.fill("#new-job-name", "Bilan FR")
    page.click("#create-job")
    expect(page.get_by_text("Choisissez le dossier concerné par la mission.")).to_be_visible()
    french_only(page)
    page.keyboard.press("Escape")
    page.locator(".board-card .card-job").first.click()
    page.wait_for_url("**/jobs/*")
    expect(page.locator("#save-job-details")).to_have_text("Enregistrer les dates et la priorité")
    french_only(page)
    page.click("#rename-job")
    expect(page.locator("#rename-job-dialog")).to_contain_text("Renommer la mission")
    page.fill("#rename-job-name", " ")
    page.click("#save-job-name")
    expect(page.get_by_text("Donnez un nom à la mission.")).to_be_visible()
    french_only(page)
    page.keyboard.press("Escape")

    page.goto(base_url + "/accounts")
    expect(page.locator("#new-account")).to_have_text("Nouveau dossier")
    expect(page.locator("table a").first).to_be_visible()
    french_only(page)
    page.click("#new-account")
    expect(page.locator("#account-type")).to_contain_text("Particulier")
    french_only(page)
    page.keyboard.press("Escape")

    page.goto(base_url + "/contacts")
    expect(page.locator(".contact-row").first).to_be_visible()
    french_only(page)
    page.locator(".contact-row").first.get_by_role("button", name="Modifier").first.click()
    expect(page.locator("#edit-contact-dialog")).to_contain_text("Modifier le contact")
    french_only(page)
    page.fill("#edit-contact-first", "")
    page.fill("#edit-contact-last", "")
    page.click("#save-contact-edit")
    expect(page.get_by_text("Indiquez le prénom ou le nom du contact.")).to_be_visible()
    french_only(page)
    page.keyboard.press("Escape")
    page.locator(".contact-row").first.locator("[id^=merge-contact-]").click()
    expect(page.locator("#merge-dialog")).to_contain_text("Fusionner des contacts en double")
    french_only(page)
    page.keyboard.press("Escape")

    page.goto(base_url + "/tasks")
    page.click("#tasks-all")
    expect(page.locator(".task-row").first).to_be_visible()
    french_only(page)
    page.locator(".task-title").first.click()
    expect(page.get_by_role("heading", name="Sous-tâches")).to_be_visible()
    french_only(page)


def test_the_same_pages_in_french_on_a_phone(phone_page, base_url, ann_in_french):
    page = phone_page
    log_in(page, base_url, "ann@example.com", "demo-staff-pass")
    for path, shown in (("/board", ".board-card"), ("/accounts", "table a"), ("/contacts", ".contact-row"),
                        ("/tasks", "#create-task")):
        page.goto(base_url + path)
        expect(page.locator(shown).first).to_be_visible()
        french_only(page)
    page.goto(base_url + "/board")
    page.locator(".board-card .card-job").first.click()
    page.wait_for_url("**/jobs/*")
    expect(page.locator("#save-job-details")).to_be_visible()
    french_only(page)

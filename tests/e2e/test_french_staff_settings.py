"""French-speaking members read the settings and their sign-in security page, and the sentences these pages show,
in French: no text of the English catalog on screen (issue 14)."""
import re

import pytest
from playwright.sync_api import expect

from practice.db import write_session
from practice.models import Service, Tag
from tests.e2e.conftest import log_in
from tests.e2e.visible_english import english_left, set_language

pytestmark = pytest.mark.e2e


@pytest.fixture
def carla_in_french(harness):
    set_language("carla@example.com", "fr")
    yield
    set_language("carla@example.com", "")  # other journeys of this harness expect Carla in English


@pytest.fixture
def ann_in_french(harness):
    set_language("ann@example.com", "fr")
    yield
    set_language("ann@example.com", "")
    with write_session() as s:  # what the test made
        for row in [*s.query(Service).filter(Service.name == "Tenue comptable FR"),
                    *s.query(Tag).filter(Tag.name == "Prioritaire")]:
            s.delete(row)


def test_settings_in_french(page, base_url, ann_in_french):
    log_in(page, base_url, "ann@example.com", "demo-staff-pass")
    page.goto(base_url + "/settings")
    expect(page.locator("#save-firm")).to_have_text("Enregistrer les réglages du cabinet")
    assert english_left(page) == []
    page.click("#add-service")
    page.fill("#service-name", "Tenue comptable FR")
    page.fill("#service-rate", "douze")
    page.click("#save-service")
    expect(page.get_by_text("« douze » n'est pas un montant", exact=False)).to_be_visible()
    assert english_left(page) == []
    page.fill("#service-rate", "1 250,50")
    page.click("#save-service")
    row = page.locator('[data-service="Tenue comptable FR"]')
    expect(row).to_contain_text(re.compile(r"1\s250,50"))
    expect(page.get_by_text("Prestation « Tenue comptable FR » enregistrée.")).to_be_visible()
    assert english_left(page) == []
    page.fill("#tag-name", "Prioritaire")
    page.click("#create-tag")
    expect(page.get_by_text("Étiquette « Prioritaire » créée.")).to_be_visible()


def test_sign_in_security_in_french(page, base_url, carla_in_french):
    log_in(page, base_url, "carla@example.com", "demo-staff-pass")
    page.click("#account-security-link")
    page.wait_for_url("**/account-security")
    expect(page.get_by_text("La connexion en deux étapes est désactivée.", exact=False)).to_be_visible()
    assert english_left(page) == []
    page.click("#start-two-factor")
    expect(page.locator("#setup-qr")).to_be_visible()
    assert english_left(page) == []
    page.fill("#setup-code", "abc")
    page.click("#confirm-two-factor")
    expect(page.get_by_text("Ce code n'est pas le bon.", exact=False)).to_be_visible()
    assert english_left(page) == []
    page.click("#cancel-two-factor")
    expect(page.locator("#start-two-factor")).to_be_visible()


def test_signing_settings_in_french(page, base_url, ann_in_french):
    log_in(page, base_url, "ann@example.com", "demo-staff-pass")
    page.goto(base_url + "/settings")
    page.click("#settings-nav-signing")
    expect(page.locator("#certificate-origin")).to_contain_text("Créé ici le")
    expect(page.locator("#certificate-valid")).to_contain_text(re.compile(r"du \d+ \S+ \d{4} au"))
    assert english_left(page) == []
    page.fill("#tsa-url", "ftp://nowhere")
    page.click("#save-tsa")
    expect(page.get_by_text("L'adresse du serveur d'horodatage doit", exact=False)).to_be_visible()
    page.click("#upload-certificate")
    expect(page.get_by_text("Choisissez d'abord le fichier du certificat", exact=False)).to_be_visible()
    assert english_left(page) == []


def test_webhooks_in_french(page, base_url, ann_in_french):
    log_in(page, base_url, "ann@example.com", "demo-staff-pass")
    page.goto(base_url + "/settings")
    page.click("#settings-nav-webhooks")
    page.wait_for_url("**/settings/webhooks")
    expect(page.locator("#add-webhook")).to_have_text("Ajouter le webhook")
    assert english_left(page) == []
    page.fill("#webhook-url", "hooks.example.com")
    page.click("#webhook-kind-job-moved")
    page.click("#add-webhook")
    expect(page.get_by_text("Cette adresse n'est pas valide", exact=False)).to_be_visible()
    assert english_left(page) == []

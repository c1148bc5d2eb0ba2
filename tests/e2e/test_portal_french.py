"""A French-speaking client's portal pages show no text of the English catalog (issue 14), on a phone."""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from practice import routes
from practice.db import write_session
from practice.models import Contact
from tests.e2e.english_left import english_left
from tests.factories import normal_pdf, portal_client

pytestmark = pytest.mark.e2e
PASSWORD = "amber-kettle-orchard-4"


@pytest.fixture
def french_client():
    tag = uuid.uuid4().hex[:6]
    email = f"camille.{tag}@durand.example"
    _, contact_id = portal_client(account=f"Durand SARL {tag}", first_name="Camille", last_name="Durand",
                                  email=email, password=PASSWORD, type="Company")
    with write_session() as s:
        s.get(Contact, contact_id).language = "fr"
    return email


def test_a_french_client_sends_a_file_from_the_documents_page_in_french(phone_page, base_url, french_client,
                                                                       tmp_path):
    phone_page.goto(base_url + routes.PORTAL_LOGIN)
    phone_page.fill("#portal-email", french_client)
    phone_page.fill("#portal-password", PASSWORD)
    phone_page.click("#portal-login-submit")
    expect(phone_page).to_have_url(re.compile(r"/portal$"))
    phone_page.click("#portal-nav-documents")
    expect(phone_page).to_have_url(re.compile(r"/portal/documents$"))
    expect(phone_page.get_by_text("Nous envoyer un fichier", exact=True)).to_be_visible()
    expect(phone_page.get_by_text("Ce dossier ne contient encore aucun document.", exact=False)).to_be_visible()
    assert english_left(phone_page) == []

    # A file that is not what its name says: refused with a French sentence, nothing stored.
    fake = tmp_path / "bilan.pdf"
    fake.write_bytes(b"not a pdf at all")
    phone_page.locator("#portal-upload input[type=file]").set_input_files(str(fake))
    expect(phone_page.get_by_text("mais son contenu n'en est pas un", exact=False)
           ).to_be_visible()
    assert english_left(phone_page) == []

    # A real PDF: thanked in French, listed with its size in French units.
    statement = tmp_path / "releve-bancaire.pdf"
    statement.write_bytes(normal_pdf(1))
    phone_page.locator("#portal-upload input[type=file]").set_input_files(str(statement))
    expect(phone_page.locator("#portal-documents-notice")).to_contain_text(
        'Merci, nous avons bien reçu "releve-bancaire.pdf".')
    expect(phone_page.locator("#portal-document-list")).to_contain_text("Aucun dossier")
    expect(phone_page.locator("#portal-document-list")).to_contain_text(re.compile(r"\d+ (Ko|octets)"))
    assert english_left(phone_page) == []

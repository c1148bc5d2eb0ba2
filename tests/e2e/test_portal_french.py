"""A French-speaking client's portal pages show no text of the English catalog (issue 14), on a phone."""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from practice import routes
from practice.db import write_session
from practice.models import Contact
from tests.e2e.conftest import portal_log_in
from tests.e2e.visible_english import english_left
from practice.services.proposals import sending
from tests.factories import demo_owner, make_proposal_template, normal_pdf, portal_client

pytestmark = pytest.mark.e2e
PASSWORD = "amber-kettle-orchard-4"


@pytest.fixture
def french_client():
    return _french_client()[0]


def _french_client():
    tag = uuid.uuid4().hex[:6]
    email = f"camille.{tag}@durand.example"
    account_id, contact_id = portal_client(account=f"Durand SARL {tag}", first_name="Camille", last_name="Durand",
                                  email=email, password=PASSWORD, type="Company")
    with write_session() as s:
        s.get(Contact, contact_id).language = "fr"
    return email, account_id, tag




def test_a_french_client_sends_a_file_from_the_documents_page_in_french(phone_page, base_url, french_client,
                                                                       tmp_path):
    portal_log_in(phone_page, base_url, french_client, PASSWORD)
    phone_page.click("#portal-nav-documents")
    expect(phone_page).to_have_url(re.compile(r"/portal/documents$"))
    expect(phone_page.get_by_text("Nous envoyer un fichier", exact=True)).to_be_visible()
    expect(phone_page).to_have_title("Espace client · documents")  # the tab's title too
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


def test_a_french_client_reads_chooses_and_signs_a_proposal_in_french(phone_page, base_url):
    email, account_id, tag = _french_client()
    owner = demo_owner()
    with write_session() as s:
        make_proposal_template(s, owner, name=f"Mission 2027 {tag}", introduction="Bonjour Camille,",
                               terms="Honoraires payables à 30 jours.",
                               lines=[{"service": f"Bilan {tag}", "rate_cents": 150000},
                                      {"service": f"Paie {tag}", "rate_cents": 40000, "quantity": 12,
                                       "optional": True}])
        proposal_id = sending.send_proposal(s, owner, account_id, f"Mission 2027 {tag}").id
    portal_log_in(phone_page, base_url, email, PASSWORD)
    phone_page.goto(base_url + routes.portal_proposal_url(proposal_id))
    expect(phone_page.get_by_role("heading", name="Prestations")).to_be_visible()
    expect(phone_page.locator("#proposal-next")).to_have_text("Suivant : Choix des prestations")
    expect(phone_page.locator("#proposal-total")).to_contain_text(re.compile(r"\d,00"))
    assert english_left(phone_page) == []

    phone_page.click("#proposal-next")
    expect(phone_page.get_by_text("Activez les prestations en option", exact=False)).to_be_visible()
    phone_page.locator(".optional-switch").first.click()
    expect(phone_page.locator("#proposal-services")).to_contain_text("Inclus")
    assert english_left(phone_page) == []

    phone_page.click("#proposal-next-sign")
    expect(phone_page.get_by_text("Cochez la case ci-dessus pour signer.")).to_be_visible()
    assert english_left(phone_page) == []
    phone_page.click("#proposal-consent")
    expect(phone_page.get_by_text("Signez ici avec le doigt ou la souris")).to_be_visible()
    phone_page.click("#proposal-sign")  # an empty pad: a French sentence, nothing signed
    expect(phone_page.get_by_text("Dessinez votre signature dans le cadre", exact=False)).to_be_visible()
    assert english_left(phone_page) == []
    phone_page.click("#proposal-signature-type-tab")
    phone_page.fill("#proposal-signature-typed", "Camille Durand")
    phone_page.click("#proposal-sign")
    expect(phone_page.locator("#proposal-done")).to_have_text("Signé. Merci !")
    expect(phone_page.get_by_text("Signée par Camille Durand.", exact=False)).to_be_visible()
    assert english_left(phone_page) == []

"""A French-speaking member imports a file, sets up email, writes templates, files documents and prepares a signature
request, in French at desktop and phone sizes: no text of the English catalog on screen, and a mistake typed on each
page answered with its French sentence (issue 14). One browser session visits them all."""
import pytest
from playwright.sync_api import expect

from practice import routes
from practice.db import read_session, write_session
from practice.models import Account, EmailTemplate, Folder
from tests.e2e.conftest import DESKTOP, PHONE, log_in
from tests.e2e.visible_english import english_left, set_language

pytestmark = pytest.mark.e2e


@pytest.fixture
def ann_in_french(harness):
    set_language("ann@example.com", "fr")
    yield
    set_language("ann@example.com", "")
    with write_session() as s:  # what the test may have made
        for row in [*s.query(EmailTemplate).filter(EmailTemplate.name == "Relance FR"),
                    *s.query(Folder).filter(Folder.name == "Bilan")]:
            s.delete(row)


def french_at_both_sizes(page, expected: str) -> None:
    """The page shows `expected` and no English, at desktop then phone size (then back to desktop)."""
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        expect(page.get_by_text(expected, exact=False).first).to_be_visible()
        assert english_left(page) == [], page.url
    page.set_viewport_size(DESKTOP)


def said(page, sentence: str) -> None:
    """The page answers with this French sentence and shows no English beside it."""
    expect(page.get_by_text(sentence, exact=False).first).to_be_visible()
    assert english_left(page) == [], page.url


def test_files_email_and_signature_pages_in_french(page, base_url, ann_in_french, tmp_path):
    with read_session() as s:
        account = s.query(Account).order_by(Account.id).first()
    log_in(page, base_url, "ann@example.com", "demo-staff-pass")

    page.goto(base_url + routes.IMPORT)
    french_at_both_sizes(page, "Choisir un fichier CSV")
    (tmp_path / "clients.csv").write_bytes(b"\x00\x01\x02PK\x03\x04" * 50)
    page.locator("#csv-upload input[type=file]").set_input_files(str(tmp_path / "clients.csv"))
    said(page, "Cela ne ressemble pas à un fichier CSV")

    page.goto(base_url + routes.EMAIL)
    french_at_both_sizes(page, "Serveur d'envoi")
    page.fill("#smtp-port", "vingt")
    page.click("#save-smtp")
    said(page, "Le port est un nombre, en général 587")

    page.goto(base_url + routes.EMAIL_TEMPLATES)
    french_at_both_sizes(page, "Nouveau modèle")
    page.click("#new-template")
    page.fill("#tpl-name", "Relance FR")
    page.click("#save-template")
    said(page, "Donnez un objet à l'e-mail.")
    french_at_both_sizes(page, "Les variables sont remplies pour chaque e-mail")

    page.goto(base_url + routes.EMAIL_OUTBOX)
    french_at_both_sizes(page, "Actualiser")

    page.goto(base_url + routes.DOCUMENT_TEMPLATES)
    french_at_both_sizes(page, "Des documents faits à partir de votre propre HTML")
    page.click("#new-doc-template")
    page.fill("#doc-template-name", 'Lettre "2026"')
    page.fill("#doc-template-body", "<p>Bonjour {{ account.name }}</p>")
    page.click("#save-doc-template")
    said(page, "Un nom de modèle ne peut pas contenir de guillemet droit")

    page.goto(base_url + routes.account_url(account.id))
    french_at_both_sizes(page, "Choisir des fichiers")
    page.fill("#new-folder-name", "2026/Bilan")
    page.click("#create-folder")
    said(page, "Un nom de dossier ne peut pas contenir / ni")

    page.goto(base_url + f"/accounts/{account.id}/signatures/new")
    french_at_both_sizes(page, "Document à signer")
    page.fill("#signature-title", "Lettre de mission 2026")
    page.click("#create-signature-request")
    said(page, "Choisissez le PDF à signer ou un modèle de document.")

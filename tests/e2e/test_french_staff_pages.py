"""A French-speaking member reads the inbox, pipelines, audit log, team and proposal templates pages, and the sentences they show, in
French at desktop and phone sizes: no text of the English catalog on screen (issue 14). One browser session visits
them all, then the public verify page, which a visitor reads in the language the tab already shows."""
import pytest
from playwright.sync_api import expect

from practice import routes
from practice.db import write_session
from practice.models import Pipeline, Stage
from practice.services.signing import seal
from tests.e2e.conftest import DESKTOP, PHONE, log_in
from tests.e2e.visible_english import english_left, english_on_screen, set_language
from tests.factories import sample_fields, sample_pdf, sample_trail

pytestmark = pytest.mark.e2e


@pytest.fixture
def ann_in_french(harness):
    set_language("ann@example.com", "fr")
    yield
    set_language("ann@example.com", "")
    with write_session() as s:  # what the test made
        for pipeline in s.query(Pipeline).filter(Pipeline.name == "Liasse IS"):
            s.query(Stage).filter(Stage.pipeline_id == pipeline.id).delete()
            s.delete(pipeline)


def english_beside_records(page) -> list[str]:
    """What English the page shows besides the records it lists: notifications and audit-log summaries are written
    once, when what they tell of happens (other journeys of this harness leave some), and the log's stay English
    (docs/architecture.md, "Languages"); a sealed file's audit trail is in the words it was sealed with."""
    records = set(page.locator(".note-text, .audit-summary, .verify-audit-value").all_inner_texts())
    return [text for text in english_on_screen(page) if text not in records]


def french_at_both_sizes(page, expected: str) -> None:
    """The page shows `expected` and no English, at desktop then phone size (then back to desktop)."""
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        expect(page.get_by_text(expected, exact=False).first).to_be_visible()
        assert english_beside_records(page) == [], page.url
    page.set_viewport_size(DESKTOP)


def test_staff_pages_and_the_verify_page_in_french(page, base_url, ann_in_french, tmp_path):
    log_in(page, base_url, "ann@example.com", "demo-staff-pass")
    page.goto(base_url + routes.INBOX)
    french_at_both_sizes(page, "Ce que je reçois")
    page.click("#inbox-tab-archived")
    french_at_both_sizes(page, "Rien d'archivé")

    page.goto(base_url + routes.PIPELINES)
    french_at_both_sizes(page, "Ajouter l'étape")
    page.click("#new-pipeline")
    page.fill("#pipeline-name", "Liasse IS")
    page.fill("#pipeline-stages", "Collecte\nCollecte")
    page.click("#create-pipeline")
    expect(page.get_by_text("Deux étapes d'un même processus ne peuvent pas avoir le même nom.")).to_be_visible()
    assert english_left(page) == []
    page.fill("#pipeline-stages", "Collecte\nRévision")
    page.click("#create-pipeline")
    expect(page.get_by_text("Processus « Liasse IS » créé.")).to_be_visible()
    french_at_both_sizes(page, "Étape 2")

    page.goto(base_url + routes.AUDIT)
    french_at_both_sizes(page, "Effacer les filtres")
    page.fill("#audit-since", "2030-01-02")
    page.fill("#audit-until", "2030-01-01")
    expect(page.get_by_text("Le premier jour est après le dernier", exact=False)).to_be_visible()
    assert english_beside_records(page) == []

    page.goto(base_url + routes.TEAM)
    french_at_both_sizes(page, "Seul le propriétaire du cabinet peut ajouter des membres")

    page.goto(base_url + routes.PROPOSAL_TEMPLATES)
    french_at_both_sizes(page, "Étapes vues par les clients")
    page.fill("#proposal-template-name", "Mission sans prestation")
    page.click("#save-proposal-template")
    expect(page.get_by_text("Ajoutez au moins une prestation à la proposition.")).to_be_visible()
    assert english_left(page) == []

    with write_session() as s:
        done = seal.finish(s, sample_pdf(2), sample_fields(), sample_trail())
    (tmp_path / "lettre-signee.pdf").write_bytes(done.pdf)
    (tmp_path / "notes.txt").write_text("pas un pdf")
    page.goto(base_url + routes.VERIFY)
    french_at_both_sizes(page, "Vérifier un document signé")
    page.locator("#verify-upload input[type=file]").set_input_files(str(tmp_path / "lettre-signee.pdf"))
    expect(page.locator("#verify-summary")).to_contain_text("Ce fichier est intact")
    french_at_both_sizes(page, "Piste d'audit")
    page.locator("#verify-upload input[type=file]").set_input_files(str(tmp_path / "notes.txt"))
    expect(page.get_by_text("Ce fichier ne peut pas être vérifié", exact=False)).to_be_visible()
    assert english_beside_records(page) == []

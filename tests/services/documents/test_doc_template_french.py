"""A document template's French version: admins write it (checked like the body in the sandbox, audited), a first
signer who reads French gets a PDF made from it (dates in French), an English one the body; and the consent
disclosure's French version is what a French signer agrees to."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlmodel import select

from practice import i18n
from practice.db import read_session, write_session
from practice.models import AuditLog, Document, DocumentTemplate
from practice.services.documents import doc_templates, storage
from practice.services.errors import InvalidInput, PermissionDenied
from practice.services.signing import requests, signer_flow, signing_settings
from tests.factories import contact_actor, make_firm, make_household

BODY = "<h1>Engagement letter</h1><p>Dear {{ contact.first_name }}, {{ firm.name }} will serve {{ account.name }}.</p>"
BODY_FR = ("<h1>Lettre de mission</h1><p>Bonjour {{ contact.first_name }}, {{ firm.name }} accompagnera "
           "{{ account.name }}. Fait le {{ today }}.</p>")


def the_duponts(monkeypatch):
    """Dupont Famille: Amélie reads French, Ben English (both on the portal); Eli is an employee."""
    with write_session() as s:
        staff = make_firm(s, employees={"eli": "Eli Employee"})
        dupont, (amelie, ben) = make_household(s, staff["owner"], "Dupont Famille", "Dupont", ("Amélie", "Ben"))
        amelie.language, ben.language = "fr", "en"
    return {**staff, "dupont": dupont.id, "amelie_id": amelie.id, "ben_id": ben.id,
            "amelie": contact_actor(amelie.id)}


pytestmark = pytest.mark.firm(build=the_duponts)


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def save(firm, actor=None, **kw):
    with write_session() as s:
        return doc_templates.save_template(s, actor or firm["owner"], name="Engagement letter", body=BODY,
                                           **kw).id


def test_an_admin_writes_the_french_body_and_it_is_audited(firm):
    tid = save(firm, body_fr=BODY_FR)
    with read_session() as s:
        assert doc_templates.get_template(s, firm["eli"], tid).body_fr == BODY_FR
        summaries = [a.summary for a in s.exec(select(AuditLog).where(AuditLog.entity == "document_template"))]
    assert summaries == ['Saved document template "Engagement letter" (French version written)']
    with pytest.raises(PermissionDenied):
        with write_session() as s:
            doc_templates.save_template(s, firm["eli"], name="Engagement letter", body=BODY, body_fr=BODY_FR,
                                        template_id=tid)


def test_a_broken_french_body_gets_the_sentence_the_body_gets_and_nothing_is_lost(firm):
    tid = save(firm, body_fr=BODY_FR)
    with pytest.raises(InvalidInput, match="The French version of the document template has a mistake on line 1") as err:
        with write_session() as s:
            doc_templates.save_template(s, firm["owner"], name="Engagement letter", body=BODY + "<p>more</p>",
                                        body_fr="<p>{% if %}</p>", template_id=tid)
    assert err.value.field == "body_fr"
    with read_session() as s:
        row = s.get(DocumentTemplate, tid)
        assert (row.body, row.body_fr) == (BODY, BODY_FR)  # the failed save changed neither
        with pytest.raises(InvalidInput, match=r"Unknown placeholder \{\{ contact.prenom \}\} in the French version"):
            doc_templates.preview(s, firm["eli"], body="<p>{{ contact.prenom }}</p>", language="fr")
        with pytest.raises(InvalidInput, match="Write the French version first"):
            doc_templates.preview(s, firm["eli"], body="  ", language="fr")


def test_the_preview_fills_the_french_body_in_french(firm):
    with read_session() as s:
        pdf = doc_templates.preview(s, firm["eli"], body=BODY_FR, language="fr").pdf
    text = text_of(pdf)
    assert "Bonjour Jane" in text and "Sample Household" in text
    assert any(month in text for month in ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                                           "septembre", "octobre", "novembre", "décembre")), text


def test_a_french_first_signer_gets_the_french_version_and_an_english_one_the_body(firm):
    save(firm, body_fr=BODY_FR)
    made = {}
    for who, signers in (("amelie", ["amelie_id", "ben_id"]), ("ben", ["ben_id"])):
        with write_session() as s:
            req = requests.create_request(s, firm["owner"], firm["dupont"], title=f"Letter for {who}",
                                          signer_contact_ids=[firm[k] for k in signers],
                                          template_name="Engagement letter")
            made[who] = text_of(storage.open_stored(s.get(Document, req.document_id).stored_key).read_bytes())
    assert "Lettre de mission" in made["amelie"] and "Bonjour Amélie" in made["amelie"]
    assert "Engagement letter" in made["ben"] and "Dear Amélie" in made["ben"]  # `contact` is the account's first


def test_without_a_french_body_a_french_signer_gets_the_body(firm):
    save(firm)
    with write_session() as s:
        req = requests.create_request(s, firm["owner"], firm["dupont"], title="Letter",
                                      signer_contact_ids=[firm["amelie_id"]], template_name="Engagement letter")
        assert "Dear Amélie" in text_of(storage.open_stored(s.get(Document, req.document_id).stored_key).read_bytes())


def test_a_french_signer_reads_and_agrees_to_the_firms_french_disclosure(firm):
    with write_session() as s:
        signing_settings.set_disclosure(s, firm["owner"], "{{ firm }} sends records electronically.",
                                        "{{ firm }} vous transmet vos documents par voie électronique.")
    save(firm, body_fr=BODY_FR)
    with write_session() as s:
        req = requests.create_request(s, firm["owner"], firm["dupont"], title="Letter",
                                      signer_contact_ids=[firm["amelie_id"]], template_name="Engagement letter")
        requests.send(s, firm["owner"], req.id)
    with write_session() as s, i18n.using_locale("fr"):
        page = signer_flow.open_for_signing(s, firm["amelie"], req.id)
    assert page.needs_consent and page.disclosure.endswith("vous transmet vos documents par voie électronique.")
    with read_session() as s:
        summaries = [a.summary for a in s.exec(select(AuditLog).where(AuditLog.entity == "signing_settings"))]
    assert summaries == ["Consent disclosure changed", "Consent disclosure: French version written"]

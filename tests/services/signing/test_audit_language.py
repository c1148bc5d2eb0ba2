"""The audit page of a sealed file speaks its signers' language (issue 14): a French signer's reads French with dates
like "15 avril 2027 à 09:32:00 UTC", an English signer's of the same account English; signers of two languages get
the firm's default. The text is read back from the sealed PDF with pypdf."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from babel.dates import format_datetime
from pypdf import PdfReader

from practice import i18n
from practice.db import read_session, write_session
from practice.models import Document, SignatureRequest
from practice.services.documents import files as document_files
from practice.services.portal import logins
from practice.services.signing import audit_page, signer_flow
from tests.factories import blank_pdf, contact_actor, make_contact, make_firm, make_household, sample_trail
from tests.factories.signing import make_signature_request

UA = "Mozilla/5.0 (iPhone) test"
UTC = dt.timezone.utc


def durand_household(monkeypatch):
    """Durand Household: Amélie reads French, Ben English; a one-page PDF to sign."""
    with write_session() as s:
        owner = make_firm(s)["owner"]
        durand, _ = make_household(s, owner, "Durand Household", "Durand")
        amelie = make_contact(s, owner, [durand.id], "Amélie", "Durand", email="amelie@durand.example",
                              language="fr")
        ben = make_contact(s, owner, [durand.id], "Ben", "Durand", language="en")
    with write_session() as s:
        for contact in (amelie, ben):
            logins.invite(s, owner, contact.id)
    doc = document_files.upload(owner, durand.id, None, "mandat.pdf", blank_pdf(1))
    return {"owner": owner, "durand": durand.id, "amelie": amelie.id, "ben": ben.id, "doc": doc.id}


pytestmark = pytest.mark.firm(build=durand_household)


def sealed_audit_text(firm, *signers: str) -> tuple[str, SignatureRequest]:
    """Ask `signers` to sign, let each open, consent and sign; the text of the sealed file's audit page(s)."""
    with write_session() as s:
        req = make_signature_request(s, firm["owner"], firm["durand"], title="Mandat", document_id=firm["doc"],
                                     signer_contact_ids=[firm[k] for k in signers], in_order=False)
    for key in signers:
        who = contact_actor(firm[key])
        with write_session() as s:
            signer_flow.open_for_signing(s, who, req.id, ip_address="203.0.113.5", user_agent=UA)
            signer_flow.give_consent(s, who, req.id, ip_address="203.0.113.5", user_agent=UA)
            signer_flow.sign(s, who, req.id, ip_address="203.0.113.5", user_agent=UA, signature_kind="typed",
                             signature={"text": who.name})
    with read_session() as s:
        done = s.get(SignatureRequest, req.id)
        data = document_files.document_for_download(s, firm["owner"], done.signed_document_id).path.read_bytes()
        assert s.get(Document, done.signed_document_id) is not None
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(p.extract_text().split()) for p in pages[1:]), done


def french_moment(at: dt.datetime) -> str:
    return format_datetime(at.replace(tzinfo=UTC), "d MMMM y 'à' HH:mm:ss", tzinfo=UTC, locale="fr_FR") + " UTC"


def test_a_french_signers_audit_page_is_in_french_with_french_dates(firm):
    text, done = sealed_audit_text(firm, "amelie")
    assert "Piste d'audit de la signature" in text and "Signataire 1 : Amélie Durand" in text
    assert f"Demande de signature n° {done.id}" in text and "Chronologie (UTC)" in text
    assert "Consentement à la signature électronique" in text and "mot de passe de l'espace client" in text
    assert "Amélie Durand a ouvert le document" in text and "Amélie Durand a signé (signature saisie)" in text
    assert french_moment(done.completed_at) in text  # "3 décembre 2026 à 21:58:04 UTC"
    for english in ("Signature audit trail", "Timeline", "opened the document", "portal password", "Signed"):
        assert english not in text


def test_an_english_signer_of_the_same_account_gets_it_in_english(firm):
    text, done = sealed_audit_text(firm, "ben")
    assert "Signature audit trail" in text and "Ben Durand opened the document" in text
    assert done.completed_at.strftime("%Y-%m-%d %H:%M:%S UTC") in text and "Piste" not in text


def test_signers_of_two_languages_get_the_firms_default(firm):
    text, _ = sealed_audit_text(firm, "amelie", "ben")
    assert "Signature audit trail" in text and "Piste" not in text


def test_the_audit_page_writes_dates_as_a_french_reader_does():
    trail = sample_trail(completed_at=dt.datetime(2027, 4, 15, 9, 32, tzinfo=UTC))
    with i18n.using_locale("fr"):
        html = audit_page.audit_html(trail, "ab" * 32)
    assert "15 avril 2027 à 09:32:00 UTC" in html and "Terminé" in html
    assert "2027-04-15" not in html

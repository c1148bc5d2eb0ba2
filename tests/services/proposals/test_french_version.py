"""A proposal template's French version: admins write it (checked like the main texts, audited), a contact who
reads French gets it in the proposal, its PDF and the portal page, and an English contact gets the main texts."""
from __future__ import annotations

import dataclasses
import io

import pytest
from pypdf import PdfReader
from sqlmodel import select

from practice import i18n
from practice.db import read_session, write_session
from practice.models import AuditLog, OutgoingMail, Proposal, ProposalTemplate
from practice.services.automation import compiled
from practice.services.errors import InvalidInput, PermissionDenied
from practice.services.proposals import client_flow, rendering, sending, templates
from practice.services.portal import pages as portal_pages
from practice.services.signing import signing_settings
from tests.factories import contact_actor, make_household
from tests.services.proposals.test_proposals import hartley_and_a_proposal_template

INTRO_FR = "Bonjour {{ contact.first_name }},\n\nMerci de confier {{ account.name }} à {{ firm.name }}."
TERMS_FR = "Honoraires payables à 30 jours, le {{ today }}."


def with_a_french_household(monkeypatch):
    firm = hartley_and_a_proposal_template(monkeypatch)
    with write_session() as s:
        dupont, (amelie,) = make_household(s, firm["owner"], "Dupont Famille", "Dupont", ("Amélie",))
        amelie.language = "fr"
    return {**firm, "dupont": dupont.id, "amelie": contact_actor(amelie.id)}


pytestmark = pytest.mark.firm(build=with_a_french_household)


def save(firm, actor=None, **texts):
    with read_session() as s:
        view = templates.get_template(s, firm["owner"], firm["template"])
    lines = [{"service_id": line.service_id, "name": line.name, "quantity": line.quantity,
              "price_cents": line.price_cents, "optional": line.optional} for line in view.lines]
    with write_session() as s:
        return templates.save_template(s, actor or firm["owner"], name=view.name, lines=lines,
                                       template_id=view.id, rules_using=compiled.rules_sending_proposal,
                                       **{"introduction": view.introduction, "terms": view.terms, **texts})


def pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_an_admin_writes_the_french_version_and_it_is_audited(firm):
    save(firm, introduction_fr=INTRO_FR, terms_fr=TERMS_FR)
    with read_session() as s:
        view = templates.get_template(s, firm["bob"], firm["template"])
        assert (view.introduction_fr, view.terms_fr, view.has_french) == (INTRO_FR, TERMS_FR, True)
        summaries = [a.summary for a in s.exec(select(AuditLog).where(AuditLog.entity == "proposal_template"))]
    assert 'Updated proposal template "Engagement 2027" (French version written)' in summaries
    save(firm, introduction_fr="", terms_fr="")
    with read_session() as s:
        assert not templates.get_template(s, firm["owner"], firm["template"]).has_french
        summaries = [a.summary for a in s.exec(select(AuditLog).where(AuditLog.entity == "proposal_template"))]
    assert 'Updated proposal template "Engagement 2027" (French version removed)' in summaries
    with pytest.raises(PermissionDenied):  # employees send templates; only admins write them, in any language
        save(firm, firm["bob"], introduction_fr=INTRO_FR, terms_fr=TERMS_FR)


def test_a_broken_french_text_gets_a_sentence_naming_it_and_nothing_is_saved(firm):
    with pytest.raises(InvalidInput, match="The French terms has a mistake on line 1"):
        save(firm, introduction_fr=INTRO_FR, terms_fr="Honoraires {{ account.name")
    with pytest.raises(InvalidInput, match=r"Unknown placeholder \{\{ contact.prenom \}\} in the French introduction"):
        save(firm, introduction_fr="Bonjour {{ contact.prenom }}", terms_fr=TERMS_FR)
    with pytest.raises(InvalidInput, match="Write the French terms too") as half:
        save(firm, introduction_fr=INTRO_FR)  # a French reader would get English terms under a French introduction
    assert half.value.field == "terms_fr"
    with read_session() as s:
        row = s.get(ProposalTemplate, firm["template"])
        assert (row.introduction_fr, row.terms_fr) == ("", "")
        assert row.introduction.startswith("Dear {{ contact.first_name }}")
        checked = templates.check_texts(s, firm["owner"], introduction="Hi", terms="T", introduction_fr="Bonjour",
                                        terms_fr="Conditions")
    assert (checked.introduction_fr, checked.terms_fr) == ("Bonjour", "Conditions")


def test_a_french_contact_gets_the_french_version_and_an_english_one_the_main_texts(firm):
    save(firm, introduction_fr=INTRO_FR, terms_fr=TERMS_FR)
    with write_session() as s:
        french = sending.send_proposal(s, firm["owner"], firm["dupont"], "Engagement 2027").id
        english = sending.send_proposal(s, firm["owner"], firm["hartley"], "Engagement 2027").id
    with read_session() as s:
        assert s.get(Proposal, french).introduction.startswith("Bonjour Amélie,\n\nMerci de confier Dupont Famille")
        assert s.get(Proposal, french).terms.startswith("Honoraires payables à 30 jours, le ")
        assert s.get(Proposal, english).introduction.startswith("Dear June,")
        assert s.get(Proposal, english).terms.startswith("Fees are due within 30 days.")
    with write_session() as s, i18n.using_locale("fr"):  # the portal page, as the French contact reads it
        page = client_flow.open_proposal(s, firm["amelie"], french)
    assert page.introduction.startswith("Bonjour Amélie") and page.terms.startswith("Honoraires payables")
    with write_session() as s:
        page = client_flow.open_proposal(s, firm["june"], english)
    assert page.introduction.startswith("Dear June") and page.terms.startswith("Fees are due")


def test_the_french_terms_read_the_date_in_french(firm):
    save(firm, introduction_fr=INTRO_FR, terms_fr="Le {{ today }}.")
    with write_session() as s:
        pid = sending.send_proposal(s, firm["owner"], firm["dupont"], "Engagement 2027").id
    with read_session() as s:
        terms = s.get(Proposal, pid).terms
    months = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
              "novembre", "décembre")
    assert any(month in terms for month in months), terms


def test_the_preview_shows_either_version(firm):
    save(firm, introduction_fr=INTRO_FR, terms_fr=TERMS_FR)
    with read_session() as s:
        main = pdf_text(rendering.preview_pdf(s, firm["owner"], firm["template"]))
        french = pdf_text(rendering.preview_pdf(s, firm["owner"], firm["template"], language="fr"))
    assert "Dear Jane," in main and "Bonjour" not in main
    assert "Bonjour Jane," in french and "Honoraires payables" in french and "Dear" not in french


def test_a_french_contact_agrees_to_the_firms_french_disclosure(firm):
    with write_session() as s:
        signing_settings.set_disclosure(s, firm["owner"], "We, {{ firm }}, may send you records electronically.",
                                        "{{ firm }} peut vous transmettre vos documents par voie électronique.")
        pid = sending.send_proposal(s, firm["owner"], firm["dupont"], "Engagement 2027").id
        english = sending.send_proposal(s, firm["owner"], firm["hartley"], "Engagement 2027").id
    with write_session() as s, i18n.using_locale("fr"):
        assert client_flow.open_proposal(s, firm["amelie"], pid).disclosure.endswith(
            "peut vous transmettre vos documents par voie électronique.")
    with write_session() as s:
        assert client_flow.open_proposal(s, firm["june"], english).disclosure.endswith(
            "may send you records electronically.")


def test_a_french_contact_sees_the_french_name_in_the_email_the_portal_and_the_pdf(firm):
    save(firm, introduction_fr=INTRO_FR, terms_fr=TERMS_FR, name_fr="Lettre de mission 2027")
    with write_session() as s:
        french = sending.send_proposal(s, firm["owner"], firm["dupont"], "Engagement 2027").id
        english = sending.send_proposal(s, firm["owner"], firm["hartley"], "Engagement 2027").id
    with read_session() as s:
        mails = {m.to_address: m for m in s.exec(select(OutgoingMail))}
        to_amelie = next(m for address, m in mails.items() if "dupont" in address)
        assert "Lettre de mission 2027" in to_amelie.subject + to_amelie.body
        assert "Engagement 2027" not in to_amelie.subject + to_amelie.body
        assert [p.name for p in client_flow.list_for_contact(s, firm["amelie"], firm["dupont"])] == [
            "Lettre de mission 2027"]
        assert [p.name for p in client_flow.list_for_contact(s, firm["june"], firm["hartley"])] == ["Engagement 2027"]
        home = dataclasses.replace(firm["amelie"], current_account_id=firm["dupont"])
        assert [p.name for p in portal_pages.home_page(s, home).offers] == ["Lettre de mission 2027"]
        # Staff keep the firm's own name.
        assert [p.name for p in sending.list_for_account(s, firm["owner"], firm["dupont"])] == ["Engagement 2027"]
        preview = pdf_text(rendering.preview_pdf(s, firm["owner"], firm["template"], language="fr"))
        assert "Lettre de mission 2027" in preview
    with write_session() as s, i18n.using_locale("fr"):
        assert client_flow.open_proposal(s, firm["amelie"], french).name == "Lettre de mission 2027"
    with write_session() as s:
        assert client_flow.open_proposal(s, firm["june"], english).name == "Engagement 2027"


def test_the_french_name_is_audited_and_optional(firm):
    save(firm, name_fr="Lettre de mission 2027")
    with read_session() as s:
        view = templates.get_template(s, firm["owner"], firm["template"])
        assert (view.name_fr, view.has_french) == ("Lettre de mission 2027", True)
        summaries = [a.summary for a in s.exec(select(AuditLog).where(AuditLog.entity == "proposal_template"))]
    assert summaries[-1] == 'Updated proposal template "Engagement 2027" (French version written)'
    with pytest.raises(InvalidInput) as err:
        save(firm, name_fr="x" * 201)
    assert err.value.field == "name_fr"
    save(firm, name_fr="")
    with write_session() as s:
        pid = sending.send_proposal(s, firm["owner"], firm["dupont"], "Engagement 2027").id
    with write_session() as s, i18n.using_locale("fr"):
        assert client_flow.open_proposal(s, firm["amelie"], pid).name == "Engagement 2027"

"""An organizer's French version: admins write French section titles, questions, helps and choices (checked, audited);
a contact who reads French fills the organizer in French (each empty French text falls back to the main one), the
answers kept are the main choices, so show-if conditions (`answer.<key>`) and field targets work the same; the
answers' PDF is made in the language the client answered in."""
from __future__ import annotations

import dataclasses
import re

import pytest
from pypdf import PdfReader
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import AuditLog, Contact, CustomValue, Document, Organizer, OrganizerSection, OutgoingMail
from practice.services.documents import storage
from practice.services.errors import InvalidInput, PermissionDenied
from practice.services.organizers import filling, questions, review, sent, templates
from practice.services.portal import pages as portal_pages
from practice.services.organizers.structure import layout
from tests.factories import contact_actor
from tests.services.organizers.test_sending import FIRM, a_firm, answer, answers_of, send

pytestmark = pytest.mark.firm(build=a_firm)

FILING_FR = {"label_fr": "Situation familiale", "help_fr": "Telle que déclarée l'an dernier",
             "options_fr": "Célibataire\nMariés, déclaration commune"}


def _question_id(key: str) -> int:
    with read_session() as s:
        template = templates.template_by_name(s, "1040 Organizer")
        return next(q.id for q in layout(s, template).in_order() if q.key == key)


def write_french(firm, key: str = "filing_status", who: str = "owner", **french):
    """Change one question through the editor's values, adding its French version."""
    with write_session() as s:
        values = questions.question_for_editing(s, firm["owner"], _question_id(key))
        questions.save_question(s, firm[who], firm["template"], questions.draft_from({**values, **french}),
                                question_id=int(values["id"]), firm_catalog=FIRM)


def french_june(firm):
    """June reads French (her contact's language); the actor she is when signed in to the portal."""
    with write_session() as s:
        s.get(Contact, firm["june"].contact_id).language = "fr"
    return contact_actor(firm["june"].contact_id)


def with_french_version(firm) -> None:
    write_french(firm, **FILING_FR)
    with write_session() as s:
        first = layout(s, templates.get_template_row(s, firm["template"])).sections[0]
        templates.set_section_title_fr(s, firm["owner"], first.id, "Vous concernant")


def test_a_french_client_reads_the_french_version_and_keeps_the_main_choices(firm):
    with_french_version(firm)
    june = french_june(firm)
    firm = {**firm, "june": june}
    oid = send(firm)
    with read_session() as s:
        view = filling.section_view(s, june, oid, 0, firm_catalog=FIRM)
    assert view.filling.form.sections == ("Vous concernant", "Family", "Income")  # untranslated: the main title
    [filing] = [q for q in view.questions if q.key == "filing_status"]
    assert (filing.label, filing.help) == ("Situation familiale", "Telle que déclarée l'an dernier")
    assert filing.options == ("Single", "MFJ")  # the values kept
    assert [filing.label_of(o) for o in filing.options] == ["Célibataire", "Mariés, déclaration commune"]
    # She picks the French words; the main choice is kept, so the rule reading answer.filing_status still matches.
    answer(firm, oid, "filing_status", "Mariés, déclaration commune")
    assert answers_of(oid) == {"filing_status": "MFJ"}
    with read_session() as s:
        shown = [q.key for q in filling.section_view(s, june, oid, 0, firm_catalog=FIRM).questions]
    assert shown == ["filing_status", "spouse_name"]  # show-if: answer.filing_status is "MFJ"
    with pytest.raises(InvalidInput) as err:
        answer(firm, oid, "filing_status", "Marié")
    assert str(err.value) == ("“Situation familiale” is one of: Célibataire, Mariés, déclaration commune. “Marié” is "
                              "not one of them.")
    answer(firm, oid, "spouse_name", "Sam Hartley")
    answer(firm, oid, "has_dependents", "non")
    with write_session() as s:
        filling.submit(s, june, oid, firm_catalog=FIRM)
    with read_session() as s:
        organizer = s.get(Organizer, oid)
        assert (organizer.status, organizer.language) == ("submitted", "fr")
        # The field target gets the main choice, as the custom field's list has it.
        assert [v.value for v in s.exec(select(CustomValue).where(CustomValue.item_id == firm["account"]))] == ["MFJ"]


def test_an_english_client_reads_the_main_texts(firm):
    with_french_version(firm)
    oid = send(firm)
    with read_session() as s:
        view = filling.section_view(s, firm["june"], oid, 0, firm_catalog=FIRM)
    assert view.filling.form.sections[0] == "About you"
    [filing] = [q for q in view.questions if q.key == "filing_status"]
    assert (filing.label, filing.help, filing.label_of("MFJ")) == ("Filing status", "", "MFJ")


def test_the_answers_pdf_is_in_the_language_the_client_answered_in(firm):
    with_french_version(firm)
    june = french_june(firm)
    oid = send({**firm, "june": june})
    for key, value in (("filing_status", "MFJ"), ("spouse_name", "Sam Hartley"), ("has_dependents", "no")):
        answer({**firm, "june": june}, oid, key, value)
    with write_session() as s:
        filling.submit(s, june, oid, firm_catalog=FIRM)  # the worker files the answers' PDF as it commits
    with read_session() as s:
        doc = s.get(Document, s.get(Organizer, oid).answers_document_id)
        assert doc.name.startswith("1040 Organizer - réponses ")
        text = "".join(p.extract_text() for p in PdfReader(storage.open_stored(doc.stored_key)).pages)
    for words in ("Vous concernant", "Situation familiale", "Mariés, déclaration commune", "Sam Hartley", "Non",
                  "Envoyé le "):
        assert words in text
    assert re.search(r"Envoyé le \d{1,2} \w+\.? 20\d\d à \d\d:\d\d", text), text
    assert "Filing status" not in text
    # Staff read the answers in the firm's own words on the organizer's page.
    with write_session() as s:
        _name, csv_text = review.answers_csv(s, firm["bob"], oid, firm_catalog=FIRM)
    assert "Filing status,MFJ" in csv_text


def test_french_choices_are_one_for_each_choice_admins_only_and_audited(firm):
    with pytest.raises(InvalidInput) as err:
        write_french(firm, options_fr="Célibataire")
    assert err.value.field == "options_fr" and "each of the 2 choices" in str(err.value)
    with pytest.raises(InvalidInput, match="read the same"):
        write_french(firm, options_fr="Marié\nmarié")
    with pytest.raises(PermissionDenied):
        write_french(firm, who="bob", **FILING_FR)
    write_french(firm, **FILING_FR)
    write_french(firm, **FILING_FR)  # unchanged: no French news in the log
    write_french(firm, label_fr="", help_fr="", options_fr="")
    with read_session() as s:
        summaries = [r.summary for r in s.exec(select(AuditLog).where(AuditLog.entity == "organizer_template",
                                                                      AuditLog.summary.contains("Filing status")))]
        assert summaries[-3:] == ['Changed question "Filing status" (French version written)',
                                  'Changed question "Filing status"',
                                  'Changed question "Filing status" (French version removed)']
        editing = questions.question_for_editing(s, firm["owner"], _question_id("filing_status"))
        assert (editing["label_fr"], editing["options_fr"]) == ("", "")


def test_a_section_title_in_french_is_audited_and_copied_with_the_template(firm):
    with_french_version(firm)
    with pytest.raises(PermissionDenied):
        with write_session() as s:
            section = s.exec(select(OrganizerSection).where(OrganizerSection.template_id == firm["template"])).first()
            templates.set_section_title_fr(s, firm["bob"], section.id, "Famille")
    with write_session() as s:
        copy = templates.duplicate_template(s, firm["owner"], firm["template"])
        lay = layout(s, copy)
        filing = next(q for q in lay.in_order() if q.key == "filing_status")
        assert (lay.sections[0].title_fr, filing.label_fr, filing.options_fr) == (
            "Vous concernant", "Situation familiale", ["Célibataire", "Mariés, déclaration commune"])
    with read_session() as s:
        assert s.exec(select(AuditLog).where(AuditLog.summary == 'Section "About you": French title written')).one()


def at_home(who, firm):
    """The contact in the portal, their account chosen."""
    return dataclasses.replace(who, current_account_id=firm["account"])


def french_name(firm, name: str = "Questionnaire 1040", who: str = "owner") -> None:
    with write_session() as s:
        templates.set_template_name_fr(s, firm[who], firm["template"], name)


def test_a_french_client_sees_the_french_name_in_the_portal_the_email_and_the_answers_pdf(firm):
    french_name(firm)
    june = french_june(firm)
    oid = send({**firm, "june": june})
    with read_session() as s:
        mail = s.exec(select(OutgoingMail)).one()
        assert "Questionnaire 1040" in mail.subject and "1040 Organizer" not in mail.subject + mail.body
        assert [o.name for o in filling.organizers_for_contact(s, june, firm_catalog=FIRM,
                                                                            account_id=firm["account"])] == ["Questionnaire 1040"]
        assert filling.section_view(s, june, oid, 0, firm_catalog=FIRM).filling.name == "Questionnaire 1040"
        assert [o.name for o in portal_pages.home_page(s, at_home(june, firm)).fill] == ["Questionnaire 1040"]
        # Staff keep the firm's own name.
        [row] = sent.list_for_account(s, firm["bob"], firm["account"], firm_catalog=FIRM)
        assert row.name == "1040 Organizer"
    for key, value in (("filing_status", "Single"), ("has_dependents", "no")):
        answer({**firm, "june": june}, oid, key, value)
    with write_session() as s:
        filling.submit(s, june, oid, firm_catalog=FIRM)
    with write_session() as s:
        doc_id = review.file_answers_pdf(s, firm["bob"], oid, firm_catalog=FIRM).id
    with read_session() as s:
        doc = s.get(Document, doc_id)
        text = "".join(p.extract_text() for p in PdfReader(storage.open_stored(doc.stored_key)).pages)
    assert "Questionnaire 1040" in text and "1040 Organizer" not in text


def test_an_english_client_and_a_template_without_a_french_name_show_the_name(firm):
    french_name(firm)
    oid = send(firm)
    with read_session() as s:
        assert filling.section_view(s, firm["june"], oid, 0, firm_catalog=FIRM).filling.name == "1040 Organizer"
        assert [o.name for o in portal_pages.home_page(s, at_home(firm["june"], firm)).fill] == ["1040 Organizer"]
    french_name(firm, "")
    june = french_june(firm)
    with write_session() as s:
        later = sent.send_organizer(s, firm["owner"], firm["account"], "1040 Organizer").id
    with read_session() as s:
        assert filling.section_view(s, june, later, 0, firm_catalog=FIRM).filling.name == "1040 Organizer"
        # The one sent while the French name was written keeps it.
        assert filling.section_view(s, june, oid, 0, firm_catalog=FIRM).filling.name == "Questionnaire 1040"


def test_the_french_name_is_for_admins_audited_and_copied_with_the_template(firm):
    with pytest.raises(PermissionDenied):
        french_name(firm, who="bob")
    with pytest.raises(InvalidInput) as err:
        french_name(firm, "x" * 201)
    assert err.value.field == "name_fr"
    french_name(firm, "  Questionnaire   1040 ")
    french_name(firm, "Questionnaire 1040")  # unchanged: nothing new in the log
    with write_session() as s:
        copy = templates.duplicate_template(s, firm["owner"], firm["template"])
        assert (copy.name, copy.name_fr) == ("1040 Organizer (copy)", "Questionnaire 1040")
    with read_session() as s:
        assert templates.load(s, firm["owner"], firm["template"]).template.name_fr == "Questionnaire 1040"
        summaries = [r.summary for r in s.exec(select(AuditLog).where(AuditLog.summary.contains("French name")))]
    assert summaries == ['Organizer template "1040 Organizer": French name written']

"""Show-if conditions as the firm writes them: checked as typed with the rules editor's sentences, and a template is
never left with a condition that reads an unknown question or one placed after it, whatever is added, moved or
deleted."""
from __future__ import annotations

import pytest

import rules

from practice.db import read_session, write_session
from practice.services.automation import rulesets
from practice.services.errors import InvalidInput
from practice.services.organizers import questions, templates
from tests.factories import ORGANIZER_1040, make_firm, make_organizer

FIRM = rulesets.catalog_from_db


def a_firm(monkeypatch):
    with write_session() as s:
        staff = make_firm(s, employees={"bob": "Bob Stone"})
        template = make_organizer(s, staff["owner"], sections=ORGANIZER_1040)
    return {**staff, "template": template.id}


pytestmark = pytest.mark.firm(build=a_firm)


def layout(firm):
    with read_session() as s:
        return templates.load(s, firm["owner"], firm["template"])


def section_id(firm, title):
    return next(s.id for s in layout(firm).sections if s.title == title)


def question_id(firm, key):
    return next(q.id for q in layout(firm).in_order() if q.key == key)


def refused(call) -> str:
    """The sentence a change is refused with; the transaction it ran in is rolled back, as the app's are."""
    with pytest.raises(InvalidInput) as refusal:
        with write_session() as s:
            call(s)
    return str(refusal.value)


def live(firm, text, section="About you", question=None, who="owner"):
    with read_session() as s:
        return questions.check_show_if(s, firm[who], firm["template"], text, section_id=section_id(firm, section),
                                       question_id=question, firm_catalog=FIRM)


def test_a_condition_is_checked_as_it_is_typed(firm):
    assert live(firm, 'answer.filing_status is "MFJ" and account.type is "Individual"') == []
    assert live(firm, "answer.has_rental is yes") == [
        'It reads "answer.has_rental", which comes later in the organizer; a condition may read only the questions '
        "before it. Move the question below, or change the condition."]
    assert live(firm, "answer.has_rental is yes", section="Income") == []
    [typo] = live(firm, "answer.filing_statu is empty")
    assert "answer.filing_status" in typo
    [wrong_value] = live(firm, 'answer.filing_status is "Married"')
    assert '"Married"' in wrong_value
    [mistyped] = live(firm, "answer.dependents is yes", section="Family", question=question_id(firm, "childcare"))
    assert "answer.dependents" in mistyped
    [itself] = live(firm, "answer.rent > 0", section="Income", question=question_id(firm, "rent"))
    assert itself.startswith('It reads this question\'s own answer ("answer.rent")')
    assert live(firm, "answer.income_kinds contains", section="Income")  # unfinished: a sentence, not a crash
    assert live(firm, "answer.has_rental is yes", section="Income", who="bob") == []  # staff read templates; editing is for admins


def test_saving_a_condition_that_reads_a_later_question_is_refused(firm):
    sentence = refused(lambda s: questions.save_question(s, firm["owner"], firm["template"], questions.draft_from(
        {"label": "Rental county", "show_if": "answer.has_rental is yes"}),
        section_id=section_id(firm, "About you"), firm_catalog=FIRM))
    assert sentence.startswith('The show-if condition of "Rental county" would no longer hold: It reads '
                                         '"answer.has_rental", which comes later')
    assert "rental_county" not in [q.key for q in layout(firm).in_order()]


def test_moving_a_question_above_what_it_reads_is_refused(firm):
    assert refused(lambda s: questions.move_question(s, firm["owner"], question_id(firm, "rent"), -1,
                                                     firm_catalog=FIRM)).startswith(
        'The show-if condition of "Rent received" would no longer hold')
    keys = [q.key for q in layout(firm).in_order()]
    assert keys.index("has_rental") < keys.index("rent")
    with write_session() as s:  # moving a question with no condition around is fine
        questions.move_question(s, firm["owner"], question_id(firm, "notes"), -1, firm_catalog=FIRM)
        questions.move_question(s, firm["owner"], question_id(firm, "filing_status"), -1, firm_catalog=FIRM)
    keys = [q.key for q in layout(firm).in_order()]
    assert keys[-2:] == ["notes", "rental_expenses"] and keys[0] == "filing_status"


def test_a_question_moves_across_sections_and_sections_move(firm):
    with write_session() as s:
        questions.move_question(s, firm["owner"], question_id(firm, "business"), 1, firm_catalog=FIRM)
    by_section = layout(firm).questions
    assert by_section[section_id(firm, "Family")][0].key == "business"
    assert '"Rent received" would no longer hold' in refused(lambda s: questions.move_question(
        s, firm["owner"], question_id(firm, "has_rental"), 1, firm_catalog=FIRM))
    with write_session() as s:  # past the top of its section, into the one before: still before what reads it
        questions.move_question(s, firm["owner"], question_id(firm, "income_kinds"), -1, firm_catalog=FIRM)
    assert layout(firm).questions[section_id(firm, "Family")][-1].key == "income_kinds"
    # Income now reads an answer asked in Family: Income cannot go first, Family can go last.
    assert '"Your W-2" would no longer hold' in refused(lambda s: templates.move_section(
        s, firm["owner"], section_id(firm, "Income"), -1, firm_catalog=FIRM))
    with write_session() as s:
        templates.move_section(s, firm["owner"], section_id(firm, "About you"), 1, firm_catalog=FIRM)
    assert [s.title for s in layout(firm).sections] == ["Family", "About you", "Income"]


def test_deleting_a_question_a_later_condition_reads_is_refused(firm):
    assert refused(lambda s: questions.delete_question(s, firm["owner"], question_id(firm, "has_dependents"),
                                                       firm_catalog=FIRM)).startswith(
        'The show-if condition of "Each dependent" would no longer hold')
    assert '"Childcare costs"' in refused(lambda s: questions.delete_question(  # the group, with its sub-questions
        s, firm["owner"], question_id(firm, "dependents"), firm_catalog=FIRM))
    assert len(layout(firm).children[question_id(firm, "dependents")]) == 3
    with write_session() as s:
        questions.delete_question(s, firm["owner"], question_id(firm, "childcare"), firm_catalog=FIRM)
        questions.delete_question(s, firm["owner"], question_id(firm, "dependents"), firm_catalog=FIRM)
    assert "dep_name" not in [q.key for q in layout(firm).in_order()]
    assert not layout(firm).children


def test_renaming_a_key_a_condition_reads_is_refused(firm):
    assert '"Rent received" would no longer hold' in refused(lambda s: questions.save_question(
        s, firm["owner"], firm["template"], questions.draft_from(
            {"label": "Do you rent out a property?", "key": "landlord", "kind": "yes_no", "required": True}),
        question_id=question_id(firm, "has_rental"), firm_catalog=FIRM))
    assert "has_rental" in [q.key for q in layout(firm).in_order()]
    assert refused(lambda s: questions.save_question(s, firm["owner"], firm["template"], questions.draft_from(
        {"label": "Student?", "kind": "yes_no", "show_if": "answer.has_rental is yes"}),
        section_id=section_id(firm, "Family"), parent_id=question_id(firm, "dependents"), firm_catalog=FIRM)
    ).startswith("A question inside a repeated group is asked for every entry")


def with_custom_fields(session):
    """The firm's catalog with custom fields on accounts and jobs (as the custom fields feature lists them)."""
    data = rulesets.catalog_from_db(session).to_dict()
    data["fields"] = {"account": {"entity": {"type": "choice", "options": ["S corp", "LLC"]},
                                  "fiscal_year_end": {"type": "date"}},
                      "job": {"filing_status": {"type": "text"}}}
    return rules.Catalog.from_dict(data)


def test_a_condition_reads_the_accounts_own_fields_and_an_answer_writes_into_one(firm):
    def check(text):
        with read_session() as s:
            return questions.check_show_if(s, firm["owner"], firm["template"], text,
                                           section_id=section_id(firm, "Income"), firm_catalog=with_custom_fields)
    assert check('account.entity is "S corp" and answer.has_rental is yes') == []
    [typo] = check('account.entty is "LLC"')
    assert 'did you mean "account.entity"' in typo
    assert check('job.filing_status is "MFJ"')  # an organizer may be sent with no job: job fields are not read
    with write_session() as s:
        q = questions.save_question(s, firm["owner"], firm["template"], questions.draft_from(
            {"label": "Entity type", "kind": "one_of", "options": "S corp\nLLC", "field_target": "Account.Entity"}),
            section_id=section_id(firm, "Income"), firm_catalog=with_custom_fields)
        assert q.field_target == "account.entity"
    assert refused(lambda s: questions.save_question(s, firm["owner"], firm["template"], questions.draft_from(
        {"label": "Year end", "kind": "number", "field_target": "account.fiscal_year_end"}),
        section_id=section_id(firm, "Income"), firm_catalog=with_custom_fields)) == (
        'The answer to this question cannot be written into "account.fiscal_year_end" (a date field).')

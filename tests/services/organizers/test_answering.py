"""What the client's answers make of an organizer: the questions they see, the progress line ("12 of 31" counts only
those), and whether they may submit (a required question hidden by a condition is not required). With a Hypothesis
property over random answer sequences: a hidden question never blocks, the count always equals the visible questions,
and whatever the client has answered, answering what they see always leads to a submission."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from practice.db import write_session
from practice.models import QuestionKind as K
from practice.services.automation import rulesets
from practice.services.organizers import answering
from practice.services.organizers.structure import form_of
from tests.factories import ORGANIZER_1040, make_firm, make_organizer

INDIVIDUAL = {"account": {"type": "Individual"}, "contact": {"first_name": "June"}}
COMPANY = {"account": {"type": "Company"}}

# A second organizer: a chain of conditions, each reading the one before, and a group that only "no" opens.
CHAIN = {
    "Start": [
        {"label": "Did anything change this year?", "key": "changed", "kind": "yes_no", "required": True},
        {"label": "What changed?", "key": "what", "kind": "several_of", "required": True,
         "options": "Address\nJob\nFamily", "show_if": "answer.changed is yes"},
    ],
    "Details": [
        {"label": "New address", "key": "address", "kind": "long_text", "required": True,
         "show_if": 'answer.what contains "Address"'},
        {"label": "Moved on", "key": "moved_on", "kind": "date", "required": True,
         "show_if": "answer.address is not empty"},
        {"label": "Moving costs", "key": "moving", "kind": "money", "required": True,
         "show_if": "answer.moved_on is after 2026-01-01 and answer.changed is yes"},
        {"label": "Last year's employers", "key": "employers", "kind": "group", "required": True,
         "show_if": "answer.changed is no",
         "children": [{"label": "Employer", "key": "employer", "required": True},
                      {"label": "Wages", "key": "wages", "kind": "money"}]},
        {"label": "How many employers?", "key": "how_many", "kind": "number",
         "show_if": "answer.employers > 1 or answer.what contains \"Job\""},
    ],
}


def two_organizers(monkeypatch):
    with write_session() as s:
        staff = make_firm(s)
        forms = {}
        for name, sections in (("1040 Organizer", ORGANIZER_1040), ("What changed", CHAIN)):
            template = make_organizer(s, staff["owner"], name=name, sections=sections)
            forms[name] = form_of(s, template, rulesets.catalog_from_db(s))
    return forms


pytestmark = pytest.mark.firm(build=two_organizers)


def keys(questions) -> list[str]:
    return [q.key for q in questions]


def test_a_single_client_with_no_dependents_and_no_rental_sees_only_what_applies(firm):
    form = firm["1040 Organizer"]
    answers = {"filing_status": "Single", "has_dependents": False, "income_kinds": ["Interest"], "has_rental": False}
    assert keys(answering.visible_questions(form, answers, INDIVIDUAL)) == [
        "filing_status", "has_dependents", "income_kinds", "has_rental", "notes"]
    assert answering.progress(form, answers, INDIVIDUAL) == answering.Progress(4, 5)
    assert answering.can_submit(form, answers, INDIVIDUAL)  # eight required questions are hidden: none blocks
    assert "business" in keys(answering.visible_questions(form, answers, COMPANY))
    assert keys(q for q, _ in answering.blocking(form, answers, COMPANY)) == ["business"]


def test_answers_open_questions_and_a_group_needs_complete_entries(firm):
    form = firm["1040 Organizer"]
    answers = {"filing_status": "MFJ", "has_dependents": True, "dependents": [], "income_kinds": ["Wages", "Crypto"],
               "has_rental": True, "rent": 0}
    seen = keys(answering.visible_questions(form, answers, INDIVIDUAL))
    assert seen == ["filing_status", "spouse_name", "has_dependents", "dependents", "income_kinds", "w2", "crypto",
                    "has_rental", "rent", "notes"]  # no spouse birth date before a name, no expenses on no rent
    answers["dependents"] = [{"dep_name": "Leo", "dep_ssn": "123-45-6789"}]
    blocked = dict((q.key, why) for q, why in answering.blocking(form, answers, INDIVIDUAL))
    assert blocked["dependents"] == "Entry 1 needs: Birth date."
    assert blocked["spouse_name"] == "This question needs an answer."
    assert blocked["childcare"] == "This question needs an answer."  # an entry, even incomplete, opens it
    answers["dependents"][0]["dep_birth"] = "2019-05-02"
    answers.update(spouse_name="Sam", childcare=120000, w2=[17], crypto=3, rent=1500000, rental_expenses="Repairs")
    assert answering.can_submit(form, answers, INDIVIDUAL)
    assert answering.progress(form, answers, INDIVIDUAL) == answering.Progress(11, 13)  # birth date and notes left
    answers["has_rental"] = False  # what it opened is hidden again, and its answers neither count nor block
    assert answering.progress(form, answers, INDIVIDUAL) == answering.Progress(9, 11)


def test_a_hidden_answer_is_not_read_by_later_conditions(firm):
    form = firm["What changed"]
    answers = {"changed": True, "what": ["Address"], "address": "1 Main St", "moved_on": "2026-06-01"}
    assert "moving" in keys(answering.visible_questions(form, answers))
    answers["what"] = ["Job"]  # the address is hidden: its answer, kept, no longer opens "Moved on"
    assert keys(answering.visible_questions(form, answers)) == ["changed", "what", "how_many"]


def _value(question: answering.Question, draw_from: st.DataObject):
    """A value the client could give this question, blank or partial ones included."""
    kind = question.kind
    if kind == K.group:
        entry = st.fixed_dictionaries({c.key: st.one_of(st.none(), _plain(c)) for c in question.children})
        return draw_from.draw(st.lists(entry, max_size=3))
    return draw_from.draw(st.one_of(st.none(), _plain(question)))


def _plain(question: answering.Question):
    return {K.short_text: st.sampled_from(["", " ", "Leo", "Sam"]), K.long_text: st.sampled_from(["", "Repairs"]),
            K.number: st.integers(0, 5), K.money: st.integers(0, 200_000), K.yes_no: st.booleans(),
            K.date: st.sampled_from(["2025-03-01", "2026-07-04", "not a date"]),
            K.one_of: st.sampled_from(question.options or ("",)),
            K.several_of: st.lists(st.sampled_from(question.options or ("",)), unique=True),
            K.file: st.lists(st.integers(1, 9), max_size=2)}[question.kind]


def _fill(question: answering.Question):
    """A complete answer, as a client answering what they are asked would give."""
    if question.kind == K.group:
        return [{c.key: _fill(c) for c in question.children}]
    return {K.short_text: "Leo", K.long_text: "Repairs", K.number: 2, K.money: 100_00, K.yes_no: False,
            K.date: "2026-07-04", K.one_of: (question.options or ("x",))[0], K.several_of: list(question.options[:1]),
            K.file: [1]}[question.kind]


def _check_invariants(form, answers, outside):
    seen = answering.visible_questions(form, answers, outside)
    shown = set(keys(seen))
    assert set(keys(q for q, _ in answering.blocking(form, answers, outside))) <= shown
    count = answering.progress(form, answers, outside)
    assert count.total == len(seen) and 0 <= count.answered <= count.total
    # From here, answering only what is visible and blocking always reaches a submission.
    filled = dict(answers)
    for _ in range(len(form.questions) + 1):
        blocked = answering.blocking(form, filled, outside)
        if not blocked:
            break
        for question, _why in blocked:
            assert question.key in keys(answering.visible_questions(form, filled, outside))
            filled[question.key] = _fill(question)
    assert answering.can_submit(form, filled, outside)


def test_no_answer_sequence_is_blocked_by_a_question_the_client_cannot_see(firm):
    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data(), name=st.sampled_from(sorted(firm)), outside=st.sampled_from([INDIVIDUAL, COMPANY, {}]))
    def random_sequences(data, name, outside):
        form = firm[name]
        answers: dict = {}
        for _ in range(data.draw(st.integers(1, 12))):
            question = data.draw(st.sampled_from(form.questions))  # hidden ones too: a client may have answered
            answers[question.key] = _value(question, data)  # them before a later change hid them
            _check_invariants(form, answers, outside)

    random_sequences()

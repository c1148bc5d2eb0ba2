"""Organizer templates are the firm's to shape: an employee and a portal contact are refused every change (create,
rename, duplicate, delete, sections and questions, moves), and nothing of the template moves; a contact cannot even
read them."""
from __future__ import annotations

import pytest

from practice.db import read_session, write_session
from practice.services.automation import compiled, rulesets
from practice.services.errors import PermissionDenied
from practice.services.organizers import questions, templates
from tests.factories import ORGANIZER_1040, contact_actor, make_firm, make_household, make_organizer

RULES = {"rules_using": compiled.rules_sending_organizer}
FIRM = {"firm_catalog": rulesets.catalog_from_db}


def firm_with_an_organizer(monkeypatch):
    with write_session() as s:
        staff = make_firm(s, employees={"bob": "Bob Stone"})
        _, (june,) = make_household(s, staff["owner"], "Hartley Household", "Hartley", ("June",))
        template = make_organizer(s, staff["owner"], sections=ORGANIZER_1040)
        lay = templates.load(s, staff["owner"], template.id)
        first = lay.in_order()[0]
    return {**staff, "june": contact_actor(june.id), "template": template.id, "section": lay.sections[0].id,
            "question": first.id}


pytestmark = [pytest.mark.security, pytest.mark.firm(build=firm_with_an_organizer)]

CHANGES = {
    "create": lambda s, who, f: templates.create_template(s, who, "Mine"),
    "rename": lambda s, who, f: templates.rename_template(s, who, f["template"], "Mine", **RULES),
    "duplicate": lambda s, who, f: templates.duplicate_template(s, who, f["template"]),
    "delete": lambda s, who, f: templates.delete_template(s, who, f["template"], **RULES),
    "add section": lambda s, who, f: templates.add_section(s, who, f["template"], "Mine"),
    "rename section": lambda s, who, f: templates.rename_section(s, who, f["section"], "Mine"),
    "move section": lambda s, who, f: templates.move_section(s, who, f["section"], 1, **FIRM),
    "delete section": lambda s, who, f: templates.delete_section(s, who, f["section"], **FIRM),
    "add question": lambda s, who, f: questions.save_question(
        s, who, f["template"], questions.QuestionDraft(label="Mine"), section_id=f["section"], **FIRM),
    "change question": lambda s, who, f: questions.save_question(
        s, who, f["template"], questions.QuestionDraft(label="Mine"), question_id=f["question"], **FIRM),
    "move question": lambda s, who, f: questions.move_question(s, who, f["question"], 1, **FIRM),
    "delete question": lambda s, who, f: questions.delete_question(s, who, f["question"], **FIRM),
    "open for editing": lambda s, who, f: questions.question_for_editing(s, who, f["question"]),
}


def snapshot(firm):
    with read_session() as s:
        lay = templates.load(s, firm["owner"], firm["template"])
        return ([t.name for t in templates.list_templates(s, firm["owner"])], [x.title for x in lay.sections],
                [(q.key, q.label, q.position) for q in lay.in_order()])


@pytest.mark.parametrize("who", ["bob", "june"])
def test_an_employee_or_a_client_cannot_change_an_organizer_template(firm, who):
    before = snapshot(firm)
    allowed = []
    for name, change in CHANGES.items():
        try:
            with write_session() as s:
                change(s, firm[who], firm)
            allowed.append(name)
        except PermissionDenied:
            pass
    assert allowed == []
    assert snapshot(firm) == before


def test_a_client_cannot_read_the_templates(firm):
    with read_session() as s:
        for read in (lambda: templates.list_templates(s, firm["june"]),
                     lambda: templates.load(s, firm["june"], firm["template"]),
                     lambda: questions.check_show_if(s, firm["june"], firm["template"], "answer.x is empty",
                                                     section_id=firm["section"], **FIRM)):
            with pytest.raises(PermissionDenied):
                read()

"""Organizer templates through the services: owners and admins build them (sections and questions, each checked
with a sentence), staff read them, a template a saved rule sends keeps its name, and a show-if condition may read only
known questions placed before it, whatever is added, moved or deleted afterwards."""
from __future__ import annotations

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import AuditLog, OrganizerQuestion
from practice.services.automation import compiled, rulesets
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from practice.services.organizers import questions, templates
from tests.factories import (ORGANIZER_1040, contact_actor, make_firm, make_household, make_organizer, make_pipeline,
                             make_tag)

FIRM = rulesets.catalog_from_db


def a_firm(monkeypatch):
    with write_session() as s:
        staff = make_firm(s, admins={"ann": "Ann Admin"}, employees={"bob": "Bob Stone"})
        make_tag(s, staff["owner"], "Has rental")
        make_tag(s, staff["owner"], "Landlord")
        _, (june,) = make_household(s, staff["owner"], "Hartley Household", "Hartley", ("June",))
        template = make_organizer(s, staff["owner"], sections=ORGANIZER_1040)
    return {**staff, "template": template.id, "june": contact_actor(june.id)}


pytestmark = pytest.mark.firm(build=a_firm)


def lay(firm):
    with read_session() as s:
        return templates.load(s, firm["owner"], firm["template"])


def question(firm, key) -> OrganizerQuestion:
    with read_session() as s:
        return s.exec(select(OrganizerQuestion).where(OrganizerQuestion.key == key)).one()


def add(firm, section_title, who="owner", **values):
    with write_session() as s:
        section = next(x for x in templates.load(s, firm["owner"], firm["template"]).sections
                       if x.title == section_title)
        return questions.save_question(s, firm[who], firm["template"], questions.draft_from(values),
                                       section_id=section.id, firm_catalog=FIRM).id


def test_the_1040_organizer_is_built_in_order_with_its_group(firm):
    layout = lay(firm)
    assert [s.title for s in layout.sections] == ["About you", "Family", "Income"]
    assert [q.key for q in layout.in_order()][:6] == ["filing_status", "spouse_name", "spouse_birth", "business",
                                                      "has_dependents", "dependents"]
    group = question(firm, "dependents")
    assert [c.key for c in layout.children[group.id]] == ["dep_name", "dep_birth", "dep_ssn"]
    with read_session() as s:
        [summary] = templates.list_templates(s, firm["bob"])
    assert (summary.name, summary.sections, summary.questions, summary.conditions) == ("1040 Organizer", 3, 14, 9)


def test_only_owners_and_admins_edit_and_a_client_reads_nothing(firm):
    with write_session() as s:
        templates.create_template(s, firm["ann"], "Business organizer")
        with pytest.raises(PermissionDenied):
            templates.create_template(s, firm["bob"], "Bob's organizer")
        with pytest.raises(PermissionDenied):
            templates.rename_template(s, firm["bob"], firm["template"], "Mine", rules_using=compiled.rules_sending_organizer)
        with pytest.raises(PermissionDenied):
            templates.list_templates(s, firm["june"])
    with pytest.raises(PermissionDenied):
        add(firm, "Income", who="bob", label="Salary?")


def test_rename_duplicate_and_delete(firm):
    with write_session() as s:
        templates.rename_template(s, firm["owner"], firm["template"], "  1040   Organizer 2027 ",
                                  rules_using=compiled.rules_sending_organizer)
        copy = templates.duplicate_template(s, firm["owner"], firm["template"])
        assert copy.name == "1040 Organizer 2027 (copy)"
        again = templates.duplicate_template(s, firm["owner"], firm["template"])
        assert again.name == "1040 Organizer 2027 (copy 2)"
        with pytest.raises(Conflict, match='already an organizer template "1040 Organizer 2027"'):
            templates.create_template(s, firm["owner"], "1040 organizer 2027")
    with read_session() as s:
        copied = templates.load(s, firm["owner"], copy.id)
        assert [q.key for q in copied.in_order()] == [q.key for q in lay(firm).in_order()]
        assert len(copied.children[next(q.id for q in copied.in_order() if q.key == "dependents")]) == 3
    with write_session() as s:
        templates.delete_template(s, firm["owner"], copy.id, rules_using=compiled.rules_sending_organizer)
    with read_session() as s:
        assert [t.name for t in templates.list_templates(s, firm["owner"])] == ["1040 Organizer 2027",
                                                                                "1040 Organizer 2027 (copy 2)"]
        with pytest.raises(NotFound):
            templates.load(s, firm["owner"], copy.id)
        assert s.exec(select(AuditLog).where(AuditLog.summary.contains("Deleted organizer template"))).first()


RULE = '''rule "Ask for the organizer"
when job enters stage "Waiting for info"
then
  send organizer "1040 organizer" to account
end
'''


def test_the_rules_send_only_organizer_templates_that_exist(firm):
    with read_session() as s:
        from_catalog = rulesets.catalog_from_db(s)
        assert from_catalog.template("organizer", "1040 ORGANIZER") == "1040 Organizer"
        assert from_catalog.template("organizer", "Business organizer") is None
    with write_session() as s:
        with pytest.raises(rulesets.RulesInvalid):
            rulesets.save_rules(s, firm["owner"], RULE.replace("1040 organizer", "Missing organizer"))



def test_delete_and_rename_are_refused_naming_the_rule(firm):
    with write_session() as s:
        make_pipeline(s, firm["owner"], name="1040 Return", stages=("Waiting for info", "Done"))
    with write_session() as s:
        rulesets.save_rules(s, firm["owner"], RULE)
    with pytest.raises(Conflict) as refused:
        with write_session() as s:
            templates.delete_template(s, firm["owner"], firm["template"], rules_using=compiled.rules_sending_organizer)
    assert str(refused.value) == ('The rule "Ask for the organizer" sends "1040 Organizer" (send organizer '
                                  '"1040 Organizer"); change the rules first, then delete the organizer.')
    with pytest.raises(Conflict, match="change the rules first, then rename the organizer"):
        with write_session() as s:
            templates.rename_template(s, firm["owner"], firm["template"], "Intake",
                                      rules_using=compiled.rules_sending_organizer)
    with write_session() as s:  # the same name in other capitals is still the name the rule sends
        templates.rename_template(s, firm["owner"], firm["template"], "1040 ORGANIZER",
                                  rules_using=compiled.rules_sending_organizer)
    with read_session() as s:
        assert [t.name for t in templates.list_templates(s, firm["owner"])] == ["1040 ORGANIZER"]


REFUSED = [
    ({"label": "  "}, "Write the question."),
    ({"label": "Pets", "kind": "one_of", "options": "Dog"}, "A list question needs at least two choices, one a line."),
    ({"label": "Pets", "kind": "pet"}, "Choose what the question asks for from the list."),
    ({"label": "Pets", "key": "2pets"}, "A question's key is what conditions read (answer.key): lowercase letters, "
                                        "digits and _, starting with a letter, at most 40."),
    ({"label": "Spouse", "key": "spouse_name"},
     'Another question ("Spouse\'s name") has the key "spouse_name"; each question needs its own.'),
    ({"label": "Rental", "kind": "yes_no", "tags_add": "Landlrd"}, 'There is no tag "Landlrd". Did you mean "Landlord"?'),
    ({"label": "Status", "field_target": "account.filng_status"},
     'There is no custom field "account.filng_status" on accounts or contacts.'),
]


def test_a_question_is_refused_with_a_sentence_and_nothing_is_kept(firm):
    before = len(lay(firm).in_order())
    for values, sentence in REFUSED:
        with pytest.raises(InvalidInput) as refused:
            add(firm, "Income", **values)
        assert str(refused.value) == sentence
    assert len(lay(firm).in_order()) == before


def test_a_question_keeps_its_tags_in_the_firms_spelling_and_its_key_from_its_label(firm):
    qid = add(firm, "Income", label="Do you sell on eBay?", kind="yes_no", tags_add="landlord, has rental",
              tags_remove="")
    with read_session() as s:
        q = s.get(OrganizerQuestion, qid)
    assert (q.key, q.tags_add, q.position) == ("do_you_sell_on_ebay", ["Landlord", "Has rental"], 8)


def test_a_section_asks_for_files_once(firm):
    """The portal shows a section at a time with one place to drop files: a second file question there would
    receive nothing, so it is refused with where to put it, whether added or moved in."""
    with pytest.raises(InvalidInput, match='The section "Income" already asks for files \\("Your W-2"\\); put '
                                           '"Your 1099s" in a section of its own'):
        add(firm, "Income", label="Your 1099s", key="f1099", kind="file")
    assert "f1099" not in [q.key for q in lay(firm).in_order()]
    add(firm, "Family", label="Your 1099s", key="f1099", kind="file")  # another section: fine
    moved = question(firm, "f1099").id
    with pytest.raises(InvalidInput, match="already asks for files"):  # Family's last, one step down: Income's first
        with write_session() as s:
            questions.move_question(s, firm["owner"], moved, 1, firm_catalog=FIRM)
    layout = lay(firm)
    family = next(x.id for x in layout.sections if x.title == "Family")
    assert layout.questions[family][-1].key == "f1099"  # where it was

"""The firm's own fields (issue 15): defined by owners and admins, filled by staff on what they may see, validated
with one sentence per type, read by rules by key, protected from deletion while a saved rule reads them."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import rules
from practice import i18n
from practice.db import read_session, write_session
from practice.models import AuditLog
from practice.services.automation import preview, rulesets
from practice.services.errors import Conflict, InvalidInput, PermissionDenied
from practice.services.work import custom_fields as cf
from practice.services.work import merge, removal
from practice.services import templating
from practice.services.work.facts import bulk_facts, facts_for, template_context
from tests.factories import actor_of, make_account, make_contact, make_job, make_member, make_pipeline, make_tag

RULE = '''rule "Joint returns"
when job enters stage "Review"
if job.filing_status is "MFJ"
then
  add tag "Joint" to job
end
'''


def _build(monkeypatch):
    with write_session() as s:
        owner = actor_of(make_member(s, role="owner", name="Olivia Park"))
        admin = actor_of(make_member(s, role="admin", name="Ann Admin"))
        bob = actor_of(make_member(s, role="employee", name="Bob Stone"))
        pipeline = make_pipeline(s, owner, name="1040 Return")
        make_tag(s, owner, "Joint")
        mine = make_account(s, owner, name="Smith Household", team_member_ids=[bob.member_id])
        other = make_account(s, owner, name="Jones LLC", type="Company")
        return {"owner": owner, "admin": admin, "bob": bob,
                "job": make_job(s, owner, account=mine, pipeline=pipeline).id,
                "other_job": make_job(s, owner, account=other, pipeline=pipeline).id,
                "mine": mine.id, "other": other.id,
                "contact": make_contact(s, owner, [mine.id], "Pat", "Smith").id,
                "other_contact": make_contact(s, owner, [other.id], "Jo", "Jones").id}


pytestmark = pytest.mark.firm(build=_build)


def define(actor, **kw):
    with write_session() as s:
        return cf.define_field(s, actor, **kw).id


def filing_status(firm):
    return define(firm["owner"], entity="job", label="Filing status", type="choice",
                  options="Single\nMFJ\nMFS\nHOH\nmfj")


def test_owners_and_admins_define_fields_with_a_key_rules_read(firm):
    fid = filing_status(firm)
    define(firm["admin"], entity="account", label="Fiscal year end", type="date")
    with read_session() as s:
        fields = cf.list_fields(s, firm["bob"])
        catalog = rulesets.catalog_from_db(s)
    assert [(f.entity, f.key, f.label) for f in fields] == [
        ("account", "fiscal_year_end", "Fiscal year end"), ("job", "filing_status", "Filing status")]
    assert next(f for f in fields if f.id == fid).options == ["Single", "MFJ", "MFS", "HOH"]  # repeats dropped
    assert catalog.field_def("job", "filing_status").options == ("Single", "MFJ", "MFS", "HOH")
    assert catalog.field_types["account"]["fiscal_year_end"] == "date"


def test_an_employee_cannot_define_change_or_delete_fields(firm):
    fid = filing_status(firm)
    for call in (lambda s: cf.define_field(s, firm["bob"], entity="job", label="X"),
                 lambda s: cf.update_field(s, firm["bob"], fid, label="Y"),
                 lambda s: cf.move_field(s, firm["bob"], fid, 1),
                 lambda s: cf.delete_field(s, firm["bob"], fid)):
        with pytest.raises(PermissionDenied, match="Only the owner or an admin"), write_session() as s:
            call(s)


BAD_DEFINITIONS = [
    ({"entity": "invoice", "label": "X"}, "Custom fields go on accounts, contacts or jobs."),
    ({"entity": "job", "label": "  "}, "Give the field a label"),
    ({"entity": "job", "label": "X", "type": "colour"}, "Choose the field's type."),
    ({"entity": "job", "label": "X", "type": "choice", "options": "\n \n"}, "List the choices, one per line."),
    ({"entity": "job", "label": "X", "key": "Due-date"}, "A key is lower-case letters"),
    ({"entity": "job", "label": "X", "key": "due_date"}, "Every job already has a field with the key due_date"),
]


def test_bad_definitions_are_refused_with_a_sentence(firm):
    for kw, sentence in BAD_DEFINITIONS:
        with pytest.raises(InvalidInput, match=sentence), write_session() as s:
            cf.define_field(s, firm["owner"], **kw)


def test_keys_come_from_labels_and_never_collide(firm):
    define(firm["owner"], entity="job", label="Due date")  # the built-in job.due_date keeps its key
    define(firm["owner"], entity="job", label="Année fiscale")
    define(firm["owner"], entity="job", label="Année  fiscale!")
    define(firm["owner"], entity="job", label="2027 status")
    with read_session() as s:
        assert [f.key for f in cf.list_fields(s, firm["owner"], "job")] == [
            "due_date_2", "annee_fiscale", "annee_fiscale_2", "field_2027_status"]


VALUES = [
    ("number", " 1,234.50 ", "1234.5", None),
    ("number", "three", None, "“F” takes a number, like 3 or 2.5; “three” is not one."),
    ("money", "$1,250.5", "1250.5", None),
    ("money", "12.345", None, "“F” takes an amount in dollars and cents"),
    ("date", "04/15/2027", "2027-04-15", None),
    ("date", "2027-02-30", None, "“F” takes a date, like 2027-04-15 or 04/15/2027; “2027-02-30” is not one."),
    ("email", "Pat@Example.org", "pat@example.org", None),
    ("email", "pat@", None, "“F” takes an email address, like name@example.com"),
    ("phone", "+1 (555) 010-0199 ext 4", "+1 (555) 010-0199 ext 4", None),
    ("phone", "call me", None, "“F” takes a phone number"),
    ("url", "example.com/a", "https://example.com/a", None),
    ("url", "javascript:alert(1)", None, "“F” takes a web address"),
    ("url", "not a site", None, "“F” takes a web address"),
    ("choice", "mfj", "MFJ", None),
    ("choice", "Married", None, "“F” is one of: Single, MFJ. “Married” is not one of them."),
    ("yesno", "Yes", "yes", None),
    ("yesno", "maybe", None, "“F” is yes or no."),
    ("text", "x" * 2001, None, "“F” is too long"),
]


def test_values_are_validated_with_a_sentence_per_type(firm):
    ids = {kind: define(firm["owner"], entity="job", label="F", key=kind, type=kind, options=["Single", "MFJ"])
           for kind in dict.fromkeys(kind for kind, *_ in VALUES)}
    for kind, raw, kept, sentence in VALUES:
        if sentence:
            with pytest.raises(InvalidInput) as caught, write_session() as s:
                cf.set_value(s, firm["bob"], "job", firm["job"], ids[kind], raw)
            assert str(caught.value).startswith(sentence), (kind, raw)
            assert caught.value.field == kind
        else:
            with write_session() as s:
                assert cf.set_value(s, firm["bob"], "job", firm["job"], ids[kind], raw).value == kept, (kind, raw)


def test_staff_fill_values_on_what_they_see_and_rules_read_them_typed(firm):
    fid = filing_status(firm)
    deps = define(firm["owner"], entity="job", label="Dependents", type="number")
    fye = define(firm["owner"], entity="account", label="Fiscal year end", type="date")
    with write_session() as s:
        cf.set_value(s, firm["bob"], "job", firm["job"], fid, "mfj")
        cf.set_value(s, firm["bob"], "job", firm["job"], deps, "2")
        cf.set_value(s, firm["bob"], "account", firm["mine"], fye, "2027-06-30")
    with read_session() as s:
        shown = cf.values_for(s, firm["bob"], "job", firm["job"])
        facts = facts_for(s, job_id=firm["job"])
        bulk = {r["job"]["id"]: r for r in bulk_facts(s, "job")}
    assert [(v.label, v.shown) for v in shown] == [("Filing status", "MFJ"), ("Dependents", "2")]
    assert facts["job"]["filing_status"] == "MFJ" and facts["job"]["dependents"] == Decimal(2)
    assert facts["account"]["fiscal_year_end"] == dt.date(2027, 6, 30)
    assert bulk[firm["job"]]["job"]["filing_status"] == "MFJ"
    assert "filing_status" not in bulk[firm["other_job"]]["job"]  # never filled: empty for the rules


def test_an_employee_cannot_read_or_edit_values_of_an_account_it_cannot_see(firm):
    fid = filing_status(firm)
    note = define(firm["owner"], entity="contact", label="Preferred name")
    for entity, item, field in (("job", "other_job", fid), ("contact", "other_contact", note)):
        with pytest.raises(PermissionDenied), write_session() as s:
            cf.set_value(s, firm["bob"], entity, firm[item], field, "MFJ" if field == fid else "Jo")
        with pytest.raises(PermissionDenied), read_session() as s:
            cf.values_for(s, firm["bob"], entity, firm[item])
    with write_session() as s:  # the contact of an account Bob works on is his to fill
        assert cf.set_value(s, firm["bob"], "contact", firm["contact"], note, "Patty").value == "Patty"


def test_clearing_a_value_forgets_it_and_each_change_is_in_the_history(firm):
    fid = filing_status(firm)
    with write_session() as s:
        cf.set_value(s, firm["bob"], "job", firm["job"], fid, "Single")
        cf.set_value(s, firm["bob"], "job", firm["job"], fid, "")
    with read_session() as s:
        assert cf.values_for(s, firm["bob"], "job", firm["job"])[0].value == ""
        rows = s.query(AuditLog).filter(AuditLog.entity == "job", AuditLog.entity_id == firm["job"]).all()
    assert [r.summary for r in rows][-2:] == ['Custom field: Filing status none → "Single"',
                                              'Custom field: Filing status "Single" → none']


def save_rule(firm, text=RULE):
    with write_session() as s:
        rulesets.save_rules(s, firm["owner"], text)


def test_renaming_a_label_keeps_rules_working(firm):
    fid = filing_status(firm)
    save_rule(firm)
    with write_session() as s:
        cf.update_field(s, firm["admin"], fid, label="Tax filing status")
        cf.set_value(s, firm["bob"], "job", firm["job"], fid, "MFJ")
    with write_session() as s:
        result = preview.try_on_job(s, firm["owner"], RULE, firm["job"], "job_entered_stage", stage="Review")
    decision, = result["decisions"]
    assert result["errors"] == [] and decision["fired"]
    # "Try on a job" shows the value it read
    assert any("job.filing_status" in str(part) and "MFJ" in str(part) for part in decision["parts"])


def test_a_field_a_saved_rule_reads_cannot_be_deleted_and_the_refusal_names_the_rule(firm):
    fid = filing_status(firm)
    other = define(firm["owner"], entity="job", label="Extension filed", type="yesno")
    save_rule(firm, RULE.replace('add tag "Joint" to job',
                                 'create task "Check {{ job.extension_filed }}" for job.assignee'))
    with pytest.raises(Conflict, match="The rule “Joint returns” reads job.filing_status: change the rule before "
                                       "deleting “Filing status”."), write_session() as s:
        cf.delete_field(s, firm["owner"], fid)
    with pytest.raises(Conflict, match="reads job.extension_filed"), write_session() as s:
        cf.delete_field(s, firm["owner"], other)  # read by a placeholder
    save_rule(firm, RULE.replace("job.filing_status", "job.name"))
    with write_session() as s:
        cf.set_value(s, firm["bob"], "job", firm["job"], fid, "MFJ")
        assert cf.delete_field(s, firm["owner"], fid) == "“Filing status” was deleted."
    with read_session() as s:
        assert [f.key for f in cf.list_fields(s, firm["owner"])] == ["extension_filed"]
        assert "filing_status" not in facts_for(s, job_id=firm["job"])["job"]


def test_a_choice_a_saved_rule_compares_with_cannot_be_taken_out(firm):
    fid = filing_status(firm)
    save_rule(firm)
    with pytest.raises(Conflict, match="The rule “Joint returns” compares job.filing_status with “MFJ”"), \
            write_session() as s:
        cf.update_field(s, firm["owner"], fid, options=["Single", "MFS"])
    with write_session() as s:
        assert cf.update_field(s, firm["owner"], fid, options=["Single", "MFJ", "Widowed"]).options == [
            "Single", "MFJ", "Widowed"]


def test_the_rules_editor_checks_custom_fields(firm):
    filing_status(firm)
    with read_session() as s:
        assert rulesets.check_text(s, RULE) == []
        errors = rulesets.check_text(s, RULE.replace("filing_status", "filing_stauts"))
    assert errors[0]["message"] == "there is no field job.filing_stauts"
    assert errors[0]["hint"] == 'did you mean "job.filing_status"?'
    with read_session() as s, i18n.using_locale("fr"):  # the checking child is told the reader's language
        errors = rulesets.check_text(s, RULE.replace("filing_status", "filing_stauts"))
    assert errors[0]["message"] == "il n'y a pas de champ job.filing_stauts"
    assert errors[0]["hint"] == "vouliez-vous dire « job.filing_status » ?"


def test_fields_are_reordered(firm):
    a = define(firm["owner"], entity="job", label="A")
    define(firm["owner"], entity="job", label="B")
    with write_session() as s:
        cf.move_field(s, firm["admin"], a, 1)
        cf.move_field(s, firm["admin"], a, 1)  # already last: nothing moves
    with read_session() as s:
        assert [f.label for f in cf.list_fields(s, firm["owner"], "job")] == ["B", "A"]


def test_deleting_or_merging_records_keeps_values_right(firm):
    fid = define(firm["owner"], entity="account", label="EIN")
    with write_session() as s:
        keep = make_account(s, firm["owner"], name="Keep")
        drop = make_account(s, firm["owner"], name="Drop")
        gone = make_account(s, firm["owner"], name="Gone")
        cf.set_value(s, firm["owner"], "account", drop.id, fid, "12-3456789")
        cf.set_value(s, firm["owner"], "account", gone.id, fid, "98-7654321")
        ids = keep.id, drop.id, gone.id
    with write_session() as s:
        merge.merge_accounts(s, firm["owner"], ids[0], ids[1])
        removal.delete_account(s, firm["owner"], ids[2])
    with read_session() as s:
        assert cf.values_for(s, firm["owner"], "account", ids[0])[0].value == "12-3456789"
        assert cf.bulk_fact_values(s, "account") == {ids[0]: {"ein": "12-3456789"}}


def test_a_rule_reads_a_custom_field_through_the_engine_catalog(firm):
    filing_status(firm)
    with read_session() as s:
        catalog = rulesets.catalog_from_db(s)
    compiled = rules.compile_rules(rules.check(RULE, catalog))
    decision, = rules.evaluate(compiled, rules.Event("job_entered_stage", stage="Review", pipeline="1040 Return"),
                               {"job": {"name": "1040", "filing_status": "mfj"}, "account": {"name": "S"}},
                               dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc))
    assert decision.fired


def test_a_form_of_several_values_saves_all_or_nothing(firm):
    fid = filing_status(firm)
    deps = define(firm["owner"], entity="job", label="Dependents", type="number")
    with pytest.raises(InvalidInput, match="“Dependents” takes a number") as caught, write_session() as s:
        cf.set_values(s, firm["bob"], "job", firm["job"], {fid: "MFJ", deps: "two"})
    assert caught.value.field == "dependents"
    with read_session() as s:
        assert [v.value for v in cf.values_for(s, firm["bob"], "job", firm["job"])] == ["", ""]
    with write_session() as s:
        assert cf.set_values(s, firm["bob"], "job", firm["job"], {fid: "MFJ", deps: "2"}) == 2
        assert cf.set_values(s, firm["bob"], "job", firm["job"], {fid: "mfj", deps: "2.0"}) == 0


def test_templates_show_custom_fields_and_nothing_for_one_not_filled(firm):
    fid = filing_status(firm)
    with write_session() as s:
        cf.set_value(s, firm["owner"], "job", firm["job"], fid, "MFJ")
    with read_session() as s:
        filled = template_context(s, facts_for(s, job_id=firm["job"]))
        empty = template_context(s, facts_for(s, job_id=firm["other_job"]))
    text = "Filing status: {{ job.filing_status }}."
    assert templating.render(text, filled) == "Filing status: MFJ."
    assert templating.render(text, empty) == "Filing status: ."

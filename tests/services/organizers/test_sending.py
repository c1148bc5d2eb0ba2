"""Organizers sent and filled through the services: staff send one to an account (pre-filled with last year's
answers), the client saves answers one by one (a bad value refused with its sentence, nothing lost), adds and removes
a group's entries, attaches an uploaded file, and submits (refused with what is missing among the questions they
see); submission writes custom fields and tags, tells the team and fires `organizer is submitted`; staff reopen."""
from __future__ import annotations

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import (AccountTag, AuditLog, CustomValue, Event, Job, Notification, Organizer, OutgoingMail,
                             RuleRun, RunStatus, Tag)
from practice.services.automation import compiled, rulesets
from practice.services.documents import files
from practice.services.errors import Conflict, InvalidInput, NotFound
from practice.services.organizers import filling, sent, templates
from practice.services.work import accounts, custom_fields, jobs
from practice.services.work.pipelines import stages_of
from tests.factories import (contact_actor, make_firm, make_household, make_organizer, make_pipeline, make_tag)

FIRM = rulesets.catalog_from_db

TEMPLATE = {
    "About you": [
        {"label": "Filing status", "key": "filing_status", "kind": "one_of", "required": True,
         "options": "Single\nMFJ", "field_target": "account.filing_status"},
        {"label": "Spouse's name", "key": "spouse_name", "kind": "short_text", "required": True,
         "show_if": 'answer.filing_status is "MFJ"'},
    ],
    "Family": [
        {"label": "Do you have dependents?", "key": "has_dependents", "kind": "yes_no", "required": True,
         "tags_add": "Has dependents"},
        {"label": "Each dependent", "key": "dependents", "kind": "group", "required": True,
         "show_if": "answer.has_dependents is yes",
         "children": [{"label": "Name", "key": "dep_name", "required": True},
                      {"label": "Birth date", "key": "dep_birth", "kind": "date"}]},
    ],
    "Income": [
        {"label": "Wages", "key": "wages", "kind": "money"},
        {"label": "Your W-2", "key": "w2", "kind": "file"},
    ],
}


def a_firm(monkeypatch):
    with write_session() as s:
        staff = make_firm(s, employees={"bob": "Bob Stone", "carla": "Carla Diaz"})
        owner = staff["owner"]
        make_tag(s, owner, "Has dependents")
        custom_fields.define_field(s, owner, entity="account", label="Filing status", type="choice",
                                   options=["Single", "MFJ"])
        account, (june,) = make_household(s, owner, "Hartley Household", "Hartley", ("June",))
        other, (omar,) = make_household(s, owner, "Osei Household", "Osei", ("Omar",))
        accounts.add_team_member_to_account(s, owner, account.id, staff["bob"].member_id)
        template = make_organizer(s, owner, name="1040 Organizer", sections=TEMPLATE)
        pipeline = make_pipeline(s, owner, name="1040 Return", stages=("Intake", "Preparation", "Done"))
        job = jobs.create_job(s, owner, account_id=account.id, pipeline_id=pipeline.id, name="1040 2026")
        stage_ids = {st.name: st.id for st in stages_of(s, pipeline.id)}
    return {**staff, "account": account.id, "other": other.id, "template": template.id, "job": job.id,
            "stages": stage_ids, "june": contact_actor(june.id), "omar": contact_actor(omar.id)}


pytestmark = pytest.mark.firm(build=a_firm)


def send(firm, who="owner", **kw):
    with write_session() as s:
        return sent.send_organizer(s, firm[who], firm["account"], "1040 Organizer", **kw).id


def answer(firm, oid, key, raw, who="june", **kw):
    with write_session() as s:
        return filling.save_answer(s, firm[who], oid, key, raw, firm_catalog=FIRM, **kw).answers


def answers_of(oid) -> dict:
    with read_session() as s:
        return dict(s.get(Organizer, oid).answers)


def test_staff_send_it_and_the_clients_portal_contacts_are_emailed(firm):
    oid = send(firm, job_id=firm["job"])
    with read_session() as s:
        organizer = s.get(Organizer, oid)
        assert (organizer.status, organizer.name, organizer.job_id) == ("sent", "1040 Organizer", firm["job"])
        mail = s.exec(select(OutgoingMail)).all()
        assert [m.to_address for m in mail] == ["june@hartley.example"]
        assert "1040 Organizer" in mail[0].subject and f"/portal/organizers/{oid}" in mail[0].body
        assert s.exec(select(AuditLog).where(AuditLog.action == "organizer_send")).one()
        [row] = sent.list_for_account(s, firm["bob"], firm["account"], firm_catalog=FIRM)
        assert (row.status, row.answered, row.total, row.job_name) == ("sent", 0, 4, "1040 2026")
        assert [r.id for r in sent.list_for_job(s, firm["owner"], firm["job"], firm_catalog=FIRM)] == [oid]


def test_an_account_with_no_portal_contact_is_refused_with_what_to_do(firm):
    with write_session() as s:
        account, _ = make_household(s, firm["owner"], "Quiet LLC", "Quiet", ("Quinn",), invite=False)
        with pytest.raises(InvalidInput, match="can log in to the client portal"):
            sent.send_organizer(s, firm["owner"], account.id, "1040 Organizer")


def test_answers_are_saved_one_by_one_and_a_bad_value_loses_nothing(firm):
    oid = send(firm)
    answer(firm, oid, "filing_status", "MFJ")
    answer(firm, oid, "wages", "52,300.50")
    with pytest.raises(InvalidInput, match="Wages") as err:
        answer(firm, oid, "wages", "about fifty thousand")
    assert "dollars and cents" in str(err.value)
    with pytest.raises(InvalidInput, match="Filing status"):
        answer(firm, oid, "filing_status", "Married")
    assert answers_of(oid) == {"filing_status": "MFJ", "wages": 5230050}
    with read_session() as s:
        assert s.get(Organizer, oid).status == "in_progress"
    answer(firm, oid, "wages", "")
    assert "wages" not in answers_of(oid)


def test_a_groups_entries_are_added_filled_and_removed(firm):
    oid = send(firm)
    answer(firm, oid, "has_dependents", "yes")
    with write_session() as s:
        assert filling.add_entry(s, firm["june"], oid, "dependents", firm_catalog=FIRM) == 1
        assert filling.add_entry(s, firm["june"], oid, "dependents", firm_catalog=FIRM) == 2
    answer(firm, oid, "dependents", "Ava", entry=0, child="dep_name")
    answer(firm, oid, "dependents", "2019-05-02", entry=0, child="dep_birth")
    answer(firm, oid, "dependents", "Ben", entry=1, child="dep_name")
    with pytest.raises(InvalidInput, match="Birth date"):
        answer(firm, oid, "dependents", "soon", entry=1, child="dep_birth")
    with write_session() as s:
        filling.remove_entry(s, firm["june"], oid, "dependents", 0)
    assert answers_of(oid)["dependents"] == [{"dep_name": "Ben"}]


def test_submitting_is_refused_naming_only_the_visible_questions_still_to_answer(firm):
    oid = send(firm)
    answer(firm, oid, "filing_status", "Single")
    with write_session() as s, pytest.raises(InvalidInput) as err:
        filling.submit(s, firm["june"], oid, firm_catalog=FIRM)
    assert "“Do you have dependents?”" in str(err.value)
    assert "Spouse" not in str(err.value) and "Each dependent" not in str(err.value)  # hidden: not asked
    answer(firm, oid, "has_dependents", "yes")
    with write_session() as s, pytest.raises(InvalidInput, match="“Each dependent”"):
        filling.submit(s, firm["june"], oid, firm_catalog=FIRM)


def fill_and_submit(firm, oid):
    answer(firm, oid, "filing_status", "MFJ")
    answer(firm, oid, "spouse_name", "Sam Hartley")
    answer(firm, oid, "has_dependents", "yes")
    with write_session() as s:
        filling.add_entry(s, firm["june"], oid, "dependents", firm_catalog=FIRM)
    answer(firm, oid, "dependents", "Ava", entry=0, child="dep_name")
    with write_session() as s:
        filling.submit(s, firm["june"], oid, firm_catalog=FIRM)


def test_submitting_writes_fields_and_tags_tells_the_team_and_fires_the_event(firm):
    oid = send(firm, job_id=firm["job"])
    fill_and_submit(firm, oid)
    with read_session() as s:
        organizer = s.get(Organizer, oid)
        assert organizer.status == "submitted" and organizer.submitted_by_contact_id == firm["june"].contact_id
        assert [v.value for v in s.exec(select(CustomValue).where(CustomValue.item_id == firm["account"]))] == ["MFJ"]
        tag = s.exec(select(Tag).where(Tag.name == "Has dependents")).one()
        assert s.get(AccountTag, (firm["account"], tag.id)) is not None
        event = s.exec(select(Event).where(Event.kind == "organizer_submitted")).one()
        assert event.payload["organizer_id"] == oid and event.account_id == firm["account"]
        notes = s.exec(select(Notification).where(Notification.kind == "client_activity")).all()
        assert any('submitted organizer "1040 Organizer"' in n.text for n in notes)
    with pytest.raises(Conflict, match="reopen"):
        answer(firm, oid, "spouse_name", "Sam")


def test_staff_reopen_a_submitted_organizer_and_the_client_may_change_it(firm):
    oid = send(firm)
    with write_session() as s, pytest.raises(Conflict):
        sent.reopen(s, firm["owner"], oid)
    fill_and_submit(firm, oid)
    with read_session() as s:
        lines = sent.answer_lines(s, firm["bob"], oid, firm_catalog=FIRM)
    assert [(x.label, x.answer) for x in lines][:3] == [("Filing status", "MFJ"), ("Spouse's name", "Sam Hartley"),
                                                        ("Do you have dependents?", "Yes")]
    assert ("Entry 1", "Name: Ava; Birth date: ") in [(x.label, x.answer) for x in lines]
    with write_session() as s:
        assert sent.reopen(s, firm["owner"], oid).status == "reopened"
    answer(firm, oid, "spouse_name", "Samuel Hartley")
    with write_session() as s:
        assert filling.submit(s, firm["june"], oid, firm_catalog=FIRM).status == "submitted"


def test_next_years_organizer_starts_from_last_years_answers_except_files(firm):
    first = send(firm)
    with write_session() as s:
        doc = files.record_upload(s, firm["june"], firm["account"], None,
                                  files.receive_file("w2.txt", b"W-2 2025"))
        filling.attach_file(s, firm["june"], first, "w2", doc.id, firm_catalog=FIRM)
    assert answers_of(first)["w2"] == [doc.id]
    fill_and_submit(firm, first)
    second = send(firm)
    carried = answers_of(second)
    assert carried == {k: v for k, v in answers_of(first).items() if k != "w2"}
    with read_session() as s:
        assert s.get(Organizer, second).previous_id == first
        opened = filling.open_organizer(s, firm["june"], second, firm_catalog=FIRM)
        assert opened.previous["filing_status"] == "MFJ"


def test_a_rule_sends_it_once_and_its_submission_fires_the_next_rule(firm):
    with write_session() as s:
        rulesets.save_rules(s, firm["owner"], '''
rule "Send the organizer"
when job enters stage "Preparation"
then
  send organizer "1040 Organizer" to account with reminders every 3 days
end

rule "Organizer in"
when organizer is submitted
then
  move job to stage "Done"
end
''')
    with write_session() as s:
        jobs.move_job(s, firm["owner"], firm["job"], firm["stages"]["Preparation"])
    with read_session() as s:
        [organizer] = s.exec(select(Organizer)).all()
        assert organizer.job_id == firm["job"] and organizer.key
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Send the organizer")).one()
        assert run.status == RunStatus.done and 'Sent organizer "1040 Organizer"' in run.actions[0]["outcome"]
    fill_and_submit(firm, organizer.id)
    with read_session() as s:
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Organizer in")).one()
        assert run.status == RunStatus.done
        assert s.get(Job, firm["job"]).stage_id == firm["stages"]["Done"]


def test_a_template_that_was_sent_cannot_be_deleted(firm):
    send(firm)
    with write_session() as s, pytest.raises(Conflict, match="sent to clients 1 times"):
        templates.delete_template(s, firm["owner"], firm["template"], rules_using=compiled.rules_sending_organizer)


def test_the_client_cannot_touch_another_accounts_organizer(firm):
    oid = send(firm)
    with write_session() as s:
        for call in (lambda: filling.save_answer(s, firm["omar"], oid, "wages", "1", firm_catalog=FIRM),
                     lambda: filling.submit(s, firm["omar"], oid, firm_catalog=FIRM),
                     lambda: filling.open_organizer(s, firm["omar"], oid, firm_catalog=FIRM)):
            with pytest.raises(NotFound):
                call()

"""Changing a custom field's type (issue 15): a preview says how many values the new type does not take (kept as
text, listed with their record), values it takes are put in its form, and the change is refused, naming the rule,
when a saved rule reads the field in a way the new type would break."""
from __future__ import annotations

import pytest

from practice.db import read_session, write_session
from practice.models import CustomField, CustomValue
from practice.services.automation import field_types, rulesets
from practice.services.errors import Conflict, PermissionDenied
from practice.services.work import custom_fields as cf
from tests.factories import actor_of, make_account, make_job, make_member, make_pipeline, make_tag

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
        bob = actor_of(make_member(s, role="employee", name="Bob Stone"))
        pipeline = make_pipeline(s, owner, name="1040 Return")
        make_tag(s, owner, "Joint")
        status = cf.define_field(s, owner, entity="job", label="Filing status", type="choice",
                                 options="Single\nMFJ").id
        kids = cf.define_field(s, owner, entity="account", label="Dependents", type="text").id
        due = cf.define_field(s, owner, entity="account", label="Year end", type="text").id
        for name, n, when in (("Adams", "3", "04/15/2027"), ("Baker", "many", "2027-06-30"), ("Clark", "2.5", "soon")):
            account = make_account(s, owner, name=name)
            cf.set_value(s, owner, "account", account.id, kids, n)
            cf.set_value(s, owner, "account", account.id, due, when)
            job = make_job(s, owner, account=account, pipeline=pipeline, name=f"{name} 1040")
            cf.set_value(s, owner, "job", job.id, status, "MFJ")
        rulesets.save_rules(s, owner, RULE)
        return {"owner": owner, "bob": bob, "status": status, "kids": kids, "due": due}


pytestmark = pytest.mark.firm(build=_build)


def values(field_id) -> list[str]:
    with read_session() as s:
        return sorted(s.exec(CustomValue.__table__.select().where(CustomValue.field_id == field_id)).all())


def test_a_preview_lists_the_values_the_new_type_does_not_take_and_the_change_keeps_them(firm):
    with read_session() as s:
        preview = field_types.preview_type_change(s, firm["owner"], firm["kids"], "number")
    assert preview.misfit_count == 1 and preview.misfits == [("Baker", "many")] and preview.refusal == ""
    with write_session() as s:
        field_types.change_type(s, firm["owner"], firm["kids"], "number")
    with read_session() as s:
        assert s.get(CustomField, firm["kids"]).type == "number"
        kept = {v.value for v in s.exec(CustomValue.__table__.select().where(
            CustomValue.field_id == firm["kids"])).all()}
        assert kept == {"3", "many", "2.5"}  # nothing lost


def test_values_the_new_type_takes_are_put_in_its_form(firm):
    with read_session() as s:
        preview = field_types.preview_type_change(s, firm["owner"], firm["due"], "date")
    assert preview.misfits == [("Clark", "soon")] and preview.converted == 1
    with write_session() as s:
        field_types.change_type(s, firm["owner"], firm["due"], "date")
    with read_session() as s:
        kept = {v for (_f, _i, v) in s.exec(CustomValue.__table__.select().where(
            CustomValue.field_id == firm["due"])).all()}
    assert kept == {"2027-04-15", "2027-06-30", "soon"}


def test_a_change_a_saved_rule_would_break_is_refused_naming_the_rule(firm):
    with read_session() as s:
        preview = field_types.preview_type_change(s, firm["owner"], firm["status"], "number")
    assert preview.refusal.startswith("The rule “Joint returns” reads job.filing_status in a way a field of type "
                                      "“Number” can't")
    with write_session() as s:
        with pytest.raises(Conflict, match="Joint returns"):
            field_types.change_type(s, firm["owner"], firm["status"], "number")
    with read_session() as s:
        assert s.get(CustomField, firm["status"]).type == "choice"
        # Text still compares with "MFJ": allowed.
        assert field_types.preview_type_change(s, firm["owner"], firm["status"], "text").refusal == ""
        # A list without MFJ would break the rule's comparison.
        assert "Joint returns" in field_types.preview_type_change(s, firm["owner"], firm["status"], "choice",
                                                                  "Single\nHOH").refusal


def test_only_owners_and_admins_change_a_type(firm):
    with write_session() as s:
        with pytest.raises(PermissionDenied):
            field_types.change_type(s, firm["bob"], firm["kids"], "number")

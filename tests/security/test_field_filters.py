"""Custom-field filters and columns (issue 15) never show what the person may not see: an employee filtering the
accounts list or the board by a value held by accounts outside its work gets only its own, its counts included;
a portal contact can't use them; a field of another list is refused."""
from __future__ import annotations

import pytest

from practice.db import read_session, write_session
from practice.services.errors import NotFound, PermissionDenied
from practice.services.work import board
from practice.services.work import custom_fields as cf
from practice.services.work import field_views as fv
from practice.services.work.accounts import list_accounts
from tests.factories import actor_of, contact_actor, make_account, make_contact, make_job, make_member, make_pipeline


def _build(monkeypatch):
    with write_session() as s:
        owner = actor_of(make_member(s, role="owner", name="Olivia Park"))
        bob = actor_of(make_member(s, role="employee", name="Bob Stone"))
        pipeline = make_pipeline(s, owner, name="1040 Return")
        status = cf.define_field(s, owner, entity="account", label="Filing status", type="choice",
                                 options="Single\nMFJ").id
        secret = cf.define_field(s, owner, entity="job", label="Secret note", type="text").id
        contact_field = cf.define_field(s, owner, entity="contact", label="Dependents", type="number").id
        accounts = {}
        for name in ("Mine", "Theirs", "Also theirs"):
            account = make_account(s, owner, name=name, team_member_ids=[bob.member_id] if name == "Mine" else [])
            accounts[name] = account.id
            cf.set_value(s, owner, "account", account.id, status, "MFJ")
            job = make_job(s, owner, account=account, pipeline=pipeline, name=f"{name} 1040")
            cf.set_value(s, owner, "job", job.id, secret, f"wire to offshore {name}")
        contact = make_contact(s, owner, [accounts["Mine"]], "Pat", "Mine").id
        return {"owner": owner, "bob": bob, "pipeline": pipeline.id, "status": status, "secret": secret,
                "contact": contact, "contact_field": contact_field}


pytestmark = [pytest.mark.security, pytest.mark.firm(build=_build)]


def test_an_employee_filtering_the_accounts_list_gets_only_its_accounts(firm):
    with read_session() as s:
        flt = fv.make_filter(s, firm["bob"], "accounts", field_id=firm["status"], value="MFJ")
        rows, total = list_accounts(s, firm["bob"], field_filter=flt)
        assert [r.name for r in rows] == ["Mine"] and total == 1
        rows, total = list_accounts(s, firm["owner"], field_filter=flt)
        assert total == 3


def test_an_employee_filtering_the_board_counts_and_sees_only_its_jobs(firm):
    with read_session() as s:
        flt = fv.make_filter(s, firm["bob"], "board", field_id=firm["secret"], value="offshore")
        fields = fv.get_columns(s, firm["bob"], "board") or [s.get(cf.CustomField, firm["secret"])]
        columns = board.load_board(s, firm["bob"], firm["pipeline"], field_filter=flt, fields=fields)
        cards = [c for col in columns for c in col.cards]
        assert [c.name for c in cards] == ["Mine 1040"] and sum(col.count for col in columns) == 1
        assert cards[0].fields == [("Secret note", "wire to offshore Mine")]
        stage = columns[0].id
        more = board.load_more(s, firm["bob"], firm["pipeline"], stage, 0, field_filter=flt, fields=fields)
        assert [c.name for c in more] == ["Mine 1040"]
        # By an account field all three accounts hold: still only its own job, counted and shown.
        flt = fv.make_filter(s, firm["bob"], "board", field_id=firm["status"], value="MFJ")
        columns = board.load_board(s, firm["bob"], firm["pipeline"], field_filter=flt,
                                   fields=[s.get(cf.CustomField, firm["status"])])
        assert [(c.name, c.fields) for col in columns for c in col.cards] == [
            ("Mine 1040", [("Filing status (account field)", "MFJ")])]
        assert sum(col.count for col in columns) == 1


def test_portal_contacts_cannot_filter_choose_columns_or_list_the_fields(firm):
    contact = contact_actor(firm["contact"])
    with write_session() as s:
        with pytest.raises(PermissionDenied):
            fv.make_filter(s, contact, "accounts", field_id=firm["status"], value="MFJ")
        with pytest.raises(PermissionDenied):
            fv.set_column(s, contact, "accounts", firm["status"], True)
        with pytest.raises(PermissionDenied):
            fv.get_columns(s, contact, "board")
        with pytest.raises(PermissionDenied):
            fv.placeholders(s, contact)


def test_a_field_of_another_list_or_made_up_is_refused(firm):
    with write_session() as s:
        for view, field_id in (("board", firm["contact_field"]), ("accounts", firm["secret"]), ("accounts", 99999),
                               ("accounts", "1 OR 1=1")):
            with pytest.raises(NotFound):
                fv.make_filter(s, firm["bob"], view, field_id=field_id, value="MFJ")
            with pytest.raises(NotFound):
                fv.set_column(s, firm["bob"], view, field_id, True)

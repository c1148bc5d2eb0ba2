"""Custom fields as columns and filters of the accounts list and the board (issue 15): each member's columns are
kept, a filter is checked with the field's own sentences and narrows the list in SQL."""
from __future__ import annotations

import pytest

from practice.db import read_session, write_session
from practice.services import templating
from practice.services.errors import InvalidInput, NotFound
from practice.services.work import board
from practice.services.work import custom_fields as cf
from practice.services.work import field_views as fv
from practice.services.work.accounts import list_accounts
from practice.services.work.facts import facts_for, template_context
from tests.factories import actor_of, make_account, make_job, make_member, make_pipeline


def _build(monkeypatch):
    with write_session() as s:
        owner = actor_of(make_member(s, role="owner", name="Olivia Park"))
        bob = actor_of(make_member(s, role="employee", name="Bob Stone"))
        pipeline = make_pipeline(s, owner, name="1040 Return")
        status = cf.define_field(s, owner, entity="account", label="Filing status", type="choice",
                                 options="Single\nMFJ").id
        dependents = cf.define_field(s, owner, entity="account", label="Dependents", type="number").id
        year_end = cf.define_field(s, owner, entity="account", label="Fiscal year end", type="date").id
        ein = cf.define_field(s, owner, entity="account", label="EIN", type="text").id
        active = cf.define_field(s, owner, entity="account", label="Active", type="yesno").id
        fee = cf.define_field(s, owner, entity="job", label="Fee", type="money").id
        ids = {}
        for name, values in {"Adams": ("MFJ", "2", "2026-12-31", "12-3456789", "yes"),
                             "Baker": ("Single", "0", "2026-06-30", "98-7654321", "no"),
                             "Clark": ("MFJ", "10", "2027-03-31", "", "yes"),
                             "Dunn": ("", "", "", "", "")}.items():
            account = make_account(s, owner, name=name, team_member_ids=[bob.member_id] if name == "Adams" else [])
            ids[name] = account.id
            for fid, value in zip((status, dependents, year_end, ein, active), values):
                if value:
                    cf.set_value(s, owner, "account", account.id, fid, value)
            job = make_job(s, owner, account=account, pipeline=pipeline, name=f"{name} 1040")
            cf.set_value(s, owner, "job", job.id, fee, {"Adams": "1250", "Baker": "400", "Clark": "1250"}.get(name, ""))
        return {"owner": owner, "bob": bob, "pipeline": pipeline.id, "ids": ids, "status": status,
                "dependents": dependents, "year_end": year_end, "ein": ein, "active": active, "fee": fee}


pytestmark = pytest.mark.firm(build=_build)


def names(firm, actor=None, **spec):
    with read_session() as s:
        actor = actor or firm["owner"]
        flt = fv.make_filter(s, actor, "accounts", **spec)
        rows, total = list_accounts(s, actor, field_filter=flt)
        assert total == len(rows)
        return [r.name for r in rows]


def test_each_kind_of_filter_keeps_the_matching_accounts(firm):
    assert names(firm, field_id=firm["status"], value="mfj") == ["Adams", "Clark"]
    assert names(firm, field_id=firm["active"], value="no") == ["Baker"]
    assert names(firm, field_id=firm["ein"], value="456") == ["Adams"]
    assert names(firm, field_id=firm["ein"], value="%") == []  # a LIKE wildcard is a plain character
    assert names(firm, field_id=firm["dependents"], low="1") == ["Adams", "Clark"]
    assert names(firm, field_id=firm["dependents"], low="0", high="2") == ["Adams", "Baker"]
    assert names(firm, field_id=firm["dependents"], low="3", high="") == ["Clark"]  # 10 > 3 as numbers, not text
    assert names(firm, field_id=firm["year_end"], high="12/31/2026") == ["Adams", "Baker"]
    assert names(firm, field_id=firm["status"], value="") == ["Adams", "Baker", "Clark", "Dunn"]  # nothing asked


def test_a_bad_filter_value_gets_the_fields_own_sentence(firm):
    with read_session() as s:
        with pytest.raises(InvalidInput, match="“Filing status” is one of: Single, MFJ"):
            fv.make_filter(s, firm["owner"], "accounts", field_id=firm["status"], value="Married")
        with pytest.raises(InvalidInput, match="takes a number"):
            fv.make_filter(s, firm["owner"], "accounts", field_id=firm["dependents"], low="two")
        with pytest.raises(InvalidInput, match="first bound is after the second"):
            fv.make_filter(s, firm["owner"], "accounts", field_id=firm["dependents"], low="10", high="2")
        with pytest.raises(NotFound):  # a job field is not a filter of the accounts list
            fv.make_filter(s, firm["owner"], "accounts", field_id=firm["fee"], low="1")
        with pytest.raises(NotFound):
            fv.make_filter(s, firm["owner"], "nowhere", field_id=firm["status"], value="MFJ")


def test_columns_are_kept_per_member_and_list_and_show_the_values(firm):
    with write_session() as s:
        fv.set_column(s, firm["owner"], "accounts", firm["status"], True)
        shown = fv.set_column(s, firm["owner"], "accounts", firm["dependents"], True)
        assert [f.label for f in shown] == ["Filing status", "Dependents"]
        assert fv.set_column(s, firm["owner"], "accounts", firm["status"], False)[0].label == "Dependents"
        fv.set_column(s, firm["owner"], "accounts", firm["status"], True)
        with pytest.raises(NotFound):
            fv.set_column(s, firm["owner"], "accounts", firm["fee"], True)  # a job field on the accounts list
    with read_session() as s:
        assert fv.get_columns(s, firm["bob"], "accounts") == []
        columns = fv.get_columns(s, firm["owner"], "accounts")
        values = fv.column_values(s, columns, [firm["ids"]["Adams"], firm["ids"]["Dunn"]])
        assert values == {firm["ids"]["Adams"]: ["2", "MFJ"], firm["ids"]["Dunn"]: ["", ""]}
    with write_session() as s:
        cf.delete_field(s, firm["owner"], firm["dependents"])
    with read_session() as s:
        assert [f.label for f in fv.get_columns(s, firm["owner"], "accounts")] == ["Filing status"]


def test_no_more_than_six_columns(firm):
    with write_session() as s:
        for n in range(fv.MAX_COLUMNS):
            fid = cf.define_field(s, firm["owner"], entity="account", label=f"Extra {n}").id
            fv.set_column(s, firm["owner"], "accounts", fid, True)
        with pytest.raises(InvalidInput, match="up to 6 fields"):
            fv.set_column(s, firm["owner"], "accounts", firm["status"], True)


def test_the_board_filters_counts_and_cards_and_shows_the_columns(firm):
    with read_session() as s:
        flt = fv.make_filter(s, firm["owner"], "board", field_id=firm["fee"], low="1000")
        fields = [s.get(cf.CustomField, firm["fee"])]
        columns = board.load_board(s, firm["owner"], firm["pipeline"], field_filter=flt, fields=fields)
        cards = [c for col in columns for c in col.cards]
        assert sum(col.count for col in columns) == 2
        assert sorted(c.name for c in cards) == ["Adams 1040", "Clark 1040"]
        assert {c.fields[0] for c in cards} == {("Fee", "$1,250.00")}
        more = board.load_more(s, firm["owner"], firm["pipeline"], cards[0].stage_id, 0, field_filter=flt,
                               fields=fields)
        assert len(more) == 2 and more[0].fields
        plain = board.load_board(s, firm["owner"], firm["pipeline"])
        assert sum(col.count for col in plain) == 4 and all(not c.fields for col in plain for c in col.cards)


def test_the_board_shows_and_filters_by_its_cards_accounts_fields(firm):
    """The board offers its jobs' fields and their accounts' (named as such); a card shows its account's value, and a
    filter on an account field keeps the jobs of the accounts holding it, counts included."""
    with write_session() as s:
        offered = [(f.id, fv.view_label(f, "board")) for f in fv.view_fields(s, firm["owner"], "board")]
        assert offered[0] == (firm["fee"], "Fee")  # the jobs' own fields first
        assert (firm["status"], "Filing status (account field)") in offered
        fv.set_column(s, firm["owner"], "board", firm["status"], True)
        fields = fv.set_column(s, firm["owner"], "board", firm["fee"], True)
    with read_session() as s:
        flt = fv.make_filter(s, firm["owner"], "board", field_id=firm["status"], value="mfj")
        assert flt.summary == "Filing status (account field): MFJ"
        columns = board.load_board(s, firm["owner"], firm["pipeline"], field_filter=flt, fields=fields)
        cards = sorted((c for col in columns for c in col.cards), key=lambda c: c.name)
        assert sum(col.count for col in columns) == 2
        assert [(c.name, c.fields) for c in cards] == [
            ("Adams 1040", [("Filing status (account field)", "MFJ"), ("Fee", "$1,250.00")]),
            ("Clark 1040", [("Filing status (account field)", "MFJ"), ("Fee", "$1,250.00")])]
        more = board.load_more(s, firm["owner"], firm["pipeline"], cards[0].stage_id, 1, field_filter=flt,
                               fields=fields)
        assert len(more) == 1 and more[0].fields[0] == ("Filing status (account field)", "MFJ")
        # A range on an account's number: Dependents from 1 (Adams 2, Clark 10).
        flt = fv.make_filter(s, firm["owner"], "board", field_id=firm["dependents"], low="1")
        shown = board.load_board(s, firm["owner"], firm["pipeline"], field_filter=flt)
        assert sorted(c.name for col in shown for c in col.cards) == ["Adams 1040", "Clark 1040"]
        # Bob sees Adams only: its count and cards.
        flt = fv.make_filter(s, firm["bob"], "board", field_id=firm["status"], value="MFJ")
        bobs = board.load_board(s, firm["bob"], firm["pipeline"], field_filter=flt, fields=fields)
        assert sum(col.count for col in bobs) == 1
        assert [(c.name, c.fields) for col in bobs for c in col.cards] == [
            ("Adams 1040", [("Filing status (account field)", "MFJ"), ("Fee", "$1,250.00")])]


def test_the_template_editors_offer_each_field_as_a_placeholder_that_renders(firm):
    with read_session() as s:
        offered = fv.placeholders(s, firm["owner"])
        assert ("{{ account.filing_status }}", "Filing status") in offered
        assert ("{{ job.fee }}", "Fee") in offered
        account = firm["ids"]["Adams"]
        context = template_context(s, facts_for(s, account_id=account))
        text = " / ".join(code for code, _ in offered if code.startswith("{{ account."))
        assert templating.render(text, context) == "MFJ / 2 / Dec 31, 2026 / 12-3456789 / Yes"


@pytest.mark.sqlite_only("the per-account counts are kept by SQLite triggers; other databases count the jobs")
def test_a_board_filtered_by_an_account_field_counts_what_counting_its_jobs_gives(firm):
    """On SQLite the counts come from the per-account counts the database keeps; they match the jobs counted one by
    one after jobs are added, moved and archived, for the owner and for an employee without "view all"."""
    from practice.models import Account, Job, Pipeline
    from practice.services.work import jobs
    from practice.services.work.pipelines import stages_of

    with write_session() as s:
        stages = [x.id for x in stages_of(s, firm["pipeline"])]
        adams = s.query(Job).filter(Job.name == "Adams 1040").one()
        jobs.move_job(s, firm["owner"], adams.id, stages[2])
        for n in range(3):
            make_job(s, firm["owner"], account=s.get(Account, firm["ids"]["Clark"]), pipeline=s.get(Pipeline, firm["pipeline"]),
                     name=f"Clark extra {n}", stage_id=stages[n])
        clark = s.query(Job).filter(Job.name == "Clark 1040").one()
        jobs.archive_job(s, firm["owner"], clark.id)
    with read_session() as s:
        conn = s.connection()
        for actor, total in ((firm["owner"], 4), (firm["bob"], 1)):  # Bob: Adams' job only
            flt = fv.make_filter(s, actor, "board", field_id=firm["status"], value="MFJ")
            shape, params = board._params(actor, firm["pipeline"], None, None, flt)
            kept = conn.execute(board._counts_statement("sqlite", *shape), params).all()
            counted = conn.execute(board._counts_statement("other", *shape), params).all()
            assert kept == counted and sum(r[2] for r in kept) == total

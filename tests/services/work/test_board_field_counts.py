"""The board filtered by a job field's value ("Return type is 1040"): on SQLite its counts are kept by the database per
field value and stage (for the firm and per member); after every kind of write they equal the jobs counted, and the
board shows the same counts as a count of the matching jobs, on either database."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from practice.db import read_session, write_session
from practice.models import AccountTeam, Job
from practice.services.automation import field_types
from practice.services.work import board, custom_fields, field_views, jobs, merge, removal
from practice.services.work.pipelines import stages_of
from tests.factories import make_account, make_firm, make_job, make_pipeline

_COUNTED = ("FROM customvalue cv JOIN customfield f ON f.id = cv.field_id AND f.entity = 'job' "
            "AND f.type IN ('choice', 'yesno') JOIN job ON job.id = cv.item_id AND job.archived = 0")
KEPT = {
    "fieldstagecount": "SELECT field_id, value, stage_id, n FROM fieldstagecount WHERE n <> 0",
    "accountfieldstagecount": "SELECT account_id, field_id, value, stage_id, n FROM accountfieldstagecount "
                              "WHERE n <> 0",
    "memberfieldstagecount": "SELECT member_id, field_id, value, stage_id, n FROM memberfieldstagecount WHERE n <> 0",
}
FRESH = {
    "fieldstagecount": f"SELECT cv.field_id, cv.value, job.stage_id, count(*) {_COUNTED} GROUP BY 1, 2, 3",
    "accountfieldstagecount": f"SELECT job.account_id, cv.field_id, cv.value, job.stage_id, count(*) {_COUNTED} "
                              "GROUP BY 1, 2, 3, 4",
    # What a member may see without "view all", by the rule of actor.account_visible.
    "memberfieldstagecount": f"SELECT m.id, cv.field_id, cv.value, job.stage_id, count(*) {_COUNTED} "
                             "JOIN teammember m ON EXISTS (SELECT 1 FROM accountteam t WHERE t.account_id = job.account_id "
                             "AND t.member_id = m.id) OR EXISTS (SELECT 1 FROM jobassignee a JOIN job j ON j.id = a.job_id "
                             "WHERE j.account_id = job.account_id AND a.member_id = m.id) GROUP BY 1, 2, 3, 4",
}


def a_small_firm(monkeypatch):
    with write_session() as s:
        staff = make_firm(s, owner="Olivia", employees={"bob": "Bob", "carla": "Carla"})
        boss = staff["owner"]
        pipe = make_pipeline(s, boss, name="1040 Return")
        st = [x.id for x in stages_of(s, pipe.id)]
        smith, jones, lee = (make_account(s, boss, name=n) for n in ("Smith", "Jones", "Lee"))
        kind = custom_fields.define_field(s, boss, entity="job", label="Return type", type="choice",
                                          options=["1040", "1065"])
        signed = custom_fields.define_field(s, boss, entity="job", label="Signed", type="yesno")
        note = custom_fields.define_field(s, boss, entity="job", label="Note", type="text")
        s.add(AccountTeam(account_id=jones.id, member_id=staff["bob"].member_id))
        return dict(**staff, pipe=pipe, stages=st, accounts=dict(smith=smith, jones=jones, lee=lee),
                    fields=dict(kind=kind.id, signed=signed.id, note=note.id))


pytestmark = [pytest.mark.firm(build=a_small_firm)]


def assert_kept_counts_agree() -> None:
    with read_session() as s:
        if s.connection().dialect.name != "sqlite":
            return  # PostgreSQL counts in the board's query (below)
        for table, sql in KEPT.items():
            kept = sorted(tuple(r) for r in s.execute(text(sql)))
            fresh = sorted(tuple(r) for r in s.execute(text(FRESH[table])))
            assert kept == fresh, table


def assert_board_counts_agree(firm) -> None:
    """Each column's count of the filtered board equals the matching jobs shown in it (all fit in a column here)."""
    for who in ("owner", "bob"):
        actor = firm[who]
        for field_id, value in ((firm["fields"]["kind"], "1040"), (firm["fields"]["kind"], "1065"),
                                (firm["fields"]["signed"], "yes"), (firm["fields"]["signed"], "no")):
            with read_session() as s:
                flt = field_views.make_filter(s, actor, "board", field_id=field_id, value=value)
                columns = board.load_board(s, actor, firm["pipe"].id, field_filter=flt)
                matching = {c.id: 0 for c in columns}
                for (stage_id,) in s.execute(text(
                        "SELECT job.stage_id FROM job JOIN customvalue cv ON cv.item_id = job.id "
                        "WHERE cv.field_id = :f AND cv.value = :v AND job.archived = false"), {"f": field_id, "v": value}):
                    matching[stage_id] = matching.get(stage_id, 0) + 1
            assert [c.count for c in columns] == [len(c.cards) for c in columns], (who, value)
            if who == "owner":
                assert [c.count for c in columns] == [matching[c.id] for c in columns], value


def test_field_counts_follow_every_kind_of_write(firm):
    boss, st, acc, f = firm["owner"], firm["stages"], firm["accounts"], firm["fields"]
    bob = firm["bob"].member_id
    with write_session() as s:
        a = make_job(s, boss, account=acc["smith"], pipeline=firm["pipe"], assignee_ids=[bob])
        b = make_job(s, boss, account=acc["smith"], pipeline=firm["pipe"], stage_id=st[1])
        c = make_job(s, boss, account=acc["jones"], pipeline=firm["pipe"])
        d = make_job(s, boss, account=acc["lee"], pipeline=firm["pipe"], stage_id=st[2])

    def set_(job, field, value):
        return lambda s: custom_fields.set_value(s, boss, "job", job.id, f[field], value)

    steps = [
        set_(a, "kind", "1040"), set_(b, "kind", "1040"), set_(c, "kind", "1065"), set_(d, "kind", "1040"),
        set_(a, "signed", "yes"), set_(c, "signed", "no"), set_(d, "note", "call first"),
        set_(b, "kind", "1065"),  # changed
        set_(a, "signed", ""),  # cleared
        lambda s: jobs.move_job(s, boss, a.id, st[2]),
        lambda s: jobs.move_jobs(s, boss, [b.id, c.id, d.id], st[3]),
        lambda s: jobs.assign_job(s, boss, d.id, [bob]),  # bob starts seeing Lee
        lambda s: jobs.archive_job(s, boss, b.id),
        lambda s: jobs.archive_job(s, boss, b.id, False),
        lambda s: merge.merge_accounts(s, boss, acc["smith"].id, acc["lee"].id),
        lambda s: jobs.assign_job(s, boss, d.id, []),  # and stops
        lambda s: field_types.change_type(s, boss, f["note"], "choice", ["call first", "mail"]),
        lambda s: removal.delete_job(s, boss, a.id),
        lambda s: custom_fields.delete_field(s, boss, f["signed"]),
    ]
    assert_kept_counts_agree()
    for n, step in enumerate(steps):
        with write_session() as s:
            step(s)
        assert_kept_counts_agree()
        if n < len(steps) - 1:  # (the last step deletes a field the check filters by)
            assert_board_counts_agree(firm)
    with read_session() as s:  # what the steps left: the note's choice counted since its type changed
        assert s.get(Job, d.id).archived is False
        if s.connection().dialect.name == "sqlite":
            assert s.execute(text("SELECT sum(n) FROM fieldstagecount WHERE field_id = :f"),
                             {"f": f["note"]}).scalar() == 1
            assert s.execute(text("SELECT count(*) FROM fieldstagecount WHERE field_id = :f"),
                             {"f": f["signed"]}).scalar() == 0

"""The board's counts kept by the database: after every kind of write they equal the counts computed from scratch."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, text

from practice.db import read_session, write_session
from practice.models import AccountTeam, JobAssignee
from practice.services.work import jobs, merge, removal
from practice.services.work.pipelines import stages_of
from tests.factories import make_account, make_firm, make_job, make_pipeline

# The four tables as the triggers keep them (rows that went back to zero are nothing) and as counted afresh.
KEPT = {
    "stagecount": "SELECT stage_id, n FROM stagecount WHERE n <> 0",
    "accountstagecount": "SELECT account_id, stage_id, n FROM accountstagecount WHERE n <> 0",
    "accountviewer": "SELECT account_id, member_id, reasons FROM accountviewer WHERE reasons <> 0",
    "memberstagecount": "SELECT member_id, stage_id, n FROM memberstagecount WHERE n <> 0",
}
FRESH = {
    "stagecount": "SELECT stage_id, count(*) FROM job WHERE archived = 0 GROUP BY stage_id",
    "accountstagecount": "SELECT account_id, stage_id, count(*) FROM job WHERE archived = 0 GROUP BY 1, 2",
    "accountviewer": "SELECT account_id, member_id, count(*) FROM (SELECT account_id, member_id FROM accountteam "
                     "UNION ALL SELECT job.account_id, jobassignee.member_id FROM jobassignee JOIN job "
                     "ON job.id = jobassignee.job_id) GROUP BY 1, 2",
    # What an employee without "view all" may see, by the rule of actor.account_visible, counted per stage.
    "memberstagecount": "SELECT m.id, job.stage_id, count(*) FROM teammember m JOIN job ON job.archived = 0 "
                        "AND (EXISTS (SELECT 1 FROM accountteam t WHERE t.account_id = job.account_id "
                        "AND t.member_id = m.id) OR EXISTS (SELECT 1 FROM jobassignee a JOIN job j "
                        "ON j.id = a.job_id WHERE j.account_id = job.account_id AND a.member_id = m.id)) "
                        "GROUP BY 1, 2",
}


def a_small_firm(monkeypatch):
    with write_session() as s:
        staff = make_firm(s, owner="Olivia", employees={"bob": "Bob", "carla": "Carla"})
        boss = staff["owner"]
        pipe = make_pipeline(s, boss, name="1040 Return")
        st = [x.id for x in stages_of(s, pipe.id)]
        smith, jones, lee = (make_account(s, boss, name=n) for n in ("Smith", "Jones", "Lee"))
        return dict(**staff, pipe=pipe, stages=st, accounts=dict(smith=smith, jones=jones, lee=lee))


pytestmark = [pytest.mark.firm(build=a_small_firm),
              pytest.mark.sqlite_only("the count tables and their triggers are SQLite's; PostgreSQL counts in the query")]


def assert_counts_agree() -> None:
    with read_session() as s:
        for table, sql in KEPT.items():
            kept = sorted(tuple(r) for r in s.execute(text(sql)))
            fresh = sorted(tuple(r) for r in s.execute(text(FRESH[table])))
            assert kept == fresh, table


def test_counts_follow_every_kind_of_write(firm):
    boss, st, acc = firm["owner"], firm["stages"], firm["accounts"]
    bob, carla = firm["bob"].member_id, firm["carla"].member_id
    with write_session() as s:
        a = make_job(s, boss, account=acc["smith"], pipeline=firm["pipe"], assignee_ids=[bob])
        b = make_job(s, boss, account=acc["smith"], pipeline=firm["pipe"], stage_id=st[1])
        c = make_job(s, boss, account=acc["jones"], pipeline=firm["pipe"], assignee_ids=[bob, carla])
        d = make_job(s, boss, account=acc["lee"], pipeline=firm["pipe"], stage_id=st[2])
    assert_counts_agree()
    steps = [
        lambda s: jobs.move_job(s, boss, a.id, st[2]),
        lambda s: jobs.move_jobs(s, boss, [b.id, c.id, d.id], st[3]),
        lambda s: jobs.assign_job(s, boss, d.id, [carla]),
        lambda s: jobs.assign_job(s, boss, c.id, []),
        lambda s: s.add(AccountTeam(account_id=acc["lee"].id, member_id=bob)),
        lambda s: jobs.archive_job(s, boss, b.id),
        lambda s: jobs.archive_job(s, boss, b.id, False),
        lambda s: s.execute(delete(AccountTeam).where(AccountTeam.member_id == bob)),
        lambda s: s.add(AccountTeam(account_id=acc["lee"].id, member_id=carla)),
        lambda s: merge.merge_accounts(s, boss, acc["smith"].id, acc["lee"].id),
        lambda s: removal.delete_job(s, boss, a.id),
        lambda s: s.execute(delete(JobAssignee)),
    ]
    for step in steps:
        with write_session() as s:
            step(s)
        assert_counts_agree()

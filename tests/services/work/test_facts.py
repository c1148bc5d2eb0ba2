"""A schedule's facts, read for every record at once, are the facts a single record's rules read, already
in the rules' own shape, and pick the same records."""
from __future__ import annotations

import datetime as dt

import pytest

import rules
from practice.db import write_session
from practice.services.work import jobs, tags
from practice.services.work.facts import bulk_facts, facts_for
from tests.factories import actor_of, make_account, make_contact, make_job, make_member, make_pipeline, make_tag

ENTITIES = ("job", "account", "contact")
NOW = dt.datetime(2027, 4, 15, 16, 0, tzinfo=dt.timezone.utc)


def _build(monkeypatch):
    """Accounts, jobs and contacts with and without tags, assignees and dates."""
    with write_session() as s:
        owner = actor_of(make_member(s, role="owner", name="Olivia Park"))
        ann = make_member(s, role="employee", name="Ann Lee")
        pipeline = make_pipeline(s, owner, name="1040 Return")
        vip, late = make_tag(s, owner, "VIP"), make_tag(s, owner, "Late")
        for i in range(6):
            account = make_account(s, owner, name=f"Client {i}", type="Company" if i % 2 else "Individual")
            make_contact(s, owner, [account.id], f"Pat{i}", "Doe", email=None if i == 3 else f"pat{i}@example.org")
            job = make_job(s, owner, account=account, pipeline=pipeline,
                           due_date=dt.date(2027, 5, i + 1) if i % 3 else None)
            if i % 2 == 0:
                tags.set_tag(s, owner, "account", account.id, vip.id, True)
                tags.set_tag(s, owner, "job", job.id, late.id, True)
                tags.set_tag(s, owner, "job", job.id, vip.id, True)
            if i % 3 == 0:
                jobs.assign_job(s, owner, job.id, [ann.id])
    return owner


pytestmark = pytest.mark.firm(build=_build)


def _single(session, record: dict) -> dict:
    kind, item_id = record["target"]
    if kind == "job":
        return facts_for(session, job_id=item_id)
    if kind == "contact":
        return facts_for(session, contact_id=item_id)
    return facts_for(session, account_id=item_id)


@pytest.mark.parametrize("kind", ["account", "job", "contact"])
def test_bulk_facts_equal_each_records_prepared_facts(firm, kind):
    with write_session() as s:
        records = bulk_facts(s, kind)
        assert len(records) == 6
        for record in records:
            prepared = rules.prepare_facts(_single(s, record))
            assert {e: record[e] for e in ENTITIES} == {e: prepared[e] for e in ENTITIES}, record["target"]


@pytest.mark.parametrize("kind, where", [
    ("account", 'account has tag "VIP" and account.type is "Individual"'),
    ("job", 'job.due_date is before 2027-05-04 and job has tag "Late"'),
    ("job", 'job.due_date is empty or job.assignee is "Ann Lee"'),
    ("contact", 'contact.email is empty or account has tag "VIP"'),
])
def test_prepared_records_match_as_prepared_per_record(firm, kind, where):
    text = f'rule "R"\nevery day at 07:00\nfor each {kind} where {where}\nthen\n  add tag "Late" to {kind}\nend\n'
    with write_session() as s:
        records = bulk_facts(s, kind)
    catalog = rules.Catalog.from_dict({"pipelines": {"1040 Return": ["Onboarding", "Preparation", "Review", "Done"]},
                                       "tags": ["VIP", "Late"], "members": ["Ann Lee", "Olivia Park"],
                                       "templates": {"email": ["Hello"]}})
    compiled = rules.compile_rules(rules.check(text, catalog), tz="America/New_York")
    fast = rules.matching(compiled, "R", records, NOW, prepared=True)
    slow = rules.matching(compiled, "R", records, NOW)
    assert [r["target"] for r in fast] == [r["target"] for r in slow]
    assert 0 < len(fast) < len(records)

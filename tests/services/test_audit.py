"""The audit log as an admin reads it: names instead of ids, each event once, filters and the CSV export."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import AuditLog
from practice.services import audit, firm
from practice.services.actor import contact_actor
from practice.services.audit import LogFilter
from practice.services.documents import doc_templates, files as document_files
from practice.services.errors import InvalidInput, PermissionDenied
from practice.services.portal import approvals
from practice.services.work import accounts, audit_history
from tests.factories import make_account, make_firm, make_household, make_job
from tests.factories.hostile_pdfs import normal_pdf


def whitfield(monkeypatch):
    """Olivia (owner), Ann (admin), Bob (employee); the Whitfield account with Dana, and one job."""
    with write_session() as s:
        staff = make_firm(s, admins={"ann": "Ann Lee"}, employees={"bob": "Bob Stone"})
        account, (dana,) = make_household(s, staff["owner"], "Whitfield LLC", "Whitfield", ("Dana",), invite=False)
        other = make_account(s, staff["owner"], name="Hartley Household")
        job = make_job(s, staff["owner"], account=account, name="2026 Form 1065")
        firm.update_firm(s, staff["owner"], name="Park CPAs", timezone="America/New_York")
    return {**staff, "account_id": account.id, "other_id": other.id, "contact_id": dana.id, "job_id": job.id}


pytestmark = pytest.mark.firm(build=whitfield)


def _rows(where: LogFilter | None = None, actor=None):
    with read_session() as s:
        rows = audit.firm_log(s, actor, where=where, limit=500, timezone="America/New_York") if actor else []
        return rows, audit.row_labels(s, rows)


def test_rows_name_the_thing_and_its_account_not_their_ids(firm):
    with write_session() as s:
        audit.record(s, firm["owner"], "team_added", "team_member", firm["bob"].member_id, "Bob joined the team")
    rows, labels = _rows(actor=firm["owner"])
    created_job = next(r for r in rows if r.entity == "job")
    assert labels[created_job.id] == "2026 Form 1065" and created_job.account_id == firm["account_id"]
    team_row = next(r for r in rows if r.entity == "team_member" and r.entity_id == firm["bob"].member_id)
    assert labels[team_row.id] == "Bob Stone"
    account_row = next(r for r in rows if r.entity == "account" and r.entity_id == firm["account_id"])
    assert labels[account_row.id] == "Whitfield LLC"
    assert all("#" not in label for label in labels.values())


def test_a_deleted_thing_keeps_the_name_it_had(firm):
    with write_session() as s:
        template = doc_templates.save_template(s, firm["owner"], name="Engagement letter", body="<p>Hi</p>")
        doc_templates.delete_template(s, firm["owner"], template.id)
        # A row written before names were kept, about an account since deleted.
        s.add(AuditLog(actor_label="Olivia Park", action="update", entity="account", entity_id=9999, summary="x"))
        s.add(AuditLog(actor_label="Olivia Park", action="save", entity="rules", entity_id=12, summary="y"))
    rows, labels = _rows(actor=firm["owner"])
    assert [labels[r.id] for r in rows if r.entity == "document_template"] == ["Engagement letter"] * 2
    # Settings read as what they are, a thing that is gone as "a deleted …", never by its id.
    assert [labels[r.id] for r in rows[:2]] == ["Rules", "a deleted account"]
    assert {labels[r.id] for r in rows if r.entity == "firm"} == {"Firm settings"}


def test_a_renamed_account_reads_its_current_name_in_rows_written_before_names_were_kept(firm):
    with write_session() as s:
        s.add(AuditLog(actor_label="Olivia Park", action="note", entity="account", entity_id=firm["other_id"],
                       summary="old row"))
        accounts.update_account(s, firm["owner"], firm["other_id"], name="Hartley Family")
    with read_session() as s:
        assert audit.labels(s, [("account", firm["other_id"])]) == {("account", firm["other_id"]): "Hartley Family"}


def test_a_client_upload_and_an_approval_are_each_logged_once(firm, tmp_path):
    with read_session() as s:
        dana = contact_actor(s, firm["contact_id"])
    doc = document_files.upload(dana, firm["account_id"], None, "k1.pdf", normal_pdf())
    with write_session() as s:
        approvals.request_approval(s, firm["owner"], document_ids=[doc.id])
    with read_session() as s:
        uploads = s.exec(select(AuditLog).where(AuditLog.summary.contains("k1.pdf"))).all()
        assert [(r.action, r.entity, r.account_id) for r in uploads] == [
            ("upload", "document", firm["account_id"]), ("approval_request", "document", firm["account_id"])]
        # The account's history still shows both, once each.
        history = [e.summary for e in audit_history.list_entries(s, firm["owner"], entity="account",
                                                                  entity_id=firm["account_id"])]
        assert history.count('Uploaded "k1.pdf"') == 1
        assert history.count('Asked the client to approve "k1.pdf"') == 1


def test_filters_by_person_account_kind_and_days(firm):
    owner, ann = firm["owner"], firm["ann"]
    with write_session() as s:
        accounts.update_account(s, ann, firm["other_id"], notes="Prefers email")
    with read_session() as s:
        dana = contact_actor(s, firm["contact_id"])
    document_files.upload(dana, firm["account_id"], None, "w2.pdf", normal_pdf())

    by_ann, _ = _rows(LogFilter(actor_id=ann.member_id), owner)
    assert [r.summary for r in by_ann] == ['Account "Hartley Household": notes none → "Prefers email"']
    by_clients, _ = _rows(LogFilter(others="clients"), owner)
    assert [r.summary for r in by_clients] == ['Uploaded "w2.pdf"']
    whitfield_rows, _ = _rows(LogFilter(account_id=firm["account_id"]), owner)
    # The account's own rows, its job's and its document's.
    assert {r.entity for r in whitfield_rows} == {"account", "job", "document"}
    jobs_only, _ = _rows(LogFilter(entity="job", account_id=firm["account_id"]), owner)
    assert [r.entity_id for r in jobs_only] == [firm["job_id"]]

    today = dt.datetime.now(dt.timezone.utc).astimezone(audit.zone("America/New_York")).date()
    assert len(_rows(LogFilter(since=today, until=today), owner)[0]) == len(_rows(None, owner)[0])
    assert _rows(LogFilter(until=today - dt.timedelta(days=1)), owner)[0] == []
    assert _rows(LogFilter(since=today + dt.timedelta(days=1)), owner)[0] == []
    with pytest.raises(InvalidInput, match="first day comes after the last"):
        _rows(LogFilter(since=today, until=today - dt.timedelta(days=1)), owner)


def test_days_are_the_firms_days(firm):
    # 11:30 PM in New York on Mar 9 is 03:30 UTC on Mar 10: it belongs to Mar 9 for the firm.
    with write_session() as s:
        s.add(AuditLog(at=dt.datetime(2026, 3, 10, 3, 30, tzinfo=dt.timezone.utc), actor_label="Olivia Park",
                       action="note", entity="firm", summary="late evening"))
    on_the_9th, _ = _rows(LogFilter(since=dt.date(2026, 3, 9), until=dt.date(2026, 3, 9)), firm["owner"])
    on_the_10th, _ = _rows(LogFilter(since=dt.date(2026, 3, 10), until=dt.date(2026, 3, 10)), firm["owner"])
    assert [r.summary for r in on_the_9th] == ["late evening"] and on_the_10th == []


def test_the_csv_export_holds_the_filtered_rows_by_name_and_is_for_admins(firm):
    with write_session() as s:
        accounts.update_account(s, firm["ann"], firm["account_id"], notes="=HYPERLINK(\"http://x\")")
        s.add(AuditLog(actor_label="Olivia Park", action="note", entity="account", entity_id=firm["account_id"],
                       account_id=firm["account_id"], summary="=cmd|' /C calc'!A0"))
    with read_session() as s:
        text, count = audit.export_csv(s, firm["owner"], LogFilter(account_id=firm["account_id"]), "America/New_York")
        with pytest.raises(PermissionDenied):
            audit.export_csv(s, firm["bob"], LogFilter(), "UTC")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["When", "Who", "What", "Kind", "Thing", "Account"]
    assert count == len(rows) - 1 and count >= 3
    assert rows[1][1:] == ["Olivia Park", "'=cmd|' /C calc'!A0", "Account", "Whitfield LLC", "Whitfield LLC"]
    assert rows[2][1:] == ["Ann Lee", 'Account "Whitfield LLC": notes none → "=HYPERLINK("http://x")"', "Account",
                           "Whitfield LLC", "Whitfield LLC"]
    job_row = next(r for r in rows if r[3] == "Job")
    assert job_row[4:] == ["2026 Form 1065", "Whitfield LLC"]
    for r in rows[1:]:
        assert "+" not in r[0] and "T" not in r[0].split(",")[0] and r[0].endswith(("AM", "PM"))
    assert not any("Hartley" in cell for r in rows for cell in r)


def test_the_firm_log_and_its_filters_are_for_admins_only(firm):
    with read_session() as s:
        assert audit.logged_accounts(s, firm["ann"]) == [(firm["other_id"], "Hartley Household"),
                                                          (firm["account_id"], "Whitfield LLC")]
        for fn in (audit.firm_log, audit.logged_entities, audit.logged_accounts):
            with pytest.raises(PermissionDenied):
                fn(s, firm["bob"])

"""The view records pages show carry one date format: never an ISO timestamp, a UTC offset or a zone name."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import AuditLog
from practice.services import firm
from practice.services.actor import contact_actor
from practice.services.documents import files as document_files
from practice.services.work import audit_history, tasks
from practice.state.audit import _items as audit_items
from practice.state.documents import document_items
from practice.state.portal import task_items as portal_task_items
from practice.state.work_views import history_items, task_items
from tests.factories import make_firm, make_household, make_job
from tests.factories.hostile_pdfs import normal_pdf

ISO = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}|[+-]\d{2}:\d{2}\b|\bUTC\b|\b[ECMP][SD]T\b")
ZONE = "America/Los_Angeles"


def whitfield(monkeypatch):
    with write_session() as s:
        owner = make_firm(s)["owner"]
        account, (dana,) = make_household(s, owner, "Whitfield LLC", "Whitfield", ("Dana",), invite=False)
        job = make_job(s, owner, account=account, name="2026 Form 1065", due_date=dt.date(2025, 4, 15))
        tasks.create_task(s, owner, title="Collect K-1s", job_id=job.id, due_date=dt.date.today())
        firm.update_firm(s, owner, name="Park CPAs", timezone=ZONE)
        s.add(AuditLog(at=dt.datetime(2024, 7, 1, 23, 30, tzinfo=dt.timezone.utc), actor_label="Olivia Park",
                       action="note", entity="account", entity_id=account.id, account_id=account.id, summary="old"))
    return {"owner": owner, "account_id": account.id, "contact_id": dana.id, "job_id": job.id}


pytestmark = pytest.mark.firm(build=whitfield)


def _texts(items) -> list[str]:
    return [v for item in items for v in dataclasses.asdict(item).values() if isinstance(v, str)]


def test_no_view_record_shows_an_iso_time_an_offset_or_a_zone(firm):
    with read_session() as s:
        dana = contact_actor(s, firm["contact_id"])
    document_files.upload(dana, firm["account_id"], None, "k1.pdf", normal_pdf())
    owner = firm["owner"]
    with read_session() as s:
        history = history_items(audit_history.list_entries(s, owner, entity="account", entity_id=firm["account_id"]),
                                ZONE)
        docs = document_items(document_files.list_documents(s, owner, firm["account_id"]), ZONE)
        task_rows = task_items(tasks.list_tasks(s, owner, mine=False, status="all"))
        log = audit_items(s, list(s.exec(select(AuditLog).order_by(AuditLog.id))), ZONE)
    portal_tasks = portal_task_items([])
    records = history + docs + task_rows + log + portal_tasks
    texts = [t for t in _texts(records) if not t.startswith("/")]  # links are not shown text
    assert texts and not [t for t in texts if ISO.search(t)]
    # The old row reads on the firm's clock (4:30 PM in Los Angeles), with its year.
    assert "Jul 1, 2024, 4:30 PM" in _texts(log)
    assert "just now" in _texts(history)

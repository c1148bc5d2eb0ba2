"""What one portal page view costs the database: the page's data in one read transaction of a few statements, and
no write at all (the session's activity is recorded at most once a minute). Counted with SQLAlchemy's
`before_cursor_execute`, on a contact whose account has something on every page: tasks, a job, a shared document,
an approval to give, a proposal and a signature request."""
from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import re
from contextlib import contextmanager

import pytest
from reflex.istate.data import RouterData
from sqlalchemy import event
from sqlmodel import select

from practice import routes
from practice.db import get_engine, read_session, write_session
from practice.models import PortalSession
from practice.services.documents import files as document_files
from practice.services.portal import approvals, client_tasks, logins
from practice.services.proposals import sending
from practice.services.work import jobs
from practice.state.portal import PortalHomeState, PortalProfileState, PortalTasksState
from practice.state.portal_documents import PortalDocumentsState
from tests.factories import (PASSWORD, give_portal_login, make_firm, make_household, make_pipeline,
                             make_proposal_template, make_signature_request, sample_pdf)

TRANSACTION = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)", re.I)
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)", re.I)


def june_with_something_on_every_page(monkeypatch):
    """Hartley Household: June with a portal login; a job with two client tasks, a shared document, a document to
    approve, a proposal and a signature request waiting for her."""
    with write_session() as s:
        staff = make_firm(s)
        owner = staff["owner"]
        pipeline = make_pipeline(s, owner)
        hartley, (june,) = make_household(s, owner, "Hartley Household", "Hartley", ("June",), invite=False)
        job = jobs.create_job(s, owner, account_id=hartley.id, pipeline_id=pipeline.id, name="1040 2026",
                              due_date=dt.date.today() + dt.timedelta(days=9))
        for title in ("Upload your W-2", "Upload your 1099"):
            client_tasks.create_client_task(s, owner, job.id, title=title)
        template = make_proposal_template(s, owner, lines=[{"service": "Tax return", "rate_cents": 90000}])
    give_portal_login(owner, june.id, PASSWORD)
    document_files.upload(owner, hartley.id, None, "summary.txt", b"what we agreed", shared=True)
    to_approve = document_files.upload(owner, hartley.id, None, "return.txt", b"the return", shared=True)
    to_sign = document_files.upload(owner, hartley.id, None, "8879.pdf", sample_pdf(), shared=False)
    with write_session() as s:
        approvals.request_approval(s, owner, document_ids=[to_approve.id], job_id=job.id)
        sending.send_proposal(s, owner, hartley.id, template.id)
        make_signature_request(s, owner, hartley.id, title="Form 8879", document_id=to_sign.id,
                               signer_contact_ids=[june.id])
    with write_session() as s:
        sid = logins.log_in(s, "june@hartley.example", PASSWORD)
    return {"sid": sid, "june": june.id}


pytestmark = pytest.mark.firm(build=june_with_something_on_every_page)


class Cost:
    def __init__(self):
        self.statements: list[str] = []
        self.transactions = 0
        self.writes: list[str] = []

    def began(self, conn):  # SQLAlchemy's begin: SQLite's "BEGIN" statement, or PostgreSQL's implicit one
        self.transactions += 1

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if TRANSACTION.match(statement):
            return
        self.statements.append(statement)
        if WRITE.match(statement):
            self.writes.append(statement)


@contextmanager
def counted():
    cost = Cost()
    engine = get_engine()
    event.listen(engine, "before_cursor_execute", cost)
    event.listen(engine, "begin", cost.began)
    try:
        yield cost
    finally:
        event.remove(engine, "before_cursor_execute", cost)
        event.remove(engine, "begin", cost.began)


PAGES = {"home": PortalHomeState, "tasks": PortalTasksState, "documents": PortalDocumentsState,
         "profile": PortalProfileState}
# Statements a page view may run: who is visiting (one), then at most three for the page's data.
BUDGET = {"home": 4, "tasks": 2, "documents": 3, "profile": 1}


def view(cls, sid):
    state = cls()
    # The browser's HttpOnly cookie, as the tab's websocket handshake carries it.
    state.router = RouterData.from_router_data({"headers": {"cookie": f"{routes.PORTAL_SESSION_COOKIE}={sid}"}})
    with counted() as cost:
        loaded = state.load()
        assert (asyncio.run(loaded) if inspect.iscoroutine(loaded) else loaded) is None, "the page sent June away"
    return state, cost


def test_each_portal_page_loads_in_one_read_transaction_of_at_most_four_statements(firm):
    for page, cls in PAGES.items():
        state, cost = view(cls, firm["sid"])
        assert state.contact_name == "June Hartley" and state.current_account_name == "Hartley Household", page
        assert (cost.transactions, cost.writes) == (1, []), page
        assert len(cost.statements) <= BUDGET[page], (page, cost.statements)


def test_the_pages_show_what_june_has_to_do(firm):
    home, _ = view(PortalHomeState, firm["sid"])
    assert [t.title for t in home.tasks] == ["Upload your W-2", "Upload your 1099"]
    assert [(j.name, j.open_tasks) for j in home.jobs] == [("1040 2026", 2)]
    assert [d.name for d in home.looks] == ["summary.txt"] and [a.document for a in home.approvals] == ["return.txt"]
    assert [p.name for p in home.proposals] == ["Engagement 2027"]
    assert [(s.title, s.my_turn) for s in home.to_sign] == [("Form 8879", True)]
    documents, _ = view(PortalDocumentsState, firm["sid"])
    assert {d.name for d in documents.docs} == {"summary.txt", "return.txt"}
    profile, _ = view(PortalProfileState, firm["sid"])
    assert profile.email == "june@hartley.example"


def test_navigating_writes_nothing_and_activity_is_recorded_once_a_minute(firm):
    with counted() as cost:
        for _ in range(3):
            for cls in PAGES.values():
                view(cls, firm["sid"])
    assert cost.writes == []
    with write_session() as s:
        row = s.exec(select(PortalSession)).one()
        row.last_seen_at -= dt.timedelta(minutes=2)
        before = row.last_seen_at
    with counted() as cost:
        for cls in PAGES.values():
            view(cls, firm["sid"])
    assert len(cost.writes) == 1 and cost.writes[0].lstrip().upper().startswith("UPDATE PORTALSESSION")
    with read_session() as s:
        assert s.exec(select(PortalSession)).one().last_seen_at > before

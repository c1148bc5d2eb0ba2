"""A firm for the API tests: accounts A (Eli works on it) and B (Eli does not), a job, a task, a document and events
of each, and tokens: the owner's (read, write), the admin's, Eli's (read, write) and a revoked one."""
from __future__ import annotations

import warnings

from starlette.applications import Starlette

from practice import api_routes
from practice.db import write_session
from practice.services.access import api_tokens
from practice.services.documents import files as document_files
from practice.services.work import accounts, tasks
from practice.services.work.pipelines import stages_of
from tests.factories import make_account, make_contact, make_firm, make_job, make_pipeline, normal_pdf

with warnings.catch_warnings():  # Starlette would rather have httpx2; the httpx it ships with works the same here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


def build(monkeypatch) -> dict:
    with write_session() as s:
        staff = make_firm(s, admins={"ann": "Ann Admin"}, employees={"eli": "Eli Employee"})
        owner = staff["owner"]
        pipeline = make_pipeline(s, owner, name="Tax returns")
        a = make_account(s, owner, name="Avery Household")
        b = make_account(s, owner, name="Blake Holdings", type="Company")
        accounts.add_team_member_to_account(s, owner, a.id, staff["eli"].member_id)
        contact_a = make_contact(s, owner, [a.id], "Amy", "Avery")
        contact_b = make_contact(s, owner, [b.id], "Ben", "Blake")
        job_a = make_job(s, owner, account=a, pipeline=pipeline, name="2026 return A")
        job_b = make_job(s, owner, account=b, pipeline=pipeline, name="2026 return B")
        task_a = tasks.create_task(s, owner, title="Ask Amy for W-2", job_id=job_a.id)
        task_b = tasks.create_task(s, owner, title="Ask Ben for 1099", job_id=job_b.id)
        tokens = {}
        for key, who, scope in (("owner_read", owner, "read"), ("owner_write", owner, "write"),
                                ("admin", staff["ann"], "write"), ("eli_read", staff["eli"], "read"),
                                ("eli_write", staff["eli"], "write"), ("revoked", owner, "write")):
            token, secret = api_tokens.create_token(s, who, key, scope)
            tokens[key] = (token.id, secret)
        api_tokens.revoke_token(s, owner, tokens["revoked"][0])
        stages = {st.name: st.id for st in stages_of(s, pipeline.id)}
    doc_a = document_files.upload(owner, a.id, None, "W-2 Amy.pdf", normal_pdf(1))
    doc_b = document_files.upload(owner, b.id, None, "1099 Ben.pdf", normal_pdf(1))
    return {"staff": staff, "a": a.id, "b": b.id, "contact_a": contact_a.id, "contact_b": contact_b.id,
            "job_a": job_a.id, "job_b": job_b.id, "task_a": task_a.id, "task_b": task_b.id, "doc_a": doc_a.id,
            "doc_b": doc_b.id, "tokens": {k: v[1] for k, v in tokens.items()}, "stages": stages,
            "pipeline": pipeline.id}


def client() -> TestClient:
    """The API's routes in-process (the same Starlette routes the backend serves first), limits reset."""
    api_routes.TOKEN_LIMIT.clear()
    api_routes.FAILED_LIMIT.clear()
    return TestClient(Starlette(routes=api_routes.API_ROUTES))


def auth(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}

"""A portal contact handed to a staff service is refused with a sentence, never met with a crash.

The handler guard keeps contacts away from staff handlers; this is the second wall: the services' own
permission helpers (`require_staff`, `require_admin`, `account_visible`) check who is asking.
"""
import pytest

from practice.db import write_session
from practice.services.access import team
from practice.services.work import accounts, board, catalog, jobs, pipelines, tags, tasks
from practice.services.actor import ContactActor
from practice.services.errors import PermissionDenied
from tests.factories import actor_of, make_account, make_job, make_member, make_pipeline

pytestmark = pytest.mark.security


def test_staff_services_refuse_a_portal_contact(fresh_db):
    with write_session() as s:
        owner = actor_of(make_member(s, role="owner"))
        pipeline = make_pipeline(s, owner)
        account = make_account(s, owner)
        job = make_job(s, owner, account=account, pipeline=pipeline)
        contact = accounts.create_contact(s, owner, account_ids=[account.id], first_name="Amy", last_name="Jones",
                                          email="amy@example.com")
        ids = {"account": account.id, "job": job.id, "pipeline": pipeline.id, "contact": contact.id}
    client = ContactActor(contact_id=ids["contact"], name="Amy Jones", account_ids=frozenset({ids["account"]}))
    calls = {
        "accounts.get_account": lambda s: accounts.get_account(s, client, ids["account"]),
        "accounts.list_accounts": lambda s: accounts.list_accounts(s, client),
        "jobs.get_job": lambda s: jobs.get_job(s, client, ids["job"]),
        "board.load_board": lambda s: board.load_board(s, client, ids["pipeline"]),
        "team.add_member": lambda s: team.add_member(s, client, name="Eve", email="eve@example.com",
                                                     password="a-long-password", role="admin"),
        "tags.create_tag": lambda s: tags.create_tag(s, client, name="Mine"),
        "catalog.create_service": lambda s: catalog.create_service(s, client, name="Free work", rate_cents=0),
        "pipelines.create_pipeline": lambda s: pipelines.create_pipeline(s, client, name="Mine", stages=["A"]),
        "tasks.list_tasks": lambda s: tasks.list_tasks(s, client),
    }
    crashed = {}
    for name, call in calls.items():
        with write_session() as s:
            try:
                call(s)
            except PermissionDenied:
                continue
            except Exception as err:  # noqa: BLE001 - the point is to list every other outcome
                crashed[name] = f"{type(err).__name__}: {err}"
                continue
            crashed[name] = "allowed"
    assert not crashed, crashed

"""The staff home's "what do I do today": my tasks due today and overdue, the jobs waiting on the client, and what
clients did lately; an employee sees only their own tasks and the accounts they may see."""
import datetime as dt

import pytest

from practice.db import read_session, write_session
from practice.services.documents import files
from practice.services.portal import client_tasks, logins
from practice.services.work import accounts, tasks, today
from tests.factories import (contact_actor, make_firm, make_household, make_job, make_pipeline,
                             make_signature_request, sample_pdf)

DAY = dt.timedelta(days=1)


def two_households(monkeypatch):
    """Olivia (owner) and Bob (employee, on the Hartley account's team only); the Quinns are not Bob's."""
    with write_session() as s:
        staff = make_firm(s, employees={"bob": "Bob Stone"})
        owner, bob = staff["owner"], staff["bob"]
        pipeline = make_pipeline(s, owner, name="1040 Return")
        hartley, (june,) = make_household(s, owner, "Hartley Household", "Hartley", ("June",), invite=False)
        quinn, (max_,) = make_household(s, owner, "Quinn Household", "Quinn", ("Max",), invite=False)
        accounts.add_team_member_to_account(s, owner, hartley.id, bob.member_id)
        hartley_job = make_job(s, owner, account=hartley, pipeline=pipeline, name="Hartley 1040 2026")
        quinn_job = make_job(s, owner, account=quinn, pipeline=pipeline, name="Quinn 1040 2026")
        now = today.firm_today(s)
    return {**staff, "hartley": hartley.id, "quinn": quinn.id, "june": june.id, "max": max_.id,
            "hartley_job": hartley_job.id, "quinn_job": quinn_job.id, "today": now}


pytestmark = pytest.mark.firm(build=two_households)


def home(actor) -> today.Today:
    with read_session() as s:
        return today.today_for(s, actor)


def test_my_tasks_due_today_and_overdue_oldest_first_and_nothing_else(firm):
    bob, d = firm["bob"], firm["today"]
    with write_session() as s:
        for title, due, who in [("File extension", d - 3 * DAY, bob), ("Call June", d, bob),
                                ("Next week's review", d + 7 * DAY, bob), ("No date", None, bob),
                                ("Olivia's own", d, firm["owner"])]:
            tasks.create_task(s, firm["owner"], title=title, due_date=due, assignee_id=who.member_id,
                              job_id=firm["hartley_job"])
        done = tasks.create_task(s, bob, title="Already done", due_date=d, assignee_id=bob.member_id)
        tasks.set_status(s, bob, done.id, "completed")
    due = home(bob).tasks
    assert [(t.title, t.overdue) for t in due] == [("File extension", True), ("Call June", False)]
    assert due[1].job == "Hartley 1040 2026" and due[1].job_id == firm["hartley_job"]
    assert due[1].account == "Hartley Household"


def test_jobs_waiting_on_the_client_name_what_they_owe_and_stay_within_what_bob_may_see(firm):
    with write_session() as s:
        for job, title in [("hartley_job", "Upload your W-2"), ("hartley_job", "Upload your 1099"),
                           ("quinn_job", "Sign the engagement letter")]:
            client_tasks.create_client_task(s, firm["owner"], firm[job], title=title)
    owner_view = home(firm["owner"])
    assert owner_view.waiting_total == 2
    waiting = {w.job: w for w in owner_view.waiting}
    assert waiting["Hartley 1040 2026"].waiting_for == ["2 client tasks"]
    assert waiting["Hartley 1040 2026"].account == "Hartley Household"
    assert waiting["Quinn 1040 2026"].waiting_for == ["1 client task"]
    # Bob works on the Hartleys only.
    assert [w.job for w in home(firm["bob"]).waiting] == ["Hartley 1040 2026"]


def test_a_job_no_longer_waits_once_the_client_has_done_everything(firm):
    with write_session() as s:
        task = client_tasks.create_client_task(s, firm["owner"], firm["hartley_job"], title="Upload your W-2")
    with write_session() as s:
        client_tasks.complete_client_task(s, contact_actor(firm["june"]), task.id)
    view = home(firm["owner"])
    assert view.waiting == [] and view.waiting_total == 0
    # ...and what June did is the newest client activity.
    assert view.activity[0].text == 'June Hartley completed every client task of "Hartley 1040 2026"'
    assert view.activity[0].job_id == firm["hartley_job"]


def test_client_activity_names_who_did_what_and_leaves_out_accounts_bob_does_not_see(firm):
    files.upload(contact_actor(firm["june"]), firm["hartley"], None, "W-2 2026.pdf", sample_pdf())
    files.upload(contact_actor(firm["max"]), firm["quinn"], None, "Quinn 1099.pdf", sample_pdf())
    # A staff upload is not client activity.
    files.upload(firm["owner"], firm["hartley"], None, "Engagement.pdf", sample_pdf())
    assert [a.text for a in home(firm["owner"]).activity] == ['Max Quinn uploaded "Quinn 1099.pdf"',
                                                            'June Hartley uploaded "W-2 2026.pdf"']
    (seen,) = home(firm["bob"]).activity
    assert seen.text == 'June Hartley uploaded "W-2 2026.pdf"' and seen.account_id == firm["hartley"]


def test_an_empty_day_is_empty(firm):
    view = home(firm["bob"])
    assert (view.tasks, view.waiting, view.waiting_total, view.activity) == ([], [], 0, [])


def test_a_task_marked_waiting_for_the_client_makes_its_job_wait(firm):
    with write_session() as s:
        task = tasks.create_task(s, firm["owner"], title="Get the K-1 from June", job_id=firm["hartley_job"])
        tasks.set_status(s, firm["owner"], task.id, "waiting_for_client")
    (waiting,) = home(firm["bob"]).waiting
    assert waiting.waiting_for == ['task waiting for the client: "Get the K-1 from June"']


def test_a_signature_asked_outside_any_job_makes_the_account_wait(firm):
    pdf = files.upload(firm["owner"], firm["quinn"], None, "Engagement letter.pdf", sample_pdf())
    with write_session() as s:
        logins.invite(s, firm["owner"], firm["max"])
        make_signature_request(s, firm["owner"], firm["quinn"], title="Engagement letter 2027", document_id=pdf.id,
                               signer_contact_ids=[firm["max"]])
    (waiting,) = home(firm["owner"]).waiting
    assert (waiting.job_id, waiting.account, waiting.account_id) == (None, "Quinn Household", firm["quinn"])
    assert waiting.waiting_for == ['signature: "Engagement letter 2027"'] and waiting.since is not None
    # Bob does not work on the Quinns.
    assert home(firm["bob"]).waiting == []

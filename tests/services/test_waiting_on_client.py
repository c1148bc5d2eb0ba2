"""What a job waits on its client for, as the board card shows it: every kind of client-facing item counts while
the client still has to act on it, closing one lowers the count, and another account's items never count."""
from __future__ import annotations

import pytest

from practice.db import read_session, write_session
from practice.i18n import using_locale
from practice.models import ClientTask
from practice.services.automation import rulesets
from practice.services.chats import messages, threads
from practice.services.chats.messages import TaskRequest
from practice.services.client_requests import sending as client_requests
from practice.services.documents import files as document_files
from practice.services.organizers import filling, sent as organizers
from practice.services.portal import approvals, client_tasks
from practice.services.proposals import sending as proposals
from practice.services.signing import requests as signing
from practice.services.work.board import load_board
from tests.factories import (blank_pdf, contact_actor, give_portal_login, make_firm, make_household, make_job,
                             make_organizer, make_pipeline, make_proposal_template, make_signature_request, signature_fields)

ORGANIZER = {"About you": [{"label": "Anything we should know?", "key": "notes", "kind": "short_text"}]}


def hartley_and_osei(monkeypatch):
    """Hartley Household (June has a portal login) with a 1040 job; Osei Household with its own job; Bob, an
    employee, is on neither account's team."""
    with write_session() as s:
        staff = make_firm(s, employees={"bob": "Bob Stone"})
        owner = staff["owner"]
        pipeline = make_pipeline(s, owner, name="1040 Return")
        hartley, (june,) = make_household(s, owner, "Hartley Household", "Hartley", ("June",), invite=False)
        osei, (omar,) = make_household(s, owner, "Osei Household", "Osei", ("Omar",), invite=False)
        make_proposal_template(s, owner, lines=[{"service": "Tax return", "rate_cents": 90000, "quantity": 1}])
        template = make_organizer(s, owner, name="Short organizer", sections=ORGANIZER)
        job = make_job(s, owner, account=hartley, pipeline=pipeline, name="1040 2026")
        other = make_job(s, owner, account=osei, pipeline=pipeline, name="Osei 1040")
    give_portal_login(owner, june.id, "correct horse battery staple")
    give_portal_login(owner, omar.id, "correct horse battery staple")
    return {**staff, "pipeline": pipeline.id, "hartley": hartley.id, "osei": osei.id, "job": job.id,
            "other": other.id, "june": june.id, "omar": omar.id, "template": template.id}


pytestmark = pytest.mark.firm(build=hartley_and_osei)


def card(firm, job_key="job", who="owner"):
    with read_session() as s:
        cards = [c for col in load_board(s, firm[who], firm["pipeline"]) for c in col.cards]
    return next(c for c in cards if c.id == firm[job_key])


def give_everything(firm, account="hartley", job="job", contact="june") -> dict:
    """One item of each kind on the job (two client tasks, one asked in a chat message) as staff send them."""
    owner, account_id, job_id = firm["owner"], firm[account], firm[job]
    doc = document_files.upload(owner, account_id, None, "Return 2026.pdf", blank_pdf())
    to_sign = document_files.upload(owner, account_id, None, "8879.pdf", blank_pdf())
    with write_session() as s:
        task = client_tasks.create_client_task(s, owner, job_id, title="Upload your W-2").id
        thread = threads.start_thread(s, owner, account_id=account_id, subject="Your 2026 return", job_id=job_id).id
        messages.write_as_staff(s, owner, thread, "Please send your 1099-INT.", tasks=[TaskRequest("Upload your 1099-INT")])
        request = client_requests.send_request(s, owner, account_id, job_id=job_id, title="Bank documents",
                                               items=[{"kind": "file", "label": "1099-INT"}], contact_id=firm[contact]).id
        organizer = organizers.send_organizer(s, owner, account_id, "Short organizer", job_id=job_id).id
        (approval,) = approvals.request_approval(s, owner, document_ids=[doc.id], job_id=job_id)
        signature = make_signature_request(s, owner, account_id, title="Form 8879", document_id=to_sign.id,
                                           signer_contact_ids=[firm[contact]], job_id=job_id,
                                           fields=lambda ids: signature_fields(ids)).id
        proposal = proposals.send_proposal(s, owner, account_id, "Engagement 2027", job_id=job_id).id
    return {"task": task, "thread": thread, "request": request, "organizer": organizer, "approval": approval.id,
            "signature": signature, "proposal": proposal}


def test_a_card_counts_each_kind_of_item_until_the_client_has_done_it(firm):
    assert card(firm).waiting == {} and card(firm).waiting_words() == ""
    made = give_everything(firm)
    shown = card(firm)
    assert shown.waiting == {"client_request": 1, "client_task": 2, "organizer": 1, "approval": 1, "signature": 1,
                             "proposal": 1, "message": 1}
    assert shown.waiting_total == 8
    assert shown.waiting_words() == ("1 client request, 2 client tasks, 1 organizer, 1 approval, 1 signature, "
                                     "1 proposal, 1 unread message")
    with using_locale("fr"):
        assert shown.waiting_words() == ("1 demande au client, 2 tâches client, 1 questionnaire, 1 validation, "
                                         "1 signature, 1 proposition, 1 message non lu")

    june = contact_actor(firm["june"])
    with write_session() as s:  # June reads the conversation and ticks both tasks
        threads.mark_read(s, june, made["thread"])
        for task in s.exec(ClientTask.__table__.select().where(ClientTask.job_id == firm["job"])).all():
            client_tasks.complete_client_task(s, june, task.id)
    assert card(firm).waiting == {"client_request": 1, "organizer": 1, "approval": 1, "signature": 1, "proposal": 1}
    with write_session() as s:
        approvals.decide(s, june, made["approval"], approve=True)
        filling.submit(s, june, made["organizer"], firm_catalog=rulesets.catalog_from_db)
    assert card(firm).waiting == {"client_request": 1, "signature": 1, "proposal": 1}
    with write_session() as s:  # the firm withdraws the rest
        client_requests.revoke(s, firm["owner"], made["request"])
        signing.cancel(s, firm["owner"], made["signature"])
        proposals.cancel(s, firm["owner"], made["proposal"])
    assert card(firm).waiting == {} and card(firm).waiting_words() == ""
    with write_session() as s:  # a new message from the firm waits again; an internal note never does
        messages.write_as_staff(s, firm["owner"], made["thread"], "One more thing: your 1098.")
        messages.write_as_staff(s, firm["owner"], made["thread"], "Checked with @Olivia", internal=True)
    assert card(firm).waiting == {"message": 1}


def test_another_accounts_items_never_count(firm):
    give_everything(firm, account="osei", job="other", contact="omar")
    assert card(firm).waiting == {}
    assert card(firm, "other").waiting_total == 8
    with write_session() as s:  # even a stray row naming the job, on another account, is not the job's
        s.add(ClientTask(account_id=firm["osei"], job_id=firm["job"], title="Not Hartley's"))
    assert card(firm).waiting == {}


def test_a_clients_own_message_does_not_wait_on_the_client(firm):
    june = contact_actor(firm["june"])
    with write_session() as s:
        thread = threads.start_thread(s, firm["owner"], account_id=firm["hartley"], subject="Question",
                                      job_id=firm["job"]).id
        messages.write_as_client(s, june, thread, "Is my 1099 needed?")
    assert card(firm).waiting == {}

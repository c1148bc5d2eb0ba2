"""Approvals through the services: staff ask, the client approves or rejects with a reason, events and
Inbox+ follow, the rule action asks for a folder with reminders that stop once decided."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import ApprovalRequest, Due, Job, Event, Notification, OutgoingMail, RuleRun, utcnow
from practice.services import reminders
from practice.services.actor import ContactActor
from practice.services.automation import reminder_kinds, rulesets
from practice.services.documents import files as document_files, folders as document_folders
from practice.services.portal import approvals, client_tasks, logins
from practice.services.work import jobs
from practice.services.work.pipelines import stages_of
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.factories import actor_of, contact_actor, make_firm, make_household, make_member, make_pipeline


def hartley_with_documents_to_approve(monkeypatch):
    """Hartley Household (June; Carla on its team) with a job Bob works on and two documents in "To sign",
    an empty folder; Other Client with Sam."""
    with write_session() as s:
        staff = make_firm(s, employees={"bob": "Bob Stone", "carla": "Carla Diaz"})
        owner = staff["owner"]
        pipeline = make_pipeline(s, owner, name="1040 Return")
        hartley, (june,) = make_household(s, owner, "Hartley Household", "Hartley", ("June",), invite=False,
                                          team_member_ids=[staff["carla"].member_id])
        other, (sam,) = make_household(s, owner, "Other Client", "Other", ("Sam",), invite=False)
        job = jobs.create_job(s, owner, account_id=hartley.id, pipeline_id=pipeline.id, name="1040 2026")
        jobs.assign_job(s, owner, job.id, [staff["bob"].member_id])
        folder = document_folders.create_folder(s, owner, hartley.id, "To sign")
        empty = document_folders.create_folder(s, owner, hartley.id, "Empty")
    doc = document_files.upload(owner, hartley.id, folder.id, "engagement.txt", b"engagement letter")
    doc2 = document_files.upload(owner, hartley.id, folder.id, "return.txt", b"the return")
    return {**staff, "hartley": hartley.id, "other": other.id, "job": job.id,
            "folder": folder.id, "empty": empty.id, "doc": doc.id, "doc2": doc2.id, "june": contact_actor(june.id),
            "sam": contact_actor(sam.id)}


pytestmark = pytest.mark.firm(build=hartley_with_documents_to_approve)


def ask(firm, *ids, **kw):
    with write_session() as s:
        return [r.id for r in approvals.request_approval(s, firm["owner"], document_ids=list(ids), **kw)]


def decide(who, approval_id, approve, reason=""):
    with write_session() as s:
        return approvals.decide(s, who, approval_id, approve=approve, reason=reason).status.value


def notes(member):
    with read_session() as s:
        return [n.text for n in s.exec(select(Notification).where(Notification.member_id == member.member_id,
                                                                  Notification.kind == "client_activity"))]


def test_staff_ask_and_the_client_approves_with_an_event_and_a_note_for_the_assignee(firm):
    (req,) = ask(firm, firm["doc"], job_id=firm["job"])
    with read_session() as s:
        (queued,) = s.exec(select(OutgoingMail)).all()
        assert queued.to_address == "june@hartley.example" and "engagement.txt" in queued.body
        (view,) = approvals.list_for_contact(s, firm["june"], firm["hartley"])
        assert view.document_name == "engagement.txt" and view.status == "pending"
    assert ask(firm, firm["doc"]) == [req]  # a document waiting for a decision keeps its one request
    assert decide(firm["june"], req, True) == "approved"
    with read_session() as s:
        ev = s.exec(select(Event).where(Event.kind == "document_approved")).one()
        assert ev.payload["document_id"] == firm["doc"] and ev.payload["contact_id"] == firm["june"].contact_id
        assert ev.payload["job_id"] == firm["job"] and ev.account_id == firm["hartley"]
        (view,) = approvals.list_for_account(s, firm["owner"], firm["hartley"])
        assert (view.status, view.decided_by) == ("approved", "June Hartley")
        assert approvals.list_for_contact(s, firm["june"], firm["hartley"]) == []
    assert notes(firm["bob"]) == ['June Hartley (Hartley Household) approved "engagement.txt"']
    with pytest.raises(Conflict):
        decide(firm["june"], req, False, "changed my mind")


def test_a_rejection_needs_a_reason_and_tells_the_account_team(firm):
    (req,) = ask(firm, firm["doc2"])
    with pytest.raises(InvalidInput, match="Say why"):
        decide(firm["june"], req, False, "   ")
    assert decide(firm["june"], req, False, "The address is wrong") == "rejected"
    with read_session() as s:
        ev = s.exec(select(Event).where(Event.kind == "document_rejected")).one()
        assert ev.payload["document_id"] == firm["doc2"] and ev.payload["job_id"] is None
        assert s.get(ApprovalRequest, req).reason == "The address is wrong"
    # No job: the account's team (Carla) hears of it, not the job's assignee.
    assert notes(firm["carla"]) == ['June Hartley (Hartley Household) rejected "return.txt": The address is wrong']
    assert notes(firm["bob"]) == []


def test_another_clients_contact_and_staff_cannot_decide(firm):
    (req,) = ask(firm, firm["doc"])
    with pytest.raises(NotFound):
        decide(firm["sam"], req, True)
    forged = ContactActor(firm["sam"].contact_id, "Sam", frozenset({firm["hartley"]}))
    with pytest.raises(NotFound):  # an account id it claims but is not linked to
        decide(forged, req, True)
    with pytest.raises(PermissionDenied):
        decide(firm["owner"], req, True)
    with read_session() as s, pytest.raises(NotFound):
        approvals.list_for_contact(s, firm["sam"], firm["hartley"])
    with write_session() as s, pytest.raises(PermissionDenied):
        approvals.request_approval(s, firm["sam"], document_ids=[firm["doc"]])


def test_an_employee_outside_the_account_cannot_ask(firm):
    with write_session() as s:
        dave = actor_of(make_member(s, role="employee", name="Dave Outside"))
    with write_session() as s, pytest.raises(PermissionDenied):
        approvals.request_approval(s, dave, document_ids=[firm["doc"]])


def test_folder_requests_fail_with_a_sentence_when_missing_or_empty(firm):
    with write_session() as s, pytest.raises(InvalidInput, match='no folder "Nope"'):
        approvals.request_folder_approval(s, firm["owner"], firm["hartley"], "Nope")
    with write_session() as s, pytest.raises(InvalidInput, match="no documents to approve"):
        approvals.request_folder_approval(s, firm["owner"], firm["hartley"], "empty")
    with write_session() as s:
        made = approvals.request_folder_approval(s, firm["owner"], firm["hartley"], "to sign")
        assert sorted(r.document_id for r in made) == sorted([firm["doc"], firm["doc2"]])


RULE = '''
rule "Ask for approval"
when job enters stage "Review" in pipeline "1040 Return"
then
  request approval of folder "To sign" from account with reminders every 3 days up to 2 times
end
'''


def test_the_rule_action_asks_with_reminders_that_email_and_stop_once_decided(firm):
    with write_session() as s:
        rulesets.save_rules(s, firm["owner"], RULE)
        pipeline_id = s.get(Job, firm["job"]).pipeline_id
    with write_session() as s:
        review = [st for st in stages_of(s, pipeline_id) if st.name == "Review"][0]
        jobs.move_job(s, firm["owner"], firm["job"], review.id)
    with read_session() as s:
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Ask for approval")).one()
        assert run.status.value == "done", run.actions
        assert "Asked the client to approve 2 documents" in run.actions[0]["outcome"]
        reqs = s.exec(select(ApprovalRequest)).all()
        assert len(reqs) == 2 and {r.job_id for r in reqs} == {firm["job"]}
        dues = s.exec(select(Due).where(Due.kind == "reminder")).all()
        assert len(dues) == 2 and all(d.payload["item_kind"] == "approval" and d.payload["times"] == 2 for d in dues)
        first, second = sorted(reqs, key=lambda r: r.id)
    later = utcnow() + dt.timedelta(days=3, minutes=1)
    with write_session() as s:
        assert reminder_kinds.send_due_reminders(s, now=later) == 2
    with read_session() as s:
        reminder_mail = [m for m in s.exec(select(OutgoingMail)) if m.subject.startswith("Reminder")]
        assert len(reminder_mail) == 2 and all(m.to_address == "june@hartley.example" for m in reminder_mail)
    decide(firm["june"], first.id, True)
    with write_session() as s:
        assert reminder_kinds.send_due_reminders(s, now=later + dt.timedelta(days=3)) == 1  # only the undecided one
    with read_session() as s:
        done = {d.payload["item_id"]: d for d in s.exec(select(Due).where(Due.kind == "reminder"))}
        assert done[first.id].status == "done" and "completed" in reminders.told_log(done[first.id])[-1]


def test_client_uploads_and_task_completion_reach_inbox(firm):
    document_files.upload(firm["june"], firm["hartley"], firm["folder"], "w2.txt", b"wages")
    assert notes(firm["carla"]) == ['June Hartley (Hartley Household) uploaded "w2.txt" to "To sign"']
    with write_session() as s:
        task = client_tasks.create_client_task(s, firm["owner"], firm["job"], title="Upload your W-2")
    with read_session() as s:
        pactor = logins.actor_for_portal_session(s, None)
    assert pactor is None
    contact = ContactActor(firm["june"].contact_id, "June Hartley", (firm["hartley"],), firm["hartley"])
    with write_session() as s:
        client_tasks.complete_client_task(s, contact, task.id)
    assert notes(firm["bob"]) == ['June Hartley (Hartley Household) completed "Upload your W-2"']
    # The portal's own ContactActor decides approvals too.
    (req,) = ask(firm, firm["doc"])
    assert decide(contact, req, True) == "approved"


def test_a_withdrawn_request_or_a_deleted_document_cannot_be_decided(firm):
    first, second = ask(firm, firm["doc"], firm["doc2"])
    with write_session() as s:
        approvals.withdraw(s, firm["owner"], first)
        document_files.delete_document(s, firm["owner"], firm["doc2"])
    with pytest.raises(NotFound):
        decide(firm["june"], first, True)
    with pytest.raises(NotFound, match="removed by the firm"):
        decide(firm["june"], second, True)
    with read_session() as s:
        assert approvals.list_for_contact(s, firm["june"], firm["hartley"]) == []

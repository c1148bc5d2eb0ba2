"""Correcting what the firm typed: accounts, contacts, jobs and tasks are edited with sentences for bad input,
an audit row naming the thing and each change (old → new), and deleted only by those who may, after saying
what goes with them."""
import datetime as dt

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import (Account, AccountContact, AuditLog, Contact, Document, Folder, Job, PortalLogin, Task, TaskComment)
from practice.services.errors import Conflict, InvalidInput, PermissionDenied, PracticeError
from practice.services.documents import files
from practice.services.work import accounts, catalog, jobs, removal, tasks
from tests.factories import actor_of, blank_pdf, contact_actor, give_portal_login, make_member, make_account, make_contact, make_firm, make_job, make_pipeline


def hartley(monkeypatch):
    """An owner, an admin and an employee (Erin, on the Hartley team); Hartley with Jim, a job and tasks."""
    with write_session() as s:
        staff = make_firm(s, admins={"ann": "Ann Admin"}, employees={"erin": "Erin Employee"})
        o = staff["owner"]
        pipeline = make_pipeline(s, o, name="1040 Return")
        account = make_account(s, o, name="Hartly Houshold", team_member_ids=[staff["erin"].member_id])
        jim = make_contact(s, o, [account.id], "Jim", "Hartley", email="jim@hartly.example")
        other = make_contact(s, o, [account.id], "Mary", "Hartley", email="mary@hartley.example")
        job = make_job(s, o, account=account, pipeline=pipeline, name="1040 Retrun 2025")
        task = tasks.create_task(s, o, title="Cal about W-2", job_id=job.id, assignee_id=o.member_id)
        sub = tasks.create_task(s, o, title="Find the number", parent_id=task.id)
        tasks.add_comment(s, o, task.id, "Left a message")
        return {**staff, "account": account.id, "jim": jim.id, "mary": other.id, "job": job.id, "task": task.id,
                "subtask": sub.id, "pipeline": pipeline.id}


pytestmark = pytest.mark.firm(build=hartley)


def last_audit(entity: str) -> AuditLog:
    with read_session() as s:
        return s.exec(select(AuditLog).where(AuditLog.entity == entity).order_by(AuditLog.id.desc())).first()


def test_an_accounts_name_and_type_are_corrected_with_old_and_new_in_the_log(firm):
    with write_session() as s:
        accounts.update_account(s, firm["erin"], firm["account"], name="  Hartley  Household ", type="family")
    row = last_audit("account")
    assert row.summary == ('Account "Hartly Houshold": name "Hartly Houshold" → "Hartley Household"; '
                           'type Individual → Family')
    assert row.actor_label == "Erin Employee"
    with read_session() as s:
        assert s.get(Account, firm["account"]).name == "Hartley Household"


def test_saving_an_account_unchanged_writes_no_audit_row(firm):
    before = last_audit("account").id
    with write_session() as s:
        accounts.update_account(s, firm["owner"], firm["account"], name="Hartly Houshold", type="Individual")
    assert last_audit("account").id == before


def test_an_account_name_cannot_be_emptied_or_given_an_unknown_type(firm):
    with write_session() as s:
        with pytest.raises(InvalidInput, match="Give the account a name"):
            accounts.update_account(s, firm["owner"], firm["account"], name="  ")
        with pytest.raises(InvalidInput, match="not an account type"):
            accounts.update_account(s, firm["owner"], firm["account"], type="Partnership")


def test_a_contacts_email_is_corrected_and_a_bad_or_taken_one_refused(firm):
    with write_session() as s:
        with pytest.raises(InvalidInput, match="is not an email address"):
            accounts.update_contact(s, firm["owner"], firm["jim"], email="jim@hartley")
        with pytest.raises(Conflict, match="Mary Hartley already has the email mary@hartley.example"):
            accounts.update_contact(s, firm["owner"], firm["jim"], email="MARY@hartley.example")
        accounts.update_contact(s, firm["owner"], firm["jim"], email="jim@hartley.example", phone="555-0101")
    row = last_audit("contact")
    assert row.summary == ('Contact Jim Hartley: email "jim@hartly.example" → "jim@hartley.example"; '
                           'phone none → "555-0101"')


def test_an_employee_outside_the_team_cannot_correct_or_delete(firm):
    with write_session() as s:
        stranger = actor_of(make_member(s, name="Stranger"))
    with write_session() as s:
        with pytest.raises(PermissionDenied):
            accounts.update_account(s, stranger, firm["account"], name="Mine")
        with pytest.raises(PermissionDenied):
            accounts.update_contact(s, stranger, firm["jim"], first_name="James")
        with pytest.raises(PermissionDenied):
            removal.delete_job(s, stranger, firm["job"])
        with pytest.raises(PermissionDenied):
            removal.delete_task(s, stranger, firm["task"])


def test_only_the_owner_or_an_admin_deletes_accounts_and_contacts(firm):
    with write_session() as s:
        with pytest.raises(PermissionDenied, match="owner or an admin"):
            removal.delete_account(s, firm["erin"], firm["account"])
        with pytest.raises(PermissionDenied, match="owner or an admin"):
            removal.delete_contact(s, firm["erin"], firm["jim"])


def test_deleting_an_account_says_what_goes_and_takes_it(firm):
    with write_session() as s:
        s.add(Folder(account_id=firm["account"], name="2025"))
    with read_session() as s:
        preview = removal.account_removal(s, firm["ann"], firm["account"])
    assert preview.sentence == ("Deleting \u201cHartly Houshold\u201d also deletes 1 job, 2 tasks and 1 empty folder. "
                                "Its 2 contacts stay, no longer linked to it. This cannot be undone.")
    with write_session() as s:
        assert removal.delete_account(s, firm["ann"], firm["account"]) == "Hartly Houshold"
    with read_session() as s:
        assert s.get(Account, firm["account"]) is None
        assert s.exec(select(Job)).all() == [] and s.exec(select(Task)).all() == []
        assert s.exec(select(TaskComment)).all() == []
        assert {c.first_name for c in s.exec(select(Contact))} == {"Jim", "Mary"}
        assert s.exec(select(AccountContact)).all() == []
    assert last_audit("account").summary == 'Deleted account "Hartly Houshold"'


def test_an_account_with_documents_is_not_deleted(firm, tmp_path):
    files.upload(firm["owner"], firm["account"], None, "w2.pdf", blank_pdf())
    with read_session() as s:
        preview = removal.account_removal(s, firm["owner"], firm["account"])
    assert "holds 1 document" in preview.sentence and "merge it into the other account" in preview.sentence
    with write_session() as s, pytest.raises(Conflict, match="cannot be deleted"):
        removal.delete_account(s, firm["owner"], firm["account"])
    with write_session() as s:  # in the trash it can still be restored: the account still cannot go
        doc = s.exec(select(Document)).one()
        files.delete_document(s, firm["owner"], doc.id)
    with read_session() as s:
        preview = removal.account_removal(s, firm["owner"], firm["account"])
    assert preview.sentence.startswith("\u201cHartly Houshold\u201d holds 1 document in the trash:")


def test_deleting_a_contact_takes_their_portal_login_and_links(firm):
    give_portal_login(firm["owner"], firm["jim"], "a long enough secret 42")
    with read_session() as s:
        preview = removal.contact_removal(s, firm["owner"], firm["jim"])
    assert preview.sentence == ("Deleting \u201cJim Hartley\u201d also deletes their portal login (jim@hartly.example) "
                                "and their link to 1 account. This cannot be undone.")
    with write_session() as s:
        removal.delete_contact(s, firm["owner"], firm["jim"])
    with read_session() as s:
        assert s.get(Contact, firm["jim"]) is None
        assert s.exec(select(PortalLogin)).all() == []
    assert last_audit("contact").summary == "Deleted contact Jim Hartley"


def test_a_job_is_renamed_with_its_dates_and_deleted_with_its_tasks(firm):
    with write_session() as s:
        jobs.update_job(s, firm["erin"], firm["job"], name="1040 Return 2025", due_date=dt.date(2030, 4, 15))
    assert last_audit("job").summary == ('Job "1040 Retrun 2025": name "1040 Retrun 2025" → "1040 Return 2025"; '
                                         'due date none → Apr 15, 2030')
    with read_session() as s:
        assert removal.job_removal(s, firm["erin"], firm["job"]).sentence == (
            "Deleting \u201c1040 Return 2025\u201d also deletes 2 tasks. This cannot be undone.")
    with write_session() as s:
        assert removal.delete_job(s, firm["erin"], firm["job"]) == ("1040 Return 2025", firm["account"])
    with read_session() as s:
        assert s.get(Job, firm["job"]) is None and s.exec(select(Task)).all() == []
    assert last_audit("job").summary == 'Deleted job "1040 Return 2025" of "Hartly Houshold"'


def test_a_task_is_corrected_and_deleted_with_its_subtasks(firm):
    with write_session() as s:
        tasks.update_task(s, firm["owner"], firm["task"], title="Call about W-2", assignee_id=firm["erin"].member_id,
                          due_date=dt.date(2030, 1, 2), description="Ask for box 12")
        with pytest.raises(InvalidInput, match="Give the task a title"):
            tasks.update_task(s, firm["owner"], firm["task"], title=" ")
    assert last_audit("task").summary == (
        'Task "Cal about W-2": title "Cal about W-2" → "Call about W-2"; assignee "Olivia Park" → '
        '"Erin Employee"; due date none → Jan 2, 2030; description none → "Ask for box 12"')
    with read_session() as s:
        assert removal.task_removal(s, firm["erin"], firm["task"]).goes == ["1 subtask", "1 comment"]
    with write_session() as s:
        removal.delete_task(s, firm["erin"], firm["task"])
    with read_session() as s:
        assert s.exec(select(Task)).all() == []


def test_a_service_is_corrected_by_admins_only_with_old_and_new_in_the_log(firm):
    with write_session() as s:
        service = catalog.create_service(s, firm["ann"], name="Bookeeping", rate_cents=30000)
        catalog.create_service(s, firm["ann"], name="Payroll", rate_cents=15000)
    with write_session() as s, pytest.raises(PermissionDenied, match="owner or an admin"):
        catalog.update_service(s, firm["erin"], service.id, name="Bookkeeping", rate_cents=1)
    with write_session() as s, pytest.raises(Conflict, match='already a service "payroll"'):
        catalog.update_service(s, firm["ann"], service.id, name="payroll", rate_cents=1)
    with write_session() as s:
        catalog.update_service(s, firm["ann"], service.id, name="Bookkeeping", rate_cents=32500)
    assert last_audit("service").summary == ('Service "Bookeeping": name "Bookeeping" → "Bookkeeping"; '
                                             'rate "$300.00" → "$325.00"')


def test_linking_a_contact_with_portal_access_to_another_account_asks_first(firm):
    give_portal_login(firm["owner"], firm["jim"], "a long enough secret 42")
    with write_session() as s:
        bakery = make_account(s, firm["owner"], name="Hartley Bakery").id
        make_contact(s, firm["owner"], [], "Nora", "Newman")
    with read_session() as s:
        warning = accounts.portal_link_warning(s, firm["owner"], bakery, firm["jim"])
    assert warning == ("Jim Hartley can log in to the client portal (jim@hartly.example). Once linked to "
                       "\u201cHartley Bakery\u201d, they will see its shared documents, its client tasks and what "
                       "it asks them to sign or approve.")
    with write_session() as s, pytest.raises(Conflict, match="Confirm to link them"):
        accounts.link_contact(s, firm["owner"], bakery, firm["jim"])
    assert bakery not in contact_actor(firm["jim"]).account_ids
    with write_session() as s:
        accounts.link_contact(s, firm["owner"], bakery, firm["jim"], confirmed=True)
    assert bakery in contact_actor(firm["jim"]).account_ids
    assert last_audit("account").summary == ("Linked contact Jim Hartley (they have portal access and now see this "
                                             "account's shared documents)")
    with read_session() as s:  # linked already, or no portal access: nothing to ask
        assert accounts.portal_link_warning(s, firm["owner"], bakery, firm["jim"]) == ""
        assert accounts.portal_link_warning(s, firm["owner"], bakery, firm["mary"]) == ""


def test_a_corrected_email_moves_the_portal_login_and_tells_the_old_address(firm):
    from practice.models import OutgoingMail, PortalToken
    from practice.services.mail import settings as mail_settings
    from practice.services.portal import logins

    give_portal_login(firm["owner"], firm["jim"], "a long enough secret 42")
    with write_session() as s:
        mail_settings.update_settings(s, firm["owner"], host="127.0.0.1", port=2525, security="none", username="",
                                      from_address="office@example.com")
        logins.forgot_password(s, "jim@hartly.example")  # a reset link on its way to the old address
    with write_session() as s:
        logins.update_contact(s, firm["owner"], firm["jim"], email="Jim@Hartley.example")
    with write_session() as s:
        assert s.exec(select(PortalLogin).where(PortalLogin.contact_id == firm["jim"])).one().email == \
            "jim@hartley.example"
        assert logins.log_in(s, "jim@hartley.example", "a long enough secret 42")
        assert not s.exec(select(PortalToken).where(PortalToken.contact_id == firm["jim"],
                                                    PortalToken.used_at.is_(None))).all(), "old links still work"
        told = s.exec(select(OutgoingMail).where(OutgoingMail.to_address == "jim@hartly.example")
                      .order_by(OutgoingMail.id.desc())).first()
    assert "new email address" in told.subject and "jim@hartley.example" in told.body
    with write_session() as s, pytest.raises(PracticeError):
        logins.log_in(s, "jim@hartly.example", "a long enough secret 42")
    with read_session() as s:
        said = [a.summary for a in s.exec(select(AuditLog).where(AuditLog.entity == "contact"))]
    assert ("Jim Hartley now logs in to the client portal with jim@hartley.example (was jim@hartly.example)"
            in said), said
    with write_session() as s, pytest.raises(InvalidInput) as refused:
        logins.update_contact(s, firm["owner"], firm["jim"], email="")
    assert str(refused.value) == ("Jim Hartley logs in to the client portal with jim@hartley.example. Give them "
                                  "another email address, or withdraw their portal access first.")

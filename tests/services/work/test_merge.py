"""Merging duplicates after an import: the preview says what moves, everything attached follows the kept
account or contact, the other is removed, the audit log says so, and only the owner or an admin merges."""
import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import (Account, AccountContact, AuditLog, Contact, Document, Folder, Job, PortalLogin,
                             PortalStatus, Task)
from practice.services.documents import files
from practice.services.errors import InvalidInput, PermissionDenied
from practice.services.portal import logins
from practice.services.work import accounts, merge, tasks
from tests.factories import (blank_pdf, contact_actor, give_portal_login, make_account, make_contact, make_firm,
                             make_job, make_pipeline)


def duplicates(monkeypatch):
    """Hartley imported twice ("Hartley Household" and "Hartley HousHold"), Jim twice with two addresses."""
    with write_session() as s:
        staff = make_firm(s, admins={"ann": "Ann Admin"}, employees={"erin": "Erin Employee"})
        o = staff["owner"]
        pipeline = make_pipeline(s, o, name="1040 Return")
        keep = make_account(s, o, name="Hartley Household", notes="Prefers phone calls")
        drop = make_account(s, o, name="Hartley Houshold", notes="Imported from TaxDome")
        jim = make_contact(s, o, [keep.id], "Jim", "Hartley", email="jim@hartley.example")
        jim2 = make_contact(s, o, [drop.id], "Jim", "Hartley", email="jimmy@work.example", phone="555-0101")
        mary = make_contact(s, o, [drop.id], "Mary", "Hartley")
        job = make_job(s, o, account=drop, pipeline=pipeline, name="1040 Return 2025")
        task = tasks.create_task(s, o, title="Call about W-2", account_id=drop.id)
        s.add(Folder(account_id=keep.id, name="2025"))
        s.add(Folder(account_id=drop.id, name="2025"))
        s.add(Folder(account_id=drop.id, name="Payroll"))
        return {**staff, "keep": keep.id, "drop": drop.id, "jim": jim.id, "jim2": jim2.id, "mary": mary.id,
                "job": job.id, "task": task.id}


pytestmark = pytest.mark.firm(build=duplicates)


def folder_of(s, account_id: int, name: str) -> Folder:
    return s.exec(select(Folder).where(Folder.account_id == account_id, Folder.name == name)).one()


def test_merging_two_accounts_moves_everything_to_the_kept_one(firm):
    with read_session() as s:
        drop_2025 = folder_of(s, firm["drop"], "2025").id
    files.upload(firm["owner"], firm["drop"], drop_2025, "w2.pdf", blank_pdf())
    with read_session() as s:
        preview = merge.account_merge_preview(s, firm["ann"], firm["keep"], firm["drop"])
    assert preview.sentence == ("\u201cHartley Houshold\u201d is merged into \u201cHartley Household\u201d and then "
                                "removed. Moving to \u201cHartley Household\u201d: 2 contacts, 1 job, 1 task and "
                                "1 document. This cannot be undone.")
    with read_session() as s:
        before = {c.id: c.updated_at for c in s.exec(select(Contact))}
        job_before = s.get(Job, firm["job"]).updated_at
    with write_session() as s:
        merge.merge_accounts(s, firm["ann"], firm["keep"], firm["drop"])
    with read_session() as s:
        # What moved changed, as the REST API's updated_since sees it: the job, and the contacts of the removed
        # account (their accounts changed); Jim, already on the kept account, did not.
        after = {c.id: c.updated_at for c in s.exec(select(Contact))}
        assert {i for i in after if after[i] > before[i]} == {firm["jim2"], firm["mary"]}
        assert s.get(Job, firm["job"]).updated_at > job_before
        assert s.get(Account, firm["drop"]) is None
        kept = s.get(Account, firm["keep"])
        assert kept.notes == "Prefers phone calls\n\nFrom Hartley Houshold:\nImported from TaxDome"
        assert s.get(Job, firm["job"]).account_id == firm["keep"]
        assert s.get(Task, firm["task"]).account_id == firm["keep"]
        linked = set(s.exec(select(AccountContact.contact_id).where(AccountContact.account_id == firm["keep"])))
        assert linked == {firm["jim"], firm["jim2"], firm["mary"]}
        # The two "2025" folders are one now, with the document in it; "Payroll" came along.
        assert sorted(f.name for f in s.exec(select(Folder).where(Folder.account_id == firm["keep"]))) == \
            ["2025", "Payroll"]
        doc = s.exec(select(Document)).one()
        assert (doc.account_id, doc.folder_id) == (firm["keep"], folder_of(s, firm["keep"], "2025").id)
        row = s.exec(select(AuditLog).where(AuditLog.action == "merge")).one()
    assert (row.entity, row.entity_id) == ("account", firm["keep"])
    assert row.summary == 'Merged account "Hartley Houshold" into "Hartley Household"'
    assert row.actor_label == "Ann Admin"


def test_only_the_owner_or_an_admin_merges_and_never_a_thing_with_itself(firm):
    with write_session() as s:
        with pytest.raises(PermissionDenied, match="owner or an admin"):
            merge.merge_accounts(s, firm["erin"], firm["keep"], firm["drop"])
        with pytest.raises(PermissionDenied, match="owner or an admin"):
            merge.merge_contacts(s, firm["erin"], firm["jim"], firm["jim2"])
        with pytest.raises(InvalidInput, match="two different accounts"):
            merge.merge_accounts(s, firm["owner"], firm["keep"], firm["keep"])
    with read_session() as s:
        assert s.get(Account, firm["drop"]) is not None


def test_the_preview_warns_that_portal_contacts_will_see_both_accounts_documents(firm):
    with write_session() as s:
        logins.invite(s, firm["owner"], firm["jim"])
    with read_session() as s:
        preview = merge.account_merge_preview(s, firm["owner"], firm["keep"], firm["drop"])
    assert "Contacts of either account with portal access will see the shared documents of both." in preview.sentence


def test_merging_two_contacts_keeps_every_address_link_and_the_active_login(firm):
    give_portal_login(firm["owner"], firm["jim2"], "a long enough secret 42")
    with write_session() as s:
        logins.invite(s, firm["owner"], firm["jim"])
    with read_session() as s:
        preview = merge.contact_merge_preview(s, firm["owner"], firm["jim"], firm["jim2"])
    assert preview.sentence == (
        "\u201cJim Hartley\u201d is merged into \u201cJim Hartley\u201d and then removed. Moving to "
        "\u201cJim Hartley\u201d: 1 account link and the portal login jimmy@work.example. Jim Hartley logs in to "
        "the portal as jimmy@work.example; the login jim@hartley.example is removed. They will see the shared "
        "documents of 1 more account. jimmy@work.example is kept among Jim Hartley's other emails. "
        "This cannot be undone.")
    with write_session() as s:
        merge.merge_contacts(s, firm["owner"], firm["jim"], firm["jim2"])
    with read_session() as s:
        assert s.get(Contact, firm["jim2"]) is None
        jim = s.get(Contact, firm["jim"])
        assert (jim.email, jim.other_emails, jim.phone) == ("jim@hartley.example", "jimmy@work.example", "555-0101")
        login = s.exec(select(PortalLogin)).one()
        assert (login.contact_id, login.email, login.status) == (firm["jim"], "jimmy@work.example",
                                                                 PortalStatus.active)
        assert set(s.exec(select(AccountContact.account_id).where(AccountContact.contact_id == firm["jim"]))) == \
            {firm["keep"], firm["drop"]}
        row = s.exec(select(AuditLog).where(AuditLog.action == "merge")).one()
    assert row.summary == "Merged contact Jim Hartley into Jim Hartley"
    # The login that moved still works, now as the kept contact with both accounts.
    assert set(contact_actor(firm["jim"]).account_ids) == {firm["keep"], firm["drop"]}


def test_a_merged_contact_email_is_free_for_the_kept_one(firm):
    with write_session() as s:
        merge.merge_contacts(s, firm["owner"], firm["mary"], firm["jim2"])
    with write_session() as s:
        mary = accounts.update_contact(s, firm["owner"], firm["mary"], email="jimmy@work.example")
        assert mary.email == "jimmy@work.example"

"""Shared with the client or internal: folder defaults at upload, what a client's portal and drive list and
download, staff sharing and hiding, moving, renaming, and deleting with a trash to restore from."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import AuditLog, Document
from practice.services.documents import (drive, files as document_files, folder_templates, folders as document_folders,
                                         sharing)
from practice.services.errors import Conflict, NotFound, PermissionDenied
from practice.services.portal import approvals
from tests.factories import contact_actor, make_firm, make_household

PDF_BYTES = b"%PDF-1.4\n% not parsed: a .txt name keeps the check away\n"


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICE_DATA_DIR", str(tmp_path / "data"))


def hartley_with_folders(monkeypatch):
    """Hartley Household (June) with a shared "Tax returns" and an internal "Working papers" folder, and
    Other Client (Sam); Bob is on Hartley's team, Carla is not."""
    with write_session() as s:
        staff = make_firm(s, employees={"bob": "Bob Stone", "carla": "Carla Diaz"})
        owner = staff["owner"]
        account, (june,) = make_household(s, owner, "Hartley Household", "Hartley", ("June",),
                                          team_member_ids=[staff["bob"].member_id])
        other, (sam,) = make_household(s, owner, "Other Client", "Other", ("Sam",))
        shared = document_folders.create_folder(s, owner, account.id, "Tax returns")
        private = document_folders.create_folder(s, owner, account.id, "Working papers", shared=False)
    return {**staff, "account": account.id, "other": other.id, "shared": shared.id, "private": private.id,
            "june": contact_actor(june.id), "sam": contact_actor(sam.id)}


pytestmark = pytest.mark.firm(build=hartley_with_folders)


def upload(firm, who, folder, name, **kw):
    return document_files.upload(firm[who] if isinstance(who, str) else who, firm["account"], folder, name,
                                 b"some text", **kw)


def client_lists(firm) -> list[str]:
    with read_session() as s:
        return sorted(d.name for d in document_files.list_documents(s, firm["june"], firm["account"]))


def summaries(entity: str) -> list[str]:
    with read_session() as s:
        return [a.summary for a in s.exec(select(AuditLog).where(AuditLog.entity == entity).order_by(AuditLog.id))]


def test_a_document_takes_its_folders_visibility_unless_staff_choose(firm, files):
    upload(firm, "owner", firm["shared"], "Return 2025.txt")
    upload(firm, "owner", firm["private"], "Review notes.txt")
    upload(firm, "owner", None, "Welcome.txt")
    upload(firm, "owner", firm["shared"], "Draft.txt", shared=False)
    upload(firm, "owner", firm["private"], "Organizer.txt", shared=True)  # shared, but its folder hides it
    upload(firm, "june", firm["shared"], "W-2.txt")
    assert client_lists(firm) == ["Return 2025.txt", "W-2.txt", "Welcome.txt"]
    with read_session() as s:
        staff_rows = {d.name: (d.shared, d.shown) for d in
                      document_files.list_documents(s, firm["bob"], firm["account"])}
        assert staff_rows == {"Return 2025.txt": (True, True), "Review notes.txt": (False, False),
                              "Welcome.txt": (True, True), "Draft.txt": (False, False),
                              "Organizer.txt": (True, False), "W-2.txt": (True, True)}
        tree = {n.name: (n.shared, n.shown) for n in document_folders.folder_tree(s, firm["bob"], firm["account"])}
        assert tree == {"Tax returns": (True, True), "Working papers": (False, False)}
        assert [n.name for n in document_folders.folder_tree(s, firm["june"], firm["account"])] == ["Tax returns"]
    assert 'Uploaded "Review notes.txt" to "Working papers" (internal)' in summaries("document")


def test_a_client_cannot_reach_an_internal_document_or_folder(firm, files):
    notes = upload(firm, "owner", firm["private"], "Review notes.txt")
    draft = upload(firm, "owner", firm["shared"], "Draft.txt", shared=False)
    with read_session() as s:
        for doc in (notes, draft):
            with pytest.raises(PermissionDenied, match="not shared"):
                document_files.document_for_download(s, firm["june"], doc.id)
            assert document_files.document_for_download(s, firm["bob"], doc.id).filename == doc.name
            with pytest.raises(PermissionDenied):
                document_files.document_for_download(s, firm["carla"], doc.id)
        assert document_files.to_look_at(s, firm["june"], firm["account"]) == []
    with pytest.raises(NotFound):  # a client cannot send a file into a folder it does not see
        upload(firm, "june", firm["private"], "Bank statement.txt")
    mine = upload(firm, "june", firm["shared"], "Bank statement.txt")
    with write_session() as s, pytest.raises(NotFound):
        document_files.rename_document(s, firm["june"], mine.id, "Bank statement.txt", folder_id=firm["private"])
    with write_session() as s:
        document_files.rename_document(s, firm["owner"], mine.id, "Bank statement.txt", folder_id=firm["private"])
    with write_session() as s, pytest.raises(PermissionDenied):  # moved out of her sight: not hers to rename now
        document_files.rename_document(s, firm["june"], mine.id, "Statement.txt")


def test_staff_share_a_document_and_a_folder_and_make_them_internal_again(firm, files):
    draft = upload(firm, "owner", firm["shared"], "Draft.txt", shared=False)
    notes = upload(firm, "owner", firm["private"], "Review notes.txt", shared=True)
    with write_session() as s:
        sharing.set_document_shared(s, firm["bob"], draft.id, True)
    assert client_lists(firm) == ["Draft.txt"]
    with read_session() as s:  # now it is new to her
        assert [d.name for d in document_files.to_look_at(s, firm["june"], firm["account"])] == ["Draft.txt"]
    with write_session() as s:
        sharing.set_folder_shared(s, firm["bob"], firm["private"], True)
    assert client_lists(firm) == ["Draft.txt", "Review notes.txt"]
    with write_session() as s:
        sharing.set_folder_shared(s, firm["owner"], firm["shared"], False)
        sub = document_folders.create_folder(s, firm["owner"], firm["account"], "2025", parent_id=firm["shared"])
    upload(firm, "owner", sub.id, "Inside.txt")
    assert client_lists(firm) == ["Review notes.txt"]  # an internal folder hides what is inside, subfolders too
    with read_session() as s:
        assert [n.path for n in document_folders.folder_tree(s, firm["june"], firm["account"])] == ["Working papers"]
    with write_session() as s:
        sharing.set_document_shared(s, firm["owner"], notes.id, False)
        with pytest.raises(PermissionDenied):
            sharing.set_document_shared(s, firm["carla"], draft.id, True)
        with pytest.raises(PermissionDenied):
            sharing.set_folder_shared(s, firm["june"], firm["private"], False)
    assert client_lists(firm) == []
    assert summaries("document") [-1] == 'Made internal document "Review notes.txt"'
    assert 'Shared document "Draft.txt" with the client' in summaries("document")
    assert summaries("folder")[-3:-1] == ['Shared folder "Working papers" with the client',
                                          'Made internal folder "Tax returns" (the client no longer sees what it holds)']
    with read_session() as s:
        who = [a.actor_label for a in s.exec(select(AuditLog).where(AuditLog.action.in_(("share", "unshare"))))]
    assert set(who) == {"Bob Stone", "Olivia Park"}


def test_a_draft_to_approve_opens_for_the_client_through_the_approval_only(firm, files):
    draft = upload(firm, "owner", firm["private"], "Return draft.txt")
    with write_session() as s:
        approvals.request_approval(s, firm["owner"], document_ids=[draft.id])
    assert client_lists(firm) == []
    with read_session() as s:
        assert document_files.document_for_download(s, firm["june"], draft.id).filename == "Return draft.txt"
        assert [a.document_name for a in approvals.list_for_contact(s, firm["june"], firm["account"])] == [
            "Return draft.txt"]
        with pytest.raises(PermissionDenied):
            document_files.document_for_download(s, firm["sam"], draft.id)


def test_staff_move_and_rename_a_document_with_an_audit_row(firm, files):
    doc = upload(firm, "owner", None, "scan0001.txt")
    with write_session() as s:
        document_files.rename_document(s, firm["bob"], doc.id, "scan0001.txt", folder_id=firm["shared"])
        document_files.rename_document(s, firm["bob"], doc.id, "W-2 2025.txt")
        document_files.rename_document(s, firm["bob"], doc.id, "W-2 2025.txt")  # no change, no row
        with pytest.raises(NotFound):  # another account's folder
            other_folder = document_folders.create_folder(s, firm["owner"], firm["other"], "Elsewhere")
            document_files.rename_document(s, firm["bob"], doc.id, "W-2 2025.txt", folder_id=other_folder.id)
    assert summaries("document")[-2:] == ['Moved document "scan0001.txt" to "Tax returns"',
                                          'Renamed document "scan0001.txt" to "W-2 2025.txt"']
    assert client_lists(firm) == ["W-2 2025.txt"]


def test_a_deleted_document_goes_to_the_trash_and_comes_back(firm, files):
    doc = upload(firm, "bob", firm["shared"], "Return.txt")
    with write_session() as s:
        with pytest.raises(PermissionDenied):  # neither an admin nor the uploader
            document_files.delete_document(s, firm["carla"], doc.id)
        document_files.delete_document(s, firm["bob"], doc.id)
    assert client_lists(firm) == []
    with read_session() as s:
        (row,) = document_files.trash(s, firm["owner"], firm["account"])
        assert (row.name, row.deleted_by) == ("Return.txt", "Bob Stone")
        with pytest.raises(NotFound):
            document_files.document_for_download(s, firm["owner"], doc.id)
        with pytest.raises(PermissionDenied):
            document_files.trash(s, firm["carla"], firm["account"])
    with write_session() as s:
        document_files.restore_document(s, firm["owner"], doc.id)
        with pytest.raises(NotFound):  # twice: nothing to restore
            document_files.restore_document(s, firm["owner"], doc.id)
    assert client_lists(firm) == ["Return.txt"]
    with read_session() as s:
        assert document_files.trash(s, firm["owner"], firm["account"]) == []
    assert summaries("document")[-2:] == ['Deleted document "Return.txt"', 'Restored document "Return.txt" from the trash']
    # After the trash's time, the row stays for the history but is not restored.
    with write_session() as s:
        document_files.delete_document(s, firm["owner"], doc.id)
        s.get(Document, doc.id).deleted_at -= dt.timedelta(days=document_files.TRASH_DAYS + 1)
    with write_session() as s, pytest.raises(Conflict, match="30 days"):
        document_files.restore_document(s, firm["owner"], doc.id)


def test_folder_templates_set_each_folders_default(firm, files):
    with write_session() as s:
        template = folder_templates.save_folder_template(
            s, firm["owner"], name="Individual", paths="2026/Tax returns\n2026/Working papers\nPermanent",
            internal=["2026/Working papers"])
        with pytest.raises(PermissionDenied):
            folder_templates.set_template_folder_shared(s, firm["bob"], template.id, "Permanent", False)
        folder_templates.set_template_folder_shared(s, firm["owner"], template.id, "Permanent", False)
    with read_session() as s:
        (view,) = folder_templates.list_folder_templates(s)
        assert view.internal == ["2026/Working papers", "Permanent"]
    with write_session() as s:  # an edit without choices keeps them; a new folder is shared
        folder_templates.save_folder_template(s, firm["owner"], name="Individual", template_id=template.id,
                                              paths="2026/Tax returns\n2026/Working papers\nPermanent\nLetters")
        folder_templates.apply_folder_template(s, firm["owner"], firm["other"], template.id)
    with read_session() as s:
        tree = {n.path: n.shown for n in document_folders.folder_tree(s, firm["owner"], firm["other"])}
    assert tree == {"2026": True, "2026/Tax returns": True, "2026/Working papers": False, "Letters": True,
                    "Permanent": False}
    assert summaries("folder_template")[1] == 'Folder template "Individual": "Permanent" is internal'


def test_the_drive_lists_only_shared_things_to_a_client(firm, files):
    upload(firm, "owner", firm["private"], "Review notes.txt")
    upload(firm, "owner", firm["shared"], "Draft.txt", shared=False)
    upload(firm, "owner", firm["shared"], "Return.txt")
    with read_session() as s:
        top = drive.listing(s, firm["june"], firm["account"], None)
        assert top.names() == ["Tax returns"]
        assert drive.listing(s, firm["june"], firm["account"], firm["shared"]).names() == ["Return.txt"]
        assert drive.listing(s, firm["june"], firm["account"], firm["private"]).names() == []
        assert drive.listing(s, firm["bob"], firm["account"], None).names() == ["Tax returns", "Working papers"]
        assert sorted(drive.listing(s, firm["bob"], firm["account"], firm["shared"]).names()) == ["Draft.txt",
                                                                                                  "Return.txt"]


def test_the_one_statement_form_of_what_a_client_sees_agrees_with_the_folder_walk(firm, files):
    """`shown_condition_sql` (the portal's home, one statement) finds the same documents as `shown_condition`
    (reads the folders first), down a tree where a shared folder sits inside an internal one."""
    with write_session() as s:
        inner = document_folders.create_folder(s, firm["owner"], firm["account"], "Drafts", parent_id=firm["private"])
        deeper = document_folders.create_folder(s, firm["owner"], firm["account"], "Old", parent_id=inner.id)
        nested = document_folders.create_folder(s, firm["owner"], firm["account"], "2025", parent_id=firm["shared"])
    for folder in (None, firm["shared"], firm["private"], inner.id, deeper.id, nested.id):
        upload(firm, "owner", folder, f"in {folder}.txt", shared=True)
    upload(firm, "owner", None, "internal.txt", shared=False)

    def shown(condition) -> list[str]:
        with read_session() as s:
            return sorted(s.exec(select(Document.name).where(Document.account_id == firm["account"], condition)))
    with read_session() as s:
        walked = shown(sharing.shown_condition(s, firm["account"]))
    assert walked == sorted(["in None.txt", f"in {firm['shared']}.txt", f"in {nested.id}.txt"])
    assert shown(sharing.shown_condition_sql(firm["account"])) == walked

"""Documents: storage on disk, type and size refusals, folders and templates, who may see what."""
from __future__ import annotations

import io
import threading
import time
import zipfile

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import AuditLog, Document, DocumentStatus, Event, Folder
from practice.services.documents import files as document_files, folder_templates, folders as document_folders, storage
from practice.services.actor import ContactActor, contact_actor
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.factories import make_account, make_firm, make_household
from tests.factories.hostile_pdfs import normal_pdf

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.fixture
def files(tmp_path, monkeypatch):
    """A private data folder, so each test sees only the files it stored."""
    monkeypatch.setenv("PRACTICE_DATA_DIR", str(tmp_path / "data"))


def hartley_with_a_folder(monkeypatch):
    """Hartley Household (June; Bob on its team) with a "Tax returns" folder, Other Client; Carla sees neither."""
    with write_session() as s:
        staff = make_firm(s, employees={"bob": "Bob Stone", "carla": "Carla Diaz"})
        owner = staff["owner"]
        account, (contact,) = make_household(s, owner, "Hartley Household", "Hartley", ("June",), invite=False,
                                             team_member_ids=[staff["bob"].member_id])
        other = make_account(s, owner, name="Other Client")
        folder = document_folders.create_folder(s, owner, account.id, "Tax returns")
    return {**staff, "account_id": account.id, "other_id": other.id,
            "contact_id": contact.id, "folder_id": folder.id}


pytestmark = pytest.mark.firm(build=hartley_with_a_folder)


# --- storage --------------------------------------------------------------------------------------


def test_a_stored_file_is_named_by_its_content_never_by_the_users_name(files):
    stored = storage.store(normal_pdf(), "../../etc/passwd.pdf")
    assert stored.path == storage.files_dir() / stored.key[:2] / stored.key[2:4] / stored.key
    assert stored.path.read_bytes() == normal_pdf()
    assert "passwd" not in str(stored.path)
    assert list((storage.files_dir() / "tmp").iterdir()) == []


def test_a_write_that_fails_half_way_leaves_nothing_under_a_key(files):
    def chunks():
        yield b"%PDF-1.7\n" + b"x" * 10_000
        raise OSError("the connection dropped")

    with pytest.raises(OSError):
        storage.store(chunks(), "return.pdf")
    files = [p for p in storage.files_dir().rglob("*") if p.is_file()]
    assert files == []


def test_the_size_limit_stops_reading_as_soon_as_it_is_passed(files):
    pulled = []

    def endless():
        yield b"%PDF-1.7\n"
        while True:
            pulled.append(1)
            yield b"\x00" * storage.CHUNK

    with pytest.raises(InvalidInput) as err:
        storage.store(endless(), "big.pdf", max_bytes=3 * storage.CHUNK)
    assert "larger than the 3 MB limit" in str(err.value)
    assert len(pulled) <= 4  # stopped at the limit, not at the end of the (endless) stream
    assert storage.max_upload_bytes() == 25 * 1024 * 1024


@pytest.mark.parametrize("name, data, words", [
    ("setup.exe", b"MZ\x90\x00", '".exe" files cannot be uploaded'),
    ("noextension", b"hello", "Files without an extension cannot be uploaded"),
    ("invoice.pdf", b"MZ\x90\x00 this is a program", '"invoice.pdf" is named like a PDF but its content is not'),
    ("photo.jpg", PNG, "is named like a JPEG image but its content is not"),
    ("notes.txt", b"\x00\x01\x02binary", "is named like a text file but its content is not"),
    ("book.xlsx", b"PK\x03\x04" + b"\x00" * 50, "is named like an Excel workbook but its content is not"),
    ("empty.pdf", b"", '"empty.pdf" is empty'),
])
def test_wrong_types_are_refused_by_name_and_by_content_with_a_sentence(files, name, data, words):
    with pytest.raises(InvalidInput) as err:
        storage.store(data, name)
    assert words in str(err.value)


def test_real_office_files_images_and_text_are_accepted(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert storage.store(buf.getvalue(), "letter.docx").content_type.endswith("wordprocessingml.document")
    assert storage.store(PNG, "scan.png").content_type == "image/png"
    assert storage.store("Name,Amount\nJune,12\n".encode(), "list.csv").content_type == "text/csv"
    assert storage.store(b"\xff\xd8\xff\xe0" + b"\x00" * 20, "w2.JPG").content_type == "image/jpeg"


# --- uploads, listing, download -------------------------------------------------------------------


def test_staff_upload_is_listed_with_who_and_when_and_downloads_the_same_bytes(firm):
    doc = document_files.upload(firm["bob"], firm["account_id"], firm["folder_id"], "2025 return.pdf", normal_pdf(3))
    assert doc.status == DocumentStatus.ok and doc.pages == 3
    with read_session() as s:
        rows = document_files.list_documents(s, firm["bob"], firm["account_id"])
        assert [(r.name, r.folder, r.uploaded_by, r.pages) for r in rows] == [
            ("2025 return.pdf", "Tax returns", "Bob Stone", 3)]
        assert rows[0].uploaded_at is not None
        download = document_files.document_for_download(s, firm["owner"], doc.id)
        assert download.path.read_bytes() == normal_pdf(3) and download.filename == "2025 return.pdf"
        audit_rows = s.exec(select(AuditLog).where(AuditLog.entity == "document")).all()
        assert [a.summary for a in audit_rows] == ['Uploaded "2025 return.pdf" to "Tax returns"']
        assert s.exec(select(Event)).all() == []  # staff uploads are not client events


def test_an_employee_without_access_is_refused_everything_about_another_accounts_documents(firm):
    doc = document_files.upload(firm["owner"], firm["account_id"], None, "w2.pdf", normal_pdf())
    carla = firm["carla"]
    with read_session() as s:
        for call in (lambda: document_files.list_documents(s, carla, firm["account_id"]),
                     lambda: document_files.document_for_download(s, carla, doc.id),
                     lambda: document_folders.folder_tree(s, carla, firm["account_id"])):
            with pytest.raises(PermissionDenied):
                call()
    with pytest.raises(PermissionDenied):
        document_files.upload(carla, firm["account_id"], None, "x.pdf", normal_pdf())
    with write_session() as s, pytest.raises(PermissionDenied):
        document_files.delete_document(s, carla, doc.id)
    # A folder id from another account is not a way in either.
    with pytest.raises(NotFound):
        document_files.upload(firm["owner"], firm["other_id"], firm["folder_id"], "x.pdf", normal_pdf())


def test_a_client_upload_emits_document_uploaded_and_a_client_sees_only_its_own_accounts(firm):
    with read_session() as s:
        june = contact_actor(s, firm["contact_id"])
    doc = document_files.upload(june, firm["account_id"], firm["folder_id"], "1099.pdf", normal_pdf())
    with read_session() as s:
        ev = s.exec(select(Event).where(Event.kind == "document_uploaded")).one()
        assert ev.account_id == firm["account_id"]
        assert ev.payload["document_id"] == doc.id and ev.payload["folder"] == "Tax returns"
        assert ev.payload["contact_id"] == firm["contact_id"]
        assert document_files.list_documents(s, firm["owner"], firm["account_id"])[0].uploaded_by == "June Hartley (client)"
        with pytest.raises(PermissionDenied):
            document_files.list_documents(s, june, firm["other_id"])
    # A forged ContactActor naming an account the contact is not linked to gets nothing.
    forged = ContactActor(firm["contact_id"], "June", frozenset({firm["other_id"]}))
    with read_session() as s, pytest.raises(PermissionDenied):
        document_files.list_documents(s, forged, firm["other_id"])


def test_delete_is_soft_and_only_for_admins_or_the_uploader(firm):
    doc = document_files.upload(firm["bob"], firm["account_id"], None, "a.pdf", normal_pdf())
    by_owner = document_files.upload(firm["owner"], firm["account_id"], None, "b.pdf", normal_pdf(3))
    with write_session() as s, pytest.raises(PermissionDenied, match="Only an admin or the person who uploaded"):
        document_files.delete_document(s, firm["bob"], by_owner.id)
    with write_session() as s:
        document_files.delete_document(s, firm["bob"], doc.id)
        document_files.delete_document(s, firm["owner"], by_owner.id)
    with read_session() as s:
        assert document_files.list_documents(s, firm["owner"], firm["account_id"]) == []
        assert s.get(Document, doc.id).deleted_at is not None
        with pytest.raises(NotFound):
            document_files.document_for_download(s, firm["owner"], doc.id)


# --- folders and templates -------------------------------------------------------------------------


def test_folders_nest_refuse_duplicates_and_only_empty_ones_are_deleted(firm):
    with write_session() as s:
        year = document_folders.create_folder(s, firm["owner"], firm["account_id"], "2026")
        document_folders.create_folder(s, firm["owner"], firm["account_id"], "Payroll", parent_id=year.id)
        with pytest.raises(Conflict):
            document_folders.create_folder(s, firm["owner"], firm["account_id"], "tax RETURNS")
        with pytest.raises(InvalidInput):
            document_folders.create_folder(s, firm["owner"], firm["account_id"], "a/b")
    with read_session() as s:
        assert [n.path for n in document_folders.folder_tree(s, firm["owner"], firm["account_id"])] == [
            "2026", "2026/Payroll", "Tax returns"]
    document_files.upload(firm["owner"], firm["account_id"], firm["folder_id"], "r.pdf", normal_pdf())
    with write_session() as s:
        with pytest.raises(Conflict, match="has folders inside"):
            document_folders.delete_folder(s, firm["owner"], year.id)
        with pytest.raises(Conflict, match="still holds documents"):
            document_folders.delete_folder(s, firm["owner"], firm["folder_id"])
        document_folders.rename_folder(s, firm["owner"], firm["folder_id"], "Returns")


def test_applying_a_folder_template_twice_keeps_existing_folders_and_adds_none(firm):
    with write_session() as s:
        with pytest.raises(PermissionDenied):
            folder_templates.save_folder_template(s, firm["bob"], name="Individual", paths="2026/Tax returns")
        template = folder_templates.save_folder_template(
            s, firm["owner"], name="Individual", paths="2026/Tax returns\n2026 / Source documents\nTax returns\n\n")
    with write_session() as s:
        assert folder_templates.apply_folder_template(s, firm["bob"], firm["account_id"], template.id) == 3
    with write_session() as s:
        assert folder_templates.apply_folder_template(s, firm["bob"], firm["account_id"], template.id) == 0
    with read_session() as s:
        paths = [n.path for n in document_folders.folder_tree(s, firm["owner"], firm["account_id"])]
        assert paths == ["2026", "2026/Source documents", "2026/Tax returns", "Tax returns"]
        assert s.exec(select(Folder).where(Folder.name == "Tax returns", Folder.parent_id.is_(None))).one().id == \
            firm["folder_id"]
        assert folder_templates.list_folder_templates(s)[0].paths == ["2026/Tax returns", "2026/Source documents",
                                                               "Tax returns"]
    with write_session() as s, pytest.raises(PermissionDenied):
        folder_templates.apply_folder_template(s, firm["carla"], firm["account_id"], template.id)


# --- hostile input does not stop the app ------------------------------------------------------------


def test_a_refused_pdf_is_recorded_with_its_sentence_and_not_stored(firm, tmp_path):
    from tests.factories.hostile_pdfs import reference_loop

    doc = document_files.upload(firm["bob"], firm["account_id"], None, "loop.pdf", reference_loop())
    assert doc.status == DocumentStatus.refused and doc.stored_key == ""
    assert doc.refusal.startswith("This PDF could not be read safely:")
    assert [p for p in storage.files_dir().rglob("*") if p.is_file()] == []
    with read_session() as s:
        assert document_files.list_documents(s, firm["bob"], firm["account_id"])[0].status == "refused"


def test_uploads_and_listings_keep_working_while_a_hostile_pdf_is_checked(firm, tmp_path):
    from tests.factories.hostile_pdfs import flate_bomb

    bomb = flate_bomb()
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault(
        "doc", document_files.upload(firm["bob"], firm["account_id"], None, "bomb.pdf", bomb)))
    worker.start()
    started = time.monotonic()
    doc = document_files.upload(firm["owner"], firm["account_id"], None, "photo.png", PNG)
    with read_session() as s:
        assert any(r.id == doc.id for r in document_files.list_documents(s, firm["owner"], firm["account_id"]))
    assert time.monotonic() - started < 2
    worker.join(20)
    assert result["doc"].status == DocumentStatus.refused

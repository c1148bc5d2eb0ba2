"""The drive on a full or read-only disk (issue 18): a WebDAV client (Debian's rclone, and plain requests to see the
answer itself) gets a proper status, 507 Insufficient Storage for a full disk and 503 for a read-only one, with the
app's sentence, never a bare 500; nothing of the upload or the change is left behind, and once the disk takes writes
again the same copy goes through. The data folder and the database sit on a small tmpfs of their own (needs root, as
tests/state/test_disk_errors.py)."""
from __future__ import annotations

import threading

import pytest
from sqlmodel import SQLModel, select

from practice import db
from practice.db import read_session, write_session
from practice.models import Document, Folder
from practice.services.documents import folders as document_folders
from practice.services.errors import DISK_FULL, DISK_READ_ONLY
from tests.drive.test_drive import PDF, RCLONE, free_port, listed, raw, rclone
from tests.factories import PASSWORD, make_account, make_firm
from tests.factories.disks import small_disk

pytestmark = [pytest.mark.slow, pytest.mark.skipif(RCLONE is None, reason="rclone is installed by `make test-tools`"),
              pytest.mark.sqlite_only("the SQLite file and the files on one small disk; the test makes its own")]
OWNER = "olivia@firm.example"
KEEPS = {".filler", "practice.db", "practice.db-wal", "practice.db-shm"}  # the disk's own, and the database


@pytest.fixture
def drive_on_a_small_disk(tmp_path, monkeypatch):
    """The firm's data folder and database on a 32 MB disk of their own, and the drive serving them."""
    from practice.drive_app import make_server

    with small_disk(tmp_path / "disk") as disk:
        monkeypatch.setenv("PRACTICE_DATA_DIR", str(disk.path))
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{disk.path / 'practice.db'}")
        SQLModel.metadata.create_all(db.get_engine())
        with write_session() as s:
            owner = make_firm(s, owner={"name": "Olivia Park", "email": OWNER})["owner"]
            account = make_account(s, owner, name="Acme Tax")
            document_folders.create_folder(s, owner, account.id, "Tax returns")
            label = f"Acme Tax ({account.id})"
        port = free_port()
        server = make_server(port=port)
        server.prepare()
        thread = threading.Thread(target=server.serve, daemon=True)
        thread.start()
        try:
            yield {"disk": disk, "port": port, "A": label, "A_url": label.replace(" ", "%20")}
        finally:
            db.get_engine().dispose()
            disk.read_only(False)
            server.stop()
            thread.join(timeout=10)
            db.get_engine().dispose()


def settle() -> None:
    """The WAL folded into the database and emptied, as after a quiet moment: the next write must grow a file."""
    with db.get_engine().connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def files_on(disk) -> set[str]:
    return {str(p.relative_to(disk.path)) for p in disk.path.rglob("*") if p.is_file() and p.name not in KEEPS}


def documents_and_folders() -> tuple[list[str], list[str]]:
    with read_session() as s:
        return sorted(s.exec(select(Document.name)).all()), sorted(s.exec(select(Folder.name)).all())


def test_a_full_disk_answers_507_with_the_sentence_and_keeps_nothing_then_takes_the_copy(drive_on_a_small_disk,
                                                                                         tmp_path):
    drive, local = drive_on_a_small_disk, tmp_path / "w2.pdf"
    local.write_bytes(PDF)
    port, A = drive["port"], drive["A"]
    assert listed(port, OWNER, PASSWORD, A) == ["Tax returns/"]  # signed in: the login is remembered for a minute
    before = files_on(drive["disk"])
    settle()
    drive["disk"].fill()

    copied = rclone(port, OWNER, PASSWORD, "copyto", str(local), f"d:{A}/Tax returns/w2.pdf", check=False)
    assert copied.returncode != 0 and b"507" in copied.stderr, copied.stderr.decode()
    status, body = raw(port, "PUT", f"/{drive['A_url']}/Tax%20returns/w2.pdf", OWNER, PASSWORD, PDF)
    assert status == 507 and DISK_FULL in body, (status, body)
    status, body = raw(port, "MKCOL", f"/{drive['A_url']}/Payroll", OWNER, PASSWORD)
    assert status == 507 and DISK_FULL in body, (status, body)
    assert documents_and_folders() == ([], ["Tax returns"]) and files_on(drive["disk"]) == before

    drive["disk"].empty()
    rclone(port, OWNER, PASSWORD, "copyto", str(local), f"d:{A}/Tax returns/w2.pdf")
    rclone(port, OWNER, PASSWORD, "mkdir", f"d:{A}/Payroll")
    assert listed(port, OWNER, PASSWORD, f"{A}/Tax returns") == ["w2.pdf"]
    assert documents_and_folders() == (["w2.pdf"], ["Payroll", "Tax returns"])


def test_a_read_only_disk_answers_503_with_the_sentence_and_changes_nothing(drive_on_a_small_disk, tmp_path):
    drive, local = drive_on_a_small_disk, tmp_path / "w2.pdf"
    local.write_bytes(PDF)
    port, A = drive["port"], drive["A"]
    rclone(port, OWNER, PASSWORD, "copyto", str(local), f"d:{A}/Tax returns/w2.pdf")
    settle()
    before = files_on(drive["disk"])
    db.get_engine().dispose()  # a disk is remounted read-only once nothing has a file open for writing
    drive["disk"].read_only()

    copied = rclone(port, OWNER, PASSWORD, "copyto", str(local), f"d:{A}/Tax returns/w3.pdf", check=False)
    assert copied.returncode != 0 and b"503" in copied.stderr, copied.stderr.decode()
    for method, path in (("PUT", "Tax%20returns/w3.pdf"), ("MKCOL", "Payroll"), ("DELETE", "Tax%20returns/w2.pdf")):
        status, body = raw(port, method, f"/{drive['A_url']}/{path}", OWNER, PASSWORD, PDF if method == "PUT" else None)
        assert status == 503 and DISK_READ_ONLY in body, (method, status, body)

    db.get_engine().dispose()
    drive["disk"].read_only(False)
    assert documents_and_folders() == (["w2.pdf"], ["Tax returns"]) and files_on(drive["disk"]) == before
    rclone(port, OWNER, PASSWORD, "copyto", str(local), f"d:{A}/Tax returns/w3.pdf")
    assert listed(port, OWNER, PASSWORD, f"{A}/Tax returns") == ["w2.pdf", "w3.pdf"]

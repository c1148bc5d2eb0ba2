"""A full or read-only disk reaches the person as a sentence ("The server's disk is full; nothing was saved"), never
as SQLite's or the system's words, and nothing of the change is kept; once the disk has room again the same save
goes through."""
from __future__ import annotations

import pytest
from sqlmodel import SQLModel

from practice import db
from practice.db import read_session, write_session
from practice.models import Account
from practice.services.documents import files
from practice.services.errors import DISK_FULL, DISK_READ_ONLY, DiskProblem
from practice.state.account import AccountState
from tests.factories import make_account, make_firm
from tests.factories.disks import small_disk

pytestmark = pytest.mark.sqlite_only("the SQLite file and the files on one small disk; the test makes its own")


@pytest.fixture
def firm_on_a_small_disk(tmp_path, monkeypatch):
    """The firm's data folder and database on a 32 MB disk of their own."""
    with small_disk(tmp_path / "disk") as disk:
        monkeypatch.setenv("PRACTICE_DATA_DIR", str(disk.path))
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{disk.path / 'practice.db'}")
        SQLModel.metadata.create_all(db.get_engine())
        with write_session() as s:
            owner = make_firm(s)["owner"]
            account_id = make_account(s, owner, name="Hartley Household").id
        monkeypatch.setattr(AccountState, "_actor", lambda self: owner)
        monkeypatch.setattr(AccountState, "account_id", str(account_id), raising=False)
        yield {"disk": disk, "owner": owner, "account_id": account_id}
        db.get_engine().dispose()


def settle(engine) -> None:
    """The WAL folded into the database and emptied, as after a quiet moment: the next write must grow a file."""
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def account_name(account_id: int) -> str:
    with read_session() as s:
        return s.get(Account, account_id).name


def test_a_save_on_a_full_disk_is_a_sentence_and_goes_through_once_there_is_room(firm_on_a_small_disk):
    firm, page = firm_on_a_small_disk, AccountState()
    page.load()
    page.set_edit_open(True)
    settle(db.get_engine())
    firm["disk"].fill()
    page.save_account({"name": "Hartley Family", "type": "Family"})
    assert page.edit_error == DISK_FULL and page.edit_open
    firm["disk"].empty()
    assert account_name(firm["account_id"]) == "Hartley Household"  # nothing of it was kept
    page.save_account({"name": "Hartley Family", "type": "Family"})
    assert not page.edit_open and account_name(firm["account_id"]) == "Hartley Family"


def test_an_upload_on_a_full_disk_is_a_sentence(firm_on_a_small_disk):
    firm = firm_on_a_small_disk
    firm["disk"].fill()
    with pytest.raises(DiskProblem, match="^The server's disk is full; nothing was saved"):
        files.upload(firm["owner"], firm["account_id"], None, "return.txt", b"2026 return\n" * 50_000)
    firm["disk"].empty()
    assert files.upload(firm["owner"], firm["account_id"], None, "return.txt", b"2026 return\n").id


def test_a_save_on_a_read_only_disk_is_a_sentence(firm_on_a_small_disk):
    firm, page = firm_on_a_small_disk, AccountState()
    page.load()
    page.set_edit_open(True)
    db.get_engine().dispose()  # a disk is remounted read-only once nothing has a file open for writing
    firm["disk"].read_only()
    try:
        # Even the check of who is asking cannot open the database now: the person still gets the sentence.
        answer = page.save_account({"name": "Hartley Family", "type": "Family"})
        assert DISK_READ_ONLY in str(answer) and page.edit_open
    finally:
        db.get_engine().dispose()
        firm["disk"].read_only(False)
    page.save_account({"name": "Hartley Family", "type": "Family"})
    assert account_name(firm["account_id"]) == "Hartley Family"

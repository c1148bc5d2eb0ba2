"""Backups of a firm on PostgreSQL (docs/postgresql.md): `pg_dump` in one snapshot while people keep working, the
archive checked like any other, and a restore onto an empty database and data folder that gives back every row
counted in that snapshot, every file, and a firm whose old seals verify and which seals new ones."""
from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from practice import db
from practice.migrate import upgrade
from practice.models import Document
from practice.services import events
from practice.services.backups import archive, pg
from practice.services.documents import files
from practice.services.errors import PracticeError
from practice.services.signing import certificates, seal, verify
from tests.factories import make_account, make_firm, sample_pdf

_names = iter(range(10**6))


def use(monkeypatch, url: str, folder: Path) -> None:
    """The app's settings point at this database and data folder from now on."""
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("PRACTICE_DATA_DIR", str(folder))
    db.reset_engine()


def new_database(server) -> str:
    name = f"backup{next(_names)}"
    server.sql(f"CREATE DATABASE {name}")
    return server.url(name)


def sealed(reason: str) -> bytes:
    with db.write_session() as s:
        return seal.seal(s, sample_pdf(1), reason=reason)


def trusted(pdf: bytes) -> bool:
    with db.read_session() as s:
        report = verify.verify(pdf, session=s)
    return report.intact and report.trusted


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def pg_firm(any_postgres, monkeypatch, tmp_path):
    use(monkeypatch, new_database(any_postgres), tmp_path / "data")
    upgrade()
    with db.write_session() as s:
        staff = make_firm(s)
        account = make_account(s, staff["owner"], name="Hartley Household")
        certificates.ensure_certificate(s)
    monkeypatch.setattr(events, "_doorbell", None)  # the uploads' events wait for a worker, as in the app
    yield {"owner": staff["owner"], "account_id": account.id, "server": any_postgres, "folder": tmp_path / "data"}
    db.get_engine().dispose()
    db.reset_engine()


def upload(firm, n: int) -> int:
    return files.upload(firm["owner"], firm["account_id"], None, f"note-{n}.txt", f"Note {n}\n".encode() * (n + 1)).id


def test_a_backup_taken_while_people_upload_restores_every_committed_row_and_file(pg_firm, monkeypatch, tmp_path):
    old_seal = sealed("Sealed before the backup")
    committed: list[int] = []
    stop = threading.Event()

    def keep_uploading():
        n = 0
        while not stop.is_set():
            committed.append(upload(pg_firm, n))
            n += 1
            stop.wait(0.02)

    writer = threading.Thread(target=keep_uploading)
    writer.start()
    try:
        deadline = time.monotonic() + 30
        while len(committed) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        before = len(committed)
        (tmp_path / "backups").mkdir()
        path, manifest = archive.write_backup(tmp_path / "backups", folder=pg_firm["folder"])
    finally:
        stop.set()
        writer.join()
    assert archive.PG_DUMP in manifest.parts and archive.DATABASE not in manifest.parts
    assert manifest.counts["document"] >= before >= 20

    source_folder = pg_firm["folder"]
    restored = tmp_path / "restored"
    use(monkeypatch, new_database(pg_firm["server"]), restored)
    archive.restore(path, folder=restored)
    with db.read_session() as s:
        rows = s.execute(select(Document.id, Document.stored_key, Document.size).order_by(Document.id)).all()
    ids = [r[0] for r in rows]
    # Every upload committed before the backup began is there, and what is there is a gap-free start of them.
    assert len(ids) == manifest.counts["document"] and ids == committed[:len(ids)]
    for _, key, size in rows:
        copy = restored / "files" / key[:2] / key[2:4] / key
        original = source_folder / "files" / key[:2] / key[2:4] / key
        assert copy.stat().st_size == size and sha(copy) == sha(original)
    assert trusted(old_seal) and trusted(sealed("Sealed after the restore"))

    with pytest.raises(PracticeError, match="is not empty"):  # a restore never lands on a firm
        archive.restore(path, folder=tmp_path / "another")


def test_a_postgresql_backup_asks_for_a_postgresql_database(pg_firm, monkeypatch, tmp_path):
    upload(pg_firm, 1)
    path, _ = archive.write_backup(tmp_path / "backup.tar", folder=pg_firm["folder"])
    elsewhere = tmp_path / "sqlite-firm"
    monkeypatch.setenv("PRACTICE_DATA_DIR", str(elsewhere))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{elsewhere / 'practice.db'}")
    with pytest.raises(PracticeError, match="holds a PostgreSQL database"):
        archive.restore(path, folder=elsewhere)
    assert not (elsewhere / "practice.db").exists()


def test_the_dump_tools_are_found():
    assert Path(pg._tool("pg_dump")).name == "pg_dump" and Path(pg._tool("pg_restore")).name == "pg_restore"

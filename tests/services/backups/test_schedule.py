"""The daily backup the owner sets in Settings: written when a day has passed, the oldest beyond the count removed,
the result kept for Settings, a failure told to the owner in Inbox+; only the owner may change it."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from practice.config import data_dir
from practice.db import read_session, write_session
from practice.models import Notification
from practice.services.backups import schedule
from practice.services.errors import InvalidInput, PermissionDenied
from tests.factories import make_firm


def owner_and_admin(monkeypatch):
    with write_session() as s:
        return make_firm(s, admins={"ann": "Ann Admin"})


pytestmark = pytest.mark.firm(build=owner_and_admin)
DAY = dt.timedelta(days=1)


@pytest.mark.security
def test_only_the_owner_sets_the_daily_backup(firm, tmp_path):
    with write_session() as s, pytest.raises(PermissionDenied, match="Only the firm's owner"):
        schedule.update(s, firm["ann"], enabled=True, folder=str(tmp_path), keep=3)
    with write_session() as s:
        schedule.update(s, firm["owner"], enabled=True, folder=str(tmp_path), keep=3)
    with read_session() as s:
        row = schedule.settings(s)
    assert (row.enabled, row.folder, row.keep) == (True, str(tmp_path), 3)


@pytest.mark.parametrize("folder, sentence", [
    ("backups", "full path on the server"),
    ("/no/such/folder", "does not exist on the server"),
    (None, "cannot be inside the data folder"),
])
def test_a_bad_folder_is_a_sentence(firm, tmp_path, folder, sentence):
    folder = folder or str(data_dir())
    with write_session() as s, pytest.raises(InvalidInput, match=sentence):
        schedule.update(s, firm["owner"], enabled=True, folder=folder, keep=3)


@pytest.mark.sqlite_only("backups copy the SQLite file; a PostgreSQL firm backs up with pg_dump (docs/postgresql.md)")
def test_a_backup_a_day_and_only_the_last_ones_kept(firm, tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    with write_session() as s:
        schedule.update(s, firm["owner"], enabled=True, folder=str(backups), keep=2)
    start = dt.datetime(2027, 1, 10, 2, 41, tzinfo=dt.timezone.utc)
    assert schedule.run_if_due(start) is True
    assert schedule.run_if_due(start + dt.timedelta(hours=1)) is None  # not a day yet
    assert schedule.run_if_due(start + DAY) is True
    assert schedule.run_if_due(start + 2 * DAY) is True
    names = sorted(p.name for p in backups.iterdir())
    assert names == ["practice-backup-20270111-024100.tar", "practice-backup-20270112-024100.tar"]
    with read_session() as s:
        row = schedule.settings(s)
    assert row.last_ok and "checked; 1 older removed" in row.last_result


def test_a_failed_backup_is_kept_and_told_to_the_owner(firm, tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    with write_session() as s:
        schedule.update(s, firm["owner"], enabled=True, folder=str(backups), keep=2)
    backups.rmdir()  # the backup disk was unmounted
    assert schedule.run_if_due() is False
    with read_session() as s:
        row = schedule.settings(s)
        notices = s.exec(select(Notification).where(Notification.member_id == firm["owner"].member_id)).all()
    assert not row.last_ok and "does not exist" in row.last_result
    assert any(n.text.startswith("The daily backup failed: The backup folder") for n in notices)

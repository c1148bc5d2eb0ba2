"""The daily backup the owner sets in Settings: a folder on the server and how many archives to keep. The worker asks
every hour (`run_if_due`); a backup is written when the last one is a day old, the oldest beyond the count are
removed, and the result is kept for Settings to show (a failure also reaches the owner in Inbox+)."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from sqlmodel import Session, select

from practice.i18n import N_, _
from practice import routes
from practice.config import data_dir
from practice.db import read_session, write_session
from practice.models import BackupSettings, Role, TeamMember
from practice.services import audit, inbox
from practice.services.actor import Actor, require_owner
from practice.services.backups import archive
from practice.services.errors import InvalidInput, PracticeError

EVERY = dt.timedelta(hours=23, minutes=30)  # checked hourly: "a day" without drifting an hour later each day
MAX_KEEP = 365


def settings(session: Session) -> BackupSettings:
    """The firm's backup settings (defaults until the owner saves them)."""
    return session.exec(select(BackupSettings)).first() or BackupSettings()


def _check_folder(text: str) -> Path:
    folder = Path(text.strip())
    if not text.strip() or not folder.is_absolute():
        raise InvalidInput(_("Give the backup folder as a full path on the server, e.g. /srv/backups/practice."), "folder")
    if not folder.is_dir():
        raise InvalidInput(_("The folder {folder} does not exist on the server; create it first.").format(
            folder=folder), "folder")
    if not os.access(folder, os.W_OK):
        raise InvalidInput(_("The app cannot write to {folder}; give its user write access.").format(
            folder=folder), "folder")
    data = data_dir().resolve()
    if folder.resolve() == data or data in folder.resolve().parents:
        raise InvalidInput(_("The backup folder cannot be inside the data folder (each backup would hold the ones "
                             "before it); choose a folder elsewhere, ideally on another disk."), "folder")
    return folder


def update(session: Session, actor: Actor, *, enabled: bool, folder: str, keep: int) -> BackupSettings:
    """Turn the daily backup on or off, with its folder and how many to keep (the owner only)."""
    require_owner(actor)
    if not 1 <= keep <= MAX_KEEP:
        raise InvalidInput(_("Keep between 1 and {most} backups.").format(most=MAX_KEEP), "keep")
    if enabled or folder.strip():
        folder = str(_check_folder(folder))
    row = session.exec(select(BackupSettings)).first() or BackupSettings()
    row.enabled, row.folder, row.keep = enabled, folder, keep
    session.add(row)
    audit.record(session, actor, "update", "backup_settings", None,
                 f"Daily backup {'on' if enabled else 'off'}" + (f", to {folder}, keeping {keep}" if enabled else ""))
    return row


def prune(folder: Path, keep: int) -> list[Path]:
    """Remove the oldest archives beyond `keep` (only this app's, by their timestamped names); those removed."""
    archives = sorted(folder.glob(f"practice-backup-*{archive.SUFFIX}"))
    old = archives[:-keep] if keep > 0 else archives
    for path in old:
        path.unlink(missing_ok=True)
    return old


def back_up_now(folder: Path, keep: int, now: dt.datetime | None = None) -> tuple[bool, str]:
    """Write one backup into `folder` and prune; (it worked, the sentence Settings shows)."""
    if not folder.is_dir():  # never a file of that name instead: the folder's disk may be unmounted
        return False, f"The backup folder {folder} does not exist on the server (is its disk mounted?)."
    try:
        target, manifest = archive.write_backup(folder, now=now)
    except PracticeError as err:
        return False, str(err)
    removed = prune(folder, keep)
    return True, (f"{target.name}: {manifest.file_count} files, {manifest.total_bytes / 1e6:.1f} MB, checked"
                  + (f"; {len(removed)} older removed" if removed else ""))


def run_if_due(now: dt.datetime | None = None, *, force: bool = False) -> bool | None:
    """The daily backup when a day has passed since the last (or at once with `force`); None when none was due,
    else whether it worked."""
    now = now or dt.datetime.now(dt.timezone.utc)
    with read_session() as session:
        row = settings(session)
        folder, keep, last_at, enabled = row.folder, row.keep, row.last_at, row.enabled
    if not force and (not enabled or (last_at is not None and now - last_at < EVERY)):
        return None
    if not folder:
        return None
    ok, result = back_up_now(Path(folder), keep, now)
    with write_session() as session:
        row = session.exec(select(BackupSettings)).first()
        if row is not None:
            row.last_at, row.last_ok, row.last_result = now, ok, result
        if not ok:
            for owner in session.exec(select(TeamMember).where(TeamMember.role == Role.owner)):
                inbox.notify(session, member_id=owner.id, text=inbox.said(N_("The daily backup failed: {result}"), result=result),
                             link=routes.SETTINGS)
    return ok


def back_up_now_as(actor: Actor) -> bool:
    """The owner's "Back up now" in Settings: the same backup, at once."""
    with read_session() as session:
        require_owner(actor)
        if not settings(session).folder:
            raise InvalidInput(_("Choose the backup folder first."), "folder")
    return bool(run_if_due(force=True))

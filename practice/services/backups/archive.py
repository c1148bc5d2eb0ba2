"""One-file backups of the firm's data while the app runs, checked part by part, and restoring one onto an empty
data folder.

An archive is a plain tar file: `practice.db` (a snapshot made with SQLite's online backup API, so changes still in
the WAL file are in it and writers are never stopped; a copy of the file alone loses them) or, for a firm on
PostgreSQL, `practice.pgdump` (`pg_dump`'s custom format, taken in one snapshot while the app runs; the manifest's
row counts are read in that same snapshot), every stored file under
`files/`, the data folder's keys (the signing key's passphrase and the device-cookie key), and last `manifest.json`
with the size and SHA-256 of each part. An archive without its manifest (cut short) or with a part whose hash
differs is refused before anything is restored.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from practice.config import data_dir, database_url
from practice.services.backups import pg
from practice.services.access.device_cookies import SECRET_FILE as DEVICE_COOKIE_KEY
from practice.services.errors import PracticeError
from practice.services.signing.certificates import PASSPHRASE_FILE
from practice.i18n import N_, _

FORMAT = "practice-backup"
VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "practice.db"
PG_DUMP = "practice.pgdump"
FILES = "files"
KEYS = (PASSPHRASE_FILE, DEVICE_COOKIE_KEY)
COPY_BUFFER = 1024 * 1024
SUFFIX = ".tar"


class BackupError(PracticeError):
    """A backup could not be written, or an archive cannot be restored; the sentence says why."""


@dataclass
class Manifest:
    """What an archive holds: each part's size and SHA-256, and the rows per table of its database."""

    created_at: str
    parts: dict[str, dict] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> bytes:
        return json.dumps({"format": FORMAT, "version": VERSION, "created_at": self.created_at,
                           "parts": self.parts, "counts": self.counts}, indent=1, sort_keys=True).encode()

    @property
    def file_count(self) -> int:
        return sum(1 for name in self.parts if name.startswith(FILES + "/"))

    @property
    def total_bytes(self) -> int:
        return sum(p["size"] for p in self.parts.values())


class _Hashing:
    """A file read through, hashed as it goes."""

    def __init__(self, fh):
        self.fh, self.sha, self.size = fh, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self.sha.update(data)
        self.size += len(data)
        return data


def sqlite_path() -> Path:
    """The database file, or a sentence when the database is neither a SQLite file nor PostgreSQL."""
    url = database_url()
    if not url.startswith("sqlite:///"):
        raise BackupError(_("Backups cover a SQLite database or PostgreSQL; this server's DATABASE_URL names "
                            "another database: back that one up with its own tools."))
    return Path(url[len("sqlite:///"):])


def _database_snapshot(tmp: Path) -> tuple[Path, str, dict[str, int]]:
    """A consistent copy of the live database in `tmp`: (its path, its name in the archive, rows per table)."""
    url = database_url()
    if pg.is_postgresql(url):
        target = tmp / PG_DUMP
        try:
            return target, PG_DUMP, pg.dump(url, target)
        except pg.PgToolError as err:
            raise BackupError(_("PostgreSQL's dump failed, so nothing was written: {err}").format(err=err)) from err
    target = tmp / DATABASE
    return target, DATABASE, _snapshot(sqlite_path(), target)


def _snapshot(source: Path, target: Path) -> dict[str, int]:
    """A consistent copy of the live database (SQLite's online backup, one read transaction); its rows per table."""
    if not source.exists():
        raise BackupError(_("There is no database at {source} to back up.").format(source=source))
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
        if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(_("The database's snapshot failed SQLite's check; the database itself may be damaged. "
                                "Nothing was written."))
        tables = [r[0] for r in dst.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: dst.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        dst.close()
        src.close()


def _add(tar: tarfile.TarFile, path: Path, name: str, manifest: Manifest) -> None:
    try:
        fh = open(path, "rb")
    except FileNotFoundError:  # deleted since the listing (after the snapshot): the snapshot no longer needs it
        return
    with fh:
        info = tar.gettarinfo(fileobj=fh, arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        hashing = _Hashing(fh)
        tar.addfile(info, hashing)
    manifest.parts[name] = {"size": hashing.size, "sha256": hashing.sha.hexdigest()}


def _stored_files(folder: Path):
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            path = Path(root) / name
            if path.is_file() and not path.is_symlink():
                yield path, f"{FILES}/{path.relative_to(folder).as_posix()}"


def archive_path(dest: Path, now: dt.datetime | None = None) -> Path:
    """Where `backup DEST` writes: inside DEST when it is a folder (named by the time), else DEST itself."""
    if dest.is_dir():
        stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y%m%d-%H%M%S")
        return dest / f"practice-backup-{stamp}{SUFFIX}"
    return dest


def write_backup(dest: Path, *, folder: Path | None = None, now: dt.datetime | None = None) -> tuple[Path, Manifest]:
    """Write one archive of the live data folder to `dest` (a folder or a file name), then check it."""
    folder = folder or data_dir()
    target = archive_path(dest, now)
    if not target.parent.is_dir():
        raise BackupError(_("The folder {parent} does not exist; create it or choose another.").format(
            parent=target.parent))
    if target.exists():
        raise BackupError(_("{target} already exists; choose another name (a backup never overwrites one).").format(
            target=target))
    manifest = Manifest(created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    partial = target.with_name(target.name + ".partial")
    try:
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".practice-backup-") as tmp:
            snapshot, snapshot_name, manifest.counts = _database_snapshot(Path(tmp))
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
                tar.copybufsize = COPY_BUFFER
                _add(tar, snapshot, snapshot_name, manifest)
                for name in KEYS:
                    _add(tar, folder / name, name, manifest)
                for path, name in _stored_files(folder / FILES):
                    _add(tar, path, name, manifest)
                data = manifest.to_json()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(dt.datetime.now().timestamp()), 0o600
                tar.addfile(info, io.BytesIO(data))
            with open(partial, "rb") as fh:
                os.fsync(fh.fileno())
        check_archive(partial)
        os.replace(partial, target)
    except OSError as err:
        partial.unlink(missing_ok=True)
        raise BackupError(_("The backup could not be written to {parent}: {error}. Nothing was kept.").format(
            parent=target.parent, error=err.strerror or err)) from err
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target, manifest


INCOMPLETE = N_("{name} is incomplete: it ends before its manifest (the copy was cut short or the backup did not "
                "finish). Nothing was restored; use another backup.")
FOREIGN = N_("{name} is not a backup made by this app (it cannot be read as one). Nothing was restored.")


def _safe_name(name: str) -> bool:
    parts = name.split("/")
    return bool(name) and not name.startswith("/") and ".." not in parts and "" not in parts and \
        (name in (DATABASE, PG_DUMP, MANIFEST) or name in KEYS or (parts[0] == FILES and len(parts) > 1))


def _parse_manifest(data: bytes, name: str) -> Manifest:
    try:
        raw = json.loads(data)
        if raw.get("format") != FORMAT:
            raise ValueError
    except (ValueError, AttributeError):
        raise BackupError(_(FOREIGN).format(name=name)) from None
    if raw.get("version") != VERSION:
        raise BackupError(_("{name} was made by a newer version of the app (backup format {version}); update the app, "
                            "then restore it.").format(name=name, version=raw.get('version')))
    return Manifest(created_at=raw.get("created_at", ""), parts=raw.get("parts", {}), counts=raw.get("counts", {}))


def _read_members(tar: tarfile.TarFile, name: str, into: Path | None) -> tuple[dict, bytes | None]:
    """Every part's (size, SHA-256), reading each once (and writing it under `into`), and the manifest's bytes."""
    seen: dict[str, tuple[int, str]] = {}
    manifest = None
    for member in tar:
        if manifest is not None or not member.isfile() or not _safe_name(member.name) or member.name in seen:
            raise BackupError(_("{name} holds an entry ({entry}) this app's backups never have: it was altered or made "
                                "by something else. Nothing was restored.").format(name=name, entry=member.name[:80]))
        fh = tar.extractfile(member)
        if member.name == MANIFEST:
            manifest = fh.read(10_000_000)
            continue
        hashing = _Hashing(fh)
        if into is None:
            while hashing.read(COPY_BUFFER):
                pass
        else:
            target = into / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as out:
                shutil.copyfileobj(hashing, out, COPY_BUFFER)
        if hashing.size != member.size:
            raise EOFError
        seen[member.name] = (hashing.size, hashing.sha.hexdigest())
    return seen, manifest


def check_archive(path: Path, *, into: Path | None = None) -> Manifest:
    """Read the whole archive and compare every part with its manifest; the manifest, or a sentence saying what is
    wrong. With `into`, the parts are written there as they are read."""
    name = path.name
    try:
        tar = tarfile.open(path, "r:")
    except FileNotFoundError:
        raise BackupError(_("There is no file at {path}.").format(path=path)) from None
    except (tarfile.TarError, OSError):
        raise BackupError(_(FOREIGN).format(name=name)) from None
    with tar:
        try:
            seen, data = _read_members(tar, name, into)
        except (tarfile.TarError, EOFError, OSError):
            raise BackupError(_(INCOMPLETE).format(name=name)) from None
    if data is None:
        raise BackupError(_(INCOMPLETE).format(name=name))
    manifest = _parse_manifest(data, name)
    missing = sorted(set(manifest.parts) - set(seen))
    if missing:
        raise BackupError(_("{name} is incomplete: {count} part(s) listed in its manifest are missing (first: {first}). "
                            "Nothing was restored; use another backup.").format(name=name, count=len(missing), first=missing[0]))
    for part, (size, sha) in seen.items():
        expected = manifest.parts.get(part)
        if expected is None or expected.get("size") != size or expected.get("sha256") != sha:
            raise BackupError(_("{name} is damaged: {part} is not what the backup recorded (its SHA-256 differs). "
                                "Nothing was restored; use another backup.").format(name=name, part=part))
    return manifest


def _require_empty(folder: Path, database: Path) -> None:
    ignorable = {"cache", "huey.db", "huey.db-wal", "huey.db-shm"}
    present = sorted(p.name for p in folder.iterdir() if p.name not in ignorable) if folder.exists() else []
    if database.exists() and database.parent != folder:
        present.insert(0, str(database))
    if present:
        raise BackupError(_("The data folder {folder} is not empty (it holds {files}). A backup is restored onto an "
                            "empty folder only: point PRACTICE_DATA_DIR at a new folder, or move this one away "
                            "first.").format(folder=folder, files=', '.join(present[:3])))


def _restore_postgresql(url: str, staged: Path, manifest: Manifest, name: str) -> None:
    if not (staged / PG_DUMP).exists():
        raise BackupError(_("{name} holds a SQLite database and this server's DATABASE_URL is PostgreSQL: restore "
                            "it with DATABASE_URL unset (the data folder's SQLite file), then move it with `python "
                            "-m practice move-to-postgres`. Nothing was restored.").format(name=name))
    try:
        counts = pg.restore(url, staged / PG_DUMP)
    except pg.PgToolError as err:
        raise BackupError(_("PostgreSQL could not take {name}'s database back: {err}. Nothing was restored.").format(
            name=name, err=err)) from err
    if counts != manifest.counts:
        raise BackupError(_("{name}'s database came back with other row counts than the backup recorded; the "
                            "PostgreSQL database was left as restored, check it before use.").format(name=name))


def _check_staged_sqlite(staged: Path, name: str) -> None:
    if not (staged / DATABASE).exists():
        raise BackupError(_("{name} holds a PostgreSQL database: set DATABASE_URL to an empty PostgreSQL database "
                            "and restore it again. Nothing was restored.").format(name=name))
    with sqlite3.connect(staged / DATABASE) as db:
        if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(_("{name}'s database fails SQLite's check. Nothing was restored.").format(name=name))


def restore(path: Path, *, folder: Path | None = None) -> Manifest:
    """Restore an archive onto an empty data folder (and, for a firm on PostgreSQL, an empty database), after
    checking every part; the archive's manifest."""
    folder = folder or data_dir()
    on_postgresql = pg.is_postgresql(database_url())
    database = folder / DATABASE if on_postgresql or folder != data_dir() else sqlite_path()
    _require_empty(folder, database)
    if on_postgresql and not pg.is_empty(database_url()):
        raise BackupError(_("The PostgreSQL database in DATABASE_URL is not empty. A backup is restored onto an "
                            "empty database only: create a new one and point DATABASE_URL at it."))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(dir=folder, prefix=".restoring-") as tmp:
            staged = Path(tmp)
            manifest = check_archive(path, into=staged)
            if on_postgresql:
                _restore_postgresql(database_url(), staged, manifest, path.name)
            else:
                _check_staged_sqlite(staged, path.name)
            for key in KEYS:
                if (staged / key).exists():
                    os.chmod(staged / key, 0o600)
                    os.replace(staged / key, folder / key)
            if (staged / FILES).exists():
                os.replace(staged / FILES, folder / FILES)
            if not on_postgresql:
                database.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(staged / DATABASE, database)
    except OSError as err:
        raise BackupError(_("The backup could not be restored into {folder}: {error}.").format(
            folder=folder, error=err.strerror or err)) from err
    return manifest

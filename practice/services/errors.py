"""Errors the services raise; each carries a sentence a person can act on."""
import errno
import os

from practice.config import data_dir
from practice.i18n import N_, _


class PracticeError(Exception):
    """Base of every error shown to a person: `str(err)` is a plain sentence."""


class NotFound(PracticeError):
    pass


class PermissionDenied(PracticeError):
    def __init__(self, message: str | None = None):
        super().__init__(message or _("You do not have permission to do that. Ask the firm's owner or an admin."))


class InvalidInput(PracticeError):
    """Bad input from a form or a file; `field` names where, when known."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class Conflict(PracticeError):
    pass


class DiskProblem(PracticeError):
    """The server could not write to its disk (full, read-only, failing): nothing of the change was kept. `full` tells
    a full disk from the others (the drive answers it 507 Insufficient Storage)."""

    def __init__(self, message: str, *, full: bool = False):
        super().__init__(message)
        self.full = full


DISK_FULL = N_("The server's disk is full; nothing was saved. Ask whoever runs the server to free some space, "
             "then try again.")
DISK_READ_ONLY = N_("The server cannot write to its disk (it is read-only); nothing was saved. Ask whoever runs the "
                  "server to check it, then try again.")
DISK_FAILING = N_("The server could not write to its disk (an input/output error); nothing was saved. Ask whoever "
                "runs the server to check the disk, then try again.")
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
# What SQLite says (through the sqlite3 module, or SQLAlchemy wrapping it) for each of these.
_SQLITE_SAYS = (("database or disk is full", DISK_FULL), ("readonly database", DISK_READ_ONLY),
                ("read-only file system", DISK_READ_ONLY), ("disk i/o error", DISK_FAILING))


def disk_problem(exc: BaseException) -> DiskProblem | None:
    """The person's sentence for a write the disk refused (full, read-only, failing), or None for anything else."""
    if isinstance(exc, DiskProblem):
        return exc
    if isinstance(exc, OSError) and exc.errno is not None:
        if exc.errno in _FULL_ERRNOS:
            return DiskProblem(_(DISK_FULL), full=True)
        if exc.errno == errno.EROFS:
            return DiskProblem(_(DISK_READ_ONLY))
        if exc.errno == errno.EIO:
            return DiskProblem(_(DISK_FAILING))
        return None
    text = str(getattr(exc, "orig", None) or exc).lower()
    if type(getattr(exc, "orig", None) or exc).__name__ not in ("OperationalError", "DatabaseError"):
        return None
    for words, sentence in _SQLITE_SAYS:
        if words in text:
            said = _what_the_disk_says(sentence)
            return DiskProblem(_(said), full=said == DISK_FULL)
    if "unable to open database file" in text:  # also a missing folder: only the disk's state tells
        sentence = _what_the_disk_says(None)
        return DiskProblem(_(sentence), full=sentence == DISK_FULL) if sentence else None
    return None


def _what_the_disk_says(default: str | None) -> str | None:
    """SQLite says "disk I/O error" or "unable to open" when it cannot make its side files on a full or read-only
    disk: the data folder's file system tells which."""
    try:
        fs = os.statvfs(data_dir())
    except OSError:
        return default
    if fs.f_flag & os.ST_RDONLY:
        return DISK_READ_ONLY
    if fs.f_bavail * fs.f_frsize < 1024 * 1024:
        return DISK_FULL
    return default

"""Uploaded files on disk: content-addressed, written atomically, read in chunks with a size limit.

A file lives at PRACTICE_DATA_DIR/files/ab/cd/<sha256>; the name a person chose is kept only in
the database, so no user-chosen text ever becomes part of a path. Each upload is checked twice:
by its extension and by its first bytes (a .pdf that is really an .exe is refused).
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator

from practice.config import data_dir
from practice.i18n import N_, _
from practice.services.errors import InvalidInput, NotFound, disk_problem

CHUNK = 1024 * 1024
HEAD = 8192  # enough of the start of a file to recognise its type
DEFAULT_MAX_MB = 25


def max_upload_bytes() -> int:
    """The largest upload accepted (PRACTICE_MAX_UPLOAD_MB, 25 MB by default)."""
    try:
        mb = float(os.environ.get("PRACTICE_MAX_UPLOAD_MB", DEFAULT_MAX_MB))
    except ValueError:
        mb = DEFAULT_MAX_MB
    return int(mb * 1024 * 1024)


def files_dir() -> Path:
    path = data_dir() / "files"
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- what may be uploaded ---------------------------------------------------------------------------

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old Office container (.doc, .xls)
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}


def _is_pdf(head: bytes) -> bool:
    # The file must start with its header, after at most a byte-order mark and whitespace: readers that
    # search the first kilobyte would also take an HTML page with "%PDF-" inside it for a PDF.
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    return body.lstrip(b" \t\r\n\f\x00").startswith(b"%PDF-")


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        # A multi-byte character cut at the end of the sample is still text.
        if err.start < len(head) - 4:
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return True


SNIFFERS = {
    "pdf": _is_pdf,
    "jpeg": lambda h: h.startswith(b"\xff\xd8\xff"),
    "png": lambda h: h.startswith(b"\x89PNG\r\n\x1a\n"),
    "heic": lambda h: h[4:8] == b"ftyp" and h[8:12] in HEIF_BRANDS,
    "tiff": lambda h: h[:4] in (b"II*\x00", b"MM\x00*"),
    "ole": lambda h: h.startswith(OLE),
    "ooxml": lambda h: h.startswith(b"PK\x03\x04"),
    "text": _is_text,
}

# extension -> (content type, sniffer kind, what people call it)
ALLOWED = {
    "pdf": ("application/pdf", "pdf", N_("a PDF")),
    "jpg": ("image/jpeg", "jpeg", N_("a JPEG image")),
    "jpeg": ("image/jpeg", "jpeg", N_("a JPEG image")),
    "png": ("image/png", "png", N_("a PNG image")),
    "heic": ("image/heic", "heic", N_("a HEIC photo")),
    "tif": ("image/tiff", "tiff", N_("a TIFF image")),
    "tiff": ("image/tiff", "tiff", N_("a TIFF image")),
    "doc": ("application/msword", "ole", N_("a Word document")),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "ooxml", N_("a Word document")),
    "xls": ("application/vnd.ms-excel", "ole", N_("an Excel workbook")),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "ooxml", N_("an Excel workbook")),
    "csv": ("text/csv", "text", N_("a CSV file")),
    "txt": ("text/plain", "text", N_("a text file")),
}
# Zip archives are left out on purpose: their contents could not be checked.
OOXML_PART = {"docx": "word/", "xlsx": "xl/"}


def allowed_list() -> str:
    return ", ".join(sorted({ext for ext in ALLOWED if ext not in ("jpeg", "tiff")}))


def limits_sentence(verb: str = "upload") -> str:
    """What a browser that refused a file before sending it should tell the person."""
    sentence = (_("That file cannot be sent: send files of at most {mb} MB, of these types: {types}.") if verb == "send"
                else _("That file cannot be uploaded: upload files of at most {mb} MB, of these types: {types}."))
    return sentence.format(mb=max_upload_bytes() // 1024 // 1024, types=allowed_list())


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def clean_filename(filename: str) -> str:
    """The user's file name without folders or control characters, at most 200 characters."""
    name = str(filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".")
    if not name:
        raise InvalidInput(_("The file has no name; give it one (for example return.pdf) and upload it again."),
                           field="file")
    if len(name) > 200:
        stem, _dot, ext = name.rpartition(".")
        name = (stem[: 199 - len(ext)] + "." + ext) if stem else name[:200]
    return name


def check_name(filename: str) -> str:
    """Refuse a file whose extension is not one we accept; return the extension."""
    ext = extension(filename)
    if ext not in ALLOWED:
        sentence = (_('".{ext}" files cannot be uploaded. Upload one of: {types}.') if ext
                    else _("Files without an extension cannot be uploaded. Upload one of: {types}."))
        raise InvalidInput(sentence.format(ext=ext, types=allowed_list()), field="file")
    return ext


def check_head(filename: str, head: bytes) -> None:
    """Refuse a file whose first bytes do not match its extension."""
    ext = check_name(filename)
    if not head:
        raise InvalidInput(_('"{name}" is empty; check the file and upload it again.').format(name=filename),
                           field="file")
    _type, kind, called = ALLOWED[ext]
    if not SNIFFERS[kind](head):
        raise InvalidInput(misnamed_sentence(filename, called), field="file")


# --- writing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    content_type: str
    path: Path
    # What the `inspect` callback returned (a PDF's page count).
    info: Any = None


def path_for(key: str) -> Path:
    """Where the file with this key lives (keys are hex digests, checked here)."""
    if len(key) != 64 or any(ch not in "0123456789abcdef" for ch in key):
        raise NotFound(_("That file does not exist."))
    return files_dir() / key[:2] / key[2:4] / key


def _chunks(source: bytes | BinaryIO | Iterable[bytes]) -> Iterator[bytes]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        for i in range(0, len(data), CHUNK):
            yield data[i:i + CHUNK]
        return
    read = getattr(source, "read", None)
    if read is not None:
        while True:
            chunk = read(CHUNK)
            if not chunk:
                return
            yield chunk
    yield from source


def misnamed_sentence(filename: str, called: str) -> str:
    return _('"{name}" is named like {kind} but its content is not; it was not stored. Save it again in that format, '
             'or give it the extension it really has.').format(name=filename, kind=_(called))


def too_big_sentence(filename: str, limit: int) -> str:
    return _('"{name}" is larger than the {mb} MB limit; it was not stored. Split it or reduce its size (for example '
             'scan at a lower resolution) and upload it again.').format(name=filename, mb=f"{limit / 1024 / 1024:g}")


def store(source: bytes | BinaryIO | Iterable[bytes], filename: str, *, max_bytes: int | None = None,
          inspect: Callable[[Path, str], Any] | None = None) -> StoredFile:
    """`_store`, with a disk that refuses the write (full, read-only) said in a sentence."""
    try:
        return _store(source, filename, max_bytes=max_bytes, inspect=inspect)
    except OSError as exc:
        problem = disk_problem(exc)
        if problem is None:
            raise
        raise problem from exc


def _store(source: bytes | BinaryIO | Iterable[bytes], filename: str, *, max_bytes: int | None = None,
           inspect: Callable[[Path, str], Any] | None = None) -> StoredFile:
    """Write an upload to disk in chunks, refusing it (with a sentence) as soon as it breaks a rule:
    the wrong type by name or by content, or more than `max_bytes`. `inspect(path, extension)` may
    look at the complete file before it is kept and refuse it by raising InvalidInput (the error
    gets a `size` attribute). Atomic: a half-written or refused file is never visible under a key."""
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    filename = clean_filename(filename)
    ext = check_name(filename)
    root = files_dir()
    tmp_dir = root / "tmp"
    tmp_dir.mkdir(exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            checked = False
            for chunk in _chunks(source):
                size += len(chunk)
                if size > limit:
                    raise InvalidInput(too_big_sentence(filename, limit), field="file")
                if not checked:
                    head += chunk[:HEAD - len(head)]
                    if len(head) >= HEAD:
                        check_head(filename, head)
                        checked = True
                digest.update(chunk)
                out.write(chunk)
            if not checked:
                check_head(filename, head)
            out.flush()
            os.fsync(out.fileno())
        if ext in OOXML_PART:
            _check_office(tmp, filename, ext)
        info = None
        if inspect is not None:
            try:
                info = inspect(tmp, ext)
            except InvalidInput as err:
                err.size = size
                raise
        key = digest.hexdigest()
        final = path_for(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        # Same content, same key: an identical file already stored is simply reused.
        os.replace(tmp, final)
        return StoredFile(key=key, size=size, content_type=ALLOWED[ext][0], path=final, info=info)
    finally:
        tmp.unlink(missing_ok=True)


def _check_office(path: Path, filename: str, ext: str) -> None:
    # Only the zip's directory is read, never its contents: a zip bomb costs nothing here.
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        names = []
    if "[Content_Types].xml" not in names or not any(n.startswith(OOXML_PART[ext]) for n in names):
        called = ALLOWED[ext][2]
        raise InvalidInput(misnamed_sentence(filename, called), field="file")


def open_stored(key: str) -> Path:
    """The path of a stored file (NotFound when it is missing from disk)."""
    path = path_for(key)
    if not path.is_file():
        raise NotFound(_("That file is missing from storage. Ask an admin to restore it from a backup."))
    return path


def read_chunks(key: str, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
    with open(open_stored(key), "rb") as f:
        while True:
            chunk = f.read(chunk_size)
            if not chunk:
                return
            yield chunk


def stored_at(key: str) -> float | None:
    """When these bytes were last written (a new upload of the same content writes them again), as a timestamp;
    None when they are not on disk."""
    try:
        return path_for(key).stat().st_mtime
    except (OSError, NotFound):
        return None


def remove(key: str) -> None:
    """Delete a stored file that nothing holds any more (the caller checked); gone already is fine."""
    try:
        path_for(key).unlink(missing_ok=True)
    except NotFound:
        pass

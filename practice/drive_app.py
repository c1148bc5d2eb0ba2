"""The drive: the documents served over WebDAV (WsgiDAV on cheroot) so staff and clients can map
them as a network drive. `/` lists the accounts the login may see, named "Account Name (id)";
inside each are its folders and documents. Every read and change goes through
`practice.services.documents` (same permissions, type and size limits, PDF check, audit, events).

Run with `python -m practice drive` (PRACTICE_DRIVE_PORT, default 3001, bound to 127.0.0.1).
"""
from __future__ import annotations

import hashlib
import html
import logging
import os
import secrets
import signal
import tempfile
import threading
import time
from urllib.parse import quote, unquote, urlparse

from wsgidav.dav_error import (HTTP_CONFLICT, HTTP_FORBIDDEN, HTTP_INSUFFICIENT_STORAGE, HTTP_INTERNAL_ERROR,
                               HTTP_NOT_FOUND, HTTP_REQUEST_ENTITY_TOO_LARGE, HTTP_SERVICE_UNAVAILABLE, DAVError,
                               get_http_status_string)
from wsgidav.dav_provider import DAVCollection, DAVNonCollection, DAVProvider
from wsgidav.dc.base_dc import BaseDomainController
from wsgidav.dir_browser import WsgiDavDirBrowser
from wsgidav.error_printer import ErrorPrinter
from wsgidav.http_authenticator import HTTPAuthenticator
from wsgidav.mw.base_mw import BaseMiddleware
from wsgidav.mw.cors import Cors
from wsgidav.request_resolver import RequestResolver
from wsgidav.wsgidav_app import WsgiDAVApp

from practice import config, i18n
from practice.i18n import _
from practice.db import read_session, write_session
from practice.models import Document, Folder
from practice.protective_headers import PAGE_HEADERS
from practice.services import events
from practice.services.actor import ContactActor
from practice.services.documents import drive, files as document_files, folders as document_folders, storage
from practice.services.errors import Conflict, DiskProblem, NotFound, PermissionDenied, PracticeError, disk_problem
from practice.worker import tasks as worker_tasks

log = logging.getLogger(__name__)

DEFAULT_PORT = 3001
USER_KEY = "practice.drive.user"
ACTOR_KEY = "practice.drive.actor"
REALM = "Practice drive"


def drive_port() -> int:
    return int(os.environ.get("PRACTICE_DRIVE_PORT", str(DEFAULT_PORT)))


def _dav_error(err: PracticeError) -> DAVError:
    """The HTTP answer for a service's refusal, with its sentence as the body."""
    if isinstance(err, DiskProblem):  # the server's disk, not the request: 507 when full, else 503
        code = HTTP_INSUFFICIENT_STORAGE if err.full else HTTP_SERVICE_UNAVAILABLE
    elif isinstance(err, NotFound):
        code = HTTP_NOT_FOUND
    elif isinstance(err, Conflict):
        code = HTTP_CONFLICT
    else:  # PermissionDenied, InvalidInput (wrong type, too big, bad name)
        code = HTTP_FORBIDDEN
    return DAVError(code, context_info=str(err))


class _service:
    """Run a service call, turning its PracticeError into a DAVError."""

    def __enter__(self):
        return self

    def __exit__(self, kind, err, tb):
        if isinstance(err, PracticeError):
            raise _dav_error(err) from err
        return False


def _refuse(sentence: str) -> DAVError:
    return DAVError(HTTP_FORBIDDEN, context_info=sentence)


def _ts(value) -> float | None:
    return value.timestamp() if value is not None else None


def _staff_only(who) -> None:
    if isinstance(who, ContactActor):
        raise _refuse(_("Only the firm's team can do that."))


# --- resources ----------------------------------------------------------------------------------


class RootCollection(DAVCollection):
    """`/`: one collection per account the login may see."""

    def __init__(self, environ: dict):
        super().__init__("/", environ)
        self.who = environ[ACTOR_KEY]

    def get_member_names(self):
        with read_session() as session:
            return [label for _id, label in drive.visible_accounts(session, self.who)]

    def get_member(self, name):
        with read_session() as session:
            account_id = drive.account_for_label(session, self.who, name)
        if account_id is None:
            return None
        return FolderCollection(f"/{name}", self.environ, account_id, None)

    def get_display_info(self):
        return {"type": "Directory"}

    def create_collection(self, name):
        raise _refuse(_("Accounts are added in the app, not through the drive."))

    def create_empty_resource(self, name):
        raise _refuse(_("Put files inside an account's folder."))


class FolderCollection(DAVCollection):
    """An account's top level (`folder` None) or one of its folders."""

    def __init__(self, path: str, environ: dict, account_id: int, folder: Folder | None):
        super().__init__(path, environ)
        self.who = environ[ACTOR_KEY]
        self.account_id = account_id
        self.folder = folder
        self._listing = None

    @property
    def folder_id(self) -> int | None:
        return self.folder.id if self.folder is not None else None

    def listing(self) -> drive.Listing:
        if self._listing is None:
            with read_session() as session, _service():
                self._listing = drive.listing(session, self.who, self.account_id, self.folder_id)
        return self._listing

    def get_display_info(self):
        return {"type": "Directory"}

    def get_creation_date(self):
        return _ts(self.folder.created_at) if self.folder is not None else None

    def get_last_modified(self):
        return self.get_creation_date()

    def get_member_names(self):
        return self.listing().names()

    def get_member(self, name):
        found = self.listing()
        path = self.path.rstrip("/") + "/" + name
        if name in found.folders:
            return FolderCollection(path, self.environ, self.account_id, found.folders[name])
        if name in found.documents:
            return DocumentFile(path, self.environ, self.account_id, self, found.documents[name])
        return None

    def create_collection(self, name):
        _staff_only(self.who)
        with write_session() as session, _service():
            document_folders.create_folder(session, self.who, self.account_id, name, parent_id=self.folder_id)

    def create_empty_resource(self, name):
        # Refuse a wrong type or a missing permission before any byte is taken.
        with _service():
            storage.check_name(storage.clean_filename(name))
            with read_session() as session:
                document_files.check_can_upload(session, self.who, self.account_id, self.folder_id)
        return DocumentFile(self.path.rstrip("/") + "/" + name, self.environ, self.account_id, self, None,
                            new_name=name)

    def handle_delete(self):
        if self.folder is None:
            raise _refuse(_("An account's drive cannot be deleted; delete its folders and documents instead."))
        _staff_only(self.who)
        with write_session() as session, _service():
            document_folders.delete_folder(session, self.who, self.folder.id)
        return True

    def handle_move(self, dest_path):
        if self.folder is None:
            raise _refuse(_("Accounts are renamed in the app, not through the drive."))
        _staff_only(self.who)
        parent, name = _destination(self.environ, dest_path, self.account_id)
        with write_session() as session, _service():
            document_folders.move_folder(session, self.who, self.folder.id, name=name, parent_id=parent.folder_id)
        return True

    def handle_copy(self, dest_path, *, depth_infinity):
        raise _refuse(_("Folders cannot be copied through the drive; create a folder and copy the files into it."))


class _LimitedSpool:
    """Where a PUT's body goes until it is uploaded; refuses more than the upload limit as it arrives."""

    def __init__(self, filename: str):
        self.file = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)
        self.limit = storage.max_upload_bytes()
        self.filename = filename
        self.size = 0

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise DAVError(HTTP_REQUEST_ENTITY_TOO_LARGE,
                           context_info=storage.too_big_sentence(self.filename, self.limit))
        self.file.write(data)

    def close(self) -> None:  # the request server closes it; the bytes are read in end_write
        pass


class DocumentFile(DAVNonCollection):
    """One document (or, with `doc` None, the one a PUT is about to create)."""

    def __init__(self, path: str, environ: dict, account_id: int, parent: FolderCollection,
                 doc: Document | None, *, new_name: str = ""):
        super().__init__(path, environ)
        self.who = environ[ACTOR_KEY]
        self.account_id = account_id
        self.parent = parent
        self.doc = doc
        self.new_name = new_name
        self._spool: _LimitedSpool | None = None

    # reading
    def get_content_length(self):
        return self.doc.size if self.doc else 0

    def get_content_type(self):
        return (self.doc.content_type if self.doc else "") or "application/octet-stream"

    def get_creation_date(self):
        return _ts(self.doc.uploaded_at) if self.doc else None

    def get_last_modified(self):
        return self.get_creation_date()

    def get_display_name(self):
        return self.name

    def support_etag(self):
        return True

    def get_etag(self):
        if self.doc is None:
            return None
        return f"{self.doc.id}-{self.doc.stored_key[:16]}"

    def support_ranges(self):
        return True

    def get_content(self):
        with read_session() as session, _service():
            download = document_files.document_for_download(session, self.who, self.doc.id)
        return open(download.path, "rb")

    def set_last_modified(self, dest_path, time_stamp, *, dry_run):
        return True  # the upload time is what the app shows; a client's mtime is not kept

    # writing: a PUT uploads a new document; over an existing one it replaces it (new document,
    # old one deleted, so the history keeps both)
    def begin_write(self, *, content_type=None):
        if self.doc is not None:
            with read_session() as session, _service():
                # A dry run of the delete: the read session is never committed.
                document_files.delete_document(session, self.who, self.doc.id)
        self._spool = _LimitedSpool(self.new_name or (self.doc.name if self.doc else "upload"))
        return self._spool

    def end_write(self, *, with_errors):
        spool, self._spool = self._spool, None
        if spool is None:
            return
        try:
            if with_errors:
                return
            spool.file.seek(0)
            filename = self.new_name or self.doc.name
            with _service():
                received = document_files.receive_file(filename, spool.file)
                with write_session() as session:
                    # A replaced document keeps its sharing: an internal file overwritten stays internal.
                    new = document_files.record_upload(session, self.who, self.account_id, self.parent.folder_id,
                                                       received, shared=self.doc.shared if self.doc else None)
                    if not received.refusal and self.doc is not None:
                        document_files.delete_document(session, self.who, self.doc.id)
            if received.refusal:
                raise _refuse(received.refusal)
            self.doc = new
        finally:
            spool.file.close()

    def handle_delete(self):
        with write_session() as session, _service():
            document_files.delete_document(session, self.who, self.doc.id)
        return True

    def handle_move(self, dest_path):
        parent, name = _destination(self.environ, dest_path, self.account_id)
        target = parent.listing()
        existing = target.documents.get(name)
        with write_session() as session, _service():
            if name in target.folders:
                raise Conflict(f'There is already a folder "{name}" there.')
            if existing is not None and existing.id != self.doc.id:
                # Overwrite (the client asked for it): the document there goes away first.
                document_files.delete_document(session, self.who, existing.id)
            document_files.rename_document(session, self.who, self.doc.id, name, folder_id=parent.folder_id)
        return True

    def handle_copy(self, dest_path, *, depth_infinity):
        return False  # WsgiDAV copies by reading this one and PUTting a new one: a normal upload


def _destination(environ: dict, dest_path: str, account_id: int) -> tuple[FolderCollection, str]:
    """The folder a MOVE goes into and the new name; refused when it leaves the account."""
    provider: DriveProvider = environ["wsgidav.provider"]
    parts = [p for p in dest_path.split("/") if p]
    if len(parts) < 2:
        raise _refuse(_("Documents and folders stay inside an account; they cannot move to the top level."))
    parent = provider.get_resource_inst("/" + "/".join(parts[:-1]), environ)
    if not isinstance(parent, FolderCollection):
        raise DAVError(HTTP_CONFLICT, context_info=_("The folder to move into does not exist."))
    if parent.account_id != account_id:
        raise _refuse(_("Documents and folders cannot move to another account through the drive; "
                        "download and upload them instead."))
    return parent, parts[-1]


class DriveProvider(DAVProvider):
    """Resolves a path to an account, folder or document the signed-in login may see (else None)."""

    def is_readonly(self):
        return False

    def get_resource_inst(self, path: str, environ: dict):
        self._count_get_resource_inst += 1
        if ACTOR_KEY not in environ:
            user = environ.get(USER_KEY)
            if user is None:
                return None
            with read_session() as session:
                environ[ACTOR_KEY] = drive.actor_for(session, user)
            if environ[ACTOR_KEY] is not None:  # from here on the drive speaks the login's language
                i18n.switch_locale(environ[ACTOR_KEY].language)
        if environ[ACTOR_KEY] is None:
            raise DAVError(HTTP_FORBIDDEN, context_info=_("This login no longer has access to the drive."))
        parts = [p for p in (path or "/").split("/") if p]
        if any(_bad_segment(p) for p in parts):
            raise _refuse(_("That path is not allowed."))
        res = RootCollection(environ)
        for part in parts:
            if not isinstance(res, (RootCollection, FolderCollection)):
                return None
            res = res.get_member(part)
            if res is None:
                return None
        return res


def _bad_segment(part: str) -> bool:
    return part in (".", "..") or "\\" in part or "\x00" in part or any(not ch.isprintable() for ch in part)


# --- logins -------------------------------------------------------------------------------------


def client_address(environ: dict) -> str:
    """Who is asking: the connection's peer, or what a trusted proxy forwarded (`PRACTICE_TRUSTED_PROXIES`)."""
    return config.client_address(environ.get("REMOTE_ADDR"), environ.get("HTTP_X_FORWARDED_FOR"))[:64]


class DriveDomainController(BaseDomainController):
    """HTTP Basic with the staff member's or the contact's own email and password (see services.drive).

    A correct login is remembered for a minute (by a salted hash of the password), so a client's
    burst of requests costs one password check; the actor is still re-read on every request."""

    CACHE_SECONDS = 60

    def __init__(self, wsgidav_app, config):
        super().__init__(wsgidav_app, config)
        self._salt = secrets.token_bytes(16)
        self._cache: dict[tuple[str, bytes], tuple[float, drive.DriveUser]] = {}
        self._lock = threading.Lock()

    def get_domain_realm(self, path_info, environ):
        return REALM

    def require_authentication(self, realm, environ):
        return True

    def supports_http_digest_auth(self):
        return False

    def basic_auth_user(self, realm, user_name, password, environ):
        email = (user_name or "").strip().lower()
        key = (email, hashlib.sha256(self._salt + (password or "").encode()).digest())
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
        if hit and hit[0] > now:
            environ[USER_KEY] = hit[1]
            return True
        try:
            with write_session() as session:
                user = drive.sign_in(session, email, password, ip=client_address(environ))
        except PermissionDenied:
            return False
        with self._lock:
            if len(self._cache) > 1000:
                self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
            self._cache[key] = (now + self.CACHE_SECONDS, user)
        environ[USER_KEY] = user
        return True


# --- the WSGI app -------------------------------------------------------------------------------


def _forbidden(start_response, sentence: str):
    body = (sentence + "\n").encode()
    start_response("403 Forbidden", [("Content-Type", "text/plain; charset=utf-8"),
                                     ("Content-Length", str(len(body)))])
    return [body]


def _raw_path_refusal(raw: str) -> str | None:
    """Why a raw request path (or Destination) is refused: encoded slashes, dot segments, NULs."""
    lowered = raw.lower()
    if any(code in lowered for code in ("%2f", "%5c", "%00", "%25")):
        return _("Encoded slashes are not allowed in drive paths.")
    decoded = unquote(raw)
    if any(seg in (".", "..") for seg in decoded.replace("\\", "/").split("/")):
        return _("Paths with . or .. are not allowed on the drive.")
    return None


class PathGuard:
    """Refuses, before anything else runs, requests whose path or Destination tries to leave its place."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        raw = environ.get("REQUEST_URI") or environ.get("RAW_URI") or environ.get("PATH_INFO", "")
        raw_path = urlparse(raw).path if "://" in raw else raw.split("?", 1)[0]
        for value in (raw_path, environ.get("PATH_INFO", ""),
                      urlparse(environ.get("HTTP_DESTINATION", "")).path):
            why = _raw_path_refusal(value) if value else None
            if why:
                return _forbidden(start_response, why)
        return self.app(environ, start_response)


MAX_NON_UPLOAD_BODY = 1_000_000  # PROPFIND, PROPPATCH, LOCK... carry small XML bodies; uploads stream (PUT)
PROTECTIVE_HEADERS = [("X-Content-Type-Options", "nosniff"), ("Cache-Control", "private, no-store"),
                      ("Server", "practice drive")] + list(PAGE_HEADERS.items())  # no server version; no framing


_REPLACED = {name.lower() for name, _ in PROTECTIVE_HEADERS}


def _too_large(start_response, sentence: str, status: str = "413 Content Too Large"):
    body = (sentence + "\n").encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


class Protect:
    """Caps request bodies other than uploads and adds the same protective headers as the app's downloads
    (files are attachments, never sniffed or cached, and the server names no software or version)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "")
        if method != "PUT":
            if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
                return _too_large(start_response, _("Send the size of the request (Content-Length)."),
                                  "411 Length Required")
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = MAX_NON_UPLOAD_BODY + 1
            if length > MAX_NON_UPLOAD_BODY:
                return _too_large(start_response, _("This request is too large for the drive."))

        def protected(status, headers, exc_info=None):
            kept = [(k, v) for k, v in headers if k.lower() not in _REPLACED]
            kept += PROTECTIVE_HEADERS
            if method in ("GET", "HEAD") and status.startswith("200") and not any(
                    k.lower() == "content-disposition" for k, _ in kept):
                name = environ.get("PATH_INFO", "").rstrip("/").rsplit("/", 1)[-1]
                kept.append(("Content-Disposition", f"attachment; filename*=UTF-8''{quote(unquote(name))}"))
            return start_response(status, kept, exc_info) if exc_info else start_response(status, kept)

        # Each request starts in English and speaks its login's language once known (`get_resource_inst`); a
        # server thread never carries the previous request's language.
        with i18n.using_locale(i18n.SOURCE):
            return self.app(environ, protected)


class DiskAnswers(BaseMiddleware):
    """A write the server's disk refused (full, read-only, failing), wherever it happened (a commit, a lock, a login's
    record), answers with the app's sentence and 507 or 503, instead of WsgiDAV's bare 500."""

    def is_disabled(self):
        return False

    def __call__(self, environ, start_response):
        try:
            answer = self.next_app(environ, start_response)
            try:
                yield from answer
            finally:
                if hasattr(answer, "close"):
                    answer.close()
        except DAVError:
            raise
        except Exception as exc:  # noqa: BLE001 - only a disk's refusal is answered here; anything else goes on up
            problem = disk_problem(exc)
            if problem is None:
                raise
            raise _dav_error(problem) from exc


class _PlainError(DAVError):
    """A refusal whose page says its status and the app's sentence: never the server's software or version (WsgiDAV's
    own pages end with "WsgiDAV/4.4.0") nor an internal exception's text (logged instead)."""

    @classmethod
    def of(cls, err: DAVError) -> _PlainError:
        return cls(err.value, err.context_info, err_condition=err.err_condition, add_headers=err.add_headers,
                   add_body=err.add_body)

    def get_response_page(self):
        if self.err_condition:  # a WebDAV precondition: its XML names nothing
            return super().get_response_page()
        status = html.escape(get_http_status_string(self))
        said = _("Something went wrong on the drive; try again in a moment.") if self.value >= 500 and not \
            self.context_info else (self.context_info or "")
        page = (f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{status}</title></head><body>\n"
                f"<h1>{status}</h1>\n<p>{html.escape(str(said))}</p>\n</body></html>\n")
        return "text/html; charset=utf-8", page.encode()


class PlainErrors(BaseMiddleware):
    """Every failure below it becomes a `_PlainError` (WsgiDAV's ErrorPrinter, above it, then answers with its page);
    an unexpected exception is logged with its traceback and answered 500 with a sentence."""

    def is_disabled(self):
        return False

    def __call__(self, environ, start_response):
        try:
            answer = self.next_app(environ, start_response)
            try:
                yield from answer
            finally:
                if hasattr(answer, "close"):
                    answer.close()
        except _PlainError:
            raise
        except DAVError as err:
            if err.value >= 500 and err.src_exception is not None:
                log.error("the drive failed: %r", err.src_exception)
            raise _PlainError.of(err) from err
        except Exception as exc:  # noqa: BLE001 - anything else is the drive's failure, told in words
            log.exception("the drive failed")
            raise _PlainError(HTTP_INTERNAL_ERROR) from exc


def make_app():
    """The drive's WSGI app."""
    config = {
        "provider_mapping": {"/": DriveProvider()},
        "http_authenticator": {"domain_controller": DriveDomainController, "accept_basic": True,
                               "accept_digest": False, "default_to_digest": False},
        "simple_dc": {"user_mapping": {}},
        "dir_browser": {"enable": False},
        "lock_storage": True,
        # No dead properties: they would be kept in memory without bound (clients work without them).
        "property_manager": None,
        "verbose": 1,
        "logging": {"enable": False},
        "suppress_version_info": True,
        "middleware_stack": [Cors, ErrorPrinter, PlainErrors, DiskAnswers, HTTPAuthenticator, WsgiDavDirBrowser, RequestResolver],
    }
    return Protect(PathGuard(WsgiDAVApp(config)))


def make_server(host: str = "127.0.0.1", port: int | None = None):
    """A cheroot server for the drive (call .start() / .stop(), or .safe_start())."""
    from cheroot import wsgi  # lazy: the server library is needed only when the drive is served

    server = wsgi.Server((host, drive_port() if port is None else port), make_app(), numthreads=8)
    server.max_request_body_size = 0  # the upload limit is checked by the drive as bytes arrive
    return server


def _interrupt(*_):
    raise KeyboardInterrupt


def main() -> int:
    # Ctrl-C (also when started in the background, where SIGINT may be ignored) and SIGTERM stop it.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    events.set_doorbell(worker_tasks.ring_doorbell)  # clients' uploads start the rules at once
    port = drive_port()
    server = make_server(port=port)
    print(f"practice drive: WebDAV on http://127.0.0.1:{port} (log in with your app email and password)",
          flush=True)
    try:
        server.safe_start()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0

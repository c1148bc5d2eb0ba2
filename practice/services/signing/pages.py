"""The pages of a request's PDF: their sizes, their images (drawn in a limited child), and keeping a PDF the
app made (a rendered template, a sealed copy) as a document of the account."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlmodel import Session

from practice import config
from practice.models import Document, SignatureRequestStatus
from practice.sandbox import SandboxBusy, SandboxError, run_limited
from practice.services.actor import Actor
from practice.services.documents import files as document_files, pdf_check, storage
from practice.services.errors import InvalidInput, NotFound
from practice.services.signing import page_render_worker
from practice.services.signing.lookup import viewer_of
from practice.i18n import _

PAGE_PNG_WIDTH = 1000


@dataclass
class PageSize:
    width: float  # PDF points
    height: float


@lru_cache(maxsize=256)
def page_sizes_of(stored_key: str) -> tuple[tuple[float, float], ...]:
    import pypdfium2 as pdfium  # noqa: PLC0415 - lazy: heavy library

    pdf = pdfium.PdfDocument(str(storage.open_stored(stored_key)))
    try:
        return tuple(tuple(float(v) for v in pdf[i].get_size()) for i in range(len(pdf)))
    finally:
        pdf.close()


def page_sizes(doc: Document) -> list[PageSize]:
    try:
        return [PageSize(w, h) for w, h in page_sizes_of(doc.stored_key)]
    except Exception:  # a file missing from disk or unreadable: the page shows no pages, not an error page
        return []


def _cache_dir() -> Path:
    path = config.data_dir() / "cache" / "sign-pages"
    path.mkdir(parents=True, exist_ok=True)
    return path


def render_page_png(stored_key: str, page: int, width: int = PAGE_PNG_WIDTH) -> bytes:
    """One page of a stored PDF as a PNG about `width` pixels wide, cached on disk by content and page.

    The PDF may be a client's upload, so pdfium draws it in a child process with CPU, memory and time
    limits (`practice.sandbox` running `page_render_worker`), never in the app's process.
    """
    target = _cache_dir() / f"{storage.path_for(stored_key).name}-{int(page)}-{int(width)}.png"
    if target.is_file():
        return target.read_bytes()
    tmp = target.with_suffix(f".{secrets.token_hex(4)}.tmp.png")
    request = {"pdf": str(storage.open_stored(stored_key)), "page": int(page), "width": int(width), "out": str(tmp)}
    try:
        answer = run_limited(page_render_worker.render, request, cpu_s=pdf_check.CPU_SECONDS,
                             memory_bytes=pdf_check.MEMORY_BYTES, wall_s=pdf_check.WALL_SECONDS)
    except SandboxBusy:
        raise InvalidInput(_('The server is busy drawing other pages; reload in a moment.')) from None
    except SandboxError:
        answer = {}
    if not isinstance(answer, dict) or not answer.get("ok") or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        reason = answer.get("reason") if isinstance(answer, dict) else None
        if reason == "that page does not exist":
            raise NotFound(_('That page does not exist.'))
        raise InvalidInput(_("This page could not be drawn safely: {reason}.").format(
            reason=reason or _("it needed more time or memory than allowed")))
    tmp.replace(target)
    return target.read_bytes()


def page_png(session: Session, who, request_id: int, page: int) -> bytes:
    """One page (0-based) of the request's PDF as a PNG, for staff who see the account or a signer of it."""
    req, signer = viewer_of(session, who, request_id)
    if signer is not None and req.status == SignatureRequestStatus.cancelled:
        raise NotFound(_('The firm cancelled this request; its pages are no longer shown.'))
    doc = session.get(Document, req.document_id)
    if doc is None or not doc.stored_key:
        raise NotFound(_('The document of this request is missing.'))
    try:
        page = int(page)
    except (TypeError, ValueError):
        raise NotFound(_('That page does not exist.')) from None
    sizes = page_sizes(doc)
    if not 0 <= page < len(sizes):
        raise NotFound(_('That page does not exist.'))
    return render_page_png(doc.stored_key, page)


def store_pdf(session: Session, actor: Actor, account_id: int, folder_id: int | None, name: str, pdf: bytes, *,
              job_id: int | None = None, shared: bool | None = None) -> Document:
    """Keep a PDF the app made itself (a rendered template, a sealed result) as a document of the account,
    shared with the client or internal (`shared`; None: as its folder is)."""
    stored = storage.store(pdf, name, max_bytes=max(len(pdf), storage.max_upload_bytes()))
    try:
        pages = len(page_sizes_of(stored.key))
    except Exception:
        pages = None
    received = document_files.Received(filename=storage.clean_filename(name), key=stored.key, size=stored.size,
                                  content_type="application/pdf", pages=pages)
    return document_files.record_upload(session, actor, account_id, folder_id, received, job_id=job_id,
                                        shared=shared)

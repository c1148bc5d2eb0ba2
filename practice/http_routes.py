"""The backend's HTTP routes outside the pages: a document's bytes and a signature request's page images.

Reflex serves its backend with Starlette; `with_http_routes` (the app's `api_transformer`) puts these routes in
front of it. Sync endpoints run in Starlette's thread pool, off the event loop, and stream files from disk.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp

from practice import routes
from practice.api_routes import API_ROUTES
from practice.config import base_url
from practice.protective_headers import FrameGuard
from practice.db import read_session, write_session
from practice.models import MAX_ROW_ID
from practice.page_paths import BuiltPagePaths
from practice.payment_routes import PAYMENT_ROUTES
from practice.services.access import auth, device_cookies, two_factor
from practice.services.documents import files as document_files
from practice.services.actor import ContactActor
from practice.services.errors import InvalidInput, NotFound, PermissionDenied
from practice.services.portal import logins
from practice.services.signing import pages
from practice.session_routes import SESSION_ROUTES

SESSION_COOKIE = routes.STAFF_SESSION_COOKIE
PORTAL_COOKIE = routes.PORTAL_SESSION_COOKIE


def _ascii_name(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^A-Za-z0-9._ ()-]+", "_", plain).strip(" .") or "document"
    return plain[:150]


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback name and the exact name per RFC 6266 / 5987."""
    return f"attachment; filename=\"{_ascii_name(name)}\"; filename*=UTF-8''{quote(name, safe='')}"




def _in_range(*values: int) -> bool:
    return all(0 <= v <= MAX_ROW_ID for v in values)


def download_document(request: Request) -> Response:
    """GET /files/{id}: the document's bytes for a logged-in staff member who may see its account, or for a
    portal contact of that account."""
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store",
               "Content-Security-Policy": "default-src 'none'; sandbox"}
    document_id = request.path_params["document_id"]
    if not _in_range(document_id):
        return PlainTextResponse("That document does not exist.", status_code=404, headers=headers)
    with read_session() as session:
        actor = auth.actor_for_session(session, request.cookies.get(SESSION_COOKIE))
        if actor is not None and actor.member_id and two_factor.must_set_up(session, actor.member_id):
            # The firm requires two-factor sign-in: until it is set up, the session opens nothing.
            return PlainTextResponse("Set up two-factor sign-in first (the firm requires it).", status_code=403,
                                     headers=headers)
        if actor is None:
            # A client logged in to the portal may download its own accounts' documents.
            actor = logins.actor_for_portal_session(session, request.cookies.get(PORTAL_COOKIE))
        if actor is None:
            return PlainTextResponse("Log in to download documents.", status_code=401, headers=headers)
        try:
            download = document_files.document_for_download(session, actor, document_id)
        except PermissionDenied as err:
            return PlainTextResponse(str(err), status_code=403, headers=headers)
        except NotFound as err:
            return PlainTextResponse(str(err), status_code=404, headers=headers)
    if isinstance(actor, ContactActor):
        with write_session() as session:
            document_files.mark_viewed(session, actor, int(document_id))
    headers["Content-Disposition"] = content_disposition(download.filename)
    return FileResponse(download.path, media_type=download.content_type, headers=headers)


def _visitor(session, request: Request, headers: dict):
    """The staff actor or portal contact behind the request's cookies, or the refusal to send back."""
    actor = auth.actor_for_session(session, request.cookies.get(SESSION_COOKIE))
    if actor is not None and actor.member_id and two_factor.must_set_up(session, actor.member_id):
        return None, PlainTextResponse("Set up two-factor sign-in first (the firm requires it).", status_code=403,
                                       headers=headers)
    if actor is None:
        actor = logins.actor_for_portal_session(session, request.cookies.get(PORTAL_COOKIE))
    if actor is None:
        return None, PlainTextResponse("Log in to see this document.", status_code=401, headers=headers)
    return actor, None


def sign_page_image(request: Request) -> Response:
    """GET /sign-pages/{request_id}/{page}.png: one page of a signature request's PDF, for staff who may see
    its account and for the contacts asked to sign it."""
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=300",
               "Content-Security-Policy": "default-src 'none'; sandbox"}
    if not _in_range(request.path_params["request_id"], request.path_params["page"]):
        return PlainTextResponse("That page does not exist.", status_code=404, headers=headers)
    with read_session() as session:
        actor, refusal = _visitor(session, request, headers)
        if refusal is not None:
            return refusal
        try:
            png = pages.page_png(session, actor, request.path_params["request_id"], request.path_params["page"])
        except PermissionDenied as err:
            return PlainTextResponse(str(err), status_code=403, headers=headers)
        except NotFound as err:
            return PlainTextResponse(str(err), status_code=404, headers=headers)
        except InvalidInput as err:  # the page could not be drawn safely, or the server is busy
            return PlainTextResponse(str(err), status_code=422, headers=headers)
    return Response(png, media_type="image/png", headers=headers)


MAX_GRANT_BYTES = 1024


async def _small_body(request: Request, limit: int) -> bytes | None:
    """The request's body, or None as soon as it is longer than `limit` (nothing more is read)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return body


async def remember_device(request: Request) -> Response:
    """POST /remember-device: the page of someone who just logged in trades its one-time grant for the device
    cookie (HttpOnly, so scripts never read it), which spares this browser the slow-downs an attack causes."""
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    declared = request.headers.get("content-length", "0")
    body = await _small_body(request, MAX_GRANT_BYTES) if declared.isdigit() and int(declared) <= MAX_GRANT_BYTES \
        else None
    try:
        value = device_cookies.exchange((body or b"").decode("ascii", "replace"),
                                        request.cookies.get(device_cookies.COOKIE))
    except InvalidInput as err:
        return PlainTextResponse(str(err), status_code=400, headers=headers)
    response = Response(status_code=204, headers=headers)
    response.set_cookie(device_cookies.COOKIE, value, max_age=int(device_cookies.LIFETIME.total_seconds()),
                        path="/", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https" or base_url().startswith("https://"))
    return response


HTTP_ROUTES = [
    Route(routes.FILE_DOWNLOAD, download_document, methods=["GET"]),
    Route(routes.SIGN_PAGE_IMAGE, sign_page_image, methods=["GET"]),
    Route(routes.REMEMBER_DEVICE, remember_device, methods=["POST"]),
    *SESSION_ROUTES,
    *API_ROUTES,
    *PAYMENT_ROUTES,
]


def with_http_routes(reflex_backend: ASGIApp) -> ASGIApp:
    """The app's `api_transformer`: these routes first, then everything Reflex serves (the built pages too, in
    production, each at the address asked for: `page_paths`), every answer with the frame policy
    (`protective_headers`)."""
    return Starlette(routes=[*HTTP_ROUTES, Mount("", app=reflex_backend)],
                     middleware=[Middleware(FrameGuard), Middleware(BuiltPagePaths)])

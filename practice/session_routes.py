"""The login cookies, set and cleared by the backend only: HttpOnly (no script on the page can read them), SameSite=Lax,
and Secure when the app is served over HTTPS (the request came in over https, or `PRACTICE_BASE_URL` says https).

A login over the websocket cannot set such a cookie, so it sends the browser to `/session/start?token=...` with a
one-time token (`services/access/session_handoff.py`); this answers with the cookie and a redirect to the page the
login chose. Logging out goes through `/session/end` (staff) or `/session/end-portal` (a client), which end the
session and clear its cookie. The states read the cookie from the websocket's handshake (`state/base.py`), the
downloads from each request. Both routes refuse to act for another site (a link or form elsewhere cannot log a
visitor in to someone else's account, nor out of theirs): the browser's `Sec-Fetch-Site` says where a request
came from.
"""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from practice import config, routes
from practice.db import write_session
from practice.services.access import auth, session_handoff
from practice.services.errors import PracticeError
from practice.services.portal import logins

COOKIES = {session_handoff.STAFF: routes.STAFF_SESSION_COOKIE, session_handoff.PORTAL: routes.PORTAL_SESSION_COOKIE}
# The cookie lives as long as the longest a session can last (the server ends it sooner when idle).
MAX_AGE = int(auth.ABSOLUTE_TIMEOUT.total_seconds())
_NO_STORE = {"Cache-Control": "no-store"}


def served_over_https(request: Request) -> bool:
    """Whether cookies must be Secure: the request's scheme (the server takes it from a trusted proxy's
    X-Forwarded-Proto), or the address the firm's people use (`PRACTICE_BASE_URL`)."""
    return request.url.scheme == "https" or config.base_url().lower().startswith("https://")


def from_this_site(request: Request) -> bool:
    """The request was made by this site's own page, or typed by the person; browsers too old to say are let in."""
    return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


def _cookie_options(request: Request) -> dict:
    return {"path": "/", "httponly": True, "samesite": "lax", "secure": served_over_https(request)}


def start_session(request: Request) -> Response:
    """GET /session/start?token=...: trade a login's one-time token for its HttpOnly cookie, then go on."""
    if not from_this_site(request):
        return PlainTextResponse("Log in on the firm's own page.", status_code=403, headers=_NO_STORE)
    try:
        with write_session() as session:
            handoff = session_handoff.redeem(session, request.query_params.get("token", "")[:200])
    except PracticeError as err:
        return PlainTextResponse(str(err), status_code=400, headers=_NO_STORE)
    response = RedirectResponse(handoff.next_path, status_code=303, headers=_NO_STORE)
    response.set_cookie(COOKIES[handoff.kind], handoff.sid, max_age=MAX_AGE, **_cookie_options(request))
    return response


def _end(request: Request, kind: str, ended_at: str) -> Response:
    name = COOKIES[kind]
    if from_this_site(request):
        sid = request.cookies.get(name)
        with write_session() as session:
            (auth.log_out if kind == session_handoff.STAFF else logins.log_out)(session, sid)
    response = RedirectResponse(ended_at, status_code=303, headers=_NO_STORE)
    if from_this_site(request):
        response.delete_cookie(name, **_cookie_options(request))
    return response


def end_session(request: Request) -> Response:
    """GET /session/end: a team member logs out; back to the login page."""
    return _end(request, session_handoff.STAFF, routes.LOGIN)


def end_portal_session(request: Request) -> Response:
    """GET /session/end-portal: a client logs out of the portal; back to the portal's login page."""
    return _end(request, session_handoff.PORTAL, routes.PORTAL_LOGIN)


SESSION_ROUTES = [
    Route(routes.SESSION_START, start_session, methods=["GET"]),
    Route(routes.SESSION_END, end_session, methods=["GET"]),
    Route(routes.PORTAL_SESSION_END, end_portal_session, methods=["GET"]),
]

"""Headers every HTTP answer of the app carries, whatever serves it: no other site may show the app in a frame
(clickjacking: a hidden "Approve" or "Sign" under a visitor's click).

`FrameGuard` wraps the backend (the app's `api_transformer`, `http_routes.with_http_routes`), which in production
also serves the built pages; in development the pages come from Vite, whose config `dev_proxy` gives the same
headers. A route that sets its own `Content-Security-Policy` (downloads, page images) keeps it, with
`frame-ancestors 'self'` added when it names none.
"""
from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

FRAME_ANCESTORS = "frame-ancestors 'self'"
# X-Frame-Options for browsers that predate CSP's frame-ancestors.
PAGE_HEADERS = {"Content-Security-Policy": FRAME_ANCESTORS, "X-Frame-Options": "SAMEORIGIN"}

_CSP = b"content-security-policy"
_XFO = b"x-frame-options"


def guarded_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The answer's headers with the frame policy in its CSP and an X-Frame-Options (existing values kept)."""
    out, has_csp, has_xfo = [], False, False
    for name, value in headers:
        lower = name.lower()
        if lower == _CSP:
            has_csp = True
            if b"frame-ancestors" not in value:
                value = value.rstrip(b"; ") + b"; " + FRAME_ANCESTORS.encode()
        has_xfo = has_xfo or lower == _XFO
        out.append((name, value))
    if not has_csp:
        out.append((_CSP, FRAME_ANCESTORS.encode()))
    if not has_xfo:
        out.append((_XFO, b"SAMEORIGIN"))
    return out


class FrameGuard:
    """ASGI middleware: every HTTP answer gets the frame policy (websockets pass through untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": guarded_headers(list(message.get("headers", [])))}
            await send(message)

        await self.app(scope, receive, send_guarded)

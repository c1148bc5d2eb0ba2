"""Reflex's upload endpoint (`POST /_upload`), guarded: who is asking and how large the body is are settled before
a byte of it is read, the body is cut off past its limit, and uploads at once are limited per visitor and overall.

Reflex reads an upload's whole multipart body into temporary files before the handler (and its `allow` check)
runs, so without this gate anyone could fill the disk. `guard_uploads` is the app's outermost `api_transformer`:
it looks up the handler the upload names (only the app's upload handlers in `UPLOADS` are taken), runs that
handler's own `allow` check on the visitor's state (the client token the upload carries), refuses a missing or too
large `Content-Length`, then passes the request on with its body stream capped at the same limit. A refusal is an
HTTP error whose body is a Reflex update carrying a toast with the sentence, which the page shows.
"""
from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import reflex as rx
from reflex.istate.manager.token import BaseStateToken
from reflex.state import StateUpdate
from reflex.utils.format import format_event_handler
from reflex_base.event import Event
from reflex_base.event.context import EventContext
from reflex_base.utils.format import json_dumps
from starlette.types import ASGIApp, Receive, Scope, Send

from practice import config, i18n
from practice.i18n import N_, _
from practice.services.actor import Actor, ContactActor
from practice.services.chats import attachments as chat_attachments
from practice.services.documents import storage
from practice.services.client_requests import answering as request_answering
from practice.services.organizers import filling
from practice.services.work import csv_file
from practice.state.chats import ChatsState
from practice.state.documents import AccountDocumentsState, size_text
from practice.state.import_ import ImportState
from practice.state.page_access import ANYONE
from practice.state.portal_documents import PortalDocumentsState
from practice.state.portal_messages import PortalMessagesState
from practice.state.portal_organizers import PortalOrganizerState
from practice.state.request_link import RequestLinkState
from practice.state.signing_settings import MAX_P12_BYTES, SigningSettingsState
from practice.state.verify import VerifyState
from practice.state.verify import max_bytes as verify_max_bytes

UPLOAD_PATH = "/_upload"
# Room for the multipart boundaries and each part's headers, beyond the files' own bytes.
OVERHEAD_BYTES = 64 * 1024
# Uploads one visitor (a team member, a client contact, or an address for the public verify page) may send at once,
# and uploads the server takes at once from everyone.
PER_VISITOR = 2
AT_ONCE = 8


@dataclass(frozen=True)
class UploadLimit:
    """How many files one upload to a handler may carry, and the largest each may be; for a handler anyone may call,
    `refusal` is the name of a method of its state saying why this tab's upload could not be kept (or "")."""

    state: type
    handler: str
    files: int
    each: Callable[[], int]
    refusal: str = ""

    def max_body(self) -> int:
        return self.files * self.each() + OVERHEAD_BYTES


# The app's upload handlers: an upload naming any other handler is refused before its body is read.
UPLOADS = {
    format_event_handler(getattr(limit.state, limit.handler)): limit for limit in (
        UploadLimit(AccountDocumentsState, "handle_upload", 20, storage.max_upload_bytes),
        UploadLimit(PortalDocumentsState, "handle_upload", 20, storage.max_upload_bytes),
        UploadLimit(PortalOrganizerState, "upload", filling.MAX_FILES, storage.max_upload_bytes),
        UploadLimit(ChatsState, "attach_files", chat_attachments.MAX_FILES, storage.max_upload_bytes),
        UploadLimit(PortalMessagesState, "attach_files", chat_attachments.MAX_FILES, storage.max_upload_bytes),
        UploadLimit(RequestLinkState, "upload", request_answering.MAX_FILES, storage.max_upload_bytes,
                    refusal="_upload_refusal"),
        UploadLimit(VerifyState, "handle_upload", 1, verify_max_bytes),
        UploadLimit(ImportState, "handle_upload", 1, lambda: csv_file.MAX_BYTES),
        UploadLimit(SigningSettingsState, "upload_certificate", 1, lambda: MAX_P12_BYTES),
    )
}

# Said in the language of the tab the upload comes from (`_tab_language`).
NOT_AN_UPLOAD = N_("That is not a place to upload files.")
NO_LENGTH = N_("The upload did not say how large it is; please try again from the page.")
BUSY = N_("Several uploads are on their way already; please wait for them to finish and try again.")


def too_large(limit: UploadLimit) -> str:
    if limit.files == 1:
        return _("That file is too large: choose one of at most {size}.").format(size=size_text(limit.each()))
    return _("That upload is too large: at most {n} files of {size} each at once.").format(
        n=limit.files, size=size_text(limit.each()))


class _InFlight:
    """Uploads being received now, per visitor and in all."""

    def __init__(self) -> None:
        self.by_visitor: Counter = Counter()

    @contextlib.contextmanager
    def taken(self, visitor: Any) -> Iterator[bool]:
        """While the block runs, one upload of `visitor` counts; yields False (counting nothing) when there is no
        room for it."""
        if self.by_visitor[visitor] >= PER_VISITOR or sum(self.by_visitor.values()) >= AT_ONCE:
            yield False
            return
        self.by_visitor[visitor] += 1
        try:
            yield True
        finally:
            self.by_visitor[visitor] -= 1
            if self.by_visitor[visitor] <= 0:
                del self.by_visitor[visitor]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def refuse(send: Send, status: int, answer: str | Any) -> None:
    """Answer the upload with `status` and a Reflex update the page runs: a toast with `answer` when it is a
    sentence, else `answer`'s events (what `allow` sends back to a caller it refuses)."""
    update = StateUpdate(events=Event.from_event_type(rx.toast.error(answer) if isinstance(answer, str) else answer))
    body = (json_dumps(update) + "\n").encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/x-ndjson"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


async def _visitor_state(token: str, state_cls: type):
    """The upload's client state for `state_cls` (the one its handler would run on)."""
    manager = EventContext.get().state_manager
    root = await manager.get_state(BaseStateToken(ident=token, cls=state_cls))
    return await root.get_state(state_cls)


def visitor_key(actor: Actor | ContactActor | None, scope: Scope) -> tuple:
    """Whose uploads count together: the member's or contact's, else the address's (behind a trusted proxy, the
    address it forwarded, so that visitors of the public verify page do not all share one count)."""
    if isinstance(actor, Actor):
        return ("member", actor.member_id)
    if isinstance(actor, ContactActor):
        return ("contact", actor.contact_id)
    peer = (scope.get("client") or ("",))[0]
    return ("address", config.client_address(peer, _header(scope, b"x-forwarded-for")))


async def admitted(scope: Scope, limit: UploadLimit) -> tuple[tuple | None, Any]:
    """(the visitor's key, None) when the handler's `allow` check lets the upload's sender in, else (None, what
    `allow` answers a refused caller: a sentence, or its toast and redirect to the login page)."""
    handler = getattr(limit.state, limit.handler)
    token = _header(scope, b"reflex-client-token")
    if handler.fn.__practice_access__ == ANYONE:
        if not limit.refusal:
            return visitor_key(None, scope), None
        # Anyone may call it, but the tab must hold what makes the upload keepable (a request link's open request,
        # a browser that proved the address, one of its items): else nothing of the body is read.
        if not token:
            return None, _(NOT_AN_UPLOAD)
        state = await _visitor_state(token[:200], limit.state)
        why = await asyncio.to_thread(getattr(state, limit.refusal))
        return (None, why) if why else (visitor_key(None, scope), None)
    if not token:
        return None, "Log in to continue."
    state = await _visitor_state(token[:200], limit.state)
    no, actor = await asyncio.to_thread(handler.fn.__practice_guard__, state)
    if no is not None:
        return None, no
    return visitor_key(actor, scope), None


async def _tab_language(scope: Scope, limit: UploadLimit) -> str:
    """The language the uploading tab shows its pages in (its state's `lang`), for the gate's sentences; English for
    a request that names no tab."""
    token = _header(scope, b"reflex-client-token")
    if not token:
        return i18n.SOURCE
    state = await _visitor_state(token[:200], limit.state)
    return i18n.supported(getattr(state, "lang", "")) or i18n.SOURCE


def _declared_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


class UploadGate:
    """The ASGI middleware in front of the whole backend: only `POST /_upload` is looked at."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.in_flight = _InFlight()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or \
                scope.get("path", "").rstrip("/") != UPLOAD_PATH:
            await self.app(scope, receive, send)
            return
        limit = UPLOADS.get(_header(scope, b"reflex-event-handler") or "")
        if limit is None:
            await refuse(send, 404, _(NOT_AN_UPLOAD))
            return
        with i18n.using_locale(await _tab_language(scope, limit)):
            await self._gated(scope, receive, send, limit)

    async def _gated(self, scope: Scope, receive: Receive, send: Send, limit: UploadLimit) -> None:
        """An upload to one of the app's handlers: refused with a sentence, or passed on with its body capped."""
        declared = _declared_length(scope)
        if declared is None:
            await refuse(send, 411, _(NO_LENGTH))
            return
        visitor, why_not = await admitted(scope, limit)
        if visitor is None:
            await refuse(send, 403, why_not)
            return
        if declared > limit.max_body():
            await refuse(send, 413, too_large(limit))
            return
        with self.in_flight.taken(visitor) as room:
            if not room:
                await refuse(send, 429, _(BUSY))
                return
            await self._capped(scope, receive, send, min(declared, limit.max_body()), too_large(limit))

    async def _capped(self, scope: Scope, receive: Receive, send: Send, cap: int, sentence: str) -> None:
        """Pass the upload on, its body cut off (as if the sender had gone) once more than `cap` bytes arrive."""
        received, cut, answered = 0, False, False

        async def capped_receive() -> dict:
            nonlocal received, cut
            if cut:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    cut = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: dict) -> None:
            nonlocal answered
            if cut and not answered:
                return  # the refusal below answers instead
            answered = answered or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, capped_receive, guarded_send)
        except Exception:
            if not cut:
                raise  # a body cut off makes the endpoint give up (Reflex's returns; others may raise)
        if cut and not answered:
            await refuse(send, 413, sentence)


def guard_uploads(backend: ASGIApp) -> ASGIApp:
    """The app's last `api_transformer`: the upload gate in front of everything else."""
    return UploadGate(backend)

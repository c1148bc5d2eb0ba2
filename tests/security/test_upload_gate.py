"""The upload gate's stream cap: a body that runs past its declared length or its handler's limit is cut off there,
so what reaches Reflex's endpoint (and its temporary files) is never more than the limit."""
from __future__ import annotations

import asyncio
import contextlib
import types

import pytest
from reflex import constants
from reflex.istate.data import RouterData
from reflex.utils.format import format_event_handler
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

import practice.practice  # noqa: F401 - the app's states, as the gate sees them
from practice import upload_gate
from practice.state import verify as verify_state
from practice.state.verify import VerifyState

pytestmark = pytest.mark.security


def reflex_like_endpoint(seen: list):
    """Stands for Reflex's `/_upload`: it reads the body to the end (Reflex parses it into temporary files)."""
    async def upload(request: Request):
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
        seen.append(size)
        return PlainTextResponse("stored")
    return Starlette(routes=[Route(upload_gate.UPLOAD_PATH, upload, methods=["POST"])])


def call(app, declared: int, chunks: list[bytes], token: bytes | None = None) -> tuple[int, bytes]:
    scope = {"type": "http", "method": "POST", "path": upload_gate.UPLOAD_PATH, "headers": [
        (b"reflex-event-handler", format_event_handler(VerifyState.handle_upload).encode()),
        (b"content-length", str(declared).encode()),
        (b"content-type", b"multipart/form-data; boundary=x")], "client": ("203.0.113.9", 5000),
        "query_string": b"", "root_path": ""}
    if token:
        scope["headers"].append((b"reflex-client-token", token))
    queue = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    sent = []

    async def receive():
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    asyncio.run(upload_gate.UploadGate(app)(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def test_a_body_longer_than_it_said_is_cut_at_the_declared_length():
    seen = []
    status, answer = call(reflex_like_endpoint(seen), 1000, [b"a" * 600, b"b" * 600, b"c" * 10_000])
    assert status == 413 and b"too large" in answer
    assert seen == [] or seen[0] <= 1000


def test_a_body_within_its_length_and_limit_goes_through():
    seen = []
    status, answer = call(reflex_like_endpoint(seen), 1200, [b"a" * 600, b"b" * 600])
    assert (status, answer, seen) == (200, b"stored", [1200])


def test_a_declared_length_over_the_handlers_limit_is_refused_unread():
    seen = []
    limit = upload_gate.UPLOADS[format_event_handler(VerifyState.handle_upload)].max_body()
    status, _ = call(reflex_like_endpoint(seen), limit + 1, [b"a" * 10])
    assert status == 413 and seen == []


def test_every_upload_handler_of_the_app_has_its_limit():
    from tests.security.test_state_surface import app_states

    takes_files = {format_event_handler(getattr(cls, name)) for cls in app_states()
                   for name, handler in cls.event_handlers.items()
                   if "UploadFile" in str(getattr(handler.fn, "__annotations__", {}).get("files", ""))}
    assert takes_files == set(upload_gate.UPLOADS)


def test_anonymous_uploads_count_per_visitor_behind_a_trusted_proxy(monkeypatch):
    def scope(forwarded: str) -> dict:
        return {"client": ("10.0.0.5", 4000), "headers": [(b"x-forwarded-for", forwarded.encode())]}

    # Without the setting the header is anyone's to write: the connection's address counts.
    assert upload_gate.visitor_key(None, scope("198.51.100.1")) == upload_gate.visitor_key(None, scope("198.51.100.2"))
    monkeypatch.setenv("PRACTICE_TRUSTED_PROXIES", "10.0.0.5")
    assert upload_gate.visitor_key(None, scope("198.51.100.1")) == ("address", "198.51.100.1")
    assert upload_gate.visitor_key(None, scope("198.51.100.2")) == ("address", "198.51.100.2")


def test_the_verify_page_gives_each_visitor_behind_a_trusted_proxy_their_own_share(monkeypatch):
    monkeypatch.setattr(verify_state, "_recent", {})
    monkeypatch.setenv("PRACTICE_TRUSTED_PROXIES", "10.0.0.5")

    def visitor(address: str):
        return types.SimpleNamespace(router=RouterData.from_router_data(
            {constants.RouteVar.HEADERS: {"x-forwarded-for": address}, constants.RouteVar.CLIENT_IP: "10.0.0.5"}))

    first, second = visitor("198.51.100.1"), visitor("198.51.100.2")
    for _ in range(verify_state.CHECKS_PER_WINDOW):
        assert VerifyState._refusal(first, 1000) == ""
        verify_state._running.release()  # the check itself is not run here
    assert "please wait" in VerifyState._refusal(first, 1000)
    assert VerifyState._refusal(second, 1000) == ""  # the proxy's other visitors are not held up
    verify_state._running.release()


def test_uploads_at_once_are_limited_per_visitor_and_overall():
    in_flight, held = upload_gate._InFlight(), contextlib.ExitStack()
    with held:
        assert all(held.enter_context(in_flight.taken(("member", 1))) for _ in range(upload_gate.PER_VISITOR))
        assert not held.enter_context(in_flight.taken(("member", 1)))  # this person's third
        others = upload_gate.AT_ONCE - upload_gate.PER_VISITOR
        assert all(held.enter_context(in_flight.taken(("contact", n))) for n in range(others))
        assert not held.enter_context(in_flight.taken(("contact", 999)))  # the server's ninth
    with in_flight.taken(("contact", 999)) as room:
        assert room  # once they are done, there is room again


def test_the_gates_sentences_are_in_the_language_of_the_tab_that_uploads(monkeypatch):
    async def french_tab(token, state_cls):
        return types.SimpleNamespace(lang="fr")

    monkeypatch.setattr(upload_gate, "_visitor_state", french_tab)
    limit = upload_gate.UPLOADS[format_event_handler(VerifyState.handle_upload)].max_body()
    status, answer = call(reflex_like_endpoint([]), limit + 1, [b"a" * 10], token=b"tab-1")
    assert status == 413 and "Ce fichier est trop volumineux" in answer.decode()
    status, answer = call(reflex_like_endpoint([]), limit + 1, [b"a" * 10])  # no tab named: English
    assert status == 413 and "That file is too large" in answer.decode()

"""Files sent in chats never leak, over real HTTP (GET /files/<id>) and in the services: a client never sees a
staff-only note's file (not in the thread, the list, nor by its link), another account's client or a member
without the account never opens a thread's file, and a file is taken only for a thread the person may reach."""
from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from practice import routes
from practice.db import read_session, write_session
from practice.http_routes import HTTP_ROUTES
from practice.services.access import auth
from practice.services.chats import attachments, messages, threads
from practice.services.errors import NotFound, PermissionDenied
from practice.services.portal import logins
from practice.services.work import accounts
from tests.factories import PASSWORD as STAFF_PASSWORD
from tests.factories import contact_actor, give_portal_login, make_account, make_contact, make_firm
from tests.factories.hostile_pdfs import normal_pdf

PASSWORD = "plum-harbor-lantern"
pytestmark = [pytest.mark.security, pytest.mark.firm(build=lambda mp: households(mp))]


def households(monkeypatch):
    """The Joneses' thread holds a message with a file and a note with a file; Sam is the Smiths' client; Bob
    works at the firm but not on the Joneses."""
    with write_session() as s:
        staff = make_firm(s, employees={"bob": {"name": "Bob Stone", "email": "bob@firm.example"}})
        owner = staff["owner"]
        jones = make_account(s, owner, name="Jones Household")
        smith = make_account(s, owner, name="Smith Family")
        amy = make_contact(s, owner, [jones.id], "Amy", "Jones")
        sam = make_contact(s, owner, [smith.id], "Sam", "Smith")
        accounts.add_team_member_to_account(s, owner, smith.id, staff["bob"].member_id)
        jt = threads.start_thread(s, owner, account_id=jones.id, subject="Jones return").id
    shared = attachments.receive(owner, jt, "Draft 1040.pdf", normal_pdf())
    internal = attachments.receive(owner, jt, "Audit notes.pdf", normal_pdf(3))
    with write_session() as s:
        messages.write_as_staff(s, owner, jt, "Your draft", files=[shared])
        messages.write_as_staff(s, owner, jt, "Under audit, see notes", internal=True, files=[internal])
    give_portal_login(owner, amy.id, PASSWORD)
    give_portal_login(owner, sam.id, PASSWORD)
    with read_session() as s:
        draft, notes = (m.attachments[0] for m in messages.messages_of(s, owner, jt))
    return {**staff, "jones": jones.id, "amy": amy.id, "sam": sam.id, "jt": jt, "draft": draft.document_id,
            "notes": notes.document_id}


@pytest.fixture
def server(firm):
    """The download route served by uvicorn on a free local port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(Starlette(routes=HTTP_ROUTES), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(5)


def portal_cookie(email: str) -> dict:
    with write_session() as s:
        return {routes.PORTAL_SESSION_COOKIE: logins.log_in(s, email, PASSWORD)}


def staff_cookie(email: str) -> dict:
    with write_session() as s:
        return {routes.STAFF_SESSION_COOKIE: auth.log_in(s, email, STAFF_PASSWORD)[0]}


def test_the_client_opens_the_messages_file_but_never_the_notes_file(firm, server):
    amy = portal_cookie("amy@jones.example")
    ok = httpx.get(server + routes.file_url(firm["draft"]), cookies=amy)
    assert ok.status_code == 200 and ok.content == normal_pdf()
    assert httpx.get(server + routes.file_url(firm["notes"]), cookies=amy).status_code == 403
    with read_session() as s:
        mine = contact_actor(firm["amy"]).limited_to(firm["jones"])
        assert [[f.name for f in m.attachments] for m in messages.messages_of(s, mine, firm["jt"])] == [
            ["Draft 1040.pdf"]]
        assert "Audit" not in threads.list_threads(s, mine)[0].last_text


def test_another_accounts_client_and_a_member_without_the_account_open_no_file(firm, server):
    sam, bob = portal_cookie("sam@smith.example"), staff_cookie("bob@firm.example")
    for doc in (firm["draft"], firm["notes"]):
        assert httpx.get(server + routes.file_url(doc), cookies=sam).status_code == 403
        assert httpx.get(server + routes.file_url(doc), cookies=bob).status_code == 403
        assert httpx.get(server + routes.file_url(doc)).status_code == 401


def test_files_are_not_taken_for_a_thread_out_of_reach(firm):
    sam = contact_actor(firm["sam"])
    with pytest.raises(NotFound):
        attachments.receive(sam, firm["jt"], "mine.pdf", normal_pdf())
    with pytest.raises(PermissionDenied):
        attachments.receive(firm["bob"], firm["jt"], "mine.pdf", normal_pdf())
    with write_session() as s, pytest.raises(PermissionDenied):
        messages.write_as_client(s, firm["bob"], firm["jt"], "x")

"""GET /files/{id} over real HTTP: 401 without a login, 403 for a member without access to the
account, 200 with the bytes, an attachment disposition and nosniff for one who may see it."""
from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from practice import routes
from practice.db import write_session
from practice.http_routes import HTTP_ROUTES, content_disposition
from practice.services.access import auth
from practice.services.documents import files as document_files
from tests.factories import PASSWORD, actor_of, make_account, make_member
from tests.factories.hostile_pdfs import normal_pdf

pytestmark = pytest.mark.security


@pytest.fixture
def server(fresh_db, tmp_path, monkeypatch):
    """The download route served by uvicorn on a free local port."""
    monkeypatch.setenv("PRACTICE_DATA_DIR", str(tmp_path / "data"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = Starlette(routes=HTTP_ROUTES)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(5)


def sid_for(email: str) -> str:
    with write_session() as s:
        sid, _ = auth.log_in(s, email, PASSWORD)
    return sid


def test_downloads_need_a_login_and_access_to_the_account(server):
    with write_session() as s:
        owner = actor_of(make_member(s, role="owner", email="o@example.com"))
        make_member(s, role="employee", email="outsider@example.com")
        account = make_account(s, owner, name="Hartley")
    data = normal_pdf()
    doc = document_files.upload(owner, account.id, None, 'Ünïcode "return"; 2025.pdf', data)
    url = server + routes.file_url(doc.id)

    assert httpx.get(url).status_code == 401
    assert httpx.get(url, cookies={"practice_sid": "forged"}).status_code == 401
    denied = httpx.get(url, cookies={"practice_sid": sid_for("outsider@example.com")})
    assert denied.status_code == 403 and "do not have access" in denied.text
    assert httpx.get(server + routes.file_url(doc.id + 99),
                     cookies={"practice_sid": sid_for("o@example.com")}).status_code == 404

    ok = httpx.get(url, cookies={"practice_sid": sid_for("o@example.com")})
    assert ok.status_code == 200 and ok.content == data
    assert ok.headers["x-content-type-options"] == "nosniff"
    assert ok.headers["content-type"] == "application/pdf"
    disposition = ok.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="Unicode _return_ 2025.pdf"; filename*=UTF-8\'\'')
    assert "\n" not in disposition and '"return"' not in disposition


def test_a_hostile_name_cannot_break_the_disposition_header():
    header = content_disposition('evil"\r\nSet-Cookie: x=1.pdf')
    assert "\r" not in header and "\n" not in header and 'evil_' in header


def test_ids_past_what_a_database_holds_are_not_found_not_a_server_error(server):
    with write_session() as s:
        make_member(s, role="owner", email="o@example.com")
    cookies = {"practice_sid": sid_for("o@example.com")}
    huge = 10**30
    for path in (routes.file_url(huge), f"/sign-pages/{huge}/0.png", f"/sign-pages/1/{huge}.png"):
        answer = httpx.get(server + path, cookies=cookies)
        assert answer.status_code == 404, (path, answer.status_code, answer.text)
        assert "does not exist" in answer.text

"""The drive through a real WebDAV client (Debian's rclone): list, upload, download, rename, delete,
with the app's logins and permissions; paths that try to leave their place are refused."""
from __future__ import annotations

import base64
import html
import http.client
import os
import shutil
import socket
import subprocess
import threading

import pytest

from practice.db import read_session, write_session
from practice.services.documents import drive, files as document_files, folders as document_folders
from practice.services.work import accounts
from practice.services.actor import ContactActor
from tests.factories import PASSWORD, blank_pdf, give_portal_login, make_account, make_firm

RCLONE = shutil.which("rclone")
CLIENT_PASS = "drive-client-pass-9"


PDF = blank_pdf(width=200, height=200)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _activate(owner, contact_id):
    give_portal_login(owner, contact_id, CLIENT_PASS)


def acme_and_bolt_with_portal_logins(monkeypatch):
    monkeypatch.setenv("PRACTICE_BASE_URL", "https://portal.example")
    with write_session() as s:
        staff = make_firm(s, owner={"name": "Olivia Park", "email": "olivia@firm.example"},
                          employees={"emp": {"name": "Eli Employee", "email": "eli@firm.example"}})
        owner = staff["owner"]
        a = make_account(s, owner, name="Acme Tax")
        b = make_account(s, owner, name="Bolt Books")
        folder = document_folders.create_folder(s, owner, a.id, "Tax returns")
        ca = accounts.create_contact(s, owner, account_ids=[a.id], first_name="Ann", last_name="A",
                                     email="ann@a.example")
        cb = accounts.create_contact(s, owner, account_ids=[b.id], first_name="Bea", last_name="B",
                                     email="bea@b.example")
        cab = accounts.create_contact(s, owner, account_ids=[a.id, b.id], first_name="Cy", last_name="Both",
                                      email="cy@ab.example")
        ids = dict(owner_id=owner.member_id, emp_id=staff["emp"].member_id, a=a.id, b=b.id, folder=folder.id,
                   ca=ca.id, cb=cb.id)
    for contact_id in (ids["ca"], ids["cb"], cab.id):
        _activate(owner, contact_id)
    ids["owner"] = owner
    ids["A"], ids["B"] = f"Acme Tax ({ids['a']})", f"Bolt Books ({ids['b']})"
    return ids


pytestmark = [pytest.mark.slow, pytest.mark.firm(build=acme_and_bolt_with_portal_logins)]


@pytest.fixture
def server(firm):
    from practice.drive_app import make_server

    port = free_port()
    srv = make_server(port=port)
    srv.prepare()
    thread = threading.Thread(target=srv.serve, daemon=True)
    thread.start()
    yield port
    srv.stop()
    thread.join(timeout=10)


def rclone(port, user, password, *args, input_bytes=None, check=True):
    obscured = subprocess.run([RCLONE, "obscure", password], capture_output=True, text=True, check=True).stdout.strip()
    env = dict(os.environ, RCLONE_CONFIG_D_TYPE="webdav", RCLONE_CONFIG_D_URL=f"http://127.0.0.1:{port}",
               RCLONE_CONFIG_D_VENDOR="other", RCLONE_CONFIG_D_USER=user, RCLONE_CONFIG_D_PASS=obscured)
    proc = subprocess.run([RCLONE, "--config", "/dev/null", "--low-level-retries", "1", "--retries", "1", *args],
                          env=env, capture_output=True, input=input_bytes, timeout=60)
    if check:
        assert proc.returncode == 0, proc.stderr.decode()
    return proc


def raw(port, method, path, user, password, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    conn.putrequest(method, path, skip_accept_encoding=True)
    for k, v in {"Authorization": f"Basic {auth}", **(headers or {})}.items():
        conn.putheader(k, v)
    conn.putheader("Content-Length", str(len(body or b"")))
    conn.endheaders(body or b"")
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, html.unescape(data.decode("utf-8", "replace"))


def listed(port, user, password, path=""):
    return rclone(port, user, password, "lsf", f"d:{path}").stdout.decode().splitlines()


@pytest.mark.skipif(RCLONE is None, reason="rclone is installed by `make test-tools`")
def test_drive_with_rclone(firm, server, tmp_path):
    port, A, B = server, firm["A"], firm["B"]
    # Each login sees only its accounts.
    assert listed(port, "olivia@firm.example", PASSWORD) == [f"{A}/", f"{B}/"]
    assert listed(port, "eli@firm.example", PASSWORD) == []  # not on any account's team, no view-all
    assert listed(port, "ann@a.example", CLIENT_PASS) == [f"{A}/"]
    assert listed(port, "bea@b.example", CLIENT_PASS) == [f"{B}/"]
    assert listed(port, "cy@ab.example", CLIENT_PASS) == [f"{A}/", f"{B}/"]
    assert listed(port, "olivia@firm.example", PASSWORD, A) == ["Tax returns/"]

    # Upload through the drive: the same document as in the app, uploader recorded.
    local = tmp_path / "local.pdf"
    local.write_bytes(PDF)
    rclone(port, "ann@a.example", CLIENT_PASS, "copyto", str(local), f"d:{A}/Tax returns/w2.pdf")
    with read_session() as s:
        rows = document_files.list_documents(s, firm["owner"], firm["a"])
    assert [(r.name, r.folder, r.uploaded_by) for r in rows] == [("w2.pdf", "Tax returns", "Ann A (client)")]

    # Download the same bytes; rename; the service shows the new name.
    assert rclone(port, "olivia@firm.example", PASSWORD, "cat", f"d:{A}/Tax returns/w2.pdf").stdout == PDF
    rclone(port, "ann@a.example", CLIENT_PASS, "moveto", f"d:{A}/Tax returns/w2.pdf", f"d:{A}/Tax returns/W-2 2025.pdf")
    with read_session() as s:
        assert [r.name for r in document_files.list_documents(s, firm["owner"], firm["a"])] == ["W-2 2025.pdf"]
    assert listed(port, "ann@a.example", CLIENT_PASS, f"{A}/Tax returns") == ["W-2 2025.pdf"]

    # Folders: staff create and rename them.
    rclone(port, "olivia@firm.example", PASSWORD, "mkdir", f"d:{A}/Payroll")
    rclone(port, "olivia@firm.example", PASSWORD, "moveto", f"d:{A}/Tax returns/W-2 2025.pdf",
           f"d:{A}/Payroll/W-2 2025.pdf")
    with read_session() as s:
        assert [(r.name, r.folder) for r in document_files.list_documents(s, firm["owner"], firm["a"])] == \
            [("W-2 2025.pdf", "Payroll")]

    # A contact of B cannot list, read or write A's paths.
    for args in (("lsf", f"d:{A}"), ("cat", f"d:{A}/Payroll/W-2 2025.pdf")):
        assert rclone(port, "bea@b.example", CLIENT_PASS, *args, check=False).returncode != 0
    assert rclone(port, "bea@b.example", CLIENT_PASS, "copyto", str(local), f"d:{A}/Payroll/x.pdf",
                  check=False).returncode != 0
    status, _ = raw(port, "GET", f"/{A}/Payroll/W-2 2025.pdf".replace(" ", "%20"), "bea@b.example", CLIENT_PASS)
    assert status in (403, 404)
    status, _ = raw(port, "PUT", f"/{A}/x.pdf".replace(" ", "%20"), "bea@b.example", CLIENT_PASS, PDF)
    assert status in (403, 404, 409)  # 409: to this login the parent does not exist
    # ... nor move their own documents into another account.
    rclone(port, "cy@ab.example", CLIENT_PASS, "copyto", str(local), f"d:{B}/mine.pdf")
    status, body = raw(port, "MOVE", f"/{B}/mine.pdf".replace(" ", "%20"), "cy@ab.example", CLIENT_PASS,
                       headers={"Destination": f"http://127.0.0.1:{port}/{A}/mine.pdf".replace(" ", "%20")})
    assert status == 403 or "403" in body, body
    assert listed(port, "cy@ab.example", CLIENT_PASS, B) == ["mine.pdf"]

    # Delete (the uploader may); it leaves the app's lists.
    rclone(port, "olivia@firm.example", PASSWORD, "deletefile", f"d:{A}/Payroll/W-2 2025.pdf")
    with read_session() as s:
        assert document_files.list_documents(s, firm["owner"], firm["a"]) == []
    assert listed(port, "olivia@firm.example", PASSWORD, f"{A}/Payroll") == []


@pytest.mark.skipif(RCLONE is None, reason="rclone is installed by `make test-tools`")
def test_drive_refuses_traversal_bad_logins_and_wrong_types(firm, server):
    port, A, B = server, firm["A"].replace(" ", "%20"), firm["B"].replace(" ", "%20")
    who = ("bea@b.example", CLIENT_PASS)
    for path in (f"/{B}/../{A}/", f"/{B}/%2e%2e/{A}/", f"/{B}%2f..%2f{A}/", f"/{B}/..%2f{A}",
                 f"/{B}/%2E%2E%5C{A}"):
        status, _ = raw(port, "PROPFIND", path, *who, headers={"Depth": "1"})
        assert status in (403, 404), path
    # Another account's id under a made-up or real name.
    for path in (f"/{A}/", f"/Bolt%20Books%20({firm['a']})/", f"/x%20({firm['a']})/"):
        status, _ = raw(port, "PROPFIND", path, *who, headers={"Depth": "1"})
        assert status in (403, 404), path
    # Wrong password, unknown user.
    assert raw(port, "PROPFIND", "/", "bea@b.example", "wrong-password", headers={"Depth": "1"})[0] == 401
    assert raw(port, "PROPFIND", "/", "nobody@x.example", "whatever1", headers={"Depth": "1"})[0] == 401
    assert rclone(port, "bea@b.example", "wrong-password", "lsf", "d:", check=False).returncode != 0
    # A type the app refuses is refused with its sentence.
    status, body = raw(port, "PUT", f"/{B}/tool.exe", *who, b"MZ\x90\x00binary")
    assert status == 403
    assert '".exe" files cannot be uploaded' in body, body
    # A .pdf that is not a PDF is refused by its content.
    status, body = raw(port, "PUT", f"/{B}/fake.pdf", *who, b"MZ\x90\x00not a pdf")
    assert status == 403, body
    with read_session() as s:
        cb = ContactActor(contact_id=firm["cb"], name="Bea B", account_ids=frozenset({firm["b"]}))
        assert document_files.list_documents(s, cb, firm["b"]) == []


def raw_response(port, method, path, user, password, body=b"", headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    conn.request(method, path, body=body, headers={"Authorization": f"Basic {auth}", **(headers or {})})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp, data


def test_drive_answers_with_protective_headers_keeps_no_dead_properties_and_caps_bodies(firm, server):
    port, A = server, firm["A"].replace(" ", "%20")
    owner = ("olivia@firm.example", PASSWORD)
    document_files.upload(firm["owner"], firm["a"], None, "letter.pdf", blank_pdf())
    resp, data = raw_response(port, "GET", f"/{A}/letter.pdf", *owner)
    assert resp.status == 200 and data[:5] == b"%PDF-"
    assert resp.getheader("X-Content-Type-Options") == "nosniff"
    assert resp.getheader("Content-Disposition") == "attachment; filename*=UTF-8''letter.pdf"
    assert resp.getheader("Cache-Control") == "private, no-store"
    assert resp.getheader("Server") == "practice drive"
    assert resp.getheader("Content-Security-Policy") == "frame-ancestors 'self'"
    assert resp.getheader("X-Frame-Options") == "SAMEORIGIN"
    # A dead property is not kept (it would live in the drive's memory for ever).
    prop = (b'<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:x"><D:set><D:prop>'
            b"<Z:junk>" + b"x" * 1000 + b"</Z:junk></D:prop></D:set></D:propertyupdate>")
    raw_response(port, "PROPPATCH", f"/{A}/letter.pdf", *owner, prop, {"Content-Type": "application/xml"})
    resp, data = raw_response(port, "PROPFIND", f"/{A}/letter.pdf", *owner,
                              b'<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>',
                              {"Depth": "0", "Content-Type": "application/xml"})
    assert resp.status == 207 and b"junk" not in data
    # Bodies other than uploads are small XML: a big one is refused before it is read.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.putrequest("PROPFIND", "/")
    conn.putheader("Authorization", "Basic " + base64.b64encode(b"olivia@firm.example:" + PASSWORD.encode()).decode())
    conn.putheader("Content-Length", "300000000")
    conn.endheaders()  # the body never needs to be sent: the answer comes first
    resp = conn.getresponse()
    assert resp.status == 413 and b"too large" in resp.read()
    conn.close()


@pytest.mark.skipif(RCLONE is None, reason="rclone is installed by `make test-tools`")
def test_a_clients_drive_shows_only_what_the_firm_shared(firm, server, tmp_path):
    port, A = server, firm["A"]
    with write_session() as s:
        private = document_folders.create_folder(s, firm["owner"], firm["a"], "Working papers", shared=False)
    document_files.upload(firm["owner"], firm["a"], private.id, "review.pdf", PDF)
    document_files.upload(firm["owner"], firm["a"], firm["folder"], "draft.pdf", PDF, shared=False)
    document_files.upload(firm["owner"], firm["a"], firm["folder"], "return.pdf", PDF)
    assert listed(port, "olivia@firm.example", PASSWORD, A) == ["Tax returns/", "Working papers/"]
    assert listed(port, "ann@a.example", CLIENT_PASS, A) == ["Tax returns/"]
    assert listed(port, "ann@a.example", CLIENT_PASS, f"{A}/Tax returns") == ["return.pdf"]
    for path in (f"/{A}/Tax returns/draft.pdf", f"/{A}/Working papers/review.pdf"):
        status, _ = raw(port, "GET", path.replace(" ", "%20"), "ann@a.example", CLIENT_PASS)
        assert status in (403, 404), path
    status, _ = raw(port, "PUT", f"/{A}/Working papers/mine.pdf".replace(" ", "%20"), "ann@a.example", CLIENT_PASS, PDF)
    assert status in (403, 404, 409)
    # Staff replacing an internal file through the drive keep it internal.
    local = tmp_path / "draft.pdf"
    local.write_bytes(blank_pdf(2))
    rclone(port, "olivia@firm.example", PASSWORD, "copyto", str(local), f"d:{A}/Tax returns/draft.pdf")
    with read_session() as s:
        rows = {r.name: r.shared for r in document_files.list_documents(s, firm["owner"], firm["a"])}
    assert rows == {"draft.pdf": False, "return.pdf": True, "review.pdf": False}
    assert listed(port, "ann@a.example", CLIENT_PASS, f"{A}/Tax returns") == ["return.pdf"]


def _send(port, method, path, user, password, size: int, headers=None) -> int:
    """`method` with a body of `size` bytes, sent in pieces; the drive's status (0 when none could be read)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.putrequest(method, path)
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    for k, v in {"Authorization": f"Basic {auth}", "Content-Length": str(size), **(headers or {})}.items():
        conn.putheader(k, v)
    conn.endheaders()
    head = (b'<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:x"><D:set><D:prop><Z:junk>')
    try:
        conn.send(head)
        piece, sent = b"x" * 65536, len(head)
        while sent < size:
            conn.send(piece[:size - sent])
            sent += len(piece)
    except OSError:
        pass  # the drive answered and closed without reading the rest: its answer is still there to read
    try:
        status = conn.getresponse().status
    except (OSError, http.client.HTTPException):
        status = 0
    conn.close()
    return status


def _traced_after(work) -> int:
    """Bytes the process (the drive's server threads included) still holds after `work`, beyond before it."""
    import gc
    import tracemalloc

    tracemalloc.start()
    try:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        work()
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


@pytest.mark.security
def test_twenty_big_property_updates_are_refused_and_the_drives_memory_stays_flat(firm, server):
    port, A = server, firm["A"].replace(" ", "%20")
    owner = ("olivia@firm.example", PASSWORD)
    document_files.upload(firm["owner"], firm["a"], None, "letter.pdf", blank_pdf())
    statuses: list[int] = []

    def updates():
        for _ in range(20):
            statuses.append(_send(port, "PROPPATCH", f"/{A}/letter.pdf", *owner, 5 * 1024 * 1024,
                                  {"Content-Type": "application/xml"}))
        # Below the cap the update is read, and still nothing of it is kept.
        for _ in range(20):
            statuses.append(_send(port, "PROPPATCH", f"/{A}/letter.pdf", *owner, 900_000,
                                  {"Content-Type": "application/xml"}))

    held = _traced_after(updates)
    assert statuses[:20] == [413] * 20
    assert held < 5 * 1024 * 1024, f"the drive holds {held / 1024 / 1024:.1f} MB more after 40 property updates"


@pytest.mark.security
def test_a_300_mb_propfind_is_refused_before_its_body_is_read(firm, server):
    started = _traced_after(lambda: None)
    assert started < 1024 * 1024
    statuses: list[int] = []
    held = _traced_after(lambda: statuses.append(
        _send(server, "PROPFIND", "/", "olivia@firm.example", PASSWORD, 300 * 1024 * 1024, {"Depth": "0"})))
    assert statuses == [413]
    assert held < 2 * 1024 * 1024


@pytest.mark.security
@pytest.mark.skipif(RCLONE is None, reason="rclone is installed by `make test-tools`")
def test_a_webdav_client_gets_files_as_attachments_never_sniffed_or_cached_from_a_server_without_a_version(
        firm, server, tmp_path):
    document_files.upload(firm["owner"], firm["a"], None, "letter.pdf", blank_pdf())
    got = rclone(server, "olivia@firm.example", PASSWORD, "--dump", "headers", "copyto",
                 f"d:{firm['A']}/letter.pdf", str(tmp_path / "letter.pdf"))
    dumped = got.stderr.decode()
    answers = [part for part in dumped.split("HTTP RESPONSE")[1:]]
    download = next(a for a in answers if "Content-Type: application/pdf" in a)
    assert "X-Content-Type-Options: nosniff" in download
    assert "Content-Disposition: attachment; filename*=UTF-8''letter.pdf" in download
    assert "Cache-Control: private, no-store" in download
    # Every answer (listings, refusals) names no server software or version.
    refused = rclone(server, "olivia@firm.example", "wrong-password", "--dump", "headers", "lsf", "d:",
                     check=False).stderr.decode()
    for answer in answers + refused.split("HTTP RESPONSE")[1:]:
        server_lines = [line for line in answer.splitlines() if line.lower().startswith("server:")]
        assert all(line.split(":", 1)[1].strip() == "practice drive" for line in server_lines), server_lines
        assert "wsgidav" not in answer.lower() and "cheroot" not in answer.lower()


def test_the_drive_answers_a_french_client_in_french_and_the_next_login_in_its_own_language(firm, server):
    from practice.models import Contact

    with write_session() as s:
        s.get(Contact, firm["cb"]).language = "fr"
    port, B = server, firm["B"].replace(" ", "%20")
    status, body = raw(port, "PUT", f"/{B}/tool.exe", "bea@b.example", CLIENT_PASS, b"MZ\x90\x00binary")
    assert status == 403 and "Les fichiers « .exe » ne peuvent pas être déposés" in body, body
    status, body = raw(port, "PUT", "/loose.pdf", "bea@b.example", CLIENT_PASS, PDF)
    assert status == 403 and "Déposez les fichiers dans un répertoire d'un dossier client." in html.unescape(body), body
    # Ann reads English: the server's threads do not carry Bea's French over.
    for _ in range(3):
        status, body = raw(port, "PUT", "/loose.pdf", "ann@a.example", CLIENT_PASS, PDF)
        assert status == 403 and "Put files inside an account's folder." in html.unescape(body), body


# What would name the server's software or its version, or show its insides, in an answer.
SOFTWARE_WORDS = ("wsgidav", "cheroot", "4.4.0", "python/", "source exception", "traceback", "sqlite", "error(")


def test_the_drives_error_answers_name_no_software_or_version_and_show_no_internals(firm, server, monkeypatch):
    """Issue 20: every refusal and failure the drive gives, heads and bodies, over real HTTP: the app's sentence,
    never "WsgiDAV/4.4.0" (WsgiDAV's own error pages ended with it) nor an internal exception's text."""
    port, A = server, firm["A"].replace(" ", "%20")
    owner = ("olivia@firm.example", PASSWORD)
    document_files.upload(firm["owner"], firm["a"], None, "letter.pdf", blank_pdf())
    bad_xml = b'<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop>'
    asked = {
        "a file that is not there": ("GET", f"/{A}/nope.pdf", owner, b"", {}),
        "a folder that is not there": ("PROPFIND", "/Nobody%20(999999)/", owner, b"", {"Depth": "1"}),
        "a method the drive has not": ("POST", f"/{A}/letter.pdf", owner, b"", {}),
        "a broken XML body": ("PROPFIND", f"/{A}/", owner, bad_xml, {"Depth": "1", "Content-Type": "application/xml"}),
        "a lock token that is not there": ("UNLOCK", f"/{A}/letter.pdf", owner, b"", {"Lock-Token": "<urn:uuid:x>"}),
        "a folder at the top": ("MKCOL", "/New%20account", owner, b"", {}),
        "a wrong password": ("PROPFIND", "/", ("olivia@firm.example", "wrong-password"), b"", {"Depth": "1"}),
    }
    statuses = {}
    for what, (method, path, who, body, headers) in asked.items():
        resp, data = raw_response(port, method, path, *who, body, headers)
        statuses[what] = resp.status
        answer = (str(resp.getheaders()) + data.decode("utf-8", "replace")).lower()
        assert resp.status >= 400, (what, resp.status)
        assert not [w for w in SOFTWARE_WORDS if w in answer], (what, resp.status, answer)
        assert resp.getheader("Server") in (None, "practice drive"), what

    # A failure inside the drive (a bug, a database gone) answers 500 with a sentence, its details only in the log.
    def broken(*args, **kwargs):
        raise RuntimeError("sqlite3.OperationalError: no such table: teammember")
    monkeypatch.setattr(drive, "listing", broken)
    resp, data = raw_response(port, "PROPFIND", f"/{A}/", *owner, b"", {"Depth": "1"})
    answer = (str(resp.getheaders()) + data.decode("utf-8", "replace")).lower()
    assert resp.status == 500 and "teammember" not in answer
    assert not [w for w in SOFTWARE_WORDS if w in answer], answer
    assert "try again" in answer, answer

    # The request server's own refusals (a request it cannot read) name nothing either.
    for request in (b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\nHost: x\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(request)
            answer = conn.recv(4096).decode("latin-1").lower()
        assert answer.startswith("http/1.1 4") or answer.startswith("http/1.1 5"), answer
        assert not [w for w in SOFTWARE_WORDS if w in answer], answer
    print(f"\nstatuses: {statuses}")

"""Uploads against the running app: who is asking and how large the body is are settled before the body is read
(a 1.5 GB anonymous upload is refused before 1 MB of it is stored), uploads at once are limited per visitor, and
a person whose upload is refused reads why on the page."""
from __future__ import annotations

import os
import tempfile
import threading
import time
import uuid

import httpx
import pytest
from playwright.sync_api import expect

from practice import upload_gate
from practice.state.documents import AccountDocumentsState
from practice.state.import_ import ImportState
from practice.state.verify import VerifyState
from reflex.utils.format import format_event_handler
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.security]

GB = 1024 ** 3
BOUNDARY = "practice-upload-test-boundary"


@pytest.fixture(scope="module")
def backend(harness) -> str:
    host, port = harness.backend.servers[0].sockets[0].getsockname()[:2]
    return f"http://{host}:{port}"


def stored_in_temp_files() -> int:
    """Bytes in the temporary files this process (the harness's backend) holds open: where Reflex spools an
    upload's body past its first megabyte."""
    total, temp = 0, os.path.realpath(tempfile.gettempdir())
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
            if target.startswith(temp + "/"):
                total += os.fstat(int(fd)).st_size
        except OSError:
            continue
    return total


class Watch:
    """Polls the server's temporary files while an upload runs; the body generator stops once 1 MB is stored (so
    a server without the gate does not fill the disk before the test fails)."""

    def __init__(self) -> None:
        self.most, self.done = 0, threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        base = stored_in_temp_files()
        while not self.done.is_set():
            self.most = max(self.most, stored_in_temp_files() - base)
            time.sleep(0.01)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join(5)


def body(total: int, watch: Watch, *, name: str = "huge.pdf", pace: float = 0.0):
    """A multipart upload of `total` bytes of one file, streamed from a generator."""
    yield (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n"
           "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n").encode()
    chunk, sent = b"0" * (256 * 1024), 0
    while sent < total:
        if watch.most > 1024 * 1024:
            raise RuntimeError("the server stored more than 1 MB")
        yield chunk
        sent += len(chunk)
        if pace:
            time.sleep(pace)
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def post(backend: str, handler, content, *, token: str | None = None, length: int | None = None,
         timeout: float = 30) -> httpx.Response | None:
    headers = {"Reflex-Client-Token": token or str(uuid.uuid4()),
               "Reflex-Event-Handler": format_event_handler(handler),
               "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    if length is not None:
        headers["Content-Length"] = str(length)
    try:
        return httpx.post(backend + "/_upload", content=content, headers=headers, timeout=timeout)
    except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
        return None  # the server answered and closed before the client finished sending


@pytest.mark.parametrize("handler, declared", [
    (AccountDocumentsState.handle_upload, True),   # staff only: a stranger is refused before a byte is read
    (AccountDocumentsState.handle_upload, False),
    (VerifyState.handle_upload, True),             # anyone, up to the verify limit
    (VerifyState.handle_upload, False),
])
def test_a_huge_anonymous_upload_is_refused_before_a_megabyte_is_stored(backend, handler, declared):
    total = int(1.5 * GB)
    with Watch() as watch:
        started = time.monotonic()
        answer = post(backend, handler, body(total, watch), length=total + 300 if declared else None)
        took = time.monotonic() - started
    assert watch.most < 1024 * 1024, f"{watch.most} bytes stored"
    assert took < 10
    if answer is not None:
        assert answer.status_code in (403, 411, 413)
        assert "toast" in answer.text


def test_an_upload_to_a_handler_that_takes_no_files_is_refused(backend):
    answer = post(backend, AccountDocumentsState.load, b"x" * 100, length=100)
    assert answer.status_code == 404


def _token(page) -> str:
    return page.evaluate("() => window.sessionStorage.getItem('token')")


def csv_body(pace: float, release: threading.Event):
    yield (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"slow.csv\"\r\n"
           "Content-Type: text/csv\r\n\r\nName,Email\r\n").encode()
    while not release.wait(pace):
        yield b""
    yield f"Ann Slow,ann.slow@example.com\r\n\r\n--{BOUNDARY}--\r\n".encode()


def test_a_member_sends_two_uploads_at_once_and_a_third_waits(page, base_url, backend):
    log_in(page, base_url)
    page.goto(base_url + "/import")
    # The tab's state knows its member once the page's load has run (the sidebar shows the name): an upload sent
    # before that is refused as a stranger's, which is not what this test is about.
    expect(page.locator("body")).to_contain_text("Olivia Park")
    token = _token(page)
    release, answers = threading.Event(), []
    length = len(b"".join(csv_body(0, _released())))

    def slow():
        answers.append(post(backend, ImportState.handle_upload, csv_body(0.05, release), token=token, length=length))

    slow_ones = [threading.Thread(target=slow) for _ in range(upload_gate.PER_VISITOR)]
    for t in slow_ones:
        t.start()
    time.sleep(1.0)
    third = post(backend, ImportState.handle_upload, b"".join(csv_body(0, _released())), token=token, length=length)
    release.set()
    for t in slow_ones:
        t.join(30)
    assert third.status_code == 429
    assert "uploads are on their way" in third.text
    assert [a.status_code for a in answers] == [200] * upload_gate.PER_VISITOR
    # Once they are through, the member uploads again.
    again = post(backend, ImportState.handle_upload, b"".join(csv_body(0, _released())), token=token, length=length)
    assert again.status_code == 200


def _released() -> threading.Event:
    done = threading.Event()
    done.set()
    return done


def test_a_member_over_the_limit_reads_why_on_the_page(page, base_url, tmp_path, monkeypatch):
    # 50 KB per file for this test: the documents page takes 20 files, so one of 2 MB is over the upload's limit.
    monkeypatch.setenv("PRACTICE_MAX_UPLOAD_MB", "0.05")
    log_in(page, base_url)
    page.goto(base_url + "/accounts")
    page.locator("table a").first.click()
    big = tmp_path / "scan.pdf"
    big.write_bytes(b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024))
    page.locator("#document-upload input[type=file]").set_input_files(str(big))
    expect(page.get_by_text("That upload is too large: at most 20 files of 51 KB each at once.")).to_be_visible()

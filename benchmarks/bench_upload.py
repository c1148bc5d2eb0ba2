"""Benchmark: a 10 MB upload is stored and listed within 1 s.

Builds a fresh migrated SQLite file (the app's engine settings) with an owner and an account, then,
for a 10 MB PDF (one page plus a 10 MB embedded image-like stream, so the PDF check in its limited
child process runs for real) and a 10 MB JPEG, times `document_files.upload` (streamed in 1 MB chunks
from a file, type sniffing, SHA-256, fsync, atomic rename, the PDF check, the row and its audit
entry) followed by `document_files.list_documents` showing it. The same run times a plain copy of the
same file with fsync as a baseline for the disk, and a GET of the PDF through the real download
route over HTTP (uvicorn on loopback). Exits 1 if any upload+list is over the limit.

    python benchmarks/bench_upload.py [--iterations 5] [--limit-s 1.0] [--mb 10]
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.figures import figure  # noqa: E402


def make_pdf(size: int) -> bytes:
    from tests.factories.hostile_pdfs import build_pdf

    payload = os.urandom(size)
    return build_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>",
                      2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                      3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                         b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
                      4: b"<< /Length 35 >>\nstream\nq 612 0 0 792 0 0 cm /Im1 Do Q\nendstream",
                      5: b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
                         b"/BitsPerComponent 8 /Length %d >>\nstream\n" % size + payload + b"\nendstream"})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--limit-s", type=float, default=1.0)
    parser.add_argument("--mb", type=float, default=10)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    os.environ["PRACTICE_DATA_DIR"] = str(work / "data")
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.db'}"
    from practice.db import write_session, read_session
    from practice.migrate import upgrade
    from practice.services.documents import files as document_files, folders as document_folders
    from tests.factories import actor_of, make_account, make_member

    upgrade()
    with write_session() as s:
        owner = actor_of(make_member(s, role="owner", name="Bench Owner"))
        account = make_account(s, owner, name="Bench Client")
        folder = document_folders.create_folder(s, owner, account.id, "Scans")
    size = int(args.mb * 1024 * 1024)
    files = {"pdf": work / "scan.pdf", "jpg": work / "photo.jpg"}
    files["pdf"].write_bytes(make_pdf(size - 600))
    files["jpg"].write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(size - 4))

    def timed(fn) -> list[float]:
        out = []
        for _ in range(args.iterations):
            started = time.perf_counter()
            fn()
            out.append(time.perf_counter() - started)
        return out

    def copy_baseline():
        target = work / "copy.bin"
        shutil.copyfile(files["pdf"], target)
        with open(target, "rb+") as f:
            os.fsync(f.fileno())
        target.unlink()

    results = {"baseline: copy 10 MB + fsync": (timed(copy_baseline), None)}
    for kind, path in files.items():
        def upload_and_list(path=path):
            # Each round changes one byte at the end so the content address is new (no dedupe shortcut).
            data = bytearray(path.read_bytes())
            data[-1] = (data[-1] + 1) % 256
            path.write_bytes(bytes(data))
            with open(path, "rb") as stream:
                doc = document_files.upload(owner, account.id, folder.id, path.name, stream)
            assert doc.status.value == "ok", doc.refusal
            with read_session() as s:
                rows = document_files.list_documents(s, owner, account.id, folder_id=folder.id)
            assert rows[0].id == doc.id and rows[0].size == len(data)
        results[f"upload + list, {args.mb:g} MB {kind.upper()}"] = (timed(upload_and_list), args.limit_s)

    results["GET /files/{id}, 10 MB PDF over HTTP"] = (timed_download(work, owner, account.id, files["pdf"],
                                                                       args.iterations), None)
    failed = False
    print(f"{'scenario':<40} {'median s':>9} {'max s':>7}  verdict")
    for name, (times, limit) in results.items():
        verdict = "-" if limit is None else ("pass" if max(times) <= limit else "FAIL")
        failed |= verdict == "FAIL"
        print(f"{name:<40} {statistics.median(times):>9.3f} {max(times):>7.3f}  {verdict}")
        if limit is not None:
            figure(name, round(statistics.median(times), 3), "s",
                   baseline=round(statistics.median(results["baseline: copy 10 MB + fsync"][0]), 3),
                   baseline_name="copy 10 MB + fsync", goal=f"max <= {limit:g} s", ok=verdict == "pass")
    shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


def timed_download(work: Path, owner, account_id: int, pdf: Path, iterations: int) -> list[float]:
    import httpx
    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import Route

    from practice import routes
    from practice.db import write_session
    from practice.models import TeamMember
    from practice.http_routes import download_document
    from practice.services.access import auth
    from practice.services.documents import files as document_files
    from tests.factories import PASSWORD

    with open(pdf, "rb") as stream:
        doc = document_files.upload(owner, account_id, None, "download.pdf", stream)
    with write_session() as s:
        email = s.get(TeamMember, owner.member_id).email
        sid, _ = auth.log_in(s, email, PASSWORD)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=[Route(routes.FILE_DOWNLOAD, download_document)]),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    times = []
    with httpx.Client(cookies={"practice_sid": sid}) as client:
        for _ in range(iterations):
            started = time.perf_counter()
            response = client.get(f"http://127.0.0.1:{port}{routes.file_url(doc.id)}")
            assert response.status_code == 200 and len(response.content) == doc.size
            times.append(time.perf_counter() - started)
    server.should_exit = True
    thread.join(5)
    return times


if __name__ == "__main__":
    sys.exit(main())

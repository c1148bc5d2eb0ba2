"""`python -m practice verify FILE.pdf`: plain words, exit 0 only for an intact file sealed by a trusted certificate."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from practice.db import read_session, write_session
from practice.services.signing import certificates, seal
from tests.factories import sample_fields, sample_pdf, sample_trail

ROOT = Path(__file__).resolve().parents[3]


def _cli(*args, env):
    return subprocess.run([sys.executable, "-m", "practice", "verify", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_verify(fresh_db, tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICE_DATA_DIR", str(tmp_path / "data"))
    with write_session() as s:
        done = seal.finish(s, sample_pdf(1), sample_fields()[:2], sample_trail())
    with read_session() as s:
        pem = certificates.current(s).cert_pem
    good = tmp_path / "signed.pdf"
    good.write_bytes(done.pdf)
    bad = tmp_path / "changed.pdf"
    flipped = bytearray(done.pdf)
    flipped[len(flipped) // 2] ^= 0x01
    bad.write_bytes(bytes(flipped))
    cert = tmp_path / "firm.pem"
    cert.write_text(pem)

    # With the firm's database (same DATABASE_URL as this test).
    env = dict(os.environ)
    result = _cli(str(good), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "This file is intact" in result.stdout and "June Hartley" in result.stdout
    assert done.final_sha256 in result.stdout

    # Without any database: the certificate given with --trust.
    bare = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    bare["PRACTICE_DATA_DIR"] = str(tmp_path / "elsewhere")
    result = _cli(str(good), "--trust", str(cert), env=bare)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "This file is intact" in result.stdout
    result = _cli(str(bad), "--trust", str(cert), env=bare)
    assert result.returncode == 1 and "changed after it was sealed" in result.stdout
    result = _cli(str(good), env=bare)
    assert result.returncode == 1 and "--trust CERT.pem" in result.stderr
    assert not (tmp_path / "elsewhere" / "practice.db").exists()
    result = _cli(str(tmp_path / "missing.pdf"), "--trust", str(cert), env=bare)
    assert result.returncode == 1 and "Cannot read" in result.stderr

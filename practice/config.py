"""Settings read from the environment, with defaults that run on one machine with no services."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """Folder for the SQLite database, the worker queue and uploaded files."""
    path = Path(os.environ.get("PRACTICE_DATA_DIR", ROOT / "data"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """`DATABASE_URL`, or a SQLite file in the data folder."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir() / 'practice.db'}"


def huey_path() -> Path:
    return Path(os.environ.get("PRACTICE_HUEY_DB", data_dir() / "huey.db"))


PORT = int(os.environ.get("PRACTICE_PORT", "3000"))
BACKEND_PORT = int(os.environ.get("PRACTICE_BACKEND_PORT", "8000"))


def base_url() -> str:
    """The address people reach the app at, for the few links that must be absolute (those sent by email, the
    activation link staff hand over): `PRACTICE_BASE_URL`. Links inside the app are relative and need no setting."""
    return os.environ.get("PRACTICE_BASE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")


def allow_encrypted_pdfs() -> bool:
    """`PRACTICE_ALLOW_ENCRYPTED_PDFS=1`: accept password-protected PDFs (refused by default: the app can
    neither check, preview nor sign what it cannot open)."""
    return os.environ.get("PRACTICE_ALLOW_ENCRYPTED_PDFS", "").strip().lower() in ("1", "true", "yes")

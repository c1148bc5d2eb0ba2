"""The Huey consumer and the mailer start without loading libraries only some of their jobs use.

Every start of a worker or a mailer pays for what it imports (the chaos tests start them about a hundred times
a run); pypdf and the stripe SDK are imported by the code that lays out a sealed file or calls the provider.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOADED_WHEN_USED = ("pypdf", "stripe")


def test_starting_a_worker_or_a_mailer_loads_neither_pypdf_nor_stripe():
    code = (
        "import sys\n"
        "import practice.worker.tasks, practice.worker.mailer\n"
        "import practice.__main__  # `python -m practice worker | mailer`\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(LOADED_WHEN_USED)!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = result.stdout.strip().splitlines()[-1]
    assert loaded == "[]", (
        f"Importing the worker and the mailer loaded {loaded}: each worker and mailer start pays for them (about "
        "0.2 s, a hundred times a test run). Import them inside the functions that use them "
        "(`# noqa: PLC0415 - lazy: heavy library`), where they load when first used.")

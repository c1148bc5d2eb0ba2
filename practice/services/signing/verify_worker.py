"""Verify one PDF under hard limits and print the report as one JSON line (run by sealing.verify_isolated).

Usage: python -m practice.services.signing.verify_worker CPU_SECONDS MEMORY_BYTES  (JSON request on stdin)

The public verify page takes files from anyone: the limits are set before pypdf or pyHanko is
imported, so a hostile file cannot outlive them (same approach as pdf_worker).
"""
from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> int:
    from practice.services.documents.pdf_worker import _limit  # noqa: PLC0415 - imports nothing heavy

    cpu, memory = int(argv[1]), int(argv[2])
    _limit(cpu, memory)
    sys.setrecursionlimit(2_000)
    request = json.loads(sys.stdin.read())
    from pypdf import apply_configuration  # noqa: PLC0415 - only after the limits are set

    from practice.services.signing import sealing  # noqa: PLC0415

    with open(request["path"], "rb") as fh:
        data = fh.read()
    limits = dict(zlib_maximum_output_length=50_000_000, lzw_maximum_output_length=50_000_000,
                  run_length_maximum_output_length=50_000_000, maximum_declared_stream_length=50_000_000)
    with apply_configuration(**limits):
        report = sealing.verify(data, trust_roots_pem=request.get("roots") or [],
                                firm_name=str(request.get("firm_name") or ""))
    sys.stdout.write(json.dumps(sealing.report_to_json(report)) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

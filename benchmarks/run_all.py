"""Run every benchmarks/bench_*.py script, print each one's output, exit non-zero if any fails.

    python benchmarks/run_all.py            (from the repository root)
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if not scripts:
        print("no benchmarks/bench_*.py scripts found")
        return 1
    results = []
    for script in scripts:
        print(f"=== {script.name}", flush=True)
        start = time.perf_counter()
        code = subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode
        results.append((script.name, code, time.perf_counter() - start))
        print(flush=True)
    print("=== summary")
    for name, code, seconds in results:
        print(f"{name:<32} {'PASS' if code == 0 else f'FAIL (exit {code})':<16} {seconds:6.1f} s")
    return 1 if any(code for _, code, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main())

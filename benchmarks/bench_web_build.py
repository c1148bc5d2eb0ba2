"""Benchmark: what the production build of the pages costs when they changed, and when they did not
(practice/web_build.py: the bundle is kept and served again, or taken from PRACTICE_WEB_BUILD_CACHE).

In a scratch `.web` folder (REFLEX_WEB_WORKDIR; the project's own is left alone) `python -m practice build` runs
--rounds times each way, alternated: "changed" with the scratch folder's bundle and the cache removed first (the
pages compiled and bundled), "unchanged" right after (compiled, bundle kept). Each run is told a different port, as
the tests' servers are. Wall time and processor time (the command and every process it waited for, the bundler
included) are printed; medians. No goal: it prints the figures and exits 0.

    python benchmarks/bench_web_build.py [--rounds 3]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from figures import figure  # noqa: E402
from tests.e2e.served import free_port  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="practice-bench-build-"))
    web, cache = scratch / "web", scratch / "cache"
    results: dict[str, list[tuple[float, float]]] = {"changed": [], "unchanged": []}
    try:
        build_timed(web, cache)  # the scratch folder's packages installed once, before anything is timed
        for _ in range(args.rounds):
            shutil.rmtree(web / "build", ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
            for how in ("changed", "unchanged"):
                wall, cpu, said = build_timed(web, cache)
                expected = "built" if how == "changed" else "kept"
                if said != expected:
                    raise SystemExit(f"the {how} build said {said!r}, not {expected!r}")
                results[how].append((wall, cpu))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    median = {how: (statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows))
              for how, rows in results.items()}
    for how, (wall, cpu) in median.items():
        print(f"{how:>9}: {wall:.1f} s wall, {cpu:.1f} s of processor (medians of {args.rounds})")
    figure("production build, pages unchanged: processor", round(median["unchanged"][1], 1), "s",
           baseline=round(median["changed"][1], 1), baseline_name="pages changed (bundled again)")
    figure("production build, pages unchanged: wall", round(median["unchanged"][0], 1), "s",
           baseline=round(median["changed"][0], 1), baseline_name="pages changed (bundled again)")
    return 0


def build_timed(web: Path, cache: Path) -> tuple[float, float, str]:
    """(wall s, processor s, what practice said: built, kept or cached) of one `python -m practice build` in `web`,
    told a new port; the processor time is the command's and every process it waited for (os.times' children)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, REFLEX_WEB_WORKDIR=str(web), PRACTICE_WEB_BUILD_CACHE=str(cache), REFLEX_API_URL=url,
               REFLEX_DEPLOY_URL=url, PRACTICE_PORT=str(port), PRACTICE_BACKEND_PORT=str(port))
    before, started = os.times(), time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "practice", "build"], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    wall, after = time.perf_counter() - started, os.times()
    if done.returncode != 0:
        raise SystemExit(f"the build failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    out = done.stdout + done.stderr
    said = "kept" if "(kept)" in out else "cached" if "(cached)" in out else "built"
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu, said


if __name__ == "__main__":
    sys.exit(main())

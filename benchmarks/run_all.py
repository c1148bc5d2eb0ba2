"""Run every benchmark, then print each headline figure beside its same-run baseline, with the ratio.

    python benchmarks/run_all.py                 every benchmark at its full size (`make bench`; ~30 min)
    python benchmarks/run_all.py --quick         smaller sizes and fewer repetitions (a few minutes)
    python benchmarks/run_all.py --only rules    only the scripts whose name contains "rules"

Each script prints its own report (shown as it runs) and, for each headline figure, one
`FIGURE {json}` line (benchmarks/figures.py) with the baseline it measured in the same run. A
script not listed in BENCHMARKS still runs, with no arguments. Exits 1 if any script failed or
missed its target.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from figures import parse  # noqa: E402


@dataclass(frozen=True)
class Bench:
    script: str
    quick: tuple[str, ...] = ()   # arguments for --quick
    full: tuple[str, ...] = ()    # arguments for a full run


# One line per benchmark: add yours here to give it --quick arguments (it runs anyway, without them).
BENCHMARKS = [
    Bench("bench_account_balances.py", quick=("--accounts", "1000", "--iterations", "30")),
    Bench("bench_anonymous_states.py", quick=("--tabs", "600", "--repeat", "1")),
    Bench("bench_automation_latency.py", quick=("--moves", "60", "--idle-s", "3"), full=("--compare",)),
    Bench("bench_backup.py", quick=("--gb", "0.2", "--repeat", "1")),
    Bench("bench_board.py", quick=("--iterations", "60", "--sizes", "20000:15")),
    Bench("bench_bulk_move.py", quick=("--jobs", "500")),
    Bench("bench_drop.py", quick=("--drops", "5")),
    Bench("bench_field_views.py", quick=("--jobs", "10000", "--iterations", "30")),
    Bench("bench_demo.py", quick=("--runs", "1", "--accounts", "1000", "--jobs", "10000")),
    Bench("bench_import.py", quick=("--runs", "2")),
    Bench("bench_import_custom.py", quick=("--runs", "2")),
    Bench("bench_invoice_pdf.py", quick=("--iterations", "5")),
    Bench("bench_message_latency.py", quick=("--clients", "20", "--messages", "10")),
    Bench("bench_page_loads.py", quick=("--rounds", "1", "--logins", "3")),
    Bench("bench_portal_load.py", quick=("--clients", "50", "--seconds", "15")),
    Bench("bench_proposal.py", quick=("--iterations", "5")),
    Bench("bench_rules.py", quick=("--quick",)),
    Bench("bench_rules_empty.py", quick=("--repeat", "3")),
    Bench("bench_rules_inputs.py", quick=("--repeat", "2")),
    Bench("bench_schedule.py", quick=("--runs", "1")),
    Bench("bench_seal.py", quick=("--iterations", "3")),
    Bench("bench_test_databases.py", quick=("--cycles", "5", "--rounds", "1")),
    Bench("bench_upload.py", quick=("--iterations", "3")),
    Bench("bench_web_build.py", quick=("--rounds", "1")),
]


def plan(quick: bool, only: str | None) -> list[tuple[str, list[str]]]:
    """(script, arguments) of each benchmark to run: the table's, then any other bench_*.py."""
    listed = {b.script: b for b in BENCHMARKS}
    scripts = sorted(p.name for p in HERE.glob("bench_*.py"))
    runs = []
    for name in scripts:
        if only and only not in name:
            continue
        bench = listed.get(name, Bench(name))
        runs.append((name, list(bench.quick if quick else bench.full)))
    return runs


def run(script: str, args: list[str]) -> tuple[int, float, list[dict]]:
    """Run one script, echoing its output; (exit code, seconds, its figures)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(HERE / script), *args], cwd=HERE.parent, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, bufsize=1)
    figures = []
    for line in proc.stdout:
        found = parse(line)
        if found is not None:
            figures.append(found)
        else:
            print(line, end="", flush=True)
    return proc.wait(), time.perf_counter() - start, figures


def ratio_of(fig: dict) -> str:
    base = fig.get("baseline")
    if not base:
        return "–"
    return f"{fig['value'] / base:.2f}x"


def table(results: list[tuple[str, int, float, list[dict]]]) -> list[str]:
    """The summary: each figure with its baseline and ratio, then each script's verdict."""
    lines = [f"{'figure':<58} {'value':>11} {'baseline':>11} {'ratio':>7}  {'goal':<26} verdict",
             "-" * 128]
    for script, _code, _seconds, figures in results:
        for fig in figures:
            unit = fig.get("unit", "")
            base = fig.get("baseline")
            base_text = f"{base:g} {unit}" if base is not None else "–"
            verdict = {True: "pass", False: "MISS", None: "–"}[fig.get("ok")]
            lines.append(f"{fig['name'][:58]:<58} {fig['value']:>8g} {unit:<2} {base_text:>11} {ratio_of(fig):>7}  "
                         f"{(fig.get('goal') or '')[:26]:<26} {verdict}")
            if fig.get("baseline_name"):
                lines.append(f"    baseline: {fig['baseline_name']}   ({script})")
    lines.append("")
    for script, code, seconds, figures in results:
        state = "PASS" if code == 0 else f"FAIL (exit {code})"
        lines.append(f"{script:<32} {state:<16} {seconds:6.1f} s   {len(figures)} figures")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repetitions")
    parser.add_argument("--only", help="run only the scripts whose file name contains this")
    args = parser.parse_args()
    runs = plan(args.quick, args.only)
    if not runs:
        print("no benchmarks/bench_*.py script to run")
        return 1
    results = []
    for script, script_args in runs:
        print(f"=== {script} {' '.join(script_args)}", flush=True)
        code, seconds, figures = run(script, script_args)
        results.append((script, code, seconds, figures))
        print(flush=True)
    print("=== summary (each figure beside its baseline measured in the same run)")
    print("\n".join(table(results)))
    return 1 if any(code for _, code, _, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main())

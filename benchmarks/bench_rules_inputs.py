"""Benchmark: checking large or hostile rules texts stays under 2 s (issue 13).

Times ``check_errors`` followed by ``format_errors`` (what the editor and ``python -m rules check``
do) on:
  - a 1 MB file of ordinary, valid rules (the contract's examples, renamed),
  - the same file with an unknown stage in every "Filed" rule (hundreds of errors, 100 laid out),
  - the same file with a syntax error near its end,
  - one rule holding a 100,000-digit number,
and, as a baseline in the same run, a regular-expression word split of the 1 MB file (the floor of
any reader). Medians of process CPU time and wall clock; exits 1 when a median CPU time is 2 s or more.

Run from the repository root:  .venv/bin/python benchmarks/bench_rules_inputs.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rules import Catalog, check_errors, format_errors  # noqa: E402
from benchmarks.figures import figure  # noqa: E402
from tests.rules.conftest import CONTRACT_CATALOG  # noqa: E402
from tests.rules.test_contract_examples import SECTION_9  # noqa: E402

TARGET_S = 2.0


def megabyte_of_rules() -> str:
    out, size, i = [], 0, 0
    while size < 1_000_000:
        rule = SECTION_9.replace('rule "', f'rule "{i} ')
        out.append(rule)
        size += len(rule) + 1
        i += 1
    return "\n".join(out)


def inputs() -> dict:
    good = megabyte_of_rules()
    cut = good.rfind("then\n")
    return {
        "1 MB, valid": good,
        "1 MB, an unknown stage in every 'Filed' rule": good.replace('stage "Filed"', 'stage "Filedd"'),
        "1 MB, a syntax error near the end": good[:cut] + "then then\n" + good[cut + 5:],
        "one rule with a 100,000-digit number": 'rule "r"\nevery ' + "9" * 100_000 + " days then archive job end",
    }


def timed(fn, repeat: int):
    cpu, wall = [], []
    for _ in range(repeat):
        c, w = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return statistics.median(cpu), statistics.median(wall)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    catalog = Catalog.from_dict(CONTRACT_CATALOG)
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}")
    print(f"{'input':48} {'chars':>9} {'errors':>7} {'CPU s':>7} {'wall s':>7}")
    failed = False
    texts = inputs()
    base = texts["1 MB, valid"]
    cpu, wall = timed(lambda: re.findall(r"\S+", base), args.repeat)
    print(f"{'baseline: regex word split of the 1 MB file':48} {len(base):9,} {'-':>7} {cpu:7.2f} {wall:7.2f}")
    base_cpu = cpu
    for name, text in texts.items():
        found = []

        def run(text=text, found=found):
            errors = check_errors(text, catalog)
            format_errors(text, "rules.txt", errors)
            found[:] = errors

        cpu, wall = timed(run, args.repeat)
        failed |= cpu >= TARGET_S
        print(f"{name:48} {len(text):9,} {len(found):7} {cpu:7.2f} {wall:7.2f}")
        figure(f"check + lay out: {name} (CPU)", round(cpu, 2), "s", baseline=round(base_cpu, 3),
               baseline_name="regex word split of the 1 MB file", goal=f"< {TARGET_S:g} s", ok=cpu < TARGET_S)
    print("FAIL: a median CPU time reached 2 s" if failed else "ok: every input checked in under 2 s of CPU")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

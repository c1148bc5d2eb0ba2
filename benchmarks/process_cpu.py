"""Where a command's processor time goes, by kind of process: run it, sample /proc, print CPU-minutes per kind.

    python benchmarks/process_cpu.py -- bash .ci/run
    python benchmarks/process_cpu.py --every 0.3 -- python -m pytest tests/e2e/test_board.py

Every 0.3 s (--every) it reads each process's processor time (utime + stime in /proc/PID/stat) and keeps the
largest seen per process (a process is its pid and start time), for the processes started after the command was.
A process that lives less than one interval may be missed, and a process's last interval before it ends is not
counted: short children are under-counted (the totals are a floor). The kinds: Chromium by its --type, the pytest
passes of `make test` by their markers, `python -m X` by X, other programs by their name. The machine's whole busy
time over the run (from /proc/stat) is printed beside, as the ceiling.
"""
from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _busy_ticks() -> int:
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    return sum(int(fields[i]) for i in (0, 1, 2, 5, 6))  # user, nice, system, irq, softirq


def _start(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except OSError:
        return ""


def kind(cmdline: str) -> str:
    if "chromium" in cmdline:
        found = re.search(r"--type=([\w-]+)", cmdline)
        return f"chromium {found.group(1) if found else 'browser'}"
    if "pytest" in cmdline:
        if "-m e2e" in cmdline:
            return "pytest: the browser journeys"
        if "-m not e2e" in cmdline:
            return "pytest: the tests without a browser" + (" (PostgreSQL)" if "--ignore" in cmdline else "")
        return "pytest"
    words = cmdline.split()
    if "-m" in words[:-1]:
        module = words[words.index("-m") + 1]
        rest = [w for w in words[words.index("-m") + 2:] if not w.startswith("-")][:1]
        return f"python -m {module} {' '.join(rest)}".strip() if module == "practice" else f"python -m {module}"
    return Path(words[0]).name if words else "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--every", type=float, default=0.3, help="seconds between two samples")
    parser.add_argument("--top", type=int, default=30, help="how many kinds to print")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")

    before = {(pid, _start(pid)) for pid in os.listdir("/proc") if pid.isdigit()}  # not the command's
    seen: dict[tuple[str, str], int] = {}
    names: dict[tuple[str, str], str] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    key = (pid, stat[19])
                    if key in before:
                        continue
                    if key not in names:
                        names[key] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(
                            errors="replace")
                except OSError:
                    continue
                seen[key] = max(seen.get(key, 0), int(stat[11]) + int(stat[12]))
            done.wait(args.every)

    busy, started = _busy_ticks(), time.monotonic()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    status = subprocess.call(command)
    done.set()
    sampler.join()
    wall, busy = time.monotonic() - started, (_busy_ticks() - busy) / TICKS

    minutes: collections.Counter[str] = collections.Counter()
    count: collections.Counter[str] = collections.Counter()
    for key, ticks in seen.items():
        minutes[kind(names[key])] += ticks / TICKS / 60
        count[kind(names[key])] += 1
    print(f"\n{' '.join(command)}: exit status {status}, {wall / 60:.1f} min, the machine busy "
          f"{busy / 60:.1f} CPU-min, the processes sampled {sum(minutes.values()):.1f} CPU-min", file=sys.stderr)
    print(f"{'CPU-min':>8} {'processes':>9}  kind", file=sys.stderr)
    for name, value in minutes.most_common(args.top):
        print(f"{value:8.2f} {count[name]:9d}  {name}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: what a staff page costs the browser and the server, reached by its address (a page load) or from the
page already open (the app's own navigation, as a link or a menu does), and what a log-in in a new browser context
costs: the figures behind the browser journeys' run time (docs/benchmarks.md, "How long `make test` takes").

The app is served as `make run` serves it (`python -m practice serve`, production build, one port: tests/e2e/served.py)
on a fresh data folder with the demo firm; Debian's Chromium, headless, with the journeys' flags. The owner logs in,
then each static staff page (the crawl's list, less the login and password pages) is opened --rounds times each way;
then --logins log-ins, each in a new browser context. Processor time is read from /proc: Chromium's processes (the
renderer's included) just before the context closes, and the server's process tree (web, worker, mailer, drive). No
goal: it prints the figures (medians of the rounds) and exits 0.

    python benchmarks/bench_page_loads.py [--rounds 3] [--logins 10]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM_ARGS, DESKTOP, log_in, settle, settling, watch_loading  # noqa: E402
from tests.e2e.served import serving  # noqa: E402
from tests.e2e.test_crawl import FOLLOW_LINK, _routes_for  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
NOT_STAFF_PAGES = ("/login", "/forgot-password", "/reset-password", "/verify")


def _processes() -> dict[int, tuple[int, float, str]]:
    """Every process: its parent, its processor seconds so far, its command line."""
    out = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        out[int(pid)] = (int(stat[1]), (int(stat[11]) + int(stat[12])) / TICK, cmdline)
    return out


def cpu_seconds(server_pid: int) -> tuple[float, float]:
    """(Chromium's processor seconds, the server tree's), for the processes alive now."""
    procs, chromium, server = _processes(), 0.0, 0.0
    for pid, (_parent, cpu, cmdline) in procs.items():
        if "/usr/lib/chromium/" in cmdline or cmdline.startswith("/usr/bin/chromium"):
            chromium += cpu
            continue
        walk = pid
        while walk in procs and walk != server_pid:
            walk = procs[walk][0]
        if walk == server_pid:
            server += cpu
    return chromium, server


def _one_round(browser, site: str, pages: list[str], server_pid: int, in_app: bool) -> tuple[float, float]:
    """Per page: (Chromium's processor seconds, the server's), over one visit of every page, one way."""
    context = browser.new_context(viewport=DESKTOP)
    watch_loading(context)
    page = settling(context.new_page())  # each load waits for the page's data, as the journeys' tabs do
    log_in(page, site)
    chromium0, server0 = cpu_seconds(server_pid)
    for path in pages:
        if in_app:
            page.evaluate(FOLLOW_LINK, path)
        else:
            page.goto(site + path)
        assert settle(page), f"{path} did not finish loading"
    chromium1, server1 = cpu_seconds(server_pid)
    context.close()
    return (chromium1 - chromium0) / len(pages), (server1 - server0) / len(pages)


def _logins(browser, site: str, count: int, server_pid: int) -> tuple[float, float]:
    """Per log-in in a new context (its two page loads, the password's hash): (Chromium's seconds, the server's).
    Chromium's renderer of a closed context is gone from /proc, so each is read just before its context closes."""
    chromium = server = 0.0
    for _ in range(count):
        chromium0, server0 = cpu_seconds(server_pid)
        context = browser.new_context(viewport=DESKTOP)
        watch_loading(context)
        log_in(settling(context.new_page()), site)
        chromium1, server1 = cpu_seconds(server_pid)
        context.close()
        chromium, server = chromium + chromium1 - chromium0, server + server1 - server0
    return chromium / count, server / count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--logins", type=int, default=10)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    pages = [r for r in _routes_for("owner") if "[" not in r and r not in NOT_STAFF_PAGES]
    with serving(Path(tempfile.mkdtemp(prefix="bench-page-loads-"))) as (env, proc), sync_playwright() as p:
        site = f"http://127.0.0.1:{env['PRACTICE_PORT']}"
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        started = time.monotonic()
        figures: dict[str, list[tuple[float, float]]] = {"by its address": [], "from the page open": []}
        for _ in range(args.rounds):
            figures["by its address"].append(_one_round(browser, site, pages, proc.pid, in_app=False))
            figures["from the page open"].append(_one_round(browser, site, pages, proc.pid, in_app=True))
        login = _logins(browser, site, args.logins, proc.pid)
        browser.close()
    print(f"{len(pages)} staff pages, {args.rounds} rounds each way, {time.monotonic() - started:.0f} s")
    for way, rounds in figures.items():
        chromium = statistics.median(r[0] for r in rounds)
        server = statistics.median(r[1] for r in rounds)
        print(f"a page reached {way}: Chromium {chromium:.2f} CPU-s, the server {server:.2f} CPU-s (median of rounds)")
    print(f"a log-in in a new context: Chromium {login[0]:.2f} CPU-s, the server {login[1]:.2f} CPU-s "
          f"(mean of {args.logins})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

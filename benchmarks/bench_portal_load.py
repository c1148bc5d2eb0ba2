"""Benchmark: 200 portal clients navigating once a second for 60 s on one backend process: p95 at most 100 ms,
no errors, every offered page view served; beside a plain Reflex app served the same way to the same clients.

Each client is a python-socketio connection sending the frames a browser sends (recorded with
capture_portal_frames.py into portal_frames.json): it connects to /_event with the login page's hydrate event in
the connect packet and logs in with the login form's event; the app answers with a one-time token the browser
trades at /session/start for its HttpOnly `portal_sid` cookie, and the portal's next connection carries that
cookie in its handshake (the plain app keeps its cookie in a state var, sent back with `update_vars_internal`).
Then once a second the client opens the next portal page (Home, Documents, Tasks, Profile) as the browser
does: `on_load_internal` with the page's router data. A page view is served when the delta that ends its load
(`is_hydrated` true) arrives; its latency runs from sending `on_load_internal` to that delta. A redirect to the
login page, an error toast or a page not served within --timeout seconds is an error. Clients open pages on a
fixed schedule (each at its own offset within the second), whether or not the previous page has arrived, so a
slow server shows as fewer page views served than offered, not as a slower schedule. The frontend's state-schema
hash and initial-state hashes are left out of the hydrate event (they only ask a stale frontend to reload and
shorten the first delta).

The app runs as `python -m reflex run --env prod --backend-only` (one backend process) on a fresh migrated
database holding the demo firm sized so every client is its own contact, with portal access, client tasks and a
shared document (portal_setup.py). The baseline is benchmarks/plain_portal (a login that sets a cookie and four
pages that each set a few lines on load, no database), started the same way. Exits 1 when the app misses the
goal (p95, errors, served < offered).

With `--web-workers N` (N > 1) the app is served as a larger firm runs it (docs/postgresql.md): N Granian web
workers behind the one port, the pages' state on a throwaway Redis (`REFLEX_REDIS_URL`, database 0; the worker's
queue `REDIS_URL` in database 1), and with `--postgres` its data on a throwaway PostgreSQL (tests/postgres.py,
tests/redis_server.py). The same run measures the plain app and the app on one process and SQLite as baselines
(`--no-app-baseline` leaves the latter out); the goal applies to the scaled app. How many of the clients'
connections each web worker holds is counted once they are logged in (the workers' established sockets on the
port), so a run whose clients all landed on one worker shows it. The backend CPU of the scaled app includes its
Redis and PostgreSQL servers.

    python benchmarks/bench_portal_load.py [--clients 200] [--seconds 60] [--only app|plain] [--p95-ms 100]
    python benchmarks/bench_portal_load.py --web-workers 4 --postgres [--no-app-baseline] ...
    python benchmarks/bench_portal_load.py --web-workers 1 --redis ...
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

import psutil  # noqa: E402
import aiohttp  # noqa: E402
import socketio  # noqa: E402

PASSWORD = "portal-bench-pass-1"
PAGES = ["/portal", "/portal/documents", "/portal/tasks", "/portal/profile"]
ROOT_STATE = "reflex___state____state"
HYDRATE = f"{ROOT_STATE}.hydrate_and_load"
UPDATE_VARS = f"{ROOT_STATE}.reflex___state____update_vars_internal_state.update_vars_internal"
ON_LOAD = f"{ROOT_STATE}.reflex___state____on_load_internal_state.on_load_internal"
HANDOFF = re.compile(r"/session/start\?token=[\w-]+")


@dataclass
class Target:
    """One app under load: how to reach its login handler and its session cookie var."""

    name: str
    cwd: Path
    login_event: str
    cookie_var: str
    # The substate each page fills on load (its delta carries the page's data), by path.
    page_states: dict[str, str]
    # The login trades a one-time token at /session/start for an HttpOnly cookie, which the next connection's
    # handshake carries (the app); else the cookie is a state var the browser sends back with each page (plain).
    http_only_cookie: bool = False
    env: dict = field(default_factory=dict)
    emails: list[str] = field(default_factory=list)  # the portal logins of its database, one per client
    extra_pids: list[int] = field(default_factory=list)  # servers whose CPU counts as the backend's (Redis, PostgreSQL)




def _app_portal_state() -> str:
    """The portal state's full name, asked of the app: it changes when a parent state is put above it (issue 14's
    LangState did, and the hard-coded name made every login wait in vain)."""
    from practice.state.portal import PortalState  # noqa: PLC0415 - the app, only for its state's name

    return PortalState.get_full_name()


APP_PORTAL = _app_portal_state()
APP = Target("portal (practice)", ROOT, f"{APP_PORTAL}.practice___state___portal____portal_login_state.log_in",
             f"{APP_PORTAL}.portal_sid_rx_state_",
             {"/portal": "portal____portal_home_state", "/portal/documents": "portal_documents____portal_documents_state",
              "/portal/tasks": "portal____portal_tasks_state", "/portal/profile": "portal____portal_profile_state"},
             http_only_cookie=True)
PLAIN_STATE = f"{ROOT_STATE}.plain_portal___plain_portal____plain_state"
PLAIN = Target("plain Reflex app", HERE / "plain_portal", f"{PLAIN_STATE}.log_in", f"{PLAIN_STATE}.portal_sid_rx_state_",
               dict.fromkeys(PAGES, "plain_portal____plain_state"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_backend(target: Target, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, **target.env, "REFLEX_DIR": str(ROOT / ".reflex-home"), "PYTHONPATH": str(target.cwd)}
    # What `reflex run --env prod --backend-only` runs (that command refuses an app whose config names a frontend
    # port, as practice's does): one backend process, no frontend, the app not compiled.
    env.update(REFLEX_ENV_MODE="prod", REFLEX_BACKEND_ONLY="true", REFLEX_SKIP_COMPILE="true")
    cmd = [sys.executable, "-c", "import sys; from reflex.utils import exec; from reflex_base.constants import LogLevel; "
           f"exec.run_backend_prod('127.0.0.1', {port}, LogLevel.WARNING)"]
    proc = subprocess.Popen(cmd, cwd=target.cwd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    # Each web worker builds the app's pages as it starts: several workers on a busy machine need longer.
    wait = 180 if "GRANIAN_WORKERS" not in target.env else 600
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{target.name} did not start; see {log}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.5)
    stop_backend(proc)
    raise SystemExit(f"{target.name} did not listen on port {port} within {wait} s; see {log}")


def stop_backend(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def frame(name: str, path: str, payload: dict | None = None) -> dict:
    """An event as the browser sends it (see portal_frames.json)."""
    event = {"name": name, "router_data": {"pathname": path, "asPath": path}}
    if payload is not None:
        event["payload"] = payload
    return event


class Client:
    """One browser tab: logs in, then opens a portal page on every tick of its schedule."""

    def __init__(self, url: str, target: Target, email: str, timeout: float):
        self.url, self.target, self.email, self.timeout = url, target, email, timeout
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("event", self._on_event, namespace="/_event")
        self.sid = ""
        self.handoff = ""
        self.logged_in = asyncio.Event()
        # Page views not served yet, in order: [send time, page substate, hydrated seen, page data seen].
        self.pending: list[list] = []
        self.latencies: list[float] = []
        self.sent_at: list[float] = []  # when each served page view was asked, beside its latency
        self.errors: list[str] = []
        self.offered = 0

    async def _on_event(self, update):
        for event in update.get("events", []) or []:
            name = event.get("name", "")
            if name == "_call_script" and (found := HANDOFF.search(json.dumps(event))):
                self.handoff = found.group(0)
                self.logged_in.set()
            if name == "_redirect" and event.get("payload", {}).get("path", "").endswith("/login") and self.sid:
                self.errors.append("sent to the login page")
                self._serve(ok=False)
            elif name == "_call_function" and "toast" in (text := json.dumps(event)) and "error" in text:
                self.errors.append("error toast: " + text[:200])
        for substate, values in (update.get("delta") or {}).items():
            cookie_state, cookie_name = self.target.cookie_var.rsplit(".", 1)
            if substate == cookie_state and values.get(cookie_name):
                self.sid = values[cookie_name]
                self.logged_in.set()
            if not self.pending:
                continue
            head = self.pending[0]
            head[2] = head[2] or (substate == ROOT_STATE and values.get("is_hydrated_rx_state_") is True)
            head[3] = head[3] or substate.endswith(head[1])
            if head[2] and head[3]:
                self._serve(ok=True)

    def _serve(self, *, ok: bool) -> None:
        """The oldest page view is done: hydrated and its data arrived (a page whose load runs in the background
        sends its data after the hydration)."""
        if self.pending:
            sent = self.pending.pop(0)[0]
            if ok:
                self.latencies.append(time.perf_counter() - sent)
                self.sent_at.append(sent)

    async def connect(self, path: str = "/portal/login", headers: dict | None = None) -> None:
        token = str(uuid.uuid4())
        await self.sio.connect(f"{self.url}?token={token}", namespaces=["/_event"], transports=["websocket"],
                               socketio_path="/_event", auth={"event": frame(HYDRATE, path, {})},
                               headers=headers or {}, wait_timeout=30)

    async def trade_handoff(self) -> None:
        """What the browser does after the app's login: open /session/start?token=... (which sets the HttpOnly
        cookie and redirects to the portal), then load the portal, whose connection carries the cookie."""
        async with aiohttp.ClientSession() as http:
            async with http.get(self.url + self.handoff, allow_redirects=False,
                                headers={"Sec-Fetch-Site": "same-origin"}) as answer:
                cookie = answer.cookies.get("portal_sid")
                if answer.status != 303 or cookie is None:
                    raise RuntimeError(f"/session/start answered {answer.status}: {await answer.text()}")
        self.sid = cookie.value
        await self.sio.disconnect()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("event", self._on_event, namespace="/_event")
        await self.connect(PAGES[0], {"Cookie": f"portal_sid={self.sid}"})

    async def log_in(self) -> None:
        form = {"__reflex_form_data__": [["email", self.email], ["password", PASSWORD],
                                         ["portal_email", self.email], ["portal_password", PASSWORD]]}
        await self.sio.emit("event", frame(self.target.login_event, "/portal/login", {"form": form}),
                            namespace="/_event")
        await asyncio.wait_for(self.logged_in.wait(), 60)
        if self.target.http_only_cookie:
            await self.trade_handoff()

    async def open_page(self, path: str) -> None:
        self.offered += 1
        if not self.target.http_only_cookie:
            await self.sio.emit("event", frame(UPDATE_VARS, path, {"vars": {self.target.cookie_var: self.sid}}),
                                namespace="/_event")
        self.pending.append([time.perf_counter(), self.target.page_states[path], False, False])
        await self.sio.emit("event", frame(ON_LOAD, path), namespace="/_event")

    def expire(self, now: float) -> None:
        while self.pending and now - self.pending[0][0] > self.timeout:
            self.pending.pop(0)
            self.errors.append(f"no page within {self.timeout:.0f} s")


def cpu_seconds(*pids: int) -> float:
    """CPU time (user + system) the backend (and the servers it uses) and their child processes have used so far."""
    total = 0.0
    for proc in processes(*pids):
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


def processes(*pids: int) -> list[psutil.Process]:
    """These processes and all their children."""
    found = []
    for pid in pids:
        root = psutil.Process(pid)
        found += [root, *root.children(recursive=True)]
    return found


def connections_per_worker(server: int, port: int) -> list[int]:
    """How many established connections to `port` each process of the backend holds (its web workers; the parent
    that only listens is left out), most first."""
    counts = []
    for proc in processes(server):
        try:
            held = [c for c in proc.net_connections(kind="tcp")
                    if c.status == psutil.CONN_ESTABLISHED and c.laddr and c.laddr.port == port]
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if held:
            counts.append(len(held))
    return sorted(counts, reverse=True)


async def drive(url: str, target: Target, emails: list[str], seconds: float, timeout: float, server: int) -> dict:
    clients = [Client(url, target, email, timeout) for email in emails]
    port = int(url.rsplit(":", 1)[1])
    gate = asyncio.Semaphore(8)  # logins are argon2 checks: let them queue a little, they are not measured

    async def start(client: Client):
        async with gate:
            await client.connect()
            await client.log_in()
    await asyncio.gather(*(start(c) for c in clients))
    await asyncio.sleep(2)  # the login's redirect settles; not measured
    for c in clients:
        c.pending.clear()
        c.latencies.clear()
        c.sent_at.clear()
        c.errors.clear()
    begin = time.perf_counter() + 0.5
    n = len(clients)
    spread = connections_per_worker(server, port)
    cpu_before, client_cpu_before = cpu_seconds(server, *target.extra_pids), time.process_time()
    # Said so a profiler can be attached for the measured phase only (the logins before it are argon2 checks).
    print(f"{target.name}: {n} clients logged in; measuring {seconds:.0f} s (backend pid {server}); "
          f"connections per web worker: {', '.join(map(str, spread))}", flush=True)

    async def navigate(i: int, client: Client):
        tick = 0
        while (at := begin + i / n + tick) < begin + seconds:
            await asyncio.sleep(max(0.0, at - time.perf_counter()))
            client.expire(time.perf_counter())
            await client.open_page(PAGES[(i + tick) % len(PAGES)])
            tick += 1
    await asyncio.gather(*(navigate(i, c) for i, c in enumerate(clients)))
    end = time.perf_counter() + timeout
    while time.perf_counter() < end and any(c.pending for c in clients):
        await asyncio.sleep(0.1)
    elapsed = time.perf_counter() - begin
    cpu = cpu_seconds(server, *target.extra_pids) - cpu_before
    client_cpu = time.process_time() - client_cpu_before
    for c in clients:
        c.expire(float("inf"))
        await c.sio.disconnect()
    latencies = sorted(x * 1000 for c in clients for x in c.latencies)
    errors = [e for c in clients for e in c.errors]
    offered, served = sum(c.offered for c in clients), len(latencies)
    # p95 per 5 s of the measured phase, to tell a slow start or a periodic stall from a steady slowness.
    windows: dict[int, list[float]] = {}
    for c in clients:
        for sent, latency in zip(c.sent_at, c.latencies):
            windows.setdefault(int((sent - begin) // 5), []).append(latency * 1000)
    timeline = [(5 * w, pct(sorted(v), 95)) for w, v in sorted(windows.items())]
    return {"target": target.name, "clients": n, "seconds": seconds, "offered": offered, "served": served,
            "errors": len(errors), "first_error": errors[0] if errors else "",
            "per_second": served / elapsed, "p50": pct(latencies, 50), "p95": pct(latencies, 95),
            "p99": pct(latencies, 99), "max": latencies[-1] if latencies else float("nan"),
            "timeline": timeline, "spread": spread, "cpu_ms": 1000 * cpu / max(served, 1), "client_cpu_ms": 1000 * client_cpu / max(served, 1)}


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


def prepare_app_database(target: Target, clients: int, folder: Path, url: str = "") -> None:
    """A fresh database for `target` (a SQLite file in `folder`, or the empty database `url` names) with the
    portal firm, its data folder in `folder`; the target's environment and logins are set to them."""
    os.environ["DATABASE_URL"] = url or f"sqlite:///{folder / 'app.db'}"
    os.environ["PRACTICE_DATA_DIR"] = str(folder / "data")
    from portal_setup import build_firm, give_logins

    build_firm(max(10, int(clients * 0.9) + 5))
    target.emails = give_logins(clients, PASSWORD)
    if len(target.emails) < clients:
        raise SystemExit(f"only {len(target.emails)} contacts could be given portal access, {clients} asked")
    target.env = {**target.env, "DATABASE_URL": os.environ["DATABASE_URL"],
                  "PRACTICE_DATA_DIR": os.environ["PRACTICE_DATA_DIR"]}


def scaled_app(args, folder: Path, servers: list) -> Target:
    """The app on `args.web_workers` web workers and a throwaway Redis (and PostgreSQL with --postgres), its
    database ready; the servers started are appended to `servers` for the caller to stop."""
    from tests.redis_server import ThrowawayRedis  # noqa: PLC0415 - only for this mode

    redis = ThrowawayRedis().start()
    servers.append(redis)
    engine, url, pids = "SQLite", "", [redis.process.pid]
    if args.postgres:
        from tests.postgres import ThrowawayPostgres  # noqa: PLC0415 - only for this mode

        postgres = ThrowawayPostgres().start()
        servers.append(postgres)
        postgres.sql("CREATE DATABASE portal")
        engine, url, pids = "PostgreSQL", postgres.url("portal"), pids + [postgres.process.pid]
    workers = f"{args.web_workers} workers" if args.web_workers > 1 else "1 worker"
    target = replace(APP, name=f"{workers}, Redis, {engine}", extra_pids=pids,
                     env={"GRANIAN_WORKERS": str(args.web_workers), "REFLEX_REDIS_URL": redis.url(0),
                          "REDIS_URL": redis.url(1)})
    (folder / "scaled").mkdir()
    prepare_app_database(target, args.clients, folder / "scaled", url)
    return target


def run_one(target: Target, args, folder: Path) -> dict:
    port = free_port()
    log = folder / (re.sub(r"\W+", "-", target.name) + ".log")
    proc = start_backend(target, port, log)
    try:
        return asyncio.run(drive(f"http://127.0.0.1:{port}", target, target.emails, args.seconds, args.timeout,
                                 proc.pid))
    finally:
        stop_backend(proc)


def report(result: dict) -> str:
    return (f"{result['target']:<28} {result['clients']:>7} {result['offered']:>8} {result['served']:>7} "
            f"{result['per_second']:>8.1f} {result['p50']:>8.1f} {result['p95']:>8.1f} {result['p99']:>8.1f} "
            f"{result['errors']:>6} {result['cpu_ms']:>7.1f} {result['client_cpu_ms']:>7.1f}  "
            f"{'/'.join(map(str, result['spread']))}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--timeout", type=float, default=10, help="a page view not served after this is an error")
    parser.add_argument("--only", choices=["app", "plain"], help="measure one side only")
    parser.add_argument("--p95-ms", type=float, default=100)
    parser.add_argument("--timeline", action="store_true", help="also print the p95 of every 5 s")
    parser.add_argument("--web-workers", type=int, default=1,
                        help="serve the app with this many web workers, its pages' state on a throwaway Redis")
    parser.add_argument("--redis", action="store_true",
                        help="the pages' state on a throwaway Redis even with one web worker (to split the costs)")
    parser.add_argument("--postgres", action="store_true",
                        help="with --web-workers: the app's data on a throwaway PostgreSQL instead of SQLite")
    parser.add_argument("--no-app-baseline", action="store_true",
                        help="with --web-workers: leave out the app on one process and SQLite")
    args = parser.parse_args()
    scaled = args.web_workers > 1 or args.redis
    if args.postgres and not scaled:
        parser.error("--postgres goes with --web-workers 2 or more, or --redis")
    folder = Path(tempfile.mkdtemp(prefix="portal-load-"))
    from automation_setup import machine
    from figures import figure

    PLAIN.emails = [f"client{i}@example.net" for i in range(args.clients)]
    targets, servers = ([PLAIN] if args.only != "app" else []), []
    try:
        if args.only != "plain" and (not scaled or not args.no_app_baseline):
            prepare_app_database(APP, args.clients, folder)
            targets.append(APP)
        if args.only != "plain" and scaled:
            targets.append(scaled_app(args, folder, servers))
        results = [run_one(target, args, folder) for target in targets]
    finally:
        for server in servers:
            server.stop()
    print(f"machine: {machine()}; logs in {folder}")
    print(f"{'':<28} {'clients':>7} {'offered':>8} {'served':>7} {'views/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8} {'errors':>6} {'CPU ms':>7} {'load ms':>7}  connections per worker")
    for result in results:
        print(report(result))
        if args.timeline:
            print("  p95 ms per 5 s: " + ", ".join(f"{at}s {p:.0f}" for at, p in result["timeline"]))
        if result["first_error"]:
            print(f"  first error: {result['first_error']}")
    plain = next((r for r in results if r["target"] == PLAIN.name), None)
    apps = [r for r in results if r is not plain]
    for other in apps:
        if plain:
            print(f"ratio {other['target']}/plain: p50 {other['p50'] / plain['p50']:.1f}x, "
                  f"p95 {other['p95'] / plain['p95']:.1f}x, page views/s {other['per_second'] / plain['per_second']:.2f}, "
                  f"backend CPU per page view {other['cpu_ms'] / plain['cpu_ms']:.1f}x")
    if not apps:
        return 0
    app = apps[-1]  # the scaled app when there is one: the goal is its
    ok = app["p95"] <= args.p95_ms and app["errors"] == 0 and app["served"] == app["offered"]
    scaled = scaled or len(apps) > 1
    base, base_name = (apps[0], "one process, SQLite") if len(apps) > 1 else (plain or {}, "plain Reflex app")
    what = f"portal on {app['target']}" if scaled else "portal"
    figure(f"{what}, {app['clients']} clients each opening a page a second, p95", round(app["p95"], 1), "ms",
           baseline=base.get("p95"), baseline_name=f"{base_name} p95",
           goal=f"<= {args.p95_ms:.0f} ms, 0 errors, every page view served", ok=ok)
    figure(f"{what} page views served per second", round(app["per_second"], 1), "views/s",
           baseline=base.get("per_second"), baseline_name=base_name,
           goal=f"{app['offered'] / args.seconds:.0f} offered", ok=app["served"] == app["offered"])
    figure(f"{what} backend CPU per page view", round(app["cpu_ms"], 2), "ms", baseline=base.get("cpu_ms"),
           baseline_name=base_name)
    print(f"goal (p95 <= {args.p95_ms:.0f} ms, 0 errors, every offered page view served): "
          f"{'pass' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

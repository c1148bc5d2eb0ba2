"""Benchmark (issue 16): with 200 portal clients connected on their Messages page, how long a staff message takes to
reach the client's open page, and a client's message to update the staff's Chats badge; p95 under 1 s for both.

The app runs as in bench_portal_load.py (`python -m reflex run --env prod --backend-only`: one backend process, on
free ports) on a fresh migrated database holding the demo firm sized so every client is its own contact with
portal access (portal_setup.py), each with a chat thread the owner started. Each client is a python-socketio
connection sending the frames a browser sends (recorded with capture_message_frames.py into message_frames.json):
it logs in through the portal's login form, trades the one-time token for its cookie, then opens its thread on
the Messages page (as the browser does: `on_load_internal` of /portal/messages, then `open_thread` as the
conversation is clicked) and stays there. One staff client holds the owner's session (a password login through `auth.log_in` in this process; its
cookie rides the socket's handshake, as the browser's does) on the Chats page, where the sidebar shows the
Chats badge (`InboxBadgeState.chats_unread`).

(a) Staff messages: --messages times, about a second apart (0.5 to 1.5 s at random, so they do not keep step
with a periodic refresh), to a random client's thread. By default they are
written the way a person does, through the Chats page's events (`open_thread`, then the composer's `send`); with
--write service they are written by `practice.services.chats.messages.write_as_staff` in this process on the same
database. The latency runs from the message's commit to the moment that client's socket receives a delta holding
the message's text. For a page event the commit moment is taken as the message's `created_at` (set as the row is
made, a few milliseconds before its transaction commits, so the figure errs on the slow side); for a service write
it is the moment the transaction's commit returned.

(b) Client messages: the staff client moves to the Home page (the badge shows on every staff page; Home reads no
thread, so nothing marks the messages read), then --messages times a random client sends a message through its
open thread's composer (`send`); the latency runs from the message's `created_at` to the moment the staff
socket receives the badge delta whose count includes it (counts only grow in this phase).

A message whose delta has not arrived 10 s (--timeout) after its commit is lost. Exits 1 when a p95 is 1000 ms or
more (--p95-ms) or any message is lost.

    python benchmarks/bench_message_latency.py [--clients 200] [--messages 40] [--write page|service]
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

import socketio  # noqa: E402

from bench_portal_load import (APP, HYDRATE, ON_LOAD, Client, pct, prepare_app_database, start_backend,  # noqa: E402
                               stop_backend, free_port)

STAFF_COOKIE = "practice_sid"
MESSAGES = "/portal/messages"


def _state_names() -> dict[str, str]:
    """The full names of the states the frames address, asked of the app (they change when a parent is added)."""
    from practice.state.base import InboxBadgeState  # noqa: PLC0415 - the app, only for its states' names
    from practice.state.chats import ChatsState  # noqa: PLC0415
    from practice.state.portal_messages import PortalMessagesState  # noqa: PLC0415

    return {"portal": PortalMessagesState.get_full_name(), "chats": ChatsState.get_full_name(),
            "badge": InboxBadgeState.get_full_name()}


STATES = _state_names()


def frame(name: str, path: str, payload: dict | None = None) -> dict:
    """An event as the browser sends it (see message_frames.json): the router data carries the query string."""
    pathname, _, query = path.partition("?")
    event = {"name": name, "router_data": {"pathname": pathname, "asPath": path}}
    if query:
        event["router_data"]["query"] = dict(part.split("=", 1) for part in query.split("&"))
    if payload is not None:
        event["payload"] = payload
    return event


def form(text: str, box_id: str) -> dict:
    """The composer's form as the browser submits it (the text area's name, and its id)."""
    return {"form": {"__reflex_form_data__": [["text", text], [box_id, text]]}}


class Watcher:
    """Records, for a socket, when each awaited text first arrives in a delta (wall clock, to compare with the
    database's commit times)."""

    def __init__(self):
        self.awaited: dict[str, float | None] = {}

    def see(self, delta: dict) -> None:
        if not delta or not any(v is None for v in self.awaited.values()):
            return
        now, text = time.time(), json.dumps(delta)
        for key, seen in self.awaited.items():
            if seen is None and key in text:
                self.awaited[key] = now


class PortalClient(Client):
    """A contact's browser tab: logs in (bench_portal_load's Client), then opens its thread on Messages and stays."""

    def __init__(self, url: str, email: str, thread_id: int, timeout: float):
        super().__init__(url, APP, email, timeout)
        self.thread_id = thread_id
        self.watcher = Watcher()
        self.listed, self.opened = asyncio.Event(), asyncio.Event()

    async def _on_event(self, update):
        await super()._on_event(update)
        delta = update.get("delta") or {}
        self.watcher.see(delta)
        for key, values in delta.items():
            if not key.endswith(STATES["portal"]):
                continue
            if values.get("loaded_rx_state_") is True:  # the page's load is done (the hydration sends False)
                self.listed.set()
            if values.get("thread_id_rx_state_") == self.thread_id and self.listed.is_set():
                self.opened.set()
            if values.get("composer_error_rx_state_") or values.get("error_rx_state_"):
                self.errors.append(f"{self.email}: " + str(values.get("composer_error_rx_state_")
                                                            or values.get("error_rx_state_")))
            if values.get("thread_id_rx_state_") == 0 and self.opened.is_set():
                self.errors.append(f"{self.email}: the open conversation closed")

    async def open_messages(self) -> None:
        """What the browser does: Messages in the menu, then (once the list shows) a click on the conversation. The
        click waits for the list: sent at once, it would run before the page's load, which closes any thread."""
        await self.sio.emit("event", frame(ON_LOAD, MESSAGES), namespace="/_event")
        await asyncio.wait_for(self.listed.wait(), 60)
        await self.sio.emit("event", frame(f"{STATES['portal']}.open_thread", MESSAGES, {"thread_id": self.thread_id}),
                            namespace="/_event")
        await asyncio.wait_for(self.opened.wait(), 60)

    async def send(self, text: str) -> None:
        await self.sio.emit("event", frame(f"{STATES['portal']}.send", MESSAGES, form(text, "portal_chat_text")),
                            namespace="/_event")


class StaffClient:
    """The staff member's browser tab, holding the owner's session cookie."""

    def __init__(self, url: str, sid: str):
        self.url, self.sid, self.path = url, sid, "/chats"
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("event", self._on_event, namespace="/_event")
        self.badge: list[tuple[float, int]] = []   # (wall clock, chats_unread) as each badge delta arrives
        self.errors: list[str] = []
        self.loaded = asyncio.Event()

    async def _on_event(self, update):
        delta = update.get("delta") or {}
        for key, values in delta.items():
            if key.endswith(STATES["badge"]) and "chats_unread_rx_state_" in values:
                self.badge.append((time.time(), values["chats_unread_rx_state_"]))
            if key.endswith(STATES["chats"]):
                self.loaded.set()
                if values.get("composer_error_rx_state_") or values.get("error_rx_state_"):
                    self.errors.append(str(values.get("composer_error_rx_state_") or values.get("error_rx_state_")))
        for event in update.get("events", []) or []:
            if event.get("name") == "_redirect" and "/login" in json.dumps(event):
                self.errors.append("sent to the login page")

    async def connect(self) -> None:
        await self.sio.connect(f"{self.url}?token={uuid.uuid4()}", namespaces=["/_event"], transports=["websocket"],
                               socketio_path="/_event", auth={"event": frame(HYDRATE, self.path, {})},
                               headers={"Cookie": f"{STAFF_COOKIE}={self.sid}"}, wait_timeout=30)
        await asyncio.wait_for(self.loaded.wait(), 60)

    async def open_page(self, path: str) -> None:
        self.path = path
        await self.sio.emit("event", frame(ON_LOAD, path), namespace="/_event")

    async def write(self, thread_id: int, text: str) -> None:
        """What a person does on Chats: open the client's conversation, type, press Send."""
        await self.sio.emit("event", frame(f"{STATES['chats']}.open_thread", self.path, {"thread_id": thread_id}),
                            namespace="/_event")
        await self.sio.emit("event", frame(f"{STATES['chats']}.send", self.path, form(text, "chat_text")),
                            namespace="/_event")

    def chats_unread(self) -> int | None:
        return self.badge[-1][1] if self.badge else None


def staff_session() -> str:
    """A session of the demo firm's owner, logged in with its password (what the login form's handler runs)."""
    from practice.db import write_session
    from practice.services.access import auth
    from practice.services.demo import OWNER_EMAIL, OWNER_PASSWORD

    with write_session() as session:
        return auth.log_in(session, OWNER_EMAIL, OWNER_PASSWORD)[0]


def write_by_service(thread_id: int, text: str) -> float:
    """A staff message written in this process; returns the moment its commit returned (wall clock)."""
    from sqlmodel import select

    from practice.db import write_session
    from practice.models import TeamMember
    from practice.services.actor import Actor
    from practice.services.chats import messages

    with write_session() as session:
        owner = Actor.of(session.exec(select(TeamMember).where(TeamMember.role == "owner")).first())
        messages.write_as_staff(session, owner, thread_id, text)
    return time.time()


def committed_at(texts: list[str]) -> dict[str, float]:
    """Each message's created_at (wall clock), by text."""
    from sqlmodel import select

    from practice.db import read_session
    from practice.models import ChatMessage

    with read_session() as session:
        rows = session.exec(select(ChatMessage.text, ChatMessage.created_at).where(ChatMessage.text.in_(texts))).all()
    return {text: (at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)).timestamp() for text, at in rows}


async def settle(staff: StaffClient, seconds: float = 3.0) -> None:
    """Wait until the staff badge has been still for `seconds` (the first push after a page opens)."""
    last = -1.0
    while True:
        await asyncio.sleep(0.5)
        changed = staff.badge[-1][0] if staff.badge else 0.0
        if changed == last and time.time() - changed >= seconds:
            return
        last = changed


async def drive(url: str, emails: list[str], threads: dict[str, int], sid: str, args) -> dict:
    clients = [PortalClient(url, email, threads[email], args.timeout) for email in emails]
    gate = asyncio.Semaphore(8)  # logins are argon2 checks: let them queue a little, they are not measured

    async def start(client: PortalClient):
        async with gate:
            await client.connect()
            await client.log_in()
            await client.open_messages()
    await asyncio.gather(*(start(c) for c in clients))
    staff = StaffClient(url, sid)
    await staff.connect()
    print(f"{len(clients)} portal clients on their Messages page; staff on Chats", flush=True)
    await asyncio.sleep(2)
    rng = random.Random(16)
    run_id = uuid.uuid4().hex[:6]

    # (a) staff -> client
    sent_a: list[tuple[str, PortalClient, float | None, float]] = []   # text, client, commit (service), sent
    for i in range(args.messages):
        client = rng.choice(clients)
        text = f"Message {i + 1} from the firm ({run_id}-a{i})"
        client.watcher.awaited[text] = None
        sent = time.time()
        if args.write == "service":
            sent_a.append((text, client, await asyncio.to_thread(write_by_service, client.thread_id, text), sent))
        else:
            await staff.write(client.thread_id, text)
            sent_a.append((text, client, None, sent))
        await asyncio.sleep(rng.uniform(0.5, 1.5) * args.spacing)

    # (b) client -> staff badge
    await staff.open_page("/")
    await asyncio.sleep(args.timeout)   # the last staff messages arrive (their losses are counted below)
    await settle(staff)
    base = staff.chats_unread() or 0
    sent_b: list[tuple[str, int]] = []
    for i in range(args.messages):
        client = rng.choice(clients)
        text = f"Reply {i + 1} from a client ({run_id}-b{i})"
        await client.send(text)
        sent_b.append((text, base + i + 1))
        await asyncio.sleep(rng.uniform(0.5, 1.5) * args.spacing)
    await asyncio.sleep(args.timeout)

    commits = await asyncio.to_thread(committed_at, [t for t, *_ in sent_a] + [t for t, _ in sent_b])
    staff_latency, from_send, lost_a, missing = [], [], 0, 0
    for text, client, service_commit, sent in sent_a:
        commit = service_commit if service_commit is not None else commits.get(text)
        arrived = client.watcher.awaited.get(text)
        if commit is None:
            missing += 1
        elif arrived is None or arrived - commit > args.timeout:
            lost_a += 1
        else:
            staff_latency.append(1000 * (arrived - commit))
            from_send.append(1000 * (arrived - sent))
    client_latency, lost_b = [], 0
    for text, count in sent_b:
        commit = commits.get(text)
        arrived = next((at for at, value in staff.badge if value >= count and commit is not None and at >= commit),
                       None)
        if commit is None:
            missing += 1
        elif arrived is None or arrived - commit > args.timeout:
            lost_b += 1
        else:
            client_latency.append(1000 * (arrived - commit))
    errors = [e for c in clients for e in c.errors] + staff.errors
    for c in [*clients, staff]:
        await c.sio.disconnect()
    return {"a": sorted(staff_latency), "a_send": sorted(from_send), "b": sorted(client_latency), "lost_a": lost_a, "lost_b": lost_b,
            "missing": missing, "errors": errors, "clients": len(clients)}


def line(name: str, values: list[float], lost: int) -> str:
    top = values[-1] if values else float("nan")
    return (f"{name:<46} {len(values):>7} {pct(values, 50):>8.1f} {pct(values, 95):>8.1f} {top:>8.1f} "
            f"{lost:>5}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--messages", type=int, default=40, help="messages each way")
    parser.add_argument("--write", choices=["page", "service"], default="page",
                        help="staff messages through the Chats page's events (default) or the chats service")
    parser.add_argument("--spacing", type=float, default=1.0, help="mean seconds between two messages")
    parser.add_argument("--timeout", type=float, default=10, help="a message not arrived after this is lost")
    parser.add_argument("--p95-ms", type=float, default=1000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="message-latency-"))
    from automation_setup import machine
    from figures import figure
    from portal_setup import give_threads

    emails = prepare_app_database(args.clients, folder)
    threads = give_threads(emails)
    sid = staff_session()
    port = free_port()
    proc = start_backend(APP, port, folder / "app.log")
    try:
        result = asyncio.run(drive(f"http://127.0.0.1:{port}", emails, threads, sid, args))
    finally:
        stop_backend(proc)
    how = ("the Chats page's events (open_thread, send), from the message's created_at" if args.write == "page"
           else "practice.services.chats in the benchmark process, from its commit")
    print(f"machine: {machine()}; logs in {folder}")
    print(f"{result['clients']} portal clients connected; {args.messages} messages each way, {args.spacing:g} s apart; "
          f"staff messages written through {how}")
    print(f"{'':<46} {'arrived':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'lost':>5}")
    print(line("staff message -> client's open page", result["a"], result["lost_a"]))
    print(line("  the same, from the staff's Send (or the call)", result["a_send"], result["lost_a"]))
    print(line("client message -> staff Chats badge", result["b"], result["lost_b"]))
    if result["missing"]:
        print(f"  {result['missing']} messages were never written (see the errors)")
    for error in result["errors"][:3]:
        print(f"  error: {error[:200]}")
    ok_a = pct(result["a"], 95) < args.p95_ms and result["lost_a"] == 0 and not result["missing"]
    ok_b = pct(result["b"], 95) < args.p95_ms and result["lost_b"] == 0 and not result["missing"]
    goal = f"p95 < {args.p95_ms:.0f} ms"
    figure(f"staff message -> client's page, {result['clients']} clients, p95", round(pct(result["a"], 95), 1), "ms",
           goal=goal, ok=ok_a)
    figure(f"client message -> staff badge, {result['clients']} clients, p95", round(pct(result["b"], 95), 1), "ms",
           goal=goal, ok=ok_b)
    print(f"goal ({goal} both ways, none lost): {'pass' if ok_a and ok_b else 'FAIL'}")
    return 0 if ok_a and ok_b else 1


if __name__ == "__main__":
    sys.exit(main())

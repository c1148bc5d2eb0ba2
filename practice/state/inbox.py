"""Inbox+: the sidebar's unread badge (kept current by a per-tab poller) and the inbox page.

The badge lives in its own small state so that the poller's updates send one integer, not a page.
"""
from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import reflex as rx

from practice.db import read_session
from practice.services import firm, inbox
from practice.services.access import auth
from practice.state.base import STAFF, AppState, allow, read, run
from practice.state.work_views import parse_id, when_text

POLL_SECONDS = 2.0
TABS = ("inbox", "archived")

# The watcher task of each browser tab (Reflex client token) in this process. Reflex already cancels a
# watcher when its page's on_load chain is superseded (navigation, reload) or the tab disconnects; a new
# watcher for a tab also cancels any one still running, so pollers never pile up. Tests read it.
_watchers: dict[str, asyncio.Task] = {}


def running_watchers() -> int:
    """How many tabs have a live unread watcher in this process."""
    return sum(1 for task in _watchers.values() if not task.done())


def _unread_fingerprint(sid: str) -> tuple[int, int] | None:
    """(unread count, newest id) for the member logged in with `sid`, or None once the login has ended."""
    with read_session() as session:
        actor = auth.actor_for_session(session, sid)
        if actor is None or not actor.member_id:
            return None
        return inbox.fingerprint(session, actor.member_id)


class InboxBadgeState(AppState):
    """The unread count shown beside "Inbox" in the sidebar and the phone menu."""

    unread: int = 0

    def _show(self, count: int) -> None:
        self.unread = max(int(count), 0)

    # rx.event marks allow's async wrapper as a background task, so handler.fn keeps __practice_access__.
    @rx.event(background=True)
    @allow(STAFF)
    async def watch_unread(self):
        """Keep `unread` current while this tab is open: poll the fingerprint, push only when it changes."""
        token = self.router.session.client_token
        me = asyncio.current_task()
        previous = _watchers.get(token)
        if previous is not None and previous is not me and not previous.done():
            previous.cancel()
        _watchers[token] = me
        sid, shown = self.sid, None
        try:
            while True:
                fingerprint = await asyncio.to_thread(_unread_fingerprint, sid)
                if fingerprint is None:
                    return  # logged out or timed out: the next page load sends them to the login page
                if fingerprint != shown:
                    async with self:
                        self._show(fingerprint[0])
                    shown = fingerprint
                await asyncio.sleep(POLL_SECONDS)
        finally:
            if _watchers.get(token) is me:
                del _watchers[token]


@dataclasses.dataclass
class NoteItem:
    id: int = 0
    text: str = ""
    when: str = ""
    at: str = ""
    link: str = ""
    unread: bool = False


def _flag(value) -> bool:
    """A yes/no from the browser: only a real true or the word "true" counts as yes."""
    return value is True or str(value).strip().lower() in ("true", "1", "on")


def _safe_link(link: str) -> str:
    """Only paths inside the app are followed; anything else (another site, javascript:) is not a link."""
    link = (link or "").strip()
    return link if link.startswith("/") and not link.startswith("//") and "\\" not in link else ""


def relative_when(at: dt.datetime | None, timezone: str, now: dt.datetime | None = None) -> str:
    """"just now", "5 minutes ago", "3 hours ago", "yesterday", then the date in the firm's time zone."""
    if at is None:
        return ""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)
    now = now or dt.datetime.now(dt.timezone.utc)
    seconds = max((now - at).total_seconds(), 0)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        minutes = int(seconds // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    if seconds < 24 * 3600:
        hours = int(seconds // 3600)
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.timezone.utc
    local, today = at.astimezone(zone).date(), now.astimezone(zone).date()
    if today - local == dt.timedelta(days=1):
        return "yesterday"
    return local.strftime("%b %-d") if local.year == today.year else local.isoformat()


def _inbox_view(session, actor, archived: bool) -> dict:
    """The member's notifications of one tab, their preferences and the firm's time zone, in one session."""
    return {"notes": inbox.list_notifications(session, actor, archived=archived),
            "prefs": inbox.preferences(session, actor), "timezone": firm.get_firm(session).timezone}


class InboxState(AppState):
    """The inbox page: one tab of notifications, and which kinds this member receives."""

    tab: str = "inbox"
    notes: list[NoteItem] = []
    prefs: dict[str, bool] = {}
    error: str = ""

    async def _reload(self) -> None:
        view, error = read(_inbox_view, self._require(), self.tab == "archived")
        self.error = error or ""
        if view is None:
            self.notes = []
            return
        timezone = view["timezone"]
        self.notes = [NoteItem(id=n.id, text=n.text, when=relative_when(n.created_at, timezone),
                               at=when_text(n.created_at, timezone), link=_safe_link(n.link),
                               unread=n.read_at is None) for n in view["notes"]]
        self.prefs = dict(view["prefs"])
        # The badge follows at once; the poller would catch up within its interval anyway.
        fingerprint = _unread_fingerprint(self.sid)
        badge = await self.get_state(InboxBadgeState)
        badge._show(fingerprint[0] if fingerprint else 0)

    @allow(STAFF)
    async def load(self):
        self.tab = "inbox"
        await self._reload()

    @allow(STAFF)
    async def set_tab(self, value: str | list[str]):
        self.tab = str(value) if str(value) in TABS else "inbox"
        await self._reload()

    @allow(STAFF)
    async def open_note(self, notification_id: int):
        """Follow a notification's link and mark it read."""
        note_id = parse_id(notification_id)
        if note_id is None:
            return
        _, error = run(inbox.mark_read, self._require(), note_id, True)
        link = next((n.link for n in self.notes if n.id == note_id), "")
        await self._reload()
        self.error = error or ""
        if error is None and link:
            return rx.redirect(link)

    @allow(STAFF)
    async def set_read(self, notification_id: int, read_it: bool):
        note_id = parse_id(notification_id)
        if note_id is None:
            return
        _, error = run(inbox.mark_read, self._require(), note_id, _flag(read_it))
        await self._reload()
        self.error = error or ""

    @allow(STAFF)
    async def set_archived(self, notification_id: int, archived: bool):
        note_id = parse_id(notification_id)
        if note_id is None:
            return
        _, error = run(inbox.archive, self._require(), note_id, _flag(archived))
        await self._reload()
        self.error = error or ""

    @allow(STAFF)
    async def mark_all_read(self):
        _, error = run(inbox.mark_all_read, self._require())
        await self._reload()
        self.error = error or ""

    @allow(STAFF)
    async def set_kind(self, kind: str, enabled: bool):
        """Receive (or stop receiving) one kind of notification."""
        kind = str(kind)
        if kind not in inbox.KINDS:
            self.error = "There is no such kind of notification."
            return
        _, error = run(inbox.set_preference, self._require(), kind, _flag(enabled))
        await self._reload()
        self.error = error or ""
        if error is None:
            return rx.toast.success(f"{'Receiving' if _flag(enabled) else 'No longer receiving'}: "
                                    f"{inbox.KINDS[kind].lower()}.")

"""Inbox+: the inbox page (the sidebar's unread badge it updates lives in `state.base`)."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice.i18n import _
from practice.services import firm, inbox
from practice.services.formatting import format_datetime, relative_time
from practice.state.base import STAFF, AppState, InboxBadgeState, allow, read, run, shown_in, unread_fingerprint
from practice.state.work_views import parse_id

TABS = ("inbox", "archived")


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
        self.error = ""
        with shown_in(self, "error"):
            self.notes = []
            view = read(_inbox_view, self._require(), self.tab == "archived")
            timezone = view["timezone"]
            self.notes = [NoteItem(id=n.id, text=inbox.told(n), when=relative_time(n.created_at, timezone),
                                   at=format_datetime(n.created_at, timezone), link=_safe_link(n.link),
                                   unread=n.read_at is None) for n in view["notes"]]
            self.prefs = dict(view["prefs"])
            # The badge follows at once; the poller would catch up within its interval anyway.
            fingerprint = unread_fingerprint(self._session_id())
            badge = await self.get_state(InboxBadgeState)
            badge._show(*(fingerprint[0::2] if fingerprint else (0, 0)))

    async def _change(self, fn, *args) -> None:
        """Make one change, then reload the tab; a refusal is shown on the page after the reload."""
        with shown_in(self, "error"):
            try:
                run(fn, self._require(), *args)
            finally:
                await self._reload()

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
        link = next((n.link for n in self.notes if n.id == note_id), "")
        await self._change(inbox.mark_read, note_id, True)
        if not self.error and link:
            return rx.redirect(link)

    @allow(STAFF)
    async def set_read(self, notification_id: int, read_it: bool):
        note_id = parse_id(notification_id)
        if note_id is not None:
            await self._change(inbox.mark_read, note_id, _flag(read_it))

    @allow(STAFF)
    async def set_archived(self, notification_id: int, archived: bool):
        note_id = parse_id(notification_id)
        if note_id is not None:
            await self._change(inbox.archive, note_id, _flag(archived))

    @allow(STAFF)
    async def mark_all_read(self):
        await self._change(inbox.mark_all_read)

    @allow(STAFF)
    async def set_kind(self, kind: str, enabled: bool):
        """Receive (or stop receiving) one kind of notification."""
        kind = str(kind)
        if kind not in inbox.KINDS:
            self.error = _("There is no such kind of notification.")
            return
        await self._change(inbox.set_preference, kind, _flag(enabled))
        if not self.error:
            kind_name = _(inbox.KINDS[kind])
            return rx.toast.success(_("Receiving: {kind}.").format(kind=kind_name) if _flag(enabled)
                                    else _("No longer receiving: {kind}.").format(kind=kind_name))

"""The portal's Messages page: the client's conversations with the firm on the current account, one open with
its messages and client tasks to tick, a reply box; new messages appear while the page is open."""
from __future__ import annotations

import asyncio
import functools

import reflex as rx

from practice import routes
from practice.db import read_session
from practice.i18n import _
from practice.services import firm
from practice.services.actor import ContactActor
from practice.services.chats import attachments, messages, threads
from practice.services.documents import storage
from practice.services.errors import PracticeError
from practice.services.portal import client_tasks, logins
from practice.state.base import ANYONE, CHANGES, CONTACT, POLL_SECONDS, allow, read, run, shown_in
from practice.state.chat_views import (FileItem, MessageItem, ThreadItem, chosen_items, message_items, take_files,
                                      thread_items)
from practice.state.portal import PortalState
from practice.state.work_views import parse_id


def _page_view(session, actor: ContactActor, thread_id: int = 0) -> dict:
    """The contact's threads on the account it is looking at, and the open thread's messages."""
    mine = actor.limited_to(actor.current_account_id)
    timezone = firm.get_firm(session).timezone
    view = {"threads": thread_items(threads.list_threads(session, mine), timezone)}
    if thread_id:
        view["thread"] = threads.get_thread(session, mine, thread_id)
        view["messages"] = message_items(messages.messages_of(session, mine, thread_id), timezone)
    return view


def portal_fingerprint(sid: str, thread_id: int) -> tuple | None:
    """What changes when the page should: the contact's unread count and the open thread's newest message."""
    with read_session() as session:
        actor = logins.actor_for_portal_session(session, sid)
        if actor is None:
            return None
        mine = actor.limited_to(actor.current_account_id)
        try:
            newest = messages.newest_id(session, mine, thread_id) if thread_id else 0
        except PracticeError:
            newest = -1
        return threads.unread_total(session, mine), newest, actor.current_account_id


class PortalMessagesState(PortalState):
    """The Messages page of the portal."""

    threads: list[ThreadItem] = []
    thread_id: int = 0
    thread_subject: str = ""
    messages: list[MessageItem] = []
    composer_key: int = 0
    composer_error: str = ""
    # Files chosen for the next reply: checked and stored, kept server-side until it is sent.
    chosen_files: list[FileItem] = []
    _chosen: list[dict] = []
    loaded: bool = False

    def _show(self, view: dict | None) -> None:
        view = view or {"threads": []}
        self.threads, self.messages = view["threads"], view.get("messages", [])
        thread = view.get("thread")
        self.thread_subject = thread.subject if thread else ""
        self.loaded = True

    def _refresh(self, actor: ContactActor, read_it: bool = False) -> None:
        with shown_in(self, "error"):
            if read_it and self.thread_id:
                run(threads.mark_read, actor.limited_to(actor.current_account_id), self.thread_id)
            self._show(read(_page_view, actor, self.thread_id))
            return
        self.thread_id = 0
        self._show(read(_page_view, actor, 0))

    @allow(ANYONE)
    async def load(self):
        actor, view = await self._open(functools.partial(_page_view, thread_id=0))
        if actor is None:
            return rx.redirect(routes.PORTAL_LOGIN)
        self.composer_error, self.threads, self.messages = "", [], []
        self._forget_files()
        self.thread_id = parse_id(self.router.url.query_parameters.get("thread", "")) or 0
        self._show(view)
        if self.thread_id:
            self._refresh(actor, read_it=True)
        return PortalMessagesState.watch

    @allow(CONTACT)
    def open_thread(self, thread_id: int):
        self.thread_id, self.composer_error = parse_id(thread_id) or 0, ""
        self._forget_files()
        self._refresh(self._require(), read_it=True)

    @allow(CONTACT)
    def close_thread(self):
        self.thread_id = 0
        self._refresh(self._require())

    @allow(CONTACT)
    def send(self, form: dict):
        actor = self._require()
        self.composer_error = ""
        with shown_in(self, "composer_error"):
            run(messages.write_as_client, actor.limited_to(actor.current_account_id), self.thread_id,
                str(form.get("text", "") or ""), files=[attachments.from_dict(k) for k in self._chosen])
            self.composer_key += 1
            self._forget_files()
        self._refresh(actor, read_it=True)

    def _forget_files(self) -> None:
        self._chosen, self.chosen_files = [], []

    @allow(CONTACT)
    async def attach_files(self, files: list[rx.UploadFile]):
        """Take the chosen files (checked like any upload); they go with the next reply."""
        actor = self._require()
        self.composer_error = ""
        self._chosen, problems = await take_files(actor.limited_to(actor.current_account_id), self.thread_id, files,
                                                  self._chosen)
        self.chosen_files, self.composer_error = chosen_items(self._chosen), " ".join(problems)

    @allow(CONTACT)
    def remove_file(self, index: int):
        i = parse_id(index)
        if i is not None and 1 <= i <= len(self._chosen):
            run(attachments.discard, self._require(), self.thread_id, attachments.from_dict(self._chosen[i - 1]))
            self._chosen = [k for n, k in enumerate(self._chosen, start=1) if n != i]
            self.chosen_files = chosen_items(self._chosen)

    @allow(CONTACT)
    def files_rejected(self, rejected: list[dict] | None = None):
        self.composer_error = storage.limits_sentence("send")

    @allow(CONTACT)
    def start(self, form: dict):
        """Write to the firm about something new: a conversation of its own, opened at once."""
        actor = self._require()
        self.composer_error = ""
        with shown_in(self, "composer_error"):
            message = run(messages.start_as_client, actor, subject=str(form.get("subject", "") or ""),
                          text=str(form.get("text", "") or ""))
            self.thread_id, self.composer_key = message.thread_id, self.composer_key + 1
        self._refresh(actor, read_it=True)

    @allow(CONTACT)
    def tick(self, task_id: int):
        task, actor = parse_id(task_id), self._require()
        if task is None:
            return
        with shown_in(self, "composer_error"):
            run(client_tasks.complete_client_task, actor.limited_to(actor.current_account_id), task)
            self._refresh(actor)
            return rx.toast.success(_("Done. Thank you!"))
        self._refresh(actor)

    @rx.event(background=True)
    @allow(CONTACT)
    async def watch(self):
        """While the page is open: show new messages and counts (as soon as a message arrives on the account the
        contact looks at; every 2 s for the rest)."""
        async with self:
            sid, shown = self._session_id(), None
        while True:
            async with self:
                thread_id = self.thread_id
            fingerprint = await asyncio.to_thread(portal_fingerprint, sid, thread_id)
            if fingerprint is None or self.router.url.path.rstrip("/") != routes.PORTAL_MESSAGES:
                return
            if shown is not None and fingerprint != shown:
                async with self:
                    self._refresh(self._require(), read_it=True)
            shown = fingerprint
            await CHANGES.wait(POLL_SECONDS, account_id=fingerprint[2])

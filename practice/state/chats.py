"""The staff's Chats page: threads with unread counts, one thread's messages, the composer (message or internal
note, client tasks), archive and search; the open thread and the list follow new messages live."""
from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from practice import routes
from practice.db import read_session
from practice.i18n import _
from practice.services import firm
from practice.services.access import auth
from practice.services.chats import attachments, messages, threads
from practice.services.chats.messages import TaskRequest
from practice.services.errors import InvalidInput, PracticeError
from practice.services.documents import storage
from practice.services.formatting import format_date
from practice.services.work import accounts, jobs
from practice.state.base import CHANGES, POLL_SECONDS, STAFF, AppState, InboxBadgeState, allow, read, run, shown_in
from practice.state.chat_views import (FileItem, MessageItem, TaskDraft, ThreadItem, chosen_items, message_items,
                                      take_files, thread_items)
from practice.state.work_views import parse_date, parse_id

TABS = ("open", "archived")


@dataclasses.dataclass
class Choice:
    id: str = ""
    name: str = ""


def _page_view(session, actor, *, archived: bool, search: str, account_id: int | None, thread_id: int) -> dict:
    """The list, the open thread (read up to now by the caller beforehand) and the firm's clock, in one session."""
    timezone = firm.get_firm(session).timezone
    view = {"timezone": timezone, "unread": threads.unread_total(session, actor),
            "threads": thread_items(threads.list_threads(session, actor, archived=archived, search=search,
                                                         account_id=account_id), timezone)}
    if thread_id:
        view["thread"] = threads.get_thread(session, actor, thread_id)
        view["messages"] = message_items(messages.messages_of(session, actor, thread_id), timezone)
    return view


def chat_fingerprint(sid: str, thread_id: int) -> tuple | None:
    """What changes when the page should: the member's unread count and the open thread's newest message."""
    with read_session() as session:
        actor = auth.actor_for_session(session, sid)
        if actor is None or not actor.member_id:
            return None
        try:
            newest = messages.newest_id(session, actor, thread_id) if thread_id else 0
        except PracticeError:
            newest = -1  # the thread went away or out of reach: the reload says so
        return threads.unread_total(session, actor), newest


class ChatsState(AppState):
    """The Chats page (staff)."""

    tab: str = "open"
    search: str = ""
    account_filter: int = 0
    threads: list[ThreadItem] = []
    thread_id: int = 0
    thread_subject: str = ""
    thread_account: str = ""
    thread_account_id: int = 0
    thread_job: str = ""
    thread_archived: bool = False
    messages: list[MessageItem] = []
    internal: bool = False
    pending_tasks: list[TaskDraft] = []
    # Files chosen for the next message: checked and stored, kept server-side until it is sent.
    chosen_files: list[FileItem] = []
    _chosen: list[dict] = []
    composer_key: int = 0
    task_key: int = 0
    account_choices: list[Choice] = []
    job_choices: list[Choice] = []
    error: str = ""
    composer_error: str = ""

    def _reload(self) -> None:
        with shown_in(self, "error"):
            view = read(_page_view, self._require(), archived=self.tab == "archived", search=self.search,
                        account_id=self.account_filter or None, thread_id=self.thread_id)
            self.threads = view["threads"]
            thread = view.get("thread")
            self.messages = view.get("messages", [])
            self.thread_subject, self.thread_account = (thread.subject, thread.account_name) if thread else ("", "")
            self.thread_account_id, self.thread_job = (thread.account_id, thread.job_name) if thread else (0, "")
            self.thread_archived = bool(thread and thread.archived)
            return view["unread"]
        self.thread_id, self.messages = 0, []
        return None

    async def _refresh(self, read_it: bool = False) -> None:
        if read_it and self.thread_id:
            with shown_in(self, "error"):
                run(threads.mark_read, self._require(), self.thread_id)
        unread = self._reload()
        if unread is not None:
            badge = await self.get_state(InboxBadgeState)
            badge.chats_unread = unread

    @allow(STAFF)
    async def load(self):
        params = self.router.url.query_parameters
        self.thread_id = parse_id(params.get("thread", "")) or 0
        self.account_filter = parse_id(params.get("account", "")) or 0
        self.tab, self.search, self.error, self.composer_error = "open", "", "", ""
        self.pending_tasks, self.internal = [], False
        self._forget_files()
        await self._refresh(read_it=True)
        self._load_accounts()
        self._load_jobs(self.account_filter)
        return ChatsState.watch

    def _load_accounts(self) -> None:
        with shown_in(self, "error"):
            rows, _total = read(accounts.list_accounts, self._require(), page_size=1000)
            self.account_choices = [Choice(str(a.id), a.name) for a in rows]

    @allow(STAFF)
    async def set_tab(self, value: str | list[str]):
        self.tab = str(value) if str(value) in TABS else "open"
        await self._refresh()

    @allow(STAFF)
    async def run_search(self, form: dict):
        self.search = " ".join(str(form.get("search", "") or "").split())[:200]
        await self._refresh()

    @allow(STAFF)
    async def open_thread(self, thread_id: int):
        self.thread_id = parse_id(thread_id) or 0
        self.composer_error, self.pending_tasks, self.internal = "", [], False
        self._forget_files()
        await self._refresh(read_it=True)

    @allow(STAFF)
    async def close_thread(self):
        self.thread_id = 0
        await self._refresh()

    @allow(STAFF)
    def set_internal(self, value: bool):
        self.internal = value is True or str(value).lower() == "true"
        if self.internal:
            self.pending_tasks = []

    @allow(STAFF)
    def add_task(self, form: dict):
        self.composer_error = ""
        with shown_in(self, "composer_error"):
            title = " ".join(str(form.get("title", "") or "").split())[:300]
            if not title:
                raise InvalidInput(_('Say what the client should do, like "Upload your W-2".'))
            due = parse_date(form.get("due", ""), "due date")
            label = _("Due {date}").format(date=format_date(due)) if due else ""
            self.pending_tasks = [*self.pending_tasks, TaskDraft(title, due.isoformat() if due else "", label)]
            self.task_key += 1

    @allow(STAFF)
    def remove_task(self, index: int):
        i = parse_id(index)
        if i is not None and i <= len(self.pending_tasks):
            self.pending_tasks = [t for n, t in enumerate(self.pending_tasks, start=1) if n != i]

    @allow(STAFF)
    async def send(self, form: dict):
        self.composer_error = ""
        tasks = [TaskRequest(t.title, parse_date(t.due) if t.due else None) for t in self.pending_tasks]
        with shown_in(self, "composer_error"):
            run(messages.write_as_staff, self._require(), self.thread_id, str(form.get("text", "") or ""),
                internal=self.internal, tasks=tasks, files=[attachments.from_dict(k) for k in self._chosen])
            self.composer_key, self.pending_tasks, self.internal = self.composer_key + 1, [], False
            self._forget_files()
        await self._refresh(read_it=True)

    def _forget_files(self) -> None:
        self._chosen, self.chosen_files = [], []

    @allow(STAFF)
    async def attach_files(self, files: list[rx.UploadFile]):
        """Take the chosen files (checked like any upload); they go with the next message or note."""
        self.composer_error = ""
        self._chosen, problems = await take_files(self._require(), self.thread_id, files, self._chosen)
        self.chosen_files, self.composer_error = chosen_items(self._chosen), " ".join(problems)

    @allow(STAFF)
    def remove_file(self, index: int):
        i = parse_id(index)
        if i is not None and 1 <= i <= len(self._chosen):
            run(attachments.discard, self._require(), self.thread_id, attachments.from_dict(self._chosen[i - 1]))
            self._chosen = [k for n, k in enumerate(self._chosen, start=1) if n != i]
            self.chosen_files = chosen_items(self._chosen)

    @allow(STAFF)
    def files_rejected(self, rejected: list[dict] | None = None):
        self.composer_error = storage.limits_sentence("send")

    @allow(STAFF)
    async def set_archived(self, archived: bool):
        with shown_in(self, "error"):
            run(threads.set_archived, self._require(), self.thread_id, archived is True)
            self.thread_id = 0 if archived is True else self.thread_id
        await self._refresh()

    def _load_jobs(self, account_id: int | None) -> None:
        self.job_choices = []
        with shown_in(self, "error"):
            if account_id:
                rows = read(jobs.jobs_of_account, self._require(), account_id)
                self.job_choices = [Choice(str(j.id), j.name) for j, _p, _s in rows if not j.archived]

    @allow(STAFF)
    def choose_account(self, value: str):
        self._load_jobs(parse_id(value))

    @allow(STAFF)
    async def start(self, form: dict):
        self.error = ""
        with shown_in(self, "error"):
            account_id = parse_id(form.get("account_id", "")) or self.account_filter
            if not account_id:
                raise InvalidInput(_("Choose the account to write to."))
            made = run(threads.start_thread, self._require(), account_id=account_id,
                       subject=str(form.get("subject", "") or ""), job_id=parse_id(form.get("job_id", "")))
            self.thread_id, self.tab = made.id, "open"
        await self._refresh()

    @rx.event(background=True)
    @allow(STAFF)
    async def watch(self):
        """While the page is open: reload the list and the open thread when a message arrives (as soon as one does,
        on any account; every 2 s for the rest)."""
        async with self:
            sid, shown = self._session_id(), None
        while True:
            async with self:
                thread_id = self.thread_id
            fingerprint = await asyncio.to_thread(chat_fingerprint, sid, thread_id)
            if fingerprint is None or self.router.url.path.rstrip("/") != routes.CHATS:
                return
            if shown is not None and fingerprint != shown:
                async with self:
                    await self._refresh(read_it=True)
            shown = fingerprint
            await CHANGES.wait(POLL_SECONDS)


def _account_threads(session, actor, account_id: int) -> list[ThreadItem]:
    timezone = firm.get_firm(session).timezone
    return thread_items(threads.list_threads(session, actor, account_id=account_id, limit=20), timezone)


class AccountChatsState(AppState):
    """The Conversations section of the account page: its open threads, with unread counts."""

    chat_acct_id: int = 0
    account_threads: list[ThreadItem] = []
    chats_error: str = ""

    @allow(STAFF)
    def load(self):
        self.chats_error, self.account_threads = "", []
        self.chat_acct_id = parse_id(getattr(self, "account_id", "")) or 0
        if self.chat_acct_id:
            with shown_in(self, "chats_error"):
                self.account_threads = read(_account_threads, self._require(), self.chat_acct_id)

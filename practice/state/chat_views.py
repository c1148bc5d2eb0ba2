"""View records of chats, shared by the staff's Chats page and the portal's Messages page: what the browser gets
of a thread and its messages (display texts only, made on the firm's clock in the reader's language)."""
from __future__ import annotations

import asyncio
import dataclasses

from practice.i18n import _
from practice.services.chats import attachments
from practice.services.chats.messages import MessageView
from practice.services.errors import PracticeError
from practice.services.chats.threads import ThreadView
from practice.services.formatting import format_date, format_datetime, relative_time
from practice.state.documents import size_text


@dataclasses.dataclass
class ThreadItem:
    id: int = 0
    subject: str = ""
    account_id: int = 0
    account: str = ""
    job: str = ""
    when: str = ""
    unread: int = 0
    last_text: str = ""
    archived: bool = False


@dataclasses.dataclass
class TaskItem:
    id: int = 0
    title: str = ""
    due: str = ""
    done: bool = False
    done_note: str = ""


@dataclasses.dataclass
class FileItem:
    name: str = ""
    size: str = ""
    href: str = ""


@dataclasses.dataclass
class MessageItem:
    id: int = 0
    author: str = ""
    from_client: bool = False
    mine: bool = False
    text: str = ""
    internal: bool = False
    when: str = ""
    at: str = ""
    edited: bool = False
    tasks: list[TaskItem] = dataclasses.field(default_factory=list)
    read_note: str = ""
    files: list[FileItem] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class TaskDraft:
    title: str = ""
    due: str = ""
    due_label: str = ""


def thread_items(views: list[ThreadView], timezone: str) -> list[ThreadItem]:
    return [ThreadItem(v.id, v.subject, v.account_id, v.account_name, v.job_name,
                       relative_time(v.last_message_at, timezone), v.unread, v.last_text, v.archived) for v in views]


def _task_item(task, timezone: str) -> TaskItem:
    note = ""
    if task.done_at is not None:
        note = _("Done by {name}, {when}").format(name=task.done_by or _("the client"),
                                                  when=format_datetime(task.done_at, timezone))
    due = _("Due {date}").format(date=format_date(task.due_date)) if task.due_date else ""
    return TaskItem(task.id, task.title, due, task.done_at is not None, note)


def message_items(views: list[MessageView], timezone: str) -> list[MessageItem]:
    out = []
    for m in views:
        read = "; ".join(_("Read by {name}, {when}").format(name=name, when=format_datetime(at, timezone))
                         for name, at in m.read_by)
        out.append(MessageItem(m.id, m.author_name, m.from_client, m.mine, m.text, m.internal,
                               relative_time(m.created_at, timezone), format_datetime(m.created_at, timezone),
                               m.edited_at is not None, [_task_item(t, timezone) for t in m.tasks], read,
                               [FileItem(f.name, size_text(f.size), f.href) for f in m.attachments]))
    return out


async def take_files(actor, thread_id: int, files, kept: list[dict]) -> tuple[list[dict], list[str]]:
    """The files chosen for the next message, checked like any upload (off the event loop: a PDF check may take
    seconds), added to those `kept` already: the files kept (server-side only) and a sentence per file refused."""
    kept, problems = list(kept), []
    for upload in files or ():
        name = str(upload.name or upload.filename or "upload")[:300]
        try:
            got = await asyncio.to_thread(attachments.receive, actor, thread_id, name, upload.file, already=len(kept))
        except PracticeError as err:
            problems.append(_('"{name}" was not attached: {refusal}').format(name=name, refusal=str(err)))
            continue
        if got.refusal:
            problems.append(_('"{name}" was not attached: {refusal}').format(name=got.filename, refusal=got.refusal))
        else:
            kept.append(attachments.as_dict(got))
    return kept, problems


def chosen_items(kept: list[dict]) -> list[FileItem]:
    """The files waiting to go with the next message, as the composer lists them."""
    return [FileItem(str(k.get("filename", "")), size_text(int(k.get("size", 0) or 0))) for k in kept]

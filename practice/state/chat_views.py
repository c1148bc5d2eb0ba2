"""View records of chats, shared by the staff's Chats page and the portal's Messages page: what the browser gets
of a thread and its messages (display texts only, made on the firm's clock in the reader's language)."""
from __future__ import annotations

import dataclasses

from practice.i18n import _
from practice.services.chats.messages import MessageView
from practice.services.chats.threads import ThreadView
from practice.services.formatting import format_date, format_datetime, relative_time


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
                               m.edited_at is not None, [_task_item(t, timezone) for t in m.tasks], read))
    return out

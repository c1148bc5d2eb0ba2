"""View records and input helpers shared by the staff pages (accounts, jobs, tasks and the others).

Values from the browser are untrusted strings: everything here coerces them, and bad input raises a sentence
(`InvalidInput`), never anything else.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from practice import routes
from practice.i18n import N_, _
from practice.models import MAX_ROW_ID, TaskStatus
from practice.services.errors import InvalidInput
from practice.services.formatting import date_input, format_date, format_datetime, relative_time

# Task statuses in the order people think of them, with the words they read.
STATUS_LABELS = {
    TaskStatus.planned.value: N_("Planned"),
    TaskStatus.in_progress.value: N_("In progress"),
    TaskStatus.waiting_for_client.value: N_("Waiting for client"),
    TaskStatus.completed.value: N_("Completed"),
    TaskStatus.cancelled.value: N_("Cancelled"),
}
# Filters of the task list: "open" (planned, in progress, waiting) and "all" besides each status.
STATUS_FILTERS = [("open", N_("Open"))] + list(STATUS_LABELS.items()) + [("all", N_("All statuses"))]
NONE = "none"  # select value meaning "nobody" / "no job" (Radix selects cannot hold "")


@dataclasses.dataclass
class TagItem:
    id: int = 0
    name: str = ""
    color: str = ""


@dataclasses.dataclass
class HistoryItem:
    at: str = ""
    exact: str = ""
    who: str = ""
    summary: str = ""


@dataclasses.dataclass
class TaskItem:
    id: int = 0
    title: str = ""
    status: str = ""
    status_label: str = ""
    due: str = ""
    overdue: bool = False
    assignee: str = ""
    account: str = ""
    account_href: str = ""
    job: str = ""
    job_href: str = ""
    is_subtask: bool = False


CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "street", "city", "region", "postal_code", "country")
# What the contact editor changes: the new-contact fields and the further addresses and numbers.
EDIT_FIELDS = CONTACT_FIELDS + ("other_emails", "other_phones", "language")


@dataclasses.dataclass
class ContactForm:
    """The contact being edited, as its dialog's fields show it."""

    id: int = 0
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    other_emails: str = ""
    phone: str = ""
    other_phones: str = ""
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    language: str = ""


def contact_form(contact) -> ContactForm:
    return ContactForm(id=contact.id, **{k: getattr(contact, k) or "" for k in EDIT_FIELDS})


def form_fields(form: dict, names: tuple[str, ...], limit: int = 300) -> dict[str, str]:
    """The named fields of a submitted form as bounded strings (untrusted input)."""
    return {key: str(form.get(key, "") or "")[:limit] for key in names}



@dataclasses.dataclass
class TaskForm:
    """A task being corrected, as its dialog's fields show it (id 0: no dialog open)."""

    id: int = 0
    title: str = ""
    assignee: str = NONE
    due_date: str = ""
    description: str = ""


def task_form(task) -> TaskForm:
    return TaskForm(id=task.id, title=task.title, assignee=str(task.assignee_id) if task.assignee_id else NONE,
                    due_date=date_input(task.due_date), description=task.description)


def task_changes(form: dict) -> dict:
    """The task dialog's submitted fields as `tasks.update_task` takes them; a bad date raises a sentence."""
    raw = form.get("assignee")
    return {"title": str(form.get("title", ""))[:300],
            "assignee_id": None if raw in (None, "", NONE) else parse_id(raw),
            "due_date": parse_date(form.get("due_date"), "due date"),
            "description": str(form.get("description", ""))[:5000]}


# The refusal of a date that is not one, by what the date is for.
_NOT_A_DATE = {
    "date": N_('"{text}" is not a date; pick one from the calendar or type it as YYYY-MM-DD.'),
    "due date": N_('"{text}" is not a due date; pick one from the calendar or type it as YYYY-MM-DD.'),
    "start date": N_('"{text}" is not a start date; pick one from the calendar or type it as YYYY-MM-DD.'),
}


def parse_date(value, what: str = "date") -> dt.date | None:
    """A date from an `<input type="date">` value ("YYYY-MM-DD"); empty means no date; bad input raises a sentence
    (`what`: "date", "due date" or "start date")."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_(_NOT_A_DATE.get(what, _NOT_A_DATE["date"])).format(text=text[:40]),
                           field=what) from None


def parse_int(value, default: int = 0) -> int:
    """A whole number from a browser value, or `default` for junk and for numbers beyond what a database holds."""
    try:
        number = int(str(value).strip()[:30])
    except (TypeError, ValueError):
        return default
    return number if -MAX_ROW_ID <= number <= MAX_ROW_ID else default


def parse_id(value) -> int | None:
    """A positive database id from a browser value, or None (also for a number no database row can have)."""
    try:
        number = int(str(value).strip()[:30])
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ROW_ID else None


def is_checked(value) -> bool:
    """A checkbox's form value as a bool: "on" from the form, True from a ref; anything else is off."""
    return value is True or str(value).strip().lower() in ("on", "true")


def status_label(status: str) -> str:
    """A task status as the person reads it ("In progress" / "En cours")."""
    label = STATUS_LABELS.get(status)
    return _(label) if label else status


def history_items(entries, timezone: str) -> list[HistoryItem]:
    return [HistoryItem(at=relative_time(e.at, timezone), exact=format_datetime(e.at, timezone),
                        who=e.actor_label or _("Someone"), summary=e.summary)
            for e in entries]


def task_items(rows: list[dict]) -> list[TaskItem]:
    """Rows of `tasks.list_tasks` as view records with links."""
    today = dt.date.today()
    items = []
    for r in rows:
        due = r["due_date"]
        items.append(TaskItem(
            id=r["id"], title=r["title"], status=r["status"], status_label=status_label(r["status"]),
            due=format_date(due), overdue=bool(due and due < today and r["status"] in
                                             ("planned", "in_progress", "waiting_for_client")),
            assignee=r["assignee"] or _("Nobody"), account=r["account"],
            account_href=routes.account_url(r["account_id"]) if r["account_id"] else "",
            job=r["job"], job_href=routes.job_url(r["job_id"]) if r["job_id"] else "",
            is_subtask=r["parent_id"] is not None))
    return items

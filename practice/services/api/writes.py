"""The API's writes, through the app's own services (the same checks, audit rows and events): create a task, move a
job to another stage. The request's JSON is checked here, each mistake named in a sentence."""
from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from practice.i18n import _
from practice.models import MAX_ROW_ID
from practice.services.actor import Actor, require_staff
from practice.services.api import reads
from practice.services.errors import InvalidInput
from practice.services.work import jobs, tasks

TASK_FIELDS = ("title", "description", "account_id", "job_id", "assignee_id", "due_date")


def _only(body: dict, allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise InvalidInput(_("Unknown fields: {names}. A request may give: {allowed}.").format(
            names=", ".join(name[:50] for name in unknown[:5]), allowed=", ".join(allowed)))


def _id(body: dict, name: str, required: bool = False) -> int | None:
    value = body.get(name)
    if value is None:
        if required:
            raise InvalidInput(_("Give {name}.").format(name=name), field=name)
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ROW_ID:
        raise InvalidInput(_("{name} must be a whole number from 1.").format(name=name), field=name)
    return value


def _text(body: dict, name: str, limit: int) -> str:
    value = body.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(_("{name} must be text.").format(name=name), field=name)
    if len(value) > limit:
        raise InvalidInput(_("{name} must be under {count} characters.").format(name=name, count=limit), field=name)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(_("{name} holds characters that are not text (a broken emoji?).").format(name=name),
                           field=name) from None
    return value


def _date(body: dict, name: str) -> dt.date | None:
    value = body.get(name)
    if value is None:
        return None
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(_("{name} must be a date such as 2027-04-15.").format(name=name), field=name) from None


def create_task(session: Session, actor: Actor, body: dict) -> dict:
    """A new task, as the task list's form makes it (the same checks: the account or job must be one the actor sees)."""
    require_staff(actor)
    _only(body, TASK_FIELDS)
    if not isinstance(body.get("title"), str):
        raise InvalidInput(_("Give the task a title."), field="title")
    title = _text(body, "title", 1000)
    task = tasks.create_task(session, actor, title=title, description=_text(body, "description", 10_000),
                             account_id=_id(body, "account_id"), job_id=_id(body, "job_id"),
                             assignee_id=_id(body, "assignee_id"), due_date=_date(body, "due_date"))
    return reads.task_dict(task)


def move_job(session: Session, actor: Actor, job_id: int, body: dict) -> dict:
    """Move the job to another stage of its pipeline, as the board does (its event runs the automations);
    `from_stage_id`, when given, refuses the move if someone moved the job meanwhile."""
    require_staff(actor)
    _only(body, ("stage_id", "from_stage_id"))
    jobs.move_job(session, actor, job_id, _id(body, "stage_id", required=True),
                  from_stage_id=_id(body, "from_stage_id"))
    session.flush()
    return reads.job(session, actor, job_id)

"""The task list: mine or everyone's, filtered by status, with a detail panel for subtasks and comments."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice.i18n import _
from practice.models import TaskStatus
from practice.services import firm
from practice.services.billing import time
from practice.services.access import team
from practice.services.work import jobs, tasks
from practice.services.errors import PracticeError
from practice.services.formatting import format_date, format_datetime, relative_time
from practice.state.base import STAFF, AppState, allow, read, run, shown_in, write_and_refresh
from practice.state.task_editing import TaskEditing
from practice.state.time_entries import TimerStopping
from practice.state.views import Option
from practice.state.work_views import (NONE, STATUS_FILTERS, STATUS_LABELS, TaskItem, parse_date,
                                       parse_id, status_label, task_items)

FILTER_VALUES = {value for value, _label in STATUS_FILTERS}


@dataclasses.dataclass
class CommentItem:
    who: str = ""
    at: str = ""
    exact: str = ""
    body: str = ""


def _task_detail(session, actor, task_id: int) -> dict:
    """The task, its subtasks and its comments, read through the services in one session."""
    task = tasks.get_task(session, actor, task_id)
    subtasks = tasks.subtasks_of(session, actor, task.id)
    return {"task": task, "subtasks": subtasks, "comments": tasks.comments_of(session, actor, task.id),
            "timezone": firm.get_firm(session).timezone,
            "names": {m.id: m.name for m in team.list_members(session, actor, include_inactive=True)}}


class TasksState(TimerStopping, TaskEditing, AppState):
    mine: bool = True
    # For members who track time: the task whose timer runs (0: none, or it runs on something else).
    tracks_time: bool = False
    timer_task: int = 0
    status_filter: str = "open"
    rows: list[TaskItem] = []
    member_options: list[Option] = []
    job_options: list[Option] = []
    error: str = ""
    form_error: str = ""
    form_key: int = 0
    # The new-task form assigns to the person filling it in unless they choose otherwise (a chosen select, not
    # a default: the page's load fills it in without re-keying the form, so nothing typed meanwhile is lost).
    my_member: str = NONE
    new_assignee: str = ""
    # The task whose detail panel is open (0: none).
    detail_id: int = 0
    detail_title: str = ""
    detail_status: str = ""
    detail_description: str = ""
    detail_error: str = ""
    detail_status_label: str = ""  # the status as the person reads it
    subtasks: list[TaskItem] = []
    comments: list[CommentItem] = []
    comment_key: int = 0
    subtask_key: int = 0


    @rx.var
    def scope(self) -> str:
        return "mine" if self.mine else "all"

    def _load_rows(self) -> None:
        self.error, self.rows = "", []
        with shown_in(self, "error"):
            actor = self._require()
            self.rows = task_items(read(tasks.list_tasks, actor, mine=self.mine, status=self.status_filter))
            timer = read(time.running_timer, actor)
            self.tracks_time, self.timer_task = actor.tracks_time, (timer.task_id or 0) if timer else 0

    def _load_detail(self) -> None:
        if not self.detail_id:
            return
        try:
            view = read(_task_detail, self._require(), self.detail_id)
        except PracticeError as err:
            self.detail_id, self.detail_error = 0, ""
            self.error = str(err)
            return
        task, names = view["task"], view["names"]
        self.detail_title, self.detail_description = task.title, task.description
        self.detail_status = TaskStatus(task.status).value
        self.detail_status_label = status_label(self.detail_status)
        self.subtasks = [TaskItem(id=s.id, title=s.title, status=TaskStatus(s.status).value,
                                  status_label=status_label(TaskStatus(s.status).value),
                                  due=format_date(s.due_date), assignee=names.get(s.assignee_id) or _("Nobody"),
                                  is_subtask=True) for s in view["subtasks"]]
        self.comments = [CommentItem(who=who, at=relative_time(c.created_at, view["timezone"]),
                                     exact=format_datetime(c.created_at, view["timezone"]), body=c.body)
                         for c, who in view["comments"]]

    def _refresh(self) -> None:
        self._load_rows()
        self._load_detail()

    @allow(STAFF)
    def load(self):
        self.error = self.form_error = ""
        # A link to one task (routes.task_url, e.g. from the home) opens its detail.
        self.detail_id = parse_id(self.router.url.query_parameters.get("task", "")) or 0
        actor = self._require()
        self.my_member = str(actor.member_id) if actor.member_id else NONE
        self.new_assignee = self.new_assignee or self.my_member
        self._load_rows()
        self.member_options = [Option(value=str(m.id), label=m.name) for m in read(team.list_members, actor)]
        self.job_options = [Option(value=str(i), label=f"{account} · {name}")
                            for i, name, account in read(jobs.job_choices, actor)]
        self._load_detail()

    @allow(STAFF)
    def set_scope(self, value: str | list[str]):
        self.mine = str(value) != "all"
        self._load_rows()

    @allow(STAFF)
    def set_status_filter(self, value: str):
        value = str(value)
        self.status_filter = value if value in FILTER_VALUES else "open"
        self._load_rows()

    @allow(STAFF)
    def set_status(self, task_id: int, status: str):
        task, status = parse_id(task_id), str(status)
        if task is None or status not in STATUS_LABELS:
            self.error = _("Choose one of the listed statuses.")
            return
        if write_and_refresh(self, tasks.set_status, task, status):
            return rx.toast.success(_("Status: {status}.").format(status=status_label(status)))

    @allow(STAFF)
    def create(self, form: dict):
        with shown_in(self, "form_error"):
            due = parse_date(form.get("due_date"), "due date")
            raw_assignee, raw_job = form.get("assignee"), form.get("job")
            assignee = None if raw_assignee in (None, "", NONE) else parse_id(raw_assignee)
            job = None if raw_job in (None, "", NONE) else parse_id(raw_job)
            run(tasks.create_task, self._require(), title=str(form.get("title", ""))[:300],
                assignee_id=assignee, job_id=job, due_date=due)
            self.form_error, self.new_assignee = "", self.my_member
            self.form_key += 1
            self._load_rows()
            return rx.toast.success(_("Task created."))

    @allow(STAFF)
    def choose_new_assignee(self, value: str):
        self.new_assignee = str(value or NONE)[:20]

    @allow(STAFF)
    def open_detail(self, task_id: int):
        task = parse_id(task_id)
        if task is None:
            return
        self.detail_id, self.detail_error = task, ""
        self._load_detail()

    @allow(STAFF)
    def set_detail_open(self, value: bool):
        if not bool(value):
            self.detail_id = 0

    @allow(STAFF)
    def add_subtask(self, form: dict):
        if not self.detail_id:
            return
        with shown_in(self, "detail_error"):
            due = parse_date(form.get("due_date"), "due date")
            if write_and_refresh(self, tasks.create_task, title=str(form.get("title", ""))[:300],
                                 parent_id=self.detail_id, assignee_id=self._require().member_id, due_date=due,
                                 shown="detail_error"):
                self.subtask_key += 1

    @allow(STAFF)
    def add_comment(self, form: dict):
        if not self.detail_id:
            return
        self.detail_error = ""
        with shown_in(self, "detail_error"):
            try:
                run(tasks.add_comment, self._require(), self.detail_id, str(form.get("body", ""))[:5000])
            finally:
                self._load_detail()
            self.comment_key += 1

    @allow(STAFF)
    def start_task_timer(self, task_id: int):
        """A timer on this task (and its job and account); the one running stops first, asking about idle time
        past the firm's limit."""
        task = parse_id(task_id)
        if task is None:
            return None
        self.error = ""
        with shown_in(self, "error"):
            if not self._asked_about_idle(time.start_timer, task_id=task):
                self._load_rows()
                return rx.toast.success(_("Timer started."))
        return None

    def _task_deleted(self, task_id: int) -> None:
        if task_id == self.detail_id:
            self.detail_id = 0

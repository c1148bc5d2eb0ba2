"""Correcting and deleting one task from a list of them: the same two dialogs on the Tasks page and on a job's
page. A state mixin; the page's state says where a refusal is shown and what else a deletion closes."""
from __future__ import annotations

from typing import ClassVar

import reflex as rx

from practice.i18n import _
from practice.services.work import removal, tasks
from practice.state.base import STAFF, allow, read, shown_in, write_and_refresh
from practice.state.work_views import TaskForm, parse_id, task_changes, task_form


class TaskEditing(rx.State, mixin=True):
    # The field of the page's state that shows a refusal to open or delete a task.
    TASK_ERROR_FIELD: ClassVar[str] = "error"

    # A task being corrected in its dialog (id 0: none), and one about to be deleted.
    task_edit: TaskForm = TaskForm()
    task_edit_error: str = ""
    task_delete_id: int = 0
    task_delete_text: str = ""

    def _task_deleted(self, task_id: int) -> None:
        """What else the page closes when a task is deleted (nothing by default)."""

    @allow(STAFF)
    def edit_task(self, task_id: int):
        with shown_in(self, self.TASK_ERROR_FIELD):
            self.task_edit = task_form(read(tasks.get_task, self._require(), parse_id(task_id) or 0))
            self.task_edit_error = ""

    @allow(STAFF)
    def set_task_edit_open(self, value: bool):
        if not value:
            self.task_edit = TaskForm()

    @allow(STAFF)
    def save_task(self, form: dict):
        with shown_in(self, "task_edit_error"):
            fields = task_changes(form)
            if write_and_refresh(self, tasks.update_task, self.task_edit.id, shown="task_edit_error", **fields):
                self.task_edit = TaskForm()
                return rx.toast.success(_("Task saved."))

    @allow(STAFF)
    def ask_delete_task(self, task_id: int):
        task = parse_id(task_id) or 0
        with shown_in(self, self.TASK_ERROR_FIELD):
            self.task_delete_text = read(removal.task_removal, self._require(), task).sentence
            self.task_delete_id = task

    @allow(STAFF)
    def set_task_delete_open(self, value: bool):
        if not value:
            self.task_delete_id = 0

    @allow(STAFF)
    def confirm_delete_task(self):
        task, self.task_delete_id = self.task_delete_id, 0
        self._task_deleted(task)
        if write_and_refresh(self, removal.delete_task, task, shown=self.TASK_ERROR_FIELD):
            return rx.toast.success(_("Task deleted."))

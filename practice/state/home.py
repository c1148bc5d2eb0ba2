"""Home: what needs me today."""
from __future__ import annotations

from practice.services.work import tasks
from practice.state.base import STAFF, AppState, allow, read


class HomeState(AppState):
    open_tasks: int = 0

    @allow(STAFF)
    def load(self):
        self.open_tasks = read(tasks.count_open_tasks, self._require())

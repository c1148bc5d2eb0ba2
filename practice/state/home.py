"""Home: what needs me today."""
from __future__ import annotations

from practice.services.work import tasks
from practice.state.base import STAFF, AppState, allow, read


class HomeState(AppState):
    open_tasks: int = 0

    @allow(STAFF)
    def load(self):
        actor = self._actor()
        if actor is None:
            return
        n, _ = read(tasks.count_open_tasks, actor)
        self.open_tasks = n or 0

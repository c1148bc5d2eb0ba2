"""Automations, Set aside (owners and admins): the events whose automations kept failing, with why, a preview of
what a retry would do, and retry or dismiss."""
from __future__ import annotations

import dataclasses

from practice import routes
from practice.services import firm
from practice.services.automation import parked
from practice.services.formatting import format_datetime
from practice.state.base import ADMIN, STAFF, AppState, allow, read, shown_in, write_and_refresh
from practice.state.work_views import parse_id


@dataclasses.dataclass
class ParkedItem:
    id: int = 0
    trigger: str = ""
    reason: str = ""
    tries: int = 0
    when: str = ""
    job_name: str = ""
    job_href: str = ""
    account_name: str = ""
    account_href: str = ""
    dismissed_by: str = ""
    dismissed_when: str = ""


@dataclasses.dataclass
class PlannedRuleItem:
    rule: str = ""
    fires: bool = False
    why_not: str = ""
    actions: list[str] = dataclasses.field(default_factory=list)
    done_before: bool = False


def _items(session, actor, dismissed: bool) -> list[ParkedItem]:
    zone = firm.get_firm(session).timezone
    return [ParkedItem(
        id=p.id, trigger=p.trigger, reason=p.reason, tries=p.tries, when=format_datetime(p.parked_at, zone),
        job_name=p.job_name, job_href=routes.job_url(p.job_id) if p.job_id else "", account_name=p.account_name,
        account_href=routes.account_url(p.account_id) if p.account_id else "", dismissed_by=p.dismissed_by,
        dismissed_when=format_datetime(p.dismissed_at, zone) if p.dismissed_at else "")
        for p in parked.list_parked(session, actor, dismissed=dismissed)]


class ParkedState(AppState):
    allowed: bool = False
    items: list[ParkedItem] = []
    show_dismissed: bool = False
    error: str = ""
    done: str = ""
    preview_id: int = 0
    preview_trigger: str = ""
    preview_job: str = ""
    preview_rules: list[PlannedRuleItem] = []
    preview_problem: str = ""

    def _refresh(self):
        self.items = []
        with shown_in(self, "error"):
            self.items = read(_items, self._require(), self.show_dismissed)

    def _close_preview(self):
        self.preview_id, self.preview_rules = 0, []
        self.preview_trigger = self.preview_job = self.preview_problem = ""

    @allow(STAFF)
    def load(self):
        """Employees get the page's refusal sentence and no events at all."""
        self.allowed = self._require().is_admin
        self.error = self.done = ""
        self._close_preview()
        self.items = []
        if self.allowed:
            self._refresh()

    @allow(ADMIN)
    def set_show_dismissed(self, value: bool):
        self.show_dismissed = value is True
        self._close_preview()
        self._refresh()

    @allow(ADMIN)
    def preview(self, event_id: int):
        """Show what a retry of this event would do, with the rules as saved now."""
        self._close_preview()
        with shown_in(self, "error"):
            p = read(parked.preview_retry, self._require(), parse_id(event_id))
            self.preview_id, self.preview_trigger, self.preview_problem = p.event_id, p.trigger, p.problem
            self.preview_job = p.job_name or p.account_name
            self.preview_rules = [PlannedRuleItem(r.rule, r.fires, r.why_not, r.actions, r.done_before)
                                  for r in p.rules]

    @allow(ADMIN)
    def close_preview(self):
        self._close_preview()

    @allow(ADMIN)
    def retry(self, event_id: int):
        """Back in the queue now; the worker runs it at once (the list then shows whether it failed again)."""
        self.done = ""
        self._close_preview()
        if write_and_refresh(self, parked.retry_event, parse_id(event_id)):
            self.done = "retried"

    @allow(ADMIN)
    def dismiss(self, event_id: int):
        self.done = ""
        self._close_preview()
        if write_and_refresh(self, parked.dismiss_event, parse_id(event_id)):
            self.done = "dismissed"

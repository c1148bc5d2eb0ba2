"""The firm's audit log (admins): newest first, filtered by kind of thing and by member, paged by "Load older"."""
from __future__ import annotations

import dataclasses
from zoneinfo import ZoneInfo

from practice import routes
from practice.services import audit, firm
from practice.services.access import team
from practice.services.formatting import format_datetime
from practice.state.base import ADMIN, STAFF, AppState, allow, read, shown_in
from practice.state.views import Option

PAGE_SIZE = 50
# Things with a page of their own: the log links to them.
LINKS = {"account": routes.account_url, "job": routes.job_url}


@dataclasses.dataclass
class AuditItem:
    id: int = 0
    at: str = ""
    who: str = ""
    summary: str = ""
    entity: str = ""
    entity_label: str = ""
    entity_url: str = ""


def _item(row, zone: ZoneInfo) -> AuditItem:
    link = LINKS.get(row.entity)
    label = row.entity.replace("_", " ")
    if row.entity_id is not None:
        label = f"{label} #{row.entity_id}"
    return AuditItem(id=row.id, at=format_datetime(row.at, zone),
                     who=row.actor_label or "Automation", summary=row.summary, entity=row.entity,
                     entity_label=label,
                     entity_url=link(row.entity_id) if link and row.entity_id is not None else "")


def _page(session, actor, *, entity: str | None, actor_id: int | None, before_id: int | None):
    """One page of entries (and whether older ones exist), with times in the firm's zone."""
    rows = audit.firm_log(session, actor, entity=entity, actor_id=actor_id, before_id=before_id,
                          limit=PAGE_SIZE + 1)
    zone = ZoneInfo(firm.get_firm(session).timezone)
    return [_item(r, zone) for r in rows[:PAGE_SIZE]], len(rows) > PAGE_SIZE, zone.key


def _filters(session, actor):
    kinds = [Option(value=k, label=k.replace("_", " ")) for k in audit.logged_entities(session, actor)]
    members = [Option(value=str(m.id), label=m.name) for m in team.list_members(session, actor, include_inactive=True)]
    return kinds, members


class AuditState(AppState):
    allowed: bool = False
    entries: list[AuditItem] = []
    has_more: bool = False
    timezone: str = ""
    entity_filter: str = ""
    member_filter: str = ""
    kind_options: list[Option] = []
    member_options: list[Option] = []
    error: str = ""

    def _query(self, *, older: bool = False):
        before = self.entries[-1].id if older and self.entries else None
        member_id = int(self.member_filter) if self.member_filter else None
        with shown_in(self, "error"):
            rows, self.has_more, self.timezone = read(_page, self._require(), entity=self.entity_filter or None,
                                                      actor_id=member_id, before_id=before)
            self.entries = (self.entries + rows) if older else rows
            self.error = ""

    @allow(STAFF)
    def load(self):
        """Employees get the plain 'admins only' state and no entries at all."""
        actor = self._require()
        self.entries, self.has_more, self.error = [], False, ""
        self.allowed = actor.is_admin
        if not self.allowed:
            self.kind_options = self.member_options = []
            return
        with shown_in(self, "error"):
            self.kind_options, self.member_options = read(_filters, actor)
            self._query()

    @allow(ADMIN)
    def set_entity_filter(self, value: str):
        value = str(value or "")[:40]
        self.entity_filter = value if value in {o.value for o in self.kind_options} else ""
        self._query()

    @allow(ADMIN)
    def set_member_filter(self, value: str):
        value = str(value or "")
        self.member_filter = value if value in {o.value for o in self.member_options} else ""
        self._query()

    @allow(ADMIN)
    def load_older(self):
        self._query(older=True)

"""The firm's audit log (admins): newest first, filtered by kind of thing, person, account and days, paged by
"Load older", and exported as CSV."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice import routes
from practice.i18n import N_, _
from practice.services import audit, firm
from practice.services.access import team
from practice.services.actor import shown_actor
from practice.services.audit import LogFilter
from practice.services.errors import InvalidInput
from practice.services.formatting import format_datetime, relative_time
from practice.state.base import ADMIN, STAFF, AppState, allow, read, run, shown_in
from practice.state.views import Option
from practice.state.work_views import parse_date, parse_id

PAGE_SIZE = 50
# Things with a page of their own: the log links to them.
LINKS = {"account": routes.account_url, "job": routes.job_url}
# The person filter's choices besides the team's members.
OTHERS = [("clients", N_("Clients (portal)")), ("automation", N_("Automations and others"))]


@dataclasses.dataclass
class AuditItem:
    id: int = 0
    at: str = ""
    ago: str = ""
    who: str = ""
    via: str = ""  # "via API token X" for a write made through the REST API
    summary: str = ""
    kind: str = ""
    thing: str = ""
    thing_url: str = ""
    account: str = ""
    account_url: str = ""


def _items(session, rows, timezone: str) -> list[AuditItem]:
    things = audit.row_labels(session, rows)
    accounts = audit.labels(session, [("account", r.account_id) for r in rows if r.account_id is not None])
    items = []
    for r in rows:
        link = LINKS.get(r.entity)
        # The account is named beside the thing unless the thing is the account.
        account = accounts[("account", r.account_id)] if r.account_id is not None and r.entity != "account" else ""
        items.append(AuditItem(
            id=r.id, at=format_datetime(r.at, timezone), ago=relative_time(r.at, timezone),
            who=shown_actor(r.actor_label), via=audit.via(r), summary=r.summary, kind=audit.kind_word(r.entity), thing=things[r.id],
            thing_url=link(r.entity_id) if link and r.entity_id is not None else "", account=account,
            account_url=routes.account_url(r.account_id) if account else ""))
    return items


def _page(session, actor, where: LogFilter, before_id: int | None):
    """One page of entries (and whether older ones exist), with times in the firm's zone."""
    timezone = firm.get_firm(session).timezone
    rows = audit.firm_log(session, actor, where=where, before_id=before_id, limit=PAGE_SIZE + 1, timezone=timezone)
    return _items(session, rows[:PAGE_SIZE], timezone), len(rows) > PAGE_SIZE, timezone


def _filters(session, actor):
    kinds = [Option(value=k, label=audit.kind_word(k)) for k in audit.logged_entities(session, actor)]
    members = [Option(value=str(m.id), label=m.name) for m in team.list_members(session, actor, include_inactive=True)]
    accounts = [Option(value=str(i), label=name) for i, name in audit.logged_accounts(session, actor)]
    return kinds, members + [Option(value=v, label=_(label)) for v, label in OTHERS], accounts


def _export(session, actor, where: LogFilter) -> tuple[str, int]:
    """The filtered rows as CSV; the export itself is audited (after the rows are read, so it is not in them)."""
    text, count = audit.export_csv(session, actor, where, firm.get_firm(session).timezone)
    if not count:
        raise InvalidInput(_("Nothing matches these filters, so there is nothing to export."))
    audit.record(session, actor, "export", "audit_log", None, f"Exported {count} audit log entries as CSV")
    return text, count


class AuditState(AppState):
    allowed: bool = False
    entries: list[AuditItem] = []
    has_more: bool = False
    timezone: str = ""
    entity_filter: str = ""
    member_filter: str = ""
    account_filter: str = ""
    since: str = ""
    until: str = ""
    kind_options: list[Option] = []
    member_options: list[Option] = []
    account_options: list[Option] = []
    error: str = ""

    def _where(self) -> LogFilter:
        person = self.member_filter
        others = person if person in {v for v, _label in OTHERS} else None
        return LogFilter(entity=self.entity_filter or None, actor_id=None if others else parse_id(person),
                         others=others, account_id=parse_id(self.account_filter),
                         since=parse_date(self.since), until=parse_date(self.until))

    def _query(self, *, older: bool = False):
        before = self.entries[-1].id if older and self.entries else None
        with shown_in(self, "error"):
            rows, self.has_more, self.timezone = read(_page, self._require(), self._where(), before)
            self.entries = (self.entries + rows) if older else rows
            self.error = ""

    def _pick(self, var: str, value, options: list[Option]):
        value = str(value or "")[:40]
        setattr(self, var, value if value in {o.value for o in options} else "")
        self._query()

    @allow(STAFF)
    def load(self):
        """Employees get the plain 'admins only' state and no entries at all."""
        actor = self._require()
        self.entries, self.has_more, self.error = [], False, ""
        self.allowed = actor.is_admin
        if not self.allowed:
            self.kind_options = self.member_options = self.account_options = []
            return
        with shown_in(self, "error"):
            self.kind_options, self.member_options, self.account_options = read(_filters, actor)
            self._query()

    @allow(ADMIN)
    def set_entity_filter(self, value: str):
        self._pick("entity_filter", value, self.kind_options)

    @allow(ADMIN)
    def set_member_filter(self, value: str):
        self._pick("member_filter", value, self.member_options)

    @allow(ADMIN)
    def set_account_filter(self, value: str):
        self._pick("account_filter", value, self.account_options)

    @allow(ADMIN)
    def set_since(self, value: str):
        self.since = str(value or "")[:10]
        self._query()

    @allow(ADMIN)
    def set_until(self, value: str):
        self.until = str(value or "")[:10]
        self._query()

    @allow(ADMIN)
    def clear_filters(self):
        self.entity_filter = self.member_filter = self.account_filter = self.since = self.until = ""
        self._query()

    @allow(ADMIN)
    def load_older(self):
        self._query(older=True)

    @allow(ADMIN)
    def export_csv(self):
        """Download every entry the filters match (not only the pages shown) as a CSV file."""
        with shown_in(self, "error"):
            text, _ = run(_export, self._require(), self._where())
            self.error = ""
            return rx.download(data=text, filename="audit-log.csv", mime_type="text/csv")

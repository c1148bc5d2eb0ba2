"""The audit log: every write says who did it, to what (by name) and for which account; admins read the
firm's whole log, filter it and export it."""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from enum import Enum

from babel.numbers import format_decimal
from sqlalchemy import or_
from sqlmodel import Session, select

from practice.i18n import N_, _, babel_locale
from practice.models import (Account, AuditLog, Contact, Document, DocumentTemplate, EmailTemplate, FirmCertificate,
                             Folder, FolderTemplate, Invoice, Job, OrganizerTemplate, OutgoingMail, Pipeline, ProposalTemplate,
                             RuleRun, Service, Tag, Task, TeamMember, TimeEntry)
from practice.services.actor import Actor, contact_name, require_admin
from practice.services.errors import InvalidInput
from practice.services.formatting import format_datetime, zone

# What each kind of thing is called on the page.
KIND_WORDS = {
    "account": N_("Account"), "audit_log": N_("Audit log"), "contact": N_("Contact"), "job": N_("Job"), "task": N_("Task"),
    "team_member": N_("Team member"), "document": N_("Document"), "folder": N_("Folder"),
    "folder_template": N_("Folder template"), "document_template": N_("Document template"),
    "email_template": N_("Email template"), "proposal_template": N_("Proposal template"),
    "organizer_template": N_("Organizer template"), "pipeline": N_("Pipeline"),
    "tag": N_("Tag"), "service": N_("Service"), "certificate": N_("Sealing certificate"), "mail": N_("Email"),
    "mail_settings": N_("Email settings"), "signing_settings": N_("Signing settings"), "firm": N_("Firm settings"),
    "rules": N_("Rules"), "rule_run": N_("Automation run"), "event": N_("Automation event"),
    "handler": N_("Refused action"), "custom_field": N_("Custom field"), "invoice": N_("Invoice"),
    "time_entry": N_("Time entry"), "invoice_template": N_("Invoice template"),
    "recurring_invoice": N_("Recurring invoice"),
    "webhook": N_("Webhook"), "webhook_settings": N_("Webhook settings"), "payment_settings": N_("Payment settings"),
}


def _mail_name(m: OutgoingMail) -> str:
    return f"Email to {m.to_address}"


# Where each kind of thing keeps its name; the name is copied into the row when it is written, so a thing
# deleted later keeps the name it had.
_NAMES = {"account": (Account, lambda a: a.name), "contact": (Contact, contact_name), "job": (Job, lambda j: j.name),
          "task": (Task, lambda t: t.title), "team_member": (TeamMember, lambda m: m.name),
          "document": (Document, lambda d: d.name), "folder": (Folder, lambda f: f.name),
          "folder_template": (FolderTemplate, lambda t: t.name),
          "document_template": (DocumentTemplate, lambda t: t.name),
          "email_template": (EmailTemplate, lambda t: t.name), "proposal_template": (ProposalTemplate, lambda t: t.name),
          "organizer_template": (OrganizerTemplate, lambda t: t.name),
          "pipeline": (Pipeline, lambda p: p.name), "tag": (Tag, lambda t: t.name),
          "service": (Service, lambda s: s.name), "certificate": (FirmCertificate, lambda c: c.subject),
          "mail": (OutgoingMail, _mail_name), "rule_run": (RuleRun, lambda r: r.rule_name),
          "invoice": (Invoice, lambda i: f"Invoice {i.number}" if i.number is not None else "Draft invoice"),
          "time_entry": (TimeEntry, lambda e: f"Time on {e.work_date.isoformat()}")}
# Kinds of things that belong to one account: their rows carry it, so the account's filter finds them.
_OWNED = ("job", "task", "document", "folder", "invoice", "time_entry")
EXPORT_LIMIT = 20_000
CLIENT_SUFFIX = " (client)"  # how `actor.client_actor` names a contact


def kind_word(entity: str) -> str:
    return _(KIND_WORDS[entity]) if entity in KIND_WORDS else entity.replace("_", " ").capitalize()


def _thing(session: Session, entity: str, entity_id: int | None):
    named = _NAMES.get(entity)
    return session.get(named[0], entity_id) if named and entity_id is not None else None


def record(session: Session, actor: Actor, action: str, entity: str, entity_id: int | None,
           summary: str, *, account_id: int | None = None, entity_label: str | None = None, **detail) -> None:
    """Add an audit row to the caller's transaction, with the thing's name as it is now and its account."""
    thing = _thing(session, entity, entity_id)
    if entity_label is None:
        entity_label = _NAMES[entity][1](thing) if thing is not None else ""
    if account_id is None:
        account_id = entity_id if entity == "account" else (getattr(thing, "account_id", None)
                                                             if entity in _OWNED else None)
    session.add(AuditLog(actor_id=actor.member_id, actor_label=actor.name, action=action, entity=entity,
                         entity_id=entity_id, entity_label=(entity_label or "")[:300], account_id=account_id,
                         summary=summary, detail=detail, api_token_id=getattr(actor, "api_token_id", None),
                         api_token_label=getattr(actor, "api_token_label", "")))


def via(row: AuditLog) -> str:
    """"via API token X" for a write made through the REST API, "" for the others."""
    return _("via API token {name}").format(name=row.api_token_label) if row.api_token_label else ""


def french_change(before, after) -> str:
    """What an audit row says of a firm-written text's French version (its fields before and after a save):
    "written", "changed" or "removed" ("" when untouched)."""
    before = tuple(str(v or "").strip() for v in before)
    after = tuple(str(v or "").strip() for v in after)
    if before == after:
        return ""
    return "removed" if not any(after) else "written" if not any(before) else "changed"


@dataclasses.dataclass(frozen=True)
class LogFilter:
    """Which entries to list: a kind of thing, a person (a member id, or `others`: "clients" for what contacts
    did in the portal, "automation" for the rest), an account, and days (inclusive, on the firm's calendar)."""

    entity: str | None = None
    actor_id: int | None = None
    others: str | None = None
    account_id: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def _day_start(day: dt.date, timezone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zone(timezone)).astimezone(dt.timezone.utc)


def _filtered(stmt, f: LogFilter, timezone: str):
    if f.since and f.until and f.since > f.until:
        raise InvalidInput(_("The first day comes after the last one; swap them."), field="since")
    if f.entity:
        stmt = stmt.where(AuditLog.entity == f.entity)
    if f.others:
        by_client = AuditLog.actor_label.like(f"%{CLIENT_SUFFIX}")
        stmt = stmt.where(AuditLog.actor_id.is_(None), by_client if f.others == "clients" else ~by_client)
    elif f.actor_id is not None:
        stmt = stmt.where(AuditLog.actor_id == f.actor_id)
    if f.account_id is not None:
        stmt = stmt.where(AuditLog.account_id == f.account_id)
    if f.since:
        stmt = stmt.where(AuditLog.at >= _day_start(f.since, timezone))
    if f.until:
        stmt = stmt.where(AuditLog.at < _day_start(f.until + dt.timedelta(days=1), timezone))
    return stmt


def shown_value(value) -> str:
    """How a changed value reads in the log: quoted text, a date with its year, "none" for nothing."""
    if isinstance(value, Enum):
        return str(value.value)
    if value is None or value == "":
        return "none"
    if isinstance(value, dt.date):
        return value.strftime("%b %-d, %Y")
    if isinstance(value, str):
        text = " ".join(value.split())
        return f'"{text[:77]}…"' if len(text) > 80 else f'"{text}"'
    return str(value)


def record_changes(session: Session, actor: Actor, entity: str, entity_id: int | None, subject: str,
                   before: dict, after: dict, labels: dict[str, str] | None = None, **detail) -> bool:
    """Add one audit row naming `subject` and each changed field as old → new; nothing when nothing changed.
    `labels` gives a field the words people know it by ("first_name" → "first name")."""
    changed = {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
    if not changed:
        return False
    words = labels or {}
    parts = [f"{words.get(k, k.replace('_', ' '))} {shown_value(old)} → {shown_value(new)}"
             for k, (old, new) in changed.items()]
    record(session, actor, "update", entity, entity_id, f"{subject}: " + "; ".join(parts),
           changes={k: [shown_value(old), shown_value(new)] for k, (old, new) in changed.items()}, **detail)
    return True


def firm_log(session: Session, actor: Actor, *, entity: str | None = None, actor_id: int | None = None,
             before_id: int | None = None, limit: int = 50, where: LogFilter | None = None,
             timezone: str = "UTC") -> list[AuditLog]:
    """The firm's whole audit log, newest first, for admins; `before_id` pages to older entries."""
    require_admin(actor)
    where = where or LogFilter(entity=entity, actor_id=actor_id)
    stmt = _filtered(select(AuditLog), where, timezone).order_by(AuditLog.id.desc()).limit(max(1, min(limit, 500)))
    if before_id is not None:
        stmt = stmt.where(AuditLog.id < before_id)
    return list(session.exec(stmt))


def logged_entities(session: Session, actor: Actor) -> list[str]:
    """The kinds of things the audit log mentions (for its filter), for admins."""
    require_admin(actor)
    return sorted(session.exec(select(AuditLog.entity).distinct()))


def logged_accounts(session: Session, actor: Actor) -> list[tuple[int, str]]:
    """(id, name) of the accounts the log mentions, by name, for its filter; a deleted one keeps its logged name."""
    require_admin(actor)
    ids = set(session.exec(select(AuditLog.account_id).where(AuditLog.account_id.is_not(None)).distinct()))
    names = labels(session, [("account", i) for i in ids])
    return sorted(((i, names[("account", i)]) for i in ids), key=lambda pair: (pair[1].casefold(), pair[0]))


def labels(session: Session, things: list[tuple[str, int | None]]) -> dict[tuple[str, int | None], str]:
    """Today's name of each (kind, id), for rows written before names were kept; a thing that is gone is
    "a deleted account" (one query per kind)."""
    wanted: dict[str, set[int]] = {}
    for entity, entity_id in things:
        if entity_id is not None:
            wanted.setdefault(entity, set()).add(entity_id)
    found: dict[tuple[str, int | None], str] = {}
    for entity, ids in wanted.items():
        named = _NAMES.get(entity)
        rows = session.exec(select(named[0]).where(named[0].id.in_(ids))).all() if named else []
        for row in rows:
            found[(entity, row.id)] = named[1](row)
    # A logged name (kept in any row about that thing) beats "deleted" for things gone since.
    missing = [(e, i) for e, i in things if i is not None and (e, i) not in found]
    if missing:
        kept = session.exec(select(AuditLog.entity, AuditLog.entity_id, AuditLog.entity_label).where(
            or_(*[(AuditLog.entity == e) & (AuditLog.entity_id == i) for e, i in set(missing)]),
            AuditLog.entity_label != "").order_by(AuditLog.id)).all()
        for entity, entity_id, label in kept:
            found[(entity, entity_id)] = label
    # Settings and other things without a name of their own read as their kind ("Firm settings", "Rules").
    return {key: found.get(key) or (f"a deleted {kind_word(key[0]).lower()}" if key[1] is not None
                                    and key[0] in _NAMES else kind_word(key[0])) for key in things}


def row_labels(session: Session, rows: list[AuditLog]) -> dict[int, str]:
    """Each row's thing by name: the name kept in the row, else today's name, else "a deleted …"."""
    names = labels(session, [(r.entity, r.entity_id) for r in rows if not r.entity_label])
    return {r.id: r.entity_label or names[(r.entity, r.entity_id)] for r in rows}


def export_csv(session: Session, actor: Actor, where: LogFilter, timezone: str) -> tuple[str, int]:
    """(CSV text, row count) of every entry the filter matches, newest first, with times on the firm's clock;
    admins only. Past EXPORT_LIMIT rows it asks for a narrower filter."""
    require_admin(actor)
    rows = list(session.exec(_filtered(select(AuditLog), where, timezone).order_by(AuditLog.id.desc())
                             .limit(EXPORT_LIMIT + 1)))
    if len(rows) > EXPORT_LIMIT:
        raise InvalidInput(_("More than {limit} entries match; choose fewer days or a narrower filter.")
                           .format(limit=format_decimal(EXPORT_LIMIT, locale=babel_locale())),
                           field="since")
    things = row_labels(session, rows)
    accounts = labels(session, [("account", r.account_id) for r in rows if r.account_id is not None])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["When", "Who", "What", "Kind", "Thing", "Account"])
    for r in rows:
        account = accounts[("account", r.account_id)] if r.account_id is not None else ""
        writer.writerow([format_datetime(r.at, timezone)] + [_safe_cell(text) for text in (
            " ".join(filter(None, (r.actor_label or "Automation", via(r)))), r.summary, kind_word(r.entity), things[r.id], account)])
    return out.getvalue(), len(rows)


def _safe_cell(text: str) -> str:
    """A spreadsheet never runs a cell as a formula: text starting like one gets a leading apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

"""What importing a CSV file of clients would do, checked against the database: which accounts exist
already (and which the person may not see), which tags are new, and each row's problem."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from practice.models import Account, AccountType, Tag
from practice.services.actor import Actor, account_visible
from practice.services.work.csv_file import (ParsedRow, Preview, RowError, check_mapping, count_of, detect_mapping,
                                             header_errors, parse_rows, preview_of, read_file)


@dataclass
class Review:
    """What an import of this file would do, and what is wrong with it."""

    preview: Preview
    errors: list[RowError]
    new_accounts: int
    existing_accounts: list[str]
    contacts: int
    new_tags: list[str]
    bad_lines: int
    good_rows: int
    unnamed_contacts: int = 0

    @property
    def summary(self) -> str:
        parts = [f"{self.good_rows} of {count_of(self.preview.row_count, 'row')} can be imported: "
                 f"{count_of(self.new_accounts, 'new account')}, {count_of(self.contacts, 'contact')}."]
        if self.existing_accounts:
            names = ", ".join(f'"{n}"' for n in self.existing_accounts[:5])
            more = f" and {len(self.existing_accounts) - 5} more" if len(self.existing_accounts) > 5 else ""
            n = len(self.existing_accounts)
            parts.append(f"{count_of(n, 'account')} already {'exists' if n == 1 else 'exist'} ({names}{more}): "
                         "contacts and tags are added to them; their type and notes stay as they are.")
        if self.unnamed_contacts:
            parts.append(f"{count_of(self.unnamed_contacts, 'contact')} with an email, phone or address but no "
                         "name will be named after their account.")
        if self.new_tags:
            parts.append("New tags will be created: " + ", ".join(self.new_tags) + ".")
        if self.bad_lines:
            parts.append(f"{count_of(self.bad_lines, 'row')} {'has' if self.bad_lines == 1 else 'have'} errors.")
        return " ".join(parts)


@dataclass
class PlannedAccount:
    """One account of the file with everything its rows bring (an existing account keeps its type and notes)."""

    name: str
    type: AccountType
    notes: list[str]
    tags: list[str]
    contacts: list[dict[str, str]]
    lines: list[int]
    existing_id: int | None = None
    existing_name: str = ""  # as the firm already spells it
    unnamed_contacts: int = 0


@dataclass
class Plan:
    """The whole file planned: its accounts, the rows' errors and the tags to create."""

    preview: Preview
    accounts: list[PlannedAccount]
    errors: list[RowError]
    new_tags: list[str]
    tag_ids: dict[str, int]  # lower-case name -> id, existing tags
    rows: int


def chunks(items: list, size: int = 500):
    """The items in slices small enough for one SQL `IN (...)`."""
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _existing_accounts(session: Session, actor: Actor,
                       rows: list[ParsedRow]) -> tuple[dict[str, tuple[int, str]], set[str]]:
    """Accounts that already exist (by lower-case name: id and name as the firm spells it), and the
    lower-case names of those the actor may not see."""
    names = sorted({r.account.lower() for r in rows})
    existing: dict[str, tuple[int, str]] = {}
    for part in chunks(names):
        for account_id, name, archived in session.execute(
                select(Account.id, Account.name, Account.archived).where(func.lower(Account.name).in_(part))
                .order_by(Account.archived, Account.id)):
            # A live account wins over an archived one of the same name (archived ones sort last).
            existing.setdefault(name.lower(), (account_id, name + (" (archived)" if archived else "")))
    visible = account_visible(actor, Account.id)
    if visible is None or not existing:
        return existing, set()
    ids = [v[0] for v in existing.values()]
    seen = {i for part in chunks(ids) for i in session.execute(
        select(Account.id).where(Account.id.in_(part), visible)).scalars()}
    return existing, {key for key, (account_id, _) in existing.items() if account_id not in seen}


def _tags(session: Session, rows: list[ParsedRow]) -> tuple[dict[str, int], list[str]]:
    """The rows' tags that exist (lower-case name -> id) and the names of those that do not."""
    tag_names = sorted({t.lower(): t for r in rows for t in r.tags}.items())
    tag_ids: dict[str, int] = {}
    for part in chunks([k for k, _ in tag_names]):
        for tag_id, name in session.execute(select(Tag.id, Tag.name).where(func.lower(Tag.name).in_(part))):
            tag_ids[name.lower()] = tag_id
    return tag_ids, [name for key, name in tag_names if key not in tag_ids]


def _refusal(row: ParsedRow, actor: Actor, existing: dict[str, tuple[int, str]], hidden: set[str],
             tag_ids: dict[str, int]) -> RowError | None:
    """Why the actor may not import this row (an account it may not see, a tag only admins may create)."""
    key = row.account.lower()
    if key in hidden:
        return RowError(row.line, f'Line {row.line}: an account named "{existing[key][1]}" already exists '
                                  "and you do not have access to it; ask an admin to add you to its team.")
    unknown = [t for t in row.tags if t.lower() not in tag_ids]
    if unknown and not actor.is_admin:
        listed = ", ".join(f'"{t}"' for t in unknown)
        return RowError(row.line, f"Line {row.line}: the tag{'s' if len(unknown) > 1 else ''} {listed} "
                                  f"{'do' if len(unknown) > 1 else 'does'} not exist, and only the owner "
                                  "or an admin can create tags; ask one to create it, or remove it from the file.")
    return None


def _group(rows: list[ParsedRow], existing: dict[str, tuple[int, str]]) -> list[PlannedAccount]:
    """The rows gathered by account (same name, any case), in the order the file names them first."""
    planned: dict[str, PlannedAccount] = {}
    for row in rows:
        key = row.account.lower()
        plan = planned.get(key)
        if plan is None:
            plan = planned[key] = PlannedAccount(row.account, row.type or AccountType.individual, [], [], [], [],
                                                 *existing.get(key, (None, "")))
        if row.type is not None:
            plan.type = row.type
        if row.notes and row.notes not in plan.notes:
            plan.notes.append(row.notes)
        for tag in row.tags:
            if tag.lower() not in (t.lower() for t in plan.tags):
                plan.tags.append(tag)
        if row.contact is not None:
            plan.contacts.append(row.contact)
            plan.unnamed_contacts += row.unnamed_contact
        plan.lines.append(row.line)
    return list(planned.values())


def plan_import(session: Session, actor: Actor, data: bytes, mapping: dict[str, int] | None) -> Plan:
    """Read the file and plan its import for this actor, writing nothing."""
    f = read_file(data)
    mapping = detect_mapping(f.header) if mapping is None else check_mapping(mapping, len(f.header))
    pv = preview_of(f, mapping)
    bad_header = header_errors(mapping)
    if bad_header:
        return Plan(pv, [], bad_header, [], {}, 0)
    rows, errors = parse_rows(f.rows, mapping, len(f.header))
    existing, hidden = _existing_accounts(session, actor, rows)
    tag_ids, new_tags = _tags(session, rows)
    kept: list[ParsedRow] = []
    for row in rows:
        refusal = _refusal(row, actor, existing, hidden, tag_ids)
        if refusal is None:
            kept.append(row)
        else:
            errors.append(refusal)
    errors.sort(key=lambda e: e.line)
    return Plan(pv, _group(kept, existing), errors, new_tags if actor.is_admin else [], tag_ids, len(kept))


def review(session: Session, actor: Actor, data: bytes, mapping: dict[str, int] | None = None) -> Review:
    """Preview the file and check every row against the mapping and the database, writing nothing."""
    plan = plan_import(session, actor, data, mapping)
    return Review(preview=plan.preview, errors=plan.errors,
                  new_accounts=sum(1 for a in plan.accounts if a.existing_id is None),
                  existing_accounts=[a.existing_name for a in plan.accounts if a.existing_id is not None],
                  contacts=sum(len(a.contacts) for a in plan.accounts), new_tags=plan.new_tags,
                  bad_lines=len({e.line for e in plan.errors}), good_rows=plan.rows,
                  unnamed_contacts=sum(a.unnamed_contacts for a in plan.accounts))

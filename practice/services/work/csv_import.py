"""Import accounts and contacts from a CSV file exported by another system (TaxDome, Karbon, QuickBooks...).

Three steps, each usable alone: `preview` reads the file (encoding, delimiter, header, column
mapping); `review` checks every row against the mapping and the database and says what an import
would do; `import_rows` writes it all in one transaction with Core bulk inserts, or nothing at all
when a row is bad and the user did not choose to skip bad rows.

Rows are numbered as lines of the file (the header is line 1), so a person can find them in a
spreadsheet. Several rows with the same account name make one account with several contacts.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

from sqlalchemy import func, insert, select
from sqlmodel import Session

from practice.models import Account, AccountContact, AccountTag, AccountTeam, AccountType, Contact, Tag, utcnow
from practice.services import audit
from practice.services.actor import Actor, account_visible
from practice.services.errors import InvalidInput
from practice.services.access.team import check_email

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
PREVIEW_ROWS = 10
CHUNK_ROWS = 250
MAX_NAME = 200
MAX_TAG = 50
DEFAULT_TAG_COLOR = "#6b7280"

# The fields a column can fill, in the order the mapping is shown; the label is what people read.
FIELDS: dict[str, str] = {
    "account_name": "Account name",
    "account_type": "Account type",
    "tags": "Tags",
    "notes": "Notes",
    "first_name": "First name",
    "last_name": "Last name",
    "contact_name": "Contact full name",
    "email": "Email",
    "phone": "Phone",
    "street": "Street",
    "city": "City",
    "region": "State/Region",
    "postal_code": "ZIP/Postal code",
    "country": "Country",
}
CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "street", "city", "region", "postal_code", "country")

# Header spellings seen in exports, normalised by `_norm` (lower case, punctuation as spaces).
_ALIASES: dict[str, tuple[str, ...]] = {
    "account_name": ("account name", "account", "client name", "client", "company", "company name", "business name",
                     "organization", "organisation", "customer", "customer name", "display name"),
    "account_type": ("account type", "type", "client type", "entity type", "customer type"),
    "tags": ("tags", "tag", "labels", "account tags"),
    "notes": ("notes", "note", "comments", "comment", "description"),
    "first_name": ("first name", "firstname", "given name", "contact first name", "first"),
    "last_name": ("last name", "lastname", "surname", "family name", "contact last name", "last"),
    "contact_name": ("contact name", "full name", "contact", "primary contact", "contact full name"),
    "email": ("email", "e mail", "email address", "e mail address", "primary email", "contact email"),
    "phone": ("phone", "phone number", "telephone", "mobile", "cell", "primary phone", "contact phone"),
    "street": ("street", "address", "street address", "address line 1", "address 1", "billing address",
               "billing street", "mailing address"),
    "city": ("city", "town", "billing city"),
    "region": ("state", "region", "state region", "province", "state province", "billing state"),
    "postal_code": ("zip", "zip code", "zipcode", "postal code", "postcode", "zip postal code", "billing zip"),
    "country": ("country", "billing country"),
}
ALIASES: dict[str, str] = {alias: key for key, names in _ALIASES.items() for alias in names}

# Account types as other systems spell them.
_TYPE_WORDS: dict[str, AccountType] = {
    "individual": AccountType.individual, "person": AccountType.individual, "personal": AccountType.individual,
    "family": AccountType.family, "household": AccountType.family, "joint": AccountType.family,
    "company": AccountType.company, "business": AccountType.company, "corporation": AccountType.company,
    "llc": AccountType.company, "partnership": AccountType.company, "s corp": AccountType.company,
    "c corp": AccountType.company,
    "nonprofit": AccountType.nonprofit, "non profit": AccountType.nonprofit,
    "not for profit": AccountType.nonprofit, "charity": AccountType.nonprofit,
    "trust": AccountType.trust, "estate": AccountType.trust,
}
_SPLIT_LIST = re.compile(r"[;,]")


def count_of(n: int, singular: str, plural: str | None = None) -> str:
    """"1 row", "2 rows": a count with its noun agreeing."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def _norm(header: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", header.lower()).split())


@dataclass
class RowError:
    """A problem with one line of the file (line 1 is the header)."""

    line: int
    message: str


@dataclass
class Preview:
    """What the file looks like: its columns, how they map to fields, and its first rows."""

    columns: list[str]
    mapping: dict[str, int]  # field key -> column index
    unknown_columns: list[str]
    row_count: int
    first_rows: list[list[str]]
    delimiter: str
    first_lines: list[int] = field(default_factory=list)  # line of the file where each first row starts
    encoding_note: str = ""


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
class ImportResult:
    created_accounts: int
    updated_accounts: int
    created_contacts: int
    skipped: list[RowError] = field(default_factory=list)
    created_tags: list[str] = field(default_factory=list)
    unchanged_contacts: int = 0


@dataclass
class _File:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line of the file where the row starts, cells)
    delimiter: str
    note: str


# --- reading the file --------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in this code page; it decodes every byte but five.
        return data.decode("cp1252", errors="replace"), (
            "The file is not UTF-8, so it was read as Windows-1252 (Excel's usual encoding); check that accented "
            "names look right below, or save the file as “CSV UTF-8” and upload it again.")


def _sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever the header line (outside quotes) uses most."""
    first = text.split("\n", 1)[0]
    outside = re.sub(r'"[^"]*"', "", first)
    counts = {d: outside.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read(data: bytes) -> _File:
    if not data:
        raise InvalidInput("The file is empty. Export your clients as CSV and upload that file.")
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"The file is larger than {MAX_BYTES // 1024 // 1024} MB, the limit for one import. "
                           "Split it into smaller files and import them one after the other.")
    text, note = _decode(data)
    if "\x00" in text:
        raise InvalidInput("This does not look like a CSV file (it has binary content). Export your clients as CSV.")
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip() for c in cells]
                continue
            rows.append((line, cells))
            if len(rows) > MAX_ROWS:
                raise InvalidInput(f"The file has more than {MAX_ROWS:,} rows; split it into smaller files and "
                                   "import them one after the other.")
    except csv.Error as err:
        raise InvalidInput(f"Line {reader.line_num} of the file cannot be read as CSV ({err}). "
                           "Check for a stray quote mark.") from None
    if header is None:
        raise InvalidInput("The file is empty. Export your clients as CSV and upload that file.")
    return _File(header, rows, delimiter, note)


def rows_of(data: bytes) -> list[tuple[int, list[str]]]:
    """The file's rows after the header, each with the line of the file where it starts."""
    return _read(data).rows


def detect_mapping(header: list[str]) -> dict[str, int]:
    """Which column fills which field, from the column names (first match wins)."""
    mapping: dict[str, int] = {}
    for index, name in enumerate(header):
        key = ALIASES.get(_norm(name))
        if key and key not in mapping:
            mapping[key] = index
    return mapping


def preview(data: bytes) -> Preview:
    """Read the file: columns, detected mapping, row count, first rows and columns that will be ignored."""
    f = _read(data)
    return _preview_of(f, detect_mapping(f.header))


def _preview_of(f: _File, mapping: dict[str, int]) -> Preview:
    used = set(mapping.values())
    return Preview(columns=f.header, mapping=mapping,
                   unknown_columns=[c for i, c in enumerate(f.header) if i not in used and c],
                   row_count=len(f.rows), first_rows=[cells for _, cells in f.rows[:PREVIEW_ROWS]],
                   delimiter=f.delimiter, encoding_note=f.note, first_lines=[n for n, _ in f.rows[:PREVIEW_ROWS]])


def check_mapping(mapping: dict[str, int], columns: int) -> dict[str, int]:
    """A mapping from the user, kept to known fields and existing columns, each column used once."""
    clean: dict[str, int] = {}
    seen: dict[int, str] = {}
    for key, index in mapping.items():
        if key not in FIELDS:
            raise InvalidInput(f'"{key}" is not a field an import can fill.')
        try:
            index = int(index)
        except (TypeError, ValueError):
            raise InvalidInput(f"Pick a column for {FIELDS[key]}.") from None
        if not 0 <= index < columns:
            raise InvalidInput(f"The file has no column {index + 1} for {FIELDS[key]}.")
        if index in seen:
            raise InvalidInput(f"Column {index + 1} is chosen for both {FIELDS[seen[index]]} and {FIELDS[key]}; "
                               "pick one.")
        seen[index] = key
        clean[key] = index
    return clean


# --- checking rows -----------------------------------------------------------------------


@dataclass
class _Row:
    line: int
    account: str
    type: AccountType | None
    tags: list[str]
    notes: str
    contact: dict[str, str] | None
    unnamed_contact: bool = False


def _account_type(value: str) -> AccountType | None:
    word = _norm(value)
    if word in _TYPE_WORDS:
        return _TYPE_WORDS[word]
    raise InvalidInput(f'"{value}" is not an account type; use one of {", ".join(t.value for t in AccountType)}.')


def _parse_row(line: int, cells: list[str], mapping: dict[str, int], width: int) -> _Row:
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        raise InvalidInput(f"it has {len(cells)} cells but the header has {width} columns; "
                           "check for a missing quote around a value with a comma.")

    def cell(key: str) -> str:
        index = mapping.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    account = " ".join(cell("account_name").split())
    if not account:
        raise InvalidInput("the account name is missing.")
    if len(account) > MAX_NAME:
        raise InvalidInput(f"the account name is longer than {MAX_NAME} characters.")
    kind = _account_type(cell("account_type")) if cell("account_type") else None
    tags = []
    for name in _SPLIT_LIST.split(cell("tags")):
        name = " ".join(name.split())
        if name and name.lower() not in (t.lower() for t in tags):
            if len(name) > MAX_TAG:
                raise InvalidInput(f'the tag "{name[:20]}…" is longer than {MAX_TAG} characters.')
            tags.append(name)
    contact = {key: cell(key) for key in CONTACT_FIELDS}
    if cell("contact_name") and not (contact["first_name"] or contact["last_name"]):
        first, _, last = cell("contact_name").rpartition(" ")
        contact["first_name"], contact["last_name"] = (first, last) if first else ("", last)
    emails = [e.strip() for e in _SPLIT_LIST.split(contact["email"]) if e.strip()]
    for email in emails:
        check_email(email)  # its sentence names the bad address
    contact["email"] = emails[0].lower() if emails else ""
    contact["other_emails"] = "\n".join(e.lower() for e in emails[1:])
    unnamed = False
    if not (contact["first_name"] or contact["last_name"]):
        if any(contact[k] for k in CONTACT_FIELDS):
            # Company exports often carry an email or phone with no person's name: keep them on a
            # contact named after the account rather than refuse the row.
            contact["last_name"], unnamed = account, True
        else:
            contact = None
    return _Row(line, account, kind, tags, cell("notes"), contact, unnamed)


def _parse_rows(rows: Iterable[tuple[int, list[str]]], mapping: dict[str, int],
                width: int) -> tuple[list[_Row], list[RowError]]:
    good: list[_Row] = []
    errors: list[RowError] = []
    types: dict[str, tuple[AccountType, int]] = {}
    for line, cells in rows:
        try:
            row = _parse_row(line, cells, mapping, width)
        except InvalidInput as err:
            errors.append(RowError(line, f"Line {line}: {err}"))
            continue
        key = row.account.lower()
        if row.type is not None:
            earlier = types.get(key)
            if earlier and earlier[0] != row.type:
                errors.append(RowError(line, f'Line {line}: the account "{row.account}" is a {row.type.value} here '
                                             f"but a {earlier[0].value} on line {earlier[1]}; make them agree."))
                continue
            types.setdefault(key, (row.type, line))
        good.append(row)
    return good, errors


def _header_errors(mapping: dict[str, int]) -> list[RowError]:
    if "account_name" not in mapping:
        return [RowError(1, "Line 1: no column holds the account name (for example \"Account name\", "
                            "\"Client name\" or \"Company\"); choose which column does.")]
    return []


def validate(rows: list[tuple[int, list[str]]], mapping: dict[str, int], width: int | None = None) -> list[RowError]:
    """Every problem in the rows, one sentence per line of the file (line 1 is the header); `width` is the
    header's number of columns (rows with more non-blank cells are refused)."""
    header = _header_errors(mapping)
    if header:
        return header
    width = width if width is not None else max((len(c) for _, c in rows), default=0)
    return _parse_rows(rows, mapping, width)[1]


# --- planning against the database ---------------------------------------------------------


@dataclass
class _Planned:
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
class _Plan:
    preview: Preview
    accounts: list[_Planned]
    errors: list[RowError]
    new_tags: list[str]
    tag_ids: dict[str, int]  # lower-case name -> id, existing tags
    rows: int


def _chunks(items: list, size: int = 500):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _plan(session: Session, actor: Actor, data: bytes, mapping: dict[str, int] | None) -> _Plan:
    f = _read(data)
    mapping = detect_mapping(f.header) if mapping is None else check_mapping(mapping, len(f.header))
    pv = _preview_of(f, mapping)
    header_errors = _header_errors(mapping)
    if header_errors:
        return _Plan(pv, [], header_errors, [], {}, 0)
    rows, errors = _parse_rows(f.rows, mapping, len(f.header))

    # Accounts that already exist (case-insensitive name): contacts are attached to them.
    names = sorted({r.account.lower() for r in rows})
    existing: dict[str, tuple[int, str]] = {}
    for part in _chunks(names):
        for account_id, name, archived in session.execute(
                select(Account.id, Account.name, Account.archived).where(func.lower(Account.name).in_(part))
                .order_by(Account.archived, Account.id)):
            # A live account wins over an archived one of the same name (archived ones sort last).
            existing.setdefault(name.lower(), (account_id, name + (" (archived)" if archived else "")))
    hidden: set[str] = set()
    visible = account_visible(actor, Account.id)
    if visible is not None and existing:
        ids = [v[0] for v in existing.values()]
        seen = {i for part in _chunks(ids) for i in session.execute(
            select(Account.id).where(Account.id.in_(part), visible)).scalars()}
        hidden = {key for key, (account_id, _) in existing.items() if account_id not in seen}

    tag_names = sorted({t.lower(): t for r in rows for t in r.tags}.items())
    tag_ids: dict[str, int] = {}
    for part in _chunks([k for k, _ in tag_names]):
        for tag_id, name in session.execute(select(Tag.id, Tag.name).where(func.lower(Tag.name).in_(part))):
            tag_ids[name.lower()] = tag_id
    new_tags = [name for key, name in tag_names if key not in tag_ids]

    kept: list[_Row] = []
    for row in rows:
        key = row.account.lower()
        if key in hidden:
            errors.append(RowError(row.line, f'Line {row.line}: an account named "{existing[key][1]}" already exists '
                                             "and you do not have access to it; ask an admin to add you to its team."))
            continue
        unknown = [t for t in row.tags if t.lower() not in tag_ids]
        if unknown and not actor.is_admin:
            listed = ", ".join(f'"{t}"' for t in unknown)
            errors.append(RowError(row.line, f"Line {row.line}: the tag{'s' if len(unknown) > 1 else ''} {listed} "
                                             f"{'do' if len(unknown) > 1 else 'does'} not exist, and only the owner "
                                             "or an admin can create tags; ask one to create it, or remove it "
                                             "from the file."))
            continue
        kept.append(row)
    if not actor.is_admin:
        new_tags = []
    errors.sort(key=lambda e: e.line)

    planned: dict[str, _Planned] = {}
    for row in kept:
        key = row.account.lower()
        plan = planned.get(key)
        if plan is None:
            plan = planned[key] = _Planned(row.account, row.type or AccountType.individual, [], [], [], [],
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
    return _Plan(pv, list(planned.values()), errors, new_tags, tag_ids, len(kept))


def review(session: Session, actor: Actor, data: bytes, mapping: dict[str, int] | None = None) -> Review:
    """Preview the file and check every row against the mapping and the database, writing nothing."""
    plan = _plan(session, actor, data, mapping)
    return Review(preview=plan.preview, errors=plan.errors,
                  new_accounts=sum(1 for a in plan.accounts if a.existing_id is None),
                  existing_accounts=[a.existing_name for a in plan.accounts if a.existing_id is not None],
                  contacts=sum(len(a.contacts) for a in plan.accounts), new_tags=plan.new_tags,
                  bad_lines=len({e.line for e in plan.errors}), good_rows=plan.rows,
                  unnamed_contacts=sum(a.unnamed_contacts for a in plan.accounts))


# --- importing -----------------------------------------------------------------------------


def _contact_key(c: dict[str, str]) -> tuple[str, str, str]:
    return (c.get("first_name", "").lower(), c.get("last_name", "").lower(), c.get("email", "").lower())


def import_rows(session: Session, actor: Actor, data: bytes, mapping: dict[str, int] | None = None, *,
                skip_bad_rows: bool = False, progress: Callable[[int, int], None] | None = None,
                file_name: str = "") -> ImportResult:
    """Import the file in the caller's write transaction: everything, or nothing when a row is bad and
    `skip_bad_rows` is False. Any staff member may import; an employee's new accounts put it on their team."""
    plan = _plan(session, actor, data, mapping)
    header_errors = [e for e in plan.errors if e.line == 1]
    if header_errors:
        raise InvalidInput(header_errors[0].message)
    if plan.errors and not skip_bad_rows:
        first = plan.errors[0].message
        more = len({e.line for e in plan.errors}) - 1
        others = f" ({count_of(more, 'more row has', 'more rows have')} errors.)" if more else ""
        raise InvalidInput(f"Nothing was imported: {first}{others} Fix the file, or choose to skip rows with errors.")
    if not plan.accounts:
        raise InvalidInput("Nothing to import: the file has no rows that can be imported.")

    now = utcnow()
    total = plan.rows
    tag_ids = dict(plan.tag_ids)
    if plan.new_tags:
        result = session.execute(insert(Tag).returning(Tag.id, Tag.name, sort_by_parameter_order=True),
                                 [{"name": name, "color": DEFAULT_TAG_COLOR} for name in plan.new_tags])
        tag_ids.update({name.lower(): tag_id for tag_id, name in result})

    # Contacts already on existing accounts, so importing the same file twice adds nobody twice.
    existing_ids = [a.existing_id for a in plan.accounts if a.existing_id is not None]
    known: dict[int, set] = {i: set() for i in existing_ids}
    known_tags: dict[int, set] = {i: set() for i in existing_ids}
    for part in _chunks(existing_ids):
        for account_id, first, last, email in session.execute(
                select(AccountContact.account_id, Contact.first_name, Contact.last_name, Contact.email)
                .join(Contact, Contact.id == AccountContact.contact_id).where(AccountContact.account_id.in_(part))):
            known[account_id].add((first.lower(), last.lower(), email.lower()))
        for account_id, tag_id in session.execute(
                select(AccountTag.account_id, AccountTag.tag_id).where(AccountTag.account_id.in_(part))):
            known_tags[account_id].add(tag_id)

    created_accounts = created_contacts = unchanged = 0
    updated: set[int] = set()
    on_team = actor.member_id is not None and not actor.sees_all_accounts
    done = 0
    batch: list[_Planned] = []
    batch_rows = 0

    def flush(batch: list[_Planned]) -> None:
        nonlocal created_accounts, created_contacts, unchanged
        new = [a for a in batch if a.existing_id is None]
        if new:
            result = session.execute(
                insert(Account).returning(Account.id, sort_by_parameter_order=True),
                [{"name": a.name, "type": a.type, "notes": "\n".join(a.notes), "archived": False, "created_at": now}
                 for a in new])
            for a, account_id in zip(new, result.scalars()):
                a.existing_id = account_id
                known[account_id], known_tags[account_id] = set(), set()
            created_accounts += len(new)
            if on_team:
                session.execute(insert(AccountTeam), [{"account_id": a.existing_id, "member_id": actor.member_id}
                                                      for a in new])
        new_ids = {a.existing_id for a in new}
        contacts, owners, links = [], [], []
        for a in batch:
            for c in a.contacts:
                key = _contact_key(c)
                if key in known[a.existing_id]:
                    unchanged += 1
                    continue
                known[a.existing_id].add(key)
                contacts.append({**c, "other_phones": "", "created_at": now})
                owners.append(a.existing_id)
            for tag in a.tags:
                tag_id = tag_ids[tag.lower()]
                if tag_id not in known_tags[a.existing_id]:
                    known_tags[a.existing_id].add(tag_id)
                    links.append({"account_id": a.existing_id, "tag_id": tag_id})
                    if a.existing_id not in new_ids:
                        updated.add(a.existing_id)
        if contacts:
            result = session.execute(insert(Contact).returning(Contact.id, sort_by_parameter_order=True), contacts)
            session.execute(insert(AccountContact), [{"account_id": account_id, "contact_id": contact_id}
                                                     for account_id, contact_id in zip(owners, result.scalars())])
            created_contacts += len(contacts)
            updated.update(i for i in owners if i not in new_ids)
        if links:
            session.execute(insert(AccountTag), links)

    for account in plan.accounts:
        batch.append(account)
        batch_rows += len(account.lines)
        if batch_rows >= CHUNK_ROWS:
            flush(batch)
            done += batch_rows
            batch, batch_rows = [], 0
            if progress:
                progress(done, total)
    if batch:
        flush(batch)
        done += batch_rows
    if progress:
        progress(done, total)

    skipped = plan.errors if skip_bad_rows else []
    summary = (f"Imported {count_of(created_accounts, 'new account')} and {count_of(created_contacts, 'contact')}"
               + (f" from {file_name}" if file_name else "")
               + (f"; added to {count_of(len(updated), 'existing account')}" if updated else "")
               + (f"; skipped {count_of(len({e.line for e in skipped}), 'row')} with errors" if skipped else ""))
    # One audit row for the whole import (not one per account): its detail says what it did.
    audit.record(session, actor, "import", "account", None, summary, file=file_name,
                 created_accounts=created_accounts, updated_accounts=len(updated), created_contacts=created_contacts,
                 unchanged_contacts=unchanged, created_tags=plan.new_tags,
                 skipped_lines=sorted({e.line for e in skipped}))
    return ImportResult(created_accounts=created_accounts, updated_accounts=len(updated),
                        created_contacts=created_contacts, skipped=list(skipped), created_tags=list(plan.new_tags),
                        unchanged_contacts=unchanged)

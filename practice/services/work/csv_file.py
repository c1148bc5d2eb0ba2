"""Reading a CSV file of clients exported by another system (TaxDome, Karbon, QuickBooks...): its
encoding, delimiter and header, which column fills which field, and checking each row.

Rows are numbered as lines of the file (the header is line 1), so a person can find them in a
spreadsheet.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

from practice.i18n import _
from practice.models import AccountType
from practice.services.access.team import check_email
from practice.services.errors import InvalidInput
from practice.services.work.custom_values import clean_value, shown

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
PREVIEW_ROWS = 10
MAX_NAME = 200
MAX_TAG = 50

# The fields a column can fill, in the order the mapping is shown; the label is what people read.
FIELDS: dict[str, str] = {
    "account_name": "Account name",
    "account_key": "Account key (same key: one account)",
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
# The firm's custom fields a column can fill: accounts' and contacts' (a job is not imported).
CUSTOM_ENTITIES = ("account", "contact")
# Custom-field values the preview lists when the import reads them differently than typed ("mfj" → "MFJ", "Y" →
# "Yes"); a date or amount only changes its form, which the preview's rows already show.
_TRANSLATED_TYPES = ("choice", "yesno")
CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "street", "city", "region", "postal_code", "country")

# Header spellings seen in exports, normalised by `_norm` (lower case, punctuation as spaces).
_ALIASES: dict[str, tuple[str, ...]] = {
    "account_name": ("account name", "account", "client name", "client", "company", "company name", "business name",
                     "organization", "organisation", "customer", "customer name", "display name"),
    # Only a key merges rows into one account (a name alone may belong to two different clients).
    "account_key": ("account key", "account id", "client id", "external id", "customer id", "client key",
                    "account number", "client number", "customer number"),
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


@dataclass(frozen=True)
class ImportField:
    """One of the firm's custom fields a column can fill; its mapping key is "account.filing_status"."""

    entity: str
    key: str
    label: str
    type: str
    options: tuple
    field_id: int = 0

    @property
    def mapping_key(self) -> str:
        return f"{self.entity}.{self.key}"

    @property
    def title(self) -> str:
        """The field as the column mapping lists it ("Filing status (account field)")."""
        if self.entity == "account":
            return _("{label} (account field)").format(label=self.label)
        return _("{label} (contact field)").format(label=self.label)


def custom_by_key(custom: Iterable[ImportField] = ()) -> dict[str, ImportField]:
    """The custom fields by mapping key, accounts' first."""
    return {f.mapping_key: f for f in sorted(custom, key=lambda f: CUSTOM_ENTITIES.index(f.entity))}


def field_title(key: str, custom: dict[str, ImportField]) -> str:
    """What a person reads for a mapping key: a built-in field's label or a custom field's title."""
    return custom[key].title if key in custom else FIELDS.get(key, key)


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
class CsvFile:
    """A file as read: its header and its non-blank rows."""

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


def read_file(data: bytes) -> CsvFile:
    """The file decoded and split into a header and rows; InvalidInput with a sentence when it cannot be."""
    if not data:
        raise InvalidInput(_('The file is empty. Export your clients as CSV and upload that file.'))
    if len(data) > MAX_BYTES:
        raise InvalidInput(_('The file is larger than {size} MB, the limit for one import. Split it into smaller files and import them one after the other.').format(size=MAX_BYTES // 1024 // 1024))
    text, note = _decode(data)
    if "\x00" in text:
        raise InvalidInput(_('This does not look like a CSV file (it has binary content). Export your clients as CSV.'))
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
                raise InvalidInput(_('The file has more than {max_rows} rows; split it into smaller files and import them one after the other.').format(max_rows=f"{MAX_ROWS:,}"))
    except csv.Error as err:
        raise InvalidInput(_('Line {line_num} of the file cannot be read as CSV ({err}). Check for a stray quote mark.').format(line_num=reader.line_num, err=err)) from None
    if header is None:
        raise InvalidInput(_('The file is empty. Export your clients as CSV and upload that file.'))
    return CsvFile(header, rows, delimiter, note)


def rows_of(data: bytes) -> list[tuple[int, list[str]]]:
    """The file's rows after the header, each with the line of the file where it starts."""
    return read_file(data).rows


def detect_mapping(header: list[str], custom: Iterable[ImportField] = ()) -> dict[str, int]:
    """Which column fills which field, from the column names (first match wins): the usual fields' names, then a
    custom field's label or key (an account's before a contact's)."""
    names: dict[str, str] = {}
    for f in custom_by_key(custom).values():
        names.setdefault(_norm(f.label), f.mapping_key)
        names.setdefault(_norm(f.key), f.mapping_key)
        names.setdefault(_norm(f.mapping_key), f.mapping_key)
    mapping: dict[str, int] = {}
    for index, name in enumerate(header):
        key = ALIASES.get(_norm(name)) or names.get(_norm(name))
        if key and key not in mapping:
            mapping[key] = index
    return mapping


def preview(data: bytes, custom: Iterable[ImportField] = ()) -> Preview:
    """Read the file: columns, detected mapping, row count, first rows and columns that will be ignored."""
    f = read_file(data)
    return preview_of(f, detect_mapping(f.header, custom))


def preview_of(f: CsvFile, mapping: dict[str, int]) -> Preview:
    """What a person is shown of the file with this mapping."""
    used = set(mapping.values())
    return Preview(columns=f.header, mapping=mapping,
                   unknown_columns=[c for i, c in enumerate(f.header) if i not in used and c],
                   row_count=len(f.rows), first_rows=[cells for _, cells in f.rows[:PREVIEW_ROWS]],
                   delimiter=f.delimiter, encoding_note=f.note, first_lines=[n for n, _ in f.rows[:PREVIEW_ROWS]])


def check_mapping(mapping: dict[str, int], columns: int, custom: Iterable[ImportField] = ()) -> dict[str, int]:
    """A mapping from the user, kept to known fields (the usual ones and the firm's custom fields) and existing
    columns, each column used once."""
    fields = custom_by_key(custom)
    clean: dict[str, int] = {}
    seen: dict[int, str] = {}
    for key, index in mapping.items():
        if key not in FIELDS and key not in fields:
            raise InvalidInput(_('"{key}" is not a field an import can fill (a custom field may have been deleted).')
                               .format(key=key))
        title = field_title(key, fields)
        try:
            index = int(index)
        except (TypeError, ValueError):
            raise InvalidInput(_("Pick a column for {field}.").format(field=title)) from None
        if not 0 <= index < columns:
            raise InvalidInput(_("The file has no column {column} for {field}.").format(column=index + 1, field=title))
        if index in seen:
            raise InvalidInput(_("Column {column} is chosen for both {first} and {second}; pick one.").format(
                column=index + 1, first=field_title(seen[index], fields), second=title))
        seen[index] = key
        clean[key] = index
    return clean


# --- checking rows -----------------------------------------------------------------------


@dataclass
class ParsedRow:
    """One row checked and cleaned: its account, and the contact it holds (if any)."""

    line: int
    account: str
    type: AccountType | None
    tags: list[str]
    notes: str
    contact: dict[str, str] | None
    unnamed_contact: bool = False
    key: str = ""  # the account key column's value: rows with the same key are one account
    # The cells as typed where the import reads them differently (shown in the preview).
    typed: dict[str, str] = field(default_factory=dict)
    # Custom fields' values as kept (mapping key "account.filing_status" -> canonical text), the empty ones left out.
    custom: dict[str, str] = field(default_factory=dict)


def _account_type(value: str) -> AccountType | None:
    word = _norm(value)
    if word in _TYPE_WORDS:
        return _TYPE_WORDS[word]
    raise InvalidInput(_('"{value}" is not an account type; use one of {types}.').format(value=value, types=', '.join(t.value for t in AccountType)))


def _parse_row(line: int, cells: list[str], mapping: dict[str, int], width: int) -> ParsedRow:
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        raise InvalidInput(_('it has {cells} cells but the header has {width} columns; check for a missing quote around a value with a comma.').format(cells=len(cells), width=width))

    def cell(key: str) -> str:
        index = mapping.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    account = " ".join(cell("account_name").split())
    if not account:
        raise InvalidInput(_('the account name is missing.'))
    if len(account) > MAX_NAME:
        raise InvalidInput(_('the account name is longer than {max_name} characters.').format(max_name=MAX_NAME))
    kind = _account_type(cell("account_type")) if cell("account_type") else None
    tags = []
    for name in _SPLIT_LIST.split(cell("tags")):
        name = " ".join(name.split())
        if name and name.lower() not in (t.lower() for t in tags):
            if len(name) > MAX_TAG:
                raise InvalidInput(_('the tag "{name}…" is longer than {max_tag} characters.').format(name=name[:20], max_tag=MAX_TAG))
            tags.append(name)
    contact, unnamed, typed = _contact(cell, account)
    if cell("account_type"):
        typed["account_type"] = cell("account_type")
    return ParsedRow(line, account, kind, tags, cell("notes"), contact, unnamed, " ".join(cell("account_key").split()),
                     typed)


def _contact(cell: Callable[[str], str], account: str) -> tuple[dict[str, str] | None, bool, dict[str, str]]:
    """A row's contact (None: it has none), whether it is named after its account, and the cells read
    differently than typed (a full name split in two, a list of emails)."""
    contact = {key: cell(key) for key in CONTACT_FIELDS}
    typed: dict[str, str] = {}
    if cell("contact_name") and not (contact["first_name"] or contact["last_name"]):
        first, _space, last = cell("contact_name").rpartition(" ")
        contact["first_name"], contact["last_name"] = (first, last) if first else ("", last)
        typed["contact_name"] = cell("contact_name")
    emails = [e.strip() for e in _SPLIT_LIST.split(contact["email"]) if e.strip()]
    for email in emails:
        check_email(email)  # its sentence names the bad address
    contact["email"] = emails[0].lower() if emails else ""
    contact["other_emails"] = "\n".join(e.lower() for e in emails[1:])
    if cell("email") != contact["email"]:
        typed["email"] = cell("email")
    if contact["first_name"] or contact["last_name"]:
        return contact, False, typed
    if any(contact[k] for k in CONTACT_FIELDS):
        # Company exports often carry an email or phone with no person's name: keep them on a
        # contact named after the account rather than refuse the row.
        contact["last_name"] = account
        return contact, True, typed
    return None, False, typed


def _custom_values(line: int, cells: list[str], mapping: dict[str, int], fields: dict[str, ImportField],
                   row: ParsedRow) -> list[RowError]:
    """Check the row's custom-field cells, keeping each value as its field keeps it in `row.custom`; one sentence
    per value its field does not take (it names the field, what it takes and the value)."""
    errors = []
    for key, index in mapping.items():
        f = fields.get(key)
        raw = cells[index].strip() if f is not None and index < len(cells) else ""
        if not raw:
            continue
        try:
            value = clean_value(f.type, raw, f.label, f.options)
        except InvalidInput as err:
            errors.append(RowError(line, _("Line {line}: {problem}").format(line=line, problem=err)))
            continue
        row.custom[key] = value
        if f.type in _TRANSLATED_TYPES and shown(f.type, value) != raw:
            row.typed[key] = raw
    return errors


def parse_rows(rows: Iterable[tuple[int, list[str]]], mapping: dict[str, int],
               width: int, custom: Iterable[ImportField] = ()) -> tuple[list[ParsedRow], list[RowError]]:
    """The rows that can be imported, and a sentence for each that cannot (rows with one account key must
    agree on the account's name and type); a row with custom-field values its fields do not take gets one sentence
    for each."""
    fields = custom_by_key(custom)
    good: list[ParsedRow] = []
    errors: list[RowError] = []
    first: dict[str, ParsedRow] = {}
    for line, cells in rows:
        try:
            row = _parse_row(line, cells, mapping, width)
        except InvalidInput as err:
            errors.append(RowError(line, _("Line {line}: {problem}").format(line=line, problem=err)))
            continue
        bad = _custom_values(line, cells, mapping, fields, row) if fields else []
        if bad:
            errors.extend(bad)
            continue
        earlier = first.setdefault(row.key.lower(), row) if row.key else row
        problem = key_disagreement(row, earlier)
        if problem:
            errors.append(RowError(line, _("Line {line}: {problem}").format(line=line, problem=problem)))
            continue
        if earlier.type is None and row.type is not None:
            first[row.key.lower()] = row
        good.append(row)
    return good, errors


def key_disagreement(row: ParsedRow, earlier: ParsedRow) -> str:
    """Why two rows with one account key cannot be one account ("" when they can)."""
    if row is earlier:
        return ""
    if row.account.lower() != earlier.account.lower():
        return (f'the account key "{row.key}" is "{row.account}" here but "{earlier.account}" on line '
                f"{earlier.line}; make them agree.")
    if row.type is not None and earlier.type is not None and row.type != earlier.type:
        return (f'the account "{row.account}" is a {row.type.value} here but a {earlier.type.value} on line '
                f"{earlier.line}; make them agree.")
    return ""


def header_errors(mapping: dict[str, int]) -> list[RowError]:
    """The error of a mapping with no account name column (nothing can be imported without it)."""
    if "account_name" not in mapping:
        return [RowError(1, "Line 1: no column holds the account name (for example \"Account name\", "
                            "\"Client name\" or \"Company\"); choose which column does.")]
    return []


def validate(rows: list[tuple[int, list[str]]], mapping: dict[str, int], width: int | None = None) -> list[RowError]:
    """Every problem in the rows, one sentence per line of the file (line 1 is the header); `width` is the
    header's number of columns (rows with more non-blank cells are refused)."""
    header = header_errors(mapping)
    if header:
        return header
    width = width if width is not None else max((len(c) for _, c in rows), default=0)
    return parse_rows(rows, mapping, width)[1]

"""The questions a CSV import asks the person before it writes anything, and their answers applied.

Two traps of other systems' exports are never resolved by guessing:
- rows are one account only when an account key column says so; two rows (or a row and an existing
  account) that merely share a name are flagged, and the person chooses "same account" or "a separate
  account";
- a contact's email already on another row or on an existing contact is flagged (two contacts with one
  email would share one portal login), and the person chooses to link the existing contact, import the
  contact without the email, or skip the row.

A flag's answer is keyed "<line>:account" or "<line>:email"; a flag without an answer keeps its rows
out of the import until the person answers.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from practice.i18n import _, ngettext
from practice.models import AccountType
from practice.services.work.csv_file import ParsedRow, RowError

ACCOUNT, EMAIL = "account", "email"
JOIN, NEW = "join", "new"
LINK, NO_EMAIL, SKIP = "link", "no_email", "skip"


@dataclass
class Flag:
    """One question about one line of the file, with the answers it accepts (value, label)."""

    line: int
    kind: str  # ACCOUNT or EMAIL
    question: str
    options: list[tuple[str, str]]
    other_line: int = 0  # the earlier line it may join (0: an existing account or contact)

    @property
    def key(self) -> str:
        return f"{self.line}:{self.kind}"


@dataclass
class ExistingContact:
    """A contact already in the firm whose email a row of the file carries."""

    id: int
    name: str
    account: str  # the name of one of its accounts ("" when it has none)
    portal: bool  # it has a portal login: linking it shows it the account's shared documents


@dataclass(eq=False)
class PlannedContact:
    """A contact the import creates (`fields`) or links (`existing_id`); one object may serve several accounts."""

    fields: dict[str, str]
    existing_id: int | None = None
    # Its custom fields' values from the file, by field key: a new contact's, or those a linked existing contact
    # gets where its field is empty.
    custom: dict[str, str] = field(default_factory=dict)
    custom_lines: dict[str, int] = field(default_factory=dict)  # field key -> the line that gave its value


@dataclass
class PlannedAccount:
    """One account of the file with everything its rows bring (an existing account keeps its type and notes)."""

    name: str
    type: AccountType
    notes: list[str]
    tags: list[str]
    contacts: list[PlannedContact]
    lines: list[int]
    existing_id: int | None = None
    existing_name: str = ""  # as the firm already spells it
    unnamed_contacts: int = 0
    type_line: int = 0  # the line that gave a new account its type
    custom: dict[str, str] = field(default_factory=dict)  # its custom fields' values, by field key
    custom_lines: dict[str, int] = field(default_factory=dict)  # field key -> the line that gave its value


@dataclass
class Outcome:
    """The file with the answers applied: the accounts to write, and what stays out and why."""

    accounts: list[PlannedAccount]
    errors: list[RowError]
    undecided: list[int] = field(default_factory=list)  # lines waiting for an answer
    skipped: list[int] = field(default_factory=list)  # lines the person chose to skip

    @property
    def rows(self) -> int:
        return sum(len(a.lines) for a in self.accounts)


# --- the questions ---------------------------------------------------------------------------------


def _groups(rows: list[ParsedRow]) -> list[list[ParsedRow]]:
    """The rows gathered by account key (rows without a key stand alone), in the file's order."""
    by_key: dict[str, list[ParsedRow]] = {}
    groups: list[list[ParsedRow]] = []
    for row in rows:
        if row.key and row.key.lower() in by_key:
            by_key[row.key.lower()].append(row)
            continue
        group = [row]
        groups.append(group)
        if row.key:
            by_key[row.key.lower()] = group
    return groups


def _account_flag(group: list[ParsedRow], earlier: list[ParsedRow] | None,
                  existing: tuple[int, str] | None) -> Flag | None:
    first = group[0]
    if earlier is not None:
        other = earlier[0]
        return Flag(first.line, ACCOUNT,
                    _('Line {line}: the account name "{name}" is also on line {other}, and no account key says '
                      'whether they are one client.').format(line=first.line, name=first.account, other=other.line),
                    [(JOIN, _("Same account as line {line}").format(line=other.line)), (NEW, _("A separate account"))],
                    other.line)
    if existing is not None:
        return Flag(first.line, ACCOUNT,
                    _('Line {line}: an account named "{name}" already exists.').format(line=first.line,
                                                                                        name=existing[1]),
                    [(JOIN, _('Add to the existing account "{name}" (its type and notes stay)').format(name=existing[1])),
                     (NEW, _('A new account "{name}"').format(name=first.account))])
    return None


def account_flags(rows: list[ParsedRow], existing: dict[str, tuple[int, str]]) -> list[Flag]:
    """A question for each account of the file that shares its name with an earlier one or an existing one
    (two accounts that both have a key are different clients: no question)."""
    flags: list[Flag] = []
    seen: dict[str, list[list[ParsedRow]]] = {}
    for group in _groups(rows):
        name = group[0].account.lower()
        same = [g for g in seen.get(name, []) if not (g[0].key and group[0].key)]
        flag = _account_flag(group, same[0] if same else None, existing.get(name))
        if flag:
            flags.append(flag)
        seen.setdefault(name, []).append(group)
    return flags


def _who(c: dict[str, str]) -> str:
    return f"{c.get('first_name', '')} {c.get('last_name', '')}".strip()


def email_flags(rows: list[ParsedRow], existing: dict[str, ExistingContact]) -> list[Flag]:
    """A question for each row whose contact's email is on an existing contact or on an earlier row."""
    flags: list[Flag] = []
    first_line: dict[str, ParsedRow] = {}
    for row in rows:
        email = row.contact["email"] if row.contact else ""
        if not email:
            continue
        known = existing.get(email)
        others = [(NO_EMAIL, _("A separate contact without this email")), (SKIP, _("Skip this row"))]
        if known is not None:
            on = _(' (on "{account}")').format(account=known.account) if known.account else ""
            portal = (_(" They have portal access, so they will see this account's shared documents.")
                      if known.portal else "")
            flags.append(Flag(row.line, EMAIL, _("Line {line}: {email} is already the email of {name}{on}; two contacts "
                                                 "with one email would share one portal login.").format(
                                                     line=row.line, email=email, name=known.name, on=on),
                              [(LINK, _("Link {name} to this account (their details stay).").format(name=known.name)
                                + portal), *others]))
        elif email in first_line:
            other = first_line[email]
            flags.append(Flag(row.line, EMAIL, _("Line {line}: {email} is also the email on line {other} ({who}); two "
                                                 "contacts with one email would share one portal login.").format(
                                                     line=row.line, email=email, other=other.line,
                                                     who=_who(other.contact)),
                              [(LINK, _("The same person as line {line} (one contact)").format(line=other.line)),
                               *others],
                              other.line))
        first_line.setdefault(email, row)
    return flags


# --- the answers applied ------------------------------------------------------------------------------


@dataclass
class _Resolver:
    """Puts each row on its account and its contact, following the answers."""

    answers: dict[str, str]
    flags: dict[str, Flag]
    existing: dict[str, tuple[int, str]]
    existing_contacts: dict[str, ExistingContact]
    rows: dict[int, ParsedRow]
    outcome: Outcome = field(default_factory=lambda: Outcome([], []))
    by_existing: dict[int, PlannedAccount] = field(default_factory=dict)
    by_line: dict[int, PlannedAccount | None] = field(default_factory=dict)  # a group's first line -> its account
    contact_of_line: dict[int, PlannedContact] = field(default_factory=dict)  # existing contacts under -id
    labels: dict[str, str] = field(default_factory=dict)  # custom fields' labels by mapping key

    def answer(self, line: int, kind: str) -> tuple[str | None, Flag | None]:
        """The person's answer to the flag of this line (None: no flag; "": it waits for one), and the flag."""
        flag = self.flags.get(f"{line}:{kind}")
        if flag is None:
            return None, None
        value = self.answers.get(flag.key, "")
        return (value if value in {v for v, _ in flag.options} else ""), flag

    def target(self, first: ParsedRow) -> PlannedAccount | None:
        """The account of the group that starts with this row (None: waiting for an answer)."""
        choice, flag = self.answer(first.line, ACCOUNT)
        if choice == "":
            return None
        if choice == JOIN and flag.other_line:
            return self.by_line.get(flag.other_line)
        if choice == JOIN:
            account_id, spelled = self.existing[first.account.lower()]
            if account_id not in self.by_existing:
                self.by_existing[account_id] = self._new(first, account_id, spelled)
            return self.by_existing[account_id]
        return self._new(first)

    def _new(self, row: ParsedRow, existing_id: int | None = None, spelled: str = "") -> PlannedAccount:
        account = PlannedAccount(row.account, row.type or AccountType.individual, [], [], [], [], existing_id, spelled,
                                 type_line=row.line if row.type else 0)
        self.outcome.accounts.append(account)
        return account

    def _of_line(self, line: int) -> PlannedContact:
        if line not in self.contact_of_line:
            row = self.rows[line]
            values = _custom_of(row, "contact")
            self.contact_of_line[line] = PlannedContact(dict(row.contact), custom=values,
                                                        custom_lines=dict.fromkeys(values, line))
        return self.contact_of_line[line]

    def _with_values(self, contact: PlannedContact, row: ParsedRow) -> PlannedContact | bool:
        """The contact a row links to (`add` gives it the row's values of contact fields), or False with the row's
        sentence when one of them disagrees with another row's for the same person."""
        values = _custom_of(row, "contact")
        for key, value in values.items():
            if key in contact.custom and contact.custom[key] != value:
                label = self.labels.get(f"contact.{key}", key)
                self.outcome.errors.append(RowError(row.line, _(
                    'Line {line}: {email} has {field} "{value}" here but "{other_value}" on line {other}; make them '
                    "agree, or leave the cell empty on one of them.").format(
                        line=row.line, email=row.contact["email"], field=label, value=value,
                        other_value=contact.custom[key], other=contact.custom_lines[key])))
                return False
        return contact

    def contact(self, row: ParsedRow) -> PlannedContact | None | bool:
        """The row's contact (None: it has none; False: the row is skipped or waits for an answer)."""
        if row.contact is None:
            return None
        choice, flag = self.answer(row.line, EMAIL)
        if choice == "" or choice == SKIP:
            (self.outcome.undecided if choice == "" else self.outcome.skipped).append(row.line)
            return False
        if choice == LINK and flag.other_line:
            return self._with_values(self._of_line(flag.other_line), row)
        if choice == LINK:
            known = self.existing_contacts[row.contact["email"]]
            return self._with_values(self.contact_of_line.setdefault(-known.id, PlannedContact({}, known.id)), row)
        if choice == NO_EMAIL:
            values = _custom_of(row, "contact")
            return PlannedContact({**row.contact, "email": ""}, custom=values, custom_lines=dict.fromkeys(values, row.line))
        return self._of_line(row.line)

    def add(self, account: PlannedAccount, row: ParsedRow, contact: PlannedContact | None) -> None:
        """Put the row on its account; the rows of a new account must agree on its type."""
        if row.type is not None and account.type_line and account.type != row.type and account.existing_id is None:
            self.outcome.errors.append(RowError(row.line, _(
                'Line {line}: the account "{name}" is a {type} here but a {other_type} on line {other}; make them '
                "agree, or import it as a separate account.").format(
                    line=row.line, name=row.account, type=_(row.type.value), other_type=_(account.type.value),
                    other=account.type_line)))
            return
        clash = _custom_clash(account, row, self.labels)
        if clash:
            self.outcome.errors.append(RowError(row.line, _("Line {line}: {problem}").format(line=row.line,
                                                                                              problem=clash)))
            return
        if row.type is not None and not account.type_line:
            account.type, account.type_line = row.type, row.line
        for key, value in _custom_of(row, "account").items():
            account.custom.setdefault(key, value)
            account.custom_lines.setdefault(key, row.line)
        if row.notes and row.notes not in account.notes:
            account.notes.append(row.notes)
        for tag in row.tags:
            if tag.lower() not in (t.lower() for t in account.tags):
                account.tags.append(tag)
        if contact is not None:
            for key, value in _custom_of(row, "contact").items():  # a linked contact's values (a new one has them)
                contact.custom.setdefault(key, value)
                contact.custom_lines.setdefault(key, row.line)
            account.contacts.append(contact)
            account.unnamed_contacts += row.unnamed_contact and contact.existing_id is None
        account.lines.append(row.line)


def _custom_of(row: ParsedRow, entity: str) -> dict[str, str]:
    """The row's values of one entity's custom fields, by field key."""
    prefix = entity + "."
    return {k[len(prefix):]: v for k, v in row.custom.items() if k.startswith(prefix)}


def _custom_clash(account: PlannedAccount, row: ParsedRow, labels: dict[str, str]) -> str:
    """Why this row's account fields disagree with an earlier row's of the same account ("" when they agree)."""
    for key, value in _custom_of(row, "account").items():
        if key in account.custom and account.custom[key] != value:
            label = labels.get(f"account.{key}", key)
            return _('the account "{name}" has {field} "{value}" here but "{other_value}" on line {other}; make them '
                     "agree, or leave the cell empty on one of them.").format(
                         name=row.account, field=label, value=value, other_value=account.custom[key],
                         other=account.custom_lines[key])
    return ""


def resolve(rows: list[ParsedRow], flags: list[Flag], answers: dict[str, str],
            existing: dict[str, tuple[int, str]], existing_contacts: dict[str, ExistingContact],
            labels: dict[str, str] | None = None) -> Outcome:
    """The accounts and contacts the rows make with these answers; flagged rows without one stay out (`labels`: the
    custom fields' labels by mapping key, for the sentence of two rows of one account giving a field two values)."""
    r = _Resolver(answers, {f.key: f for f in flags}, existing, existing_contacts, {row.line: row for row in rows},
                  labels=labels or {})
    for group in _groups(rows):
        account = r.by_line[group[0].line] = r.target(group[0])
        for row in group:
            contact = r.contact(row)
            if contact is False:
                continue
            if account is None:
                r.outcome.undecided.append(row.line)
            else:
                r.add(account, row, contact)
    r.outcome.accounts = [a for a in r.outcome.accounts if a.lines]
    r.outcome.undecided.sort()
    r.outcome.errors.sort(key=lambda e: e.line)
    return r.outcome


def pending_sentence(outcome: Outcome) -> str:
    """Why flagged rows are not imported yet ("" when every flag has its answer)."""
    n = len(outcome.undecided)
    if not n:
        return ""
    return ngettext("{n} row needs your choice above (flagged rows) before it can be imported.",
                    "{n} rows need your choice above (flagged rows) before they can be imported.", n).format(n=n)

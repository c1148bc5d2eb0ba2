"""What importing a CSV file of clients would do, checked against the database: which accounts and
contacts exist already (and which the person may not see), which tags are new, the questions the person
must answer (csv_choices), each value the import reads differently than typed, and each row's problem."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlmodel import Session

from practice.i18n import _, ngettext
from practice.models import Account, AccountContact, Contact, CustomField, CustomValue, PortalLogin, PortalStatus, Tag
from practice.services.actor import Actor, account_visible
from practice.services.work.csv_choices import (ExistingContact, Flag, Outcome, PlannedAccount, account_flags,
                                                email_flags, pending_sentence, resolve)
from practice.services.work.csv_file import (CUSTOM_ENTITIES, FIELDS, ImportField, ParsedRow, Preview, RowError,
                                             check_mapping, custom_by_key, detect_mapping, header_errors,
                                             parse_rows, preview_of, read_file)
from practice.services.work.custom_values import shown

__all__ = ["Plan", "PlannedAccount", "Review", "Translation", "chunks", "held_values", "import_fields", "plan_import",
           "review"]


@dataclass
class Translation:
    """A value of the file the import reads differently than typed, and the lines that have it."""

    column: str
    value: str
    becomes: str
    lines: list[int]


@dataclass
class Plan:
    """The whole file planned with the person's answers: its accounts, the rows' errors, the questions
    asked and the tags to create."""

    preview: Preview
    accounts: list[PlannedAccount]
    errors: list[RowError]
    new_tags: list[str]
    tag_ids: dict[str, int]  # lower-case name -> id, existing tags
    rows: int  # the rows that will be imported
    flags: list[Flag] = field(default_factory=list)
    undecided: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # lines the person chose to skip
    translations: list[Translation] = field(default_factory=list)
    custom: dict[str, ImportField] = field(default_factory=dict)  # the firm's custom fields by mapping key


@dataclass
class Review:
    """What an import of this file would do with the answers given so far, and what is wrong with it."""

    preview: Preview
    errors: list[RowError]
    new_accounts: int
    existing_accounts: list[str]
    contacts: int
    new_tags: list[str]
    bad_lines: int
    good_rows: int  # the rows an import would write now
    unnamed_contacts: int = 0
    linked_contacts: int = 0
    flags: list[Flag] = field(default_factory=list)
    undecided: int = 0
    skipped: int = 0
    translations: list[Translation] = field(default_factory=list)
    custom: dict[str, ImportField] = field(default_factory=dict)  # the custom fields a column can fill
    contact_fills: int = 0  # linked existing contacts that get values in fields they have empty
    contact_kept: int = 0  # values linked existing contacts have that stay (the file has another)

    @property
    def custom_mapped(self) -> list[str]:
        """The labels of the custom fields the mapping fills."""
        return [self.custom[k].label for k in self.preview.mapping if k in self.custom]

    @property
    def summary(self) -> str:
        rows = self.preview.row_count
        parts = [ngettext("{good} of {n} row can be imported: {accounts}, {contacts}{linked}.",
                          "{good} of {n} rows can be imported: {accounts}, {contacts}{linked}.", rows).format(
            good=self.good_rows, n=rows,
            accounts=ngettext("{n} new account", "{n} new accounts", self.new_accounts).format(n=self.new_accounts),
            contacts=ngettext("{n} new contact", "{n} new contacts", self.contacts).format(n=self.contacts),
            linked=ngettext(", {n} existing contact linked", ", {n} existing contacts linked",
                            self.linked_contacts).format(n=self.linked_contacts) if self.linked_contacts else "")]
        if self.existing_accounts:
            names = ", ".join(f'"{n}"' for n in self.existing_accounts[:5])
            more = _(" and {n} more").format(n=len(self.existing_accounts) - 5) if len(self.existing_accounts) > 5 else ""
            n = len(self.existing_accounts)
            parts.append(ngettext("Contacts and tags are added to {n} existing account ({names}); ",
                                  "Contacts and tags are added to {n} existing accounts ({names}); ", n).format(
                             n=n, names=names + more)
                         + (_("their type and notes stay as they are.") if not self.custom_mapped else
                            _("their type, notes and the fields they already have stay as they are (empty fields are "
                              "filled from the file).")))
        if self.contact_fills:
            parts.append(ngettext("{n} linked existing contact gets the file's values in the fields they have empty.",
                                  "{n} linked existing contacts get the file's values in the fields they have empty.",
                                  self.contact_fills).format(n=self.contact_fills))
        if self.contact_kept:
            parts.append(ngettext("{n} value a linked contact already has stays as it is (the file has another).",
                                  "{n} values linked contacts already have stay as they are (the file has another).",
                                  self.contact_kept).format(n=self.contact_kept))
        if self.unnamed_contacts:
            parts.append(ngettext("{n} contact with an email, phone or address but no name will be named after "
                                  "their account.", "{n} contacts with an email, phone or address but no name will "
                                  "be named after their account.", self.unnamed_contacts).format(n=self.unnamed_contacts))
        if self.new_tags:
            parts.append(_("New tags will be created: {tags}.").format(tags=", ".join(self.new_tags)))
        if self.flags:
            parts.append(ngettext("{n} question below", "{n} questions below", len(self.flags)).format(n=len(self.flags))
                         + ngettext(" ({n} row waits for your choice).", " ({n} rows wait for your choice).",
                                    self.undecided).format(n=self.undecided))
        if self.bad_lines:
            parts.append(ngettext("{n} row has errors.", "{n} rows have errors.", self.bad_lines).format(n=self.bad_lines))
        return " ".join(parts)

    @property
    def skipped_note(self) -> str:
        """What the import button leaves out, in a sentence ("" when nothing)."""
        parts = [ngettext("{n} row with errors", "{n} rows with errors", self.bad_lines).format(n=self.bad_lines)
                 if self.bad_lines else "",
                 ngettext("{n} row you chose to skip", "{n} rows you chose to skip", self.skipped).format(n=self.skipped)
                 if self.skipped else "",
                 ngettext("{n} row waiting for your choice", "{n} rows waiting for your choice",
                          self.undecided).format(n=self.undecided) if self.undecided else ""]
        parts = [p for p in parts if p]
        return _("Not imported: {rows}.").format(rows=", ".join(parts)) if parts else ""


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
    for part in chunks([k for k, _name in tag_names]):
        for tag_id, name in session.execute(select(Tag.id, Tag.name).where(func.lower(Tag.name).in_(part))):
            tag_ids[name.lower()] = tag_id
    return tag_ids, [name for key, name in tag_names if key not in tag_ids]


def _refusal(row: ParsedRow, actor: Actor, hidden: set[str], tag_ids: dict[str, int], hidden_emails: set[str]) -> RowError | None:
    """Why the actor may not import this row (an account or contact it may not see, a tag only admins may
    create)."""
    key = row.account.lower()
    email = row.contact["email"] if row.contact else ""
    if email in hidden_emails:
        return RowError(row.line, _("Line {line}: {email} is already the email of a contact on an account you do "
                                    "not have access to; ask an admin to import this row, or remove the email.").format(
                                        line=row.line, email=email))
    if key in hidden:
        # In the file's own words: the firm's spelling (or that it is archived) is not the importer's to learn.
        return RowError(row.line, _('Line {line}: "{name}" is the name of an account you do not have access to; '
                                    "ask an admin to add you to its team.").format(line=row.line, name=row.account))
    unknown = [t for t in row.tags if t.lower() not in tag_ids]
    if unknown and not actor.is_admin:
        listed = ", ".join(f'"{t}"' for t in unknown)
        return RowError(row.line, ngettext(
            "Line {line}: the tag {tags} does not exist, and only the owner or an admin can create tags; ask one to "
            "create it, or remove it from the file.",
            "Line {line}: the tags {tags} do not exist, and only the owner or an admin can create tags; ask one to "
            "create them, or remove them from the file.", len(unknown)).format(line=row.line, tags=listed))
    return None


def _existing_contacts(session: Session, actor: Actor,
                       rows: list[ParsedRow]) -> tuple[dict[str, ExistingContact], set[str]]:
    """Contacts that already have the rows' emails (by lower-case email; one with a portal login first), and
    the emails that belong only to contacts the actor may not see."""
    emails = sorted({r.contact["email"] for r in rows if r.contact and r.contact["email"]})
    visible = account_visible(actor, AccountContact.account_id)
    found: dict[str, ExistingContact] = {}
    hidden: set[str] = set()
    for part in chunks(emails):
        people = session.execute(select(Contact.id, Contact.first_name, Contact.last_name, func.lower(Contact.email))
                                 .where(func.lower(Contact.email).in_(part)).order_by(Contact.id)).all()
        ids = [p[0] for p in people]
        portal = set(session.execute(select(PortalLogin.contact_id).where(
            PortalLogin.contact_id.in_(ids), PortalLogin.status != PortalStatus.revoked)).scalars())
        links = select(AccountContact.contact_id, Account.name).join(Account, Account.id == AccountContact.account_id) \
            .where(AccountContact.contact_id.in_(ids)).order_by(Account.name)
        linked: dict[int, list[str]] = {}
        for contact_id, name in session.execute(links):
            linked.setdefault(contact_id, []).append(name)
        seen = linked if visible is None else {}
        for contact_id, name in ([] if visible is None else session.execute(links.where(visible))):
            seen.setdefault(contact_id, []).append(name)
        for contact_id, first, last, email in sorted(people, key=lambda p: p[0] not in portal):
            if contact_id in linked and contact_id not in seen:
                hidden.add(email)
                continue
            found.setdefault(email, ExistingContact(contact_id, f"{first} {last}".strip() or email,
                                                    (seen.get(contact_id) or [""])[0], contact_id in portal))
    return found, hidden - set(found)


def held_values(session: Session, item_ids: list[int], field_ids: set[int]) -> dict[tuple[int, int], str]:
    """(field id, item id) -> the value these records already have in these fields."""
    held: dict[tuple[int, int], str] = {}
    for part in chunks(item_ids):
        for field_id, item_id, value in session.execute(
                select(CustomValue.field_id, CustomValue.item_id, CustomValue.value).where(
                    CustomValue.item_id.in_(part), CustomValue.field_id.in_(sorted(field_ids)))):
            held[(field_id, item_id)] = value
    return held


def _contact_changes(session: Session, plan: Plan) -> tuple[int, int]:
    """How many linked existing contacts the import gives values (in fields they have empty), and how many of
    their values stay although the file has another."""
    linked = {c.existing_id: c for a in plan.accounts for c in a.contacts if c.existing_id is not None and c.custom}
    if not linked:
        return 0, 0
    ids = {k: f.field_id for k, f in plan.custom.items()}
    held = held_values(session, list(linked), {ids[f"contact.{k}"] for c in linked.values() for k in c.custom})
    fills = kept = 0
    for contact_id, c in linked.items():
        have = [held.get((ids[f"contact.{k}"], contact_id)) for k in c.custom]
        fills += any(h is None for h in have)
        kept += sum(h is not None and h != v for h, v in zip(have, c.custom.values()))
    return fills, kept


def import_fields(session: Session) -> list[ImportField]:
    """The firm's account and contact custom fields, which columns of a file can fill."""
    return [ImportField(f.entity, f.key, f.label, f.type, tuple(f.options), f.id) for f in session.execute(
        select(CustomField).where(CustomField.entity.in_(CUSTOM_ENTITIES))
        .order_by(CustomField.entity, CustomField.position, CustomField.id)).scalars()]


def _translations(rows: list[ParsedRow], custom: dict[str, ImportField]) -> list[Translation]:
    """Each value the import reads differently than it is typed (an entity type, a full name split in two,
    a list of emails, a choice or yes/no spelt otherwise), with the lines that have it, so that nothing changes
    unseen."""
    found: dict[tuple[str, str, str], list[int]] = {}
    for row in rows:
        typed, c = row.typed, row.contact or {}
        for key, f in custom.items():
            if key in typed:
                found.setdefault((f.title, typed[key], shown(f.type, row.custom[key])), []).append(row.line)
        if "account_type" in typed and row.type is not None and typed["account_type"] != row.type.value:
            found.setdefault((FIELDS["account_type"], typed["account_type"], row.type.value), []).append(row.line)
        if "contact_name" in typed:
            found.setdefault((FIELDS["contact_name"], typed["contact_name"],
                              f'first name "{c["first_name"]}", last name "{c["last_name"]}"'), []).append(row.line)
        if "email" in typed and c:
            others = c["other_emails"].replace("\n", ", ")
            found.setdefault((FIELDS["email"], typed["email"], c["email"] + (f" (other emails: {others})" if others
                                                                              else "")), []).append(row.line)
    return [Translation(column, value, becomes, lines) for (column, value, becomes), lines in found.items()]


def plan_import(session: Session, actor: Actor, data: bytes, mapping: dict[str, int] | None,
                answers: dict[str, str] | None = None) -> Plan:
    """Read the file and plan its import for this actor with the person's answers to its questions, writing
    nothing."""
    f = read_file(data)
    fields = import_fields(session)
    custom = custom_by_key(fields)
    mapping = detect_mapping(f.header, fields) if mapping is None else check_mapping(mapping, len(f.header), fields)
    pv = preview_of(f, mapping)
    bad_header = header_errors(mapping)
    if bad_header:
        return Plan(pv, [], bad_header, [], {}, 0, custom=custom)
    rows, errors = parse_rows(f.rows, mapping, len(f.header), fields)
    existing, hidden = _existing_accounts(session, actor, rows)
    people, hidden_emails = _existing_contacts(session, actor, rows)
    tag_ids, new_tags = _tags(session, rows)
    kept: list[ParsedRow] = []
    for row in rows:
        refusal = _refusal(row, actor, hidden, tag_ids, hidden_emails)
        if refusal is None:
            kept.append(row)
        else:
            errors.append(refusal)
    flags = sorted(account_flags(kept, existing) + email_flags(kept, people), key=lambda f: (f.line, f.kind))
    outcome: Outcome = resolve(kept, flags, answers or {}, existing, people, {k: f.label for k, f in custom.items()})
    used = {t.lower() for a in outcome.accounts for t in a.tags}
    return Plan(pv, outcome.accounts, sorted(errors + outcome.errors, key=lambda e: e.line),
                [t for t in new_tags if t.lower() in used] if actor.is_admin else [], tag_ids, outcome.rows, flags,
                outcome.undecided, outcome.skipped, _translations(kept, custom), custom)


def review(session: Session, actor: Actor, data: bytes, mapping: dict[str, int] | None = None,
           answers: dict[str, str] | None = None) -> Review:
    """Preview the file and check every row against the mapping, the database and the person's answers,
    writing nothing."""
    plan = plan_import(session, actor, data, mapping, answers)
    contacts = {id(c): c for a in plan.accounts for c in a.contacts}.values()
    fills, kept = _contact_changes(session, plan)
    return Review(preview=plan.preview, errors=plan.errors,
                  new_accounts=sum(1 for a in plan.accounts if a.existing_id is None),
                  existing_accounts=[a.existing_name for a in plan.accounts if a.existing_id is not None],
                  contacts=sum(1 for c in contacts if c.existing_id is None), new_tags=plan.new_tags,
                  bad_lines=len({e.line for e in plan.errors}), good_rows=plan.rows,
                  unnamed_contacts=sum(a.unnamed_contacts for a in plan.accounts),
                  linked_contacts=sum(1 for c in contacts if c.existing_id is not None), flags=plan.flags,
                  undecided=len(plan.undecided), skipped=len(plan.skipped), translations=plan.translations,
                  custom=plan.custom, contact_fills=fills, contact_kept=kept)


def pending(plan: Plan) -> str:
    """Why some rows cannot be imported yet ("" when every question has its answer)."""
    return pending_sentence(Outcome(plan.accounts, plan.errors, plan.undecided, plan.skipped))

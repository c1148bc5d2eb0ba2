"""Import accounts and contacts from a CSV file exported by another system (TaxDome, Karbon, QuickBooks...).

Three steps, each usable alone: `csv_file.preview` reads the file (encoding, delimiter, header, column
mapping); `csv_plan.review` checks every row against the mapping and the database and says what an
import would do; `import_rows` (here) writes it all in one transaction with Core bulk inserts, or
nothing at all when a row is bad and the user did not choose to skip bad rows, or when a flagged row
(csv_choices: a shared name or email) still waits for the user's answer. Rows make one account only when
an account key column says so, or when the user answered "same account".
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import select
from sqlmodel import Session

from practice.db import insert_many, refresh_statistics
from practice.models import Account, AccountContact, AccountTag, AccountTeam, Contact, CustomValue, Tag, utcnow
from practice.services import audit
from practice.services.actor import Actor
from practice.services.errors import InvalidInput
from practice.services.work.csv_file import RowError
from practice.services.work.csv_choices import PlannedAccount, PlannedContact
from practice.services.work.csv_plan import Plan, chunks, held_values, pending, plan_import
from practice.i18n import _, ngettext

CHUNK_ROWS = 250
DEFAULT_TAG_COLOR = "#6b7280"


@dataclass
class ImportResult:
    created_accounts: int
    updated_accounts: int
    created_contacts: int
    skipped: list[RowError] = field(default_factory=list)
    created_tags: list[str] = field(default_factory=list)
    unchanged_contacts: int = 0
    linked_contacts: int = 0
    chosen_skips: list[int] = field(default_factory=list)  # lines the user chose to skip
    custom_values: int = 0  # custom-field values written
    kept_values: int = 0  # existing accounts' values kept where the file had another
    updated_contacts: int = 0  # existing (linked) contacts that got custom-field values from the file
    kept_contact_values: int = 0  # existing contacts' values kept where the file had another


def _contact_key(c: dict[str, str]) -> tuple[str, str, str]:
    return (c.get("first_name", "").lower(), c.get("last_name", "").lower(), c.get("email", "").lower())


def _refuse_unless_importable(plan: Plan, skip_bad_rows: bool) -> None:
    header_errors = [e for e in plan.errors if e.line == 1]
    if header_errors:
        raise InvalidInput(header_errors[0].message)
    if plan.undecided:
        raise InvalidInput(_('Nothing was imported: {pending} Line {line} is the first.').format(pending=pending(plan), line=plan.undecided[0]))
    if plan.errors and not skip_bad_rows:
        first = plan.errors[0].message
        more = len({e.line for e in plan.errors}) - 1
        others = ngettext(" ({n} more row has errors.)", " ({n} more rows have errors.)", more).format(n=more) if more else ""
        raise InvalidInput(_('Nothing was imported: {first}{others} Fix the file, or choose to skip rows with errors.').format(first=first, others=others))
    if not plan.accounts:
        raise InvalidInput(_('Nothing to import: the file has no rows that can be imported.'))


@dataclass
class _Writer:
    """Writes planned accounts batch by batch, remembering what each account already has so that
    importing the same file twice adds nobody twice."""

    session: Session
    actor: Actor
    now: dt.datetime
    tag_ids: dict[str, int]  # lower-case name -> id
    known: dict[int, set] = field(default_factory=dict)  # account id -> contact keys and linked contact ids
    ids: dict[int, int] = field(default_factory=dict)  # id() of a PlannedContact -> its contact's id
    known_tags: dict[int, set] = field(default_factory=dict)  # account id -> tag ids
    field_ids: dict[str, int] = field(default_factory=dict)  # custom field mapping key -> field id
    values: dict[tuple[int, int], str] = field(default_factory=dict)  # existing accounts' (field id, id) -> value
    custom_values: int = 0
    kept_values: int = 0
    kept_contact_values: int = 0
    valued_contacts: set[int] = field(default_factory=set)  # existing contacts whose values the file was checked for
    updated_contacts: set[int] = field(default_factory=set)  # existing contacts given values
    created_accounts: int = 0
    created_contacts: int = 0
    linked: int = 0
    unchanged: int = 0
    updated: set[int] = field(default_factory=set)

    def create_new_tags(self, names: list[str]) -> None:
        if names:
            ids = insert_many(self.session.connection(), Tag.__table__,
                              [{"name": name, "color": DEFAULT_TAG_COLOR} for name in names], ids=True)
            self.tag_ids.update({name.lower(): tag_id for tag_id, name in zip(ids, names)})

    def load_existing(self, account_ids: list[int]) -> None:
        """The contacts and tags already on existing accounts."""
        for account_id in account_ids:
            self.known[account_id], self.known_tags[account_id] = set(), set()
        for part in chunks(account_ids):
            for account_id, first, last, email in self.session.execute(
                    select(AccountContact.account_id, Contact.first_name, Contact.last_name, Contact.email)
                    .join(Contact, Contact.id == AccountContact.contact_id).where(AccountContact.account_id.in_(part))):
                self.known[account_id].add((first.lower(), last.lower(), email.lower()))
            for account_id, contact_id in self.session.execute(
                    select(AccountContact.account_id, AccountContact.contact_id)
                    .where(AccountContact.account_id.in_(part))):
                self.known[account_id].add(contact_id)
            for account_id, tag_id in self.session.execute(
                    select(AccountTag.account_id, AccountTag.tag_id).where(AccountTag.account_id.in_(part))):
                self.known_tags[account_id].add(tag_id)
            account_fields = [i for k, i in self.field_ids.items() if k.startswith("account.")]
            if account_fields:
                for field_id, item_id, value in self.session.execute(
                        select(CustomValue.field_id, CustomValue.item_id, CustomValue.value).where(
                            CustomValue.item_id.in_(part), CustomValue.field_id.in_(account_fields))):
                    self.values[(field_id, item_id)] = value

    def _create_accounts(self, new: list[PlannedAccount]) -> None:
        ids = insert_many(self.session.connection(), Account.__table__, [
            {"name": a.name, "type": a.type, "notes": "\n".join(a.notes), "archived": False, "created_at": self.now}
            for a in new], ids=True)
        for a, account_id in zip(new, ids):
            a.existing_id = account_id
            self.known[account_id], self.known_tags[account_id] = set(), set()
        self.created_accounts += len(new)
        if self.actor.member_id is not None and not self.actor.sees_all_accounts:
            # An employee's new accounts put it on their team, so it sees what it imported.
            insert_many(self.session.connection(), AccountTeam.__table__,
                        [{"account_id": a.existing_id, "member_id": self.actor.member_id} for a in new])

    def _place(self, account_id: int, contact: PlannedContact, new: dict[int, PlannedContact]) -> bool:
        """Note that the contact goes on the account (a new one to insert in `new`); False when it is there."""
        if contact.existing_id is not None or id(contact) in self.ids:
            contact_id = contact.existing_id or self.ids[id(contact)]
            if contact_id in self.known[account_id]:
                return False
            self.known[account_id].add(contact_id)
            self.linked += contact.existing_id is not None
            return True
        key = _contact_key(contact.fields)
        if key in self.known[account_id] and id(contact) not in new:
            return False
        self.known[account_id].add(key)
        new[id(contact)] = contact
        return True

    def write(self, batch: list[PlannedAccount]) -> None:
        new = [a for a in batch if a.existing_id is None]
        if new:
            self._create_accounts(new)
        new_ids = {a.existing_id for a in new}
        created: dict[int, PlannedContact] = {}
        placed, links = [], []
        for a in batch:
            for c in a.contacts:
                if self._place(a.existing_id, c, created):
                    placed.append((a.existing_id, c))
                else:
                    self.unchanged += 1
            for tag in a.tags:
                tag_id = self.tag_ids[tag.lower()]
                if tag_id not in self.known_tags[a.existing_id]:
                    self.known_tags[a.existing_id].add(tag_id)
                    links.append({"account_id": a.existing_id, "tag_id": tag_id})
                    if a.existing_id not in new_ids:
                        self.updated.add(a.existing_id)
        if created:
            rows = [{**c.fields, "other_phones": "", "created_at": self.now} for c in created.values()]
            self.ids.update(zip(created, insert_many(self.session.connection(), Contact.__table__, rows, ids=True)))
            self.created_contacts += len(created)
        if placed:
            insert_many(self.session.connection(), AccountContact.__table__, [
                {"account_id": account_id, "contact_id": c.existing_id or self.ids[id(c)]} for account_id, c in placed])
            self.updated.update(i for i, _ in placed if i not in new_ids)
        if links:
            insert_many(self.session.connection(), AccountTag.__table__, links)
        self._write_values(batch, new_ids, created)

    def _write_values(self, batch: list[PlannedAccount], new_ids: set, created: dict[int, PlannedContact]) -> None:
        """The custom fields' values of the batch's accounts and new contacts; an existing account keeps a value it
        has (the file fills only its empty fields)."""
        rows = []
        for a in batch:
            for key, value in a.custom.items():
                field_id = self.field_ids[f"account.{key}"]
                held = self.values.get((field_id, a.existing_id))
                if held is not None:
                    self.kept_values += held != value
                    continue
                self.values[(field_id, a.existing_id)] = value
                rows.append({"field_id": field_id, "item_id": a.existing_id, "value": value})
                if a.existing_id not in new_ids:
                    self.updated.add(a.existing_id)
        for c in created.values():
            rows.extend({"field_id": self.field_ids[f"contact.{key}"], "item_id": self.ids[id(c)], "value": value}
                        for key, value in c.custom.items())
        rows += self._existing_contacts_values(batch)
        if rows:
            insert_many(self.session.connection(), CustomValue.__table__, rows)
            self.custom_values += len(rows)


    def _existing_contacts_values(self, batch: list[PlannedAccount]) -> list[dict]:
        """The rows of values the batch's linked existing contacts get: each field they have empty (a value they
        have stays, counted in kept_contact_values)."""
        linked = {c.existing_id: c for a in batch for c in a.contacts
                  if c.existing_id is not None and c.custom and c.existing_id not in self.valued_contacts}
        if not linked:
            return []
        self.valued_contacts.update(linked)
        held = held_values(self.session, list(linked),
                           {self.field_ids[f"contact.{k}"] for c in linked.values() for k in c.custom})
        rows = []
        for contact_id, c in linked.items():
            for key, value in c.custom.items():
                field_id = self.field_ids[f"contact.{key}"]
                if (field_id, contact_id) in held:
                    self.kept_contact_values += held[(field_id, contact_id)] != value
                    continue
                rows.append({"field_id": field_id, "item_id": contact_id, "value": value})
                self.updated_contacts.add(contact_id)
        return rows


def _import_summary(accounts: int, contacts: int, file_name: str, writer, updated: int, bad_rows: int,
                    chosen_skips: int) -> str:
    """What the import did, in one sentence in the importer's language (the audit row keeps it)."""
    said = _("Imported {accounts} and {contacts}").format(
        accounts=ngettext("{n} new account", "{n} new accounts", accounts).format(n=accounts),
        contacts=ngettext("{n} contact", "{n} contacts", contacts).format(n=contacts))
    if file_name:
        said += _(" from {file}").format(file=file_name)
    if writer.linked:
        said += ngettext("; linked {n} existing contact", "; linked {n} existing contacts", writer.linked).format(
            n=writer.linked)
    if updated:
        said += ngettext("; added to {n} existing account", "; added to {n} existing accounts", updated).format(n=updated)
    if writer.custom_values:
        said += ngettext("; filled {n} custom field value", "; filled {n} custom field values",
                         writer.custom_values).format(n=writer.custom_values)
    if writer.kept_values:
        said += ngettext("; kept {n} value existing accounts already had",
                         "; kept {n} values existing accounts already had", writer.kept_values).format(
                             n=writer.kept_values)
    if writer.updated_contacts:
        said += ngettext("; filled empty fields of {n} existing contact", "; filled empty fields of {n} existing contacts",
                         len(writer.updated_contacts)).format(n=len(writer.updated_contacts))
    if writer.kept_contact_values:
        said += ngettext("; kept {n} value existing contacts already had",
                         "; kept {n} values existing contacts already had", writer.kept_contact_values).format(
                             n=writer.kept_contact_values)
    if bad_rows:
        said += ngettext("; skipped {n} row with errors", "; skipped {n} rows with errors", bad_rows).format(n=bad_rows)
    if chosen_skips:
        said += ngettext("; skipped {n} row as chosen", "; skipped {n} rows as chosen", chosen_skips).format(
            n=chosen_skips)
    return said


def _write_in_batches(writer: _Writer, plan: Plan, progress: Callable[[int, int], None] | None) -> None:
    """Write the planned accounts about CHUNK_ROWS rows at a time, telling `progress` after each batch."""
    done, batch, batch_rows = 0, [], 0
    for account in plan.accounts:
        batch.append(account)
        batch_rows += len(account.lines)
        if batch_rows >= CHUNK_ROWS:
            writer.write(batch)
            done += batch_rows
            batch, batch_rows = [], 0
            if progress:
                progress(done, plan.rows)
    if batch:
        writer.write(batch)
        done += batch_rows
    if progress:
        progress(done, plan.rows)


def import_rows(session: Session, actor: Actor, data: bytes, mapping: dict[str, int] | None = None, *,
                answers: dict[str, str] | None = None, skip_bad_rows: bool = False,
                progress: Callable[[int, int], None] | None = None, file_name: str = "") -> ImportResult:
    """Import the file in the caller's write transaction with the user's answers to its questions (csv_choices):
    everything, or nothing when a row is bad and `skip_bad_rows` is False or a flagged row has no answer.
    Any staff member may import; an employee's new accounts put it on their team."""
    plan = plan_import(session, actor, data, mapping, answers)
    _refuse_unless_importable(plan, skip_bad_rows)
    writer = _Writer(session, actor, utcnow(), dict(plan.tag_ids),
                     field_ids={key: f.field_id for key, f in plan.custom.items()})
    writer.create_new_tags(plan.new_tags)
    writer.load_existing([a.existing_id for a in plan.accounts if a.existing_id is not None])
    _write_in_batches(writer, plan, progress)
    refresh_statistics(session.connection())  # thousands of new rows: the planner should know

    skipped = plan.errors if skip_bad_rows else []
    created_accounts, created_contacts, updated = writer.created_accounts, writer.created_contacts, writer.updated
    summary = _import_summary(created_accounts, created_contacts, file_name, writer, len(updated),
                              len({e.line for e in skipped}), len(plan.skipped))
    # One audit row for the whole import (not one per account): its detail says what it did.
    audit.record(session, actor, "import", "account", None, summary, file=file_name,
                 created_accounts=created_accounts, updated_accounts=len(updated), created_contacts=created_contacts,
                 linked_contacts=writer.linked, unchanged_contacts=writer.unchanged, created_tags=plan.new_tags,
                 skipped_lines=sorted({e.line for e in skipped}), chosen_skips=plan.skipped,
                 custom_values=writer.custom_values, kept_values=writer.kept_values,
                 updated_contacts=sorted(writer.updated_contacts), kept_contact_values=writer.kept_contact_values)
    return ImportResult(created_accounts=created_accounts, updated_accounts=len(updated),
                        created_contacts=created_contacts, skipped=list(skipped), created_tags=list(plan.new_tags),
                        unchanged_contacts=writer.unchanged, linked_contacts=writer.linked,
                        chosen_skips=list(plan.skipped), custom_values=writer.custom_values,
                        kept_values=writer.kept_values, updated_contacts=len(writer.updated_contacts),
                        kept_contact_values=writer.kept_contact_values)

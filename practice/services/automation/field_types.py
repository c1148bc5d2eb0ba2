"""Changing a custom field's type (issue 15): the firm sees first how many values the new type does not take (they
are kept, as text, and listed), and the change is refused, naming the rule, when a saved rule reads the field in a
way the new type would break (the saved rules are checked again against the catalog with the new type).

Here, not in work.custom_fields, because it checks the rules against the whole catalog (automation.rulesets)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

import rules
from practice.i18n import _
from practice.models import Account, Contact, CustomField, CustomValue, Job
from practice.services import audit
from practice.services.actor import Actor, require_admin
from practice.services.automation.rulesets import catalog_from_db, current_ruleset
from practice.services.errors import Conflict, InvalidInput, NotFound
from practice.services.work.custom_fields import _options, catalog_fields
from practice.services.work.custom_values import TYPES, clean_value

MAX_LISTED = 50
_NAMES = {"account": (Account, Account.name), "job": (Job, Job.name),
          "contact": (Contact, Contact.first_name + " " + Contact.last_name)}


@dataclass
class TypeChange:
    """What changing a field's type would do: the values it keeps as text (first MAX_LISTED, as (record, value)),
    how many there are, how many values become the new type's form, and the refusal ("" when it may be made)."""

    field_id: int
    label: str
    old_type: str
    new_type: str
    options: list = field(default_factory=list)
    misfits: list = field(default_factory=list)
    misfit_count: int = 0
    converted: int = 0
    refusal: str = ""


def _field(session: Session, field_id) -> CustomField:
    found = session.get(CustomField, field_id) if isinstance(field_id, int) else None
    if found is None:
        raise NotFound(_("That field does not exist (it may have been deleted)."))
    return found


def _rule_breaking(session: Session, target: CustomField, kind: str, options: list) -> str:
    """The refusal when a saved rule reads the field in a way the new type breaks, else ""."""
    saved = current_ruleset(session)
    if saved is None or not saved.text.strip():
        return ""
    fields = catalog_fields(session)
    spec = {"type": kind, "options": options} if kind == "choice" else {"type": kind}
    changed = {entity: dict(names) for entity, names in fields.items()}
    changed.setdefault(target.entity, {})[target.key] = spec
    before = {(e.line, e.column, e.message) for e in rules.check_errors(saved.text, catalog_from_db(session, fields))}
    after = [e for e in rules.check_errors(saved.text, catalog_from_db(session, changed))
             if (e.line, e.column, e.message) not in before]
    if not after:
        return ""
    error = after[0]
    name = next((r.name.value for r in rules.parse(saved.text).rules
                 if r.span.line <= error.line <= r.span.end_line), "")
    return _("The rule “{rule}” reads {path} in a way a field of type “{type}” can't ({message}): change the rule "
             "before changing the type.").format(rule=name, path=f"{target.entity}.{target.key}",
                                                   type=_(TYPES[kind]), message=error.message)


def preview_type_change(session: Session, actor: Actor, field_id: int, new_type: str, options=()) -> TypeChange:
    """What changing the field to `new_type` would do, nothing changed (owner and admins)."""
    require_admin(actor)
    target = _field(session, field_id)
    kind = str(new_type or "").strip().lower()
    if kind not in TYPES:
        raise InvalidInput(_("Choose the field's type."), field="type")
    options = _options(kind, options if kind == "choice" else ())
    change = TypeChange(target.id, target.label, target.type, kind, options)
    model, name = _NAMES[target.entity]
    rows = session.execute(select(CustomValue.item_id, CustomValue.value, name).join(
        model, model.id == CustomValue.item_id).where(CustomValue.field_id == target.id).order_by(name))
    for _item, value, record in rows:
        try:
            cleaned = clean_value(kind, value, target.label, options)
        except InvalidInput:
            change.misfit_count += 1
            if len(change.misfits) < MAX_LISTED:
                change.misfits.append((record, value))
            continue
        change.converted += cleaned != value
    change.refusal = _rule_breaking(session, target, kind, options)
    return change


def change_type(session: Session, actor: Actor, field_id: int, new_type: str, options=()) -> TypeChange:
    """Change the field's type (owner and admins): values the new type takes are kept in its form, the others are
    kept as they are (shown as text, read by rules as empty); refused while a saved rule would break."""
    change = preview_type_change(session, actor, field_id, new_type, options)
    if change.refusal:
        raise Conflict(change.refusal)
    target = _field(session, field_id)
    if change.new_type == target.type and change.options == list(target.options):
        return change
    for row in session.execute(select(CustomValue).where(CustomValue.field_id == target.id)).scalars():
        try:
            cleaned = clean_value(change.new_type, row.value, target.label, change.options)
        except InvalidInput:
            continue
        if cleaned and cleaned != row.value:
            row.value = cleaned
            session.add(row)
    before = {"type": target.type}
    target.type, target.options = change.new_type, change.options
    session.add(target)
    session.flush()
    audit.record_changes(session, actor, "custom_field", target.id, f"the {target.entity} field “{target.label}”",
                         before, {"type": target.type}, entity_label=target.label)
    return change

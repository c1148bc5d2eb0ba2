"""The firm's own fields on accounts, contacts and jobs (issue 15): owners and admins define them, staff fill them on
what they may see, and rules read them by key (`job.filing_status`) as facts.

A field's key never changes, so renaming its label keeps every rule working; a field a saved rule reads can't be
deleted (the refusal names the rule), nor can a list lose a choice a rule compares with.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlmodel import Session

import rules
from rules import ast as rules_ast
from rules.catalog import name_key
from rules.language import FIELDS as RULE_FIELDS
from rules.placeholders import referenced_fields
from practice.i18n import _
from practice.models import CustomField, CustomValue, RuleSet
from practice.services import audit
from practice.services.actor import Actor, require_admin, require_staff
from practice.services.errors import Conflict, InvalidInput, NotFound
from practice.services.work.accounts import contact_visible, get_account
from practice.services.work.custom_values import TYPES, clean_value, shown, typed
from practice.services.work.jobs import get_job

ENTITIES = ("account", "contact", "job")
MAX_FIELDS = 100  # per entity
MAX_OPTIONS = 200
MAX_LABEL = 80
_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
# Keys the facts already use on every record (besides the rules' own fields): never a custom field's.
_TAKEN = {"account": {"id", "tags", "notes"}, "contact": {"id", "tags", "name", "phone"},
          "job": {"id", "tags", "assignees", "archived", "account_id"}}


@dataclass(frozen=True)
class FieldValue:
    """One field with its value on one record: `value` as kept (what an editor starts from), `shown` for reading."""

    field_id: int
    key: str
    label: str
    type: str
    options: tuple
    value: str
    shown: str


def _entity(entity: str) -> str:
    entity = str(entity or "").strip().lower()
    if entity not in ENTITIES:
        raise InvalidInput(_("Custom fields go on accounts, contacts or jobs."), field="entity")
    return entity


def list_fields(session: Session, actor: Actor, entity: str | None = None) -> list[CustomField]:
    """The firm's fields (of one entity, or all), in their order."""
    require_staff(actor)
    stmt = select(CustomField).order_by(CustomField.entity, CustomField.position, CustomField.id)
    if entity is not None:
        stmt = stmt.where(CustomField.entity == _entity(entity))
    return list(session.execute(stmt).scalars())


def _get_field(session: Session, field_id: int) -> CustomField:
    field = session.get(CustomField, field_id)
    if field is None:
        raise NotFound(_("That field does not exist (it may have been deleted)."))
    return field


def _label(label: str) -> str:
    label = " ".join(str(label or "").split())
    if not label:
        raise InvalidInput(_("Give the field a label, like “Filing status”."), field="label")
    if len(label) > MAX_LABEL:
        raise InvalidInput(_("Keep the label under {n} characters.").format(n=MAX_LABEL), field="label")
    return label


def key_from_label(label: str) -> str:
    """A key rules can read, made from a label: “Fiscal year end” → fiscal_year_end."""
    plain = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    key = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:40].rstrip("_")
    if not key or not key[0].isalpha():
        key = f"field_{key}".rstrip("_")
    return key


def _key(session: Session, entity: str, key: str, label: str) -> str:
    given = bool(str(key or "").strip())
    key = str(key).strip().lower() if given else key_from_label(label)
    if not _KEY.fullmatch(key):
        raise InvalidInput(_("A key is lower-case letters, digits and _, starting with a letter (like filing_status)."),
                           field="key")
    taken = set(session.execute(select(CustomField.key).where(CustomField.entity == entity)).scalars())
    reserved = set(RULE_FIELDS.get(entity, ())) | _TAKEN[entity]
    if given and (key in taken or key in reserved):
        raise InvalidInput(_("Every {entity} already has a field with the key {key}: choose another key.")
                           .format(entity=entity, key=key), field="key")
    base, n = key, 2
    while key in taken or key in reserved:
        key, n = f"{base[:36]}_{n}", n + 1
    return key


def _options(kind: str, options) -> list[str]:
    if kind != "choice":
        return []
    if isinstance(options, str):
        options = options.splitlines()
    seen: dict[str, str] = {}
    for option in options or ():
        text = " ".join(str(option).split())
        if text and name_key(text) not in seen:
            seen[name_key(text)] = text[:MAX_LABEL]
    if not seen:
        raise InvalidInput(_("List the choices, one per line."), field="options")
    if len(seen) > MAX_OPTIONS:
        raise InvalidInput(_("A list can have up to {n} choices.").format(n=MAX_OPTIONS), field="options")
    return list(seen.values())


def define_field(session: Session, actor: Actor, *, entity: str, label: str, type: str = "text", key: str = "",
                 options=()) -> CustomField:
    """Add a field to every account, contact or job (owner and admins)."""
    require_admin(actor)
    entity, label = _entity(entity), _label(label)
    kind = str(type or "").strip().lower()
    if kind not in TYPES:
        raise InvalidInput(_("Choose the field's type."), field="type")
    count = session.execute(select(func.count()).select_from(CustomField).where(CustomField.entity == entity)).scalar()
    if count >= MAX_FIELDS:
        raise InvalidInput(_("There can be up to {n} fields on each {entity}.").format(n=MAX_FIELDS, entity=entity))
    field = CustomField(entity=entity, key=_key(session, entity, key, label), label=label, type=kind,
                        options=_options(kind, options), position=count)
    session.add(field)
    session.flush()
    audit.record(session, actor, "create", "custom_field", field.id,
                 f"Added the {entity} field “{label}” ({field.entity}.{field.key})", entity_label=label)
    return field


def update_field(session: Session, actor: Actor, field_id: int, *, label: str | None = None,
                 options=None) -> CustomField:
    """Rename a field or change its list's choices (owner and admins). Its key stays, so rules keep working; a choice
    a saved rule compares with can't be taken out."""
    require_admin(actor)
    field = _get_field(session, field_id)
    before = {"label": field.label, "options": "\n".join(field.options)}
    if label is not None:
        field.label = _label(label)
    if options is not None and field.type == "choice":
        new = _options("choice", options)
        removed = [o for o in field.options if name_key(o) not in {name_key(n) for n in new}]
        for rule_name, value in _rules_comparing(session, field, removed):
            raise Conflict(_("The rule “{rule}” compares {path} with “{value}”: change the rule before taking that "
                             "choice out.").format(rule=rule_name, path=f"{field.entity}.{field.key}", value=value))
        field.options = new
    session.add(field)
    audit.record_changes(session, actor, "custom_field", field.id, f"the {field.entity} field “{field.label}”",
                         before, {"label": field.label, "options": "\n".join(field.options)},
                         entity_label=field.label)
    return field


def move_field(session: Session, actor: Actor, field_id: int, step: int) -> None:
    """Move a field up (-1) or down (+1) among its entity's fields (owner and admins)."""
    require_admin(actor)
    field = _get_field(session, field_id)
    ordered = list_fields(session, actor, field.entity)
    index = next(i for i, f in enumerate(ordered) if f.id == field.id)
    other = index + (1 if step > 0 else -1)
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, f in enumerate(ordered):
        f.position = position
        session.add(f)


def delete_field(session: Session, actor: Actor, field_id: int) -> str:
    """Delete a field and its values (owner and admins); refused, naming the rule, while a saved rule reads it."""
    require_admin(actor)
    field = _get_field(session, field_id)
    using = rules_using(session, field.entity, field.key)
    if using:
        raise Conflict(_("The rule “{rule}” reads {path}: change the rule before deleting “{label}”.")
                       .format(rule=using[0], path=f"{field.entity}.{field.key}", label=field.label))
    session.execute(delete(CustomValue).where(CustomValue.field_id == field.id))
    session.execute(delete(CustomField).where(CustomField.id == field.id))
    audit.record(session, actor, "delete", "custom_field", field.id, f"Deleted the {field.entity} field “{field.label}”",
                 entity_label=field.label)
    return _("“{label}” was deleted.").format(label=field.label)


# --- which saved rules read a field ------------------------------------------------------------------


def _saved_rules(session: Session) -> list:
    text = session.execute(select(RuleSet.text).order_by(RuleSet.id.desc()).limit(1)).scalar()
    if not text:
        return []
    try:
        return list(rules.parse(text).rules)
    except rules.RulesError:
        return []


def _walk(node):
    yield node
    if isinstance(node, tuple):
        for item in node:
            yield from _walk(item)
    elif hasattr(node, "__dataclass_fields__"):
        for name in node.__dataclass_fields__:
            if not name.endswith("span"):
                yield from _walk(getattr(node, name))


def rules_using(session: Session, entity: str, key: str) -> list[str]:
    """Names of the saved rules that read `entity.key` (in a condition or a placeholder)."""
    out = []
    for rule in _saved_rules(session):
        for node in _walk(rule):
            if isinstance(node, rules_ast.Field) and (node.entity, node.name) == (entity, key):
                out.append(rule.name.value)
                break
            if isinstance(node, rules_ast.Text) and (entity, key) in (referenced_fields(node.value) or ()):
                out.append(rule.name.value)
                break
    return out


def _rules_comparing(session: Session, field: CustomField, values: list[str]):
    """(rule name, value) for each saved rule comparing the field with one of these quoted values."""
    wanted = {name_key(v): v for v in values}
    if not wanted:
        return
    for rule in _saved_rules(session):
        for node in _walk(rule):
            if isinstance(node, rules_ast.Compare):
                sides = [(node.left, node.right), (node.right, node.left)]
            elif isinstance(node, rules_ast.OneOf):
                sides = [(node.left, v) for v in node.values]
            else:
                continue
            for fld, value in sides:
                if (isinstance(fld, rules_ast.Field) and (fld.entity, fld.name) == (field.entity, field.key)
                        and isinstance(value, rules_ast.Text) and name_key(value.value) in wanted):
                    yield rule.name.value, wanted[name_key(value.value)]


# --- values ---------------------------------------------------------------------------------------


def _check_item(session: Session, actor: Actor, entity: str, item_id: int) -> None:
    """Refuses an item the actor may not see (an employee sees the accounts it works on, their jobs and contacts)."""
    require_staff(actor)
    if entity == "account":
        get_account(session, actor, item_id)
    elif entity == "job":
        get_job(session, actor, item_id)
    else:
        contact_visible(session, actor, item_id)


def values_for(session: Session, actor: Actor, entity: str, item_id: int) -> list[FieldValue]:
    """Every field of the entity with its value on this account, contact or job, in the fields' order."""
    entity = _entity(entity)
    _check_item(session, actor, entity, item_id)
    kept = dict(session.execute(select(CustomValue.field_id, CustomValue.value).join(
        CustomField, CustomField.id == CustomValue.field_id).where(
        CustomField.entity == entity, CustomValue.item_id == item_id)).all())
    return [FieldValue(f.id, f.key, f.label, f.type, tuple(f.options), kept.get(f.id, ""),
                       shown(f.type, kept.get(f.id, ""))) for f in list_fields(session, actor, entity)]


def set_value(session: Session, actor: Actor, entity: str, item_id: int, field_id: int, raw) -> FieldValue:
    """Set (or, with an empty value, clear) one field on an account, contact or job the actor may see."""
    entity = _entity(entity)
    _check_item(session, actor, entity, item_id)
    field = _get_field(session, field_id)
    if field.entity != entity:
        raise NotFound(_("That field does not exist (it may have been deleted)."))
    try:
        value = clean_value(field.type, raw, field.label, field.options)
    except InvalidInput as err:
        raise InvalidInput(str(err), field=field.key) from None
    row = session.get(CustomValue, (field.id, item_id))
    before = row.value if row else ""
    if value == before:
        return _field_value(field, value)
    if not value:
        session.delete(row)
    elif row is None:
        session.add(CustomValue(field_id=field.id, item_id=item_id, value=value))
    else:
        row.value = value
        session.add(row)
    session.flush()
    audit.record_changes(session, actor, entity, item_id, "Custom field", {field.label: before}, {field.label: value},
                         labels={field.label: field.label}, field=f"{field.entity}.{field.key}")
    return _field_value(field, value)


def set_values(session: Session, actor: Actor, entity: str, item_id: int, raw_values: dict) -> int:
    """Set several fields of one record at once (a form's "Save"): every value is checked first, and the first one a
    field does not accept is refused with its sentence and nothing is saved. Returns how many values changed."""
    entity = _entity(entity)
    _check_item(session, actor, entity, item_id)
    fields = {f.id: f for f in list_fields(session, actor, entity)}
    cleaned = {}
    for field_id, raw in raw_values.items():
        field = fields.get(field_id)
        if field is None:
            raise NotFound(_("That field does not exist (it may have been deleted)."))
        try:
            cleaned[field_id] = clean_value(field.type, raw, field.label, field.options)
        except InvalidInput as err:
            raise InvalidInput(str(err), field=field.key) from None
    changed = 0
    for field_id, value in cleaned.items():
        row = session.get(CustomValue, (field_id, item_id))
        if value != (row.value if row else ""):
            set_value(session, actor, entity, item_id, field_id, value)
            changed += 1
    return changed


def _field_value(field: CustomField, value: str) -> FieldValue:
    return FieldValue(field.id, field.key, field.label, field.type, tuple(field.options), value, shown(field.type, value))


# --- what rules and templates read ----------------------------------------------------------------


def catalog_fields(session: Session) -> dict:
    """The fields as the rules' catalog lists them (contract §3.1): entity → key → type (and choices)."""
    out: dict[str, dict] = {}
    for f in session.execute(select(CustomField).order_by(CustomField.entity, CustomField.position)).scalars():
        spec = {"type": f.type, "options": list(f.options)} if f.type == "choice" else {"type": f.type}
        out.setdefault(f.entity, {})[f.key] = spec
    return out


def fact_values(session: Session, entity: str, item_id: int) -> dict:
    """key → typed value of one account, contact or job, every field of the entity present (None when not filled, so
    a template naming it shows nothing rather than failing); no permission check: the rules engine and templates."""
    rows = session.execute(select(CustomField.key, CustomField.type, CustomValue.value).outerjoin(
        CustomValue, (CustomValue.field_id == CustomField.id) & (CustomValue.item_id == item_id)).where(
        CustomField.entity == entity))
    return {key: typed(kind, value) for key, kind, value in rows}


def bulk_fact_values(session: Session, entity: str) -> dict[int, dict]:
    """item id → key → typed value, for every account, contact or job at once (a schedule's sweep)."""
    out: dict[int, dict] = {}
    rows = session.execute(select(CustomValue.item_id, CustomField.key, CustomField.type, CustomValue.value).join(
        CustomField, CustomField.id == CustomValue.field_id).where(CustomField.entity == entity))
    for item_id, key, kind, value in rows:
        out.setdefault(item_id, {})[key] = typed(kind, value)
    return out


def drop_values(session: Session, entity: str, item_ids) -> None:
    """Forget the values of deleted accounts, contacts or jobs."""
    ids = list(item_ids)
    if ids:
        session.execute(delete(CustomValue).where(CustomValue.item_id.in_(ids), CustomValue.field_id.in_(
            select(CustomField.id).where(CustomField.entity == entity))))


def merge_values(session: Session, entity: str, keep_id: int, drop_id: int) -> None:
    """A merge keeps the kept record's values and takes the other's where it has none."""
    fields = select(CustomField.id).where(CustomField.entity == entity)
    has = select(CustomValue.field_id).where(CustomValue.item_id == keep_id)
    session.execute(update(CustomValue).where(CustomValue.item_id == drop_id, CustomValue.field_id.in_(fields),
                                              CustomValue.field_id.not_in(has)).values(item_id=keep_id))
    drop_values(session, entity, [drop_id])

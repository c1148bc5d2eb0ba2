"""The firm's own fields as columns and filters of the accounts list and the board (issue 15).

Each team member picks the fields its list shows as columns (kept per member and list): the accounts list shows
account fields; the board shows job fields and its cards' accounts' fields. A filter keeps the rows
whose field has a value: one of a list's choices, yes or no, text containing some words, a number, amount or date
between two bounds. It is a condition in the list's own SQL statement (never rows read into Python), so it only
ever narrows what the person may already see.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import Float, and_, bindparam, cast, exists, func, select, union_all
from sqlmodel import Session

from practice.i18n import _
from practice.models import MAX_ROW_ID, CustomField, CustomValue, ViewColumns
from practice.services.actor import Actor, require_staff
from practice.services.errors import InvalidInput, NotFound
from practice.services.work.custom_values import clean_value, shown

# Each list and the entities whose fields it shows (a board card shows its job's and its account's).
VIEWS = {"accounts": ("account",), "board": ("job", "account")}
MAX_COLUMNS = 6
# How each type is filtered: "is" (one value), "contains" (text), "number" and "date" (between two bounds).
FILTER_KINDS = {"choice": "is", "yesno": "is", "text": "contains", "email": "contains", "phone": "contains",
                "url": "contains", "number": "number", "money": "number", "date": "date"}
_LOWEST = {"number": -1e300, "date": "0000-01-01"}
_HIGHEST = {"number": 1e300, "date": "9999-12-31"}


@dataclass(frozen=True)
class FieldFilter:
    """A checked filter: the field, how it compares, and the values its statement's parameters take."""

    field_id: int
    kind: str
    label: str
    params: dict = field(default_factory=dict, compare=False, hash=False)
    summary: str = ""
    entity: str = "account"  # whose field: the board filters its jobs by a job field or by their account's


@dataclass(frozen=True)
class ShownField:
    """A field shown as a column, as a list's statements need it: what a page keeps between its loads (read with its
    menus when the page opens or the member changes its columns), so that a load does not read it again."""

    id: int
    entity: str
    type: str
    label: str


def shown_fields(fields: list[CustomField]) -> list[ShownField]:
    return [ShownField(f.id, f.entity, f.type, f.label) for f in fields]


def _view(view: str) -> tuple[str, ...]:
    if view not in VIEWS:
        raise NotFound(_("There is no such list."))
    return VIEWS[view]


def _field_of(session: Session, entities: tuple[str, ...], field_id) -> CustomField:
    try:
        wanted = int(field_id)
    except (TypeError, ValueError):
        wanted = 0
    found = session.get(CustomField, wanted) if 0 < wanted <= MAX_ROW_ID else None
    if found is None or found.entity not in entities:
        raise NotFound(_("That field does not exist (it may have been deleted)."))
    return found


# --- columns ---------------------------------------------------------------------------------------


def view_label(f: CustomField, view: str) -> str:
    """The field as a list names it: on the board, an account field says so ("Filing status (account field)")."""
    if len(VIEWS.get(view, ())) > 1 and f.entity == "account":
        return _("{label} (account field)").format(label=f.label)
    return f.label


def view_fields(session: Session, actor: Actor, view: str) -> list[CustomField]:
    """The fields a list can show and filter by: its entities' (the board's job fields first), in their order."""
    entities = _view(view)
    require_staff(actor)
    fields = session.execute(select(CustomField).where(CustomField.entity.in_(entities))
                             .order_by(CustomField.position, CustomField.id)).scalars()
    return sorted(fields, key=lambda f: entities.index(f.entity))


def get_columns(session: Session, actor: Actor, view: str) -> list[CustomField]:
    """The fields this member shows as columns of the list, in the order chosen (deleted ones drop out)."""
    entities = _view(view)
    require_staff(actor)
    kept = session.get(ViewColumns, (actor.member_id, view))
    ids = [i for i in (kept.field_ids if kept else []) if isinstance(i, int)]
    if not ids:
        return []
    found = {f.id: f for f in session.execute(select(CustomField).where(
        CustomField.id.in_(ids), CustomField.entity.in_(entities))).scalars()}
    return [found[i] for i in ids if i in found]


def set_column(session: Session, actor: Actor, view: str, field_id, shown_: bool) -> list[CustomField]:
    """Show (at the end) or hide one field as a column of the member's list; returns the columns now shown."""
    entities = _view(view)
    require_staff(actor)
    target = _field_of(session, entities, field_id)
    ids = [f.id for f in get_columns(session, actor, view) if f.id != target.id]
    if shown_:
        if len(ids) >= MAX_COLUMNS:
            raise InvalidInput(_("A list shows up to {n} fields as columns: hide one first.").format(n=MAX_COLUMNS))
        ids.append(target.id)
    kept = session.get(ViewColumns, (actor.member_id, view))
    if kept is None:
        kept = ViewColumns(member_id=actor.member_id, view=view, field_ids=ids)
    kept.field_ids = ids
    session.add(kept)
    session.flush()
    return get_columns(session, actor, view)


def column_values(session: Session, fields: list[CustomField], item_ids: list[int]) -> dict[int, list[str]]:
    """item id → each field's value as people read it ("" when not filled), for rows the caller already shows (the
    ids come from a list that checked who may see them): one statement."""
    return card_values(session, fields, {i: {f.entity: i for f in fields} for i in item_ids})


def card_values(session: Session, fields: list[CustomField], items: dict[int, dict[str, int]]) -> dict[int, list[str]]:
    """row id → each field's value as people read it ("" when not filled), where `items` gives each row's record of
    each entity (a board card: {"job": its id, "account": its account's}); for rows the caller already shows: one
    statement. On SQLite the ids go in as JSON parameters (a page of 500 cards would otherwise render and bind 500
    parameters on every load)."""
    out = {i: [""] * len(fields) for i in items}
    if not fields or not items:
        return out
    where = {f.id: n for n, f in enumerate(fields)}
    kinds = {f.id: f.type for f in fields}
    parts = []  # (field ids, record ids) of each entity shown
    for entity in dict.fromkeys(f.entity for f in fields):
        parts.append(([f.id for f in fields if f.entity == entity], sorted({r[entity] for r in items.values()})))
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        sql = " UNION ALL ".join([_VALUES_SQL] * len(parts))
        rows = conn.exec_driver_sql(sql, tuple(json.dumps(ids) for part in parts for ids in part))
    else:
        selects = [select(CustomValue.item_id, CustomValue.field_id, CustomValue.value).where(
            CustomValue.field_id.in_(fids), CustomValue.item_id.in_(rids)) for fids, rids in parts]
        rows = session.execute(union_all(*selects) if len(selects) > 1 else selects[0])
    held: dict[tuple[int, int], str] = {}
    seen: dict[tuple, str] = {}  # the same value shown once (a list's values repeat)
    for item_id, field_id, value in rows:
        key = (kinds[field_id], value)
        if key not in seen:
            seen[key] = shown(*key)
        held[(field_id, item_id)] = seen[key]
    entity_of = {f.id: f.entity for f in fields}
    for row_id, records in items.items():
        row = out[row_id]
        for field_id, n in where.items():
            row[n] = held.get((field_id, records[entity_of[field_id]]), "")
    return out


_VALUES_SQL = ("SELECT item_id, field_id, value FROM customvalue WHERE field_id IN (SELECT value FROM json_each(?)) "
               "AND item_id IN (SELECT value FROM json_each(?))")


def placeholders(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """(placeholder, label) of each custom field, as the template editors offer them: `{{ account.filing_status }}`
    (templates read a field by its key on its record, like the record's own fields)."""
    require_staff(actor)
    fields = session.execute(select(CustomField).order_by(CustomField.entity, CustomField.position, CustomField.id))
    return [("{{ " + f"{f.entity}.{f.key}" + " }}", f.label) for f in fields.scalars()]


# --- filters ---------------------------------------------------------------------------------------


def _bound(target: CustomField, raw, side: str) -> str:
    """One bound of a range as the field keeps values ("" when not given), refused with the field's sentence."""
    word = _("from") if side == "low" else _("to")
    return clean_value(target.type, raw, f"{target.label} ({word})")


def make_filter(session: Session, actor: Actor, view: str, field_id, value="", low="", high="") -> FieldFilter | None:
    """A filter on one field of the list's entity, its values checked with the field's own sentences; None when
    nothing is asked (an empty value, or two empty bounds)."""
    entities = _view(view)
    require_staff(actor)
    target = _field_of(session, entities, field_id)
    kind = FILTER_KINDS.get(target.type, "contains")
    label = view_label(target, view)
    if kind == "is":
        cleaned = clean_value(target.type, value, target.label, target.options)
        if not cleaned:
            return None
        return FieldFilter(target.id, kind, target.label, {"cf_value": cleaned},
                           f"{label}: {shown(target.type, cleaned)}", target.entity)
    if kind == "contains":
        words = " ".join(str(value or "").split())[:200].lower()
        if not words:
            return None
        like = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return FieldFilter(target.id, kind, target.label, {"cf_like": like},
                           _("{label} contains “{words}”").format(label=label, words=words), target.entity)
    lo, hi = _bound(target, low, "low"), _bound(target, high, "high")
    if not lo and not hi:
        return None
    number = kind == "number"
    if lo and hi and ((float(lo) > float(hi)) if number else lo > hi):
        raise InvalidInput(_("“{label}”: the first bound is after the second.").format(label=target.label))
    summary = _("{label} from {low} to {high}").format(label=label, low=shown(target.type, lo) or "…",
                                                       high=shown(target.type, hi) or "…")
    params = {"cf_low": (float(lo) if number else lo) if lo else _LOWEST[kind],
              "cf_high": (float(hi) if number else hi) if hi else _HIGHEST[kind]}
    return FieldFilter(target.id, kind, target.label, params, summary, target.entity)


def _value_test(kind: str, values: dict | None):
    """The condition on CustomValue.value for a kind of filter (bind parameters, with their values when given)."""
    def param(name):
        return bindparam(name, value=values[name]) if values is not None else bindparam(name)

    value = CustomValue.value
    if kind == "is":
        return value == param("cf_value")
    if kind == "contains":
        return func.lower(value).like(param("cf_like"), escape="\\")
    if kind == "number":
        # Kept as plain decimals; a value left from before a change of type ("abc") is not a number: never matches.
        return and_(func.trim(value, "0123456789.-") == "", cast(value, Float).between(param("cf_low"), param("cf_high")))
    return value.between(param("cf_low"), param("cf_high"))


def condition(kind: str, item_id, *, probe: bool, values: dict | None = None, field_id=None):
    """The filter as a condition on a statement's item id column: an uncorrelated IN-set (computed once: for
    counting) or a primary-key probe per row (for reading the first rows of an ordered index). Without `values`
    the statement takes parameters cf_field and the kind's (`FieldFilter.params`) when run."""
    fid = bindparam("cf_field", value=field_id) if values is not None else bindparam("cf_field")
    test = _value_test(kind, values)
    if probe:
        return exists().where(CustomValue.field_id == fid, CustomValue.item_id == item_id, test)
    return item_id.in_(select(CustomValue.item_id).where(CustomValue.field_id == fid, test))


def sql_condition(flt: FieldFilter, item_id, *, probe: bool = False):
    """The filter as a condition with its values bound (for statements built per call)."""
    return condition(flt.kind, item_id, probe=probe, values=flt.params, field_id=flt.field_id)


def statement_params(flt: FieldFilter | None) -> dict:
    """The values of a cached statement's filter parameters."""
    if flt is None:
        return {}
    return {"cf_field": flt.field_id, **flt.params}

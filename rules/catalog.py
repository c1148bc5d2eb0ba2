"""What exists in the firm: pipelines and their stages, templates by kind, tags, team members.

The app writes the same JSON structure from its database (contract §8). Names are matched
ignoring case and leading/trailing spaces; unknown names get a "did you mean" suggestion.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence, Union

from .language import field_table

TEMPLATE_KINDS = ("email", "message", "organizer", "proposal", "invoice", "client request", "document", "folder", "task")

# Firm-defined fields (contract §3.1): the entities that may carry them, and the types a catalog may give.
FIELD_ENTITIES = ("job", "account", "contact", "answer")
FIELD_TYPES = ("text", "number", "date", "yesno", "choice")
# The app's richer types, read as the language's (§3.1): a repeated group's answer counts its entries.
FIELD_TYPE_ALIASES = {"email": "text", "phone": "text", "url": "text", "money": "number", "group": "number",
                      "yes/no": "yesno", "one of a list": "choice"}
_KEY = re.compile(r"[a-z_][a-z0-9_]*")


def name_key(name: str) -> str:
    """How names compare: ignoring case and leading/trailing spaces."""
    return name.strip().casefold()


def suggest(name: str, candidates: Iterable[str]) -> Optional[str]:
    """The closest candidate to a misspelt name, or None when nothing is close."""
    by_key = {}
    for c in candidates:
        by_key.setdefault(name_key(c), c)
    close = difflib.get_close_matches(name_key(name), list(by_key), n=1, cutoff=0.6)
    return by_key[close[0]] if close else None


@dataclass(frozen=True)
class FieldDef:
    """One firm-defined field: its type and, for "choice", the options its quoted values must be among."""

    type: str
    options: tuple = ()

    @property
    def value_type(self) -> str:
        """The language's type of its values: a choice is text."""
        return "text" if self.type == "choice" else self.type


def _field_def(entity: str, key: str, spec) -> FieldDef:
    if isinstance(spec, str):
        spec = {"type": spec}
    if not isinstance(spec, Mapping):
        raise ValueError(f"the field {entity}.{key} must be described by a JSON object")
    kind = str(spec.get("type") or "text").strip().casefold()
    kind = FIELD_TYPE_ALIASES.get(kind, kind)
    if kind not in FIELD_TYPES:
        raise ValueError(f'the field {entity}.{key} has the type "{kind}", which is not one of {", ".join(FIELD_TYPES)}')
    options = tuple(str(o) for o in spec.get("options") or ())
    if kind == "choice" and not options:
        raise ValueError(f"the field {entity}.{key} is one of a list, but its list is empty")
    return FieldDef(kind, options if kind == "choice" else ())


def _fields_from(data) -> dict:
    if not isinstance(data, Mapping):
        raise ValueError('"fields" must be a JSON object')
    out = {}
    for entity, defs in data.items():
        entity = str(entity).strip().casefold()
        if entity not in FIELD_ENTITIES:
            raise ValueError(f'fields can be given for {", ".join(FIELD_ENTITIES)}, not "{entity}"')
        if not isinstance(defs, Mapping):
            raise ValueError(f'the fields of "{entity}" must be a JSON object')
        table = {}
        for key, spec in defs.items():
            key = str(key).strip().casefold()
            if not _KEY.fullmatch(key):
                raise ValueError(f'"{key}" can\'t be a field key: use lower-case letters, digits and _')
            table[key] = _field_def(entity, key, spec)
        out[entity] = table
    return out


def _find(name: str, candidates: Iterable[str]) -> Optional[str]:
    key = name_key(name)
    for c in candidates:
        if name_key(c) == key:
            return c
    return None


@dataclass(frozen=True)
class Catalog:
    """Names that exist in the firm. Build it with ``Catalog.from_json`` or ``Catalog.from_dict``."""

    pipelines: Mapping[str, Sequence[str]] = field(default_factory=dict)
    templates: Mapping[str, Sequence[str]] = field(default_factory=dict)
    tags: Sequence[str] = ()
    members: Sequence[str] = ()
    # Firm-defined fields: entity ("job", "account", "contact"; "answer" for organizer show-if conditions)
    # -> key -> FieldDef. Built-in fields (language.FIELDS) keep their meaning when a key repeats one.
    fields: Mapping[str, Mapping[str, FieldDef]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping) -> "Catalog":
        """A catalog from the contract's JSON structure (missing parts are empty)."""
        if not isinstance(data, Mapping):
            raise ValueError("the catalog must be a JSON object")
        pipelines = data.get("pipelines") or {}
        templates = data.get("templates") or {}
        if not isinstance(pipelines, Mapping) or not isinstance(templates, Mapping):
            raise ValueError('"pipelines" and "templates" must be JSON objects')
        return cls(
            pipelines={str(p): tuple(str(s) for s in stages) for p, stages in pipelines.items()},
            templates={str(k): tuple(str(t) for t in names) for k, names in templates.items()},
            tags=tuple(str(t) for t in data.get("tags") or ()),
            members=tuple(str(m) for m in data.get("members") or ()),
            fields=_fields_from(data.get("fields") or {}),
        )

    @classmethod
    def from_json(cls, text_or_path: Union[str, Path]) -> "Catalog":
        """A catalog from JSON text or from a path to a JSON file."""
        if isinstance(text_or_path, Path) or not str(text_or_path).lstrip().startswith("{"):
            text = Path(text_or_path).read_text(encoding="utf-8")
        else:
            text = str(text_or_path)
        return cls.from_dict(json.loads(text))

    def to_dict(self) -> dict:
        return {
            "pipelines": {p: list(s) for p, s in self.pipelines.items()},
            "templates": {k: list(v) for k, v in self.templates.items()},
            "tags": list(self.tags),
            "members": list(self.members),
            "fields": {e: {k: ({"type": d.type, "options": list(d.options)} if d.options else {"type": d.type})
                           for k, d in defs.items()} for e, defs in self.fields.items()},
        }

    @cached_property
    def field_types(self) -> dict:
        """entity -> field -> the language's type: the built-in fields and the firm's (``language.field_table``)."""
        return field_table(self)

    def field_def(self, entity: str, key: str) -> Optional[FieldDef]:
        """A firm-defined field, or None."""
        return self.fields.get(entity, {}).get(key)

    # ---- lookups: each returns the catalog's own spelling, or None
    def pipeline(self, name: str) -> Optional[str]:
        return _find(name, self.pipelines)

    def stages_of(self, pipeline: Optional[str]) -> tuple:
        """Stages of one pipeline, or of every pipeline (without repeats) when None."""
        if pipeline is not None:
            return tuple(self.pipelines.get(pipeline, ()))
        seen = {}
        for stages in self.pipelines.values():
            for s in stages:
                seen.setdefault(name_key(s), s)
        return tuple(seen.values())

    def stage(self, name: str, pipeline: Optional[str] = None) -> Optional[str]:
        return _find(name, self.stages_of(pipeline))

    def pipelines_with_stage(self, name: str) -> tuple:
        """Pipelines having a stage of this name (a trigger without a pipeline fires in each)."""
        return tuple(p for p, stages in self.pipelines.items() if _find(name, stages))

    def template(self, kind: str, name: str) -> Optional[str]:
        return _find(name, self.templates.get(kind, ()))

    def template_kinds_named(self, name: str) -> tuple:
        return tuple(k for k, names in self.templates.items() if _find(name, names))

    def tag(self, name: str) -> Optional[str]:
        return _find(name, self.tags)

    def member(self, name: str) -> Optional[str]:
        return _find(name, self.members)
